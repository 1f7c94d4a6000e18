"""The intake pages' remaining paths: adding and editing the items of an assignment from
above, what a portfolio leader's container lists show, and bad input on every form that
had no such test — a clear error and nothing saved."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from directives import services
from directives.models import AssignmentItem, ProposalReply, SuperiorAssignment, WorkReport
from directives.services import Item, UnitsAndPeople
from taskboard.choices import TaskState
from taskboard.models import Task, TaskEvent

from .conftest import SESSION_END, make_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def april_2026(time_machine):
    time_machine.move_to(datetime.datetime(2026, 4, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai")))


def register(city, *, title="巡视反馈问题整改清单", unit=None):
    return services.superior_assignment_create(
        by=city.alice,
        issuing_body="省委第三巡视组",
        reference="湘巡反〔2026〕3号",
        title=title,
        received_on=datetime.date(2026, 4, 1),
        items=[
            Item(
                "整改项目审批慢问题",
                UnitsAndPeople(unit or city.unit_a),
                datetime.date(2026, 6, 30),
            )
        ],
    )


def state(model):
    return (
        model.objects.count(),
        Task.objects.count(),
        TaskEvent.objects.count(),
        sorted(Task.objects.values_list("code", "version")),
    )


# ---------------------------------------------------------------------------
# Items of an assignment from above


def item_data(city, **changes):
    data = {
        "text": "整改资金拨付滞后问题\r\n限期拨付。",
        "lead_unit": city.unit_b.pk,
        "co_units": [city.unit_a.pk],
        "deadline": "2026-05-31",
    } | changes
    return {key: value for key, value in data.items() if value is not None}


def test_office_adds_an_item_numbered_after_the_last(client, city):
    assignment = register(city)
    client.force_login(city.alice)
    url = reverse("directives:superior_item_create", args=[assignment.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, item_data(city))

    assert response.status_code == 302 and response["Location"].endswith("#item-2")
    item = assignment.items.get(number=2)
    assert item.text == item.task.requirement == "整改资金拨付滞后问题\n限期拨付。"
    assert (item.task.state, item.task.deadline) == (TaskState.DRAFT, datetime.date(2026, 5, 31))
    assert (item.task.lead_unit, list(item.task.co_units.all())) == (city.unit_b, [city.unit_a])
    page = client.get(reverse("directives:superior_detail", args=[assignment.pk])).content
    assert b'id="add-item"' in page and page.count(b'class="edit-item"') == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lead_unit": None}, "lead_unit"),
        ({"deadline": "2026-03-31"}, "deadline"),
        ({"deadline": "2026-02-30"}, "deadline"),
        ({"text": "  "}, "text"),
        ({"text": "整改\x00"}, "text"),
    ],
    ids=["no lead unit", "due before received", "bad date", "blank", "NUL"],
)
def test_a_bad_item_is_refused_next_to_its_field_and_saves_nothing(client, city, changes, field):
    assignment = register(city)
    before = state(AssignmentItem)
    client.force_login(city.alice)

    response = client.post(
        reverse("directives:superior_item_create", args=[assignment.pk]),
        item_data(city, **changes),
    )

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert state(AssignmentItem) == before


def test_editing_an_item_changes_its_task_but_not_an_assigned_deadline(client, city):
    assignment = register(city)
    item = assignment.items.get()
    client.force_login(city.alice)
    url = reverse("directives:superior_item_edit", args=[item.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, item_data(city, deadline="2026-06-15"))

    assert response.status_code == 302
    item.refresh_from_db()
    task = item.task
    assert item.text == task.requirement == "整改资金拨付滞后问题\n限期拨付。"
    assert (task.title, task.lead_unit, task.deadline) == (
        "整改资金拨付滞后问题",
        city.unit_b,
        datetime.date(2026, 6, 15),
    )
    services.superior_assignment_assign(assignment=assignment, by=city.alice)
    response = client.post(url, item_data(city, text="改后的事项", deadline="2026-12-31"))
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.requirement, task.deadline) == ("改后的事项", datetime.date(2026, 6, 15))
    assert client.get(url).context["form"].fields["deadline"].disabled


@pytest.mark.parametrize("username", ["uma", "pat", "mayor"])
def test_only_the_office_adds_or_edits_items(client, city, username):
    assignment = register(city)
    item = assignment.items.get()
    client.force_login(getattr(city, username))
    before = state(AssignmentItem)
    for url in (
        reverse("directives:superior_item_create", args=[assignment.pk]),
        reverse("directives:superior_item_edit", args=[item.pk]),
    ):
        assert client.get(url).status_code == 403
        assert client.post(url, item_data(city)).status_code == 403
    assert state(AssignmentItem) == before


# ---------------------------------------------------------------------------
# A portfolio leader's lists of reports and assignments


def test_a_portfolio_leader_sees_only_the_assignments_and_counts_of_the_portfolio(client, city):
    mine = register(city)
    services.assignment_item_create(
        assignment=mine,
        by=city.alice,
        text="另一单位的事项",
        people=UnitsAndPeople(city.unit_b),
        deadline=datetime.date(2026, 6, 30),
    )
    other = register(city, title="另一清单", unit=city.unit_b)
    url = reverse("directives:superior_list")

    client.force_login(city.pat)
    rows = {a.pk: (a.item_count, a.task_count) for a in client.get(url).context["page"]}
    assert rows == {mine.pk: (1, 1)}

    client.force_login(city.alice)
    rows = {a.pk: (a.item_count, a.task_count) for a in client.get(url).context["page"]}
    assert rows == {mine.pk: (2, 2), other.pk: (1, 1)}


def test_a_portfolio_leader_sees_only_the_reports_of_the_portfolio(client, city, report):
    other = services.work_report_create(
        by=city.alice, year=2026, title="经济工作会议报告", session_ended_on=SESSION_END
    )
    services.target_create(
        report=other, by=city.alice, text="乙单位目标", people=UnitsAndPeople(city.unit_b)
    )
    mine = services.work_report_create(
        by=city.alice, year=2026, title="另一报告", session_ended_on=SESSION_END
    )
    services.target_create(
        report=mine, by=city.alice, text="甲单位目标", people=UnitsAndPeople(city.unit_a)
    )
    services.target_create(
        report=mine, by=city.alice, text="乙单位目标", people=UnitsAndPeople(city.unit_b)
    )
    url = reverse("directives:work_report_list")

    client.force_login(city.pat)
    rows = {r.pk: (r.target_count, r.task_count) for r in client.get(url).context["page"]}
    # The report without targets yet is listed; the one of another portfolio is not.
    assert rows == {report.pk: (0, 0), mine.pk: (1, 1)}

    client.force_login(city.alice)
    rows = {r.pk: (r.target_count, r.task_count) for r in client.get(url).context["page"]}
    assert rows == {report.pk: (0, 0), mine.pk: (2, 2), other.pk: (1, 1)}


# ---------------------------------------------------------------------------
# Bad input on the other forms: a clear error and nothing saved


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "2026年政府工作报告"}, "title"),
        ({"session_ended_on": "2026-02-30"}, "session_ended_on"),
        ({"year": "1999"}, "year"),
        ({"title": ""}, "title"),
    ],
    ids=["duplicate title", "bad date", "year out of range", "no title"],
)
def test_a_bad_work_report_saves_nothing(client, city, report, changes, field):
    client.force_login(city.alice)
    data = {"year": 2026, "title": "2026年经济工作报告", "session_ended_on": "2026-03-12"}

    response = client.post(reverse("directives:work_report_create"), data | changes)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert WorkReport.objects.count() == 1


def test_a_bad_edit_of_an_assignment_saves_nothing(client, city):
    assignment = register(city)
    client.force_login(city.alice)
    data = {"issuing_body": "", "title": "新标题", "received_on": "2026-04-01"}

    response = client.post(reverse("directives:superior_edit", args=[assignment.pk]), data)

    assert response.status_code == 400
    assert "issuing_body" in response.context["form"].errors
    assignment.refresh_from_db()
    assert (assignment.issuing_body, assignment.title) == ("省委第三巡视组", "巡视反馈问题整改清单")
    assert SuperiorAssignment.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": "已答复。", "replied_on": "2026-04-03"}, "replied_on"),
        ({"text": "已答复。", "replied_on": "2026-03-01"}, "replied_on"),
        ({"text": "", "replied_on": "2026-04-02"}, "text"),
    ],
    ids=["in the future", "before the assignment", "no text"],
)
def test_a_bad_reply_saves_nothing(client, city, data, field):
    proposal = make_proposal(city)
    services.proposal_assign(proposal=proposal, by=city.alice)
    client.force_login(city.alice)

    response = client.post(reverse("directives:proposal_reply", args=[proposal.pk]), data)

    assert response.status_code == 400
    assert field in response.context["reply_form"].errors
    assert not ProposalReply.objects.exists()
