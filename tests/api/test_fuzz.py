"""Schemathesis against the API in-process (WSGI), as office staff with a token: every
operation, at least 100 generated requests each, positive and negative. No answer may be
a server error, and every answer must be documented (status, content type, body schema).

The data set is small on purpose: a few tasks in different states, a meeting with a
decision, and one of each source, so each operation runs in about a second."""

import datetime
import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from directives import services as directives
from meetings import services as meetings
from taskboard.choices import TaskState

from ..factories import TaskFactory

# Marked so that CI runs the fuzzing once (on PostgreSQL), not on both databases.
pytestmark = pytest.mark.fuzz

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The WSGI handler closes the database connection after each request, which would
    end the test's transaction; Django's test client does the same as this."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_data(city, token_for):
    """A small city and a token acting as office staff."""
    for number, state in enumerate(
        (
            TaskState.DRAFT,
            TaskState.ASSIGNED,
            TaskState.ACKNOWLEDGED,
            TaskState.CLOSURE_REQUESTED,
            TaskState.SUSPENDED,
        ),
    ):
        # Codes of another year, clear of the ones task_create numbers below.
        TaskFactory(year=2025, code=f"2025-{number:04d}", lead_unit=city.unit_a, state=state)
    day = datetime.date(2026, 10, 9)
    meeting = meetings.meeting_create(by=city.alice, kind="executive", date=day)
    meetings.decisions_create(
        meeting=meeting,
        by=city.alice,
        drafts=[
            meetings.DecisionDraft(
                text="市发展和改革委员会牵头推进项目", lead_unit=city.unit_a, deadline=day
            )
        ],
    )
    people = directives.UnitsAndPeople(lead_unit=city.unit_a)
    report = directives.work_report_create(
        by=city.alice, year=2026, title="政府工作报告", session_ended_on=day
    )
    directives.target_create(report=report, by=city.alice, text="GDP增长6%", people=people)
    directives.instruction_create(
        by=city.alice,
        leader=city.mayor,
        issued_on=day,
        kind="document",
        text="抓紧办理",
        people=people,
    )
    directives.proposal_create(
        by=city.alice,
        kind="proposal",
        year=2026,
        number=1,
        proposer="张三",
        title="建议",
        received_on=day,
        people=people,
    )
    _token, key = token_for(city.alice)
    return {"Authorization": f"Token {key}"}


def _schema():
    """The schema as /api/schema/ serves it, made without a request (collection time has
    no database), served to the WSGI app in-process."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document)))
    loaded.app = get_wsgi_application()
    return loaded


schema = _schema()


@schema.parametrize()
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_api_never_fails_and_answers_as_documented(case, fuzz_data):
    response = case.call_and_validate(headers=fuzz_data, checks=CHECKS)
    # The token works: the generated requests reach the views, not the authentication.
    assert response.status_code != 401
