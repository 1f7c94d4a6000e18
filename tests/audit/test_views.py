"""The audit trail page and its exports: for administrators only."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from audit.choices import AuditAction, AuditResult
from audit.models import AuditRecord
from audit.services import record_write

LIST = reverse("audit:record_list")


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root", password="x")


def some_records(count: int, username: str = "wangwu"):
    for _ in range(count):
        record_write(action=AuditAction.LOGIN_FAILED, result=AuditResult.FAILED, username=username)


def test_an_administrator_searches_the_trail(client, city, root):
    some_records(2, "wangwu")
    some_records(1, "zhaoliu")
    client.force_login(root)

    response = client.get(LIST, {"q": "wangwu", "action": AuditAction.LOGIN_FAILED})

    assert response.status_code == 200
    assert {r.username for r in response.context["page"]} == {"wangwu"}
    assert response.context["page"].paginator.count == 2
    assert 'data-result="failed"' in response.content.decode()


def test_a_bad_filter_shows_an_error_and_no_records(client, city, root):
    some_records(1)
    client.force_login(root)

    response = client.get(LIST, {"since": "not-a-date"})

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert "since" in response.context["filter"].form.errors


@pytest.mark.parametrize("username", ["alice", "dirk", "uma", "mayor"])
def test_people_other_than_administrators_are_refused(client, city, username):
    client.force_login(getattr(city, username))

    assert client.get(LIST).status_code == 403
    assert client.get(reverse("audit:record_export", args=["csv"])).status_code == 403


def test_a_stranger_is_sent_to_log_in(client, db):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_export_has_the_searched_records_as_csv_and_excel(client, city, root):
    some_records(2, "wangwu")
    some_records(3, "zhaoliu")
    client.force_login(root)

    csv = client.get(reverse("audit:record_export", args=["csv"]), {"q": "zhaoliu"})
    rows = csv.content.decode("utf-8-sig").splitlines()
    assert len(rows) == 4 and all(",zhaoliu," in row for row in rows[1:])

    xlsx = client.get(reverse("audit:record_export", args=["xlsx"]), {"q": "wangwu"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["wangwu"] * 2

    assert client.get(reverse("audit:record_export", args=["pdf"])).status_code == 404
    assert (
        client.get(reverse("audit:record_export", args=["csv"]), {"since": "x"}).status_code == 400
    )


def test_the_list_query_count_does_not_grow_with_the_records(
    client, city, root, django_assert_num_queries
):
    some_records(3)
    client.force_login(root)
    # session, user, count, profile, the bell, page of records; the session's save (3)
    with django_assert_num_queries(9):
        assert client.get(LIST).status_code == 200
    some_records(80)
    with django_assert_num_queries(9):
        response = client.get(LIST)
    assert len(response.context["page"]) == 50
    assert AuditRecord.objects.count() > 80
