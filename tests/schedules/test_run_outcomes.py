"""A run's message says truthfully whether and when it is retried; a lost database connection or
broker is retried like Ticketnet being down; runs whose worker died are found and closed."""

import datetime as dt
import io
import os
import subprocess
import sys
import threading
from zoneinfo import ZoneInfo

import pytest
from celery.exceptions import Reject
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from schedules import tasks
from schedules.framework import runner
from schedules.framework.abandoned import runs_abandoned_check
from schedules.framework.context import JobContext
from schedules.framework.errors import RetryLater, TimeLimitReached
from schedules.framework.policy import job_time_limits
from schedules.jobs.interface_trial import run_step
from schedules.models import Run
from tests import factories as f
from tests.schedules import jobs_for_tests as jobs

pytestmark = pytest.mark.django_db

pg_only = pytest.mark.skipif(connection.vendor != "postgresql",
                             reason="pg_terminate_backend and advisory locks are PostgreSQL's")
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def interface():
    return f.InterfaceFactory(institution=f.InstitutionFactory(language="en"),
                              followup_emails="ops@example.org")


@pytest.fixture(autouse=True)
def _policy(settings):
    settings.TIME_ZONE = "Europe/Paris"
    settings.SCHEDULES_MAX_RETRIES = 5
    settings.SCHEDULES_RETRY_BACKOFF = 60
    settings.SCHEDULES_RETRY_BACKOFF_MAX = 3600


def celery_run(interface, *, attempt=0, **params) -> Run:
    """The run as the Celery task makes it (it retries a RetryLater)."""
    with pytest.raises(RetryLater) as raised:
        runner.job_run(interface_id=interface.pk, job=jobs.TEST_JOB, params=params,
                       attempt=attempt, raise_retry=True)
    assert raised.value.run_id is not None
    return Run.objects.get(pk=raised.value.run_id)


def hh_mm_in(seconds: int) -> set[str]:
    """The HH:MM of now + seconds in Paris, allowing for a minute turning during the test."""
    now = timezone.now()
    return {timezone.localtime(now + dt.timedelta(seconds=seconds + s), PARIS).strftime("%H:%M")
            for s in (-2, 0, 2)}


# Whether and when: Celery with retries left, the last retry, a command -----------------------


def test_a_worker_run_with_retries_left_says_which_retry_and_when(interface):
    run = celery_run(interface, outcome="retry", attempt=1)
    [message] = run.messages
    assert message["level"] == "error" and message["text"] == "Ticketnet cannot be reached."
    # Second retry: backoff 60 s × 2^1.
    expected = {f"The run will be retried automatically: retry 2 of 5 at {t} (Europe/Paris). "
                "If it keeps failing, check the interface's URL and tell Ticketnet."
                for t in hh_mm_in(120)}
    assert message["action"] in expected


def test_a_retry_tomorrow_gives_the_date(interface, settings):
    settings.SCHEDULES_RETRY_BACKOFF = settings.SCHEDULES_RETRY_BACKOFF_MAX = 2 * 86400
    run = celery_run(interface, outcome="retry")
    when = timezone.localtime(timezone.now() + dt.timedelta(days=2), PARIS)
    assert f"retry 1 of 5 at {when:%Y-%m-%d} " in run.messages[0]["action"]


def test_the_last_retry_says_it_will_not_be_retried(interface):
    run = celery_run(interface, outcome="retry", attempt=5)
    assert run.messages[0]["action"] == (
        "The run will not be retried automatically: this was its last retry (5 in all). Run "
        "it again once the cause is fixed. If it keeps failing, check the interface's URL and "
        "tell Ticketnet.")


def test_no_retries_configured_says_so(interface, settings):
    settings.SCHEDULES_MAX_RETRIES = 0
    run = celery_run(interface, outcome="retry")
    assert run.messages[0]["action"].startswith(
        "The run will not be retried automatically (SCHEDULES_MAX_RETRIES is 0).")


def test_a_command_run_says_it_will_not_be_retried_in_french():
    interface = f.InterfaceFactory(internal_name="FR * Ticketnet")
    with pytest.raises(SystemExit) as exited:
        call_command("run_job", "--interface", "FR * Ticketnet", "--job", jobs.TEST_JOB,
                     "--param", "outcome=retry", stdout=io.StringIO(), stderr=io.StringIO())
    assert exited.value.code == 1
    [run] = Run.objects.filter(interface=interface)
    assert run.messages[0]["action"] == (
        "L'exécution ne sera pas réessayée automatiquement : elle a tourné dans ce processus, "
        "pas sur un worker. Relancez-la une fois la cause corrigée. Si l'échec persiste, "
        "vérifiez l'URL de l'interface et prévenez Ticketnet.")


def test_the_task_gives_up_after_the_last_retry_and_the_run_says_so(interface, settings):
    settings.SCHEDULES_MAX_RETRIES = 2
    result = tasks.run_job.apply(kwargs={"interface_id": interface.pk, "job": jobs.TEST_JOB,
                                         "params": {"outcome": "retry"}}, retries=2)
    assert result.result is None  # given up, not retried
    run = Run.objects.get()
    assert (run.trigger, run.attempt, run.status) == ("retry", 2, "error")
    assert "this was its last retry (2 in all)" in run.messages[0]["action"]


def test_a_retry_the_broker_refuses_is_said_on_the_run(interface, monkeypatch):
    def broker_down(**kwargs):
        raise Reject(ConnectionRefusedError("Error 111 connecting to redis:6379."),
                     requeue=False)

    monkeypatch.setattr(tasks.run_job, "retry", broker_down)
    with pytest.raises(Reject):
        tasks.run_job.run(interface_id=interface.pk, job=jobs.TEST_JOB,
                          params={"outcome": "retry"})
    first, second = Run.objects.get().messages
    assert "retry 1 of 5" in first["action"]
    assert {key: second[key] for key in ("level", "text", "action")} == {
        "level": "error",
        "text": "The retry could not be scheduled: the message broker did not take it (Error "
                "111 connecting to redis:6379.).",
        "action": "The run will not be retried automatically. Run it again once the broker is "
                  "back.",
    }


# The database or the broker lost during a run ------------------------------------------------


def test_a_lost_broker_is_retried_like_ticketnet_down(interface):
    run = celery_run(interface, outcome="lose_broker")
    [message] = run.messages
    assert message["text"] == ("The run could not reach the message broker (Error 111 "
                               "connecting to 127.0.0.1:9. Connection refused.).")
    assert message["action"].startswith("The run will be retried automatically: retry 1 of 5 ")
    assert "REDIS_URL" in message["action"]


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_database_session_ended_by_postgresql_is_retried_like_ticketnet_down(interface):
    """pg_terminate_backend from another session while the job is between two pages."""
    jobs.started.clear()
    jobs.release.clear()
    outcome = {}

    def on_a_worker():
        try:
            runner.job_run(interface_id=interface.pk, job=jobs.TEST_JOB,
                           params={"outcome": "block_then_query"}, raise_retry=True)
        except RetryLater as exc:
            outcome["retry"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=on_a_worker)
    thread.start()
    try:
        assert jobs.started.wait(20), "the job did not start"
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", jobs.backend_pid)
            assert cursor.fetchone()[0]
    finally:
        jobs.release.set()
        thread.join(30)
    run = Run.objects.get(pk=outcome["retry"].run_id)
    assert run.status == "error" and run.finished_at is not None
    [message] = run.messages
    assert message["text"].startswith("The database connection failed during the run (")
    assert "administrator command" in message["text"]
    assert message["action"].startswith("The run will be retried automatically: retry 1 of 5 ")
    interface.refresh_from_db()
    assert interface.client_name == "ELCA"  # the page's write never committed
    # Nothing holds the lock any more: the next run goes through.
    assert runner.job_run(interface_id=interface.pk, job=jobs.TEST_JOB).status == "ok"


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_command_that_lost_its_database_session_records_the_run_and_frees_the_lock(interface):
    run = runner.job_run(interface_id=interface.pk, job=jobs.TEST_JOB,
                         params={"outcome": "lose_database", "times": 1})
    run.refresh_from_db()  # recorded on a new session
    assert run.status == "error"
    assert run.messages[0]["text"].startswith("The database connection failed during the run")
    assert run.messages[0]["action"].startswith(
        "The run will not be retried automatically: it ran in this process")
    assert runner.job_run(interface_id=interface.pk, job=jobs.TEST_JOB).status == "ok"


# Runs whose worker died ----------------------------------------------------------------------


def test_a_running_run_nobody_holds_the_lock_of_is_abandoned_with_an_email(
        interface, django_capture_on_commit_callbacks):
    dead = Run.objects.create(interface=interface, job=jobs.TEST_JOB, trigger="scheduled",
                              started_at=timezone.now() - dt.timedelta(minutes=5))
    finished = Run.objects.create(interface=interface, job=jobs.TEST_JOB, trigger="scheduled",
                                  started_at=timezone.now(), status="ok",
                                  finished_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.abandoned_runs_check.run() == [dead.pk]
    dead.refresh_from_db()
    finished.refresh_from_db()
    assert (dead.status, finished.status) == ("error", "ok")
    assert dead.finished_at is not None
    [message] = dead.messages
    assert message["text"].startswith("The run was abandoned: the worker running it stopped (")
    assert message["action"].startswith("What it committed before stopping is kept. The next "
                                        "run starts normally")
    [email] = mail.outbox
    assert email.to == ["ops@example.org"] and "ended Error" in email.subject
    assert "The run was abandoned" in email.body
    assert tasks.abandoned_runs_check.run() == []


def test_the_next_run_closes_a_dead_run_the_same_way_in_french(django_capture_on_commit_callbacks):
    interface = f.InterfaceFactory(institution=f.InstitutionFactory(language="fr"))
    dead = Run.objects.create(interface=interface, job=jobs.TEST_JOB, trigger="scheduled",
                              started_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert runner.job_run(interface_id=interface.pk, job=jobs.TEST_JOB).status == "ok"
    dead.refresh_from_db()
    assert dead.messages[0]["text"].startswith(
        "L'exécution a été abandonnée : le worker qui l'exécutait s'est arrêté (")
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_live_run_is_never_abandoned(interface, settings):
    settings.SCHEDULES_LOCK_TTL = 2  # SQLite: its heartbeat must keep it alive
    jobs.started.clear()
    jobs.release.clear()

    def on_a_worker():
        try:
            runner.job_run(interface_id=interface.pk, job=jobs.TEST_JOB,
                           params={"outcome": "block"})
        finally:
            connection.close()

    thread = threading.Thread(target=on_a_worker)
    thread.start()
    try:
        assert jobs.started.wait(20), "the job did not start"
        jobs.release.wait(3)  # longer than the lock's TTL: alive thanks to its heartbeat
        assert runs_abandoned_check() == []
        assert Run.objects.get().status == "running"
    finally:
        jobs.release.set()
        thread.join(30)
    assert Run.objects.get().status == "ok"


# Time limits -----------------------------------------------------------------------------------


def test_time_limits_per_job_kind(settings):
    settings.SCHEDULES_SOFT_TIME_LIMIT, settings.SCHEDULES_TIME_LIMIT = 3600, 3900
    assert job_time_limits(job="sales_integration") == (3600, 3900)
    assert job_time_limits(job="allotment_export") == (
        django_settings.SCHEDULES_JOB_TIME_LIMITS["allotment_export"])
    assert job_time_limits(job="allotment_export").soft >= 4 * 3600
    assert job_time_limits(job="interface_test") == job_time_limits(job="allotment_export")


def test_a_hard_limit_below_its_soft_limit_is_refused_at_start():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ticketnet_bridge.settings", "DEBUG": "1",
           "SCHEDULES_SOFT_TIME_LIMIT": "600", "SCHEDULES_TIME_LIMIT": "300"}
    proc = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env,
                          cwd=django_settings.BASE_DIR, capture_output=True, text=True)
    assert proc.returncode != 0
    assert "must be positive and below its hard time limit" in proc.stderr


def test_the_interface_test_stops_at_the_time_limit_instead_of_going_on(interface):
    run = Run.objects.create(interface=interface, job="interface_test", trigger="manual",
                             started_at=timezone.now())
    ctx = JobContext(run=run, interface=interface)

    def slow_step(sub):
        raise TimeLimitReached()

    with pytest.raises(TimeLimitReached):
        run_step(ctx, "checks", slow_step)
