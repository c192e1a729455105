"""Queuing a job on Celery once the current transaction commits, and running a run again.

The broker is asked first: when it is down the caller gets `JobQueueUnavailable` before
anything is committed, and shows `QUEUE_UNAVAILABLE` on the page, not a 500. The run itself is
made by the worker that takes the job, so a job the broker refused leaves no run behind."""

import logging
import uuid
from functools import partial

import kombu.exceptions
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ..tasks import run_job
from . import registry
from .errors import JobQueueUnavailable
from .models import Run

logger = logging.getLogger(__name__)

QUEUE_UNAVAILABLE = _("The job queue is not reachable; nothing was started. Try again in a "
                      "moment; if it keeps failing, tell the administrator (the message broker "
                      "of REDIS_URL may be down).")
BROKER_ERRORS = (kombu.exceptions.OperationalError, ConnectionError, TimeoutError)
# One attempt, no waiting: the operator is on the page.
BROKER_CHECK = {"max_retries": 1, "interval_start": 0, "interval_step": 0, "timeout": 3}


def job_queue_check() -> None:
    """JobQueueUnavailable unless the broker answers now."""
    try:
        with run_job.app.connection_for_write() as broker:
            broker.ensure_connection(**BROKER_CHECK)
    except BROKER_ERRORS as exc:
        logger.warning("The job queue is not reachable: %s", exc)
        raise JobQueueUnavailable(str(exc)) from exc


def job_queue(*, interface_id: int, job: str, trigger: str = Run.Trigger.MANUAL,
              params: dict | None = None, user=None) -> str:
    """Queue the job on Celery once the current transaction commits; return the Celery task
    id its run will record (`Run.celery_task_id`), so the admin can follow it.

    JobQueueUnavailable when the broker does not answer (now, or when the transaction
    commits): nothing was queued. `user`: who asked (the audit log names them when the run
    exports)."""
    registry.get(job)  # raises UnknownJob before anything is queued
    job_queue_check()
    task_id = str(uuid.uuid4())
    kwargs = {"interface_id": interface_id, "job": job, "trigger": trigger,
              "params": params or {}}
    if getattr(user, "pk", None) is not None:
        kwargs["requested_by"] = user.pk

    transaction.on_commit(partial(_publish, kwargs=kwargs, task_id=task_id))
    return task_id


def _publish(*, kwargs: dict, task_id: str) -> None:
    try:
        run_job.apply_async(kwargs=kwargs, task_id=task_id)
    except BROKER_ERRORS as exc:  # lost between the check and the commit
        logger.warning("Job %s for interface %s not queued: %s", kwargs["job"],
                       kwargs["interface_id"], exc)
        raise JobQueueUnavailable(str(exc)) from exc


def run_again(*, run: Run, user=None) -> str:
    return job_queue(interface_id=run.interface_id, job=run.job, trigger=Run.Trigger.MANUAL,
                     params=run.params, user=user)
