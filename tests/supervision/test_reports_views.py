"""The reports pages: the list (scoped, filtered, paginated, a pinned query count), the
generate form (bad input saves nothing), a report and its files, made from the snapshot."""

import datetime
import io

import docx
import openpyxl
import pytest
from django.urls import reverse
from django.utils.translation import gettext

from supervision.models import Report, ReportKind
from supervision.reports import Period, report_generate
from taskboard.choices import TaskState

from ..factories import TaskFactory

D = datetime.date
LIST = reverse("supervision:report_list")
GENERATE = reverse("supervision:report_create")


def bulletin(month: int, **fields) -> Report:
    start = D(2026, month, 1)
    end = (D(2026, month + 1, 1) if month < 12 else D(2027, 1, 1)) - datetime.timedelta(days=1)
    return report_generate(kind=ReportKind.MONTHLY_BULLETIN, period=Period(start, end), **fields)


@pytest.fixture
def october(city):
    TaskFactory(lead_unit=city.unit_a, state=TaskState.IN_PROGRESS, deadline=D(2026, 10, 20))
    TaskFactory(lead_unit=city.unit_b, state=TaskState.CLOSED, deadline=D(2026, 10, 20))
    return bulletin(10, by=city.alice)


def test_list_query_count_does_not_grow_with_the_reports(client, city, django_assert_num_queries):
    bulletin(1)
    client.force_login(city.alice)
    with django_assert_num_queries(10):
        assert client.get(LIST).status_code == 200
    for month in range(2, 13):
        bulletin(month, by=city.alice)
    report_generate(kind=ReportKind.YEAR_END, period=Period(D(2025, 1, 1), D(2025, 12, 31)))
    with django_assert_num_queries(10):
        response = client.get(LIST)
    assert len(response.context["page"]) == 13


def test_list_filters_by_kind_and_year(client, city, october):
    report_generate(kind=ReportKind.YEAR_END, period=Period(D(2025, 1, 1), D(2025, 12, 31)))
    client.force_login(city.mayor)

    by_kind = client.get(LIST, {"kind": ReportKind.YEAR_END}).context["page"]
    by_year = client.get(LIST, {"year": 2026}).context["page"]

    assert [report.kind for report in by_kind] == [ReportKind.YEAR_END]
    assert [report.pk for report in by_year] == [october.pk]


def test_unit_heads_see_reports_but_cannot_generate_them(client, city, october):
    client.force_login(city.uma)

    response = client.get(LIST)

    assert response.status_code == 200
    assert response.context["form"] is None
    assert client.get(reverse("supervision:report_detail", args=[october.pk])).status_code == 200
    posted = client.post(GENERATE, {"kind": ReportKind.MONTHLY_BULLETIN, "period": "2026-09"})
    assert posted.status_code == 403
    assert Report.objects.count() == 1


def test_people_without_a_role_see_no_reports(client, october):
    from ..factories import UserFactory

    client.force_login(UserFactory(username="nobody"))

    assert client.get(LIST).status_code == 403
    assert client.get(reverse("supervision:report_detail", args=[october.pk])).status_code == 403


def test_office_generates_a_bulletin_from_the_form(client, city):
    client.force_login(city.alice)

    response = client.post(GENERATE, {"kind": ReportKind.MONTHLY_BULLETIN, "period": "2026-10"})

    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:report_detail", args=[report.pk])
    assert report.generated_by == city.alice
    assert (report.period_start, report.period_end) == (D(2026, 10, 1), D(2026, 10, 31))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": ReportKind.MONTHLY_BULLETIN, "period": "2026-13"}, "period"),
        ({"kind": ReportKind.QUARTERLY_REVIEW, "period": ""}, "period"),
        ({"kind": ReportKind.EXECUTIVE_MEETING}, "meeting"),
        ({"kind": "weekly", "period": "2026-10"}, "kind"),
    ],
)
def test_bad_input_is_refused_with_an_error_and_saves_nothing(client, city, data, field):
    client.force_login(city.alice)

    response = client.post(GENERATE, data)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Report.objects.exists()


def test_the_report_page_shows_the_figures_and_offers_the_files(client, city, october):
    client.force_login(city.alice)

    response = client.get(reverse("supervision:report_detail", args=[october.pk]))

    content = response.content.decode()
    assert october.title in content
    assert city.unit_a.name in content
    for fmt in ("docx", "xlsx", "pdf"):
        assert reverse("supervision:report_file", args=[october.pk, fmt]) in content
    assert reverse("supervision:report_print", args=[october.pk]) in content


def test_files_are_made_from_the_snapshot_and_say_the_same_thing_later(client, city, october):
    client.force_login(city.alice)
    docx_url = reverse("supervision:report_file", args=[october.pk, "docx"])
    xlsx_url = reverse("supervision:report_file", args=[october.pk, "xlsx"])
    before_docx = _docx_text(client.get(docx_url).content)
    before_xlsx = _xlsx_cells(client.get(xlsx_url).content)

    # The ledger changes after the report was generated.
    TaskFactory(lead_unit=city.unit_a, state=TaskState.IN_PROGRESS, deadline=D(2026, 10, 3))
    response = client.get(docx_url)

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert _docx_text(response.content) == before_docx
    assert _xlsx_cells(client.get(xlsx_url).content) == before_xlsx
    assert october.title in before_docx
    assert city.unit_a.name in before_docx
    assert str(gettext("Supervision office")) in before_docx


def test_the_workbook_has_a_sheet_per_table_with_numbers_as_numbers(client, city, october):
    client.force_login(city.alice)

    content = client.get(reverse("supervision:report_file", args=[october.pk, "xlsx"])).content

    book = openpyxl.load_workbook(io.BytesIO(content))
    assert len(book.sheetnames) == 5  # summary, by unit, by source, named units, newly overdue
    by_unit = book.worksheets[1]
    rows = {row[0]: row for row in by_unit.iter_rows(min_row=2, values_only=True)}
    assert rows[city.unit_a.name][1] == 1  # tasks, as a number
    assert rows[city.unit_a.name][3] == "0.0%"


def test_pdf_and_print_view(client, city, october):
    client.force_login(city.alice)

    pdf = client.get(reverse("supervision:report_file", args=[october.pk, "pdf"]))
    printed = client.get(reverse("supervision:report_print", args=[october.pk]))

    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert printed.status_code == 200
    assert october.title in printed.content.decode()


def test_an_unknown_file_kind_is_not_found(client, city, october):
    client.force_login(city.alice)

    assert client.get(f"/supervision/reports/{october.pk}/report.exe").status_code == 404


def _docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _xlsx_cells(content: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets]
