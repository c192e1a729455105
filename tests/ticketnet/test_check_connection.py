"""checkConnection against the simulator over loopback: who answers when the credentials are
right, Ticketnet's refusal when they are not, and nothing changed on Ticketnet's side."""

import datetime as dt

import pytest

from ticketnet_gateway.errors import ContractError, TicketnetRejected, TicketnetUnavailable
from ticketnet_simulator.soap import SERVER_NAME, VERSION

from .conftest import make_client


def test_the_right_credentials_say_who_answers(simulator):
    checked = make_client(simulator).check_connection()
    assert checked.server_name == SERVER_NAME and checked.version == VERSION
    assert checked.institution_code == simulator.institution_code
    assert abs(checked.server_time - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)


@pytest.mark.parametrize("field", ["login", "password", "institution_code"])
def test_each_wrong_credential_is_refused(simulator, field):
    client = make_client(simulator, **{field: "wrong-" + simulator.credentials[field]})
    with pytest.raises(TicketnetRejected) as error:
        client.check_connection()
    assert error.value.code == "AUTHENTICATION_FAILED"


def test_checking_changes_nothing_at_ticketnet(simulator):
    before = simulator.state.show()
    make_client(simulator).check_connection()
    assert simulator.state.show() == before


def test_nobody_listening_is_unavailable(simulator, unused_tcp_port):
    client = make_client(simulator, url=f"127.0.0.1:{unused_tcp_port}", retries=0)
    with pytest.raises(TicketnetUnavailable, match="refused the connection"):
        client.check_connection()


def test_a_broken_answer_is_a_contract_error(simulator):
    simulator.state.fault_set(kind="malformed_xml", operation="checkConnection", times=1)
    with pytest.raises(ContractError):
        make_client(simulator).check_connection()
