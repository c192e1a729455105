"""`manage.py integrate_sales`, as the README writes it, against a Ticketnet that answers one
byte a second (in its headers, or in its body): the run ends ERROR within the operation
timeout + 5 s, recorded, the process gone and Ticketnet's connection closed."""

import json
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings

from schedules.models import Run
from tests import factories as f
from tests.conftest import TEST_FERNET_KEY
from tests.schedules.conftest import _test_database_url
from tests.ticketnet.trickle import TricklingServer

pytestmark = pytest.mark.django_db(transaction=True)

OPERATION_TIMEOUT = 3


@pytest.mark.parametrize("mode", ["headers", "body"])
def test_integrate_sales_against_a_trickling_ticketnet_ends_error_in_time(mode):
    with TricklingServer(mode=mode, interval=1.0) as server:
        interface = f.InterfaceFactory(
            url=server.url, internal_name="FR * Ticketnet",
            institution=f.InstitutionFactory(language="en"))
        env = {**os.environ, "DATABASE_URL": _test_database_url(), "DEBUG": "1",
               "FIELD_ENCRYPTION_KEYS": TEST_FERNET_KEY, "EMAIL_URL": "consolemail://",
               "TICKETNET_OPERATION_TIMEOUT": str(OPERATION_TIMEOUT)}
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "manage.py", "integrate_sales", "--interface", "FR * Ticketnet",
             "--json"],
            cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
        elapsed = time.monotonic() - started
        assert server.wait_until_all_closed(3), "Ticketnet's connection was left open"
    assert proc.returncode == 1, proc.stderr
    # The process's own start (Django, imports) is slow on a loaded machine and says nothing
    # of the deadline: the whole process only has to end long before "forever" (the 120 s
    # cap above); the run itself, timed by the product, ends within the timeout + 5 s.
    assert elapsed < OPERATION_TIMEOUT + 60, f"{elapsed:.1f} s"
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["status"] == "ERROR"
    [message] = out["messages"]
    assert message["text"] == (
        f"Ticketnet's answer at {server.url} took longer than {OPERATION_TIMEOUT} s (the "
        "operation timeout): the call was cut off.")
    assert message["action"] == (
        "The run will not be retried automatically: it ran in this process, not on a worker. "
        "Run it again once the cause is fixed. If it keeps failing, check the URL <IP>:<Port> "
        "of the interface and ask Ticketnet whether its web services are up.")
    run = Run.objects.get(pk=out["run"])
    assert (run.interface, run.status, run.job) == (interface, "error", "sales_integration")
    assert run.finished_at is not None and run.messages == [message]
    ran = (run.finished_at - run.started_at).total_seconds()
    assert ran < OPERATION_TIMEOUT + 5, f"the run took {ran:.1f} s"
