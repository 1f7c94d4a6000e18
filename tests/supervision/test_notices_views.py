"""The notice pages: list (scoped, filtered, query count pinned), detail and its steps,
drafting from tasks, print view and downloads."""

import datetime

import pytest
from django.urls import reverse

from supervision import notices
from supervision.choices import NoticeAction, NoticeKind, NoticeState
from supervision.models import Notice, NoticeStep
from taskboard.choices import TaskState

from ..factories import TaskFactory

pytestmark = pytest.mark.django_db
DUE = datetime.date(2026, 10, 31)


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    # The office director's two-factor log-in is tested by the audit app; these tests
    # log people in directly.
    settings.TWO_FACTOR_REQUIRED_ROLES = []


def overdue_task(city, unit=None, **kwargs):
    kwargs.setdefault("state", TaskState.IN_PROGRESS)
    return TaskFactory(lead_unit=unit or city.unit_a, deadline=DUE, **kwargs)


def draft(city, unit=None, kind=NoticeKind.URGE):
    return notices.notice_draft(by=city.alice, kind=kind, tasks=[overdue_task(city, unit)])


def issue(notice, city):
    notices.notice_propose(notice=notice, by=city.dana)
    notices.notice_approve(notice=notice, by=city.mayor)
    notices.notice_sign(notice=notice, by=city.dirk)
    return notices.notice_issue(notice=notice, by=city.alice)


def listed(response) -> set[int]:
    return {notice.pk for notice in response.context["page"]}


# The list


def test_the_list_query_count_does_not_grow_with_the_notices(
    client, city, django_assert_num_queries
):
    client.force_login(city.alice)
    for _ in range(2):
        draft(city)
    client.get(reverse("supervision:notice_list"))  # warm the session
    with django_assert_num_queries(11):
        client.get(reverse("supervision:notice_list"))
    for _ in range(6):
        notice = draft(city)
        notice.tasks.add(overdue_task(city, city.unit_b))
    with django_assert_num_queries(11):
        response = client.get(reverse("supervision:notice_list"))
    assert len(listed(response)) == 8


def test_a_unit_sees_only_the_issued_notices_addressed_to_it(client, city):
    issued, waiting = issue(draft(city), city), draft(city)
    of_b = issue(draft(city, city.unit_b), city)
    client.force_login(city.uma)
    response = client.get(reverse("supervision:notice_list"))
    assert listed(response) == {issued.pk}
    assert client.get(reverse("supervision:notice_detail", args=[waiting.pk])).status_code == 404
    assert client.get(reverse("supervision:notice_detail", args=[of_b.pk])).status_code == 404
    assert client.get(reverse("supervision:notice_pdf", args=[of_b.pk])).status_code == 404


def test_the_list_filters_by_kind_state_and_year_and_shows_errors_for_bad_filters(client, city):
    urge, supervise = draft(city), draft(city, kind=NoticeKind.SUPERVISE)
    issue(urge, city)
    client.force_login(city.alice)
    url = reverse("supervision:notice_list")
    assert listed(client.get(url, {"kind": "supervise"})) == {supervise.pk}
    assert listed(client.get(url, {"state": "issued"})) == {urge.pk}
    assert listed(client.get(url, {"year": urge.year})) == {urge.pk, supervise.pk}
    bad = client.get(url, {"year": "abc", "kind": "nonsense"})
    assert listed(bad) == set()
    assert set(bad.context["filter"].form.errors) == {"year", "kind"}


def test_the_list_is_paginated(client, city):
    for _ in range(27):
        Notice.objects.create(kind=NoticeKind.URGE, year=2026, body="x")
    client.force_login(city.alice)
    first = client.get(reverse("supervision:notice_list"))
    second = client.get(reverse("supervision:notice_list"), {"page": 2})
    assert len(listed(first)) == 25 and len(listed(second)) == 2


# Steps from the page


def test_the_detail_offers_only_the_steps_this_person_may_take(client, city):
    notice = draft(city)
    url = reverse("supervision:notice_detail", args=[notice.pk])
    offered = {}
    for person in ("alice", "dana", "pat", "dirk"):
        client.force_login(getattr(city, person))
        offered[person] = [step["name"] for step in client.get(url).context["steps"]]
    assert offered == {
        "alice": ["edit", "withdraw"],
        "dana": ["edit", "propose", "withdraw"],
        "pat": [],
        "dirk": ["edit", "withdraw"],
    }


def test_the_chain_from_the_page_ends_with_the_number_on_the_notice(client, city):
    notice = draft(city)
    for person, step in (
        ("dana", "propose"),
        ("pat", "approve"),
        ("dirk", "sign"),
        ("alice", "issue"),
    ):
        client.force_login(getattr(city, person))
        response = client.post(reverse("supervision:notice_action", args=[notice.pk, step]))
        assert response.status_code == 302, (person, step)
    response = client.get(reverse("supervision:notice_detail", args=[notice.pk]))
    assert "催办〔" in response.content.decode()
    assert Notice.objects.get(pk=notice.pk).state == NoticeState.ISSUED


def test_the_wrong_person_is_refused_with_403_and_the_wrong_moment_with_409(client, city):
    notice = draft(city)
    client.force_login(city.alice)
    refused = client.post(reverse("supervision:notice_action", args=[notice.pk, "propose"]))
    assert refused.status_code == 403
    early = client.post(reverse("supervision:notice_action", args=[notice.pk, "issue"]))
    assert early.status_code == 409
    assert Notice.objects.get(pk=notice.pk).state == NoticeState.DRAFT
    assert NoticeStep.objects.filter(notice=notice).count() == 1
    unknown = client.post(reverse("supervision:notice_action", args=[notice.pk, "explode"]))
    assert unknown.status_code == 404


def test_sending_back_without_a_reason_shows_the_error_and_saves_nothing(client, city):
    notice = draft(city)
    notices.notice_propose(notice=notice, by=city.dana)
    client.force_login(city.pat)
    url = reverse("supervision:notice_action", args=[notice.pk, "reject"])
    response = client.post(url, {"reject-reason": ""})
    assert response.status_code == 400
    bound = next(step["form"] for step in response.context["steps"] if step["name"] == "reject")
    assert "reason" in bound.errors
    assert Notice.objects.get(pk=notice.pk).state == NoticeState.PROPOSED

    client.post(url, {"reject-reason": "任务清单不完整。"})
    notice.refresh_from_db()
    assert notice.state == NoticeState.DRAFT
    assert notice.steps.last().reason == "任务清单不完整。"


# Drafting


def test_only_the_office_opens_the_draft_page(client, city):
    for person in (city.uma, city.pat, city.carl):
        client.force_login(person)
        assert client.get(reverse("supervision:notice_draft")).status_code == 403


def test_the_task_page_offers_office_staff_an_urge_draft_that_preselects_the_task(client, city):
    task = overdue_task(city)
    client.force_login(city.uma)
    page = client.get(reverse("taskboard:task_detail", args=[task.pk])).content.decode()
    assert 'id="draft-urge-notice"' not in page
    client.force_login(city.alice)
    page = client.get(reverse("taskboard:task_detail", args=[task.pk])).content.decode()
    assert 'id="draft-urge-notice"' in page and 'id="nav-notices"' in page

    response = client.get(reverse("supervision:notice_draft"), {"task": task.pk, "kind": "urge"})
    assert [t.pk for t in response.context["candidates"]] == [task.pk]
    assert response.context["chosen"] == {str(task.pk)}


def test_a_filter_chooses_the_tasks_of_a_draft(client, city):
    a, b = overdue_task(city), overdue_task(city, city.unit_b)
    overdue_task(city, state=TaskState.CLOSED)
    client.force_login(city.alice)
    response = client.get(reverse("supervision:notice_draft"), {"lead_unit": city.unit_b.pk})
    assert [t.pk for t in response.context["candidates"]] == [b.pk]
    response = client.get(reverse("supervision:notice_draft"), {"q": "督办事项"})
    assert {t.pk for t in response.context["candidates"]} == {a.pk, b.pk}


def test_a_draft_without_tasks_shows_the_error_and_saves_nothing(client, city):
    closed = overdue_task(city, state=TaskState.CLOSED)
    client.force_login(city.alice)
    url = reverse("supervision:notice_draft")
    response = client.post(url, {"kind": "urge", "body": "x"})
    assert response.status_code == 400
    assert "tasks" in response.context["form"].errors
    response = client.post(url, {"kind": "urge", "tasks": [closed.pk]})
    assert response.status_code == 400
    assert "tasks" in response.context["form"].errors
    response = client.post(url, {"kind": "assignment", "tasks": [overdue_task(city).pk]})
    assert "kind" in response.context["form"].errors
    assert not Notice.objects.exists()


def test_a_good_draft_is_written_and_opens_its_page(client, city):
    a, b = overdue_task(city), overdue_task(city, city.unit_b)
    client.force_login(city.alice)
    response = client.post(
        reverse("supervision:notice_draft"),
        {"kind": "supervise", "tasks": [a.pk, b.pk], "body": "请限期办结。"},
    )
    notice = Notice.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("supervision:notice_detail", args=[notice.pk])
    assert (notice.kind, notice.body) == (NoticeKind.SUPERVISE, "请限期办结。")
    assert set(notice.tasks.all()) == {a, b}
    assert list(notice.steps.values_list("action", flat=True)) == [NoticeAction.DRAFTED]


# Print view and downloads


def test_the_print_view_and_downloads(client, city):
    notice = issue(draft(city), city)
    client.force_login(city.uma)
    printed = client.get(reverse("supervision:notice_print", args=[notice.pk]))
    html = printed.content.decode()
    assert printed.status_code == 200
    assert notice.number_text in html and reverse("supervision:document_css") in html
    assert "<style>" not in html  # the CSP refuses inline styles
    css = client.get(reverse("supervision:document_css"))
    assert css["Content-Type"].startswith("text/css") and b"@page" in css.content

    word = client.get(reverse("supervision:notice_docx", args=[notice.pk]))
    assert word["Content-Type"].startswith("application/vnd.openxmlformats")
    assert word.content[:2] == b"PK"
    assert "attachment" in word["Content-Disposition"]
    pdf = client.get(reverse("supervision:notice_pdf", args=[notice.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
