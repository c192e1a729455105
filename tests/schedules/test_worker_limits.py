"""With real worker processes: a run stops at its soft time limit (ERROR, its page rolled back),
a worker past the hard limit or killed with -9 leaves a run the periodic check finds abandoned,
and the next run starts normally."""

import time

import pytest
from django.core import mail
from django.utils import timezone

from schedules import tasks
from schedules.framework.queue import job_queue
from schedules.framework.runner import job_run
from schedules.models import Run
from tests import factories as f
from tests.schedules import jobs_for_tests as jobs
from tests.schedules.conftest import celery_worker_running

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

SOFT, HARD = 2, 4
LOCK_TTL = 2  # SQLite's heartbeat threshold, for the worker and for this process


@pytest.fixture(scope="module")
def limited_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """A prefork worker (Celery's time limits need a pool process to stop) with short limits."""
    with celery_worker_running(
            tmp_path_factory.mktemp("celery-limits"), pool="prefork",
            SCHEDULES_SOFT_TIME_LIMIT=str(SOFT), SCHEDULES_TIME_LIMIT=str(HARD),
            SCHEDULES_LOCK_TTL=str(LOCK_TTL)) as procs:
        yield procs


@pytest.fixture(autouse=True)
def _lock_ttl(settings):
    settings.SCHEDULES_LOCK_TTL = LOCK_TTL


def interface_for_the_test():
    return f.InterfaceFactory(institution=f.InstitutionFactory(language="en"),
                              client_name="ELCA", followup_emails="ops@example.org")


def finished(interface):
    return Run.objects.filter(interface=interface, finished_at__isnull=False).first()


def running(interface):
    return Run.objects.filter(interface=interface, status="running", progress_done=3).first()


def test_at_the_soft_time_limit_the_run_ends_error_and_its_page_is_rolled_back(limited_worker):
    interface = interface_for_the_test()
    job_queue(interface_id=interface.pk, job=jobs.TEST_JOB,
              params={"outcome": "sleep_in_page", "seconds": 60})
    run = limited_worker.wait_for(lambda: finished(interface), "the run stopped at its limit")
    assert run.status == "error"
    # The limit counts from the task's start, a moment before the run is created.
    assert SOFT - 0.5 <= (run.finished_at - run.started_at).total_seconds() < HARD
    assert [{key: m[key] for key in ("level", "text", "action")} for m in run.messages] == [{
        "level": "error",
        "text": f"The run took longer than its time limit of {SOFT} s and was stopped: the "
                "work in progress was rolled back, what it committed before is kept.",
        "action": "The run will not be retried automatically. Run it again; if it keeps "
                  "reaching the limit, ask the administrator to raise SCHEDULES_SOFT_TIME_LIMIT "
                  "(SCHEDULES_ALLOTMENT_EXPORT_SOFT_TIME_LIMIT for allotment exports and "
                  "interface tests).",
    }]
    interface.refresh_from_db()
    assert interface.client_name == "ELCA"  # the page's write was rolled back
    assert Run.objects.filter(interface=interface).count() == 1  # not retried
    # The worker is free: the next run goes through.
    job_queue(interface_id=interface.pk, job=jobs.TEST_JOB, params={"outcome": "ok"})
    limited_worker.wait_for(lambda: Run.objects.filter(interface=interface, status="ok").first(),
                            "the next run")


def test_past_the_hard_time_limit_the_run_is_found_abandoned(limited_worker):
    """A job that ignores the soft limit: the pool kills its process at the hard one; the run
    stays RUNNING until the periodic check finds nobody holds its lock."""
    interface = interface_for_the_test()
    job_queue(interface_id=interface.pk, job=jobs.TEST_JOB,
              params={"outcome": "sleep_through_the_soft_limit", "seconds": 60})
    run = limited_worker.wait_for(lambda: running(interface), "the run to start")
    abandoned = limited_worker.wait_for(tasks.abandoned_runs_check.run,
                                        "the check to find the run abandoned")
    assert abandoned == [run.pk]
    found_after = (timezone.now() - run.started_at).total_seconds()
    assert HARD - 0.5 <= found_after < HARD + 10  # alive until killed, found soon after
    run.refresh_from_db()
    assert run.status == "error"
    assert run.messages[0]["text"].startswith(
        "The run was abandoned: the worker running it stopped (")
    assert [e.to for e in mail.outbox] == [["ops@example.org"]]
    job_queue(interface_id=interface.pk, job=jobs.TEST_JOB, params={"outcome": "ok"})
    limited_worker.wait_for(lambda: Run.objects.filter(interface=interface, status="ok").first(),
                            "the next run")


def test_kill_9_of_the_worker_mid_run_the_check_abandons_it_and_the_next_run_starts(tmp_path):
    interface = interface_for_the_test()
    with celery_worker_running(tmp_path, SCHEDULES_LOCK_TTL=str(LOCK_TTL)) as procs:
        job_queue(interface_id=interface.pk, job=jobs.TEST_JOB,
                  params={"outcome": "sleep", "seconds": 120})
        run = procs.wait_for(lambda: running(interface), "the run to start")
        time.sleep(LOCK_TTL + 1)  # a quiet run outlives the lock's TTL: its heartbeat
        assert tasks.abandoned_runs_check.run() == []
        procs.kill("worker")
        killed_at = time.monotonic()
        abandoned = procs.wait_for(tasks.abandoned_runs_check.run, "the check to find it")
        found_in = time.monotonic() - killed_at
    assert abandoned == [run.pk]
    assert found_in < LOCK_TTL + 5
    run.refresh_from_db()
    assert run.status == "error" and run.finished_at is not None
    [message] = run.messages
    assert message["text"].startswith("The run was abandoned: the worker running it stopped (")
    [email] = mail.outbox
    assert email.to == ["ops@example.org"] and "The run was abandoned" in email.body
    # The next trigger runs normally (no lock left behind, no SKIPPED).
    assert job_run(interface_id=interface.pk, job=jobs.TEST_JOB).status == "ok"
