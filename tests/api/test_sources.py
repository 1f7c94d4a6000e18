"""Meetings, decisions and the directives' sources through the API: the source pages'
scoping and services."""

import pytest
from django.urls import reverse

from directives.models import Instruction, Proposal, Target, WorkReport
from meetings.models import Decision, Meeting
from taskboard.choices import TaskState

from .conftest import zh

pytestmark = pytest.mark.usefixtures("monday")


@pytest.fixture
def meeting(api, city):
    response = api(city.alice).post(
        reverse("api:meeting-list"),
        {"kind": "executive", "date": "2026-10-09", "subject": "第12次常务会议"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return Meeting.objects.get(pk=response.json()["id"])


def add_decisions(client, meeting, *drafts):
    return client.post(
        reverse("api:meeting_decisions", args=[meeting.pk]),
        {"decisions": list(drafts)},
        format="json",
    )


def test_units_may_not_read_meetings(api, city, meeting):
    response = api(city.uma).get(reverse("api:meeting-list"))
    assert response.status_code == 403
    assert response.json()["message"] == zh(
        "Meeting pages are for the supervision office and leaders."
    )


def test_the_office_adds_decisions_and_assigns_them_all(api, city, meeting):
    client = api(city.alice)
    response = add_decisions(
        client,
        meeting,
        {"text": "推进项目甲", "lead_unit": city.unit_a.pk, "deadline": "2026-10-30"},
        {"text": "推进项目乙", "lead_unit": city.unit_b.pk, "deadline": "2026-10-30"},
    )
    assert response.status_code == 201, response.json()
    assert [row["number"] for row in response.json()] == [1, 2]
    assert {row["task"]["state"] for row in response.json()} == {TaskState.DRAFT}
    assigned = client.post(reverse("api:meeting-assign", args=[meeting.pk]), {}, format="json")
    assert assigned.status_code == 200
    assert {row["task"]["state"] for row in assigned.json()} == {TaskState.ASSIGNED}
    again = client.post(reverse("api:meeting-assign", args=[meeting.pk]), {}, format="json")
    assert again.status_code == 409
    listed = client.get(reverse("api:meeting-list")).json()["results"]
    assert listed[0]["decision_count"] == 2
    assert listed[0]["completion_rate"] == "0.0"


def test_a_bad_decision_saves_none(api, city, meeting):
    response = add_decisions(
        api(city.alice),
        meeting,
        {"text": "推进项目甲", "lead_unit": city.unit_a.pk, "deadline": "2026-10-30"},
        {"text": "推进项目乙", "lead_unit": city.unit_b.pk, "deadline": "2026-01-01"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not Decision.objects.exists()


def test_a_portfolio_leader_sees_only_the_decisions_of_the_portfolio(api, city, meeting):
    add_decisions(
        api(city.alice),
        meeting,
        {"text": "推进项目甲", "lead_unit": city.unit_a.pk, "deadline": "2026-10-30"},
        {"text": "推进项目乙", "lead_unit": city.unit_b.pk, "deadline": "2026-10-30"},
    )
    response = api(city.pat).get(reverse("api:meeting_decisions", args=[meeting.pk]))
    assert [row["text"] for row in response.json()["results"]] == ["推进项目甲"]
    detail = api(city.pat).get(reverse("api:meeting-detail", args=[meeting.pk])).json()
    assert detail["minutes"] is None


def test_a_leader_may_not_register_meetings(api, city):
    response = api(city.pat).post(
        reverse("api:meeting-list"), {"kind": "executive", "date": "2026-10-09"}, format="json"
    )
    assert response.status_code == 403
    assert not Meeting.objects.exists()


def test_work_report_and_target_through_the_services(api, city):
    client = api(city.alice)
    report = client.post(
        reverse("api:work_report-list"),
        {"year": 2026, "title": "2026年政府工作报告", "session_ended_on": "2026-03-01"},
        format="json",
    )
    assert report.status_code == 201, report.json()
    target = client.post(
        reverse("api:work_report_targets", args=[report.json()["id"]]),
        {"text": "地区生产总值增长6%", "lead_unit": city.unit_a.pk},
        format="json",
    )
    assert target.status_code == 201, target.json()
    assert Target.objects.get().task.deadline.isoformat() == "2026-12-31"
    assigned = client.post(
        reverse("api:work_report-assign", args=[report.json()["id"]]), {}, format="json"
    )
    assert [row["state"] for row in assigned.json()] == [TaskState.ASSIGNED]


def test_dates_outside_the_calendar_are_refused(api, city):
    response = api(city.alice).post(
        reverse("api:work_report-list"),
        {"year": 2026, "title": "报告", "session_ended_on": "9999-12-31"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["session_ended_on"] == [
        zh("Give a date between 2000 and 2100.")
    ]
    assert not WorkReport.objects.exists()


def test_instruction_and_proposal_are_created_with_their_tasks(api, city):
    client = api(city.alice)
    instruction = client.post(
        reverse("api:instruction-list"),
        {
            "leader": city.mayor.pk,
            "issued_on": "2026-10-09",
            "kind": "document",
            "text": "请市发改委抓紧研究",
            "lead_unit": city.unit_a.pk,
        },
        format="json",
    )
    assert instruction.status_code == 201, instruction.json()
    assert Instruction.objects.get().task.lead_leader == city.mayor
    proposal = client.post(
        reverse("api:proposal-list"),
        {
            "kind": "proposal",
            "year": 2026,
            "number": 12,
            "proposer": "张三",
            "title": "关于加强停车管理的建议",
            "received_on": "2026-10-09",
            "lead_unit": city.unit_b.pk,
        },
        format="json",
    )
    assert proposal.status_code == 201, proposal.json()
    assert Proposal.objects.get().task.lead_unit == city.unit_b
    seen = api(city.pat).get(reverse("api:proposal-list")).json()
    assert seen["count"] == 0  # unit B is outside pat's portfolio


def test_units_may_not_read_sources(api, city):
    response = api(city.uma).get(reverse("api:instruction-list"))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
