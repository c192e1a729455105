"""Ticketnet down under a real Celery worker (Redis in CI): the run ends ERROR, the follow-up
operators get an email, and the worker retries until Ticketnet answers again."""

import pytest

from sales.models import Ticket
from schedules.framework.queue import job_queue
from schedules.models import Run
from tests.schedules.ticketnet_world import make_world

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_ticketnet_down_is_an_error_an_email_and_a_retry_that_integrates(
        celery_processes, simulator):
    w = make_world(simulator, seats=3)
    sold = w.sell(1)
    simulator.stop()
    job_queue(interface_id=w.interface.pk, job="sales_integration")
    failed = celery_processes.wait_for(
        lambda: Run.objects.filter(interface=w.interface, status="error").first(),
        "the run that finds Ticketnet down")
    assert failed.attempt == 0 and "did not answer" in failed.messages[0]["text"]
    simulator.start()  # same port: Ticketnet is back
    retried = celery_processes.wait_for(
        lambda: Run.objects.filter(interface=w.interface, status="ok").first(), "the retry")
    assert (retried.trigger, retried.celery_task_id) == ("retry", failed.celery_task_id)
    assert retried.attempt >= 1 and retried.counts["sold"] == 1
    assert Ticket.objects.get(number=sold["number"]).state == Ticket.State.VALID
    _proc, log = celery_processes.procs["worker"]
    text = log.read_text(errors="replace")
    assert "To: followup@example.org" in text and "[Ticketnet]" in text
    assert simulator.password not in text
