"""Injected faults reach the caller as the right typed error; DTDs are refused, never expanded."""

import logging
import socket

import pytest

from ticketnet_gateway.client import TicketnetClient
from ticketnet_gateway.errors import (
    ContractError,
    TicketnetRejected,
    TicketnetUnavailable,
)

from .conftest import make_client, make_manifestation

PARSERS = ["lxml", "zeep"]


def list_once(client):
    return client.list_operations(cursor=None, page_size=10)


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("kind", ["http_500", "drop_connection"])
def test_unavailable_faults(simulator, kind, parser):
    client = make_client(simulator, listing_parser=parser, retries=0)
    simulator.state.fault_set(kind=kind)
    with pytest.raises(TicketnetUnavailable):
        list_once(client)
    with pytest.raises(TicketnetUnavailable):
        client.ping()


@pytest.mark.parametrize("parser", PARSERS)
def test_an_injected_soap_fault_is_ticketnets_refusal(simulator, parser):
    client = make_client(simulator, listing_parser=parser)
    simulator.state.fault_set(kind="soap_fault", code="MAINTENANCE",
                              message="Ticketnet is down for maintenance.")
    with pytest.raises(TicketnetRejected) as error:
        list_once(client)
    assert (error.value.code, error.value.message) == (
        "MAINTENANCE", "Ticketnet is down for maintenance.")


@pytest.mark.parametrize("parser", PARSERS)
def test_malformed_xml_is_a_contract_error(simulator, parser):
    client = make_client(simulator, listing_parser=parser)
    simulator.state.fault_set(kind="malformed_xml")
    with pytest.raises(ContractError):
        list_once(client)
    with pytest.raises(ContractError):
        client.ping()


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("kind", ["dtd", "billion_laughs"])
def test_a_dtd_or_entity_in_a_response_is_refused_never_expanded(simulator, kind, parser):
    client = make_client(simulator, listing_parser=parser)
    simulator.state.fault_set(kind=kind)
    with pytest.raises(ContractError) as error:
        list_once(client)
    assert "DTD" in str(error.value)
    with pytest.raises(ContractError) as error:
        client.ping()
    assert "DTD" in str(error.value) and "root:" not in str(error.value)


def test_latency_beyond_the_read_timeout_is_unavailable(simulator):
    client = make_client(simulator, read_timeout=0.2, retries=0)
    simulator.state.fault_set(kind="latency", latency_ms=600, operation="ping", times=1)
    with pytest.raises(TicketnetUnavailable) as error:
        client.ping()
    assert "in time" in str(error.value)


def test_latency_within_the_timeout_only_slows_down(simulator):
    client = make_client(simulator, read_timeout=5)
    simulator.state.fault_set(kind="latency", latency_ms=50, times=1)
    assert client.ping().version


def test_idempotent_calls_are_retried(simulator):
    client = make_client(simulator, retries=2)
    simulator.state.fault_set(kind="http_500", operation="listOperations", times=2)
    assert list_once(client).operations == []
    simulator.state.fault_set(kind="drop_connection", operation="ping", times=1)
    assert client.ping().version
    assert simulator.state.show()["faults"] == []


def test_create_manifestation_is_never_retried(simulator):
    client = make_client(simulator, retries=2)
    simulator.state.fault_set(kind="http_500", operation="createManifestation", times=1)
    with pytest.raises(TicketnetUnavailable):
        client.create_manifestation(make_manifestation())
    # One call consumed the one fault: no second attempt was made.
    assert simulator.state.show()["faults"] == []
    assert simulator.state.show()["manifestations"] == []


def test_retries_give_up_after_the_last_attempt(simulator):
    client = make_client(simulator, retries=1)
    simulator.state.fault_set(kind="http_500", operation="setZoneQuota", times=5)
    with pytest.raises(TicketnetUnavailable):
        client.set_zone_quota(manifestation_code="1", performance_code="1", zone_code="1",
                              places_available=1)
    assert simulator.state.show()["faults"][0]["remaining"] == 3


def test_a_fault_limited_to_one_operation_leaves_the_others(simulator):
    client = make_client(simulator, retries=0)
    simulator.state.fault_set(kind="http_500", operation="listOperations")
    assert client.ping().version
    with pytest.raises(TicketnetUnavailable):
        list_once(client)


def test_nothing_listening_is_unavailable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = TicketnetClient(url=f"127.0.0.1:{port}", login="L", password="P",
                             institution_code="1", retries=0, connect_timeout=1)
    with pytest.raises(TicketnetUnavailable) as error:
        client.ping()
    assert "refused" in str(error.value)


def test_a_server_that_is_not_ticketnet_is_a_contract_error(simulator):
    client = TicketnetClient(**{**simulator.credentials}, retries=0)
    client.address = f"http://{simulator.url}/elsewhere"
    client._service = client._zeep.create_service(
        "{urn:ticketnet-bridge:ws:1}TicketnetBinding", client.address)
    with pytest.raises(ContractError) as error:
        client.ping()
    assert "HTTP 404" in str(error.value)


def test_the_password_and_envelopes_never_reach_the_logs(simulator, caplog):
    caplog.set_level(logging.DEBUG)
    client = make_client(simulator)
    client.ping()
    client.create_manifestation(make_manifestation())
    list_once(client)
    simulator.state.fault_set(kind="malformed_xml", times=1)
    with pytest.raises(ContractError):
        client.ping()
    with pytest.raises(TicketnetRejected):
        make_client(simulator, password="wrong-" + simulator.password).ping()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "ping at" in logged
    assert simulator.password not in logged
    assert ":Envelope" not in logged and "password>" not in logged
