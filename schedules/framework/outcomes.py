"""The messages the framework itself stores on a run (level, text, action): how it ended, and
whether and when it will be retried. Built here only, as stored texts: each page renders them
in its reader's language."""

from zoneinfo import ZoneInfo

import kombu.exceptions
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from texts import text

from .context import message_entry
from .errors import RetryLater
from .policy import job_time_limits, next_retry

INFO, WARNING, ERROR = "info", "warning", "error"

# A lost database connection or message broker: retried like Ticketnet being down.
INFRASTRUCTURE_ERRORS = (OperationalError, InterfaceError, kombu.exceptions.OperationalError)


def retry_action(*, advice, retried: bool, attempt: int) -> dict:
    """Whether and when the run is tried again, truthfully, then `advice` (what to check if
    it keeps failing). `retried`: Celery will retry it (it runs on a worker); a command runs
    it in its own process, once."""
    if not retried:
        note = text("The run will not be retried automatically: it ran in this process, not "
                    "on a worker. Run it again once the cause is fixed.")
    else:
        upcoming = next_retry(attempt=attempt)
        if upcoming is None and attempt == 0:
            note = text("The run will not be retried automatically (SCHEDULES_MAX_RETRIES is "
                        "0). Run it again once the cause is fixed.")
        elif upcoming is None:
            note = text("The run will not be retried automatically: this was its last retry "
                        "(%(total)d in all). Run it again once the cause is fixed.",
                        total=attempt)
        else:
            note = text("The run will be retried automatically: retry %(number)d of %(total)d "
                        "at %(time)s (%(zone)s).", number=upcoming.number,
                        total=upcoming.total, time=_local_time(upcoming.at),
                        zone=settings.TIME_ZONE)
    if not advice:
        return note
    return text("%(note)s %(advice)s", note=note, advice=advice)


def _local_time(at) -> str:
    """HH:MM in the institution's time zone (the back-office's), with the date if not today."""
    zone = ZoneInfo(settings.TIME_ZONE)
    local = timezone.localtime(at, zone)
    if local.date() == timezone.localtime(timezone.now(), zone).date():
        return local.strftime("%H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def retry_later_default() -> tuple[dict, dict]:
    return (text("Ticketnet cannot be reached."),
            text("If it keeps failing, check the interface's URL and tell Ticketnet."))


def infrastructure_failure(exc: BaseException) -> RetryLater | None:
    """The database or the broker failed under the run: a RetryLater saying which."""
    if isinstance(exc, kombu.exceptions.OperationalError):
        return RetryLater(
            text("The run could not reach the message broker (%(error)s).",
                 error=_first_line(exc)),
            text("If it keeps failing, check that the broker of REDIS_URL is up and reachable "
                 "from the workers."))
    if isinstance(exc, (OperationalError, InterfaceError)):
        return RetryLater(
            text("The database connection failed during the run (%(error)s).",
                 error=_first_line(exc)),
            text("If it keeps failing, check that the database server is up and reachable "
                 "from the workers."))
    return None


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return (lines[0][:200] if lines else "") or type(exc).__name__


def time_limit_reached(*, job: str) -> dict[str, str]:
    return message_entry(
        ERROR,
        text("The run took longer than its time limit of %(seconds)d s and was stopped: the "
             "work in progress was rolled back, what it committed before is kept.",
             seconds=job_time_limits(job=job).soft),
        text("The run will not be retried automatically. Run it again; if it keeps reaching "
             "the limit, ask the administrator to raise SCHEDULES_SOFT_TIME_LIMIT "
             "(SCHEDULES_ALLOTMENT_EXPORT_SOFT_TIME_LIMIT for allotment exports and interface "
             "tests)."))


def abandoned(*, advisory: bool) -> dict[str, str]:
    """A run left RUNNING by a worker that died: `advisory`, its PostgreSQL lock was released
    with its session; else its lock row had no heartbeat for SCHEDULES_LOCK_TTL."""
    if advisory:
        reason = text("its database session ended: the process was killed, ran out of memory, "
                      "reached its hard time limit or lost its host")
    else:
        reason = text("no sign of life for more than %(seconds)d s",
                      seconds=settings.SCHEDULES_LOCK_TTL)
    return message_entry(
        ERROR,
        text("The run was abandoned: the worker running it stopped (%(reason)s).",
             reason=reason),
        text("What it committed before stopping is kept. The next run starts normally; run "
             "the job again now if you do not want to wait for it."))


def retry_not_scheduled(exc: BaseException) -> dict[str, str]:
    return message_entry(
        ERROR,
        text("The retry could not be scheduled: the message broker did not take it "
             "(%(error)s).", error=_first_line(exc)),
        text("The run will not be retried automatically. Run it again once the broker is "
             "back."))


def unknown_job(*, job: str) -> dict[str, str]:
    return message_entry(ERROR,
                         text("The job “%(job)s” is not available in this version.", job=job),
                         text("Update the application, or remove this schedule."))


def unexpected_error(exc: BaseException, *, run_id: int) -> dict[str, str]:
    return message_entry(
        ERROR,
        text("The job stopped on an unexpected error (%(type)s).", type=type(exc).__name__),
        text("Look at the server logs for run %(run)s, fix the cause, then run it again.",
             run=run_id))


def skipped(*, running_id: int | None) -> dict[str, str]:
    return message_entry(
        INFO,
        text("Another run of this job for this interface is in progress (run %(run)s).",
             run=running_id or "?"),
        text("Nothing to do: wait for it to finish."))
