"""How long a run may take and when it is tried again: the Celery time limits of each job and
the retries' backoff, from the settings (README "Configuration")."""

import datetime as dt
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone


class TimeLimits(NamedTuple):
    soft: int  # the run is stopped cleanly: ERROR, the transaction in progress rolled back
    hard: int  # the worker process is killed; the abandoned-runs check closes the run


def job_time_limits(*, job: str) -> TimeLimits:
    """The job's own limits where it has some (a stadium's allotment export), else the
    limits every job has."""
    soft, hard = settings.SCHEDULES_JOB_TIME_LIMITS.get(
        str(job), (settings.SCHEDULES_SOFT_TIME_LIMIT, settings.SCHEDULES_TIME_LIMIT))
    return TimeLimits(soft=soft, hard=hard)


def retry_countdown(retries: int) -> int:
    """Exponential backoff: base × 2^retries seconds, capped."""
    return min(settings.SCHEDULES_RETRY_BACKOFF * (2 ** retries),
               settings.SCHEDULES_RETRY_BACKOFF_MAX)


class NextRetry(NamedTuple):
    number: int  # 1 for the first retry
    total: int
    at: dt.datetime


def next_retry(*, attempt: int) -> NextRetry | None:
    """When Celery tries the run of attempt `attempt` (0: the first try) again, if it does."""
    total = settings.SCHEDULES_MAX_RETRIES
    if attempt >= total:
        return None
    at = timezone.now() + dt.timedelta(seconds=retry_countdown(attempt))
    return NextRetry(number=attempt + 1, total=total, at=at)
