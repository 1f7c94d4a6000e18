import os

import pytest

from tests.playwright import browser, page  # noqa: F401  (fixtures for every browser test)

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _available() -> dict[str, bool]:
    from django.db import connection

    return {
        "postgres": connection.vendor == "postgresql",
        "redis": os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"),
        "browser": os.path.exists("/usr/bin/chromium"),
    }


def pytest_collection_modifyitems(config, items):
    """Tests that need PostgreSQL, Redis or Chromium skip without them — unless
    REQUIRE_SERVICES=1, where a missing service fails the run instead."""
    available = _available()
    for item in items:
        for marker, present in available.items():
            if not item.get_closest_marker(marker) or present:
                continue
            if REQUIRE_SERVICES:
                raise pytest.UsageError(
                    f"REQUIRE_SERVICES=1 but {marker} is not available for {item.nodeid}"
                )
            item.add_marker(pytest.mark.skip(reason=f"needs {marker}"))


@pytest.fixture
def city(db):
    """Two units and one person in each role."""
    from types import SimpleNamespace

    from taskboard.choices import Role

    from .factories import UnitFactory, person

    unit_a = UnitFactory(name="市发展和改革委员会")
    unit_b = UnitFactory(name="市财政局")
    return SimpleNamespace(
        unit_a=unit_a,
        unit_b=unit_b,
        alice=person("alice", Role.OFFICE_STAFF),
        dirk=person("dirk", Role.OFFICE_DIRECTOR),
        dana=person("dana", Role.DEPUTY_DIRECTOR),
        uma=person("uma", Role.UNIT_HEAD, unit_a),
        lisa=person("lisa", Role.UNIT_LIAISON, unit_a),
        bob=person("bob", Role.UNIT_HEAD, unit_b),
        pat=person("pat", Role.PORTFOLIO_LEADER, portfolio=[unit_a]),
        mayor=person("mayor", Role.PRINCIPAL_LEADER),
        carl=person("carl", Role.COPY_RECIPIENT),
    )


@pytest.fixture(autouse=True)
def _two_factor_verified_in_tests(request, monkeypatch):
    """Log-ins in tests count as having given their TOTP code, so tests of other things
    need no authenticator; tests marked `two_factor` go through the real step."""
    if request.node.get_closest_marker("two_factor"):
        return
    from audit import two_factor

    monkeypatch.setattr(two_factor, "state_at_login", lambda user: two_factor.VERIFIED)


@pytest.fixture(autouse=True)
def _deadline_rules_after_a_flush(request):
    """Transactional tests flush every table, the rows of the data migrations (deadline
    rules, copy recipients) included; put them back for the transactional tests that follow."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    import importlib

    from django.apps import apps

    from supervision.models import CopyRecipient
    from taskboard.models import DeadlineRule

    if not DeadlineRule.objects.exists():
        importlib.import_module("taskboard.migrations.0002_deadline_rules").add_rules(apps, None)
    if not CopyRecipient.objects.exists():
        importlib.import_module("supervision.migrations.0002_notices").seed_copy_recipients(
            apps, None
        )
