"""Office staff import a clean proposals ledger from the proposals list and see the new
proposal listed."""

import io

import pytest
from openpyxl import Workbook

from directives.ledger import PROPOSAL_LEDGER
from directives.models import Proposal
from tests.playwright import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def proposals_file() -> bytes:
    cells = {
        "title": "关于增设社区养老服务站的建议",
        "origin": "建议提案",
        "lead_unit": "市发展和改革委员会",
        "proposal_kind": "建议",
        "proposal_year": 2026,
        "proposal_number": 321,
        "proposer": "王代表",
        "received_on": "2026-03-20",
    }
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "台账"
    sheet.append(PROPOSAL_LEDGER.headers)
    sheet.append([cells.get(column.key) for column in PROPOSAL_LEDGER.columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_office_imports_a_proposals_ledger_from_the_list(page, city):
    log_in(page, "alice")
    page.goto("/directives/proposals/")
    page.click("#ledger-import")
    page.wait_for_url("**/directives/proposals/ledger/import/")
    page.set_input_files(
        'input[name="file"]',
        files=[
            {
                "name": "建议提案台账.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": proposals_file(),
            }
        ],
    )
    with page.expect_navigation():
        page.click("button[name=import]")
    proposal = Proposal.objects.get(number=321)
    assert proposal.task.lead_unit == city.unit_a

    page.goto("/directives/proposals/")
    assert "关于增设社区养老服务站的建议" in page.locator("#proposals").inner_text()
