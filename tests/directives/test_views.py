import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directives import services
from directives.models import (
    AssignmentItem,
    Instruction,
    Proposal,
    ProposalReply,
    SuperiorAssignment,
    Target,
)
from directives.services import Item, Part, UnitsAndPeople
from taskboard.choices import EventKind, TaskState
from taskboard.models import Milestone, Task

from .conftest import SESSION_END, close, make_instruction, make_proposal

pytestmark = pytest.mark.django_db

REQUIRED = "这个字段是必填项。"

LISTS = [
    "directives:index",
    "directives:work_report_list",
    "directives:instruction_list",
    "directives:superior_list",
    "directives:proposal_list",
]
CREATES = [
    "directives:work_report_create",
    "directives:instruction_create",
    "directives:superior_create",
    "directives:proposal_create",
]


# ---------------------------------------------------------------------------
# Who may see and do what


@pytest.mark.parametrize("name", LISTS + CREATES)
def test_unit_staff_are_turned_away_with_a_message(client, city, name):
    client.force_login(city.uma)
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert b'id="forbidden"' in response.content


@pytest.mark.parametrize("name", LISTS)
def test_leaders_may_read_the_lists(client, city, name):
    for leader in (city.mayor, city.pat):
        client.force_login(leader)
        assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", CREATES)
def test_leaders_may_not_register(client, city, name):
    client.force_login(city.pat)
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", LISTS + CREATES)
def test_office_staff_may_register(client, city, name):
    client.force_login(city.alice)
    assert client.get(reverse(name)).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client, city):
    response = client.get(reverse("directives:instruction_list"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_unit_staff_cannot_assign_or_see_a_source(client, city):
    instruction = make_instruction(city)
    client.force_login(city.uma)
    assert (
        client.get(reverse("directives:instruction_detail", args=[instruction.pk])).status_code
        == 403
    )
    response = client.post(reverse("directives:instruction_assign", args=[instruction.pk]))
    assert response.status_code == 403
    assert Task.objects.get().state == TaskState.DRAFT


# ---------------------------------------------------------------------------
# Instructions through the web


def instruction_data(city, **changes):
    data = {
        "leader": city.mayor.pk,
        "issued_on": "2026-03-02",
        "kind": "document",
        "reference": "市政府办公室文件〔2026〕8号",
        "text": "请抓紧研究落实。",
        "lead_unit": city.unit_a.pk,
        "co_units": [city.unit_b.pk],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_office_registers_an_instruction_with_a_pdf(client, city):
    client.force_login(city.alice)
    pdf = SimpleUploadedFile("批示件.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    response = client.post(
        reverse("directives:instruction_create"), instruction_data(city, attachment=pdf)
    )
    instruction = Instruction.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("directives:instruction_detail", args=[instruction.pk])
    assert instruction.task.lead_unit == city.unit_a
    assert list(instruction.task.co_units.all()) == [city.unit_b]
    download = client.get(reverse("directives:instruction_attachment", args=[instruction.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize(
    "changes",
    [
        {"lead_unit": None},
        {"text": "批示\x00"},
        {"text": "长" * 20_001},
        {"leader": None},
        {"issued_on": "2026-02-30"},
        {"attachment": SimpleUploadedFile("批示件.pdf", b"MZ\x90\x00fake")},
        {"attachment": SimpleUploadedFile("批示件.exe", b"MZ\x90\x00fake")},
    ],
    ids=["no lead unit", "NUL", "huge", "no leader", "bad date", "fake pdf", "program"],
)
def test_bad_instruction_input_saves_nothing(client, city, changes):
    client.force_login(city.alice)
    response = client.post(
        reverse("directives:instruction_create"), instruction_data(city, **changes)
    )
    assert response.status_code == 400
    assert b'class="errors"' in response.content
    assert not Instruction.objects.exists()
    assert not Task.objects.exists()


def test_missing_lead_unit_is_reported_next_to_the_field(client, city):
    client.force_login(city.alice)
    response = client.post(
        reverse("directives:instruction_create"), instruction_data(city, lead_unit=None)
    )
    assert response.context["form"].errors["lead_unit"] == [REQUIRED]


def test_a_unit_head_as_leader_is_refused(client, city):
    client.force_login(city.alice)
    response = client.post(
        reverse("directives:instruction_create"), instruction_data(city, leader=city.uma.pk)
    )
    assert response.status_code == 400
    assert not Instruction.objects.exists()


@time_machine.travel(datetime.datetime(2026, 3, 3, 9, tzinfo=datetime.UTC))
def test_assign_button_issues_the_instruction(client, city):
    instruction = make_instruction(city)
    client.force_login(city.alice)
    response = client.post(
        reverse("directives:instruction_assign", args=[instruction.pk]), follow=True
    )
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    task = Task.objects.get()
    assert (task.state, task.deadline) == (TaskState.ASSIGNED, datetime.date(2026, 3, 10))
    again = client.post(
        reverse("directives:instruction_assign", args=[instruction.pk]), follow=True
    )
    assert [m.level_tag for m in again.context["messages"]] == ["error"]


def test_editing_an_instruction_changes_its_task(client, city):
    instruction = make_instruction(city)
    client.force_login(city.alice)
    response = client.post(
        reverse("directives:instruction_edit", args=[instruction.pk]),
        instruction_data(city, leader=city.pat.pk, lead_unit=city.unit_b.pk, co_units=[]),
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert (task.lead_unit, task.lead_leader) == (city.unit_b, city.pat)
    assert task.deadline_source == "portfolio_instruction"


def test_the_task_page_links_back_to_the_instruction(client, city, mayor_title):
    instruction = make_instruction(city)
    client.force_login(city.alice)
    page = client.get(reverse("taskboard:task_detail", args=[instruction.task_id])).content.decode()
    assert f'href="/directives/instructions/{instruction.pk}/" class="source-link"' in page
    assert "市长" in page


def test_instruction_page_lists_its_task(client, city):
    instruction = make_instruction(city)
    client.force_login(city.mayor)
    page = client.get(reverse("directives:instruction_detail", args=[instruction.pk])).content
    assert f'href="/tasks/{instruction.task_id}/"'.encode() in page
    assert instruction.task.code.encode() in page
    assert b'data-state="draft"' in page


# ---------------------------------------------------------------------------
# Work reports through the web


def test_office_registers_a_report_and_a_target_with_its_schedule(client, city):
    client.force_login(city.alice)
    response = client.post(
        reverse("directives:work_report_create"),
        {"year": 2026, "title": "2026年政府工作报告", "session_ended_on": "2026-03-12"},
    )
    assert response.status_code == 302
    report = Target.report.field.related_model.objects.get()
    page = client.get(reverse("directives:work_report_detail", args=[report.pk])).content
    assert b'id="issue-by">2026-03-19' in page
    data = {
        "chapter": "经济发展",
        "text": "地区生产总值增长6%左右",
        "lead_unit": city.unit_a.pk,
        "co_units": [city.unit_b.pk],
        "lead_leader": city.pat.pk,
        "deadline": "2026-12-31",
        "milestones-TOTAL_FORMS": 3,
        "milestones-INITIAL_FORMS": 0,
        "milestones-0-planned_on": "2026-06-30",
        "milestones-0-percent": 50,
        "milestones-1-planned_on": "2026-09-30",
        "milestones-1-description": "完成三季度目标",
        "milestones-2-planned_on": "",
    }
    response = client.post(reverse("directives:target_create", args=[report.pk]), data)
    assert response.status_code == 302
    target = Target.objects.get()
    assert target.task.lead_leader == city.pat
    assert list(Milestone.objects.values_list("percent", "description")) == [
        (50, ""),
        (None, "完成三季度目标"),
    ]


def test_a_target_without_a_lead_unit_is_refused_with_nothing_saved(client, city, report):
    client.force_login(city.alice)
    data = {
        "text": "地区生产总值增长6%左右",
        "milestones-TOTAL_FORMS": 1,
        "milestones-INITIAL_FORMS": 0,
        "milestones-0-planned_on": "2026-06-30",
        "milestones-0-percent": 50,
    }
    response = client.post(reverse("directives:target_create", args=[report.pk]), data)
    assert response.status_code == 400
    assert response.context["form"].errors["lead_unit"] == [REQUIRED]
    assert not Task.objects.exists()
    assert not Milestone.objects.exists()


def test_splitting_a_target_through_the_web(client, city, report):
    target = services.target_create(
        report=report, by=city.alice, text="新增城镇就业5万人", people=UnitsAndPeople(city.unit_a)
    )
    client.force_login(city.alice)
    data = {
        "parts-TOTAL_FORMS": 3,
        "parts-INITIAL_FORMS": 0,
        "parts-0-lead_unit": city.unit_a.pk,
        "parts-0-deadline": "2026-06-30",
        "parts-1-lead_unit": city.unit_b.pk,
        "parts-1-deadline": "2026-12-31",
        "parts-1-title": "财政保障就业资金",
    }
    response = client.post(reverse("directives:target_split", args=[target.pk]), data)
    assert response.status_code == 302
    assert list(target.task.children.values_list("lead_unit", flat=True).order_by("code")) == [
        city.unit_a.pk,
        city.unit_b.pk,
    ]
    data["parts-1-deadline"] = "2027-01-31"
    response = client.post(reverse("directives:target_split", args=[target.pk]), data)
    assert response.status_code == 400
    assert target.task.children.count() == 2


@time_machine.travel(datetime.datetime(2026, 3, 16, 9, tzinfo=datetime.UTC))
def test_assign_button_issues_every_target_of_the_report(client, city, report):
    for text in ("地区生产总值增长6%左右", "新增城镇就业5万人"):
        services.target_create(
            report=report, by=city.alice, text=text, people=UnitsAndPeople(city.unit_a)
        )
    client.force_login(city.alice)
    response = client.post(reverse("directives:work_report_assign", args=[report.pk]))
    assert response.status_code == 302
    assert set(Task.objects.values_list("state", flat=True)) == {TaskState.ASSIGNED}


# ---------------------------------------------------------------------------
# Assignments from above through the web


def superior_data(city, **items):
    data = {
        "issuing_body": "省委第三巡视组",
        "reference": "湘巡反〔2026〕3号",
        "title": "巡视反馈问题整改清单",
        "received_on": "2026-04-01",
        "items-TOTAL_FORMS": 3,
        "items-INITIAL_FORMS": 0,
        "items-MIN_NUM_FORMS": 1,
        "items-0-text": "整改项目审批慢问题",
        "items-0-lead_unit": city.unit_a.pk,
        "items-0-deadline": "2026-06-30",
        "items-1-text": "整改资金拨付滞后问题",
        "items-1-lead_unit": city.unit_b.pk,
        "items-1-co_units": [city.unit_a.pk],
        "items-1-deadline": "2026-05-31",
    }
    data.update(items)
    return {key: value for key, value in data.items() if value is not None}


def test_office_registers_an_assignment_from_above_with_its_items(client, city):
    client.force_login(city.alice)
    response = client.post(reverse("directives:superior_create"), superior_data(city))
    assert response.status_code == 302
    assert AssignmentItem.objects.count() == 2
    assert list(Task.objects.order_by("code").values_list("lead_unit", flat=True)) == [
        city.unit_a.pk,
        city.unit_b.pk,
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"items-1-deadline": "2026-03-01"},
        {"items-1-lead_unit": None},
        {
            "items-0-text": None,
            "items-0-lead_unit": None,
            "items-0-deadline": None,
            "items-1-text": None,
            "items-1-lead_unit": None,
            "items-1-deadline": None,
            "items-1-co_units": None,
        },
        {"items-0-text": "整改\x00"},
    ],
    ids=["deadline before received", "no lead unit", "no items", "NUL"],
)
def test_bad_assignment_from_above_saves_nothing(client, city, changes):
    client.force_login(city.alice)
    response = client.post(reverse("directives:superior_create"), superior_data(city, **changes))
    assert response.status_code == 400
    assert not SuperiorAssignment.objects.exists()
    assert not Task.objects.exists()


# ---------------------------------------------------------------------------
# Proposals through the web


def proposal_data(city, **changes):
    data = {
        "kind": "suggestion",
        "year": 2026,
        "number": 108,
        "proposer": "张代表",
        "category": "城乡建设",
        "title": "关于加快老旧小区改造的建议",
        "text": "建议加快老旧小区改造进度。",
        "received_on": "2026-03-20",
        "lead_unit": city.unit_a.pk,
    }
    data.update(changes)
    return data


def test_a_duplicate_proposal_number_is_refused_with_nothing_saved(client, city):
    client.force_login(city.alice)
    assert (
        client.post(reverse("directives:proposal_create"), proposal_data(city)).status_code == 302
    )
    response = client.post(
        reverse("directives:proposal_create"), proposal_data(city, proposer="李代表")
    )
    assert response.status_code == 400
    assert "number" in response.context["form"].errors
    assert Proposal.objects.count() == 1
    assert Task.objects.count() == 1


def test_reply_and_dissatisfaction_reopen_the_task_through_the_web(client, city):
    with time_machine.travel(datetime.datetime(2026, 3, 23, 9, tzinfo=datetime.UTC)):
        proposal = make_proposal(city)
        services.proposal_assign(proposal=proposal, by=city.alice)
    client.force_login(city.alice)
    with time_machine.travel(datetime.datetime(2026, 5, 6, 9, tzinfo=datetime.UTC)):
        response = client.post(
            reverse("directives:proposal_reply", args=[proposal.pk]),
            {"text": "已列入年度改造计划。", "replied_on": "2026-05-06"},
        )
        assert response.status_code == 302
        # Not closed yet: refused, and the satisfaction is not recorded.
        refused = client.post(
            reverse("directives:proposal_satisfaction", args=[proposal.pk]),
            {"satisfaction": "dissatisfied", "deadline": "2026-07-31"},
        )
        assert refused.status_code == 400
        assert refused.context["satisfaction_form"].non_field_errors()
        assert ProposalReply.objects.get().satisfaction == ""
        # Dissatisfied needs a new deadline.
        close(proposal.task, city)
        missing = client.post(
            reverse("directives:proposal_satisfaction", args=[proposal.pk]),
            {"satisfaction": "dissatisfied"},
        )
        assert missing.context["satisfaction_form"].errors["deadline"] == [REQUIRED]
        response = client.post(
            reverse("directives:proposal_satisfaction", args=[proposal.pk]),
            {"satisfaction": "dissatisfied", "note": "代表不满意", "deadline": "2026-07-31"},
        )
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.state == TaskState.IN_PROGRESS
    assert task.deadline == datetime.date(2026, 7, 31)
    assert task.events.filter(kind=EventKind.REOPENED).count() == 1


def test_the_task_page_links_back_to_the_proposal(client, city):
    proposal = make_proposal(city)
    client.force_login(city.alice)
    page = client.get(reverse("taskboard:task_detail", args=[proposal.task_id])).content.decode()
    assert f'href="/directives/proposals/{proposal.pk}/" class="source-link"' in page


# ---------------------------------------------------------------------------
# Lists: filters, pages and query counts


def test_landing_page_counts_each_source(client, city, report):
    make_instruction(city)
    make_proposal(city)
    make_proposal(city, number=109)
    client.force_login(city.alice)
    response = client.get(reverse("directives:index"))
    counts = response.context["counts"]
    assert counts["work_reports"] == {"rows": 1, "drafts": 0}
    assert counts["instructions"] == {"rows": 1, "drafts": 1}
    assert counts["proposals"] == {"rows": 2, "drafts": 2}
    assert counts["superior"] == {"rows": 0, "drafts": 0}


def test_instruction_list_filters_by_unit_leader_year_and_text(client, city):
    make_instruction(city, text="供暖问题")
    services.instruction_create(
        by=city.alice,
        leader=city.pat,
        issued_on=datetime.date(2025, 12, 1),
        kind="field_visit",
        text="道路修缮",
        people=UnitsAndPeople(lead_unit=city.unit_b),
    )
    client.force_login(city.alice)
    url = reverse("directives:instruction_list")

    def texts(**params):
        return [i.text for i in client.get(url, params).context["page"]]

    assert texts(unit=city.unit_a.pk) == ["供暖问题"]
    assert sorted(texts(unit=city.unit_b.pk)) == ["供暖问题", "道路修缮"]
    assert texts(leader=city.pat.pk) == ["道路修缮"]
    assert texts(year=2025) == ["道路修缮"]
    assert texts(q="供暖") == ["供暖问题"]
    assert texts(year="abc") == []


def test_proposal_list_is_paginated_and_finds_a_number(client, city):
    for number in range(1, 31):
        make_proposal(city, number=number)
    client.force_login(city.alice)
    url = reverse("directives:proposal_list")
    assert len(client.get(url, {"page": 2}).context["page"]) == 5
    assert [p.number for p in client.get(url, {"q": "17"}).context["page"]] == [17]


def make_instructions(city, n):
    for _ in range(n):
        make_instruction(city)


def make_proposals(city, n, start=1):
    for number in range(start, start + n):
        make_proposal(city, number=number)


def make_reports(city, n, start=0):
    for i in range(start, start + n):
        report = services.work_report_create(
            by=city.alice, year=2026, title=f"报告{i}", session_ended_on=SESSION_END
        )
        target = services.target_create(
            report=report, by=city.alice, text="目标", people=UnitsAndPeople(city.unit_a)
        )
        services.target_split(
            target=target,
            by=city.alice,
            parts=[Part(lead_unit=city.unit_b, deadline=datetime.date(2026, 6, 30))],
        )


def make_assignments(city, n):
    for i in range(n):
        services.superior_assignment_create(
            by=city.alice,
            issuing_body="省政府督查室",
            title=f"交办清单{i}",
            received_on=datetime.date(2026, 4, 1),
            items=[Item("事项", UnitsAndPeople(city.unit_a), datetime.date(2026, 6, 30))],
        )


@pytest.mark.parametrize(
    "name, make, queries",
    [
        ("directives:instruction_list", make_instructions, 12),
        ("directives:proposal_list", lambda city, n: make_proposals(city, n), 12),
        ("directives:work_report_list", lambda city, n: make_reports(city, n), 12),
        ("directives:superior_list", make_assignments, 12),
    ],
)
def test_list_query_count_does_not_grow_with_the_rows(
    client, city, django_assert_num_queries, name, make, queries
):
    client.force_login(city.pat)
    filters = {"unit": city.unit_a.pk, "leader": "", "q": "", "year": 2026}
    make(city, 2)
    with django_assert_num_queries(queries):
        assert client.get(reverse(name), filters).status_code == 200
    if name == "directives:proposal_list":
        make_proposals(city, 30, start=100)
    elif name == "directives:work_report_list":
        make_reports(city, 30, start=100)
    else:
        make(city, 30)
    with django_assert_num_queries(queries):
        response = client.get(reverse(name), filters)
    assert len(response.context["page"]) == 25


def test_every_source_page_renders_for_the_office_and_leaders(client, city, report):
    target = services.target_create(
        report=report, by=city.alice, text="新增城镇就业5万人", people=UnitsAndPeople(city.unit_a)
    )
    services.target_split(
        target=target,
        by=city.alice,
        parts=[Part(lead_unit=city.unit_b, deadline=datetime.date(2026, 6, 30))],
    )
    instruction = make_instruction(city)
    proposal = make_proposal(city)
    assignment = services.superior_assignment_create(
        by=city.alice,
        issuing_body="省政府督查室",
        title="交办清单",
        received_on=datetime.date(2026, 4, 1),
        items=[Item("事项", UnitsAndPeople(city.unit_a), datetime.date(2026, 6, 30))],
    )
    details = [
        reverse("directives:work_report_detail", args=[report.pk]),
        reverse("directives:instruction_detail", args=[instruction.pk]),
        reverse("directives:proposal_detail", args=[proposal.pk]),
        reverse("directives:superior_detail", args=[assignment.pk]),
    ]
    edits = [
        reverse("directives:work_report_edit", args=[report.pk]),
        reverse("directives:target_create", args=[report.pk]),
        reverse("directives:target_edit", args=[target.pk]),
        reverse("directives:target_split", args=[target.pk]),
        reverse("directives:instruction_edit", args=[instruction.pk]),
        reverse("directives:proposal_edit", args=[proposal.pk]),
        reverse("directives:superior_edit", args=[assignment.pk]),
    ]
    client.force_login(city.alice)
    for url in details + edits:
        assert client.get(url).status_code == 200, url
    page = client.get(details[0]).content.decode()
    assert page.count('class="task-link"') == 2
    assert 'name="assign"' in page
    client.force_login(city.pat)
    for url in details:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b'name="assign"' not in response.content
    for url in edits:
        assert client.get(url).status_code == 403, url


def test_editing_a_proposal_keeps_its_number_unique(client, city):
    make_proposal(city, number=1)
    second = make_proposal(city, number=2)
    client.force_login(city.alice)
    url = reverse("directives:proposal_edit", args=[second.pk])
    assert client.post(url, proposal_data(city, number=1)).status_code == 400
    assert client.post(url, proposal_data(city, number=3, title="新标题")).status_code == 302
    second.refresh_from_db()
    assert (second.number, second.task.title) == (3, "新标题")


def test_a_portfolio_leader_sees_only_the_instructions_and_proposals_of_the_portfolio(client, city):
    from django.urls import reverse

    from directives.services import UnitsAndPeople

    own = make_instruction(city, people=UnitsAndPeople(lead_unit=city.unit_a, co_units=[]))
    other = make_instruction(city, people=UnitsAndPeople(lead_unit=city.unit_b, co_units=[]))
    client.force_login(city.pat)
    page = client.get(reverse("directives:instruction_list")).content.decode()
    assert f"/directives/instructions/{own.pk}/" in page
    assert f"/directives/instructions/{other.pk}/" not in page
    url = reverse("directives:instruction_detail", args=[other.pk])
    assert client.get(url).status_code == 404
    client.force_login(city.mayor)
    assert client.get(url).status_code == 200
