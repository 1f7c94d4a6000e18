"""A report's files — print view, .docx, .pdf and .xlsx — made from its snapshot alone.

Nothing here reads tasks: a report downloaded again a year later says what it said the day
it was generated. The document body is one list of blocks; the .xlsx has a sheet per table
of that same list, so the spreadsheet and the paper never disagree.
"""

from __future__ import annotations

import datetime
import io

from django.utils import timezone
from django.utils.translation import gettext as _

from taskboard.choices import TaskOrigin

from .documents import Heading, OfficialDocument, Paragraph, Table, chinese_date
from .models import Grade, Report, ReportKind
from .scoring import DEDUCTIONS


def _date(iso: str) -> str:
    return chinese_date(datetime.date.fromisoformat(iso))


def _summary(figures: dict, as_of: str) -> Paragraph:
    return Paragraph(
        _(
            "As of %(date)s, %(total)s tasks are counted: %(closed)s closed, completion rate "
            "%(completion_rate)s; %(on_track)s closed or on schedule, on-track rate "
            "%(on_track_rate)s; %(overdue)s overdue and not closed, overdue rate "
            "%(overdue_rate)s."
        )
        % {"date": _date(as_of), **figures}
    )


def _figure_headers(first: str, period_columns: bool) -> list[str]:
    headers = [
        first,
        _("Tasks"),
        _("Closed"),
        _("Completion rate"),
        _("Closed or on schedule"),
        _("On-track rate"),
        _("Overdue"),
    ]
    if period_columns:
        headers += [_("Newly overdue in the period"), _("Closed in the period")]
    return headers


def _figure_row(label: str, row: dict, period_columns: bool) -> list[str]:
    cells = [
        label,
        row["total"],
        row["closed"],
        row["completion_rate"],
        row["on_track"],
        row["on_track_rate"],
        row["overdue"],
    ]
    if period_columns:
        cells += [row["newly_overdue"], row["closed_in_period"]]
    return [str(cell) for cell in cells]


def _figures_table(rows: list[dict], label_key: str, first: str, period_columns=True) -> Table:
    labels = dict(TaskOrigin.choices)
    return Table(
        headers=_figure_headers(first, period_columns),
        rows=[
            _figure_row(
                str(labels.get(row[label_key], row[label_key]))
                if label_key == "origin"
                else row[label_key],
                row,
                period_columns,
            )
            for row in rows
        ],
    )


def _list_note(count: int, shown: int) -> list[Paragraph]:
    if count <= shown:
        return []
    return [
        Paragraph(
            _("The first %(shown)s of %(count)s are listed; the ledger has them all.")
            % {"shown": shown, "count": count}
        )
    ]


def _monthly_bulletin(snapshot: dict) -> list:
    totals = snapshot["totals"]
    newly = snapshot["newly_overdue"]
    body = [
        _summary(totals, snapshot["as_of"]),
        Paragraph(
            _(
                "In the month %(newly_overdue)s tasks became overdue and %(closed_in_period)s "
                "were closed."
            )
            % totals
        ),
        Heading(_("1. By responsible unit")),
        _figures_table(snapshot["by_unit"], "unit", _("Unit")),
        Heading(_("2. By source of work")),
        _figures_table(snapshot["by_origin"], "origin", _("Source")),
        Heading(_("3. Units with overdue tasks")),
    ]
    if snapshot["named_units"]:
        body.append(
            Table(
                headers=[_("Unit"), _("Overdue and not closed"), _("Newly overdue in the period")],
                rows=[
                    [row["unit"], str(row["overdue"]), str(row["newly_overdue"])]
                    for row in snapshot["named_units"]
                ],
            )
        )
    else:
        body.append(Paragraph(_("No unit has an overdue task.")))
    body.append(Heading(_("4. Tasks that became overdue in the month")))
    if newly["items"]:
        body.append(
            Table(
                headers=[_("Code"), _("Task"), _("Lead unit"), _("Deadline")],
                rows=[
                    [item["code"], item["title"], item["unit"], item["deadline"]]
                    for item in newly["items"]
                ],
            )
        )
        body += _list_note(newly["count"], len(newly["items"]))
    else:
        body.append(Paragraph(_("None.")))
    return body


def _quarterly_review(snapshot: dict) -> list:
    rule = snapshot["rule"]
    grades = dict(Grade.choices)
    counts = snapshot["grade_counts"]
    body = [
        _summary(snapshot["totals"], snapshot["as_of"]),
        Heading(_("1. Grades")),
        Paragraph(
            _(
                "Each unit starts from %(start_score)s points and loses %(per_overdue_as_lead)s "
                "per overdue task it leads, %(per_overdue_as_co_unit)s per overdue task it "
                "cooperates on, %(per_late_report)s per late progress report and "
                "%(per_returned_closure)s per returned closure request. Excellent from "
                "%(excellent_from)s points, Good from %(good_from)s, Satisfactory from "
                "%(pass_from)s; below that Unsatisfactory."
            )
            % rule
        ),
        Paragraph("; ".join(f"{label} {counts.get(grade, 0)}" for grade, label in grades.items())),
        Table(
            headers=[
                _("Unit"),
                _("Overdue as lead"),
                _("Points"),
                _("Overdue as co-unit"),
                _("Points"),
                _("Late progress reports"),
                _("Points"),
                _("Returned closure requests"),
                _("Points"),
                _("Score"),
                _("Grade"),
            ],
            rows=[
                [
                    row["unit"],
                    *[
                        cell
                        for key, _field in DEDUCTIONS
                        for cell in (str(row[key]), f"-{row[f'{key}_points']}")
                    ],
                    row["score"],
                    str(grades[row["grade"]]),
                ]
                for row in snapshot["grades"]
            ],
        ),
        Heading(_("2. By responsible unit")),
        _figures_table(snapshot["by_unit"], "unit", _("Unit")),
        Heading(_("3. By source of work")),
        _figures_table(snapshot["by_origin"], "origin", _("Source")),
    ]
    return body


STATUS_LABELS = {
    "closed": lambda: _("Closed"),
    "running": lambda: _("On schedule"),
    "behind": lambda: _("Behind schedule"),
    "overdue": lambda: _("Overdue and not closed"),
    "suspended": lambda: _("Suspended"),
    "not_counted": lambda: _("Not counted (draft or cancelled)"),
}


def _status(key: str) -> str:
    return str(STATUS_LABELS[key]())


def _work_report(snapshot: dict) -> list:
    totals = snapshot["totals"]
    lagging = snapshot["lagging"]
    body = [
        Paragraph(
            _(
                "As of %(date)s the work report has %(total)s targets: %(closed)s completed, "
                "%(on_track)s completed or on schedule (%(on_track_rate)s); completion rate "
                "%(completion_rate)s."
            )
            % {"date": _date(snapshot["as_of"]), **totals}
        ),
        Heading(_("1. By responsible unit")),
        _figures_table(snapshot["by_unit"], "unit", _("Unit"), period_columns=False),
        Heading(_("2. Targets neither completed nor on schedule")),
    ]
    if lagging["items"]:
        body.append(
            Table(
                headers=[_("Code"), _("Target"), _("Lead unit"), _("Deadline"), _("Status")],
                rows=[
                    [
                        item["code"],
                        item["title"],
                        item["unit"],
                        item["deadline"],
                        _status(item["status"]),
                    ]
                    for item in lagging["items"]
                ],
            )
        )
        body += _list_note(lagging["count"], len(lagging["items"]))
    else:
        body.append(Paragraph(_("None.")))
    return body


def _executive_meeting(snapshot: dict) -> list:
    totals = snapshot["totals"]
    series_totals = snapshot["series_totals"]
    intro = _(
        "The %(meeting)s (%(date)s) took %(total)s decisions that are counted; as of "
        "%(as_of)s %(closed)s are closed, completion rate %(completion_rate)s, and "
        "%(overdue)s are overdue."
    ) % {
        "meeting": snapshot["meeting"],
        "date": _date(snapshot["meeting_date"]),
        "as_of": _date(snapshot["as_of"]),
        **totals,
    }
    body = []
    if snapshot["next_meeting"]:
        body.append(
            Paragraph(
                _("For the %(meeting)s, first item of the agenda.")
                % {"meeting": snapshot["next_meeting"]}
            )
        )
    body += [
        Paragraph(intro),
        Heading(_("1. The decisions")),
        Table(
            headers=[
                _("No."),
                _("Decision"),
                _("Lead unit"),
                _("Deadline"),
                _("Status"),
                _("Latest progress"),
            ],
            rows=[
                [
                    str(row["number"]),
                    row["text"],
                    row["unit"],
                    row["deadline"],
                    _status(row["status"]),
                    row["progress"],
                ]
                for row in snapshot["decisions"]
            ],
        ),
        Heading(_("2. This year's executive meetings so far")),
        Table(
            headers=[_("Meeting"), _("Date"), _("Decisions"), _("Closed"), _("Completion rate")],
            rows=[
                [
                    row["meeting"],
                    row["date"],
                    str(row["total"]),
                    str(row["closed"]),
                    row["completion_rate"],
                ]
                for row in snapshot["series"]
            ]
            + [
                [
                    _("Total"),
                    "",
                    str(series_totals["total"]),
                    str(series_totals["closed"]),
                    series_totals["completion_rate"],
                ]
            ],
        ),
    ]
    return body


BODIES = {
    ReportKind.MONTHLY_BULLETIN: _monthly_bulletin,
    ReportKind.QUARTERLY_REVIEW: _quarterly_review,
    ReportKind.HALF_YEAR: _work_report,
    ReportKind.YEAR_END: _work_report,
    ReportKind.EXECUTIVE_MEETING: _executive_meeting,
}


def report_document(report: Report) -> OfficialDocument:
    """The report as an official document, from its snapshot only."""
    return OfficialDocument(
        title=report.title,
        body=BODIES[report.kind](report.snapshot),
        signature=_("Supervision office"),
        date=timezone.localtime(report.generated_at).date(),
    )


def document_blocks(document: OfficialDocument) -> list[dict]:
    """The body as plain dicts for a page template (which cannot ask a block its type)."""
    blocks = []
    for block in document.body:
        if isinstance(block, Table):
            blocks.append({"kind": "table", "headers": block.headers, "rows": block.rows})
        else:
            kind = "heading" if isinstance(block, Heading) else "paragraph"
            blocks.append({"kind": kind, "text": block.text})
    return blocks


def report_xlsx(report: Report) -> bytes:
    """The report's tables as a workbook: a first sheet with the title and the text, then
    one sheet per table, named after the heading above it."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    document = report_document(report)
    book = Workbook()
    summary = book.active
    summary.title = _("Summary")[:31]
    summary.append([document.title])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([_("Period"), f"{report.period_start} – {report.period_end}"])
    summary.append([_("Figures as of"), report.as_of.isoformat()])
    heading = document.title
    used: set[str] = {summary.title}
    for block in document.body:
        if isinstance(block, Heading):
            heading = block.text
            summary.append([block.text])
        elif isinstance(block, Paragraph):
            summary.append([block.text])
        else:
            sheet = book.create_sheet(_sheet_name(heading, used))
            sheet.append(block.headers)
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for row in block.rows:
                sheet.append([_number(cell) for cell in row])
            sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(heading: str, used: set[str]) -> str:
    name = "".join(ch for ch in heading if ch not in "[]:*?/\\")[:28] or "Sheet"
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name} {n}", n + 1
    used.add(candidate)
    return candidate


def _number(cell: str):
    """Counts go into the sheet as numbers, so they sum; everything else as printed."""
    return int(cell) if isinstance(cell, str) and cell.isdigit() else cell
