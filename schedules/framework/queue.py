"""Queuing a job on Celery once the current transaction commits, and running a run again."""

from ..tasks import run_job
from . import registry
from .models import Run


def job_queue(*, interface_id: int, job: str, trigger: str = Run.Trigger.MANUAL,
              params: dict | None = None) -> None:
    """Queue the job on Celery once the current transaction commits."""
    registry.get(job)  # raises UnknownJob before anything is queued
    run_job.delay_on_commit(
        interface_id=interface_id, job=job, trigger=trigger, params=params or {}
    )


def run_again(*, run: Run) -> None:
    job_queue(interface_id=run.interface_id, job=run.job, trigger=Run.Trigger.MANUAL,
              params=run.params)
