"""TOTP two-factor log-in: required for administrators and office directors, optional for
everyone else, asked for after every password log-in of someone who has a device."""

import binascii
import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit import two_factor
from audit.choices import AuditAction, AuditResult
from audit.models import AuditRecord

pytestmark = pytest.mark.two_factor

PASSWORD = "correct horse battery staple"
SETUP = reverse("audit:two_factor_setup")
VERIFY = reverse("audit:two_factor_verify")
HOME = reverse("taskboard:home")
WRONG_CODE = "The code is wrong or has expired. Enter the current code."


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return str(translation.gettext(message))


def log_in(client, username: str):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response
    return response


def code(hex_key: str, steps_ahead: int = 0) -> str:
    totp = TOTP(binascii.unhexlify(hex_key), drift=steps_ahead)
    totp.time = time.time()
    return f"{totp.token():06d}"


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)


def test_a_director_must_set_up_the_code_before_any_page(client, city):
    log_in(client, "dirk")

    response = client.get(reverse("taskboard:task_list"))
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Ftasks%2F"
    # Without a device, the verify step sends them to set one up, keeping where they went.
    response = client.get(response["Location"])
    assert response["Location"] == f"{SETUP}?next=%2Ftasks%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["required"] is True
    body = page.content.decode()
    assert re.search(r'<figure class="qr" id="two-factor-qr"[^>]*><svg', body)
    assert page.context["manual_key"] in body
    # Showing the page writes no device.
    assert not TOTPDevice.objects.exists()


def test_setting_up_with_the_right_code_turns_it_on_and_opens_the_pages(client, city):
    log_in(client, "dirk")
    client.get(SETUP)
    key = client.session[two_factor.SETUP_KEY_SESSION_KEY]

    response = client.post(SETUP, {"code": code(key), "next": "/tasks/"})

    assert response.status_code == 302 and response["Location"] == "/tasks/"
    device = TOTPDevice.objects.get(user=city.dirk)
    assert device.confirmed and device.key == key
    assert client.get(reverse("taskboard:task_list")).status_code == 200
    record = AuditRecord.objects.get(action=AuditAction.TWO_FACTOR)
    assert (record.user, record.result) == (city.dirk, AuditResult.OK)


def test_a_wrong_code_at_set_up_is_refused_with_a_message_and_saves_nothing(client, city):
    log_in(client, "dirk")
    client.get(SETUP)
    key = client.session[two_factor.SETUP_KEY_SESSION_KEY]
    wrong = f"{(int(code(key)) + 1) % 1_000_000:06d}"

    response = client.post(SETUP, {"code": wrong})

    assert response.status_code == 400
    assert response.context["form"].errors["code"] == [zh(WRONG_CODE)]
    assert not TOTPDevice.objects.exists()
    assert client.get(HOME)["Location"].startswith(VERIFY)
    record = AuditRecord.objects.get(action=AuditAction.TWO_FACTOR)
    assert (record.user, record.result) == (city.dirk, AuditResult.FAILED)


@pytest.mark.parametrize("bad", ["", "12345", "abcdef", "1234567"])
def test_a_code_that_is_not_six_digits_is_refused(client, city, bad):
    log_in(client, "dirk")
    client.get(SETUP)

    response = client.post(SETUP, {"code": bad})

    assert response.status_code == 400
    assert "code" in response.context["form"].errors
    assert not TOTPDevice.objects.exists()


def test_every_later_log_in_asks_for_the_code_and_refuses_a_wrong_one(client, city):
    device = enrolled(city.dirk)
    log_in(client, "dirk")
    assert client.get(HOME)["Location"] == f"{VERIFY}?next=%2F"

    wrong = client.post(VERIFY, {"code": f"{(int(code(device.key)) + 1) % 1_000_000:06d}"})
    assert wrong.status_code == 400
    assert wrong.context["form"].errors["code"] == [zh(WRONG_CODE)]
    assert client.get(HOME)["Location"].startswith(VERIFY)

    device.refresh_from_db()
    device.throttling_failure_timestamp = None  # the wait after a wrong code has passed
    device.save()
    right = client.post(VERIFY, {"code": code(device.key), "next": "/tasks/"})
    assert right["Location"] == "/tasks/"
    assert client.get(HOME).status_code == 302  # home sends the director to the task list
    assert client.get(reverse("taskboard:task_list")).status_code == 200


def test_a_code_cannot_be_used_twice(client, city):
    device = enrolled(city.dirk)
    token = code(device.key)
    log_in(client, "dirk")
    assert client.post(VERIFY, {"code": token}).status_code == 302
    client.post(reverse("logout"))

    log_in(client, "dirk")
    response = client.post(VERIFY, {"code": token})

    assert response.status_code == 400
    assert client.get(HOME)["Location"].startswith(VERIFY)


def test_wrong_codes_are_throttled(client, city):
    device = enrolled(city.dirk)
    log_in(client, "dirk")
    client.post(VERIFY, {"code": f"{(int(code(device.key)) + 1) % 1_000_000:06d}"})

    # Straight after a wrong code even the right one must wait.
    response = client.post(VERIFY, {"code": code(device.key)})

    assert response.status_code == 400
    assert response.context["form"].errors["code"] == [
        zh("Too many wrong codes. Wait a minute, then try again.")
    ]


def test_someone_with_a_device_cannot_enrol_another_instead_of_giving_the_code(client, city):
    enrolled(city.dirk)
    log_in(client, "dirk")

    response = client.get(SETUP)
    assert response["Location"].startswith(VERIFY)
    response = client.post(SETUP, {"code": "123456"})
    assert response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=city.dirk).count() == 1


def test_before_the_code_writes_are_refused_and_recorded(client, city):
    log_in(client, "dirk")

    response = client.post(reverse("taskboard:notifications_mark_read"))

    assert response.status_code == 403
    record = AuditRecord.objects.get(action=AuditAction.WRITE)
    assert (record.user, record.result, record.status) == (city.dirk, AuditResult.REFUSED, 403)


def test_logging_out_and_changing_language_stay_open_before_the_code(client, city):
    log_in(client, "dirk")

    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")


def test_the_admin_needs_the_code_too(client, db):
    get_user_model().objects.create_superuser("root", password=PASSWORD)
    log_in(client, "root")

    response = client.get(reverse("admin:index"))

    assert response["Location"] == f"{VERIFY}?next=%2Fadmin%2F"


@pytest.mark.parametrize(
    ("username", "required"),
    [
        ("dirk", True),
        ("alice", False),
        ("dana", False),
        ("uma", False),
        ("lisa", False),
        ("pat", False),
        ("mayor", False),
        ("carl", False),
    ],
)
def test_who_must_use_two_factor(city, username, required):
    assert two_factor.is_required(getattr(city, username)) is required


def test_staff_must_and_the_required_roles_are_configurable(city, settings):
    city.alice.is_staff = True
    assert two_factor.is_required(city.alice)

    settings.TWO_FACTOR_REQUIRED_ROLES = ["office_director", "deputy_director"]
    assert two_factor.is_required(city.dana)
    settings.TWO_FACTOR_REQUIRED_ROLES = []
    assert not two_factor.is_required(city.dirk)


def test_others_log_in_without_a_code_and_may_turn_it_on(client, city):
    log_in(client, "uma")
    assert client.get(reverse("taskboard:inbox")).status_code == 200

    page = client.get(SETUP)
    assert page.status_code == 200 and page.context["required"] is False
    key = client.session[two_factor.SETUP_KEY_SESSION_KEY]
    assert client.post(SETUP, {"code": code(key)}).status_code == 302
    assert client.get(SETUP).context["device"] is not None
    client.post(reverse("logout"))

    # Once it is on, their log-ins ask for it too.
    log_in(client, "uma")
    assert client.get(reverse("taskboard:inbox"))["Location"].startswith(VERIFY)
    assert client.post(VERIFY, {"code": code(key, steps_ahead=1)}).status_code == 302
    assert client.get(reverse("taskboard:inbox")).status_code == 200


def test_a_session_from_before_two_factor_existed_owes_the_code(client, city):
    client.force_login(city.dirk)
    session = client.session
    del session[two_factor.SESSION_KEY]
    session.save()

    assert client.get(HOME)["Location"].startswith(VERIFY)


def test_the_next_address_must_stay_on_this_site(client, city):
    device = enrolled(city.dirk)
    log_in(client, "dirk")

    response = client.post(VERIFY, {"code": code(device.key), "next": "https://evil.example/"})

    assert response["Location"] == reverse("taskboard:home")


def test_the_code_gives_the_session_a_new_key(client, city):
    device = enrolled(city.dirk)
    log_in(client, "dirk")
    before = client.session.session_key

    client.post(VERIFY, {"code": code(device.key)})

    assert client.session.session_key != before
