"""When a django-celery-beat schedule runs next, computed the way its scheduler decides
(`django_celery_beat.schedulers.ModelEntry`), without asking the beat process."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_celery_beat.models import IntervalSchedule, PeriodicTask

# A schedule this far behind its due time is late: beat is not running, or cannot keep up.
LATE_AFTER = dt.timedelta(minutes=15)


@dataclass
class Schedule:
    task_id: int
    enabled: bool
    every: str  # "every 4 hours", "at 2030-01-01 20:00"… in the reader's language
    next_run_at: dt.datetime | None
    last_run_at: dt.datetime | None
    late: bool


def schedule_of(task: PeriodicTask, *, now: dt.datetime) -> Schedule:
    next_run_at = next_run(task, now=now)
    late = next_run_at is not None and next_run_at < now - LATE_AFTER
    return Schedule(task_id=task.pk, enabled=task.enabled, every=_every(task),
                    next_run_at=next_run_at, last_run_at=task.last_run_at, late=late)


def next_run(task: PeriodicTask, *, now: dt.datetime) -> dt.datetime | None:
    """None when the task will not run again (disabled, or a one-off already run)."""
    if not task.enabled or (task.one_off and task.total_run_count):
        return None
    if task.clocked_id:
        return task.clocked.clocked_time
    # Beat counts a task never run from its last change (or, with a start time, runs it at
    # that time); it never runs a task before its start time.
    if task.last_run_at is None and task.start_time:
        return max(task.start_time, now)
    last = task.last_run_at or task.date_changed or now
    if task.interval_id:
        due = last + dt.timedelta(**{task.interval.period: task.interval.every})
    elif task.crontab_id or task.solar_id:
        schedule = (task.crontab or task.solar).schedule
        due = now + schedule.remaining_estimate(last)
    else:
        return None
    return max(due, task.start_time) if task.start_time else due


def _every(task: PeriodicTask) -> str:
    if task.clocked_id:
        return _("once")
    if task.interval_id:
        n, period = task.interval.every, task.interval.period
        if period == IntervalSchedule.DAYS:
            return ngettext("every day", "every %(n)d days", n) % {"n": n}
        if period == IntervalSchedule.HOURS:
            return ngettext("every hour", "every %(n)d hours", n) % {"n": n}
        if period == IntervalSchedule.MINUTES:
            return ngettext("every minute", "every %(n)d minutes", n) % {"n": n}
        return ngettext("every second", "every %(n)d seconds", n) % {"n": n}
    schedule = task.crontab or task.solar
    return str(schedule) if schedule is not None else ""
