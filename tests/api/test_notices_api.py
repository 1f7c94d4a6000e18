"""The notices API: scoped as the pages, NoticeFilter, paginated, drafting through the page's
form and service, each step of the chain through the same service — 403 for the wrong
person, 409 for the wrong moment or a stale version, 400 for bad input, nothing saved."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from supervision import notices
from supervision.api import notice_version
from supervision.choices import NoticeAction, NoticeKind, NoticeState
from supervision.models import CopyRecipient, Notice, NoticeStep
from taskboard.choices import TaskState

from ..factories import TaskFactory
from .conftest import zh

pytestmark = pytest.mark.django_db
DUE = datetime.date(2026, 10, 31)


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
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


LIST = reverse("api:notice-list")


def detail_url(notice):
    return reverse("api:notice-detail", args=[notice.pk])


def step_url(notice, step):
    return reverse(f"api:notice_{step}", args=[notice.pk])


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def post(client, url, body):
    return client.post(url, body, format="json")


# ---------------------------------------------------------------------------
# Reading: the pages' scope


def test_unit_b_does_not_see_unit_as_notices_and_units_see_issued_ones_only(api, city):
    issued_a, draft_a = issue(draft(city), city), draft(city)
    issued_b = issue(draft(city, city.unit_b), city)
    assert ids(api(city.uma).get(LIST)) == {issued_a.pk}
    assert ids(api(city.bob).get(LIST)) == {issued_b.pk}
    assert ids(api(city.alice).get(LIST)) == {issued_a.pk, draft_a.pk, issued_b.pk}
    # The portfolio leader over A sees A's notices, drafts included (they approve them).
    assert ids(api(city.pat).get(LIST)) == {issued_a.pk, draft_a.pk}
    bob = api(city.bob)
    for hidden in (issued_a, draft_a):
        response = bob.get(detail_url(hidden))
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert api(city.uma).get(detail_url(draft_a)).status_code == 404


def test_a_copy_recipient_sees_issued_copies_only(api, city):
    CopyRecipient.objects.get(name="作风办").users.add(city.carl)
    waiting = draft(city)
    issued = issue(draft(city), city)
    client = api(city.carl)
    assert ids(client.get(LIST)) == {issued.pk}
    assert client.get(detail_url(waiting)).status_code == 404
    assert client.get(detail_url(issued)).status_code == 200
    CopyRecipient.objects.get(name="作风办").users.remove(city.carl)
    assert ids(client.get(LIST)) == set()


def test_the_list_filters_with_the_pages_filterset(api, city):
    urge, supervise = draft(city), draft(city, kind=NoticeKind.SUPERVISE)
    issue(urge, city)
    client = api(city.alice)
    assert ids(client.get(LIST, {"kind": NoticeKind.SUPERVISE})) == {supervise.pk}
    assert ids(client.get(LIST, {"state": NoticeState.ISSUED})) == {urge.pk}
    bad = client.get(LIST, {"state": "nonsense"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"
    assert "state" in bad.json()["errors"]


def test_the_list_is_paginated(api, city):
    for _ in range(3):
        draft(city)
    client = api(city.alice)
    first = client.get(LIST, {"page_size": 2}).json()
    assert first["count"] == 3
    assert len(first["results"]) == 2
    assert first["next"]
    second = client.get(LIST, {"page_size": 2, "page": 2}).json()
    assert len(second["results"]) == 1
    seen = {row["id"] for row in first["results"] + second["results"]}
    assert seen == set(Notice.objects.values_list("pk", flat=True))


def test_the_list_query_count_does_not_grow_with_the_notices(api, city, django_assert_num_queries):
    client = api(city.alice)
    for _ in range(2):
        draft(city)
    client.get(LIST)  # the session settles
    # Session, person, profile; count, page, its tasks, its recipients; saving the session
    # (a savepoint, the update, its release).
    with django_assert_num_queries(10):
        client.get(LIST)
    for _ in range(6):
        draft(city).tasks.add(overdue_task(city, city.unit_b))
    with django_assert_num_queries(10):
        response = client.get(LIST)
    assert response.json()["count"] == 8


def test_the_detail_has_steps_tasks_recipients_number_and_document_links(api, city):
    notice = issue(draft(city), city)
    task = notice.tasks.get()
    body = api(city.uma).get(detail_url(notice)).json()
    assert body["number_text"] == f"催办〔{timezone.localdate().year}〕1号"
    assert body["state"] == NoticeState.ISSUED
    assert [row["id"] for row in body["tasks"]] == [task.pk]
    assert body["tasks"][0]["lead_unit"]["id"] == city.unit_a.pk
    assert {row["id"] for row in body["recipients"]} == {city.unit_a.pk}
    assert [row["action"] for row in body["steps"]] == [
        NoticeAction.DRAFTED,
        NoticeAction.PROPOSED,
        NoticeAction.APPROVED,
        NoticeAction.SIGNED,
        NoticeAction.ISSUED,
    ]
    assert body["allowed_steps"] == []
    assert body["documents"]["pdf"].endswith(reverse("supervision:notice_pdf", args=[notice.pk]))
    assert body["documents"]["docx"].endswith(reverse("supervision:notice_docx", args=[notice.pk]))
    # The session that read the detail may open the document it links to.
    assert api(city.uma).get(body["documents"]["pdf"]).status_code == 200


def test_the_detail_offers_the_steps_whose_turn_it_is(api, city):
    notice = draft(city)
    assert api(city.alice).get(detail_url(notice)).json()["allowed_steps"] == [
        "edit",
        "withdraw",
    ]
    # The deputy director is office staff too, and the one who proposes.
    assert api(city.dana).get(detail_url(notice)).json()["allowed_steps"] == [
        "edit",
        "propose",
        "withdraw",
    ]
    assert api(city.dirk).get(detail_url(notice)).json()["allowed_steps"] == [
        "edit",
        "withdraw",
    ]
    notices.notice_propose(notice=notice, by=city.dana)
    assert api(city.pat).get(detail_url(notice)).json()["allowed_steps"] == [
        "approve",
        "reject",
    ]


# ---------------------------------------------------------------------------
# Drafting


def test_the_office_drafts_a_notice_about_tasks(api, city):
    task = overdue_task(city)
    response = post(api(city.alice), LIST, {"kind": NoticeKind.URGE, "tasks": [task.pk]})
    assert response.status_code == 201, response.content
    notice = Notice.objects.get()
    assert response.json()["id"] == notice.pk
    assert notice.state == NoticeState.DRAFT
    assert list(notice.tasks.all()) == [task]
    assert notice.body == str(notices.DEFAULT_BODY[NoticeKind.URGE])
    assert NoticeStep.objects.filter(notice=notice, actor=city.alice).count() == 1


def test_only_the_office_drafts(api, city):
    task = overdue_task(city)
    for person in (city.uma, city.pat, city.mayor, city.carl):
        response = post(api(person), LIST, {"kind": NoticeKind.URGE, "tasks": [task.pk]})
        assert response.status_code == 403
        assert response.json() == {
            "code": "not_allowed",
            "message": zh("Only the supervision office drafts notices."),
        }
    assert not Notice.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": NoticeKind.URGE, "tasks": []}, "tasks"),
        ({"kind": NoticeKind.ASSIGNMENT, "tasks": ["task"]}, "kind"),
        ({"kind": NoticeKind.URGE, "tasks": [999_999]}, "tasks"),
        ({"kind": NoticeKind.URGE, "tasks": ["closed"]}, "tasks"),
        ({"kind": NoticeKind.URGE, "tasks": ["task"], "body": "x" * 20_001}, "body"),
    ],
)
def test_a_bad_draft_is_refused_with_400_and_saves_nothing(api, city, body, field):
    task = overdue_task(city)
    closed = overdue_task(city, state=TaskState.CLOSED)
    tasks = [{"task": task.pk, "closed": closed.pk}.get(value, value) for value in body["tasks"]]
    response = post(api(city.alice), LIST, {**body, "tasks": tasks})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["errors"]
    assert not Notice.objects.exists()


# ---------------------------------------------------------------------------
# The chain


def test_the_chain_through_the_api_ends_with_the_number(api, city):
    notice = draft(city)
    for step, person in [
        ("propose", city.dana),
        ("approve", city.pat),
        ("sign", city.dirk),
        ("issue", city.alice),
    ]:
        version = api(person).get(detail_url(notice)).json()["version"]
        response = post(api(person), step_url(notice, step), {"version": version})
        assert response.status_code == 200, (step, response.content)
    notice.refresh_from_db()
    assert notice.state == NoticeState.ISSUED
    assert response.json()["number_text"] == notice.number_text
    assert notice.number == 1
    assert list(notice.steps.values_list("actor__username", flat=True)) == [
        "alice",
        "dana",
        "pat",
        "dirk",
        "alice",
    ]


@pytest.mark.parametrize(
    "state, step, wrong_people",
    [
        (NoticeState.DRAFT, "propose", ["alice", "dirk", "pat", "mayor"]),
        (NoticeState.PROPOSED, "approve", ["alice", "dana", "dirk"]),
        (NoticeState.APPROVED, "sign", ["alice", "dana", "pat"]),
        (NoticeState.SIGNED, "issue", ["pat", "mayor"]),
        (NoticeState.DRAFT, "edit", ["pat", "mayor"]),
    ],
)
def test_the_wrong_person_gets_403_and_nothing_changes(api, city, state, step, wrong_people):
    notice = draft(city)
    Notice.objects.filter(pk=notice.pk).update(state=state)
    notice.refresh_from_db()
    before = NoticeStep.objects.count()
    for username in wrong_people:
        response = post(
            api(getattr(city, username)),
            step_url(notice, step),
            {"version": notice_version(notice), "body": "新的正文"},
        )
        assert response.status_code == 403, username
        assert response.json() == {
            "code": "not_allowed",
            "message": zh("You may not take this step on this notice."),
        }
    notice.refresh_from_db()
    assert notice.state == state
    assert NoticeStep.objects.count() == before


def test_a_step_at_the_wrong_moment_gets_409_wrong_state(api, city):
    notice = draft(city)
    client = api(city.dirk)  # the director signs, but only an approved notice
    response = post(client, step_url(notice, "sign"), {"version": notice_version(notice)})
    assert response.status_code == 409
    assert response.json()["code"] == "wrong_state"
    issued = issue(draft(city), city)
    response = post(
        api(city.alice), step_url(issued, "withdraw"), {"version": 0, "reason": "不需要了"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "wrong_state"
    notice.refresh_from_db()
    assert notice.state == NoticeState.DRAFT


def test_a_stale_version_gets_409_with_the_notice_as_it_is_now(api, city):
    notice = draft(city)
    seen = api(city.dana).get(detail_url(notice)).json()["version"]
    # Meanwhile the office rewrites the text the deputy read.
    notices.notice_edit(notice=notice, by=city.alice, body="改过的正文")
    response = post(api(city.dana), step_url(notice, "propose"), {"version": seen})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale"
    assert body["current"]["body"] == "改过的正文"
    assert body["current"]["version"] != seen
    notice.refresh_from_db()
    assert notice.state == NoticeState.DRAFT
    # With the version now shown, it goes through.
    response = post(
        api(city.dana), step_url(notice, "propose"), {"version": body["current"]["version"]}
    )
    assert response.status_code == 200
    assert response.json()["state"] == NoticeState.PROPOSED


def test_a_second_identical_step_is_refused_not_repeated(api, city):
    notice = draft(city)
    version = notice_version(notice)
    client = api(city.dana)
    assert post(client, step_url(notice, "propose"), {"version": version}).status_code == 200
    again = post(client, step_url(notice, "propose"), {"version": version})
    assert again.status_code == 409
    assert notice.steps.filter(action=NoticeAction.PROPOSED).count() == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "version"),
        ({"version": "abc", "reason": "x"}, "version"),
        ({"version": "current"}, "reason"),
        ({"version": "current", "reason": ""}, "reason"),
        ({"version": "current", "reason": "x" * 5_001}, "reason"),
    ],
)
def test_sending_back_without_a_good_reason_is_400_and_saves_nothing(api, city, body, field):
    notice = draft(city)
    notices.notice_propose(notice=notice, by=city.dana)
    notice.refresh_from_db()
    if body.get("version") == "current":
        body = {**body, "version": notice_version(notice)}
    response = post(api(city.pat), step_url(notice, "reject"), body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["errors"]
    notice.refresh_from_db()
    assert notice.state == NoticeState.PROPOSED
    assert not notice.steps.filter(action=NoticeAction.REJECTED).exists()


def test_sending_back_with_a_reason_returns_it_to_draft(api, city):
    notice = draft(city)
    notices.notice_propose(notice=notice, by=city.dana)
    notice.refresh_from_db()
    response = post(
        api(city.pat),
        step_url(notice, "reject"),
        {"version": notice_version(notice), "reason": "请补充逾期原因"},
    )
    assert response.status_code == 200
    assert response.json()["state"] == NoticeState.DRAFT
    assert notice.steps.get(action=NoticeAction.REJECTED).reason == "请补充逾期原因"


def test_the_office_edits_a_draft_and_keeps_its_copies_unless_given(api, city):
    notice = draft(city)
    copies = set(notice.copy_recipients.values_list("pk", flat=True))
    assert copies
    client = api(city.alice)
    response = post(
        client, step_url(notice, "edit"), {"version": notice_version(notice), "body": "新的正文"}
    )
    assert response.status_code == 200
    notice.refresh_from_db()
    assert notice.body == "新的正文"
    assert set(notice.copy_recipients.values_list("pk", flat=True)) == copies
    one = min(copies)
    response = post(
        client,
        step_url(notice, "edit"),
        {"version": notice_version(notice), "body": "再改", "copy_recipients": [one]},
    )
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["copy_recipients"]] == [one]


def test_an_empty_edit_is_400_and_keeps_the_text(api, city):
    notice = draft(city)
    text = notice.body
    response = post(
        api(city.alice), step_url(notice, "edit"), {"version": notice_version(notice), "body": ""}
    )
    assert response.status_code == 400
    assert "body" in response.json()["errors"]
    notice.refresh_from_db()
    assert notice.body == text


def test_strangers_get_401_and_steps_on_invisible_notices_404(api, city):
    notice = draft(city)
    assert api().get(LIST).status_code == 401
    response = post(api(city.bob), step_url(notice, "propose"), {"version": 1})
    assert response.status_code == 404
