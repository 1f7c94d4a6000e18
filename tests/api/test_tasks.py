"""The task API: scoping, filters, pagination, the lifecycle actions through the page's
forms and services, and errors as JSON with a code and a Chinese message."""

import pytest
from django.urls import reverse

from taskboard.actions import ACTIONS
from taskboard.choices import EventKind, TaskState
from taskboard.models import ProgressReport, Task, TaskEvent

from ..factories import TaskFactory
from .conftest import zh

pytestmark = pytest.mark.usefixtures("monday")


def detail(task):
    return reverse("api:task-detail", args=[task.pk])


def action(task, name):
    return reverse(f"api:task_{name}", args=[task.pk])


def test_every_page_action_has_its_own_endpoint():
    for name in ACTIONS:
        assert reverse(f"api:task_{name}", args=[1]).endswith(f"/{name.replace('_', '-')}/")


def test_a_unit_sees_only_its_tasks(api, city):
    mine = TaskFactory(lead_unit=city.unit_a)
    TaskFactory(lead_unit=city.unit_b)
    response = api(city.uma).get(reverse("api:task-list"))
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_another_units_task_is_not_found_to_read_or_act_on(api, city):
    task = TaskFactory(lead_unit=city.unit_a)
    client = api(city.bob)
    assert client.get(detail(task)).status_code == 404
    response = client.post(action(task, "acknowledge"), {"version": task.version}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert TaskEvent.objects.filter(task=task).count() == 0


def test_list_is_paginated(api, city):
    TaskFactory.create_batch(30, lead_unit=city.unit_a)
    client = api(city.alice)
    first = client.get(reverse("api:task-list")).json()
    assert first["count"] == 30
    assert len(first["results"]) == 25
    assert first["next"] and first["previous"] is None
    small = client.get(reverse("api:task-list"), {"page_size": 7, "page": 2}).json()
    assert len(small["results"]) == 7
    beyond = client.get(reverse("api:task-list"), {"page": 99})
    assert beyond.status_code == 404
    assert beyond.json()["code"] == "not_found"


@pytest.mark.parametrize("rows", [1, 20])
def test_list_query_count_does_not_grow_with_rows(api, city, django_assert_num_queries, rows):
    TaskFactory.create_batch(rows, lead_unit=city.unit_a, lead_leader=city.pat)
    client = api(city.alice)
    # session, user, profile, count, page; the idle session's expiry saved (3)
    with django_assert_num_queries(8):
        response = client.get(reverse("api:task-list"))
    assert len(response.json()["results"]) == rows


def test_list_filters_with_the_pages_filterset(api, city):
    TaskFactory(lead_unit=city.unit_a, state=TaskState.CLOSED)
    open_task = TaskFactory(lead_unit=city.unit_a)
    client = api(city.alice)
    response = client.get(reverse("api:task-list"), {"state": TaskState.ASSIGNED})
    assert [row["id"] for row in response.json()["results"]] == [open_task.pk]
    bad = client.get(reverse("api:task-list"), {"q": "x" * 101, "state": "nonsense"})
    assert bad.status_code == 400
    body = bad.json()
    assert body["code"] == "invalid"
    assert body["message"] == zh("The request is invalid; nothing was saved.")
    assert set(body["errors"]) == {"q", "state"}


def test_detail_lists_the_actions_this_person_may_take(api, city):
    task = TaskFactory(lead_unit=city.unit_a)
    body = api(city.lisa).get(detail(task)).json()
    assert "acknowledge" in body["allowed_actions"]
    assert "close" not in body["allowed_actions"]
    assert body["version"] == task.version


def test_acknowledge_moves_the_task_and_bumps_the_version(api, city):
    task = TaskFactory(lead_unit=city.unit_a)
    response = api(city.lisa).post(
        action(task, "acknowledge"), {"version": task.version}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == TaskState.ACKNOWLEDGED
    assert body["version"] == task.version + 1
    assert TaskEvent.objects.filter(task=task, kind=EventKind.ACKNOWLEDGED).count() == 1


def test_the_wrong_person_is_refused_with_403_and_a_code(api, city):
    task = TaskFactory(lead_unit=city.unit_a)
    response = api(city.alice).post(
        action(task, "acknowledge"), {"version": task.version}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {
        "code": "not_allowed",
        "message": zh("You may not do this on this task."),
    }
    task.refresh_from_db()
    assert task.state == TaskState.ASSIGNED


def test_the_wrong_state_is_a_409(api, city):
    task = TaskFactory(lead_unit=city.unit_a, state=TaskState.ACKNOWLEDGED)
    response = api(city.lisa).post(
        action(task, "acknowledge"), {"version": task.version}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "wrong_state"


def test_a_stale_version_gets_409_with_the_current_state_and_saves_nothing(api, city):
    task = TaskFactory(lead_unit=city.unit_a, state=TaskState.ACKNOWLEDGED, version=3)
    response = api(city.lisa).post(
        action(task, "report_progress"),
        {"version": 2, "text": "已完成选址", "percent": 40},
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale"
    assert body["current"]["version"] == 3
    assert body["current"]["state"] == TaskState.ACKNOWLEDGED
    assert body["current"]["id"] == task.pk
    assert not ProgressReport.objects.filter(task=task).exists()


def test_report_progress_goes_through_the_service(api, city):
    task = TaskFactory(lead_unit=city.unit_a, state=TaskState.ACKNOWLEDGED)
    response = api(city.uma).post(
        action(task, "report_progress"),
        {"version": task.version, "text": "已完成选址", "percent": 40},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == TaskState.IN_PROGRESS
    report = ProgressReport.objects.get(task=task)
    assert (report.percent, report.reporter) == (40, city.uma)
    listed = api(city.uma).get(reverse("api:task_progress_reports", args=[task.pk])).json()
    assert [row["id"] for row in listed["results"]] == [report.pk]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("已完成\x00选址", "invalid"),
        ("长" * 20_001, "invalid"),
        ("长" * (10 * 1024 * 1024), "too_large"),
    ],
    ids=["nul-byte", "over-the-field-limit", "ten-megabytes"],
)
def test_a_nul_byte_or_a_huge_string_is_a_400_and_saves_nothing(api, city, text, code):
    task = TaskFactory(lead_unit=city.unit_a, state=TaskState.ACKNOWLEDGED)
    response = api(city.uma).post(
        action(task, "report_progress"),
        {"version": task.version, "text": text, "percent": 40},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    if code == "invalid":
        assert "text" in body["errors"]
    else:
        assert body["message"] == zh("The request is too large.")
    assert not ProgressReport.objects.filter(task=task).exists()


def test_a_nul_byte_in_a_filter_is_a_400(api, city):
    response = api(city.alice).get(reverse("api:task-list"), {"q": "a\x00b"})
    assert response.status_code == 400
    assert "q" in response.json()["errors"]


def test_closing_needs_the_same_confirmation_as_the_page(api, city):
    task = TaskFactory(lead_unit=city.unit_a, state=TaskState.CLOSURE_REQUESTED)
    client = api(city.alice)
    refused = client.post(
        action(task, "close"), {"version": task.version, "confirm": False}, format="json"
    )
    assert refused.status_code == 400
    assert "confirm" in refused.json()["errors"]
    done = client.post(
        action(task, "close"), {"version": task.version, "confirm": True}, format="json"
    )
    assert done.status_code == 200
    assert done.json()["state"] == TaskState.CLOSED


def test_input_that_is_not_json_is_a_400(api, city):
    task = TaskFactory(lead_unit=city.unit_a)
    response = api(city.lisa).post(
        action(task, "acknowledge"), "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_the_office_registers_a_draft_task(api, city):
    response = api(city.alice).post(
        reverse("api:task-list"),
        {
            "title": "推进老旧小区改造",
            "origin": "other",
            "lead_unit": city.unit_a.pk,
            "co_units": [city.unit_b.pk],
            "deadline": "2026-12-31",
            "milestones": [{"planned_on": "2026-11-30", "percent": 50}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    task = Task.objects.get(pk=response.json()["id"])
    assert task.state == TaskState.DRAFT
    assert list(task.co_units.all()) == [city.unit_b]
    assert task.milestones.count() == 1


def test_a_unit_may_not_register_tasks(api, city):
    response = api(city.uma).post(
        reverse("api:task-list"),
        {"title": "x", "origin": "other", "lead_unit": city.unit_a.pk},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["message"] == zh("Only the supervision office registers tasks.")
    assert not Task.objects.exists()


def test_anonymous_requests_get_401_with_a_challenge(api, city):
    response = api().get(reverse("api:task-list"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


def test_unknown_api_paths_answer_json(api, city):
    response = api(city.alice).get("/api/nothing-here/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_paths_with_odd_characters_answer_json(api, city):
    response = api(city.alice).post("/api/tasks/%0A/resume/", {}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
