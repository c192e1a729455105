"""The operation timeout bounds the whole call, headers and body, whatever Ticketnet's pace: a
server sending one byte a second never trips the read timeout, the deadline still ends it."""

import threading
import time

import pytest

from ticketnet_gateway.client import TicketnetClient
from ticketnet_gateway.errors import DeadlinePassed, TicketnetUnavailable

from .conftest import numbered_seats
from .trickle import TricklingServer

OPERATION_TIMEOUT = 1.5
SLACK = 1.0  # thread wake-up and the last attempt's bookkeeping, on a loaded machine


def trickled_client(server: TricklingServer, **overrides) -> TicketnetClient:
    values = {"url": server.url, "login": "L", "password": "P", "institution_code": "1",
              "connect_timeout": 2, "read_timeout": 60, "operation_timeout": OPERATION_TIMEOUT,
              "retry_backoff": 0.01, **overrides}
    return TicketnetClient(**values)


CALLS = {
    # zeep's object mapping reads the whole body; listOperations streams it to lxml;
    # setAllotment posts an envelope built with lxml.
    "ping": lambda client: client.ping(),
    "list_operations": lambda client: client.list_operations(cursor=None, page_size=10),
    "set_allotment": lambda client: client.set_allotment(
        manifestation_code="1701", performance_code="1709052030", seats=numbered_seats(1, 2),
        export_id="e1", replace=True),
}


@pytest.mark.parametrize("mode", ["headers", "body"])
@pytest.mark.parametrize("call", ["ping", "list_operations", "set_allotment"])
def test_a_trickling_answer_ends_at_the_operation_deadline(mode, call):
    with TricklingServer(mode=mode, interval=1.0) as server:
        client = trickled_client(server)
        started = time.monotonic()
        with pytest.raises(DeadlinePassed) as raised:
            CALLS[call](client)
        elapsed = time.monotonic() - started
        assert OPERATION_TIMEOUT <= elapsed < OPERATION_TIMEOUT + SLACK
        assert isinstance(raised.value, TicketnetUnavailable)  # retried later by the jobs
        assert str(raised.value) == "Ticketnet's answer took longer than 1.5 s."
        assert raised.value.seconds == OPERATION_TIMEOUT
        # The deadline spans the retries of an idempotent call: one connection only.
        assert server.connections == 1
        # The connection was really dropped: the server's next byte finds nobody.
        assert server.wait_until_all_closed(3)


def test_the_deadline_is_not_the_read_timeout():
    """Each byte comes well within the read timeout: without the deadline the call would take
    the whole answer's length in seconds."""
    with TricklingServer(mode="body", interval=0.2) as server:
        client = trickled_client(server, read_timeout=1, operation_timeout=2)
        started = time.monotonic()
        with pytest.raises(DeadlinePassed):
            client.ping()
        assert 2 <= time.monotonic() - started < 2 + SLACK


def test_calls_within_the_deadline_leave_no_watchdog_behind(simulator):
    client = TicketnetClient(**simulator.credentials, operation_timeout=5)
    for _ in range(20):
        assert client.ping().version
    client.list_operations(cursor=None, page_size=10)
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and any(
            t.name == "ticketnet-deadline" for t in threading.enumerate()):
        time.sleep(0.05)
    assert not [t for t in threading.enumerate() if t.name == "ticketnet-deadline"]
