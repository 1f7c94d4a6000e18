"""Office staff register a leader's instruction for two units and assign it; the task page
leads back to the instruction."""

import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from directives.models import Instruction
from taskboard.choices import TaskState
from taskboard.models import DeadlineRule
from tests.playwright import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rules(transactional_db):
    # A transactional test before this one may have flushed the migration's rows.
    if not DeadlineRule.objects.exists():
        importlib.import_module("taskboard.migrations.0002_deadline_rules").add_rules(apps, None)


def test_office_registers_an_instruction_for_two_units_and_assigns_it(page, city, rules):  # noqa: F811
    city.mayor.profile.title = "市长"
    city.mayor.profile.save()
    log_in(page, "alice")
    page.goto("/directives/instructions/new/")
    page.select_option("#id_leader", str(city.mayor.pk))
    page.fill("#id_issued_on", timezone.localdate().isoformat())
    page.select_option("#id_kind", "letter")
    page.fill("#id_reference", "市长信箱〔2026〕215号")
    page.fill("#id_text", "请市发改委牵头、市财政局配合，一周内答复来信群众。")
    page.select_option("#id_lead_unit", str(city.unit_a.pk))
    page.select_option("#id_co_units", [str(city.unit_b.pk)])
    page.click("button[name=save]")

    instruction = Instruction.objects.get()
    page.wait_for_url(f"**/directives/instructions/{instruction.pk}/")
    page.click("button[name=assign]")
    assigned = page.locator('#tasks [data-state="assigned"]')
    assigned.wait_for()
    task = instruction.task
    task.refresh_from_db()
    assert task.state == TaskState.ASSIGNED
    assert (task.lead_unit, list(task.co_units.all())) == (city.unit_a, [city.unit_b])

    page.click(f'#tasks a.task-link[data-task="{task.pk}"]')
    page.wait_for_url(f"**/tasks/{task.pk}/")
    source = page.locator("a.source-link")
    assert "市长" in source.inner_text()
    source.click()
    page.wait_for_url(f"**/directives/instructions/{instruction.pk}/")
    assert page.locator("#instruction-text").inner_text().startswith("请市发改委牵头")
