"""The production-like stack is described completely (no Docker engine runs here)."""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APP_SERVICES = ["migrate", "web", "worker", "beat", "simulator"]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _command(service) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def variables_read_by_settings() -> set[str]:
    source = (ROOT / "ticketnet_bridge" / "settings.py").read_text()
    found = set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", source))
    found |= set(re.findall(r"Env\(\)\.\w+\(\s*\"([A-Z][A-Z0-9_]+)\"", source))
    return found


def test_settings_variables_are_found():
    assert {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL",
            "FIELD_ENCRYPTION_KEYS", "EMAIL_URL", "SITE_URL", "VAR_DIR"} <= (
        variables_read_by_settings()
    )


def test_services_and_images(compose):
    services = compose["services"]
    assert set(services) == {"postgres", "redis", *APP_SERVICES}
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for name in APP_SERVICES:
        assert services[name]["image"] == "ticketnet-bridge:latest"
        assert services[name]["build"] == "."
    assert (ROOT / "Dockerfile").exists()


def test_commands(compose):
    services = compose["services"]
    assert "manage.py migrate" in _command(services["migrate"])
    web = _command(services["web"])
    assert web.startswith("gunicorn ticketnet_bridge.wsgi:application") and "0.0.0.0:8000" in web
    assert "worker" in _command(services["worker"])
    assert "django_celery_beat.schedulers:DatabaseScheduler" in _command(services["beat"])
    assert _command(services["simulator"]) == (
        "python manage.py ticketnet_simulator serve --bind 0.0.0.0:7120 "
        "--state /data/simulator.sqlite3"
    )
    assert any(v.endswith(":/data") for v in services["simulator"]["volumes"])
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE


def test_everything_waits_for_migrations_and_healthy_backends(compose):
    services = compose["services"]
    for name in ["web", "worker", "beat", "simulator"]:
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
    assert services["migrate"]["restart"] == "no"


@pytest.mark.parametrize("name", ["web", "worker", "beat", "migrate"])
def test_every_settings_variable_is_provided(compose, name):
    environment = compose["services"][name]["environment"]
    missing = variables_read_by_settings() - set(environment)
    assert not missing, f"{name} lacks {sorted(missing)}"
    assert environment["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in (
        environment["DATABASE_URL"]
    )
    assert environment["REDIS_URL"].startswith("redis://redis:6379/")
    assert "${SECRET_KEY:?" in environment["SECRET_KEY"]
    assert "${FIELD_ENCRYPTION_KEYS:?" in environment["FIELD_ENCRYPTION_KEYS"]


def test_only_the_simulator_service_installs_the_simulator(compose):
    services = compose["services"]
    assert services["simulator"]["environment"]["SIMULATOR_ENABLED"] == "1"
    for name in ["migrate", "web", "worker", "beat"]:
        assert services[name]["environment"]["SIMULATOR_ENABLED"] == "0"


def _conf_settings() -> dict[str, str]:
    found = {}
    for line in (ROOT / "deploy" / "postgresql.conf").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, value = (part.strip() for part in line.split("=", 1))
            found[name] = value.strip("'")
    return found


def test_postgres_runs_with_the_production_settings(compose):
    postgres = compose["services"]["postgres"]
    assert _command(postgres) == "postgres -c config_file=/etc/postgresql/postgresql.conf"
    assert "./deploy/postgresql.conf:/etc/postgresql/postgresql.conf:ro" in postgres["volumes"]
    conf = _conf_settings()
    # The other services reach it over the compose network; durability is never traded.
    assert conf["listen_addresses"] == "*"
    assert conf["fsync"] == conf["full_page_writes"] == conf["synchronous_commit"] == "on"


@pytest.mark.django_db
def test_production_settings_are_the_servers_own():
    """Every name in deploy/postgresql.conf is a setting PostgreSQL knows (a typo would stop
    the server from starting; benchmarks/bench_integration.py --private-cluster starts one)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's settings catalogue")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, enumvals FROM pg_settings")
        known = dict(cursor.fetchall())
    conf = _conf_settings()
    assert set(conf) - set(known) == set()
    for name, value in conf.items():
        if known[name]:  # an enum: one of its values
            assert value in known[name], (name, value)
