"""With a real worker (and beat) process: queued and scheduled runs are recorded, and a run
that asks to be retried is retried with backoff. Needs the broker of REDIS_URL (CI has it)."""

import datetime as dt
import json

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from schedules.framework.queue import job_queue
from schedules.jobs.schedules import schedule_name, schedules_ensure
from schedules.models import Job, Run
from schedules.tasks import ABANDONED_CHECK_TASK
from tests import factories as f
from tests.schedules import jobs_for_tests as jobs

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_a_queued_job_runs_on_the_worker_and_is_recorded(celery_processes):
    interface = f.InterfaceFactory()
    job_queue(interface_id=interface.pk, job=jobs.TEST_JOB, params={"outcome": "warning"})
    run = celery_processes.wait_for(
        lambda: Run.objects.filter(interface=interface, finished_at__isnull=False).first(),
        "the queued run")
    assert (run.status, run.trigger, run.counts) == ("warning", "manual", {"done": 3, "parked": 2})
    assert run.celery_task_id


def test_retry_later_is_retried_with_backoff_by_the_worker(celery_processes):
    interface = f.InterfaceFactory()
    job_queue(interface_id=interface.pk, job=jobs.TEST_JOB, params={"outcome": "retry_once"})
    celery_processes.wait_for(
        lambda: Run.objects.filter(interface=interface, status="ok").exists(), "the retried run")
    first, second = Run.objects.filter(interface=interface).order_by("started_at")
    assert (first.status, first.attempt) == ("error", 0)
    assert (second.status, second.trigger, second.attempt) == ("ok", "retry", 1)
    assert first.celery_task_id == second.celery_task_id
    assert second.started_at - first.finished_at >= dt.timedelta(seconds=1)  # the countdown


@pytest.mark.parametrize("outcome", [
    pytest.param("lose_database", marks=pytest.mark.skipif(
        connection.vendor != "postgresql", reason="pg_terminate_backend is PostgreSQL's")),
    "lose_broker",
])
def test_a_lost_database_session_or_broker_is_retried_by_the_worker(celery_processes, outcome):
    """The first try loses its database session (PostgreSQL terminates it) or cannot reach its
    broker: ERROR saying which and when it is retried; the retry goes through."""
    interface = f.InterfaceFactory(institution=f.InstitutionFactory(language="en"))
    job_queue(interface_id=interface.pk, job=jobs.TEST_JOB, params={"outcome": outcome})
    celery_processes.wait_for(
        lambda: Run.objects.filter(interface=interface, status="ok").exists(), "the retry")
    first, second = Run.objects.filter(interface=interface).order_by("started_at")
    assert (first.status, first.attempt) == ("error", 0)
    [message] = first.messages
    assert message["text"].startswith({
        "lose_database": "The database connection failed during the run (",
        "lose_broker": "The run could not reach the message broker ("}[outcome])
    assert message["action"].startswith("The run will be retried automatically: retry 1 of 2 at ")
    assert (second.status, second.trigger, second.attempt) == ("ok", "retry", 1)


def test_a_due_periodic_task_is_sent_by_beat_and_run_by_the_worker(celery_processes):
    """The schedule made by schedules_ensure, as an operator might edit it: pointed at the
    test job and the tests' queue, and last run 5 hours ago, so it is due when beat starts."""
    interface = f.InterfaceFactory()
    schedules_ensure(interface=interface)
    task = PeriodicTask.objects.get(
        name=schedule_name(interface_id=interface.pk, job=Job.SALES_INTEGRATION))
    kwargs = json.loads(task.kwargs)
    kwargs.update(job=jobs.TEST_JOB, params={"outcome": "ok"})
    task.kwargs = json.dumps(kwargs)
    task.queue = celery_processes.queue
    task.last_run_at = timezone.now() - dt.timedelta(hours=5)
    task.save()
    celery_processes.start("beat", [
        "beat", "--loglevel=INFO", "-S", "django_celery_beat.schedulers:DatabaseScheduler",
        "--pidfile=", f"--schedule={celery_processes.log_dir / 'beat-schedule'}",
    ])
    try:
        run = celery_processes.wait_for(
            lambda: Run.objects.filter(interface=interface, finished_at__isnull=False).first(),
            "the scheduled run")
    finally:
        celery_processes.stop("beat")
    assert (run.status, run.trigger, run.job) == ("ok", "scheduled", jobs.TEST_JOB)
    task.refresh_from_db()
    assert task.total_run_count >= 1
    # Beat wrote the abandoned-runs check from the settings when it started.
    check = PeriodicTask.objects.get(name="schedules: abandoned runs check")
    assert check.task == ABANDONED_CHECK_TASK and check.enabled
    assert (check.interval.every, check.interval.period) == (
        settings.SCHEDULES_ABANDONED_CHECK_INTERVAL, "seconds")
