"""A real Celery worker (and beat) as subprocesses, on the test database and the configured
broker (Redis when REDIS_URL is set, else the embedded filesystem transport), consuming a
queue of their own so no other worker takes the tests' tasks."""

import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from tests.conftest import TEST_FERNET_KEY
from ticketnet_bridge.celery import app as celery_app

BASE_DIR = Path(settings.BASE_DIR)
WAIT_SECONDS = 60


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.postgresql":
        auth = quote(db.get("USER") or "")
        if db.get("PASSWORD"):
            auth += ":" + quote(db["PASSWORD"])
        host = db.get("HOST") or "127.0.0.1"
        port = db.get("PORT") or 5432
        return f"postgres://{auth}@{host}:{port}/{db['NAME']}"
    name = str(db["NAME"])
    if "memory" in name:
        pytest.fail("The Celery worker tests need the test database in a file or on PostgreSQL "
                    f"(got {name!r}): set DATABASE_URL=postgres://… as CI does.")
    return f"sqlite:///{name}"


def _require_broker() -> None:
    if not settings.REDIS_URL:
        return  # the embedded filesystem transport, nothing to start
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"REDIS_URL={settings.REDIS_URL} is set but Redis does not answer ({exc}): "
                    "start Redis (CI starts it), or unset REDIS_URL to use the embedded broker.")


class CeleryProcesses:
    def __init__(self, queue: str, env: dict, log_dir: Path):
        self.queue = queue
        self.env = env
        self.log_dir = log_dir
        self.procs: dict[str, tuple[subprocess.Popen, Path]] = {}

    def start(self, name: str, args: list[str]) -> None:
        log = self.log_dir / f"{name}.log"
        handle = log.open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "ticketnet_bridge", *args],
            cwd=BASE_DIR, env=self.env, stdout=handle, stderr=subprocess.STDOUT,
        )
        self.procs[name] = (proc, log)

    def stop(self, name: str) -> None:
        proc, _ = self.procs.pop(name)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    def kill(self, name: str) -> str:
        """kill -9, as the OOM killer or a lost host would: nothing runs after it. Its log."""
        proc, log = self.procs.pop(name)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        return log.read_text(errors="replace")

    def logs(self) -> str:
        out = []
        for name, (proc, log) in self.procs.items():
            text = log.read_text(errors="replace")[-4000:]
            out.append(f"--- {name} (exit {proc.poll()}) ---\n{text}")
        return "\n".join(out)

    def wait_for(self, predicate, what: str):
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            for name, (proc, _) in self.procs.items():
                if proc.poll() is not None:
                    pytest.fail(f"celery {name} exited early:\n{self.logs()}")
            time.sleep(0.2)
        pytest.fail(f"Timed out after {WAIT_SECONDS} s waiting for {what}:\n{self.logs()}")


@contextmanager
def celery_worker_running(log_dir: Path, *, pool: str = "solo", **env_overrides: str):
    """A worker on the test database consuming a queue of its own (run_job and the abandoned
    runs check sent from this process go there); beat is started by the test that needs it.
    `env_overrides`: settings of the worker (time limits, backoff…)."""
    _require_broker()
    queue = f"tnb-test-{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "FIELD_ENCRYPTION_KEYS": TEST_FERNET_KEY,
        "DEBUG": "1",
        "SCHEDULES_RETRY_BACKOFF": "1",
        "SCHEDULES_RETRY_BACKOFF_MAX": "2",
        "SCHEDULES_MAX_RETRIES": "2",
        "EMAIL_URL": "consolemail://",
        "PYTHONPATH": str(BASE_DIR),
        **env_overrides,
    }
    # This process sends its tasks to the tests' queue (the router is cached: rebuild it).
    celery_app.conf.task_routes = {"schedules.tasks.*": {"queue": queue}}
    celery_app.amqp.flush_routes()
    celery_app.amqp.__dict__.pop("router", None)
    procs = CeleryProcesses(queue, env, log_dir)
    procs.start("worker", [
        "worker", f"--pool={pool}", "--concurrency=1", "-Q", queue,
        "-I", "tests.schedules.jobs_for_tests", "-n", f"{queue}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
    ])
    try:
        yield procs
    finally:
        for name in list(procs.procs):
            procs.stop(name)
        celery_app.conf.task_routes = None
        celery_app.amqp.flush_routes()
        celery_app.amqp.__dict__.pop("router", None)


@pytest.fixture(scope="module")
def celery_processes(django_db_setup, django_db_blocker, tmp_path_factory):
    """Start a worker (solo pool) on the test database for the module's tests."""
    with celery_worker_running(tmp_path_factory.mktemp("celery")) as procs:
        yield procs
