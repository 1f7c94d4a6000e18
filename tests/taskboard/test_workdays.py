import datetime

import pytest

from taskboard import workdays
from taskboard.choices import DeadlineSource, PeriodUnit
from taskboard.models import DeadlineRule, WorkdayOverride

pytestmark = pytest.mark.django_db

D = datetime.date


def test_three_working_days_after_national_day_eve_lands_on_the_adjusted_saturday():
    # Oct 1–7 are National Day; Oct 8 and 9 work; Saturday Oct 10 is an adjusted workday.
    assert workdays.add_workdays(D(2026, 9, 30), 3) == D(2026, 10, 10)


def test_one_working_day_after_friday_before_spring_festival_is_the_adjusted_saturday():
    assert workdays.add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)


def test_one_working_day_after_the_adjusted_saturday_skips_the_whole_spring_festival():
    assert workdays.add_workdays(D(2026, 2, 14), 1) == D(2026, 2, 24)


def test_adding_zero_working_days_gives_the_same_day_even_on_a_holiday():
    assert workdays.add_workdays(D(2026, 10, 1), 0) == D(2026, 10, 1)
    assert workdays.add_workdays(D(2026, 9, 30), 0) == D(2026, 9, 30)


def test_adding_negative_working_days_is_refused():
    with pytest.raises(ValueError):
        workdays.add_workdays(D(2026, 9, 30), -1)


def test_a_weekday_public_holiday_is_not_a_workday():
    assert workdays.is_workday(D(2026, 10, 1)) is False  # Thursday, National Day
    assert workdays.is_workday(D(2026, 2, 16)) is False  # Monday, Spring Festival


def test_an_adjusted_weekend_day_is_a_workday_and_an_ordinary_weekend_is_not():
    assert workdays.is_workday(D(2026, 10, 10)) is True  # Saturday, adjusted
    assert workdays.is_workday(D(2026, 10, 11)) is False  # ordinary Sunday
    assert workdays.is_workday(D(2026, 9, 29)) is True  # ordinary Tuesday


def test_a_year_the_package_knows_is_not_provisional():
    assert workdays.day_info(D(2026, 10, 1)).provisional is False
    assert workdays.year_is_provisional(2026) is False


def test_an_override_making_a_package_workday_a_holiday_moves_the_deadline():
    WorkdayOverride.objects.create(date=D(2026, 10, 10), is_workday=False, note="test")

    assert workdays.is_workday(D(2026, 10, 10)) is False
    assert workdays.add_workdays(D(2026, 9, 30), 3) == D(2026, 10, 12)


def test_an_override_making_a_package_holiday_a_workday_moves_the_deadline_earlier():
    WorkdayOverride.objects.create(date=D(2026, 10, 7), is_workday=True, note="test")

    assert workdays.is_workday(D(2026, 10, 7)) is True
    assert workdays.add_workdays(D(2026, 9, 30), 3) == D(2026, 10, 9)


def test_overrides_for_later_days_stack_up():
    WorkdayOverride.objects.create(date=D(2026, 10, 10), is_workday=False)
    WorkdayOverride.objects.create(date=D(2026, 10, 12), is_workday=False)

    assert workdays.add_workdays(D(2026, 9, 30), 3) == D(2026, 10, 13)


def test_an_unknown_year_falls_back_to_monday_to_friday_marked_provisional():
    friday, saturday = D(2027, 1, 1), D(2027, 1, 2)

    assert workdays.day_info(friday) == workdays.DayInfo(is_workday=True, provisional=True)
    assert workdays.day_info(saturday) == workdays.DayInfo(is_workday=False, provisional=True)
    assert workdays.year_is_provisional(2027) is True
    assert workdays.uncovered_years([2026, 2027]) == [2027]
    # Friday Jan 1 2027 + 1 working day is Monday Jan 4 when only weekends are off.
    assert workdays.add_workdays(friday, 1) == D(2027, 1, 4)


def test_an_override_for_an_unknown_year_makes_it_known_and_is_honoured():
    WorkdayOverride.objects.create(date=D(2027, 1, 1), is_workday=False, note="元旦")

    assert workdays.year_is_provisional(2027) is False
    assert workdays.uncovered_years([2027]) == []
    assert workdays.day_info(D(2027, 1, 1)) == workdays.DayInfo(is_workday=False, provisional=False)
    # Other days of that year are no longer provisional either.
    assert workdays.day_info(D(2027, 3, 3)).provisional is False
    assert workdays.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_an_override_for_another_unknown_year_leaves_this_one_provisional():
    WorkdayOverride.objects.create(date=D(2028, 1, 3), is_workday=False)

    assert workdays.year_is_provisional(2027) is True
    assert workdays.day_info(D(2027, 6, 1)).provisional is True


def test_workdays_between_counts_days_after_start_up_to_and_including_end():
    assert workdays.workdays_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    assert workdays.workdays_between(D(2026, 9, 28), D(2026, 9, 30)) == 2
    assert workdays.workdays_between(D(2026, 9, 30), D(2026, 9, 30)) == 0
    assert workdays.workdays_between(D(2026, 10, 10), D(2026, 9, 30)) == 0


def test_workdays_between_honours_overrides():
    WorkdayOverride.objects.create(date=D(2026, 10, 9), is_workday=False)

    assert workdays.workdays_between(D(2026, 9, 30), D(2026, 10, 10)) == 2


def test_add_months_clamps_to_the_end_of_a_shorter_month():
    assert workdays.add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert workdays.add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)
    assert workdays.add_months(D(2026, 12, 15), 1) == D(2027, 1, 15)
    assert workdays.add_months(D(2026, 3, 31), -1) == D(2026, 2, 28)


def test_add_period_understands_every_unit():
    day = D(2026, 9, 30)
    assert workdays.add_period(day, 3, PeriodUnit.WORKDAY) == D(2026, 10, 10)
    assert workdays.add_period(day, 15, PeriodUnit.DAY) == D(2026, 10, 15)
    assert workdays.add_period(day, 1, PeriodUnit.WEEK) == D(2026, 10, 7)
    assert workdays.add_period(day, 1, PeriodUnit.MONTH) == D(2026, 10, 30)
    with pytest.raises(ValueError):
        workdays.add_period(day, 1, "fortnight")


def test_the_migration_seeds_the_executive_meeting_and_principal_instruction_rules():
    executive = DeadlineRule.objects.get(source=DeadlineSource.EXECUTIVE_MEETING)
    instruction = DeadlineRule.objects.get(source=DeadlineSource.PRINCIPAL_INSTRUCTION)

    assert (executive.issuance_amount, executive.issuance_unit) == (3, PeriodUnit.WORKDAY)
    assert (executive.feedback_amount, executive.feedback_unit) == (15, PeriodUnit.DAY)
    assert (instruction.issuance_amount, instruction.issuance_unit) == (1, PeriodUnit.WORKDAY)
    assert (instruction.feedback_amount, instruction.feedback_unit) == (1, PeriodUnit.WEEK)
    assert set(DeadlineRule.objects.values_list("source", flat=True)) == set(DeadlineSource.values)


def test_executive_meeting_notice_within_three_workdays_and_feedback_fifteen_days_later():
    deadlines = workdays.deadlines_for(DeadlineSource.EXECUTIVE_MEETING, D(2026, 9, 30))

    assert deadlines.issue_by == D(2026, 10, 10)
    assert deadlines.feedback_by == D(2026, 10, 25)
    assert deadlines.rule.source == DeadlineSource.EXECUTIVE_MEETING


def test_feedback_counts_from_the_assignment_date_when_there_is_one():
    deadlines = workdays.deadlines_for(
        DeadlineSource.EXECUTIVE_MEETING, D(2026, 9, 30), assigned_on=D(2026, 10, 8)
    )

    assert deadlines.issue_by == D(2026, 10, 10)
    assert deadlines.feedback_by == D(2026, 10, 23)


def test_principal_instruction_notice_next_workday_and_feedback_one_week_later():
    deadlines = workdays.deadlines_for(DeadlineSource.PRINCIPAL_INSTRUCTION, D(2026, 9, 30))

    assert deadlines.issue_by == D(2026, 10, 8)
    assert deadlines.feedback_by == D(2026, 10, 15)


def test_editing_a_rule_row_changes_the_deadlines():
    DeadlineRule.objects.filter(source=DeadlineSource.EXECUTIVE_MEETING).update(
        issuance_amount=2, feedback_amount=1, feedback_unit=PeriodUnit.MONTH
    )

    deadlines = workdays.deadlines_for(DeadlineSource.EXECUTIVE_MEETING, D(2026, 9, 30))

    assert deadlines.issue_by == D(2026, 10, 9)
    assert deadlines.feedback_by == D(2026, 11, 9)


def test_deadlines_for_a_source_without_a_rule_row_raises():
    DeadlineRule.objects.filter(source=DeadlineSource.EXECUTIVE_MEETING).delete()

    with pytest.raises(DeadlineRule.DoesNotExist):
        workdays.deadlines_for(DeadlineSource.EXECUTIVE_MEETING, D(2026, 9, 30))
