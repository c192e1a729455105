"""Filters of the dashboard's templates: how long ago, a run's duration and its main counts."""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from schedules.run_display import duration

from ..display import counts_summary

register = template.Library()


@register.filter
def run_duration(run) -> str:
    return duration(run)


@register.filter
def run_counts(run) -> list[tuple[str, int]]:
    return counts_summary(run)


@register.filter
def ago(value) -> str:
    if timezone.now() - value < dt.timedelta(minutes=1):
        return _("just now")
    return _("%(delta)s ago") % {"delta": timesince(value)}
