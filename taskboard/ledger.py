"""The task ledger (台账) as an Excel workbook: the import template, the export of any task
list, and the import that creates and corrects tasks from a filled-in sheet.

The sheet is for the office's Chinese users, so its headers, labels and instructions are
Chinese data written here, not translated strings. Messages about bad rows are for the
person who uploaded the file and go through gettext like every other message.

An import reads and checks every row before it writes anything; if any row is wrong, it
writes nothing. A clean file is written in one transaction through the task services, so
the ledger follows the same rules, events and notifications as the pages."""

from __future__ import annotations

import datetime
import logging
import re
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import IO

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from .choices import FeedbackCadence, Role, TaskOrigin, TaskState
from .models import Task, Unit, role_of
from .services import (
    ActionNotAllowed,
    TaskActionError,
    is_office,
    task_assign,
    task_create,
    task_update,
)

logger = logging.getLogger(__name__)

MAX_LEDGER_BYTES = 5 * 1024 * 1024
# A zip of 5 MB can unpack to gigabytes; refuse before openpyxl unpacks it.
MAX_UNPACKED_BYTES = 32 * 1024 * 1024
MAX_ROWS = 5_000
# Rows fetched per query when exporting; co-units are prefetched once per chunk.
EXPORT_CHUNK = 2_000

DATA_SHEET = "台账"
INSTRUCTIONS_SHEET = "说明"

# ---------------------------------------------------------------------------
# Chinese labels ↔ stored values

ORIGIN_LABELS = {
    TaskOrigin.WORK_REPORT: "政府工作报告目标任务",
    TaskOrigin.MEETING: "会议议定事项",
    TaskOrigin.INSTRUCTION: "领导批示",
    TaskOrigin.SUPERIOR: "上级交办",
    TaskOrigin.PROPOSAL: "建议提案",
    TaskOrigin.KEY_PROJECT: "重点项目和民生实事",
    TaskOrigin.OTHER: "其他",
}
ORIGIN_ALIASES = {
    "政府工作报告": TaskOrigin.WORK_REPORT,
    "两报告": TaskOrigin.WORK_REPORT,
    "会议": TaskOrigin.MEETING,
    "批示": TaskOrigin.INSTRUCTION,
    "上级交办事项": TaskOrigin.SUPERIOR,
    "人大代表建议": TaskOrigin.PROPOSAL,
    "政协委员提案": TaskOrigin.PROPOSAL,
    "重点项目": TaskOrigin.KEY_PROJECT,
    "为民办实事": TaskOrigin.KEY_PROJECT,
    "民生实事": TaskOrigin.KEY_PROJECT,
}
CADENCE_LABELS = {
    FeedbackCadence.WEEKLY: "周",
    FeedbackCadence.MONTHLY: "月",
    FeedbackCadence.QUARTERLY: "季",
    FeedbackCadence.ONCE: "办结时",
}
CADENCE_ALIASES = {
    "每周": FeedbackCadence.WEEKLY,
    "每月": FeedbackCadence.MONTHLY,
    "每季": FeedbackCadence.QUARTERLY,
    "季度": FeedbackCadence.QUARTERLY,
    "每季度": FeedbackCadence.QUARTERLY,
    "办结时一次": FeedbackCadence.ONCE,
    "一次": FeedbackCadence.ONCE,
}
STATE_LABELS = {
    TaskState.DRAFT: "草稿",
    TaskState.ASSIGNED: "已交办",
    TaskState.ACKNOWLEDGED: "已签收",
    TaskState.IN_PROGRESS: "办理中",
    TaskState.CLOSURE_REQUESTED: "申请办结",
    TaskState.RETURNED: "已退回",
    TaskState.CLOSED: "已销号",
    TaskState.SUSPENDED: "已暂停",
    TaskState.CANCELLED: "已撤销",
}
LEADER_ROLES = {Role.PORTFOLIO_LEADER, Role.PRINCIPAL_LEADER}


def lookup(labels: dict, aliases: dict) -> dict[str, str]:
    # Labels, their aliases and the stored values themselves all name a choice.
    return {**{str(v): v for v in labels}, **aliases, **{label: v for v, label in labels.items()}}


ORIGIN_BY_LABEL = lookup(ORIGIN_LABELS, ORIGIN_ALIASES)
CADENCE_BY_LABEL = lookup(CADENCE_LABELS, CADENCE_ALIASES)

# ---------------------------------------------------------------------------
# Errors


@dataclass(frozen=True)
class RowError:
    """What is wrong with one cell of the file: the row as Excel numbers it, the column's
    header, a code for programs and a message for people. `row` is None for the file as a
    whole; `column` is empty when the whole row is concerned."""

    row: int | None
    column: str
    code: str
    message: str


class CellError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


# ---------------------------------------------------------------------------
# Reading one cell

_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_SEPARATORS = re.compile(r"[、，,；;\n]+")
# OOXML writes characters XML cannot hold as _xHHHH_ (Excel: a line break's \r as _x000D_).
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_NEEDS_ESCAPE = re.compile(rf"_(?=x[0-9A-Fa-f]{{4}}_)|\r|{ILLEGAL_CHARACTERS_RE.pattern}")
# Excel serial numbers between 1954 and 2119: a date cell that lost its date format.
_SERIALS = range(20_000, 80_000)


def _raw_text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, datetime.datetime):
        return raw.date().isoformat() if raw.time() == datetime.time() else raw.isoformat(" ")
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    value = str(raw)
    if "_x" not in value:
        return value
    return _ESCAPED.sub(lambda match: chr(int(match.group(1), 16)), value)


def text(raw, limit: int, *, strip: bool = True) -> str:
    value = _raw_text(raw)
    if "\x00" in value:
        raise CellError("nul", _("Text may not contain null characters."))
    if len(value) > limit:
        raise CellError(
            "too_long",
            _("At most %(limit)s characters are allowed; this cell has %(length)s.")
            % {"limit": limit, "length": len(value)},
        )
    if strip or not value.strip():
        return value.strip()
    return value


def date(raw) -> datetime.date | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool) and int(raw) in _SERIALS:
        return from_excel(raw).date()
    value = text(raw, 50)
    match = _DATE_TEXT.match(value)
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise CellError(
        "bad_date",
        _("“%(value)s” is not a date. Write it as 2026-03-05, 2026/03/05 or 2026年3月5日.")
        % {"value": value},
    )


def positive_integer(raw, maximum: int = 32_767) -> int | None:
    """A whole number from 1 to `maximum`, written as a number or as text; None if blank."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    else:
        written = text(raw, 20)
        if not written:
            return None
        value = int(written) if written.isascii() and written.isdigit() else 0
        raw = written
    if not 1 <= value <= maximum:
        raise CellError(
            "bad_number",
            _("“%(value)s” is not a whole number from 1 to %(maximum)s.")
            % {"value": raw, "maximum": maximum},
        )
    return value


def choice(raw, by_label: dict[str, str], labels: dict, code: str) -> str | None:
    """The stored value a label (or an alias, or the value itself) names; None if blank."""
    return _choice(raw, by_label, labels, code)


def _choice(raw, by_label: dict[str, str], labels: dict, code: str) -> str | None:
    value = text(raw, 50)
    if not value:
        return None
    if value not in by_label:
        raise CellError(
            code,
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": value, "choices": "、".join(labels.values())},
        )
    return by_label[value]


# ---------------------------------------------------------------------------
# Units and people by name


class Directory:
    """Units and people by the names a ledger gives them; each list is loaded in one query."""

    @cached_property
    def _units(self) -> tuple[dict[str, Unit], dict[str, list[Unit]]]:
        by_name, by_short_name = {}, defaultdict(list)
        for unit in Unit.objects.all():
            by_name[unit.name] = unit
            if unit.short_name:
                by_short_name[unit.short_name].append(unit)
        return by_name, by_short_name

    def unit(self, name: str) -> Unit:
        by_name, by_short_name = self._units
        if name in by_name:
            return by_name[name]
        if len(by_short_name.get(name, ())) == 1:
            return by_short_name[name][0]
        raise CellError("unknown_unit", _("No unit is named “%(name)s”.") % {"name": name})

    @cached_property
    def _people(self) -> tuple[dict[str, list], dict[int, object]]:
        by_name, by_pk = defaultdict(list), {}
        for person in get_user_model().objects.select_related("profile"):
            by_pk[person.pk] = person
            full_name = person.get_full_name()
            for name in {person.get_username(), full_name, full_name.replace(" ", "")}:
                if name:
                    by_name[name].append(person)
        return by_name, by_pk

    def person(self, name: str):
        found = self._people[0].get(name, [])
        if not found:
            raise CellError("unknown_person", _("No person is named “%(name)s”.") % {"name": name})
        if len(found) > 1:
            raise CellError(
                "ambiguous_person",
                _("Several people are named “%(name)s”; write the username instead.")
                % {"name": name},
            )
        return found[0]

    def person_label(self, pk: int | None) -> str:
        """The name to write for a person: the full name if it names only them."""
        if pk is None:
            return ""
        by_name, by_pk = self._people
        person = by_pk[pk]
        full_name = person.get_full_name()
        if full_name and by_name[full_name] == [person]:
            return full_name
        return person.get_username()


def _unit(raw, directory: Directory) -> Unit | None:
    name = text(raw, 100)
    return directory.unit(name) if name else None


def _units(raw, directory: Directory) -> list[Unit]:
    names = dict.fromkeys(n.strip() for n in _SEPARATORS.split(text(raw, 2_000)) if n.strip())
    return [directory.unit(name) for name in names]


def _person(raw, directory: Directory):
    name = text(raw, 150)
    return directory.person(name) if name else None


# ---------------------------------------------------------------------------
# The spec


@dataclass(frozen=True)
class Column:
    """One column of a ledger: its Chinese header, how a task fills it on export and how a
    cell is read on import (`parse` is None for a column that is only exported)."""

    key: str
    header: str
    width: int
    help: str
    value: Callable[[Task, Directory], object]
    parse: Callable[[object, Directory], object] | None = None
    required: bool = False
    choices: tuple[str, ...] = ()


class LedgerHooks:
    """What a source app adds to the import of its ledger. One instance serves one import,
    for the person `by`, so it may keep what `prepare` loads. The defaults are the task
    ledger's own behaviour: rows are found by code only and written as tasks."""

    # A new row whose title and lead unit are an existing task's is taken for a re-upload
    # and refused. A source that finds its rows by a key of its own (`find`) turns this off.
    refuse_duplicate_titles = True

    def __init__(self, spec: LedgerSpec, by):
        self.spec, self.by = spec, by

    def prepare(self, rows: list[tuple[int, dict[str, object]]]) -> None:
        """Called once, before any row is checked, with each row's number and parsed values
        (a cell that could not be read is missing); load here what the checks need."""

    def find(self, values: dict[str, object]) -> Task | None:
        """The existing task a row without a code stands for, if the source can tell."""
        return None

    def check(self, plan: RowPlan, error: Callable[[str, str, str], None]) -> None:
        """The source's checks of one row, before the task ledger's own; may normalise
        `plan.values`. Report a problem with error(column key, code, message)."""

    def apply(self, row: RowPlan) -> tuple[str, Task]:
        """Write one checked row, inside the import's transaction; (outcome, task)."""
        return apply_task_row(row, self.by)


@dataclass(frozen=True)
class LedgerSpec:
    """The columns of a ledger, in order. A source app makes its own ledger by extending the
    task ledger with its columns and, to write them, its own `hooks`; without hooks the
    import writes the task columns and checks, but does not write, columns it does not
    know. `instructions` are the source's lines on the instructions sheet; the export
    joins `export_related` and sorts by `export_order`."""

    name: str
    columns: tuple[Column, ...]
    hooks: type[LedgerHooks] = LedgerHooks
    title: str = "督办事项台账"
    instructions: tuple[str, ...] = ()
    export_related: tuple[str, ...] = ()
    export_order: tuple[str, ...] = ("-year", "-code")

    def extended(self, name: str, *columns: Column, **changes) -> LedgerSpec:
        keys = {column.key for column in self.columns}
        clashes = [column.key for column in columns if column.key in keys]
        if clashes:
            raise ValueError(f"{self.name} already has columns {clashes}")
        return replace(self, name=name, columns=self.columns + tuple(columns), **changes)

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def header(self, key: str) -> str:
        return next((column.header for column in self.columns if column.key == key), "")


TASK_LEDGER = LedgerSpec(
    name="tasks",
    columns=(
        Column(
            "code",
            "编号",
            12,
            "事项编号，由系统生成。留空：新增一条督办事项；填写已有编号：按编号更新该事项。",
            lambda task, d: task.code,
            lambda raw, d: text(raw, 20),
        ),
        Column(
            "title",
            "标题",
            40,
            "督办事项的标题，必填，不超过300字。",
            lambda task, d: task.title,
            lambda raw, d: text(raw, 300),
            required=True,
        ),
        Column(
            "requirement",
            "工作要求",
            60,
            "具体工作要求，不超过20000字；单元格内可换行。",
            lambda task, d: task.requirement,
            lambda raw, d: text(raw, 20_000, strip=False),
        ),
        Column(
            "origin",
            "来源类别",
            20,
            "必填，从下拉列表中选择："
            + "、".join(ORIGIN_LABELS.values())
            + "。已有事项的来源类别不能修改。",
            lambda task, d: ORIGIN_LABELS.get(task.origin, task.origin),
            lambda raw, d: _choice(raw, ORIGIN_BY_LABEL, ORIGIN_LABELS, "unknown_origin"),
            required=True,
            choices=tuple(ORIGIN_LABELS.values()),
        ),
        Column(
            "lead_leader",
            "牵头领导",
            12,
            "分管领导或主要领导的姓名或用户名；有重名时填用户名。可留空。",
            lambda task, d: d.person_label(task.lead_leader_id),
            _person,
        ),
        Column(
            "lead_unit",
            "牵头单位",
            24,
            "必填，填写系统中登记的单位名称（全称或简称）。",
            lambda task, d: task.lead_unit.name,
            _unit,
            required=True,
        ),
        Column(
            "co_units",
            "协办单位",
            30,
            "可留空；多个单位用“、”“，”或“,”分隔。",
            lambda task, d: "、".join(unit.name for unit in task.co_units.all()),
            _units,
        ),
        Column(
            "owner",
            "责任人",
            12,
            "姓名或用户名；有重名时填用户名。可留空。",
            lambda task, d: d.person_label(task.owner_id),
            _person,
        ),
        Column(
            "assigned_on",
            "交办日期",
            12,
            "日期。新增事项同时填写交办日期和办结时限的，导入后直接交办；只填办结时限的，导入为草稿。"
            "已交办事项的交办日期不能修改。",
            lambda task, d: task.assigned_on,
            lambda raw, d: date(raw),
        ),
        Column(
            "deadline",
            "办结时限",
            12,
            "日期，不得早于交办日期。已交办事项的办结时限只能通过申请延期调整，不能在台账中修改。",
            lambda task, d: task.deadline,
            lambda raw, d: date(raw),
        ),
        Column(
            "feedback_cadence",
            "反馈频次",
            10,
            "从下拉列表中选择："
            + "、".join(CADENCE_LABELS.values())
            + "。留空：新增事项按月，已有事项不变。",
            lambda task, d: CADENCE_LABELS.get(task.feedback_cadence, task.feedback_cadence),
            lambda raw, d: _choice(raw, CADENCE_BY_LABEL, CADENCE_LABELS, "unknown_cadence"),
            choices=tuple(CADENCE_LABELS.values()),
        ),
        Column(
            "state",
            "状态",
            10,
            "只读：导出时供参考，导入时忽略。",
            lambda task, d: STATE_LABELS.get(task.state, task.state),
        ),
    ),
)

# Source apps register their ledgers here (in AppConfig.ready()); pages find them by name.
_ledgers: dict[str, LedgerSpec] = {}


def register(spec: LedgerSpec) -> None:
    _ledgers[spec.name] = spec


def ledger_named(name: str) -> LedgerSpec:
    return _ledgers[name]


register(TASK_LEDGER)

GENERAL_INSTRUCTIONS = [
    "督办事项台账填写说明",
    "1. 请在“台账”工作表中填写，第一行为列名，请勿修改或删除列名；每行一项督办事项，空行会被跳过。",
    "2. 编号留空的行新增督办事项（先登记为草稿，同时填写交办日期和办结时限的直接交办）；"
    "编号已填写的行按编号更新该事项，只修改与系统中不同的内容。",
    "3. 更新已有事项时，留空的单元格表示清空该项（反馈频次留空则保持不变）；"
    "来源类别不能修改；已交办事项的交办日期不能修改，办结时限请通过申请延期调整。",
    "4. 日期可以是 Excel 日期，也可以写成 2026-03-05、2026/03/05 或 2026年3月5日。",
    "5. 导入前系统会逐行检查。只要有一行有误，整个文件都不导入，"
    "页面会列出每个错误所在的行号、列名和原因；"
    "改正后重新上传即可。",
    "6. 把导出的台账改好后再导入，会按编号更新；原样重新导入不会产生任何修改。",
    f"7. 文件须为 .xlsx 格式，不超过 {MAX_LEDGER_BYTES // (1024 * 1024)} MB，最多 {MAX_ROWS} 行。",
]


# ---------------------------------------------------------------------------
# Writing a workbook


def _cell_text(value: str) -> str:
    # The inverse of reading: keep characters XML cannot hold, \r, and a literal "_x0041_".
    def escape(match: re.Match) -> str:
        return f"_x{ord(match.group(0)[0]):04X}_"

    return _NEEDS_ESCAPE.sub(escape, value)


def _write_workbook(spec: LedgerSpec, rows: Iterable[list]) -> IO[bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.choices:
            sheet.data_validations.append(
                DataValidation(
                    type="list",
                    formula1='"' + ",".join(column.choices) + '"',
                    allow_blank=True,
                    sqref=f"{letter}2:{letter}{MAX_ROWS + 1}",
                )
            )
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    header = []
    for column in spec.columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font, cell.fill = bold, fill
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_cell_text(value) if isinstance(value, str) else value for value in row])
    _write_instructions(workbook.create_sheet(INSTRUCTIONS_SHEET), spec)
    # The caller streams the file and closes it (FileResponse does).
    file = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(file)
    file.seek(0)
    return file


def _write_instructions(sheet, spec: LedgerSpec) -> None:
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = 90
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    title = WriteOnlyCell(sheet, value=f"{spec.title}填写说明")
    title.font = bold
    sheet.append([title])
    for line in GENERAL_INSTRUCTIONS[1:]:
        sheet.append([line])
    if spec.instructions:
        sheet.append([])
        for line in spec.instructions:
            sheet.append([line])
    sheet.append([])
    header = []
    for title in ("列名", "是否必填", "填写说明"):
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for column in spec.columns:
        explanation = WriteOnlyCell(sheet, value=column.help)
        explanation.alignment = wrap
        required = "只读" if column.parse is None else ("必填" if column.required else "")
        sheet.append([column.header, required, explanation])


def ledger_template(*, spec: LedgerSpec = TASK_LEDGER) -> IO[bytes]:
    """An empty ledger to fill in: the headers, dropdowns and the instructions sheet."""
    return _write_workbook(spec, ())


def ledger_export(*, tasks: QuerySet[Task], spec: LedgerSpec = TASK_LEDGER) -> IO[bytes]:
    """These tasks as a ledger with the template's columns, ready to correct and re-import.
    The caller scopes and filters `tasks`; the query count does not grow with the rows
    (one more co-unit query per EXPORT_CHUNK rows)."""
    directory = Directory()
    tasks = (
        tasks.select_related("lead_unit", *spec.export_related)
        .prefetch_related("co_units")
        .order_by(*spec.export_order)
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    rows = ([column.value(task, directory) for column in spec.columns] for task in tasks)
    return _write_workbook(spec, rows)


# ---------------------------------------------------------------------------
# Reading a workbook


@dataclass(frozen=True)
class SheetRow:
    """One filled-in row: its number as Excel shows it and its cells by column key."""

    number: int
    cells: dict[str, object]


def check_ledger_file(upload) -> None:
    """Refuse a file that is too big, not an .xlsx, or a zip that would unpack too far."""
    name = getattr(upload, "name", "") or ""
    if not name.lower().endswith(".xlsx"):
        raise ValidationError(_("Upload the ledger as an Excel .xlsx file."), code="not_xlsx")
    if upload.size > MAX_LEDGER_BYTES:
        raise ValidationError(
            _("The file is larger than %(limit)s MB.")
            % {"limit": MAX_LEDGER_BYTES // (1024 * 1024)},
            code="too_big",
        )
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    not_xlsx = ValidationError(
        _("This file is not an Excel .xlsx workbook. Save it as .xlsx and upload it again."),
        code="not_xlsx",
    )
    if head != b"PK\x03\x04":
        raise not_xlsx
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise not_xlsx from None
    finally:
        upload.seek(0)
    if "xl/workbook.xml" not in {entry.filename for entry in entries}:
        raise not_xlsx
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        raise ValidationError(
            _("The workbook holds too much data to import at once; split it into smaller files."),
            code="too_big",
        )


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_name(value) -> str:
    return str(value).strip().rstrip("*＊").strip() if value is not None else ""


def ledger_read(*, file, spec: LedgerSpec = TASK_LEDGER) -> tuple[list[SheetRow], list[RowError]]:
    """The filled-in rows of the ledger sheet, or what makes the file unreadable."""
    try:
        check_ledger_file(file)
    except ValidationError as error:
        return [], [RowError(None, "", error.code or "not_xlsx", error.messages[0])]
    unreadable = RowError(
        None, "", "unreadable", _("The workbook could not be read. Save it again as .xlsx.")
    )
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:
        # openpyxl raises many kinds of error on a malformed file; all mean the same here.
        logger.info("unreadable ledger upload", exc_info=True)
        return [], [unreadable]
    try:
        names = workbook.sheetnames
        sheet = workbook[DATA_SHEET] if DATA_SHEET in names else workbook.worksheets[0]
        # The recorded dimensions may be wrong or missing; read the cells that are there.
        sheet.reset_dimensions()
        raw_rows = sheet.iter_rows(values_only=True)
        header = next(raw_rows, ())
        data = []
        for number, values in enumerate(raw_rows, start=2):
            if all(_is_blank(value) for value in values):
                continue
            if len(data) == MAX_ROWS:
                return [], [
                    RowError(
                        number,
                        "",
                        "too_many_rows",
                        _("A ledger may have at most %(count)s rows.") % {"count": MAX_ROWS},
                    )
                ]
            data.append((number, values))
    except Exception:
        logger.info("unreadable ledger upload", exc_info=True)
        return [], [unreadable]
    finally:
        workbook.close()
    return _rows_by_header(header, data, spec)


def _rows_by_header(header, data, spec: LedgerSpec) -> tuple[list[SheetRow], list[RowError]]:
    by_header = {column.header: column for column in spec.columns}
    positions: dict[str, int] = {}
    errors = []
    for position, value in enumerate(header):
        column = by_header.get(_header_name(value))
        if column is None:
            continue  # a column of the person's own (notes, say) is ignored
        if column.key in positions:
            errors.append(
                RowError(1, column.header, "duplicate_column", _("This column appears twice."))
            )
        positions[column.key] = position
    for column in spec.columns:
        if column.parse is not None and column.key not in positions:
            errors.append(
                RowError(
                    1,
                    column.header,
                    "missing_column",
                    _("The column “%(header)s” is missing; use the template’s first row.")
                    % {"header": column.header},
                )
            )
    if errors:
        return [], errors
    if not data:
        return [], [RowError(None, "", "empty", _("The ledger has no rows to import."))]
    rows = [
        SheetRow(
            number,
            {key: values[i] if i < len(values) else None for key, i in positions.items()},
        )
        for number, values in data
    ]
    return rows, []


# ---------------------------------------------------------------------------
# Checking every row


@dataclass
class RowPlan:
    """What one row will do: create a task (task is None) or correct `task`."""

    row: int
    task: Task | None
    values: dict[str, object]


@dataclass
class LedgerPlan:
    rows: list[RowPlan] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def ledger_validate(*, file, by, spec: LedgerSpec = TASK_LEDGER) -> LedgerPlan:
    """Read the file and check every row against the units, people and tasks it names.
    Writes nothing; `errors` lists every problem found."""
    return _validate(file, by, spec)[0]


def _validate(file, by, spec: LedgerSpec) -> tuple[LedgerPlan, LedgerHooks]:
    hooks = spec.hooks(spec, by)
    rows, errors = ledger_read(file=file, spec=spec)
    if errors:
        return LedgerPlan(errors=errors), hooks
    directory = Directory()
    parsed = [_parse_row(row, spec, directory) for row in rows]
    hooks.prepare(
        [(row.number, values) for row, (values, _errors) in zip(rows, parsed, strict=True)]
    )
    codes = [_code_of(row) for row in rows]
    tasks = (
        Task.objects.visible_to(by)
        .filter(code__in={code for code in codes if code})
        .prefetch_related("co_units")
    )
    tasks_by_code = {task.code: task for task in tasks}
    first_row_of_code: dict[str, int] = {}
    plan = LedgerPlan()
    for row, code, (values, row_errors) in zip(rows, codes, parsed, strict=True):
        row_plan = _plan_row(row.number, values, row_errors, spec, directory, tasks_by_code, hooks)
        if code and code in first_row_of_code:
            row_errors.append(
                RowError(
                    row.number,
                    spec.header("code"),
                    "duplicate_code",
                    _("The code %(code)s is also on row %(row)s.")
                    % {"code": code, "row": first_row_of_code[code]},
                )
            )
        first_row_of_code.setdefault(code, row.number)
        plan.errors.extend(row_errors)
        if not row_errors:
            plan.rows.append(row_plan)
    if hooks.refuse_duplicate_titles:
        plan.errors.extend(_duplicate_new_tasks(plan.rows, spec))
    order = {column.header: i for i, column in enumerate(spec.columns)}
    plan.errors.sort(key=lambda error: (error.row or 0, order.get(error.column, -1)))
    if plan.errors:
        plan.rows = []
    return plan, hooks


def _code_of(row: SheetRow) -> str:
    try:
        return text(row.cells.get("code"), 20)
    except CellError:
        return ""  # reported by the column's own check


def _parse_row(
    row: SheetRow, spec: LedgerSpec, directory: Directory
) -> tuple[dict[str, object], list[RowError]]:
    """The row's cells read by their columns, and the cells that could not be read."""
    values: dict[str, object] = {}
    errors: list[RowError] = []

    def error(key: str, code: str, message: str) -> None:
        errors.append(RowError(row.number, spec.header(key), code, message))

    for column in spec.columns:
        if column.parse is None or column.key not in row.cells:
            continue
        try:
            values[column.key] = column.parse(row.cells[column.key], directory)
        except CellError as problem:
            error(column.key, problem.code, problem.message)
    for column in spec.columns:
        if column.required and column.key in values and not values[column.key]:
            error(
                column.key,
                "required",
                _("“%(header)s” is required.") % {"header": column.header},
            )
    return values, errors


def _plan_row(
    number: int,
    values: dict[str, object],
    errors: list[RowError],
    spec: LedgerSpec,
    directory: Directory,
    tasks_by_code: dict[str, Task],
    hooks: LedgerHooks,
) -> RowPlan:
    """What the row will do; its problems are added to `errors`."""

    def error(key: str, code: str, message: str) -> None:
        errors.append(RowError(number, spec.header(key), code, message))

    task = None
    if values.get("code"):
        task = tasks_by_code.get(values["code"])
        if task is None:
            error(
                "code",
                "unknown_code",
                _("There is no task with the code %(code)s. Leave the code blank to add a task.")
                % {"code": values["code"]},
            )
    elif "code" in values:
        task = hooks.find(values)

    plan = RowPlan(number, task, values)
    hooks.check(plan, error)
    task, values = plan.task, plan.values
    current = task or Task()
    origin = values.get("origin")
    if task is not None and origin and origin != task.origin:
        error("origin", "not_editable", _("The origin of an existing task cannot be changed."))
    unit = values.get("lead_unit")
    if unit and not unit.is_active and unit.pk != current.lead_unit_id:
        error(
            "lead_unit",
            "inactive_unit",
            _("The unit “%(name)s” is no longer active.") % {"name": unit.name},
        )
    current_co_units = {u.pk for u in task.co_units.all()} if task else set()
    for co_unit in values.get("co_units", ()):
        if not co_unit.is_active and co_unit.pk not in current_co_units:
            error(
                "co_units",
                "inactive_unit",
                _("The unit “%(name)s” is no longer active.") % {"name": co_unit.name},
            )
    for key in ("lead_leader", "owner"):
        person = values.get(key)
        if person is None or person.pk == getattr(current, f"{key}_id"):
            continue
        if not person.is_active:
            error(
                key,
                "inactive_person",
                _("“%(name)s” can no longer sign in.")
                % {"name": directory.person_label(person.pk)},
            )
        elif key == "lead_leader" and role_of(person) not in LEADER_ROLES:
            error(
                key,
                "not_a_leader",
                _("“%(name)s” is not a portfolio or principal leader.")
                % {"name": directory.person_label(person.pk)},
            )

    assigned_on, deadline = values.get("assigned_on"), values.get("deadline")
    if assigned_on and deadline and deadline < assigned_on:
        error(
            "deadline",
            "deadline_before_assignment",
            _("The deadline cannot be before the assignment date."),
        )
    if assigned_on and not deadline and "deadline" in values:
        error("deadline", "deadline_required", _("A deadline is required to assign a task."))
    if (
        task is not None
        and task.state != TaskState.DRAFT
        and "assigned_on" in values
        and assigned_on != task.assigned_on
    ):
        error(
            "assigned_on",
            "not_editable",
            _("The assignment date of an assigned task cannot be changed."),
        )
    return plan


def _duplicate_new_tasks(plans: list[RowPlan], spec: LedgerSpec) -> list[RowError]:
    """A new row for a task that is already there: most often the same file uploaded twice."""
    new = [plan for plan in plans if plan.task is None]
    if not new:
        return []
    existing = {
        (title, unit_id): code
        for title, unit_id, code in Task.objects.filter(
            title__in={plan.values["title"] for plan in new}
        )
        .exclude(state=TaskState.CANCELLED)
        .values_list("title", "lead_unit_id", "code")
    }
    errors, seen = [], {}
    for plan in new:
        key = (plan.values["title"], plan.values["lead_unit"].pk)
        if key in existing:
            message = _(
                "A task with this title and lead unit already exists (%(code)s). "
                "To correct it, write its code in “%(header)s”."
            ) % {"code": existing[key], "header": spec.header("code")}
            errors.append(RowError(plan.row, spec.header("title"), "duplicate_task", message))
        elif key in seen:
            errors.append(
                RowError(
                    plan.row,
                    spec.header("title"),
                    "duplicate_row",
                    _("Row %(row)s has the same title and lead unit.") % {"row": seen[key]},
                )
            )
        seen.setdefault(key, plan.row)
    return errors


# ---------------------------------------------------------------------------
# Importing


CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
UPDATABLE = ("title", "requirement", "lead_leader", "lead_unit", "owner", "feedback_cadence")
PERSON_OR_UNIT = {"lead_leader", "lead_unit", "owner"}


@dataclass(frozen=True)
class RowOutcome:
    row: int
    outcome: str
    task: Task


@dataclass
class LedgerImport:
    """What an import did, or, if `errors` is not empty, why it did nothing."""

    rows: list[RowOutcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def _count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def created(self) -> int:
        return self._count(CREATED)

    @property
    def updated(self) -> int:
        return self._count(UPDATED)

    @property
    def unchanged(self) -> int:
        return self._count(UNCHANGED)


class _Refused(Exception):
    """Some row was refused by a service; roll back every row."""


def ledger_import(*, file, by, spec: LedgerSpec = TASK_LEDGER) -> LedgerImport:
    """Create and correct tasks from a ledger file, all rows or none, through the services."""
    if not is_office(by):
        raise ActionNotAllowed(_("Only the supervision office imports the ledger."))
    plan, hooks = _validate(file, by, spec)
    if plan.errors:
        return LedgerImport(errors=plan.errors)
    result = LedgerImport()
    try:
        with transaction.atomic():
            for row in plan.rows:
                try:
                    # A savepoint per row, so every refusal can be reported, not only the first.
                    with transaction.atomic():
                        outcome, task = hooks.apply(row)
                    result.rows.append(RowOutcome(row.row, outcome, task))
                except ValidationError as error:
                    result.errors.extend(_refusal(row.row, error, spec))
                except TaskActionError as error:
                    result.errors.append(RowError(row.row, "", error.code, error.message))
            if result.errors:
                raise _Refused
    except _Refused:
        return LedgerImport(errors=result.errors)
    return result


def apply_task_row(row: RowPlan, by) -> tuple[str, Task]:
    """Write a row as the task ledger does: create a task (assigned if both dates are
    given), or correct `row.task` through the task services; (outcome, task)."""
    values = row.values
    assigned_on, deadline = values.get("assigned_on"), values.get("deadline")
    if row.task is None:
        task = task_create(
            by=by,
            title=values["title"],
            lead_unit=values["lead_unit"],
            origin=values["origin"],
            requirement=values.get("requirement", ""),
            lead_leader=values.get("lead_leader"),
            owner=values.get("owner"),
            co_units=values.get("co_units", ()),
            deadline=deadline,
            feedback_cadence=values.get("feedback_cadence"),
        )
        if assigned_on and deadline:
            task = task_assign(task=task, by=by, deadline=deadline, assigned_on=assigned_on)
        return CREATED, task

    task = row.task
    assign = task.state == TaskState.DRAFT and assigned_on and deadline
    changes = {}
    for key in UPDATABLE:
        if key not in values or (key == "feedback_cadence" and not values[key]):
            continue  # a blank cadence keeps the task's own
        value = values[key]
        if key in PERSON_OR_UNIT:
            differs = getattr(task, f"{key}_id") != (value.pk if value else None)
        else:
            differs = getattr(task, key) != value
        if differs:
            changes[key] = value
    if "deadline" in values and deadline != task.deadline and not assign:
        # Refused by task_update once the task is assigned: the row's error, not ours.
        changes["deadline"] = deadline
    co_units = None
    if "co_units" in values:
        lead_unit_id = values["lead_unit"].pk
        new = {unit.pk for unit in values["co_units"] if unit.pk != lead_unit_id}
        if new != {unit.pk for unit in task.co_units.all()}:
            co_units = values["co_units"]
    if not changes and co_units is None and not assign:
        return UNCHANGED, task
    if changes or co_units is not None:
        task = task_update(task=task, by=by, changes=changes, co_units=co_units)
    if assign:
        task = task_assign(task=task, by=by, deadline=deadline, assigned_on=assigned_on)
    return UPDATED, task


def _refusal(row: int, error: ValidationError, spec: LedgerSpec) -> list[RowError]:
    if not hasattr(error, "error_dict"):
        return [RowError(row, "", "refused", message) for message in error.messages]
    return [
        RowError(row, "" if key == NON_FIELD_ERRORS else spec.header(key), "refused", message)
        for key, messages in error.message_dict.items()
        for message in messages
    ]
