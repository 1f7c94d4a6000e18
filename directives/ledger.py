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
    ORIGIN_LABELS,
    TASK_LEDGER,
    UPDATED,
    Column,
    LedgerHooks,
    RowPlan,
    apply_task_row,
    text,
)
from taskboard.models import Task

from . import services
from .choices import ProposalKind
from .models import Proposal
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
