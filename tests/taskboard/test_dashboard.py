"""The dashboard: rates on hand-built data (the Yongzhou figures among them), the scope of
every number, drill-down links that land on exactly the counted tasks, and a query count
that does not grow with the data."""

import datetime
import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from taskboard import selectors, tallies
from taskboard.choices import DeadlineSource, DueState, TaskOrigin, TaskState
from taskboard.models import BehindSchedule, Task
from taskboard.stats import CompletionRate, Figures, Standing

from ..factories import TaskFactory, UnitFactory, person

pytestmark = pytest.mark.django_db

YEAR = 2026
DASHBOARD = reverse("taskboard:dashboard")


def make(n, *, state=TaskState.ASSIGNED, due_state=DueState.GREEN, **fields):
    fields.setdefault("assigned_on", datetime.date(YEAR, 3, 2))
    if state == TaskState.DRAFT:
        fields["assigned_on"] = None
    return [TaskFactory(state=state, due_state=due_state, **fields) for _ in range(n)]


# ---------------------------------------------------------------------------
# The definitions


def test_yongzhou_completion_rates_come_out_exactly():
    assert str(CompletionRate(187, 197)) == "94.9%"
    assert str(CompletionRate(81, 92)) == "88.0%"
    assert str(CompletionRate(343, 404)) == "84.9%"
    assert str(CompletionRate(39, 39)) == "100.0%"
    assert str(CompletionRate(321, 342)) == "93.9%"


def test_on_track_counts_closed_on_schedule_and_due_soon_but_not_behind():
    figures = Figures(
        {
            Standing.CLOSED: 200,
            Standing.ON_SCHEDULE: 6,
            Standing.DUE_SOON: 3,
            Standing.BEHIND: 12,
            Standing.OVERDUE: 7,
            Standing.CANCELLED: 5,
        }
    )
    assert figures.total == 228
    assert figures.on_track == CompletionRate(209, 228)
    assert figures.on_track.percent == Decimal("91.7")
    assert str(figures.completion) == "87.7%"
    assert str(figures.overdue_rate) == "3.1%"
    assert figures.light("yellow") == 15


@pytest.fixture
def yongzhou(city):
    """197 executive-meeting decisions (187 closed) and 228 work-report targets (209
    completed or on schedule), as tasks of unit A; a few cancelled, which do not count."""
    executive = {"origin": TaskOrigin.MEETING, "deadline_source": DeadlineSource.EXECUTIVE_MEETING}
    make(187, state=TaskState.CLOSED, due_state=DueState.NONE, lead_unit=city.unit_a, **executive)
    make(6, lead_unit=city.unit_a, due_state=DueState.RED, **executive)
    make(4, lead_unit=city.unit_a, state=TaskState.IN_PROGRESS, **executive)
    make(3, state=TaskState.CANCELLED, due_state=DueState.NONE, lead_unit=city.unit_a, **executive)
    report = {"origin": TaskOrigin.WORK_REPORT, "deadline_source": DeadlineSource.WORK_REPORT}
    make(190, state=TaskState.CLOSED, due_state=DueState.NONE, lead_unit=city.unit_b, **report)
    make(15, lead_unit=city.unit_b, state=TaskState.IN_PROGRESS, **report)
    make(4, lead_unit=city.unit_b, due_state=DueState.YELLOW, **report)
    behind = make(11, lead_unit=city.unit_b, due_state=DueState.YELLOW, **report)
    BehindSchedule.objects.bulk_create([BehindSchedule(task=task) for task in behind])
    make(8, lead_unit=city.unit_b, due_state=DueState.RED, **report)
    tallies.rebuild()
    return city


def _rows(response, panel):
    html = response.content.decode()
    start = html.index(f'id="panel-{panel}"')
    section = html[start : html.index("</section>", start)]
    return {
        key: dict(re.findall(r'data-rate="(\w+)">([^<]+)</a>', row))
        for key, row in re.findall(r'<tr data-key="([^"]*)">(.*?)</tr>', section, re.S)
    }


def test_the_dashboard_shows_the_yongzhou_figures(client, yongzhou):
    client.force_login(yongzhou.mayor)
    response = client.get(DASHBOARD, {"year": YEAR})
    assert response.status_code == 200
    kinds = _rows(response, "meeting-kinds")
    assert kinds[DeadlineSource.EXECUTIVE_MEETING]["completion"] == "94.9%"
    origins = _rows(response, "origins")
    assert origins[TaskOrigin.WORK_REPORT]["on_track"] == "91.7%"
    assert origins[TaskOrigin.MEETING]["completion"] == "94.9%"
    headline = response.context["headline"].figures
    assert headline.total == 197 + 228
    assert headline.cancelled == 3
    assert headline.closed == 187 + 190


# ---------------------------------------------------------------------------
# Scope: every number for a person is the GROUP BY over the tasks they may count


@pytest.fixture
def spread(city):
    """Tasks across two units, three leaders, co-units, months and standings."""
    unit_c = UnitFactory(name="市教育局")
    pat2 = person("pat2", "portfolio_leader", portfolio=[city.unit_b])
    kinds = [
        (TaskState.CLOSED, DueState.NONE),
        (TaskState.ASSIGNED, DueState.GREEN),
        (TaskState.IN_PROGRESS, DueState.YELLOW),
        (TaskState.IN_PROGRESS, DueState.RED),
        (TaskState.DRAFT, DueState.NONE),
        (TaskState.SUSPENDED, DueState.NONE),
        (TaskState.CANCELLED, DueState.NONE),
    ]
    leaders = [None, city.pat, pat2, city.mayor]
    units = [city.unit_a, city.unit_b, unit_c]
    origins = [
        (TaskOrigin.MEETING, DeadlineSource.EXECUTIVE_MEETING),
        (TaskOrigin.MEETING, DeadlineSource.TOPIC_MEETING),
        (TaskOrigin.INSTRUCTION, ""),
        (TaskOrigin.WORK_REPORT, DeadlineSource.WORK_REPORT),
    ]
    for n in range(60):
        state, light = kinds[n % len(kinds)]
        origin, source = origins[n % 4]
        (task,) = make(
            1,
            state=state,
            due_state=light,
            lead_unit=units[n % 3],
            lead_leader=leaders[n % 4],
            origin=origin,
            deadline_source=source,
            assigned_on=datetime.date(YEAR, 1 + n % 8, 10),
            year=YEAR if n % 10 else YEAR - 1,
        )
        if n % 5 == 0:
            task.co_units.set([units[(n + 1) % 3]])
        if n % 9 == 0 and state == TaskState.IN_PROGRESS:
            BehindSchedule.objects.create(task=task)
    tallies.rebuild()
    city.unit_c, city.pat2 = unit_c, pat2
    return city


def _expected(user, **filters):
    scope = selectors.dashboard_scope(user)
    return selectors.dashboard_from_tasks(
        tasks=selectors.dashboard_tasks(
            user=user, scope=scope, filters=selectors.DashboardFilters(year=YEAR, **filters)
        )
    )


@pytest.mark.parametrize("username", ["mayor", "alice", "pat", "pat2", "uma", "lisa", "bob"])
def test_every_persons_headline_is_the_group_by_over_their_scope(client, spread, username):
    user = getattr(spread, username)
    client.force_login(user)
    response = client.get(DASHBOARD, {"year": YEAR})
    assert response.status_code == 200
    assert response.context["headline"].figures.counts == _expected(user).counts
    assert response.context["headline"].figures.total > 0


@pytest.mark.parametrize("username", ["mayor", "alice", "pat", "pat2", "uma", "lisa", "bob"])
def test_the_counted_tasks_are_among_the_tasks_the_person_may_see(spread, username):
    user = getattr(spread, username)
    counted = selectors.dashboard_tasks(
        user=user,
        scope=selectors.dashboard_scope(user),
        filters=selectors.DashboardFilters(year=YEAR),
    )
    assert counted.exists()
    assert not counted.exclude(pk__in=Task.objects.visible_to(user).values("pk")).exists()


def test_the_overdue_list_shows_the_longest_overdue_first(client, spread):
    client.force_login(spread.mayor)
    listed = client.get(DASHBOARD, {"year": YEAR}).context["overdue"]
    expected = Task.objects.filter(
        year=YEAR, due_state=DueState.RED, state__in=[TaskState.IN_PROGRESS]
    ).order_by("deadline", "code")[: selectors.OVERDUE_LIST_LENGTH]
    assert listed == list(expected)
    assert listed


def test_a_portfolio_leader_counts_the_portfolios_tasks_and_the_tasks_they_lead(spread):
    scope = selectors.dashboard_scope(spread.pat)
    counted = selectors.dashboard_tasks(
        user=spread.pat, scope=scope, filters=selectors.DashboardFilters(year=YEAR)
    )
    expected = Task.objects.filter(year=YEAR).filter(lead_unit=spread.unit_a) | Task.objects.filter(
        year=YEAR, lead_leader=spread.pat
    )
    assert set(counted) == set(expected)
    # Co-unit work of the portfolio is visible to the leader but counted apart.
    co_only = Task.objects.visible_to(spread.pat).filter(year=YEAR).exclude(pk__in=counted)
    assert co_only.filter(co_units=spread.unit_a).exists()


def test_unit_staff_see_their_own_unit_only(client, spread):
    client.force_login(spread.bob)
    response = client.get(DASHBOARD, {"year": YEAR, "unit": spread.unit_a.pk})
    # The unit filter is not offered to unit staff; their scope stays their unit.
    assert "unit" not in response.context["form"].fields
    units = {row.key for row in response.context["unit_rows"]}
    assert units == {str(spread.unit_b.pk)}
    co_units = {row.key for row in response.context["co_unit_rows"]}
    assert co_units <= {str(spread.unit_b.pk)}


def test_a_copy_recipient_has_no_dashboard(client, city):
    client.force_login(city.carl)
    assert client.get(DASHBOARD).status_code == 403


def test_anonymous_people_are_sent_to_log_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_an_invalid_filter_shows_an_error_and_no_figures(client, spread):
    client.force_login(spread.mayor)
    response = client.get(DASHBOARD, {"year": "abc"})
    assert response.status_code == 200
    assert "year" in response.context["form"].errors
    assert "headline" not in response.context
    assert b'role="alert"' in response.content


# ---------------------------------------------------------------------------
# Drill-down: every number links to the task list that makes it


def _numbers(response) -> dict[str, int]:
    """Every number on the page that carries its count, by the link it opens. The same
    link shown twice (a headline and a table total) must show the same number."""
    html = response.content.decode()
    numbers: dict[str, int] = {}
    for href, count in re.findall(
        r'<a (?:class="[^"]*" )?href="([^"]+)" data-(?:standing|rate)="\w+" data-count="(\d+)"',
        html,
    ):
        link = unescape(href)
        assert numbers.setdefault(link, int(count)) == int(count), link
    return numbers


FILTERS = [{}, {"period": "q1", "origin": TaskOrigin.MEETING}, {"source": "none"}]


@pytest.mark.parametrize("username", ["mayor", "pat", "uma"])
@pytest.mark.parametrize("filters", FILTERS)
def test_every_number_links_to_exactly_the_tasks_it_counts(client, spread, username, filters):
    user = getattr(spread, username)
    client.force_login(user)
    response = client.get(DASHBOARD, {"year": YEAR, **filters})
    numbers = _numbers(response)
    assert len(numbers) > 20
    for link, count in numbers.items():
        listed = client.get(link)
        assert listed.status_code == 200, link
        assert not listed.context["filter"].form.errors, link
        assert listed.context["page"].paginator.count == count, link


def test_unit_and_leader_filters_drill_down_exactly(client, spread):
    client.force_login(spread.mayor)
    for filters in ({"unit": spread.unit_b.pk}, {"leader": spread.pat.pk}):
        response = client.get(DASHBOARD, {"year": YEAR, **filters})
        for link, count in _numbers(response).items():
            assert client.get(link).context["page"].paginator.count == count, link


def test_per_meeting_numbers_link_to_the_meetings_tasks(client, city):
    from meetings.models import Decision, Meeting

    meeting = Meeting.objects.create(
        kind="executive", date=datetime.date(YEAR, 3, 1), number=1, year=YEAR
    )
    tasks = make(3, lead_unit=city.unit_a) + make(
        2, state=TaskState.CLOSED, due_state=DueState.NONE, lead_unit=city.unit_a
    )
    for number, task in enumerate(tasks, start=1):
        Decision.objects.create(meeting=meeting, number=number, text="议定", task=task)
    tallies.rebuild()
    client.force_login(city.mayor)
    response = client.get(DASHBOARD, {"year": YEAR})
    rows = _rows(response, "meetings")
    assert rows[f"meeting:{meeting.pk}"]["completion"] == "40.0%"
    for link, count in _numbers(response).items():
        assert client.get(link).context["page"].paginator.count == count, link


# ---------------------------------------------------------------------------
# Views


def test_big_screen_and_print_views(client, spread):
    client.force_login(spread.mayor)
    big = client.get(DASHBOARD, {"year": YEAR, "screen": "big"})
    assert b"big-screen" in big.content
    assert b'data-refresh-seconds="300"' in big.content
    printed = client.get(DASHBOARD, {"year": YEAR, "view": "print"})
    assert b"print-view" in printed.content
    assert b"echarts.min.js" not in printed.content
    assert b'id="panel-units"' in printed.content


def test_the_charts_are_served_from_our_own_static_files(client, spread):
    client.force_login(spread.mayor)
    html = client.get(DASHBOARD).content.decode()
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert any(src.endswith("vendor/echarts/echarts.min.js") for src in scripts)
    assert all(src.startswith("/static/") for src in scripts)
    assert 'id="dashboard-data"' in html


# ---------------------------------------------------------------------------
# Queries


def _bulk(n, units, leaders, start=0):
    states = [
        (TaskState.CLOSED, DueState.NONE),
        (TaskState.IN_PROGRESS, DueState.RED),
        (TaskState.ASSIGNED, DueState.GREEN),
        (TaskState.ACKNOWLEDGED, DueState.YELLOW),
    ]
    Task.objects.bulk_create(
        [
            Task(
                year=YEAR,
                code=f"{YEAR}-B{i:05d}",
                title=f"任务{i}",
                origin=[TaskOrigin.MEETING, TaskOrigin.INSTRUCTION][i % 2],
                lead_unit=units[i % len(units)],
                lead_leader=leaders[i % len(leaders)],
                state=states[i % 4][0],
                due_state=states[i % 4][1],
                assigned_on=datetime.date(YEAR, 1 + i % 12, 1),
                deadline=datetime.date(YEAR, 12, 31),
            )
            for i in range(start, start + n)
        ]
    )
    tallies.rebuild()


# Session, person, profile; four tally sums; the overdue list; unit and leader names; the
# meeting panel; the top bar; the filter's choices; saving the session. By role, because a
# portfolio leader's portfolio and a unit head's unit cost a query each: the same at 10 and
# at 1,000 tasks is what matters.
DASHBOARD_QUERIES = {"mayor": 16, "pat": 18, "uma": 17}


@pytest.mark.parametrize("username", ["mayor", "pat", "uma"])
def test_the_dashboard_query_count_does_not_grow_with_the_tasks(
    client, city, django_assert_num_queries, username
):
    units = [city.unit_a, city.unit_b, *(UnitFactory() for _ in range(40))]
    leaders = [city.pat, city.mayor]
    user = getattr(city, username)
    client.force_login(user)
    _bulk(10, units, leaders)
    client.get(DASHBOARD)  # the session and the caches settle
    with django_assert_num_queries(DASHBOARD_QUERIES[username]):
        client.get(DASHBOARD, {"year": YEAR})
    _bulk(990, units, leaders, start=10)
    assert Task.objects.count() == 1000
    with django_assert_num_queries(DASHBOARD_QUERIES[username]):
        response = client.get(DASHBOARD, {"year": YEAR})
    assert response.context["headline"].figures.total > 0
