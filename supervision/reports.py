"""Periodic reports: their figures as of a date, and the service that freezes them.

Every figure is "as the ledger stood at midnight ending the period's last day" (the cut).
A task's state, deadline and closing date at the cut come from its row when nothing has
happened to it since; for the few tasks with timeline events after the cut they are read
back from the append-only TaskEvent history (each event records the state it left, and the
deadline events carry the deadline they set). So October's bulletin regenerated in December
says what it said in November.

Counted tasks: assigned on or before the period's last day, and at the cut neither a draft
nor cancelled. At the cut a counted task is
- closed; done in the period when it was last closed within the period;
- overdue when it is running (an open state) and its deadline is on or before the last day;
- on schedule when it is running, not overdue, and not behind the milestone due by the last
  day (its latest progress report before the cut has at least the milestone's percentage);
  suspended tasks are counted but neither done nor on schedule;
- newly overdue in the period when its deadline fell within the period and it was not
  closed by the end of its deadline day;
- overdue in the period (what the quarterly review deducts for) when its deadline had passed
  by the end of the period and it was still open after its deadline at some time in the
  period: open at the cut, or closed late within the period.

Rates are taskboard.stats.CompletionRate: completion (closed ÷ counted), on-track
((closed + on schedule) ÷ counted) and overdue (overdue ÷ counted), to one decimal.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from taskboard import workdays
from taskboard.choices import OFFICE_ROLES, OPEN_STATES, EventKind, Role, TaskOrigin, TaskState
from taskboard.models import Milestone, ProgressReport, Task, TaskEvent, Unit, role_of
from taskboard.services import ActionNotAllowed
from taskboard.stats import CompletionRate

from .models import Report, ReportKind, ScoringRule
from .scoring import UnitCounts, unit_score

ONE_DAY = datetime.timedelta(days=1)

# Lists of tasks in a report (newly overdue, targets not on track) stop here; the count
# above the list is always the full one. A bulletin names units, it is not the ledger.
LIST_LIMIT = 200

# The timeline events that set a deadline, each with the deadline in its payload.
DEADLINE_EVENTS = {EventKind.ASSIGNED, EventKind.EXTENSION_APPROVED, EventKind.REOPENED}

NOT_COUNTED = {TaskState.DRAFT, TaskState.CANCELLED}


def cut_of(day: datetime.date) -> datetime.datetime:
    """Midnight (Beijing) ending `day`: figures "as of" a day are as the ledger stood then."""
    return timezone.make_aware(datetime.datetime.combine(day + ONE_DAY, datetime.time()))


def _local_date(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localtime(moment).date() if moment else None


# ---------------------------------------------------------------------------
# Periods


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date


def month_period(year: int, month: int) -> Period:
    start = datetime.date(year, month, 1)
    return Period(start, workdays.add_months(start, 1) - ONE_DAY)


def quarter_period(year: int, quarter: int) -> Period:
    start = datetime.date(year, 3 * quarter - 2, 1)
    return Period(start, workdays.add_months(start, 3) - ONE_DAY)


def half_year_period(year: int) -> Period:
    return Period(datetime.date(year, 1, 1), datetime.date(year, 6, 30))


def year_period(year: int) -> Period:
    return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31))


def parse_period(kind: str, text: str) -> Period:
    """A period as people write it: 2026-10 (month), 2026-Q4 (quarter), 2026-H1 or 2026
    (half-year), 2026 (year). Raises ValueError with a message for people."""
    text = (text or "").strip().upper()
    try:
        if kind == ReportKind.MONTHLY_BULLETIN:
            year, month = text.split("-")
            return month_period(int(year), int(month))
        if kind == ReportKind.QUARTERLY_REVIEW:
            year, quarter = text.split("-Q")
            if not 1 <= int(quarter) <= 4:
                raise ValueError
            return quarter_period(int(year), int(quarter))
        if kind == ReportKind.HALF_YEAR:
            return half_year_period(int(text.removesuffix("-H1")))
        if kind == ReportKind.YEAR_END:
            return year_period(int(text))
    except ValueError:
        pass
    examples = {
        ReportKind.MONTHLY_BULLETIN: "2026-10",
        ReportKind.QUARTERLY_REVIEW: "2026-Q3",
        ReportKind.HALF_YEAR: "2026-H1",
        ReportKind.YEAR_END: "2026",
    }
    raise ValueError(
        _("Write the period like %(example)s.") % {"example": examples.get(kind, "2026")}
    )


# ---------------------------------------------------------------------------
# Tasks as they stood at the cut


@dataclass(slots=True)
class TaskFacts:
    """A counted task as it stood at the cut."""

    id: int
    lead_unit_id: int
    origin: str
    state: str
    deadline: datetime.date
    assigned_on: datetime.date
    closed_on: datetime.date | None  # the day of its last closing, when closed
    feedback_cadence: str
    publicly_listed: bool


def _history(task_ids: list[int], cut: datetime.datetime) -> dict[int, dict]:
    """For tasks changed after the cut: their state, deadline and closing day at the cut."""
    result: dict[int, dict] = {}
    for chunk_start in range(0, len(task_ids), 5000):
        events = (
            TaskEvent.objects.filter(task_id__in=task_ids[chunk_start : chunk_start + 5000])
            .order_by("task_id", "at", "pk")
            .values_list("task_id", "kind", "at", "from_state", "payload")
        )
        by_task: dict[int, list] = defaultdict(list)
        for row in events:
            by_task[row[0]].append(row)
        for task_id, rows in by_task.items():
            before = [row for row in rows if row[2] < cut]
            after = [row for row in rows if row[2] >= cut]
            facts: dict = {"state": after[0][3] if after else None}
            if any(row[1] in DEADLINE_EVENTS for row in after):
                set_before = [
                    row[4]["deadline"]
                    for row in before
                    if row[1] in DEADLINE_EVENTS and row[4].get("deadline")
                ]
                facts["deadline"] = (
                    datetime.date.fromisoformat(set_before[-1]) if set_before else "original"
                )
            closings = [row[2] for row in before if row[1] == EventKind.CLOSED]
            facts["closed_on"] = _local_date(closings[-1]) if closings else None
            result[task_id] = facts
    return result


def task_facts(*, tasks: QuerySet[Task], as_of: datetime.date) -> Iterator[TaskFacts]:
    """The counted tasks among `tasks` as they stood at the end of `as_of`, streamed."""
    cut = cut_of(as_of)
    later = TaskEvent.objects.filter(task=OuterRef("pk"), at__gte=cut)
    candidates = (
        tasks.filter(assigned_on__lte=as_of)
        .exclude(state=TaskState.DRAFT)
        # A task cancelled now may have been running at the cut.
        .filter(~Q(state=TaskState.CANCELLED) | Exists(later))
    )
    changed = _history(
        list(
            TaskEvent.objects.filter(at__gte=cut, task__in=candidates)
            .values_list("task_id", flat=True)
            .distinct()
        ),
        cut,
    )
    rows = candidates.values_list(
        "pk",
        "lead_unit_id",
        "origin",
        "state",
        "deadline",
        "original_deadline",
        "assigned_on",
        "closed_at",
        "feedback_cadence",
        "publicly_listed",
    )
    for (
        pk,
        unit,
        origin,
        state,
        deadline,
        original,
        assigned,
        closed_at,
        cadence,
        listed,
    ) in rows.iterator(chunk_size=10_000):
        history = changed.get(pk)
        if history is None:
            closed_on = _local_date(closed_at) if state == TaskState.CLOSED else None
        else:
            state = history["state"] or state
            if "deadline" in history:
                deadline = history["deadline"]
                if deadline == "original":
                    deadline = original or deadline
            closed_on = history["closed_on"] if state == TaskState.CLOSED else None
        if state in NOT_COUNTED or deadline is None:
            continue
        yield TaskFacts(pk, unit, origin, state, deadline, assigned, closed_on, cadence, listed)


def behind_schedule(*, tasks: QuerySet[Task], as_of: datetime.date) -> set[int]:
    """Tasks whose latest progress report before the cut is below the milestone due by
    `as_of` (the light rule's "behind", as of a date)."""
    due: dict[int, int] = {}
    milestones = (
        Milestone.objects.filter(task__in=tasks, planned_on__lte=as_of, percent__isnull=False)
        .order_by("task_id", "planned_on", "pk")
        .values_list("task_id", "percent")
    )
    for task_id, percent in milestones.iterator(chunk_size=10_000):
        due[task_id] = percent  # the latest planned wins
    if not due:
        return set()
    reported: dict[int, int] = {}
    reports = (
        ProgressReport.objects.filter(
            task__in=Milestone.objects.filter(
                task__in=tasks, planned_on__lte=as_of, percent__isnull=False
            ).values("task_id"),
            reported_at__lt=cut_of(as_of),
        )
        .order_by("task_id", "reported_at", "pk")
        .values_list("task_id", "percent")
    )
    for task_id, percent in reports.iterator(chunk_size=10_000):
        reported[task_id] = percent
    return {task_id for task_id, percent in due.items() if reported.get(task_id, 0) < percent}


# ---------------------------------------------------------------------------
# Tallies

# What a task counts as, in this order; a tally counts how many tasks are each.
FLAGS = ("closed", "on_track", "overdue", "newly_overdue", "closed_in_period", "overdue_in_period")


def classify(facts: TaskFacts, period: Period, behind: set[int]) -> tuple[bool, ...]:
    """The FLAGS of one counted task for a period (definitions: the module's docstring)."""
    deadline, closed_on = facts.deadline, facts.closed_on
    closed = facts.state == TaskState.CLOSED
    running = facts.state in OPEN_STATES
    passed = deadline <= period.end
    overdue = running and passed
    on_schedule = running and not passed and facts.id not in behind
    closed_late = closed and closed_on is not None and closed_on > deadline
    return (
        closed,
        closed or on_schedule,
        overdue,
        period.start <= deadline and passed and (overdue or closed_late),
        closed and closed_on is not None and period.start <= closed_on <= period.end,
        passed and (overdue or (closed_late and closed_on >= period.start)),
    )


@dataclass
class Tally:
    """How many counted tasks, and how many of them are each of FLAGS."""

    total: int = 0
    closed: int = 0
    on_track: int = 0
    overdue: int = 0
    newly_overdue: int = 0
    closed_in_period: int = 0
    overdue_in_period: int = 0

    def add(self, flags: tuple[bool, ...], count: int = 1) -> None:
        self.total += count
        for name, flag in zip(FLAGS, flags, strict=True):
            if flag:
                setattr(self, name, getattr(self, name) + count)

    @property
    def completion(self) -> CompletionRate:
        return CompletionRate(self.closed, self.total)

    @property
    def on_track_rate(self) -> CompletionRate:
        return CompletionRate(self.on_track, self.total)

    @property
    def overdue_rate(self) -> CompletionRate:
        return CompletionRate(self.overdue, self.total)

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            **{name: getattr(self, name) for name in FLAGS},
            "completion_rate": str(self.completion),
            "on_track_rate": str(self.on_track_rate),
            "overdue_rate": str(self.overdue_rate),
        }


@dataclass
class Tallies:
    total: Tally
    by_unit: dict[int, Tally]
    by_origin: dict[str, Tally]
    newly_overdue: list[tuple[datetime.date, int]]  # (deadline, task id), unsorted
    kept: dict[int, tuple[TaskFacts, tuple[bool, ...]]]
    behind: set[int]


def tally(
    *,
    tasks: QuerySet[Task],
    period: Period,
    keep: Callable[[tuple[bool, ...]], bool] | None = None,
) -> Tallies:
    """Count the tasks for a period: in all, by lead unit, by source. `keep` (a predicate
    on FLAGS) keeps the facts and flags of the tasks it accepts, for lists and the review."""
    behind = behind_schedule(tasks=tasks, as_of=period.end)
    counts: Counter = Counter()
    newly: list[tuple[datetime.date, int]] = []
    kept: dict[int, tuple[TaskFacts, tuple[bool, ...]]] = {}
    newly_index = FLAGS.index("newly_overdue")
    for facts in task_facts(tasks=tasks, as_of=period.end):
        flags = classify(facts, period, behind)
        counts[facts.lead_unit_id, facts.origin, flags] += 1
        if flags[newly_index]:
            newly.append((facts.deadline, facts.id))
        if keep is not None and keep(flags):
            kept[facts.id] = (facts, flags)
    total, by_unit, by_origin = Tally(), defaultdict(Tally), defaultdict(Tally)
    for (unit, origin, flags), count in counts.items():
        total.add(flags, count)
        by_unit[unit].add(flags, count)
        by_origin[origin].add(flags, count)
    return Tallies(total, dict(by_unit), dict(by_origin), newly, kept, behind)


def _unit_names(ids) -> dict[int, str]:
    return dict(Unit.objects.filter(pk__in=list(ids)).values_list("pk", "name"))


def _unit_order(ids) -> list[int]:
    return list(
        Unit.objects.filter(pk__in=list(ids))
        .order_by("sort_order", "name")
        .values_list("pk", flat=True)
    )


def _unit_rows(by_unit: dict[int, Tally]) -> list[dict]:
    names = _unit_names(by_unit)
    return [{"unit": names[unit], **by_unit[unit].as_dict()} for unit in _unit_order(by_unit)]


def _origin_rows(by_origin: dict[str, Tally]) -> list[dict]:
    return [
        {"origin": origin, **by_origin[origin].as_dict()}
        for origin in TaskOrigin.values
        if origin in by_origin
    ]


def _task_rows(ids: list[int], extra=None) -> list[dict]:
    """Code, title, lead unit and deadline of listed tasks, in the order given."""
    rows = {
        row["pk"]: row
        for row in Task.objects.filter(pk__in=ids).values(
            "pk", "code", "title", "lead_unit__name", "deadline"
        )
    }
    listed = []
    for pk in ids:
        row = rows[pk]
        item = {
            "code": row["code"],
            "title": row["title"],
            "unit": row["lead_unit__name"],
        }
        if extra:
            item.update(extra(pk))
        listed.append(item)
    return listed


# ---------------------------------------------------------------------------
# The reports' figures (each returns the snapshot: every figure its files print)


def monthly_bulletin_snapshot(*, period: Period) -> dict:
    """月通报: figures by unit and source at the month's end, newly overdue and closed in
    the month, and the units named for overdue tasks."""
    tallies = tally(tasks=Task.objects.all(), period=period)
    newly = sorted(tallies.newly_overdue)
    deadlines = dict((pk, deadline) for deadline, pk in newly[:LIST_LIMIT])
    names = _unit_names(tallies.by_unit)
    named = sorted(
        (
            {
                "unit": names[unit],
                "overdue": figures.overdue,
                "newly_overdue": figures.newly_overdue,
            }
            for unit, figures in tallies.by_unit.items()
            if figures.overdue or figures.newly_overdue
        ),
        key=lambda row: (-row["overdue"], -row["newly_overdue"], row["unit"]),
    )
    return {
        "totals": tallies.total.as_dict(),
        "by_unit": _unit_rows(tallies.by_unit),
        "by_origin": _origin_rows(tallies.by_origin),
        "named_units": named,
        "newly_overdue": {
            "count": len(newly),
            "items": _task_rows(
                [pk for _deadline, pk in newly[:LIST_LIMIT]],
                lambda pk: {"deadline": deadlines[pk].isoformat()},
            ),
        },
    }


def _late_reports(facts: dict[int, TaskFacts], period: Period) -> Counter:
    """Per lead unit: reporting periods of each task's cadence that ended within `period`,
    that the task ran through from start to end, without a progress report in them."""
    from taskboard.choices import FeedbackCadence
    from taskboard.models import feedback_period_start

    def periods(cadence: str) -> list[Period]:
        found, day = [], period.start
        while day <= period.end:
            start = feedback_period_start(cadence, day)
            if cadence == FeedbackCadence.WEEKLY:
                end = start + datetime.timedelta(days=6)
            else:
                end = workdays.add_months(start, 1 if cadence == FeedbackCadence.MONTHLY else 3)
                end -= ONE_DAY
            if period.start <= end <= period.end:
                found.append(Period(start, end))
            day = end + ONE_DAY
        return found

    by_cadence = {
        cadence: periods(cadence)
        for cadence in (FeedbackCadence.WEEKLY, FeedbackCadence.MONTHLY, FeedbackCadence.QUARTERLY)
    }
    earliest = min((p.start for ps in by_cadence.values() for p in ps), default=period.start)
    reported: set[tuple[int, datetime.date]] = set()
    reports = ProgressReport.objects.filter(
        task_id__in=list(facts),
        reported_at__gte=cut_of(earliest - ONE_DAY),
        reported_at__lt=cut_of(period.end),
    ).values_list("task_id", "reported_at")
    for task_id, at in reports.iterator(chunk_size=10_000):
        reported.add((task_id, _local_date(at)))
    reported_days: dict[int, list[datetime.date]] = defaultdict(list)
    for task_id, day in reported:
        reported_days[task_id].append(day)
    late: Counter = Counter()
    for task in facts.values():
        # Publicly listed items are dispatched weekly whatever cadence they were given.
        cadence = FeedbackCadence.WEEKLY if task.publicly_listed else task.feedback_cadence
        for expected in by_cadence.get(cadence, []):
            if task.assigned_on >= expected.start or task.state == TaskState.SUSPENDED:
                continue
            if task.closed_on is not None and task.closed_on <= expected.end:
                continue
            if task.state == TaskState.CLOSED and task.closed_on is None:
                continue
            days = reported_days.get(task.id, ())
            if not any(expected.start <= day <= expected.end for day in days):
                late[task.lead_unit_id] += 1
    return late


def quarterly_review_snapshot(*, period: Period) -> dict:
    """季点评: the quarter's figures, and each unit's score, its breakdown and its grade."""
    rule = ScoringRule.in_force(period.end)
    tallies = tally(tasks=Task.objects.all(), period=period, keep=lambda flags: True)
    facts = {pk: task for pk, (task, _flags) in tallies.kept.items()}
    overdue_index = FLAGS.index("overdue_in_period")
    overdue_ids = {pk for pk, (_task, flags) in tallies.kept.items() if flags[overdue_index]}
    overdue_as_lead = Counter(facts[pk].lead_unit_id for pk in overdue_ids)
    co_units: dict[int, set[int]] = defaultdict(set)  # unit → counted tasks it cooperates on
    through = Task.co_units.through.objects.filter(task__assigned_on__lte=period.end)
    for task_id, unit_id in through.values_list("task_id", "unit_id").iterator(chunk_size=10_000):
        if task_id in facts:
            co_units[unit_id].add(task_id)
    returned = dict(
        TaskEvent.objects.filter(
            kind=EventKind.RETURNED,
            at__gte=cut_of(period.start - ONE_DAY),
            at__lt=cut_of(period.end),
        )
        .values("task__lead_unit")
        .annotate(count=Count("pk"))
        .values_list("task__lead_unit", "count")
    )
    late = _late_reports(facts, period)
    units = set(tallies.by_unit) | set(co_units) | set(returned) | set(late)
    names = _unit_names(units)
    grades = []
    for unit in _unit_order(units):
        counts = UnitCounts(
            overdue_as_lead=overdue_as_lead.get(unit, 0),
            overdue_as_co_unit=len(co_units.get(unit, set()) & overdue_ids),
            late_reports=late.get(unit, 0),
            returned_closures=returned.get(unit, 0),
        )
        grades.append({"unit": names[unit], **unit_score(rule, counts).as_dict()})
    return {
        "totals": tallies.total.as_dict(),
        "by_unit": _unit_rows(tallies.by_unit),
        "by_origin": _origin_rows(tallies.by_origin),
        "rule": rule.as_dict(),
        "grades": grades,
        "grade_counts": dict(Counter(row["grade"] for row in grades)),
    }


def work_report_snapshot(*, period: Period) -> dict:
    """半年小结 / 年终结总账: the year's work-report targets (the top-level target tasks),
    completed or on schedule, by lead unit, with the targets not on track listed."""
    tasks = Task.objects.filter(
        origin=TaskOrigin.WORK_REPORT, parent__isnull=True, year=period.end.year
    )
    on_track_index = FLAGS.index("on_track")
    tallies = tally(tasks=tasks, period=period, keep=lambda flags: not flags[on_track_index])
    lagging = sorted(
        (facts for facts, _flags in tallies.kept.values()),
        key=lambda facts: (facts.deadline, facts.id),
    )

    def status(pk: int) -> dict:
        facts = tallies.kept[pk][0]
        if facts.state == TaskState.SUSPENDED:
            state = "suspended"
        elif facts.deadline <= period.end:
            state = "overdue"
        else:
            state = "behind" if pk in tallies.behind else "running"
        return {"deadline": facts.deadline.isoformat(), "status": state}

    return {
        "totals": tallies.total.as_dict(),
        "by_unit": _unit_rows(tallies.by_unit),
        "lagging": {
            "count": len(lagging),
            "items": _task_rows([facts.id for facts in lagging[:LIST_LIMIT]], status),
        },
    }


def executive_meeting_snapshot(*, meeting, as_of: datetime.date, next_meeting=None) -> dict:
    """The report on an executive meeting's decisions (the first item of the next one):
    each decision's task as of `as_of`, the meeting's rates, and the year's executive
    meetings so far."""
    from meetings.models import Decision

    period = Period(meeting.date, as_of)
    tasks = Task.objects.filter(decision__meeting=meeting)
    behind = behind_schedule(tasks=tasks, as_of=as_of)
    facts = {f.id: f for f in task_facts(tasks=tasks, as_of=as_of)}
    total = Tally()
    decisions = []
    latest = {}
    for task_id, text in (
        ProgressReport.objects.filter(task__in=tasks, reported_at__lt=cut_of(as_of))
        .order_by("task_id", "reported_at", "pk")
        .values_list("task_id", "text")
    ):
        latest[task_id] = text
    for decision in (
        Decision.objects.filter(meeting=meeting)
        .select_related("task__lead_unit")
        .order_by("number")
    ):
        task = decision.task
        task_facts_ = facts.get(task.pk)
        if task_facts_ is None:
            status = "not_counted"
        else:
            flags = classify(task_facts_, period, behind)
            total.add(flags)
            closed, on_track, overdue = flags[0], flags[1], flags[2]
            if closed:
                status = "closed"
            elif overdue:
                status = "overdue"
            elif on_track:
                status = "running"
            elif task_facts_.state == TaskState.SUSPENDED:
                status = "suspended"
            else:
                status = "behind"
        decisions.append(
            {
                "number": decision.number,
                "text": decision.text,
                "code": task.code,
                "unit": task.lead_unit.name,
                "deadline": str((task_facts_.deadline if task_facts_ else task.deadline) or ""),
                "status": status,
                "progress": latest.get(task.pk, ""),
            }
        )
    # The year's meetings of its kind up to it, counted the same way and as of the same day.
    meetings = list(
        type(meeting)
        .objects.filter(kind=meeting.kind, year=meeting.year, date__lte=meeting.date)
        .order_by("date", "number")
    )
    meeting_of = dict(
        Decision.objects.filter(meeting__in=meetings).values_list("task_id", "meeting_id")
    )
    rates = {each.pk: CompletionRate(0, 0) for each in meetings}
    for facts in task_facts(tasks=Task.objects.filter(pk__in=list(meeting_of)), as_of=as_of):
        closed = facts.state == TaskState.CLOSED
        rates[meeting_of[facts.id]] += CompletionRate(int(closed), 1)
    series = [
        {
            "meeting": each.short_name,
            "date": each.date.isoformat(),
            "total": rates[each.pk].total,
            "closed": rates[each.pk].done,
            "completion_rate": str(rates[each.pk]),
        }
        for each in meetings
    ]
    cumulative = sum(rates.values(), CompletionRate(0, 0))
    return {
        "meeting": meeting.display_name,
        "meeting_date": meeting.date.isoformat(),
        "next_meeting": next_meeting.display_name if next_meeting else "",
        "totals": total.as_dict(),
        "decisions": decisions,
        "series": series,
        "series_totals": {
            "total": cumulative.total,
            "closed": cumulative.done,
            "completion_rate": str(cumulative),
        },
    }


# ---------------------------------------------------------------------------
# Generating (the one write)


def report_title(kind: str, period: Period, meeting=None) -> str:
    year = period.end.year
    if kind == ReportKind.MONTHLY_BULLETIN:
        return _("Supervision bulletin for %(month)s/%(year)s") % {
            "year": year,
            "month": period.end.month,
        }
    if kind == ReportKind.QUARTERLY_REVIEW:
        return _("Quarterly review of supervised work, Q%(quarter)s %(year)s") % {
            "year": year,
            "quarter": (period.end.month + 2) // 3,
        }
    if kind == ReportKind.HALF_YEAR:
        return _("Half-year summary of the %(year)s work report targets") % {"year": year}
    if kind == ReportKind.YEAR_END:
        return _("Year-end account of the %(year)s work report targets") % {"year": year}
    return _("Report on the implementation of the decisions of the %(meeting)s") % {
        "meeting": meeting.display_name
    }


def may_generate(user) -> bool:
    return user is None or role_of(user) in {*OFFICE_ROLES, Role.ADMINISTRATOR}


def meeting_key(meeting) -> str:
    return f"meetings.meeting:{meeting.pk}"


def report_generate(
    *,
    kind: str,
    period: Period | None = None,
    meeting=None,
    next_meeting=None,
    by=None,
    as_of: datetime.date | None = None,
) -> Report:
    """Compute a report's figures and store them, replacing the period's earlier report.

    `by` is the office member asking, or None for the scheduled job. The executive-meeting
    report takes the meeting reported on (its figures as of `as_of`, default today).
    """
    if not may_generate(by):
        raise ActionNotAllowed(_("Only the supervision office generates reports."))
    subject = ""
    if kind == ReportKind.EXECUTIVE_MEETING:
        as_of = as_of or timezone.localdate()
        snapshot = executive_meeting_snapshot(
            meeting=meeting, as_of=as_of, next_meeting=next_meeting
        )
        period, subject = Period(meeting.date, meeting.date), meeting_key(meeting)
    else:
        builders = {
            ReportKind.MONTHLY_BULLETIN: monthly_bulletin_snapshot,
            ReportKind.QUARTERLY_REVIEW: quarterly_review_snapshot,
            ReportKind.HALF_YEAR: work_report_snapshot,
            ReportKind.YEAR_END: work_report_snapshot,
        }
        snapshot = builders[kind](period=period)
        as_of = period.end
    snapshot = {"as_of": as_of.isoformat(), **snapshot}
    return _store(
        kind=kind,
        period=period,
        subject=subject,
        title=report_title(kind, period, meeting),
        as_of=as_of,
        by=by,
        snapshot=snapshot,
    )


@transaction.atomic
def _store(*, kind, period, subject, title, as_of, by, snapshot) -> Report:
    # The figures are computed outside the transaction (they take seconds at scale); the
    # write is one row, claimed by the unique (kind, period, subject) key.
    report, _created = Report.objects.update_or_create(
        kind=kind,
        period_start=period.start,
        period_end=period.end,
        subject_key=subject,
        defaults={
            "title": title,
            "as_of": as_of,
            "generated_at": timezone.now(),
            "generated_by": by,
            "snapshot": snapshot,
        },
    )
    return report


# ---------------------------------------------------------------------------
# What the scheduled jobs generate on a day


def first_workday_of_month(day: datetime.date) -> datetime.date:
    first = day.replace(day=1)
    while not workdays.is_workday(first):
        first += ONE_DAY
    return first


def due_period(kind: str, today: datetime.date) -> Period | None:
    """The period whose report falls due on `today`: on the first working day of the month
    after it ends (of the month for the bulletin, of the quarter, of July for the half-year,
    of January for the year). On a later day of that month, only while it is still missing
    (catching up after downtime). None on other days."""
    first = first_workday_of_month(today)
    if today < first:
        return None
    last_month = today.replace(day=1) - ONE_DAY
    if kind == ReportKind.MONTHLY_BULLETIN:
        period = month_period(last_month.year, last_month.month)
    elif kind == ReportKind.QUARTERLY_REVIEW and today.month in (1, 4, 7, 10):
        period = quarter_period(last_month.year, (last_month.month + 2) // 3)
    elif kind == ReportKind.HALF_YEAR and today.month == 7:
        period = half_year_period(today.year)
    elif kind == ReportKind.YEAR_END and today.month == 1:
        period = year_period(last_month.year)
    else:
        return None
    if today == first:
        return period
    missing = not Report.objects.filter(
        kind=kind, period_start=period.start, period_end=period.end
    ).exists()
    return period if missing else None


def reports_generate_due(*, kind: str, today: datetime.date) -> list[Report]:
    """The scheduled job of one kind of periodic report, for `today`."""
    period = due_period(kind, today)
    return [report_generate(kind=kind, period=period)] if period else []


def executive_meetings_due(*, today: datetime.date) -> list[tuple]:
    """(meeting to report on, coming meeting) for every executive meeting on the next
    working day (or a day off before it): today is the working day before it."""
    from meetings.choices import MeetingKind
    from meetings.models import Meeting

    if not workdays.is_workday(today):
        return []
    next_workday = workdays.add_workdays(today, 1)
    executive = Meeting.objects.filter(kind=MeetingKind.EXECUTIVE)
    due = []
    for coming in executive.filter(date__gt=today, date__lte=next_workday).order_by("date"):
        previous = (
            executive.filter(date__lt=coming.date).exclude(pk=coming.pk).order_by("-date").first()
        )
        if previous is not None:
            due.append((previous, coming))
    return due


def executive_meeting_reports_generate_due(*, today: datetime.date) -> list[Report]:
    return [
        report_generate(
            kind=ReportKind.EXECUTIVE_MEETING, meeting=previous, next_meeting=coming, as_of=today
        )
        for previous, coming in executive_meetings_due(today=today)
    ]
