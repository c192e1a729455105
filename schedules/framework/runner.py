"""Running a job now, in this process: the lock, the run record, the outcome derived from the
job's messages, and the follow-up email queued after commit (Celery's task calls this too)."""

from __future__ import annotations

import logging
from functools import partial

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone, translation

from audit.models import AuditEntry
from audit.services import audit_record
from channels.models import ExternalSalesInterface

from . import outcomes, registry
from .abandoned import runs_abandon
from .context import JobContext
from .errors import JobError, RetryLater, TimeLimitReached, UnknownJob
from .locks import job_lock
from .models import Job, Run
from .notify import EMAIL_FIELDS, TELLS, email_plan, run_notify

logger = logging.getLogger(__name__)

# The jobs that send the catalogue or the allotments to Ticketnet (the interface test does both):
# each run of one is an export in the audit log, with who launched it.
EXPORT_JOBS = (Job.CATALOG_EXPORT, Job.ALLOTMENT_EXPORT, Job.INTERFACE_TEST)


def job_run(
    *,
    interface_id: int,
    job: str,
    trigger: str = Run.Trigger.MANUAL,
    params: dict | None = None,
    celery_task_id: str = "",
    attempt: int = 0,
    raise_retry: bool = False,
    requested_by: int | None = None,
) -> Run:
    """Run `job` for the interface now, in this process, and record it.

    One run per interface and job at a time: a second one ends SKIPPED (recorded). The job
    function gets a `JobContext`; the run ends OK, WARNING (it reported warnings: lines
    parked, items refused) or ERROR (it raised, reached its time limit, lost the database or
    the broker). After commit, the follow-up operators are emailed what `email_plan` decided:
    every ERROR, a WARNING once per set of open problems (then daily), the recovery.
    `raise_retry`: the caller (Celery's task) retries a `RetryLater` — re-raised once the run
    is recorded, whose message then says when; without it the message says it will not be.
    `requested_by`: the id of the user who launched it from the admin (the audit log's actor).
    """
    interface = ExternalSalesInterface.objects.select_related("institution").get(pk=interface_id)
    params = params or {}
    with job_lock(interface_id=interface.pk, job=job) as lock:
        now = timezone.now()
        if not lock.acquired:
            return _run_skipped(interface, job, trigger, params, celery_task_id, attempt)
        runs_abandon(interface=interface, job=job, advisory=lock.advisory)
        run = Run.objects.create(
            interface=interface, job=job, trigger=trigger, params=params, started_at=now,
            status=Run.Status.RUNNING, celery_task_id=celery_task_id or "", attempt=attempt,
        )
        ctx = JobContext(run=run, interface=interface, lock=lock)
        with translation.override(interface.institution.language), lock.heartbeat():
            retry_exc = _call(ctx, job, retried=raise_retry, attempt=attempt)
        run.status = ctx.status()
        run.finished_at = timezone.now()
        run.counts = ctx.counts
        run.messages = ctx.messages
        email_plan(run)
        run.save(update_fields=["status", "finished_at", "counts", "messages", "progress_done",
                                "progress_total", *EMAIL_FIELDS])
        with translation.override(interface.institution.language):
            _audit_export(run, interface=interface, requested_by=requested_by)
    if run.email in TELLS:
        transaction.on_commit(partial(run_notify, run_id=run.pk))
    if retry_exc is not None and raise_retry:
        retry_exc.run_id = run.pk
        raise retry_exc
    return run


def _audit_export(run: Run, *, interface: ExternalSalesInterface,
                  requested_by: int | None) -> None:
    """An export run in the audit log: who launched it (a user from the admin, a schedule, a
    command on the server), its outcome. A dry run sends nothing: not an export."""
    if run.job not in EXPORT_JOBS or run.params.get("dry_run"):
        return
    user = (get_user_model().objects.filter(pk=requested_by).first()
            if requested_by is not None else None)
    if user is not None:
        launched_from = "admin"
    elif run.trigger == Run.Trigger.MANUAL:
        launched_from = "command"
    else:
        launched_from = run.params.get("schedule") or "schedule"
    audit_record(
        institution_id=interface.institution_id, actor=user, action=AuditEntry.Action.EXPORT,
        target=f"{run.get_job_display()} #{run.pk} — {interface.internal_name}",
        params={"run_id": run.pk, "job": run.job, "trigger": run.trigger,
                "launched_from": launched_from, "status": run.status,
                **{key: run.params[key] for key in ("event_id", "event") if key in run.params}},
    )


def _call(ctx: JobContext, job: str, *, retried: bool, attempt: int) -> RetryLater | None:
    """Call the job function; what it raised becomes the run's messages. The RetryLater to
    re-raise, if any."""
    retry_exc = None
    try:
        registry.get(job)(ctx)
    except UnknownJob:
        ctx.messages.append(outcomes.unknown_job(job=job))
    except TimeLimitReached:
        # Celery's soft time limit: the job's transaction in progress was rolled back on the
        # way out; the worker's hard limit would kill the process without recording anything.
        logger.warning("Run %s (%s) stopped at its soft time limit", ctx.run.pk, job)
        _connection_recover()
        ctx.messages.append(outcomes.time_limit_reached(job=job))
    except RetryLater as exc:
        retry_exc = exc
    except JobError as exc:
        ctx.error(exc.text, exc.action)
    except Exception as exc:
        _connection_recover()
        retry_exc = outcomes.infrastructure_failure(exc)
        if retry_exc is None:
            logger.exception("Run %s (%s, interface %s) failed", ctx.run.pk, job,
                             ctx.interface.pk)
            ctx.messages.append(outcomes.unexpected_error(exc, run_id=ctx.run.pk))
        else:
            logger.warning("Run %s (%s): %s", ctx.run.pk, job, retry_exc.text, exc_info=True)
    if retry_exc is not None:
        default_text, default_advice = outcomes.retry_later_default()
        ctx.error(retry_exc.text or default_text,
                  outcomes.retry_action(advice=retry_exc.action or default_advice,
                                        retried=retried, attempt=attempt))
    return retry_exc


def _connection_recover() -> None:
    """After a lost connection (or one a signal left mid-query), drop it so that the run is
    recorded on a fresh one. Inside the caller's transaction, the caller decides."""
    if connection.in_atomic_block or connection.connection is None:
        return
    if not connection.is_usable():
        connection.close()


def run_retry_not_scheduled(*, run_id: int, exc: BaseException) -> None:
    """Celery could not queue the retry the run's message announced: say so on the run."""
    run = Run.objects.select_related("interface__institution").get(pk=run_id)
    with translation.override(run.interface.institution.language):
        run.messages = [*run.messages, outcomes.retry_not_scheduled(exc)]
    run.save(update_fields=["messages"])


def _run_skipped(interface, job, trigger, params, celery_task_id, attempt) -> Run:
    running = (
        Run.objects.filter(interface=interface, job=job, status=Run.Status.RUNNING)
        .order_by("-started_at").values_list("pk", flat=True).first()
    )
    with translation.override(interface.institution.language):
        message = outcomes.skipped(running_id=running)
    now = timezone.now()
    return Run.objects.create(
        interface=interface, job=job, trigger=trigger, params=params, started_at=now,
        finished_at=now, status=Run.Status.SKIPPED, celery_task_id=celery_task_id or "",
        attempt=attempt, messages=[message],
    )
