import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation
from rest_framework.test import APIClient

from taskboard.api.tokens import api_token_create
from taskboard.choices import Role

from ..factories import UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 12 October 2026: the factory's tasks are due on 31 October, still ahead.
MONDAY = datetime.datetime(2026, 10, 12, 10, tzinfo=SHANGHAI)


@pytest.fixture
def monday():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def zh(message: str, **params) -> str:
    """A message as the API gives it: in Chinese, from the catalog."""
    with translation.override("zh-hans"):
        text = str(translation.gettext(message))
    return text % params if params else text


@pytest.fixture
def api():
    """An API client logged in (session) as the person given."""

    def client_for(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return client_for


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def token_for(admin_user):
    """A token key for a person, made the way the admin makes it."""

    def make(user, name="integration"):
        token, key = api_token_create(by=admin_user, name=name, user=user)
        return token, key

    return make


__all__ = ["MONDAY", "Role", "zh"]
