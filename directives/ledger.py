"""The ledger of deputies' suggestions and members' proposals (建议提案台账): the task
ledger's columns and the proposal's own. A row finds its proposal by its task code or,
without one, by kind, year and proposal number, so a file imported twice corrects the
proposals instead of adding them again. New rows are registered, and corrected rows
saved, through the proposal services; the task's other columns as the task ledger does.

Like the task ledger's, the sheet's headers and instructions are Chinese data; messages
about bad rows go through gettext."""

from __future__ import annotations

from dataclasses import replace

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from taskboard import ledger
from taskboard.choices import TaskOrigin, TaskState
from taskboard.ledger import (
    CREATED,
    LEADER_ROLES,
    ORIGIN_LABELS,
    TASK_LEDGER,
    UPDATED,
    Column,
    LedgerHooks,
    RowPlan,
    apply_task_row,
    text,
)
from taskboard.models import Task, role_of

from . import services
from .choices import InstructionKind, ProposalKind
from .models import AssignmentItem, Instruction, Proposal, SuperiorAssignment, Target, WorkReport
from .services import UnitsAndPeople

LEDGER_NAME = "proposals"

KIND_LABELS = {ProposalKind.SUGGESTION: "建议", ProposalKind.PROPOSAL: "提案"}
KIND_ALIASES = {
    "人大代表建议": ProposalKind.SUGGESTION,
    "代表建议": ProposalKind.SUGGESTION,
    "政协委员提案": ProposalKind.PROPOSAL,
    "委员提案": ProposalKind.PROPOSAL,
}
KIND_BY_LABEL = ledger.lookup(KIND_LABELS, KIND_ALIASES)

# Where a service's refusal about a field is shown.
SERVICE_FIELDS = {
    "kind": "proposal_kind",
    "year": "proposal_year",
    "number": "proposal_number",
    "text": "requirement",
}
PROPOSAL_FIELDS = ("proposer", "category", "received_on")


def _proposal(task: Task) -> Proposal | None:
    try:
        return task.proposal
    except Proposal.DoesNotExist:
        return None


def _proposal_value(attribute):
    def value(task: Task, directory) -> object:
        proposal = _proposal(task)
        return attribute(proposal) if proposal is not None else None

    return value


ProposalKey = tuple[str, int, int]


def _key(values: dict) -> ProposalKey | None:
    kind, year, number = (
        values.get(k) for k in ("proposal_kind", "proposal_year", "proposal_number")
    )
    return (kind, year, number) if kind and year and number else None


def _people(values: dict) -> UnitsAndPeople:
    return UnitsAndPeople(
        lead_unit=values.get("lead_unit"),
        co_units=values.get("co_units", ()),
        lead_leader=values.get("lead_leader"),
        owner=values.get("owner"),
    )


class ProposalLedgerHooks(LedgerHooks):
    """Finds each row's proposal, checks it, and writes it through the proposal services."""

    refuse_duplicate_titles = False

    def prepare(self, rows):
        for _number, values in rows:
            received_on = values.get("received_on")
            if not values.get("proposal_year") and received_on and "proposal_year" in values:
                values["proposal_year"] = received_on.year
        keys = {key for _number, values in rows if (key := _key(values))}
        codes = {values["code"] for _number, values in rows if values.get("code")}
        found = Proposal.objects.filter(
            kind__in={k[0] for k in keys},
            year__in={k[1] for k in keys},
            number__in={k[2] for k in keys},
        ) | Proposal.objects.filter(task__code__in=codes)
        proposals = list(found.select_related("task").prefetch_related("task__co_units"))
        self.at = {(p.kind, p.year, p.number): p for p in proposals}
        self.of_task = {p.task_id: p for p in proposals}
        self.rows_of_key: dict[ProposalKey, int] = {}

    def find(self, values):
        key = _key(values)
        proposal = self.at.get(key) if key else None
        return proposal.task if proposal else None

    def check(self, plan: RowPlan, error):
        values, task = plan.values, plan.task
        origin = values.get("origin")
        if origin and origin != TaskOrigin.PROPOSAL:
            error(
                "origin",
                "wrong_origin",
                _("Suggestions and proposals have the origin “%(origin)s”.")
                % {"origin": ORIGIN_LABELS[TaskOrigin.PROPOSAL]},
            )
        if "deadline" in values and values["deadline"] is None:
            # Blank: the deadline the rule gives from the date received.
            del values["deadline"]
        key = _key(values)
        if key is None:
            return  # a proposal column is blank or unreadable, and reported as such
        first = self.rows_of_key.setdefault(key, plan.row)
        if first != plan.row:
            error(
                "proposal_number",
                "duplicate_item",
                _("Row %(row)s has the same kind, year and number.") % {"row": first},
            )
        if task is not None:
            proposal = self.of_task.get(task.pk)
            if proposal is None:
                error(
                    "code",
                    "not_a_proposal",
                    _("The task %(code)s is not a suggestion or proposal.") % {"code": task.code},
                )
                return
            for column, current in zip(
                ("proposal_kind", "proposal_year", "proposal_number"),
                (proposal.kind, proposal.year, proposal.number),
                strict=True,
            ):
                if values[column] != current:
                    error(
                        column,
                        "not_editable",
                        _("The kind, year and number of a registered proposal cannot be changed."),
                    )
        received_on = values.get("received_on")
        if not received_on:
            return
        if values.get("deadline") and values["deadline"] < received_on:
            error(
                "deadline",
                "deadline_before_received",
                _("The deadline cannot be before the date received (%(date)s).")
                % {"date": received_on.isoformat()},
            )
        if values.get("assigned_on") and values["assigned_on"] < received_on:
            error(
                "assigned_on",
                "assigned_before_received",
                _("The assignment date cannot be before the date received (%(date)s).")
                % {"date": received_on.isoformat()},
            )

    def _fields(self, values: dict) -> dict:
        kind, year, number = _key(values)
        return {
            "kind": kind,
            "year": year,
            "number": number,
            "proposer": values["proposer"],
            "title": values["title"],
            "received_on": values["received_on"],
            "people": _people(values),
            "text": values.get("requirement", ""),
            "category": values.get("category", ""),
        }

    def apply(self, row: RowPlan):
        values = row.values
        try:
            if row.task is None:
                proposal = services.proposal_create(by=self.by, **self._fields(values))
                outcome = CREATED
            else:
                proposal = self.of_task[row.task.pk]
                if not self._differs(proposal, values):
                    return apply_task_row(row, self.by)
                proposal = services.proposal_update(
                    proposal=proposal, by=self.by, **self._fields(values)
                )
                outcome = UPDATED
        except ValidationError as error:
            raise _on_columns(error) from None
        # The services set the title, text, units and people, and for a draft the deadline
        # of the rule; the task ledger's update sets the rest the row gives, and assigns it.
        task = Task.objects.prefetch_related("co_units").get(pk=proposal.task_id)
        apply_task_row(replace(row, task=task), self.by)
        if values.get("assigned_on") and "deadline" not in values:
            task.refresh_from_db()
            if task.state == TaskState.DRAFT:
                services.proposal_assign(
                    proposal=proposal, by=self.by, assigned_on=values["assigned_on"]
                )
        return outcome, Task.objects.get(pk=proposal.task_id)

    @staticmethod
    def _differs(proposal: Proposal, values: dict) -> bool:
        wanted = {
            "title": values["title"],
            "text": (values.get("requirement") or "").strip(),
            "proposer": values["proposer"],
            "category": values.get("category", ""),
            "received_on": values["received_on"],
        }
        return any(getattr(proposal, name) != value for name, value in wanted.items())


def _on_columns(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {SERVICE_FIELDS.get(key, key): messages for key, messages in error.message_dict.items()}
    )


PROPOSAL_LEDGER = TASK_LEDGER.extended(
    LEDGER_NAME,
    Column(
        "proposal_kind",
        "类别",
        8,
        "必填，从下拉列表中选择：建议（人大代表建议）、提案（政协委员提案）。",
        _proposal_value(lambda p: KIND_LABELS.get(p.kind, p.kind)),
        lambda raw, d: ledger.choice(raw, KIND_BY_LABEL, KIND_LABELS, "unknown_proposal_kind"),
        required=True,
        choices=tuple(KIND_LABELS.values()),
    ),
    Column(
        "proposal_year",
        "年度",
        8,
        "建议提案所属年度，如 2026。留空：取收到日期所在年度。",
        _proposal_value(lambda p: p.year),
        lambda raw, d: ledger.positive_integer(raw, 2100),
    ),
    Column(
        "proposal_number",
        "建议提案号",
        12,
        "必填，建议或提案的编号（数字）。同一年度、同一类别的编号不能重复。"
        "注意：“编号”列是督办事项编号，由系统生成。",
        _proposal_value(lambda p: p.number),
        lambda raw, d: ledger.positive_integer(raw, 999_999),
        required=True,
    ),
    Column(
        "proposer",
        "提出人",
        16,
        "必填，提出建议的代表或提出提案的委员，不超过200字。",
        _proposal_value(lambda p: p.proposer),
        lambda raw, d: text(raw, 200),
        required=True,
    ),
    Column(
        "category",
        "分类",
        12,
        "可留空，如城乡建设、教育、医疗卫生，不超过100字。",
        _proposal_value(lambda p: p.category),
        lambda raw, d: text(raw, 100),
    ),
    Column(
        "received_on",
        "收到日期",
        12,
        "必填，日期。办结时限留空时，按收到日期和办理时限规则计算。",
        _proposal_value(lambda p: p.received_on),
        lambda raw, d: ledger.date(raw),
        required=True,
    ),
    hooks=ProposalLedgerHooks,
    title="建议提案台账",
    instructions=(
        "建议提案台账补充说明",
        "1. 每行一件人大代表建议或政协委员提案。“编号”是督办事项编号（系统生成），"
        "“建议提案号”是建议或提案自己的编号。",
        "2. 编号留空时，按“类别 + 年度 + 建议提案号”查找已登记的建议提案，找到则更新，"
        "不会重复新增；原样重新导入同一文件不会产生任何修改。",
        "3. 来源类别须为“建议提案”。办结时限留空的，按收到日期和办理时限规则计算；"
        "只填交办日期的，按规则计算办结时限后交办。",
        "4. 已登记的建议提案，其类别、年度和建议提案号不能在台账中修改。",
    ),
    export_related=("proposal",),
    export_order=("-proposal__year", "proposal__kind", "proposal__number"),
)


# ---------------------------------------------------------------------------
# Shared by the ledgers of targets, instructions and assignments from above


def _source_value(related: str, attribute):
    """An export column's value from the task's source row (`related` on the task)."""

    def value(task: Task, directory) -> object:
        try:
            source = getattr(task, related)
        except (Target.DoesNotExist, Instruction.DoesNotExist, AssignmentItem.DoesNotExist):
            return None
        return attribute(source, directory)

    return value


def _person(raw, directory):
    name = text(raw, 150)
    return directory.person(name) if name else None


def _row_text(values: dict) -> str:
    """The text of the source row: the requirement, or the title when it is blank."""
    return (values.get("requirement") or values.get("title") or "").strip()


class _SourceLedgerHooks(LedgerHooks):
    """A row found by its task code or by the source's own key, written through services."""

    refuse_duplicate_titles = False
    origin: str = ""
    # The column a duplicate key within the file is reported on.
    key_column = "code"
    not_a_source_code = "not_a_source"

    def check_common(self, plan: RowPlan, error) -> None:
        values = plan.values
        origin = values.get("origin")
        if origin and origin != self.origin:
            error(
                "origin",
                "wrong_origin",
                _("This ledger's rows have the origin “%(origin)s”.")
                % {"origin": ORIGIN_LABELS[self.origin]},
            )
        if "requirement" in values and not values["requirement"] and values.get("title"):
            # The source's text is the requirement; a blank one is the title.
            values["requirement"] = values["title"]

    def check_duplicate(self, key, plan: RowPlan, error) -> None:
        first = self.rows_of_key.setdefault(key, plan.row)
        if first != plan.row:
            error(
                self.key_column,
                "duplicate_item",
                _("Row %(row)s is for the same item.") % {"row": first},
            )

    def not_a_source(self, task: Task, error) -> None:
        error(
            "code",
            self.not_a_source_code,
            _("The task %(code)s does not belong to this ledger.") % {"code": task.code},
        )


def _on_fields(error: ValidationError, fields: dict[str, str]) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {fields.get(key, key): messages for key, messages in error.message_dict.items()}
    )


def _then_task_columns(row: RowPlan, task_id: int, by) -> Task:
    """After a service wrote the source row: the task ledger sets the rest the row gives."""
    task = Task.objects.prefetch_related("co_units").get(pk=task_id)
    apply_task_row(replace(row, task=task), by)
    return Task.objects.get(pk=task_id)


# ---------------------------------------------------------------------------
# Work-report targets (政府工作报告目标任务台账)

TARGET_LEDGER_NAME = "work_report_targets"
TARGET_SERVICE_FIELDS = {"text": "requirement", "number": "target_number"}
TargetKey = tuple[int, int]  # report, target number


class TargetLedgerHooks(_SourceLedgerHooks):
    """Finds each row's report by year and title and its target by code or report and
    number; writes them through the work-report services."""

    origin = TaskOrigin.WORK_REPORT
    key_column = "target_number"
    not_a_source_code = "not_a_target"

    def prepare(self, rows):
        names = {
            (values["report_year"], values["report_title"])
            for _number, values in rows
            if values.get("report_year") and values.get("report_title")
        }
        reports = WorkReport.objects.filter(
            year__in={year for year, _title in names}, title__in={title for _y, title in names}
        )
        self.reports = {(report.year, report.title): report for report in reports}
        codes = {values["code"] for _number, values in rows if values.get("code")}
        found = Target.objects.filter(
            report__in=list(self.reports.values())
        ) | Target.objects.filter(task__code__in=codes)
        targets = list(found.select_related("report", "task").prefetch_related("task__co_units"))
        self.at = {(t.report_id, t.number): t for t in targets}
        self.of_task = {t.task_id: t for t in targets}
        self.rows_of_key: dict[TargetKey, int] = {}

    def _report(self, values) -> WorkReport | None:
        return self.reports.get((values.get("report_year"), values.get("report_title")))

    def find(self, values):
        report, number = self._report(values), values.get("target_number")
        target = self.at.get((report.pk, number)) if report and number else None
        return target.task if target else None

    def check(self, plan: RowPlan, error):
        values, task = plan.values, plan.task
        self.check_common(plan, error)
        report = self._report(values)
        if report is None:
            if values.get("report_year") and values.get("report_title"):
                error(
                    "report_title",
                    "unknown_report",
                    _("There is no %(year)s work report titled “%(title)s”; register it first.")
                    % {"year": values["report_year"], "title": values["report_title"]},
                )
            return
        number = values.get("target_number")
        if not number:
            return  # reported as required
        self.check_duplicate((report.pk, number), plan, error)
        if task is not None:
            target = self.of_task.get(task.pk)
            if target is None:
                self.not_a_source(task, error)
                return
            if (target.report_id, target.number) != (report.pk, number):
                error(
                    "target_number",
                    "not_editable",
                    _("The report and number of a registered target cannot be changed."),
                )
        if "deadline" in values and values["deadline"] is None:
            # Blank: the task's deadline, or for a new target the end of the report's year.
            values["deadline"] = task.deadline if task else report.default_deadline
        if values.get("deadline") and values["deadline"] < report.session_ended_on:
            error(
                "deadline",
                "deadline_before_session",
                _("The deadline cannot be before the session ended (%(date)s).")
                % {"date": report.session_ended_on.isoformat()},
            )

    def _fields(self, values: dict) -> dict:
        return {
            "text": _row_text(values),
            "people": _people(values),
            "chapter": values.get("chapter", ""),
            "indicator": values.get("indicator", ""),
            "target_value": values.get("target_value", ""),
        }

    def apply(self, row: RowPlan):
        values = row.values
        try:
            if row.task is None:
                target = services.target_create(
                    report=self._report(values),
                    by=self.by,
                    number=values["target_number"],
                    deadline=values.get("deadline"),
                    **self._fields(values),
                )
                outcome = CREATED
            else:
                target = self.of_task[row.task.pk]
                if not self._differs(target, values):
                    return apply_task_row(row, self.by)
                target = services.target_update(
                    target=target,
                    by=self.by,
                    deadline=values.get("deadline") or row.task.deadline,
                    **self._fields(values),
                )
                outcome = UPDATED
        except ValidationError as error:
            raise _on_fields(error, TARGET_SERVICE_FIELDS) from None
        return outcome, _then_task_columns(row, target.task_id, self.by)

    @staticmethod
    def _differs(target: Target, values: dict) -> bool:
        wanted = {
            "text": _row_text(values),
            "chapter": values.get("chapter", ""),
            "indicator": values.get("indicator", ""),
            "target_value": values.get("target_value", ""),
        }
        return any(getattr(target, name) != value for name, value in wanted.items())


def _target_value(attribute):
    return _source_value("work_report_target", lambda target, d: attribute(target))


TARGET_LEDGER = TASK_LEDGER.extended(
    TARGET_LEDGER_NAME,
    Column(
        "report_year",
        "报告年度",
        8,
        "必填，政府工作报告的年度，如 2026。",
        _target_value(lambda t: t.report.year),
        lambda raw, d: ledger.positive_integer(raw, 2100),
        required=True,
    ),
    Column(
        "report_title",
        "报告标题",
        24,
        "必填，系统中已登记的报告标题，如“2026年政府工作报告”。报告须先在系统中登记。",
        _target_value(lambda t: t.report.title),
        lambda raw, d: text(raw, 200),
        required=True,
    ),
    Column(
        "target_number",
        "目标序号",
        8,
        "必填，目标任务在报告中的序号（数字），同一报告内不能重复。"
        "注意：“编号”列是督办事项编号，由系统生成。",
        _target_value(lambda t: t.number),
        lambda raw, d: ledger.positive_integer(raw),
        required=True,
    ),
    Column(
        "chapter",
        "篇章类别",
        14,
        "可留空，目标任务所属篇章或类别，不超过100字。",
        _target_value(lambda t: t.chapter),
        lambda raw, d: text(raw, 100),
    ),
    Column(
        "indicator",
        "指标",
        16,
        "可留空，如地区生产总值增速，不超过200字。",
        _target_value(lambda t: t.indicator),
        lambda raw, d: text(raw, 200),
    ),
    Column(
        "target_value",
        "目标值",
        10,
        "可留空，如 6%左右，不超过100字。",
        _target_value(lambda t: t.target_value),
        lambda raw, d: text(raw, 100),
    ),
    hooks=TargetLedgerHooks,
    title="政府工作报告目标任务台账",
    instructions=(
        "政府工作报告目标任务台账补充说明",
        "1. 每行一项目标任务。“报告年度”和“报告标题”须与系统中已登记的报告一致，"
        "报告不存在的行不能导入。",
        "2. 编号留空时，按“报告 + 目标序号”查找已登记的目标任务，找到则更新，不会重复新增；"
        "原样重新导入同一文件不会产生任何修改。",
        "3. 来源类别须为“政府工作报告目标任务”。“工作要求”即目标任务内容，留空时取标题。"
        "办结时限留空的，新增目标任务为报告年度年底；不得早于报告会议结束日期。",
        "4. 已登记的目标任务，其所属报告和目标序号不能在台账中修改。",
    ),
    export_related=("work_report_target__report",),
    export_order=(
        "-work_report_target__report__year",
        "work_report_target__report__title",
        "work_report_target__number",
    ),
)


# ---------------------------------------------------------------------------
# Leader instructions (领导批示台账)

INSTRUCTION_LEDGER_NAME = "instructions"
INSTRUCTION_KIND_LABELS = {
    InstructionKind.DOCUMENT: "文件批示",
    InstructionKind.LETTER: "群众来信批示",
    InstructionKind.FIELD_VISIT: "调研批示",
}
INSTRUCTION_KIND_ALIASES = {
    "文件": InstructionKind.DOCUMENT,
    "来信": InstructionKind.LETTER,
    "群众来信": InstructionKind.LETTER,
    "来信批示": InstructionKind.LETTER,
    "调研": InstructionKind.FIELD_VISIT,
}
INSTRUCTION_KIND_BY_LABEL = ledger.lookup(INSTRUCTION_KIND_LABELS, INSTRUCTION_KIND_ALIASES)
INSTRUCTION_SERVICE_FIELDS = {"text": "requirement", "kind": "instruction_kind"}
InstructionKey = tuple[int, object, str]  # leader, date, text


def _instruction_key(values: dict) -> InstructionKey | None:
    leader, issued_on, text_ = values.get("leader"), values.get("issued_on"), _row_text(values)
    return (leader.pk, issued_on, text_) if leader and issued_on and text_ else None


class InstructionLedgerHooks(_SourceLedgerHooks):
    """Finds each row's instruction by code or by leader, date and text; writes it through
    the instruction services."""

    origin = TaskOrigin.INSTRUCTION
    key_column = "requirement"
    not_a_source_code = "not_an_instruction"

    def prepare(self, rows):
        for _number, values in rows:
            if "requirement" in values and not values["requirement"] and values.get("title"):
                values["requirement"] = values["title"]
        keys = {key for _number, values in rows if (key := _instruction_key(values))}
        codes = {values["code"] for _number, values in rows if values.get("code")}
        found = Instruction.objects.filter(
            leader__in={k[0] for k in keys}, issued_on__in={k[1] for k in keys}
        ) | Instruction.objects.filter(task__code__in=codes)
        instructions = list(found.select_related("task").prefetch_related("task__co_units"))
        self.at = {(i.leader_id, i.issued_on, i.text): i for i in instructions}
        self.of_task = {i.task_id: i for i in instructions}
        self.rows_of_key: dict[InstructionKey, int] = {}

    def find(self, values):
        key = _instruction_key(values)
        instruction = self.at.get(key) if key else None
        return instruction.task if instruction else None

    def check(self, plan: RowPlan, error):
        values, task = plan.values, plan.task
        self.check_common(plan, error)
        leader = values.get("leader")
        if leader is not None:
            if role_of(leader) not in LEADER_ROLES:
                error(
                    "leader",
                    "not_a_leader",
                    _("“%(name)s” is not a portfolio or principal leader.")
                    % {"name": leader.get_full_name() or leader.get_username()},
                )
            lead_leader = values.get("lead_leader")
            if "lead_leader" in values and lead_leader is None:
                values["lead_leader"] = leader  # the instruction's leader leads its task
            elif lead_leader is not None and lead_leader.pk != leader.pk:
                error(
                    "lead_leader",
                    "not_the_instructing_leader",
                    _("The lead leader of an instruction is the leader who gave it."),
                )
        if task is not None and task.pk not in self.of_task:
            self.not_a_source(task, error)
            return
        if "deadline" in values and values["deadline"] is None:
            del values["deadline"]  # blank: the deadline of the rule
        key = _instruction_key(values)
        if key is None:
            return
        self.check_duplicate(key, plan, error)
        issued_on = values["issued_on"]
        for column, message in (
            ("deadline", _("The deadline cannot be before the instruction (%(date)s).")),
            ("assigned_on", _("The assignment date cannot be before the instruction (%(date)s).")),
        ):
            if values.get(column) and values[column] < issued_on:
                error(
                    column,
                    f"{column}_before_instruction",
                    message % {"date": issued_on.isoformat()},
                )

    def _fields(self, values: dict) -> dict:
        return {
            "leader": values["leader"],
            "issued_on": values["issued_on"],
            "kind": values["instruction_kind"],
            "reference": values.get("instruction_reference", ""),
            "text": _row_text(values),
            "people": _people(values),
        }

    def apply(self, row: RowPlan):
        values = row.values
        try:
            if row.task is None:
                instruction = services.instruction_create(by=self.by, **self._fields(values))
                outcome = CREATED
            else:
                instruction = self.of_task[row.task.pk]
                if not self._differs(instruction, values):
                    return apply_task_row(row, self.by)
                instruction = services.instruction_update(
                    instruction=instruction, by=self.by, **self._fields(values)
                )
                outcome = UPDATED
        except ValidationError as error:
            raise _on_fields(error, INSTRUCTION_SERVICE_FIELDS) from None
        task = _then_task_columns(row, instruction.task_id, self.by)
        if values.get("assigned_on") and "deadline" not in values and task.state == TaskState.DRAFT:
            services.instruction_assign(
                instruction=instruction, by=self.by, assigned_on=values["assigned_on"]
            )
            task = Task.objects.get(pk=instruction.task_id)
        return outcome, task

    @staticmethod
    def _differs(instruction: Instruction, values: dict) -> bool:
        return (
            instruction.leader_id != values["leader"].pk
            or instruction.issued_on != values["issued_on"]
            or instruction.kind != values["instruction_kind"]
            or instruction.reference != values.get("instruction_reference", "")
            or instruction.text != _row_text(values)
        )


def _instruction_value(attribute):
    return _source_value("instruction", attribute)


INSTRUCTION_LEDGER = TASK_LEDGER.extended(
    INSTRUCTION_LEDGER_NAME,
    Column(
        "leader",
        "批示领导",
        12,
        "必填，作出批示的主要领导或分管领导的姓名或用户名；有重名时填用户名。"
        "“牵头领导”留空时即为批示领导。",
        _instruction_value(lambda i, d: d.person_label(i.leader_id)),
        _person,
        required=True,
    ),
    Column(
        "issued_on",
        "批示日期",
        12,
        "必填，日期。办结时限留空时，按批示日期和办理时限规则计算。",
        _instruction_value(lambda i, d: i.issued_on),
        lambda raw, d: ledger.date(raw),
        required=True,
    ),
    Column(
        "instruction_kind",
        "批示类型",
        12,
        "必填，从下拉列表中选择：" + "、".join(INSTRUCTION_KIND_LABELS.values()) + "。",
        _instruction_value(lambda i, d: INSTRUCTION_KIND_LABELS.get(i.kind, i.kind)),
        lambda raw, d: ledger.choice(
            raw, INSTRUCTION_KIND_BY_LABEL, INSTRUCTION_KIND_LABELS, "unknown_instruction_kind"
        ),
        required=True,
        choices=tuple(INSTRUCTION_KIND_LABELS.values()),
    ),
    Column(
        "instruction_reference",
        "文件或来信文号",
        20,
        "可留空，批示所在文件的文号或群众来信的编号，不超过200字。",
        _instruction_value(lambda i, d: i.reference),
        lambda raw, d: text(raw, 200),
    ),
    hooks=InstructionLedgerHooks,
    title="领导批示台账",
    instructions=(
        "领导批示台账补充说明",
        "1. 每行一件领导批示。“工作要求”即批示内容，留空时取标题。",
        "2. 编号留空时，按“批示领导 + 批示日期 + 批示内容”查找已登记的批示，找到则更新，"
        "不会重复新增；原样重新导入同一文件不会产生任何修改。",
        "3. 来源类别须为“领导批示”。“牵头领导”须为批示领导或留空。办结时限留空的，"
        "按批示日期和办理时限规则计算；只填交办日期的，按规则计算办结时限后交办。",
    ),
    export_related=("instruction",),
    export_order=("-instruction__issued_on", "-instruction__pk"),
)


# ---------------------------------------------------------------------------
# Assignments from above (上级交办事项台账)

SUPERIOR_LEDGER_NAME = "superior_assignments"
SUPERIOR_SERVICE_FIELDS = {
    "text": "requirement",
    "number": "item_number",
    "issuing_body": "issuing_body",
    "reference": "assignment_reference",
    "title": "title",
    "received_on": "received_on",
}
AssignmentKey = tuple[str, str, str]  # issuing body, reference, title


def _assignment_key(values: dict) -> AssignmentKey | None:
    body, title = values.get("issuing_body"), values.get("assignment_title")
    if not body or not title or "assignment_reference" not in values:
        return None
    return body, values["assignment_reference"], title


class SuperiorLedgerHooks(_SourceLedgerHooks):
    """Finds each row's assignment by issuing body, reference and title (registering it
    when the system does not know it) and its item by code or by assignment and item
    number; writes them through the services for assignments from above."""

    origin = TaskOrigin.SUPERIOR
    key_column = "item_number"
    not_a_source_code = "not_an_assigned_item"

    def prepare(self, rows):
        for _number, values in rows:
            # 标题 may be left blank: the first line of the item, as the web form does.
            if "requirement" in values:
                # As the services store it: stripped, line breaks as \n.
                text_ = _row_text(values).replace("\r\n", "\n").replace("\r", "\n")
                values["requirement"] = text_
            if "title" in values and not values["title"] and values.get("requirement"):
                values["title"] = services.title_of(values["requirement"])
        keys = {key for _number, values in rows if (key := _assignment_key(values))}
        found = SuperiorAssignment.objects.filter(
            issuing_body__in={k[0] for k in keys}, title__in={k[2] for k in keys}
        )
        self.assignments: dict[AssignmentKey, list[SuperiorAssignment]] = {}
        for assignment in found:
            key = (assignment.issuing_body, assignment.reference, assignment.title)
            if key in keys:
                self.assignments.setdefault(key, []).append(assignment)
        known = [a.pk for found in self.assignments.values() for a in found]
        codes = {values["code"] for _number, values in rows if values.get("code")}
        items = AssignmentItem.objects.filter(assignment__in=known) | AssignmentItem.objects.filter(
            task__code__in=codes
        )
        items = list(items.select_related("assignment", "task").prefetch_related("task__co_units"))
        self.at = {(i.assignment_id, i.number): i for i in items}
        self.of_task = {i.task_id: i for i in items}
        self.new_received: dict[AssignmentKey, tuple[object, int]] = {}
        self.rows_of_key: dict[tuple[AssignmentKey, int], int] = {}

    def _assignment(self, key: AssignmentKey | None) -> SuperiorAssignment | None:
        found = self.assignments.get(key, []) if key else []
        return found[0] if len(found) == 1 else None

    def find(self, values):
        assignment = self._assignment(_assignment_key(values))
        number = values.get("item_number")
        item = self.at.get((assignment.pk, number)) if assignment and number else None
        return item.task if item else None

    def check(self, plan: RowPlan, error):
        values, task = plan.values, plan.task
        self.check_common(plan, error)
        if "title" in values and not values["title"] and not values.get("requirement"):
            error(
                "title",
                "required",
                _("Give the item in “%(title)s” or “%(text)s”.")
                % {"title": self.spec.header("title"), "text": self.spec.header("requirement")},
            )
        key = _assignment_key(values)
        if key is None:
            return  # an assignment column is blank or unreadable, and reported as such
        if task is None and len(self.assignments.get(key, [])) > 1:
            error(
                "assignment_title",
                "ambiguous_assignment",
                _(
                    "Several assignments from above have this issuing body, reference and "
                    "title; write the item's code in “%(header)s”."
                )
                % {"header": self.spec.header("code")},
            )
            return
        received_on = values.get("received_on")
        assignment = self._assignment(key)
        if task is not None:
            item = self.of_task.get(task.pk)
            if item is None:
                self.not_a_source(task, error)
                return
            assignment = item.assignment
            if key != (assignment.issuing_body, assignment.reference, assignment.title):
                error(
                    "assignment_title",
                    "not_editable",
                    _(
                        "This item belongs to “%(assignment)s”; its assignment cannot be "
                        "changed in the ledger."
                    )
                    % {"assignment": assignment.title},
                )
                return
            if values.get("item_number") != item.number:
                error(
                    "item_number",
                    "not_editable",
                    _("This item is number %(number)s of its assignment; it cannot be changed.")
                    % {"number": item.number},
                )
            if "deadline" in values and values["deadline"] is None:
                values["deadline"] = task.deadline  # blank: the deadline stays
        elif "deadline" in values and values["deadline"] is None:
            error(
                "deadline",
                "deadline_required",
                _("An item from above needs the deadline the superior set."),
            )
        if assignment is not None and received_on and received_on != assignment.received_on:
            error(
                "received_on",
                "received_on_mismatch",
                _(
                    "This assignment was received on %(date)s; correct the date on its page, "
                    "not in the ledger."
                )
                % {"date": assignment.received_on.isoformat()},
            )
            return
        if assignment is None and received_on:
            first_date, first_row = self.new_received.setdefault(key, (received_on, plan.row))
            if first_date != received_on:
                error(
                    "received_on",
                    "received_on_conflict",
                    _("Row %(row)s gives this assignment the date received %(date)s.")
                    % {"row": first_row, "date": first_date.isoformat()},
                )
        number = values.get("item_number")
        if number:
            self.check_duplicate((key, number), plan, error)
        if not received_on:
            return
        if task is not None and task.state != TaskState.DRAFT:
            return  # its dates are checked as the task ledger's
        if values.get("deadline") and values["deadline"] < received_on:
            error(
                "deadline",
                "deadline_before_received",
                _("The deadline cannot be before the date received (%(date)s).")
                % {"date": received_on.isoformat()},
            )
        if values.get("assigned_on") and values["assigned_on"] < received_on:
            error(
                "assigned_on",
                "assigned_before_received",
                _("The assignment date cannot be before the date received (%(date)s).")
                % {"date": received_on.isoformat()},
            )

    def _item_fields(self, values: dict) -> dict:
        return {
            "text": _row_text(values),
            "title": values.get("title", ""),
            "people": _people(values),
            "deadline": values.get("deadline"),
        }

    def apply(self, row: RowPlan):
        values = row.values
        try:
            if row.task is None:
                item = self._create(values)
                outcome = CREATED
            else:
                item = self.of_task[row.task.pk]
                if item.text == _row_text(values):
                    return apply_task_row(row, self.by)
                item = services.assignment_item_update(
                    item=item, by=self.by, **self._item_fields(values)
                )
                outcome = UPDATED
        except ValidationError as error:
            raise _on_fields(error, SUPERIOR_SERVICE_FIELDS) from None
        return outcome, _then_task_columns(row, item.task_id, self.by)

    def _create(self, values: dict) -> AssignmentItem:
        body, reference, title = _assignment_key(values)
        # Looked up again: an assignment registered for an earlier row is in this transaction.
        assignment = SuperiorAssignment.objects.filter(
            issuing_body=body, reference=reference, title=title
        ).first()
        fields = self._item_fields(values)
        if assignment is not None:
            return services.assignment_item_create(
                assignment=assignment, by=self.by, number=values["item_number"], **fields
            )
        assignment = services.superior_assignment_create(
            by=self.by,
            issuing_body=body,
            reference=reference,
            title=title,
            received_on=values["received_on"],
            items=[
                services.Item(
                    text=fields["text"],
                    title=fields["title"],
                    people=fields["people"],
                    deadline=fields["deadline"],
                    number=values["item_number"],
                )
            ],
        )
        return assignment.items.get()


def _item_value(attribute):
    return _source_value("assignment_item", lambda item, d: attribute(item))


SUPERIOR_LEDGER = TASK_LEDGER.extended(
    SUPERIOR_LEDGER_NAME,
    Column(
        "issuing_body",
        "交办机关",
        16,
        "必填，交办的上级机关，如“省委第三巡视组”“省政府督查室”，不超过100字。",
        _item_value(lambda i: i.assignment.issuing_body),
        lambda raw, d: text(raw, 100),
        required=True,
    ),
    Column(
        "assignment_reference",
        "交办文号",
        18,
        "可留空，交办文件的文号，如“湘巡反〔2026〕3号”，不超过100字。",
        _item_value(lambda i: i.assignment.reference),
        lambda raw, d: text(raw, 100),
    ),
    Column(
        "assignment_title",
        "交办文件标题",
        30,
        "必填，交办文件或交办清单的标题，如“巡视反馈问题整改清单”，不超过200字。"
        "“交办机关 + 交办文号 + 交办文件标题”相同的行属于同一件上级交办；"
        "系统中没有的，导入时自动登记。",
        _item_value(lambda i: i.assignment.title),
        lambda raw, d: text(raw, 200),
        required=True,
    ),
    Column(
        "received_on",
        "收到日期",
        12,
        "必填，日期。同一件上级交办各行须一致；已登记的须与系统中的收到日期一致。",
        _item_value(lambda i: i.assignment.received_on),
        lambda raw, d: ledger.date(raw),
        required=True,
    ),
    Column(
        "item_number",
        "事项序号",
        8,
        "必填，该事项在交办清单中的序号（数字），同一件上级交办内不能重复。"
        "注意：“编号”列是督办事项编号，由系统生成。",
        _item_value(lambda i: i.number),
        lambda raw, d: ledger.positive_integer(raw),
        required=True,
    ),
    hooks=SuperiorLedgerHooks,
    title="上级交办事项台账",
    instructions=(
        "上级交办事项台账补充说明",
        "1. 每行一项上级交办事项。“交办机关 + 交办文号 + 交办文件标题”相同的行属于同一件"
        "上级交办，系统中没有的导入时自动登记，各行的收到日期须一致。",
        "2. 编号留空时，按“上级交办 + 事项序号”查找已登记的事项，找到则更新，不会重复新增；"
        "原样重新导入同一文件不会产生任何修改。",
        "3. 来源类别须为“上级交办”。“工作要求”即交办事项的内容；“标题”可留空，"
        "留空时取工作要求的第一行（与网页登记相同）。",
        "4. 办结时限即上级规定的时限：新增事项必填，不得早于收到日期；已有事项留空则保持不变。",
        "5. 已登记事项所属的上级交办和事项序号不能在台账中修改；"
        "上级交办的收到日期请在其页面上修改。",
    ),
    export_related=("assignment_item__assignment",),
    export_order=(
        "-assignment_item__assignment__received_on",
        "assignment_item__assignment__pk",
        "assignment_item__number",
    ),
)

# 标题 may be left blank here: an item from above is one text, and its task's title is the
# text's first line, as when it is typed into the web form.
SUPERIOR_LEDGER = replace(
    SUPERIOR_LEDGER,
    columns=tuple(
        replace(
            column,
            required=False,
            help="督办事项的标题，不超过300字。可留空：取工作要求的第一行（最多100字），"
            "与网页登记相同。标题和工作要求至少填写一项。",
        )
        if column.key == "title"
        else replace(
            column,
            help="交办事项的内容（如问题及整改要求），不超过20000字；单元格内可换行。"
            "留空时取标题。",
        )
        if column.key == "requirement"
        else column
        for column in SUPERIOR_LEDGER.columns
    ),
)
