"""The seeding commands leave the dashboard's tallies exact: the demo city (`make demo`)
through the services, the load data through an explicit recount after its bulk rows."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from taskboard import services
from taskboard.models import Task

from .test_tallies import assert_tallies_exact

pytestmark = pytest.mark.django_db


def test_the_demo_city_leaves_the_tallies_exact():
    call_command("seed_demo", stdout=StringIO())
    assert_tallies_exact()
    call_command("seed_demo_meetings", stdout=StringIO())
    assert_tallies_exact()
    call_command("seed_demo_directives", stdout=StringIO())
    assert Task.objects.count() > 100
    assert_tallies_exact()


def test_seed_load_recounts_the_tallies_even_when_no_light_changes(monkeypatch, tmp_path):
    """The daily refresh recounts only when a light changed; seed_load must not rely on it."""
    call_command("seed_demo", stdout=StringIO())
    before = Task.objects.count()
    monkeypatch.setitem(connection.settings_dict, "NAME", "duban_load")
    monkeypatch.setattr(services, "due_states_refresh", lambda **kwargs: 0)
    call_command(
        "seed_load",
        "--heads=2",
        "--tasks-per-head=1",
        "--extra-tasks=60",
        f"--accounts={tmp_path / 'accounts.json'}",
        stdout=StringIO(),
    )
    assert Task.objects.count() == before + 2 + 60
    assert_tallies_exact()
