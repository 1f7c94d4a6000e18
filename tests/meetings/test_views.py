"""The meeting pages: who may see and do what, what they show, and bad input."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from meetings.choices import MeetingKind
from meetings.models import Decision, Meeting
from taskboard.choices import TaskOrigin, TaskState
from taskboard.models import Task

from ..factories import TaskFactory, UnitFactory
from .conftest import make_decision, make_meeting

D = datetime.date
LIST = reverse("meetings:index")
CREATE = reverse("meetings:meeting_create")


def detail(meeting):
    return reverse("meetings:meeting_detail", args=[meeting.pk])


def review(meeting):
    return reverse("meetings:decisions_review", args=[meeting.pk])


def save(meeting):
    return reverse("meetings:decisions_save", args=[meeting.pk])


def assign(meeting):
    return reverse("meetings:decisions_assign", args=[meeting.pk])


def series(kind, year):
    return reverse("meetings:meeting_series", args=[kind, year])


@pytest.fixture
def on_meeting_day():
    with time_machine.travel(datetime.datetime(2026, 9, 29, 10, tzinfo=datetime.UTC), tick=False):
        yield


def row_data(prefix, index, unit, deadline="2026-10-31", text="推进项目建设。", **extra):
    data = {
        f"{prefix}-{index}-text": text,
        f"{prefix}-{index}-lead_unit": unit.pk if unit else "",
        f"{prefix}-{index}-deadline": deadline,
    }
    data.update({f"{prefix}-{index}-{k}": v for k, v in extra.items()})
    return data


def formset_data(*rows, minutes=""):
    data = {
        "decisions-TOTAL_FORMS": str(len(rows)),
        "decisions-INITIAL_FORMS": str(len(rows)),
        "decisions-MIN_NUM_FORMS": "0",
        "decisions-MAX_NUM_FORMS": "200",
        "review-minutes": minutes,
    }
    for row in rows:
        data.update(row)
    return data


# ---------------------------------------------------------------------------
# Who may see and do what


def test_pages_need_a_login(client, meeting):
    assert client.get(LIST).status_code == 302
    assert client.get(detail(meeting)).status_code == 302


@pytest.mark.parametrize("who", ["uma", "lisa", "bob", "carl"])
def test_unit_staff_and_copy_recipients_are_refused_every_meeting_page(client, city, meeting, who):
    client.force_login(getattr(city, who))
    for url in [LIST, detail(meeting), series(MeetingKind.EXECUTIVE, 2026), CREATE]:
        response = client.get(url)
        assert response.status_code == 403
        assert b'id="forbidden"' in response.content
    assert client.post(assign(meeting)).status_code == 403
    assert client.post(review(meeting), {"minutes": "一、推进。"}).status_code == 403


@pytest.mark.parametrize("who", ["pat", "mayor"])
def test_leaders_read_meetings_but_cannot_change_them(client, city, meeting, who):
    client.force_login(getattr(city, who))
    assert client.get(LIST).status_code == 200
    response = client.get(detail(meeting))
    assert response.status_code == 200
    assert b'id="minutes-form"' not in response.content
    assert b'id="assign-all"' not in response.content
    assert client.get(CREATE).status_code == 403
    assert client.get(reverse("meetings:meeting_update", args=[meeting.pk])).status_code == 403
    assert client.post(review(meeting), {"minutes": "一、推进。"}).status_code == 403


@pytest.mark.parametrize("who", ["alice", "dirk", "dana"])
def test_office_roles_register_meetings(client, city, who):
    client.force_login(getattr(city, who))
    response = client.post(
        CREATE,
        {
            "kind": MeetingKind.TOPIC,
            "date": "2026-09-29",
            "subject": "城区防汛专题会议",
            "chair": city.pat.pk,
            "attending_units": [city.unit_a.pk, city.unit_b.pk],
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == detail(meeting)
    assert (meeting.kind, meeting.number, meeting.chair) == (MeetingKind.TOPIC, 1, city.pat)
    assert set(meeting.attending_units.all()) == {city.unit_a, city.unit_b}


def test_the_nav_link_leads_to_the_meeting_list(client, city, meeting):
    client.force_login(city.alice)
    page = client.get(reverse("taskboard:task_list")).content.decode()
    assert f'href="{LIST}"' in page
    assert meeting.display_name in client.get(LIST).content.decode()


# ---------------------------------------------------------------------------
# Scoping


def test_a_portfolio_leader_sees_only_the_decisions_in_the_portfolio_and_their_rate(
    client, city, meeting
):
    make_decision(
        meeting, 1, lead_unit=city.unit_a, title="发改委的议定事项", state=TaskState.CLOSED
    )
    make_decision(meeting, 2, lead_unit=city.unit_b, title="财政局的议定事项")
    client.force_login(city.pat)
    response = client.get(detail(meeting))
    page = response.content.decode()
    assert "发改委的议定事项" in page and "财政局的议定事项" not in page
    assert str(response.context["rate"]) == "100.0%"
    row = client.get(LIST).context["page"][0]
    assert (row.decision_count, row.done_count) == (1, 1)


def test_the_mayor_and_the_office_see_every_decision(client, city, meeting):
    make_decision(meeting, 1, lead_unit=city.unit_a, state=TaskState.CLOSED)
    make_decision(meeting, 2, lead_unit=city.unit_b)
    for person in (city.mayor, city.alice):
        client.force_login(person)
        response = client.get(detail(meeting))
        assert len(response.context["decisions"]) == 2
        assert str(response.context["rate"]) == "50.0%"


def test_search_does_not_reach_into_decisions_the_person_cannot_see(client, city):
    hidden = make_meeting(number=1)
    make_decision(hidden, 1, lead_unit=city.unit_b, title="财政局的秘密事项")
    client.force_login(city.pat)
    assert client.get(LIST, {"q": "秘密"}).context["page"].paginator.count == 0
    client.force_login(city.mayor)
    assert client.get(LIST, {"q": "秘密"}).context["page"].paginator.count == 1


# ---------------------------------------------------------------------------
# The meeting list


def test_the_list_filters_by_kind_year_and_text(client, city):
    make_meeting(number=1, subject="城区防汛")
    make_meeting(number=2, subject="招商引资")
    make_meeting(number=1, kind=MeetingKind.TOPIC, subject="城区防汛调度")
    make_meeting(number=1, date=D(2025, 5, 6), subject="城区防汛去年")
    client.force_login(city.alice)

    def count(**params):
        return client.get(LIST, params).context["page"].paginator.count

    assert count() == 4
    assert count(kind=MeetingKind.EXECUTIVE) == 3
    assert count(kind=MeetingKind.EXECUTIVE, year=2026) == 2
    assert count(q="防汛") == 3
    assert count(q="防汛", kind=MeetingKind.TOPIC) == 1


def test_an_invalid_filter_shows_no_meetings(client, city, meeting):
    client.force_login(city.alice)
    response = client.get(LIST, {"kind": "banquet", "year": "abc"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert response.context["filter"].errors


def test_the_list_is_paginated(client, city):
    for number in range(1, 31):
        make_meeting(number=number)
    client.force_login(city.alice)
    response = client.get(LIST, {"kind": MeetingKind.EXECUTIVE, "page": 2})
    assert len(response.context["page"]) == 5
    assert "kind=executive&amp;page=1" in response.content.decode()


def test_meeting_list_query_count_does_not_grow_with_the_meetings(
    client, city, django_assert_num_queries
):
    first = make_meeting(number=1, chair=city.mayor)
    make_decision(first, 1, lead_unit=city.unit_a)
    client.force_login(city.pat)
    with django_assert_num_queries(9):
        assert client.get(LIST).status_code == 200
    for number in range(2, 40):
        meeting = make_meeting(number=number, chair=city.pat)
        make_decision(meeting, 1, lead_unit=city.unit_a, state=TaskState.CLOSED)
        make_decision(meeting, 2, lead_unit=city.unit_b)
    with django_assert_num_queries(9):
        response = client.get(LIST)
    assert len(response.context["page"]) == 25


# ---------------------------------------------------------------------------
# The meeting page and the series page


def test_the_meeting_page_shows_decisions_with_their_tasks(client, city, meeting):
    decision = make_decision(
        meeting, 3, lead_unit=city.unit_a, title="建成区域医疗中心", deadline=D(2026, 10, 15)
    )
    client.force_login(city.alice)
    page = client.get(detail(meeting)).content.decode()
    assert "建成区域医疗中心" in page
    assert f'href="{reverse("taskboard:task_detail", args=[decision.task.pk])}"' in page
    assert decision.task.code in page
    assert "2026-10-15" in page
    assert 'id="issue-by">2026-10-09' in page
    assert 'data-state="assigned"' in page


def test_the_task_page_links_back_to_its_meeting_decision(client, city, meeting):
    decision = make_decision(meeting, 3, lead_unit=city.unit_a)
    other = TaskFactory(lead_unit=city.unit_a, origin=TaskOrigin.OTHER)
    client.force_login(city.alice)
    response = client.get(reverse("taskboard:task_detail", args=[decision.task.pk]))
    assert response.context["source"].url == detail(meeting)
    assert response.context["source"].label == decision.label
    assert f'href="{detail(meeting)}" class="source-link"' in response.content.decode()
    response = client.get(reverse("taskboard:task_detail", args=[other.pk]))
    assert response.context["source"] is None


def test_meeting_page_query_count_does_not_grow_with_the_decisions(
    client, city, meeting, django_assert_num_queries
):
    meeting.attending_units.set([city.unit_a, city.unit_b])
    make_decision(meeting, 1, lead_unit=city.unit_a, lead_leader=city.pat)
    client.force_login(city.alice)
    with django_assert_num_queries(13):
        assert client.get(detail(meeting)).status_code == 200
    for number in range(2, 30):
        decision = make_decision(meeting, number, lead_unit=city.unit_a, lead_leader=city.pat)
        decision.task.co_units.set([city.unit_b, UnitFactory()])
    with django_assert_num_queries(13):
        response = client.get(detail(meeting))
    assert len(response.context["decisions"]) == 29


def test_the_series_page_counts_each_meeting_and_the_total(client, city):
    first = make_meeting(number=1, date=D(2026, 2, 3))
    second = make_meeting(number=2, date=D(2026, 3, 3))
    make_meeting(number=1, kind=MeetingKind.TOPIC)
    make_decision(first, 1, lead_unit=city.unit_a, state=TaskState.CLOSED)
    make_decision(first, 2, lead_unit=city.unit_a, state=TaskState.CANCELLED)
    make_decision(second, 1, lead_unit=city.unit_a, state=TaskState.CLOSED)
    make_decision(second, 2, lead_unit=city.unit_a)
    make_decision(second, 3, lead_unit=city.unit_a)
    client.force_login(city.mayor)
    response = client.get(series(MeetingKind.EXECUTIVE, 2026))
    rows = response.context["rows"]
    assert [str(row.rate) for row in rows] == ["100.0%", "33.3%"]
    assert (response.context["total"].done, response.context["total"].total) == (2, 4)
    assert str(response.context["total"]) == "50.0%"
    assert "50.0%" in response.content.decode()


def test_an_unknown_series_is_not_found(client, city):
    client.force_login(city.alice)
    assert client.get(series("banquet", 2026)).status_code == 404


def test_series_page_query_count_does_not_grow_with_the_meetings(
    client, city, django_assert_num_queries
):
    meeting = make_meeting(number=1)
    make_decision(meeting, 1, lead_unit=city.unit_a)
    client.force_login(city.pat)
    with django_assert_num_queries(8):
        assert client.get(series(MeetingKind.EXECUTIVE, 2026)).status_code == 200
    for number in range(2, 20):
        meeting = make_meeting(number=number)
        make_decision(meeting, 1, lead_unit=city.unit_a, state=TaskState.CLOSED)
        make_decision(meeting, 2, lead_unit=city.unit_b)
    with django_assert_num_queries(8):
        response = client.get(series(MeetingKind.EXECUTIVE, 2026))
    assert len(response.context["rows"]) == 19


# ---------------------------------------------------------------------------
# Minutes → review → save → assign all


def test_pasted_minutes_give_one_proposed_row_per_item(client, city, meeting, on_meeting_day):
    client.force_login(city.alice)
    response = client.post(
        review(meeting),
        {"minutes": "会议议定：\n一、由市发展和改革委员会牵头推进项目。\n二、市财政局保障资金。"},
    )
    assert response.status_code == 200
    formset = response.context["formset"]
    assert [form.initial["text"] for form in formset] == [
        "由市发展和改革委员会牵头推进项目。",
        "市财政局保障资金。",
    ]
    assert [form.initial["lead_unit"] for form in formset] == [city.unit_a.pk, city.unit_b.pk]
    assert formset[0].initial["lead_leader"] == city.pat.pk
    assert formset[1].initial["lead_leader"] == city.mayor.pk  # the chair
    # Assigned today (29 September): feedback within half a month.
    assert {form.initial["deadline"] for form in formset} == {D(2026, 10, 14)}
    assert not Decision.objects.exists()


def test_the_stored_minutes_can_be_reviewed_again(client, city, on_meeting_day):
    meeting = make_meeting(minutes="1. 推进项目建设。\n2. 做好安全生产。")
    client.force_login(city.alice)
    response = client.get(review(meeting))
    assert len(response.context["formset"]) == 2


def test_the_reviewed_rows_are_saved_in_one_go_and_removed_rows_are_skipped(
    client, city, meeting, on_meeting_day
):
    client.force_login(city.alice)
    data = formset_data(
        row_data("decisions", 0, city.unit_a, co_units=[city.unit_b.pk], lead_leader=city.pat.pk),
        row_data("decisions", 1, None, text="会议还听取了汇报。", DELETE="on"),
        row_data("decisions", 2, city.unit_b, text="市财政局保障资金。"),
        minutes="一、推进项目建设。\n二、会议还听取了汇报。\n三、市财政局保障资金。",
    )
    response = client.post(save(meeting), data)
    assert response.status_code == 302 and response.url == detail(meeting)
    decisions = list(meeting.decisions.select_related("task"))
    assert [(d.number, d.text) for d in decisions] == [
        (1, "推进项目建设。"),
        (2, "市财政局保障资金。"),
    ]
    assert list(decisions[0].task.co_units.all()) == [city.unit_b]
    assert all(d.task.state == TaskState.DRAFT for d in decisions)
    meeting.refresh_from_db()
    assert meeting.minutes.startswith("一、推进项目建设。")


def test_assign_all_from_the_meeting_page(client, city, meeting, on_meeting_day):
    client.force_login(city.alice)
    client.post(
        save(meeting),
        formset_data(row_data("decisions", 0, city.unit_a), row_data("decisions", 1, city.unit_b)),
    )
    response = client.post(assign(meeting))
    assert response.status_code == 302
    assert set(Task.objects.values_list("state", flat=True)) == {TaskState.ASSIGNED}
    page = client.get(detail(meeting)).content.decode()
    assert page.count('data-state="assigned"') == 2
    assert 'id="assign-all"' not in page


def test_a_failed_assign_all_assigns_nothing_and_shows_why(client, city, meeting):
    with time_machine.travel(datetime.datetime(2026, 9, 29, 10, tzinfo=datetime.UTC)):
        client.force_login(city.alice)
        client.post(
            save(meeting),
            formset_data(
                row_data("decisions", 0, city.unit_a, deadline="2026-12-31"),
                row_data("decisions", 1, city.unit_b, deadline="2026-10-09"),
            ),
        )
    with time_machine.travel(datetime.datetime(2026, 10, 16, 10, tzinfo=datetime.UTC)):
        client.force_login(city.alice)
        response = client.post(assign(meeting), follow=True)
    assert response.status_code == 200
    shown = [str(message) for message in response.context["messages"]]
    assert any("2" in message for message in shown)
    assert set(Task.objects.values_list("state", flat=True)) == {TaskState.DRAFT}


def test_a_draft_decision_is_edited_on_its_own_page(client, city, meeting, on_meeting_day):
    client.force_login(city.alice)
    client.post(save(meeting), formset_data(row_data("decisions", 0, city.unit_a)))
    decision = Decision.objects.get()
    url = reverse("meetings:decision_update", args=[decision.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"text": "市财政局统筹资金。", "lead_unit": city.unit_b.pk, "deadline": "2026-10-20"}
    )
    assert response.status_code == 302
    decision.task.refresh_from_db()
    assert (decision.task.lead_unit, decision.task.deadline) == (city.unit_b, D(2026, 10, 20))


# ---------------------------------------------------------------------------
# Bad input: clear errors, nothing half-saved


def test_a_row_without_a_lead_unit_saves_no_row(client, city, meeting, on_meeting_day):
    client.force_login(city.alice)
    response = client.post(
        save(meeting),
        formset_data(row_data("decisions", 0, city.unit_a), row_data("decisions", 1, None)),
    )
    assert response.status_code == 400
    assert "这个字段是必填项。" in response.content.decode()
    assert response.context["formset"][1].errors["lead_unit"]
    assert not Decision.objects.exists() and not Task.objects.exists()


def test_a_deadline_before_the_meeting_saves_no_row(client, city, meeting, on_meeting_day):
    client.force_login(city.alice)
    response = client.post(
        save(meeting),
        formset_data(
            row_data("decisions", 0, city.unit_a),
            row_data("decisions", 1, city.unit_b, deadline="2026-09-28"),
        ),
    )
    assert response.status_code == 400
    assert "deadline" in response.context["formset"][1].errors
    assert not Decision.objects.exists() and not Task.objects.exists()


def test_a_nul_byte_in_a_decision_saves_nothing(client, city, meeting, on_meeting_day):
    client.force_login(city.alice)
    response = client.post(
        save(meeting),
        formset_data(row_data("decisions", 0, city.unit_a, text="推进\x00项目")),
    )
    assert response.status_code == 400
    assert "text" in response.context["formset"][0].errors
    assert not Decision.objects.exists()


def test_removing_every_row_saves_nothing(client, city, meeting, on_meeting_day):
    client.force_login(city.alice)
    response = client.post(
        save(meeting), formset_data(row_data("decisions", 0, city.unit_a, DELETE="on"))
    )
    assert response.status_code == 400
    assert response.context["formset"].non_form_errors()
    assert not Decision.objects.exists()


def test_a_forged_row_count_is_refused(client, city, meeting, on_meeting_day):
    client.force_login(city.alice)
    data = formset_data(row_data("decisions", 0, city.unit_a))
    data["decisions-TOTAL_FORMS"] = "100000"
    response = client.post(save(meeting), data)
    assert response.status_code == 400
    assert not Decision.objects.exists()


def test_minutes_without_numbered_items_show_an_error(client, city, meeting):
    client.force_login(city.alice)
    response = client.post(review(meeting), {"minutes": "会议听取了汇报。"})
    assert response.status_code == 400
    assert response.context["minutes_form"].errors["minutes"]


@pytest.mark.parametrize("minutes", ["", "一、推进\x00项目。", "一、" + "长" * 200_001])
def test_empty_nul_or_overlong_minutes_are_form_errors(client, city, meeting, minutes):
    client.force_login(city.alice)
    response = client.post(review(meeting), {"minutes": minutes})
    assert response.status_code == 400
    assert response.context["minutes_form"].errors["minutes"]
    assert not Decision.objects.exists()


def test_ten_megabytes_of_minutes_are_refused_before_anything_is_read(client, city, meeting):
    client.force_login(city.alice)
    response = client.post(review(meeting), {"minutes": "一、推进项目。" + "长" * 10_000_000})
    assert response.status_code == 400
    assert not Decision.objects.exists()
    meeting.refresh_from_db()
    assert meeting.minutes == ""


def test_a_meeting_form_with_bad_input_saves_nothing(client, city):
    client.force_login(city.alice)
    response = client.post(CREATE, {"kind": "banquet", "date": "2026-02-30", "subject": "a\x00b"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"kind", "date", "subject"} <= set(errors)
    assert "这个字段是必填项。" in client.post(CREATE, {}).content.decode()
    assert not Meeting.objects.exists()


def test_a_taken_number_is_a_form_error(client, city, meeting):
    client.force_login(city.alice)
    response = client.post(
        CREATE, {"kind": MeetingKind.EXECUTIVE, "date": "2026-11-03", "number": "12"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["number"]
    assert Meeting.objects.count() == 1


def test_editing_a_meeting_keeps_its_number(client, city, meeting):
    client.force_login(city.alice)
    url = reverse("meetings:meeting_update", args=[meeting.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"kind": MeetingKind.EXECUTIVE, "date": "2026-09-30", "subject": "改期"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.number, meeting.date, meeting.subject) == (12, D(2026, 9, 30), "改期")
