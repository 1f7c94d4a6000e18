"""GET /api/dashboard/: the page's filters, scope and selector, so the API's figures equal
the page's for the same person and filters; every row's task link lists exactly what it
counts; a query count that does not grow with the tasks."""

import pytest
from django.urls import reverse

from taskboard import tallies
from taskboard.choices import TaskOrigin
from taskboard.dashboard_views import UNIT_ROWS

from ..factories import UnitFactory
from ..taskboard import test_dashboard as page_tests
from ..taskboard.test_dashboard import YEAR, _bulk, make

# The page's tests' data: tasks across units, leaders, co-units, months and standings.
spread = page_tests.spread

pytestmark = pytest.mark.django_db

API = reverse("api:dashboard")
PAGE = reverse("taskboard:dashboard")
PEOPLE = ["mayor", "alice", "pat", "pat2", "uma", "lisa", "bob"]
FILTERS = [{}, {"period": "q1", "origin": TaskOrigin.MEETING}, {"source": "none"}]


def _page_and_api(client, api, user, params):
    client.force_login(user)
    page = client.get(PAGE, params)
    assert page.status_code == 200
    response = api(user).get(API, params)
    assert response.status_code == 200, response.content
    return page.context, response.json()


def _same(row: dict, figures) -> None:
    """An API row says what the page's Figures say."""
    assert {k: v for k, v in row["counts"].items() if v} == {
        k: v for k, v in figures.counts.items() if v
    }
    assert row["counted"] == figures.total
    assert row["closed"] == figures.closed
    assert row["on_track"] == figures.on_track_count
    assert row["overdue"] == figures.overdue
    for rate, value in [
        ("completion_rate", figures.completion),
        ("on_track_rate", figures.on_track),
        ("overdue_rate", figures.overdue_rate),
    ]:
        assert row[rate] == (None if value.percent is None else str(value.percent))


@pytest.mark.parametrize("username", PEOPLE)
@pytest.mark.parametrize("filters", FILTERS)
def test_the_figures_equal_the_pages_for_the_same_person_and_filters(
    client, api, spread, username, filters
):
    context, body = _page_and_api(client, api, getattr(spread, username), {"year": YEAR, **filters})
    headline = context["headline"].figures
    _same(body["headline"], headline)
    assert body["headline"]["counted"] == sum(
        v for k, v in body["headline"]["counts"].items() if k != "cancelled"
    )
    if not filters:
        assert body["headline"]["counted"] > 0
    assert body["headline"]["lights"] == {c: headline.light(c) for c in ("green", "yellow", "red")}
    for panel, rows, key in [
        ("by_origin", context["origin_rows"], lambda row: row["key"]),
        ("by_source", context["source_rows"], lambda row: row["key"]),
        ("by_unit", context["unit_rows"], lambda row: str(row["unit"]["id"])),
        ("by_co_unit", context["co_unit_rows"], lambda row: str(row["unit"]["id"])),
    ]:
        page_rows = {row.key: row.figures for row in rows}
        api_rows = {key(row): row for row in body[panel]}
        assert set(api_rows) == set(page_rows), panel
        for k, row in api_rows.items():
            _same(row, page_rows[k])
    assert [row["month"] or "none" for row in body["by_month"]] == [
        (row.label if row.key != "0" else "none") for row in context["month_rows"]
    ]
    # Leaders in the page's order (best rate first); a task without one is key 0 there.
    assert [str((row["leader"] or {"id": 0})["id"]) for row in body["by_leader"]] == [
        row.key for row in context["leader_rows"]
    ]
    for row, page_row in zip(body["by_leader"], context["leader_rows"], strict=True):
        _same(row, page_row.figures)
    assert [task["id"] for task in body["overdue"]] == [task.pk for task in context["overdue"]]


@pytest.mark.parametrize("filters", [{"unit": "unit_b"}, {"leader": "pat"}])
def test_unit_and_leader_filters_give_the_pages_figures(client, api, spread, filters):
    params = {key: getattr(spread, value).pk for key, value in filters.items()}
    context, body = _page_and_api(client, api, spread.mayor, {"year": YEAR, **params})
    _same(body["headline"], context["headline"].figures)
    assert body["filters"] == {
        "year": YEAR,
        "period": "",
        "origin": "",
        "source": "",
        "unit": params.get("unit"),
        "leader": params.get("leader"),
    }


@pytest.mark.parametrize("username", ["mayor", "pat", "uma"])
def test_every_rows_task_link_lists_exactly_the_tasks_it_counts(api, spread, username):
    client = api(getattr(spread, username))
    body = client.get(API, {"year": YEAR}).json()
    rows = [body["headline"]]
    for panel in ("by_origin", "by_source", "by_leader", "by_unit", "by_co_unit", "by_month"):
        rows += body[panel]
    assert len(rows) > 8
    for row in rows:
        listed = client.get(row["tasks"])
        assert listed.status_code == 200, row["tasks"]
        assert listed.json()["count"] == row["counted"], row["tasks"]


def test_unit_staff_see_their_own_unit_whatever_unit_they_ask_for(api, spread):
    body = api(spread.bob).get(API, {"year": YEAR, "unit": spread.unit_a.pk}).json()
    assert {row["unit"]["id"] for row in body["by_unit"]} == {spread.unit_b.pk}
    assert {row["unit"]["id"] for row in body["by_co_unit"]} <= {spread.unit_b.pk}
    assert body["filters"]["unit"] is None


def test_a_portfolio_leader_may_not_ask_for_a_unit_outside_the_portfolio(api, spread):
    response = api(spread.pat).get(API, {"year": YEAR, "unit": spread.unit_b.pk})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "unit" in response.json()["errors"]


@pytest.mark.parametrize(
    "params, field",
    [({"year": "abc"}, "year"), ({"year": 1999}, "year"), ({"period": "q9"}, "period")],
)
def test_a_bad_filter_is_400_with_the_field(api, spread, params, field):
    response = api(spread.mayor).get(API, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]
    assert "headline" not in body


def test_a_copy_recipient_has_no_dashboard_and_strangers_must_log_in(api, city):
    response = api(city.carl).get(API)
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
    assert api().get(API).status_code == 401


def test_the_first_units_are_shown_unless_all_are_asked_for(api, city):
    units = [UnitFactory() for _ in range(UNIT_ROWS + 3)]
    for unit in units:
        make(1, lead_unit=unit)
    tallies.rebuild()
    client = api(city.mayor)
    body = client.get(API, {"year": YEAR}).json()
    assert body["unit_count"] == UNIT_ROWS + 3
    assert len(body["by_unit"]) == UNIT_ROWS
    everything = client.get(API, {"year": YEAR, "all_units": "true"}).json()
    assert {row["unit"]["id"] for row in everything["by_unit"]} == {unit.pk for unit in units}


# Session, person, profile; four tally sums; the overdue list; unit and leader names; the
# meeting panel; saving the session (savepoint, update, release). A portfolio leader's
# portfolio costs one more: the same at 10 and at 1,000 tasks is what matters.
API_QUERIES = {"mayor": 14, "pat": 15, "uma": 14}


@pytest.mark.parametrize("username", ["mayor", "pat", "uma"])
def test_the_query_count_does_not_grow_with_the_tasks(
    api, city, django_assert_num_queries, username
):
    units = [city.unit_a, city.unit_b, *(UnitFactory() for _ in range(40))]
    leaders = [city.pat, city.mayor]
    client = api(getattr(city, username))
    _bulk(10, units, leaders)
    client.get(API)  # the session settles
    with django_assert_num_queries(API_QUERIES[username]):
        client.get(API, {"year": YEAR})
    _bulk(990, units, leaders, start=10)
    with django_assert_num_queries(API_QUERIES[username]):
        response = client.get(API, {"year": YEAR})
    assert response.json()["headline"]["counted"] > 0
