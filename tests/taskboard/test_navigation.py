"""The navigation bar links to the periodic reports for everyone who may open them."""

import pytest
from django.urls import reverse
from django.utils.translation import gettext, override

from tests.factories import UserFactory

REPORTS = reverse("supervision:report_list")
PERSONAS = ["alice", "dirk", "dana", "uma", "lisa", "bob", "pat", "mayor", "carl"]


def _nav_urls(response) -> list[str]:
    return [url for url, _label in response.context["nav_items"]]


@pytest.mark.parametrize("name", PERSONAS)
def test_every_role_has_the_reports_link_and_may_follow_it(client, city, name):
    client.force_login(getattr(city, name))
    response = client.get(reverse("taskboard:task_list"))
    assert _nav_urls(response).count(REPORTS) == 1
    assert f'<a href="{REPORTS}">'.encode() in response.content
    assert client.get(REPORTS).status_code == 200


def test_administrators_have_the_reports_link(client, db):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    response = client.get(reverse("taskboard:task_list"))
    assert REPORTS in _nav_urls(response)


def test_an_account_without_a_role_has_no_reports_link(client, db):
    # Such an account is refused the page (403), so the bar does not offer it.
    client.force_login(UserFactory(username="nobody"))
    response = client.get(reverse("taskboard:notification_list"))
    assert response.status_code == 200
    assert REPORTS not in _nav_urls(response)
    assert client.get(REPORTS).status_code == 403


def test_the_reports_link_reads_in_chinese(client, city):
    client.force_login(city.uma)
    with override("zh-hans"):
        label = str(gettext("Supervision reports"))
    response = client.get(reverse("taskboard:inbox"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert f'<a href="{REPORTS}">{label}</a>' in response.content.decode()
