"""A unit head sets how they are told (a bad number first), then reads a warning."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from playwright.sync_api import expect

from supervision.choices import WarningKind
from supervision.models import ChannelPreference, TaskWarning, WarningRead

from ..factories import TaskFactory
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


def test_a_unit_head_sets_sms_with_a_bad_number_then_a_good_one(page, city):
    log_in(page, "uma")
    page.wait_for_url("**/inbox/")
    page.locator(".preferences-link").click()
    page.wait_for_url("**/supervision/preferences/")

    page.locator("#id_email_mode").select_option("off")
    page.locator("#id_sms_mode").select_option("immediate")
    page.locator("#id_phone").fill("1380013")
    page.locator("#preferences-form button[type=submit]").click()

    error = page.locator("[data-error=phone]")
    assert error.inner_text() == zh(
        "Enter a mainland mobile number of 11 digits, e.g. 13800138000."
    )
    assert page.locator("#id_phone").input_value() == "1380013"  # what was typed is kept
    assert not ChannelPreference.objects.exists()

    page.locator("#id_phone").fill("138 0013 8000")
    page.locator("#preferences-form button[type=submit]").click()

    expect(page.locator(".message.success")).to_be_visible()
    assert page.locator("[data-error]").count() == 0
    preference = ChannelPreference.objects.get(user=city.uma)
    assert (preference.email_mode, preference.sms_mode) == ("off", "immediate")
    city.uma.profile.refresh_from_db()
    assert city.uma.profile.phone == "13800138000"
    assert page.locator("#id_phone").input_value() == "13800138000"


def test_a_warning_shows_beside_the_bell_and_opens_its_task(page, city):
    task = TaskFactory(
        lead_unit=city.unit_a, title="推进管网更新改造", deadline=datetime.date(2026, 10, 9)
    )
    created = datetime.datetime(2026, 10, 12, 7, tzinfo=SHANGHAI)
    warning = TaskWarning.objects.create(
        task=task,
        kind=WarningKind.OVERDUE,
        for_date=datetime.date(2026, 10, 12),
        unit=city.unit_a,
        created_at=created,
    )

    log_in(page, "uma")
    page.wait_for_url("**/inbox/")
    link = page.locator(".warnings-link")
    assert link.get_attribute("data-unread-warnings") == "1"
    link.click()
    page.wait_for_url("**/supervision/warnings/")
    page.locator("#warnings").get_by_role("link", name=task.title).click()
    page.wait_for_url(f"**/tasks/{task.pk}/")

    assert page.locator(".warnings-link").get_attribute("data-unread-warnings") == "0"
    assert list(WarningRead.objects.values_list("reader__username", "warning")) == [
        ("uma", warning.pk)
    ]
