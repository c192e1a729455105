"""The interface's connection check against the simulator over loopback: each way it ends is an
outcome (never an exception), and the password never shows in it."""

import time

import pytest
from cryptography.fernet import Fernet

from schedules.jobs.ticketnet import (
    CONNECTION_CHECK_TIMEOUT,
    ConnectionOutcome,
    interface_connection_check,
)
from tests import factories as f
from ticketnet_simulator.soap import SERVER_NAME, VERSION

pytestmark = pytest.mark.django_db


def interface_on(simulator, **overrides):
    values = {"url": simulator.url, "login": simulator.login,
              "institution_code": simulator.institution_code, "password": simulator.password}
    return f.InterfaceFactory(**{**values, **overrides})


def test_the_right_credentials_say_who_answers(simulator):
    check = interface_connection_check(interface=interface_on(simulator))
    assert check.ok and check.outcome == ConnectionOutcome.OK
    assert (check.server_name, check.version) == (SERVER_NAME, VERSION)
    assert check.institution_code == simulator.institution_code


@pytest.mark.parametrize("field", ["login", "password", "institution_code"])
def test_wrong_credentials_are_refused_credentials(simulator, field):
    check = interface_connection_check(interface=interface_on(simulator, **{field: "W-R-O-N-G"}))
    assert check.outcome == ConnectionOutcome.CREDENTIALS_REFUSED and not check.ok
    assert check.code == "AUTHENTICATION_FAILED"
    assert "W-R-O-N-G" not in check.detail


def test_nobody_listening_is_unreachable_at_once(unused_tcp_port):
    started = time.monotonic()
    check = interface_connection_check(
        interface=f.InterfaceFactory(url=f"127.0.0.1:{unused_tcp_port}"))
    assert check.outcome == ConnectionOutcome.UNREACHABLE
    assert "refused the connection" in check.detail
    # Not retried: the operator is waiting.
    assert time.monotonic() - started < min(CONNECTION_CHECK_TIMEOUT, 2)


def test_a_broken_answer_is_a_broken_contract(simulator):
    simulator.state.fault_set(kind="malformed_xml", operation="checkConnection", times=1)
    check = interface_connection_check(interface=interface_on(simulator))
    assert check.outcome == ConnectionOutcome.CONTRACT_BROKEN and check.detail


def test_another_refusal_keeps_ticketnets_code(simulator):
    simulator.state.fault_set(kind="soap_fault", operation="checkConnection", times=1,
                              code="MAINTENANCE", message="Back at 6 am.")
    check = interface_connection_check(interface=interface_on(simulator))
    assert (check.outcome, check.code, check.detail) == (
        ConnectionOutcome.REJECTED, "MAINTENANCE", "Back at 6 am.")


def test_an_undecryptable_password_is_said_without_calling(settings, unused_tcp_port):
    interface = f.InterfaceFactory(url=f"127.0.0.1:{unused_tcp_port}")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    check = interface_connection_check(interface=interface)
    assert check.outcome == ConnectionOutcome.PASSWORD_UNREADABLE
