"""A job registered for the framework tests only (imported by the tests and by the test
worker with `celery worker -I tests.schedules.jobs_for_tests`), scripted by its parameters."""

import threading
import time

from schedules.framework import registry
from schedules.framework.errors import JobError, RetryLater

TEST_JOB = "test_scripted"
started = threading.Event()
release = threading.Event()


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
    elif outcome == "warning":
        ctx.count("parked", 2)
        ctx.warning("2 lines parked: unknown tariff code 15.", "Enter the code, then retry.")
    elif outcome == "crash":
        raise ValueError(f"login refused for password {ctx.interface.get_password()}")
    elif outcome == "job_error":
        raise JobError("Ticketnet refused the export.", "Call Ticketnet.")
    elif outcome == "retry" or (outcome == "retry_once" and ctx.run.attempt == 0):
        raise RetryLater("Ticketnet cannot be reached.")
