"""More writes through the API, each through the page's service: a task's edit (with its
version), a proposal's reply and the proposer's satisfaction, a target split into child
tasks, an assignment from above with its items. The wrong person gets 403, bad input 400,
a stale version 409, and none of them saves anything."""

import datetime

import pytest
from django.urls import reverse

from directives import services as directives
from directives.choices import Satisfaction
from directives.models import AssignmentItem, ProposalReply, SuperiorAssignment
from directives.services import UnitsAndPeople
from taskboard.choices import EventKind, TaskState
from taskboard.models import Task, TaskEvent

from ..factories import TaskFactory

pytestmark = pytest.mark.usefixtures("monday")


def post(client, url, body):
    return client.post(url, body, format="json")


# ---------------------------------------------------------------------------
# Task edit


def edit_url(task):
    return reverse("api:task_edit", args=[task.pk])


def test_the_office_edits_a_task_with_its_version(api, city):
    task = TaskFactory(lead_unit=city.unit_a)
    response = post(
        api(city.alice),
        edit_url(task),
        {
            "version": task.version,
            "title": "改过的标题",
            "requirement": "新的要求",
            "co_units": [city.unit_b.pk],
            "publicly_listed": True,
        },
    )
    assert response.status_code == 200, response.json()
    task.refresh_from_db()
    assert task.title == "改过的标题"
    assert task.requirement == "新的要求"
    assert task.publicly_listed is True
    assert list(task.co_units.values_list("pk", flat=True)) == [city.unit_b.pk]
    assert response.json()["version"] == task.version
    event = TaskEvent.objects.get(task=task, kind=EventKind.EDITED)
    assert event.actor == city.alice
    assert event.payload["fields"] == ["publicly_listed", "requirement", "title", "co_units"]


@pytest.mark.parametrize("person", ["uma", "pat", "mayor"])
def test_only_the_office_edits_a_task(api, city, person):
    task = TaskFactory(lead_unit=city.unit_a, lead_leader=city.pat)
    response = post(
        api(getattr(city, person)), edit_url(task), {"version": task.version, "title": "x"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
    task.refresh_from_db()
    assert task.title != "x"
    assert not TaskEvent.objects.filter(task=task).exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"title": "无版本"}, "version"),
        ({"version": 0, "title": ""}, "title"),
        ({"version": 0, "lead_unit": 999_999}, "lead_unit"),
        ({"version": 0, "title": "改期", "deadline": "2026-12-31"}, "deadline"),
    ],
)
def test_bad_edits_save_nothing(api, city, body, field):
    task = TaskFactory(lead_unit=city.unit_a)
    before = (task.title, task.deadline, task.version)
    if "version" in body:
        body = {**body, "version": task.version}
    response = post(api(city.alice), edit_url(task), body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["errors"]
    task.refresh_from_db()
    assert (task.title, task.deadline, task.version) == before
    assert not TaskEvent.objects.filter(task=task).exists()


def test_a_drafts_deadline_may_be_edited(api, city):
    task = TaskFactory(lead_unit=city.unit_a, state=TaskState.DRAFT, assigned_on=None)
    response = post(
        api(city.alice), edit_url(task), {"version": task.version, "deadline": "2026-12-31"}
    )
    assert response.status_code == 200, response.json()
    task.refresh_from_db()
    assert task.deadline == datetime.date(2026, 12, 31)


def test_a_stale_edit_gets_409_with_the_task_as_it_is(api, city):
    task = TaskFactory(lead_unit=city.unit_a)
    response = post(
        api(city.alice), edit_url(task), {"version": task.version + 1, "title": "迟到的修改"}
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale"
    assert body["current"]["version"] == task.version
    assert Task.objects.get(pk=task.pk).title == task.title


def test_a_closed_task_cannot_be_edited(api, city):
    task = TaskFactory(lead_unit=city.unit_a, state=TaskState.CLOSED)
    response = post(api(city.alice), edit_url(task), {"version": task.version, "title": "x"})
    assert response.status_code == 409
    assert response.json()["code"] == "wrong_state"
    assert Task.objects.get(pk=task.pk).title != "x"


def test_an_invisible_task_is_not_found(api, city):
    task = TaskFactory(lead_unit=city.unit_a)
    response = post(api(city.bob), edit_url(task), {"version": task.version, "title": "x"})
    assert response.status_code == 404


# ---------------------------------------------------------------------------
# Proposals: reply and satisfaction


@pytest.fixture
def proposal(city):
    proposal = directives.proposal_create(
        by=city.alice,
        kind="suggestion",
        year=2026,
        number=108,
        proposer="张代表",
        title="关于加快老旧小区改造的建议",
        text="建议加快老旧小区改造进度。",
        received_on=datetime.date(2026, 9, 20),
        people=UnitsAndPeople(lead_unit=city.unit_a),
    )
    directives.proposal_assign(
        proposal=proposal, by=city.alice, assigned_on=datetime.date(2026, 9, 25)
    )
    return proposal


def reply_url(proposal):
    return reverse("api:proposal_reply", args=[proposal.pk])


def satisfaction_url(proposal):
    return reverse("api:proposal_satisfaction", args=[proposal.pk])


def reply(client, proposal):
    return post(client, reply_url(proposal), {"text": "已答复代表", "replied_on": "2026-10-10"})


def test_the_office_records_a_reply_and_the_proposers_satisfaction(api, city, proposal):
    client = api(city.alice)
    response = reply(client, proposal)
    assert response.status_code == 201, response.json()
    assert [r["round"] for r in response.json()["replies"]] == [1]
    saved = ProposalReply.objects.get(proposal=proposal)
    assert (saved.text, saved.replied_on) == ("已答复代表", datetime.date(2026, 10, 10))
    response = post(
        client, satisfaction_url(proposal), {"satisfaction": Satisfaction.BASICALLY_SATISFIED}
    )
    assert response.status_code == 200, response.json()
    saved.refresh_from_db()
    assert saved.satisfaction == Satisfaction.BASICALLY_SATISFIED
    assert saved.satisfaction_recorded_at is not None
    # Satisfied: no second reply.
    again = reply(client, proposal)
    assert again.status_code == 409
    assert again.json()["code"] == "wrong_state"
    assert ProposalReply.objects.filter(proposal=proposal).count() == 1


def test_not_satisfied_reopens_the_closed_task(api, city, proposal):
    client = api(city.alice)
    assert reply(client, proposal).status_code == 201
    Task.objects.filter(pk=proposal.task_id).update(state=TaskState.CLOSED)
    response = post(
        client,
        satisfaction_url(proposal),
        {"satisfaction": Satisfaction.DISSATISFIED, "note": "未解决", "deadline": "2026-11-30"},
    )
    assert response.status_code == 200, response.json()
    task = Task.objects.get(pk=proposal.task_id)
    assert task.state == TaskState.IN_PROGRESS
    assert task.deadline == datetime.date(2026, 11, 30)
    assert TaskEvent.objects.filter(task=task, kind=EventKind.REOPENED).exists()
    assert response.json()["replies"][0]["satisfaction"] == Satisfaction.DISSATISFIED
    # A second handling gets a second reply.
    second = reply(client, proposal)
    assert second.status_code == 201
    assert [r["round"] for r in second.json()["replies"]] == [1, 2]


def test_not_satisfied_with_an_open_task_is_refused_and_saves_nothing(api, city, proposal):
    client = api(city.alice)
    assert reply(client, proposal).status_code == 201
    response = post(
        client,
        satisfaction_url(proposal),
        {"satisfaction": Satisfaction.DISSATISFIED, "deadline": "2026-11-30"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "wrong_state"
    assert ProposalReply.objects.get(proposal=proposal).satisfaction == ""
    assert Task.objects.get(pk=proposal.task_id).state == TaskState.ASSIGNED


@pytest.mark.parametrize("person", ["uma", "mayor", "pat"])
def test_only_the_office_replies_or_records_satisfaction(api, city, proposal, person):
    client = api(getattr(city, person))
    assert reply(client, proposal).status_code == 403
    response = post(client, satisfaction_url(proposal), {"satisfaction": Satisfaction.SATISFIED})
    assert response.status_code == 403
    assert not ProposalReply.objects.exists()


@pytest.mark.parametrize(
    "url, body, field",
    [
        (reply_url, {"text": "", "replied_on": "2026-10-10"}, "text"),
        (reply_url, {"text": "答复", "replied_on": "2099-01-01"}, "replied_on"),
        (reply_url, {"text": "答复", "replied_on": "2026-09-01"}, "replied_on"),
        (satisfaction_url, {"satisfaction": "so-so"}, "satisfaction"),
        (satisfaction_url, {"satisfaction": Satisfaction.DISSATISFIED}, "deadline"),
    ],
)
def test_bad_replies_and_satisfactions_save_nothing(api, city, proposal, url, body, field):
    client = api(city.alice)
    if url is satisfaction_url:
        assert reply(client, proposal).status_code == 201
    response = post(client, url(proposal), body)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert ProposalReply.objects.filter(proposal=proposal).count() == (
        1 if url is satisfaction_url else 0
    )
    assert ProposalReply.objects.filter(proposal=proposal).exclude(satisfaction="").count() == 0


def test_satisfaction_before_any_reply_is_409(api, city, proposal):
    response = post(
        api(city.alice), satisfaction_url(proposal), {"satisfaction": Satisfaction.SATISFIED}
    )
    assert response.status_code == 409
    assert not ProposalReply.objects.exists()


# ---------------------------------------------------------------------------
# Target split


@pytest.fixture
def target(city):
    report = directives.work_report_create(
        by=city.alice,
        year=2026,
        title="2026年政府工作报告",
        session_ended_on=datetime.date(2026, 3, 12),
    )
    return directives.target_create(
        report=report,
        by=city.alice,
        text="新增城镇就业5万人",
        people=UnitsAndPeople(lead_unit=city.unit_a),
    )


def split_url(target):
    return reverse("api:target_split", args=[target.pk])


def test_the_office_splits_a_target_for_several_units(api, city, target):
    response = post(
        api(city.alice),
        split_url(target),
        {
            "parts": [
                {"lead_unit": city.unit_a.pk, "deadline": "2026-11-30"},
                {
                    "lead_unit": city.unit_b.pk,
                    "deadline": "2026-12-15",
                    "title": "乙单位的部分",
                    "co_units": [city.unit_a.pk],
                },
            ]
        },
    )
    assert response.status_code == 201, response.json()
    children = Task.objects.filter(parent=target.task).order_by("deadline")
    assert [(c.lead_unit, c.deadline, c.state) for c in children] == [
        (city.unit_a, datetime.date(2026, 11, 30), TaskState.DRAFT),
        (city.unit_b, datetime.date(2026, 12, 15), TaskState.DRAFT),
    ]
    assert children[0].title == target.task.title
    assert children[1].title == "乙单位的部分"
    assert list(children[1].co_units.all()) == [city.unit_a]
    assert sorted(row["id"] for row in response.json()) == sorted(c.pk for c in children)


@pytest.mark.parametrize("person", ["uma", "mayor", "pat"])
def test_only_the_office_splits_a_target(api, city, target, person):
    response = post(
        api(getattr(city, person)),
        split_url(target),
        {"parts": [{"lead_unit": city.unit_a.pk, "deadline": "2026-11-30"}]},
    )
    assert response.status_code == 403
    assert not Task.objects.filter(parent=target.task).exists()


@pytest.mark.parametrize(
    "parts",
    [
        [],
        [{"lead_unit": 999_999, "deadline": "2026-11-30"}],
        [{"lead_unit": 1, "deadline": "2027-01-31"}],  # after the target (year end)
        [{"lead_unit": 1, "deadline": "2026-01-31"}],  # before the session ended
        # The second part is wrong: the first is not saved either.
        [{"lead_unit": 1, "deadline": "2026-11-30"}, {"lead_unit": 1, "deadline": "2027-05-01"}],
    ],
)
def test_a_bad_split_saves_no_part(api, city, target, parts):
    parts = [
        {**part, "lead_unit": part["lead_unit"] if part["lead_unit"] != 1 else city.unit_a.pk}
        for part in parts
    ]
    response = post(api(city.alice), split_url(target), {"parts": parts})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not Task.objects.filter(parent=target.task).exists()


def test_a_cancelled_target_cannot_be_split(api, city, target):
    Task.objects.filter(pk=target.task_id).update(state=TaskState.CANCELLED)
    response = post(
        api(city.alice),
        split_url(target),
        {"parts": [{"lead_unit": city.unit_a.pk, "deadline": "2026-11-30"}]},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "wrong_state"
    assert not Task.objects.filter(parent=target.task).exists()


# ---------------------------------------------------------------------------
# Assignments from above


def assignment_body(city, **changes):
    return {
        "issuing_body": "省督查组",
        "reference": "督查〔2026〕5号",
        "title": "反馈问题整改清单",
        "received_on": "2026-10-01",
        "items": [
            {"text": "整改供暖问题", "lead_unit": city.unit_a.pk, "deadline": "2026-11-30"},
            {
                "text": "整改道路破损问题\n详见附件",
                "lead_unit": city.unit_b.pk,
                "co_units": [city.unit_a.pk],
                "deadline": "2026-12-31",
            },
        ],
        **changes,
    }


def test_the_office_registers_an_assignment_from_above_with_its_items(api, city):
    client = api(city.alice)
    response = post(client, reverse("api:superior_assignment-list"), assignment_body(city))
    assert response.status_code == 201, response.json()
    assignment = SuperiorAssignment.objects.get()
    assert (assignment.issuing_body, assignment.received_on) == (
        "省督查组",
        datetime.date(2026, 10, 1),
    )
    items = list(assignment.items.select_related("task").order_by("number"))
    assert [(i.number, i.task.lead_unit, i.task.state) for i in items] == [
        (1, city.unit_a, TaskState.DRAFT),
        (2, city.unit_b, TaskState.DRAFT),
    ]
    assert items[1].task.title == "整改道路破损问题"
    assert items[1].task.deadline == datetime.date(2026, 12, 31)
    assert [row["number"] for row in response.json()["items"]] == [1, 2]
    # An item added later is numbered after the last.
    added = post(
        client,
        reverse("api:superior_assignment_items", args=[assignment.pk]),
        {"text": "整改噪音问题", "lead_unit": city.unit_a.pk, "deadline": "2026-12-01"},
    )
    assert added.status_code == 201, added.json()
    assert added.json()["number"] == 3
    item = AssignmentItem.objects.get(pk=added.json()["id"])
    assert item.task.requirement == "整改噪音问题"
    assert item.task.deadline == datetime.date(2026, 12, 1)


@pytest.mark.parametrize("person", ["uma", "mayor", "pat"])
def test_only_the_office_registers_assignments_or_items(api, city, person):
    assignment = directives.superior_assignment_create(
        by=city.alice,
        issuing_body="省督查组",
        title="清单",
        received_on=datetime.date(2026, 10, 1),
        items=[
            directives.Item(
                text="一项",
                people=UnitsAndPeople(lead_unit=city.unit_a),
                deadline=datetime.date(2026, 11, 30),
            )
        ],
    )
    client = api(getattr(city, person))
    assert (
        post(client, reverse("api:superior_assignment-list"), assignment_body(city)).status_code
        == 403
    )
    response = post(
        client,
        reverse("api:superior_assignment_items", args=[assignment.pk]),
        {"text": "再一项", "lead_unit": city.unit_a.pk, "deadline": "2026-12-01"},
    )
    assert response.status_code == 403
    assert SuperiorAssignment.objects.count() == 1
    assert AssignmentItem.objects.count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"items": []},
        {"title": ""},
        {"received_on": "1999-01-01"},
        # The second item is due before the assignment arrived: nothing is saved.
        {
            "items": [
                {"text": "甲", "lead_unit": "A", "deadline": "2026-11-30"},
                {"text": "乙", "lead_unit": "A", "deadline": "2026-09-01"},
            ]
        },
        # Two items with the same number.
        {
            "items": [
                {"text": "甲", "lead_unit": "A", "deadline": "2026-11-30", "number": 4},
                {"text": "乙", "lead_unit": "A", "deadline": "2026-11-30", "number": 4},
            ]
        },
    ],
)
def test_a_bad_assignment_saves_nothing(api, city, changes):
    for row in changes.get("items", []):
        row["lead_unit"] = city.unit_a.pk
    tasks_before = Task.objects.count()
    response = post(
        api(city.alice), reverse("api:superior_assignment-list"), assignment_body(city, **changes)
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not SuperiorAssignment.objects.exists()
    assert Task.objects.count() == tasks_before


def test_a_bad_item_saves_nothing(api, city):
    client = api(city.alice)
    assert (
        post(client, reverse("api:superior_assignment-list"), assignment_body(city)).status_code
        == 201
    )
    assignment = SuperiorAssignment.objects.get()
    url = reverse("api:superior_assignment_items", args=[assignment.pk])
    for body in [
        {"text": "", "lead_unit": city.unit_a.pk, "deadline": "2026-12-01"},
        {"text": "早于收文", "lead_unit": city.unit_a.pk, "deadline": "2026-09-01"},
        {"text": "重号", "lead_unit": city.unit_a.pk, "deadline": "2026-12-01", "number": 1},
    ]:
        response = post(client, url, body)
        assert response.status_code == 400, body
    assert assignment.items.count() == 2
    assert Task.objects.filter(assignment_item__assignment=assignment).count() == 2
