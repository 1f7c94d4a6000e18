"""Security settings: passwords, lockout, idle logout, response headers, production cookies."""

import json
import os
import subprocess
import sys

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from config.validators import ComplexityValidator

from .test_settings import GOOD, ROOT

PASSWORD = "correct horse battery staple"


def zh(message: str, **params) -> str:
    with translation.override("zh-hans"):
        return (
            str(translation.gettext(message)) % params
            if params
            else str(translation.gettext(message))
        )


# ---------------------------------------------------------------------------
# Passwords


@pytest.mark.parametrize(
    "password",
    ["Duban-pass", "duban2026!x", "DUBAN2026xy", "Zhang San 2026", "demo-pass-2026"],
)
def test_a_password_with_three_kinds_of_character_and_ten_long_passes(password):
    validate_password(password)


@pytest.mark.parametrize(
    "password",
    [
        "abcdefghijkz",  # lower case only
        "abcdefgh2026",  # two kinds
        "ABCDEFGH!!!!",  # two kinds
        "督办系统督办系统督办系统",  # letters of no case
    ],
)
def test_a_password_with_fewer_than_three_kinds_is_refused_with_a_reason(password):
    with pytest.raises(ValidationError) as raised:
        validate_password(password)
    assert "password_too_simple" in [error.code for error in raised.value.error_list]


def test_a_short_password_is_refused_even_when_complex(settings):
    with pytest.raises(ValidationError) as raised:
        validate_password("Ab1!xyz")
    assert "password_too_short" in [error.code for error in raised.value.error_list]


def test_the_complexity_message_is_translated():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        ComplexityValidator().validate("abcdefghijkl")
    message = raised.value.messages[0]
    with translation.override("zh-hans"):
        expected = translation.ngettext(
            "This password is too simple. It must use at least %(min_kinds)d kind of "
            "character: lower-case letters, upper-case letters, digits, symbols.",
            "This password is too simple. It must use at least %(min_kinds)d kinds of "
            "characters: lower-case letters, upper-case letters, digits, symbols.",
            3,
        ) % {"min_kinds": 3}
    assert message == expected


def test_the_number_of_kinds_is_configurable():
    ComplexityValidator(min_kinds=2).validate("abcdefgh2026")
    with pytest.raises(ValidationError):
        ComplexityValidator(min_kinds=4).validate("Abcdefgh2026")
    with pytest.raises(ValueError):
        ComplexityValidator(min_kinds=5)


def test_the_password_change_form_shows_the_rule(city, client):
    from django.contrib.auth.forms import SetPasswordForm

    form = SetPasswordForm(
        city.alice, {"new_password1": "abcdefghijk", "new_password2": "abcdefghijk"}
    )

    assert not form.is_valid()
    codes = [error.code for error in form.errors.as_data()["new_password2"]]
    assert "password_too_simple" in codes
    city.alice.refresh_from_db()
    assert city.alice.check_password(PASSWORD)


# ---------------------------------------------------------------------------
# Lockout and idle logout


def test_five_failures_lock_the_account_for_fifteen_minutes_by_default(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME * 60 == 15
    assert settings.SESSION_COOKIE_AGE == 15 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_the_fifth_failure_locks_the_right_password_out(client, city):
    for _ in range(5):
        client.post(reverse("login"), {"username": "uma", "password": "wrong"})

    response = client.post(reverse("login"), {"username": "uma", "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_lock(client, city):
    for _ in range(4):
        client.post(reverse("login"), {"username": "uma", "password": "wrong"})

    response = client.post(reverse("login"), {"username": "uma", "password": PASSWORD})

    assert response.status_code == 302


def test_an_idle_session_ends_and_activity_keeps_it_alive(client, city):
    inbox = reverse("taskboard:inbox")
    client.force_login(city.uma)
    with time_machine.travel(0, tick=False) as clock:
        assert client.get(inbox).status_code == 200
        clock.shift(14 * 60)
        assert client.get(inbox).status_code == 200  # pushes the expiry forward
        clock.shift(14 * 60)
        assert client.get(inbox).status_code == 200
        clock.shift(16 * 60)
        response = client.get(inbox)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# ---------------------------------------------------------------------------
# Response headers


@pytest.mark.parametrize("url", ["/accounts/login/", "/tasks/"])
def test_responses_carry_the_security_headers(client, city, url):
    client.force_login(city.alice)

    response = client.get(url)

    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


# The log-out URL answers a GET with 405 without rendering a template (the production
# static manifest does not exist in tests), and the middleware's headers are on it all the same.
PRINT_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "from django.test import Client; "
    "r = Client().get('/accounts/logout/', secure=True, HTTP_HOST='duban.example.gov.cn'); "
    "print(json.dumps({'status': r.status_code, 'hsts': r.get('Strict-Transport-Security'), "
    "'csp': r.get('Content-Security-Policy'), 'nosniff': r.get('X-Content-Type-Options'), "
    "'referrer': r.get('Referrer-Policy'), "
    "'redirect': Client().get('/accounts/logout/', HTTP_HOST='duban.example.gov.cn').status_code, "
    "'session_secure': s.SESSION_COOKIE_SECURE, 'session_httponly': s.SESSION_COOKIE_HTTPONLY, "
    "'csrf_secure': s.CSRF_COOKIE_SECURE, 'csrf_httponly': s.CSRF_COOKIE_HTTPONLY, "
    "'idle': s.SESSION_COOKIE_AGE, 'limit': s.AXES_FAILURE_LIMIT, "
    "'cooloff_minutes': s.AXES_COOLOFF_TIME * 60, 'retention': s.AUDIT_RETENTION_DAYS, "
    "'two_factor': s.TWO_FACTOR_REQUIRED_ROLES}))"
)


def load_production(code: str = "import django; django.setup()", **overrides):
    """Start Python with the production settings and `code`, as tests/config/test_settings.py
    does, with some variables changed."""
    env = {k: v for k, v in os.environ.items() if k not in GOOD and k != "DEBUG"}
    env.update(GOOD)
    env.update(overrides)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def production(**overrides) -> dict:
    result = load_production(PRINT_SETTINGS, **overrides)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sends_hsts_and_secure_http_only_cookies():
    found = production()

    assert found["status"] == 405
    assert found["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "default-src 'self'" in found["csp"]
    assert found["nosniff"] == "nosniff"
    assert found["referrer"] == "same-origin"
    assert found["redirect"] == 301  # plain HTTP goes to HTTPS
    assert found["session_secure"] and found["session_httponly"]
    assert found["csrf_secure"] and found["csrf_httponly"]


def test_production_takes_the_security_numbers_from_the_environment():
    found = production(
        SESSION_IDLE_MINUTES="30",
        AXES_FAILURE_LIMIT="3",
        AXES_COOLOFF_MINUTES="60",
        AUDIT_RETENTION_DAYS="365",
        TWO_FACTOR_REQUIRED_ROLES="administrator,office_director,deputy_director",
    )

    assert (found["idle"], found["limit"], found["cooloff_minutes"]) == (1800, 3, 60)
    assert found["retention"] == 365
    assert found["two_factor"] == ["administrator", "office_director", "deputy_director"]


def test_production_refuses_an_audit_retention_under_180_days():
    result = load_production(AUDIT_RETENTION_DAYS="90")
    assert result.returncode != 0
    assert "AUDIT_RETENTION_DAYS" in result.stderr
