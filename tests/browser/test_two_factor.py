"""A director's first log-in: set up the authenticator, a wrong code refused, then in."""

import base64
import time

import pytest
from django.utils import translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from .conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.two_factor,
    pytest.mark.django_db(transaction=True),
]


def code_for(manual_key: str, steps_ahead: int = 0) -> str:
    totp = TOTP(base64.b32decode(manual_key.replace(" ", "")), drift=steps_ahead)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_a_director_sets_up_two_factor_and_reaches_the_task_list(page, city):
    log_in(page, "dirk")

    page.wait_for_url("**/accounts/two-factor/?next=*")
    expect(page.locator("#two-factor-qr svg")).to_be_visible()
    key = page.locator("#two-factor-key").inner_text()
    right = code_for(key)

    page.locator("#id_code").fill(f"{(int(right) + 1) % 1_000_000:06d}")
    page.locator("#two-factor-setup button.primary").click()
    with translation.override("zh-hans"):
        refused = translation.gettext("The code is wrong or has expired. Enter the current code.")
    assert page.get_by_role("alert").inner_text().strip() == refused
    assert not TOTPDevice.objects.exists()

    page.locator("#id_code").fill(code_for(key))
    page.locator("#two-factor-setup button.primary").click()
    page.wait_for_url("**/tasks/")
    expect(page.get_by_role("heading", name="督办事项")).to_be_visible()
    assert TOTPDevice.objects.get().user == city.dirk

    # The next log-in asks for the code from the app.
    page.get_by_role("button", name="退出").click()
    log_in(page, "dirk")
    page.wait_for_url("**/accounts/two-factor/verify/?next=*")
    page.locator("#id_code").fill(code_for(key, steps_ahead=1))
    page.locator("#two-factor-verify button.primary").click()
    page.wait_for_url("**/tasks/")
