"""Celery tasks: thin, they take ids and call the runner. Here, where Celery's autodiscovery looks,
and named explicitly: beat's PeriodicTask rows store the task by this name."""

import logging

from celery import shared_task
from celery.exceptions import Reject
from celery.worker.request import Request
from django.conf import settings

from channels.models import ExternalSalesInterface

from .framework.abandoned import runs_abandoned_check
from .framework.errors import RetryLater
from .framework.models import Run
from .framework.outcomes import INFRASTRUCTURE_ERRORS
from .framework.policy import job_time_limits, retry_countdown
from .framework.runner import job_run, run_retry_not_scheduled

logger = logging.getLogger(__name__)

RUN_JOB_TASK = "schedules.tasks.run_job"
ABANDONED_CHECK_TASK = "schedules.tasks.abandoned_runs_check"

__all__ = ["ABANDONED_CHECK_TASK", "RUN_JOB_TASK", "abandoned_runs_check", "retry_countdown",
           "run_job"]


class RunJobRequest(Request):
    """run_job as the worker receives it, with the time limits of the job it carries: beat,
    the web and the retries send it without any, and the pool applies these."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hard, soft = self.time_limits
        if not hard and not soft:
            limits = job_time_limits(job=str((self.kwargs or {}).get("job", "")))
            self.time_limits = (limits.hard, limits.soft)


@shared_task(name=RUN_JOB_TASK, bind=True, max_retries=None, acks_late=True,
             Request=RunJobRequest)
def run_job(self, interface_id: int, job: str, trigger: str = Run.Trigger.SCHEDULED,
            params: dict | None = None, requested_by: int | None = None):
    retries = self.request.retries or 0
    try:
        run = job_run(
            interface_id=interface_id, job=job,
            trigger=Run.Trigger.RETRY if retries else trigger,
            params=params, celery_task_id=self.request.id or "", attempt=retries,
            raise_retry=True, requested_by=requested_by,
        )
    except ExternalSalesInterface.DoesNotExist:
        logger.warning("Interface %s no longer exists: %s not run", interface_id, job)
        return None
    except (RetryLater, *INFRASTRUCTURE_ERRORS) as exc:
        # INFRASTRUCTURE_ERRORS here: the database was down before the run could be recorded.
        if retries >= settings.SCHEDULES_MAX_RETRIES:
            logger.warning("%s for interface %s: giving up after %s retries",
                           job, interface_id, retries)
            return None
        try:
            raise self.retry(exc=exc, countdown=retry_countdown(retries),
                             max_retries=settings.SCHEDULES_MAX_RETRIES) from exc
        except Reject as rejected:  # Celery could not publish the retry (the broker is down)
            run_id = getattr(exc, "run_id", None)
            if run_id is not None:
                run_retry_not_scheduled(run_id=run_id, exc=rejected.reason)
            raise
    return run.pk


@shared_task(name=ABANDONED_CHECK_TASK, ignore_result=True, soft_time_limit=60, time_limit=90)
def abandoned_runs_check() -> list[int]:
    """Beat's periodic check (every SCHEDULES_ABANDONED_CHECK_INTERVAL): runs whose worker
    died are ended ERROR, and their operators emailed."""
    return runs_abandoned_check()
