"""Running jobs: the lock, the run record, the outcome, the follow-up email; queuing them on
Celery; and each interface's periodic schedules (django-celery-beat)."""

from __future__ import annotations

import json
import logging
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from channels.models import ExternalSalesInterface, SalesChannel

from . import registry
from .context import JobContext
from .errors import JobError, RetryLater, UnknownJob
from .locks import job_lock
from .models import Job, Run
from .selectors import interface_has_non_numbered_events

logger = logging.getLogger(__name__)

RUN_JOB_TASK = "schedules.tasks.run_job"
EXIT_CODES = {Run.Status.OK: 0, Run.Status.WARNING: 3, Run.Status.ERROR: 1,
              Run.Status.SKIPPED: 4}


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


def job_queue(*, interface_id: int, job: str, trigger: str = Run.Trigger.MANUAL,
              params: dict | None = None) -> None:
    """Queue the job on Celery once the current transaction commits."""
    registry.get(job)  # raises UnknownJob before anything is queued
    from .tasks import run_job

    run_job.delay_on_commit(
        interface_id=interface_id, job=job, trigger=trigger, params=params or {}
    )


def run_again(*, run: Run) -> None:
    job_queue(interface_id=run.interface_id, job=run.job, trigger=Run.Trigger.MANUAL,
              params=run.params)


def retry_countdown(retries: int) -> int:
    """Exponential backoff: base × 2^retries seconds, capped."""
    return min(settings.SCHEDULES_RETRY_BACKOFF * (2 ** retries),
               settings.SCHEDULES_RETRY_BACKOFF_MAX)


# Notifications ---------------------------------------------------------------------------------


def run_admin_url(run: Run) -> str:
    return settings.SITE_URL + reverse("admin:schedules_run_change", args=[run.pk])


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "••••••")
    return text


def _interface_secrets(interface: ExternalSalesInterface) -> list[str]:
    secrets = [interface.password_encrypted]
    try:
        secrets.append(interface.get_password())
    except Exception:  # noqa: BLE001 - an undecryptable password cannot leak either
        logger.warning("Could not decrypt the password of interface %s", interface.pk)
    return secrets


def run_notify(*, run_id: int) -> bool:
    """Email the follow-up operators about a run, in the institution's language: what ran,
    the counts, each reason and what to do, and a link to the run. Never a credential."""
    run = Run.objects.select_related("interface__institution").get(pk=run_id)
    interface = run.interface
    recipients = interface.followup_email_list
    if not recipients:
        return False
    with translation.override(interface.institution.language):
        subject = _("[Ticketnet] %(interface)s: %(job)s ended %(status)s") % {
            "interface": interface.internal_name,
            "job": run.get_job_display(),
            "status": run.get_status_display(),
        }
        body = render_to_string("schedules/email/run_notification.txt", {
            "run": run,
            "interface": interface,
            "institution": interface.institution,
            "counts": sorted((run.counts or {}).items()),
            "messages": run.messages or [],
            "url": run_admin_url(run),
        })
    secrets = _interface_secrets(interface)
    send_mail(_scrub(subject, secrets), _scrub(body, secrets), settings.DEFAULT_FROM_EMAIL,
              recipients)
    return True


# Schedules (django-celery-beat) -------------------------------------------------------------

SCHEDULE_HOURS = {Job.SALES_INTEGRATION: 4, Job.QUOTA_SYNC: 24, Job.FLAT_FILE_IMPORT: 4}


def schedule_name(*, interface_id: int, job: str) -> str:
    return f"ticketnet:{interface_id}:{job}"


def schedules_ensure(*, interface: ExternalSalesInterface) -> list[PeriodicTask]:
    """Create the interface's periodic tasks that are missing: sales integration every 4 hours;
    quota sync every 24 hours when its channel sells non-numbered events (not for visit
    passes); the flat-file import every 4 hours when Ticketnet sends it flat files. An
    existing task is never touched: operators may have edited it."""
    kind = interface.channel.kind
    wanted = []
    if kind in (SalesChannel.Kind.TICKETNET_AUTOMATIC, SalesChannel.Kind.TICKETNET_VISIT_PASS):
        wanted.append(Job.SALES_INTEGRATION)
    if kind == SalesChannel.Kind.TICKETNET_AUTOMATIC and interface_has_non_numbered_events(
        interface=interface
    ):
        wanted.append(Job.QUOTA_SYNC)
    if interface.takes_flat_files:
        wanted.append(Job.FLAT_FILE_IMPORT)
    created = []
    for job in wanted:
        name = schedule_name(interface_id=interface.pk, job=job)
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        hours = SCHEDULE_HOURS[job]
        interval = IntervalSchedule.objects.filter(
            every=hours, period=IntervalSchedule.HOURS
        ).order_by("pk").first() or IntervalSchedule.objects.create(
            every=hours, period=IntervalSchedule.HOURS
        )
        task, was_created = PeriodicTask.objects.get_or_create(
            name=name,
            defaults={
                "task": RUN_JOB_TASK,
                "interval": interval,
                "kwargs": json.dumps({
                    "interface_id": interface.pk, "job": str(job),
                    "trigger": Run.Trigger.SCHEDULED, "params": {},
                }),
                "description": f"{interface.internal_name} — {Job(job).label} "
                               f"({interface.institution.code})",
            },
        )
        if was_created:
            created.append(task)
    return created
