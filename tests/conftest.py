"""Suite-wide fixtures: a fixed encryption key, and users scoped to institutions."""

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.utils import translation

TEST_FERNET_KEY = Fernet.generate_key().decode()


@pytest.fixture(autouse=True)
def _encryption_keys(settings):
    settings.FIELD_ENCRYPTION_KEYS = [TEST_FERNET_KEY]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs collectstatic; tests render admin pages without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def simulator(tmp_path):
    """A Ticketnet simulator on a free loopback port with its own state file.

    `.url` ("127.0.0.1:PORT"), `.state` (SimulatorState: sell, duplicate, refund, generate,
    show, fault_set…), `.login` / `.password` / `.institution_code` (the demo account),
    `.credentials` (keyword arguments for TicketnetClient), `.restart()`.
    """
    from ticketnet_simulator.server import RunningSimulator

    running = RunningSimulator(tmp_path / "simulator.sqlite3").start()
    yield running
    running.stop()


@pytest.fixture
def unused_tcp_port():
    """A loopback port nobody listens on (bound then released): "Ticketnet is down"."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Users are created in many tests; PBKDF2's deliberate slowness is not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _language_of_the_settings():
    """Each test starts and ends in the settings' language: a request with another
    Accept-Language activates it in the thread (LocaleMiddleware), for the next test too."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)
