"""Withheld lines: a Ticketnet whose listOperations never sends a ticket's lines, while its
tickets listing (and its statement) still hold the ticket."""

import json

import pytest
from django.core.management import CommandError, call_command

from tests.ticketnet.conftest import MANIFESTATION

from .test_box_office import refusal, sale


def listed(client, **kwargs):
    return [(op.type.value, op.ticket_number)
            for op in client.list_operations(page_size=100, **{"cursor": None, **kwargs})
            .operations]


def test_a_withheld_sale_is_not_listed_but_its_ticket_is(client, exported):
    state = exported.state
    kept = sale(state, seat=1)["number"]
    lost = sale(state, seat=2)["number"]
    result = state.withhold(ticket_number=lost)
    assert result == {"ticket": lost, "withheld": True,
                      "operations": [f"{state.instance}-2"]}
    assert listed(client) == [("SALE", kept)]
    tickets = client.list_tickets(manifestation_code=MANIFESTATION).tickets
    assert [ticket.ticket_number for ticket in tickets] == [kept, lost]
    assert state.show()["withheld_operations"] == 1


def test_a_withheld_tickets_later_lines_are_withheld_its_replacement_is_not(client, exported):
    state = exported.state
    lost = sale(state, seat=1)["number"]
    refunded = sale(state, seat=2)["number"]
    state.withhold(ticket_number=lost)
    state.withhold(ticket_number=refunded)
    state.refund(refunded)
    reprint = state.duplicate(lost)["number"]
    # The reprint is the new ticket's line: the bridge sees a duplicate of a sale it never got.
    assert listed(client) == [("DUPLICATE", reprint)]
    assert state.show()["withheld_operations"] == 3


def test_released_lines_come_back_when_listed_again_since_their_time(client, exported):
    state = exported.state
    lost = sale(state, seat=1)["number"]
    after = sale(state, seat=2)["number"]
    state.withhold(ticket_number=lost)
    page = client.list_operations(cursor=None)
    assert listed(client) == [("SALE", after)]
    state.withhold(ticket_number=lost, release=True)
    # The cursor moved past the line: only listing again from a time brings it.
    assert client.list_operations(cursor=page.next_cursor).operations == []
    issued = client.list_tickets(manifestation_code=MANIFESTATION).tickets[0].issued_at
    assert listed(client, since=issued) == [("SALE", lost), ("SALE", after)]
    assert state.show()["withheld_operations"] == 0


def test_only_a_known_ticket_is_withheld(exported):
    assert refusal(exported.state.withhold, ticket_number="NOPE").code == "UNKNOWN_TICKET"


def test_the_withhold_command(exported, capsys):
    state_file = str(exported.state_path)
    number = sale(exported.state, seat=3)["number"]
    call_command("ticketnet_simulator", "withhold", "--ticket", number, "--state", state_file)
    assert json.loads(capsys.readouterr().out)["withheld"] is True
    call_command("ticketnet_simulator", "show", "--state", state_file)
    assert json.loads(capsys.readouterr().out)["withheld_operations"] == 1
    call_command("ticketnet_simulator", "withhold", "--ticket", number, "--release", "--state",
                 state_file)
    assert json.loads(capsys.readouterr().out) == {
        "ticket": number, "withheld": False, "operations": [f"{exported.state.instance}-1"]}
    with pytest.raises(CommandError):
        call_command("ticketnet_simulator", "withhold", "--ticket", "NOPE", "--state",
                     state_file)
    assert json.loads(capsys.readouterr().out)["error"] == "UNKNOWN_TICKET"
