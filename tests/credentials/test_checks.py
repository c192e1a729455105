"""A missing or malformed FIELD_ENCRYPTION_KEYS with DEBUG off stops migrate, the web, the
worker and beat at start, with a message naming the variable — never a later "unexpected error"."""

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import run_checks

ROOT = settings.BASE_DIR


def _ids() -> set[str]:
    return {message.id for message in run_checks() if message.is_serious()}


@pytest.mark.parametrize("keys, expected", [
    ([], "credentials.E001"),
    (["not-a-fernet-key"], "credentials.E002"),
    ([Fernet.generate_key().decode(), "half" + Fernet.generate_key().decode()[4:30]],
     "credentials.E002"),
])
def test_without_debug_bad_keys_are_errors(settings, keys, expected):
    settings.DEBUG = False
    settings.FIELD_ENCRYPTION_KEYS = keys
    assert expected in _ids()


def test_good_keys_pass(settings):
    settings.DEBUG = False
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), Fernet.generate_key().decode()]
    assert not {i for i in _ids() if i.startswith("credentials.")}


def test_with_debug_a_missing_key_is_made_for_development(settings):
    settings.DEBUG = True
    settings.FIELD_ENCRYPTION_KEYS = []
    assert "credentials.E001" not in _ids()


def test_the_message_never_shows_the_key(settings):
    settings.DEBUG = False
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), "Secretish-but-malformed"]
    messages = [str(m) for m in run_checks() if m.id == "credentials.E002"]
    assert messages and "Secretish" not in messages[0]
    assert "FIELD_ENCRYPTION_KEYS" in messages[0] and "2nd" in messages[0]


def _production_env(tmp_path, keys: str | None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in {"FIELD_ENCRYPTION_KEYS", "SIMULATOR_ENABLED", "REDIS_URL"}}
    env.update(DEBUG="0", SECRET_KEY="x" * 60, VAR_DIR=str(tmp_path),
               DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", PYTHONPATH=str(ROOT))
    if keys is not None:
        env["FIELD_ENCRYPTION_KEYS"] = keys
    return env


CELERY = [sys.executable, "-m", "celery", "--app=ticketnet_bridge"]
STARTS = {
    "migrate": [sys.executable, "manage.py", "migrate", "--no-input"],
    "web": [sys.executable, "-c", "import ticketnet_bridge.wsgi"],
    "worker": [*CELERY, "worker", "--pool=solo", "--without-gossip", "--without-mingle",
               "--without-heartbeat", "--loglevel=INFO"],
    "beat": [*CELERY, "beat", "--loglevel=INFO", "--pidfile=",
             "--scheduler=django_celery_beat.schedulers:DatabaseScheduler"],
}


@pytest.mark.parametrize("process", sorted(STARTS))
@pytest.mark.parametrize("keys", [None, "not-a-fernet-key"], ids=["missing", "malformed"])
def test_a_process_refuses_to_start(tmp_path, process, keys):
    if process == "beat":  # beat reads its schedules from a migrated database
        migrate = subprocess.run(STARTS["migrate"], cwd=ROOT, capture_output=True, text=True,
                                 env=_production_env(tmp_path, Fernet.generate_key().decode()))
        assert migrate.returncode == 0, migrate.stderr
    try:
        done = subprocess.run(STARTS[process], cwd=ROOT, env=_production_env(tmp_path, keys),
                              capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{process} started and ran for a minute: {exc.stderr}")
    assert done.returncode != 0
    expected = "credentials.E001" if keys is None else "credentials.E002"
    assert expected in done.stderr and "FIELD_ENCRYPTION_KEYS" in done.stderr, done.stderr
