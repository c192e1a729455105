"""A job registered for the framework tests only (imported by the tests and by the test
worker with `celery worker -I tests.schedules.jobs_for_tests`), scripted by its parameters."""

import threading
import time
from contextlib import contextmanager

from django.db import connection, transaction

from channels.models import ExternalSalesInterface
from schedules.framework import registry
from schedules.framework.errors import JobError, RetryLater, TimeLimitReached

TEST_JOB = "test_scripted"
WRITTEN_BY_THE_PAGE = "written by the page"
UNREACHABLE_BROKER = "redis://127.0.0.1:9/0"  # the discard port: nothing answers
started = threading.Event()
release = threading.Event()
backend_pid: list[int] = []


@registry.register(TEST_JOB, replace=True)
def scripted(ctx):
    outcome = ctx.params.get("outcome", "ok")
    ctx.progress(0, 3, force=True)
    ctx.count("done", 3)
    ctx.progress(3, 3)
    if outcome == "block":
        started.set()
        release.wait(30)
    elif outcome == "sleep":
        time.sleep(float(ctx.params.get("seconds", 2)))
    elif outcome == "sleep_in_page":
        _sleep_in_page(ctx, float(ctx.params.get("seconds", 30)))
    elif outcome == "sleep_through_the_soft_limit":
        try:
            time.sleep(float(ctx.params.get("seconds", 30)))
        except TimeLimitReached:
            time.sleep(float(ctx.params.get("seconds", 30)))  # a job that ignores it
    elif outcome == "lose_database" and ctx.run.attempt < int(ctx.params.get("times", 1)):
        with connection.cursor() as cursor:  # PostgreSQL ends the session under the job
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
    elif outcome == "block_then_query":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend_pid[:] = [cursor.fetchone()[0]]
        started.set()
        release.wait(30)
        _sleep_in_page(ctx, 0)
    elif outcome == "lose_broker" and ctx.run.attempt < int(ctx.params.get("times", 1)):
        from ticketnet_bridge.celery import app

        with app.connection_for_write(UNREACHABLE_BROKER) as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
    elif outcome == "warning":
        ctx.count("parked", 2)
        ctx.warning(ctx.params.get("text", "2 lines parked: unknown tariff code 15."),
                    "Enter the code, then retry.")
    elif outcome == "crash":
        raise ValueError(f"login refused for password {ctx.interface.get_password()}")
    elif outcome == "job_error":
        raise JobError("Ticketnet refused the export.", "Call Ticketnet.")
    elif outcome == "retry" or (outcome == "retry_once" and ctx.run.attempt == 0):
        raise RetryLater("Ticketnet cannot be reached.")


@contextmanager
def broker_at(url: str):
    """Celery's app pointed at `url`, then back. Both cached pools are dropped on the way in and
    out: the connection pool, and the producer pool that `apply_async` publishes through, so
    that no later test publishes to the broker of an earlier one."""
    from ticketnet_bridge.celery import app

    def forget_pools():
        app._pool = None
        app.amqp._producer_pool = None

    before = app.conf.broker_url
    app.conf.broker_url = url
    forget_pools()
    try:
        yield
    finally:
        app.conf.broker_url = before
        forget_pools()


def _sleep_in_page(ctx, seconds: float) -> None:
    """A page's transaction: a write, then a long wait before it commits."""
    with transaction.atomic():
        ExternalSalesInterface.objects.filter(pk=ctx.interface.pk).update(
            client_name=WRITTEN_BY_THE_PAGE)
        time.sleep(seconds)
