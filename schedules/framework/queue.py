"""Queuing a job on Celery once the current transaction commits, and running a run again."""

import uuid

from ..tasks import run_job
from . import registry
from .models import Run


def job_queue(*, interface_id: int, job: str, trigger: str = Run.Trigger.MANUAL,
              params: dict | None = None) -> str:
    """Queue the job on Celery once the current transaction commits; return the Celery task
    id its run will record (`Run.celery_task_id`), so the admin can follow it."""
    registry.get(job)  # raises UnknownJob before anything is queued
    task_id = str(uuid.uuid4())
    run_job.apply_async_on_commit(
        kwargs={"interface_id": interface_id, "job": job, "trigger": trigger,
                "params": params or {}},
        task_id=task_id,
    )
    return task_id


def run_again(*, run: Run) -> str:
    return job_queue(interface_id=run.interface_id, job=run.job, trigger=Run.Trigger.MANUAL,
                     params=run.params)
