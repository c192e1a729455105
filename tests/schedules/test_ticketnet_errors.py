"""Gateway errors reach operators as run outcomes they can act on, in their language."""

import pytest
from django.test import override_settings
from django.utils import translation

from schedules.framework.errors import JobError, RetryLater
from schedules.jobs.ticketnet import interface_client, ticketnet_errors
from tests import factories as f
from texts import render

pytestmark = pytest.mark.django_db


def test_a_working_interface_pings_the_simulator(simulator):
    interface = f.InterfaceFactory(
        url=simulator.url, login=simulator.login, institution_code=simulator.institution_code,
        password=simulator.password,
    )
    with ticketnet_errors(interface=interface):
        assert interface_client(interface=interface).ping() is not None


def test_wrong_password_is_a_job_error_saying_what_to_check(simulator):
    interface = f.InterfaceFactory(
        url=simulator.url, login=simulator.login, institution_code=simulator.institution_code,
        password="not-the-password",
    )
    with pytest.raises(JobError) as raised, ticketnet_errors(interface=interface):
        interface_client(interface=interface).ping()
    assert not isinstance(raised.value, RetryLater)
    text, action = render(raised.value.text), render(raised.value.action)
    assert "AUTHENTICATION_FAILED" in text
    assert "login, password and institution code" in action
    assert "not-the-password" not in text + action


@override_settings(TICKETNET_CONNECT_TIMEOUT=0.5, TICKETNET_OPERATION_TIMEOUT=2)
def test_nobody_listening_is_retry_later_in_french(unused_tcp_port):
    interface = f.InterfaceFactory(url=f"127.0.0.1:{unused_tcp_port}")
    with (
        translation.override("fr"),
        pytest.raises(RetryLater) as raised,
        ticketnet_errors(interface=interface),
    ):
        interface_client(interface=interface).ping()
    with translation.override("fr"):
        assert render(raised.value.text).startswith("Ticketnet n'a pas répondu")


def test_undecryptable_password_is_a_job_error(settings):
    interface = f.InterfaceFactory()
    from cryptography.fernet import Fernet

    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(JobError) as raised:
        interface_client(interface=interface)
    assert "FIELD_ENCRYPTION_KEYS" in render(raised.value.action)
