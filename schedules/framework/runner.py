"""Running a job now, in this process: the lock, the run record, the outcome derived from the
job's messages, and the follow-up email queued after commit (Celery's task calls this too)."""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from channels.models import ExternalSalesInterface

from . import registry
from .context import JobContext
from .errors import JobError, RetryLater, UnknownJob
from .locks import job_lock
from .models import Run
from .notify import run_notify

logger = logging.getLogger(__name__)


def job_run(
    *,
    interface_id: int,
    job: str,
    trigger: str = Run.Trigger.MANUAL,
    params: dict | None = None,
    celery_task_id: str = "",
    attempt: int = 0,
    raise_retry: bool = False,
) -> Run:
    """Run `job` for the interface now, in this process, and record it.

    One run per interface and job at a time: a second one ends SKIPPED (recorded). The job
    function gets a `JobContext`; the run ends OK, WARNING (it reported warnings: lines
    parked, items refused) or ERROR (it raised). WARNING and ERROR email the interface's
    follow-up operators after commit. With `raise_retry`, a `RetryLater` is re-raised once
    the run is recorded, for the Celery task to retry.
    """
    interface = ExternalSalesInterface.objects.select_related("institution").get(pk=interface_id)
    params = params or {}
    retry_exc: RetryLater | None = None
    with job_lock(interface_id=interface.pk, job=job) as lock:
        now = timezone.now()
        if not lock.acquired:
            return _run_skipped(interface, job, trigger, params, celery_task_id, attempt)
        _close_orphans(interface, job, now)
        run = Run.objects.create(
            interface=interface, job=job, trigger=trigger, params=params, started_at=now,
            status=Run.Status.RUNNING, celery_task_id=celery_task_id or "", attempt=attempt,
        )
        ctx = JobContext(run=run, interface=interface, lock=lock)
        with translation.override(interface.institution.language):
            try:
                registry.get(job)(ctx)
            except UnknownJob:
                ctx.error(
                    _("The job “%(job)s” is not available in this version.") % {"job": job},
                    _("Update the application, or remove this schedule."),
                )
            except RetryLater as exc:
                retry_exc = exc
                ctx.error(
                    exc.text or _("Ticketnet cannot be reached."),
                    exc.action or _("Nothing to do if it comes back: the run is retried "
                                    "automatically. If it keeps failing, check the interface's "
                                    "URL and tell Ticketnet."),
                )
            except JobError as exc:
                ctx.error(exc.text, exc.action)
            except Exception as exc:
                logger.exception("Run %s (%s, interface %s) failed", run.pk, job, interface.pk)
                ctx.error(
                    _("The job stopped on an unexpected error (%(type)s).")
                    % {"type": type(exc).__name__},
                    _("Look at the server logs for run %(run)s, fix the cause, then run it "
                      "again.") % {"run": run.pk},
                )
        run.status = ctx.status()
        run.finished_at = timezone.now()
        run.counts = ctx.counts
        run.messages = ctx.messages
        run.save(update_fields=["status", "finished_at", "counts", "messages", "progress_done",
                                "progress_total"])
    if run.status in (Run.Status.WARNING, Run.Status.ERROR):
        transaction.on_commit(partial(run_notify, run_id=run.pk))
    if retry_exc is not None and raise_retry:
        raise retry_exc
    return run


def _run_skipped(interface, job, trigger, params, celery_task_id, attempt) -> Run:
    running = (
        Run.objects.filter(interface=interface, job=job, status=Run.Status.RUNNING)
        .order_by("-started_at").values_list("pk", flat=True).first()
    )
    with translation.override(interface.institution.language):
        text = _("Another run of this job for this interface is in progress (run %(run)s).") % {
            "run": running or "?"}
        action = _("Nothing to do: wait for it to finish.")
    now = timezone.now()
    return Run.objects.create(
        interface=interface, job=job, trigger=trigger, params=params, started_at=now,
        finished_at=now, status=Run.Status.SKIPPED, celery_task_id=celery_task_id or "",
        attempt=attempt, messages=[{"level": "info", "text": text, "action": action}],
    )


def _close_orphans(interface, job, now) -> None:
    """Runs left RUNNING by a worker that died: we hold the lock, so none is really running."""
    with translation.override(interface.institution.language):
        message = {
            "level": "error",
            "text": _("The run was interrupted (the worker stopped)."),
            "action": _("Run the job again."),
        }
    Run.objects.filter(interface=interface, job=job, status=Run.Status.RUNNING).update(
        status=Run.Status.ERROR, finished_at=now, messages=[message]
    )
