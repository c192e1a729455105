"""Celery tasks: thin, they take ids and call the runner. Here, where Celery's autodiscovery looks,
and named explicitly: beat's PeriodicTask rows store the task by this name."""

import logging

from celery import shared_task
from django.conf import settings

from channels.models import ExternalSalesInterface

from .framework.errors import RetryLater
from .framework.models import Run
from .framework.runner import job_run

logger = logging.getLogger(__name__)

RUN_JOB_TASK = "schedules.tasks.run_job"


def retry_countdown(retries: int) -> int:
    """Exponential backoff: base × 2^retries seconds, capped."""
    return min(settings.SCHEDULES_RETRY_BACKOFF * (2 ** retries),
               settings.SCHEDULES_RETRY_BACKOFF_MAX)


@shared_task(name=RUN_JOB_TASK, bind=True, max_retries=None, acks_late=True)
def run_job(self, interface_id: int, job: str, trigger: str = Run.Trigger.SCHEDULED,
            params: dict | None = None):
    retries = self.request.retries or 0
    try:
        run = job_run(
            interface_id=interface_id, job=job,
            trigger=Run.Trigger.RETRY if retries else trigger,
            params=params, celery_task_id=self.request.id or "", attempt=retries,
            raise_retry=True,
        )
    except ExternalSalesInterface.DoesNotExist:
        logger.warning("Interface %s no longer exists: %s not run", interface_id, job)
        return None
    except RetryLater as exc:
        if retries >= settings.SCHEDULES_MAX_RETRIES:
            logger.warning("%s for interface %s: giving up after %s retries",
                           job, interface_id, retries)
            return None
        raise self.retry(exc=exc, countdown=retry_countdown(retries),
                         max_retries=settings.SCHEDULES_MAX_RETRIES) from exc
    return run.pk
