"""The ledger of meeting decisions (会议议定事项台账): the task ledger's columns and the
meeting each decision belongs to. Rows are grouped into meetings by kind, the year of the
date and number; a meeting the system does not know is registered, and each new row
becomes a decision with its task through the meeting services. A row finds its decision
by its code or, without one, by its meeting and item number, so a file imported twice
corrects the decisions instead of adding them again.

Like the task ledger's, the sheet's headers and instructions are Chinese data; messages
about bad rows go through gettext."""

from __future__ import annotations

import datetime
from dataclasses import replace

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import gettext as _

from taskboard import ledger
from taskboard.choices import TaskOrigin
from taskboard.ledger import (
    CREATED,
    ORIGIN_LABELS,
    TASK_LEDGER,
    Column,
    LedgerHooks,
    RowPlan,
    apply_task_row,
)
from taskboard.models import Task

from .choices import MeetingKind
from .models import Decision, Meeting
from .services import DecisionDraft, decisions_create, meeting_create

LEDGER_NAME = "meetings"

KIND_LABELS = {
    MeetingKind.PLENARY: "政府全体会议",
    MeetingKind.EXECUTIVE: "政府常务会议",
    MeetingKind.OFFICE: "市长（县长）办公会议",
    MeetingKind.TOPIC: "专题会议",
    MeetingKind.WEEKLY: "每周工作例会",
    MeetingKind.PARTY_STANDING: "党委常委会议",
    MeetingKind.SECRETARY_TOPIC: "书记专题会议",
    MeetingKind.SPECIAL_BODY: "议事协调机构会议",
}
KIND_ALIASES = {
    "全体会议": MeetingKind.PLENARY,
    "常务会议": MeetingKind.EXECUTIVE,
    "常务会": MeetingKind.EXECUTIVE,
    "市长办公会议": MeetingKind.OFFICE,
    "县长办公会议": MeetingKind.OFFICE,
    "办公会议": MeetingKind.OFFICE,
    "专题会": MeetingKind.TOPIC,
    "工作例会": MeetingKind.WEEKLY,
    "周例会": MeetingKind.WEEKLY,
    "市委常委会": MeetingKind.PARTY_STANDING,
    "县委常委会": MeetingKind.PARTY_STANDING,
    "常委会": MeetingKind.PARTY_STANDING,
    "书记专题会": MeetingKind.SECRETARY_TOPIC,
    "领导小组会议": MeetingKind.SPECIAL_BODY,
}
KIND_BY_LABEL = ledger.lookup(KIND_LABELS, KIND_ALIASES)

# Where a service's refusal about a field is shown.
SERVICE_FIELDS = {
    "kind": "meeting_kind",
    "number": "meeting_number",
    "date": "meeting_date",
    "text": "requirement",
}


def _decision(task: Task) -> Decision | None:
    try:
        return task.decision
    except Decision.DoesNotExist:
        return None


def _meeting_value(attribute):
    def value(task: Task, directory) -> object:
        decision = _decision(task)
        return attribute(decision) if decision is not None else None

    return value


MeetingKey = tuple[str, int, int]


def _key(values: dict) -> MeetingKey | None:
    kind, number, day = (values.get(k) for k in ("meeting_kind", "meeting_number", "meeting_date"))
    if not (kind and number and isinstance(day, datetime.date)):
        return None
    return kind, day.year, number


class MeetingLedgerHooks(LedgerHooks):
    """Finds each row's meeting and decision, checks them, and writes new rows as decisions."""

    refuse_duplicate_titles = False

    def prepare(self, rows):
        keys = {key for _number, values in rows if (key := _key(values))}
        meetings = Meeting.objects.filter(
            kind__in={k[0] for k in keys},
            year__in={k[1] for k in keys},
            number__in={k[2] for k in keys},
        )
        self.meetings = {(m.kind, m.year, m.number): m for m in meetings} if keys else {}
        self.meetings = {key: m for key, m in self.meetings.items() if key in keys}
        known = [m.pk for m in self.meetings.values()]
        codes = {values["code"] for _number, values in rows if values.get("code")}
        decisions = Decision.objects.select_related("meeting", "task").filter(
            meeting__in=known
        ) | Decision.objects.select_related("meeting", "task").filter(task__code__in=codes)
        decisions = list(decisions.prefetch_related("task__co_units"))
        self.decision_at = {(d.meeting_id, d.number): d for d in decisions}
        self.decision_of_task = {d.task_id: d for d in decisions}
        self.decision_titled: dict[tuple, list[Decision]] = {}
        for d in decisions:
            self.decision_titled.setdefault((d.meeting_id, d.task.title, d.task.lead_unit_id), [])
            self.decision_titled[d.meeting_id, d.task.title, d.task.lead_unit_id].append(d)
        last = dict(
            Decision.objects.filter(meeting__in=known)
            .values("meeting")
            .annotate(n=Max("number"))
            .values_list("meeting", "n")
        )
        self.next_item = {key: last.get(m.pk, 0) + 1 for key, m in self.meetings.items()}
        # Item numbers of rows whose meeting cannot be told: they are reported on their own
        # row, and the gap they leave is not reported again on the rows after them.
        self.unplaced_items = {
            values["item_number"]
            for _number, values in rows
            if values.get("item_number") and _key(values) is None
        }
        self.new_meeting_dates: dict[MeetingKey, tuple[datetime.date, int]] = {}
        self.item_rows: dict[tuple[MeetingKey, int], int] = {}

    def find(self, values):
        """The decision at the row's meeting and item number; without a number, the one
        decision of that meeting with the row's title and lead unit."""
        key = _key(values)
        meeting = self.meetings.get(key) if key else None
        if meeting is None:
            return None
        if values.get("item_number"):
            decision = self.decision_at.get((meeting.pk, values["item_number"]))
            return decision.task if decision else None
        if "item_number" in values and values.get("title") and values.get("lead_unit"):
            same = self.decision_titled.get((meeting.pk, values["title"], values["lead_unit"].pk))
            if same and len(same) == 1:
                return same[0].task
        return None

    def check(self, plan: RowPlan, error):
        values, task = plan.values, plan.task
        origin = values.get("origin")
        if origin and origin != TaskOrigin.MEETING:
            error(
                "origin",
                "wrong_origin",
                _("Meeting decisions have the origin “%(origin)s”.")
                % {"origin": ORIGIN_LABELS[TaskOrigin.MEETING]},
            )
        if "requirement" in values and not values["requirement"].strip():
            # The decision's text: the title when no more is written.
            values["requirement"] = values.get("title", "")
        if "deadline" in values and values["deadline"] is None:
            error("deadline", "deadline_required", _("A meeting decision needs a deadline."))
        key = _key(values)
        if key is None:
            return  # a meeting column is blank or unreadable, and reported as such
        day = values["meeting_date"]
        meeting = self.meetings.get(key)
        if meeting is not None and meeting.date != day:
            error(
                "meeting_date",
                "meeting_date_mismatch",
                _("%(meeting)s was held on %(date)s.")
                % {"meeting": meeting.display_name, "date": meeting.date.isoformat()},
            )
        elif meeting is None:
            first_date, first_row = self.new_meeting_dates.setdefault(key, (day, plan.row))
            if first_date != day:
                error(
                    "meeting_date",
                    "meeting_date_conflict",
                    _("Row %(row)s gives this meeting the date %(date)s.")
                    % {"row": first_row, "date": first_date.isoformat()},
                )
        if task is not None:
            self._check_existing(plan, key, error)
        else:
            self._check_new(plan, key, error)
        item = values.get("item_number")
        if item:
            first = self.item_rows.setdefault((key, item), plan.row)
            if first != plan.row:
                error(
                    "item_number",
                    "duplicate_item",
                    _("Row %(row)s has the same meeting and item number.") % {"row": first},
                )

    def _check_existing(self, plan: RowPlan, key: MeetingKey, error) -> None:
        values = plan.values
        decision = self.decision_of_task.get(plan.task.pk)
        if decision is None:
            error(
                "code",
                "not_a_decision",
                _("The task %(code)s is not a meeting decision.") % {"code": plan.task.code},
            )
            return
        meeting = decision.meeting
        moved = _("This decision belongs to %(meeting)s; its meeting cannot be changed.") % {
            "meeting": meeting.display_name
        }
        if key[0] != meeting.kind:
            error("meeting_kind", "not_editable", moved)
        elif key[1:] != (meeting.year, meeting.number):
            error("meeting_number", "not_editable", moved)
        if values.get("item_number") is None:
            values["item_number"] = decision.number
        elif values["item_number"] != decision.number:
            error(
                "item_number",
                "not_editable",
                _("This decision is item %(number)s of its meeting; its number cannot be changed.")
                % {"number": decision.number},
            )

    def _check_new(self, plan: RowPlan, key: MeetingKey, error) -> None:
        values = plan.values
        expected = self.next_item.get(key, 1)
        item = values.get("item_number")
        if "item_number" in values and item is None:
            values["item_number"] = item = expected
        gap = range(expected, item or 0)
        explained = item and item > expected and all(n in self.unplaced_items for n in gap)
        if item is not None and item != expected and not explained:
            error(
                "item_number",
                "item_out_of_order",
                _(
                    "The next item of this meeting is number %(next)s: new decisions are "
                    "numbered in order after its last item."
                )
                % {"next": expected},
            )
        if item is not None:
            self.next_item[key] = max(expected, item) + 1
        day = values["meeting_date"]
        deadline, assigned_on = values.get("deadline"), values.get("assigned_on")
        if deadline and deadline < day:
            error(
                "deadline",
                "deadline_before_meeting",
                _("The deadline cannot be before the meeting (%(date)s).")
                % {"date": day.isoformat()},
            )
        if assigned_on and assigned_on < day:
            error(
                "assigned_on",
                "assigned_before_meeting",
                _("The assignment date cannot be before the meeting (%(date)s).")
                % {"date": day.isoformat()},
            )

    def apply(self, row: RowPlan):
        if row.task is not None:
            return apply_task_row(row, self.by)
        values = row.values
        kind, year, number = _key(values)
        try:
            # Looked up again here: a meeting made for an earlier row is in this transaction.
            meeting = Meeting.objects.filter(kind=kind, year=year, number=number).first()
            if meeting is None:
                meeting = meeting_create(
                    by=self.by, kind=kind, date=values["meeting_date"], number=number
                )
            text = values["requirement"]
            (decision,) = decisions_create(
                meeting=meeting,
                by=self.by,
                drafts=[
                    DecisionDraft(
                        text=text,
                        lead_unit=values["lead_unit"],
                        deadline=values["deadline"],
                        co_units=values.get("co_units", ()),
                        lead_leader=values.get("lead_leader"),
                    )
                ],
            )
        except ValidationError as error:
            raise _on_columns(error) from None
        if decision.number != values["item_number"]:
            raise ValidationError(
                {"item_number": _("Another decision was added to this meeting meanwhile.")}
            )
        # The task has the meeting's title, cadence and no owner; the row may say otherwise,
        # and may assign it: the task ledger's own update does the rest.
        apply_task_row(replace(row, task=decision.task), self.by)
        return CREATED, Task.objects.get(pk=decision.task_id)


def _on_columns(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {SERVICE_FIELDS.get(key, key): messages for key, messages in error.message_dict.items()}
    )


MEETING_LEDGER = TASK_LEDGER.extended(
    LEDGER_NAME,
    Column(
        "meeting_kind",
        "会议类别",
        18,
        "必填，从下拉列表中选择：" + "、".join(KIND_LABELS.values()) + "。",
        _meeting_value(lambda d: KIND_LABELS.get(d.meeting.kind, d.meeting.kind)),
        lambda raw, d: ledger.choice(raw, KIND_BY_LABEL, KIND_LABELS, "unknown_meeting_kind"),
        required=True,
        choices=tuple(KIND_LABELS.values()),
    ),
    Column(
        "meeting_number",
        "会议届次",
        10,
        "必填，该类会议在会议日期所在年度的次数，如第12次常务会议填 12。",
        _meeting_value(lambda d: d.meeting.number),
        lambda raw, d: ledger.positive_integer(raw),
        required=True,
    ),
    Column(
        "meeting_date",
        "会议日期",
        12,
        "必填，日期。已登记的会议须与系统中的会议日期一致；未登记的会议导入时自动登记。",
        _meeting_value(lambda d: d.meeting.date),
        lambda raw, d: ledger.date(raw),
        required=True,
    ),
    Column(
        "item_number",
        "议定事项序号",
        12,
        "该事项在会议中的序号。留空：新增事项接在该会议最后一项之后；"
        "填写的序号须紧接该会议已有的最后一项，依次递增。",
        _meeting_value(lambda d: d.number),
        lambda raw, d: ledger.positive_integer(raw),
    ),
    hooks=MeetingLedgerHooks,
    title="会议议定事项台账",
    instructions=(
        "会议议定事项台账补充说明",
        "1. 每行一项会议议定事项。会议按“会议类别 + 会议日期所在年度 + 会议届次”确定；"
        "系统中没有的会议导入时自动登记，同一会议各行的会议日期须一致。",
        "2. 编号留空时，按会议和议定事项序号查找已有事项（序号也留空的，按该会议中标题和"
        "牵头单位相同的事项查找），找到则更新该事项，不会重复新增；原样重新导入同一文件不会产生任何修改。",
        "3. 来源类别须为“会议议定事项”；办结时限必填，不得早于会议日期。",
        "4. 工作要求即议定事项的内容；留空时以标题作为议定事项内容。",
        "5. 已有议定事项的会议类别、届次、日期和序号不能在台账中修改。",
    ),
    export_related=("decision__meeting",),
    export_order=(
        "-decision__meeting__date",
        "decision__meeting__kind",
        "-decision__meeting__number",
        "decision__number",
    ),
)
