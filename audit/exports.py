"""The audit trail as CSV or Excel, for the records a search selected."""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

# Rows are streamed out of the database in chunks of this many.
CHUNK = 2000


def _header() -> list[str]:
    return [
        _("Time"),
        _("Username"),
        _("IP address"),
        _("Action"),
        _("Result"),
        _("Object type"),
        _("Object ID"),
        _("Object"),
        _("Method"),
        _("Path"),
        _("Status"),
    ]


def _rows(records):
    for record in records.iterator(chunk_size=CHUNK):
        yield [
            timezone.localtime(record.at).strftime("%Y-%m-%d %H:%M:%S"),
            record.username,
            record.ip or "",
            record.get_action_display(),
            record.get_result_display(),
            record.object_type,
            record.object_id,
            record.object_repr,
            record.method,
            record.path,
            record.status if record.status is not None else "",
        ]


def _filename(extension: str) -> str:
    return f"audit-{timezone.localdate():%Y%m%d}.{extension}"


def csv_response(records) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    # A byte-order mark, so Excel opens the Chinese as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(_header())
    writer.writerows(_rows(records))
    return response


def xlsx_response(records) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Audit records"))
    sheet.append(_header())
    for row in _rows(records):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response
