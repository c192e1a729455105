"""Filters of the dashboard's templates: a run's duration and its main counts, readable."""

from django import template

from ..display import counts_summary, duration

register = template.Library()


@register.filter
def run_duration(run) -> str:
    return duration(run)


@register.filter
def run_counts(run) -> list[tuple[str, int]]:
    return counts_summary(run)
