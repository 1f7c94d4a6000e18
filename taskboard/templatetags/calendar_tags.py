from django import template
from django.utils import timezone

from taskboard.workdays import uncovered_years

register = template.Library()


@register.simple_tag
def provisional_calendar_years() -> list[int]:
    """This year and next, where their working days are only guessed (Monday–Friday)."""
    year = timezone.localdate().year
    return uncovered_years([year, year + 1])
