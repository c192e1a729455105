"""Ticketnet's box office in the simulator: sell, duplicate, refund, generate, and the command."""

import json

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.ticketnet.conftest import (
    MANIFESTATION,
    PERFORMANCE,
    make_manifestation,
    numbered_seats,
)
from ticketnet_gateway.client import TicketnetClient
from ticketnet_simulator.rules import SimulatorError
from ticketnet_simulator.state import SimulatorState


def sale(state, **overrides):
    values = {"manifestation": MANIFESTATION, "performance": PERFORMANCE, "zone": "101",
              "row": 1, "seat": 1, "category": "1", "tariff": "1", "price_cents": 5000}
    values.update(overrides)
    return state.sell(**values)


def refusal(call, *args, **kwargs) -> SimulatorError:
    with pytest.raises(SimulatorError) as error:
        call(*args, **kwargs)
    return error.value


def test_a_seat_is_sold_once_and_only_when_allotted(exported):
    state = exported.state
    ticket = sale(state)
    assert ticket["status"] == "ACTIVE" and len(ticket["number"]) == 16
    assert refusal(sale, state).code == "SEAT_ALREADY_SOLD"
    assert refusal(sale, state, zone="102", row=1, seat=1, category="2").code == (
        "SEAT_NOT_ALLOTTED")
    assert refusal(sale, state, row=9).code == "UNKNOWN_SEAT"
    assert refusal(sale, state, row=2, tariff="9").code == "UNKNOWN_TARIFF"
    assert refusal(sale, state, row=2, category="2").code == "CATEGORY_MISMATCH"
    assert refusal(sale, state, row="02").code == "LEADING_ZERO"


def test_duplicate_and_refund_act_on_valid_tickets_only(exported):
    state = exported.state
    first = sale(state)
    second = state.duplicate(first["number"])
    assert second["number"] != first["number"]
    assert state.ticket(first["number"])["status"] == "REPLACED"
    assert refusal(state.duplicate, first["number"]).code == "TICKET_CANCELLED"
    assert refusal(state.refund, first["number"]).code == "TICKET_CANCELLED"
    assert state.refund(second["number"])["status"] == "REFUNDED"
    assert refusal(state.refund, second["number"]).code == "TICKET_CANCELLED"
    assert refusal(state.duplicate, "NOPE").code == "UNKNOWN_TICKET"
    assert refusal(state.refund, "NOPE").code == "UNKNOWN_TICKET"
    # The refunded seat is back in Ticketnet's allotment.
    assert sale(state)["status"] == "ACTIVE"


def test_generate_is_deterministic_and_keeps_one_active_ticket_per_seat(tmp_path, simulator):
    journals = []
    for name in ("a", "b"):
        state = SimulatorState(tmp_path / f"{name}.sqlite3")
        state.ensure_demo_account()
        state.create_manifestation(_as_dict(), institution_code="505")
        state.set_allotment(manifestation_code=MANIFESTATION, performance_code=PERFORMANCE,
                            export_id="x", replace=True, seats=[
                                {"zone_code": s.zone_code, "row": str(s.row),
                                 "number": str(s.number), "category_code": s.category_code}
                                for s in numbered_seats()])
        result = state.generate(count=3000, seed=42)
        assert sum(result["counts"].values()) == 3000
        rows, _cursor, more = state.list_operations(cursor=None, page_size=5000)
        assert not more and len(rows) == 3000
        journals.append([line.operation for line in rows])
        tickets = state.store.db().execute(
            "SELECT count(*), count(DISTINCT row || '-' || seat) FROM ticket "
            "WHERE status = 'ACTIVE'").fetchone()
        assert tickets[0] == tickets[1] == result["active_tickets"]
        state.close()
    # The same seed, the same operations: only the ticket numbers (each state has its own
    # instance) and the times differ.
    strip = [[op._replace(ticket_number=None, original_ticket_number=None, time=None)
              for op in journal] for journal in journals]
    assert strip[0] == strip[1]
    assert {op.type for op in journals[0]} == {"SALE", "DUPLICATE", "REFUND"}


def _as_dict():
    m = make_manifestation()
    return {
        "code": m.code, "name": m.name, "hall_code": m.hall_code,
        "performances": [{"code": p.code, "start": p.start.isoformat()} for p in m.performances],
        "categories": [{"code": c.code, "name": c.name} for c in m.seat_categories],
        "tariffs": [{"code": c.code, "name": c.name} for c in m.tariffs],
        "zones": [{"code": z.code, "name": z.name, "capacity": z.capacity,
                   "category_code": z.category_code,
                   "seats": [{"row": str(s.row), "number": str(s.number),
                              "category_code": s.category_code} for s in z.seats]}
                  for z in m.zones],
        "prices": [{"category_code": p.category_code, "tariff_code": p.tariff_code,
                    "cents": p.cents} for p in m.prices],
    }


@settings(max_examples=25, deadline=None)
@given(capacity=st.integers(min_value=1, max_value=3500), data=st.data())
def test_series_seats_are_allotted_exactly_as_the_series(tmp_path_factory, capacity, data):
    state = SimulatorState(tmp_path_factory.mktemp("series") / "s.sqlite3")
    manifestation = _as_dict()
    manifestation["zones"] = [{"code": "102", "name": "Pelouse", "capacity": capacity,
                               "category_code": "2"}]
    state.create_manifestation(manifestation, institution_code="505")
    row = data.draw(st.integers(min_value=1, max_value=5))
    number = data.draw(st.integers(min_value=1, max_value=1001))
    full, rest = divmod(capacity, 1000)
    exists = row <= full and number <= 1000 or (row == full + 1 and number <= rest)
    seat = {"zone_code": "102", "row": str(row), "number": str(number), "category_code": "2"}
    if exists:
        result = state.set_allotment(manifestation_code=MANIFESTATION,
                                     performance_code=PERFORMANCE, export_id="e", replace=True,
                                     seats=[seat])
        assert result["allotted_seat_count"] == 1
    else:
        error = refusal(state.set_allotment, manifestation_code=MANIFESTATION,
                        performance_code=PERFORMANCE, export_id="e", replace=True, seats=[seat])
        assert error.code == "UNKNOWN_SEAT"
    state.close()


def test_restart_keeps_the_state(simulator, exported):
    sold = sale(exported.state)
    url = simulator.url
    simulator.restart()
    assert simulator.url == url
    assert simulator.state.ticket(sold["number"])["status"] == "ACTIVE"
    client = TicketnetClient(**simulator.credentials, retry_backoff=0.01)
    page = client.list_operations(cursor=None, page_size=10)
    assert [op.ticket_number for op in page.operations] == [sold["number"]]
    assert refusal(sale, simulator.state).code == "SEAT_ALREADY_SOLD"


def command(*args, capsys):
    call_command("ticketnet_simulator", *args)
    return json.loads(capsys.readouterr().out)


def test_the_command_acts_as_ticketnets_box_office(exported, capsys):
    state_file = str(exported.state_path)
    ticket = command("sell", "--state", state_file, "--manifestation", MANIFESTATION,
                     "--performance", PERFORMANCE, "--zone", "101", "--row", "3", "--seat",
                     "10", "--category", "1", "--tariff", "2", "--price", "3500",
                     "--buyer-last-name", "Durand", capsys=capsys)
    assert ticket["row"] == 3 and ticket["buyer_last_name"] == "Durand"
    reprint = command("duplicate", ticket["number"], "--state", state_file, capsys=capsys)
    refund = command("refund", reprint["number"], "--state", state_file, capsys=capsys)
    assert refund["status"] == "REFUNDED"
    generated = command("generate", "--count", "50", "--seed", "3", "--state", state_file,
                        capsys=capsys)
    assert generated["generated"] == 50
    shown = command("show", "--state", state_file, capsys=capsys)
    assert sum(shown["operations"].values()) == 53
    assert shown["accounts"] == [{"login": "SBSSOMETHING", "institution_code": "505"}]
    fault = command("fault", "set", "--kind", "http_500", "--operation", "ping", "--times", "2",
                    "--state", state_file, capsys=capsys)
    assert fault["times"] == 2
    assert command("fault", "clear", "--state", state_file, capsys=capsys) == {"cleared": 1}
    account = command("account", "--login", "L", "--password", "P", "--institution-code", "7",
                      "--state", state_file, capsys=capsys)
    assert account == {"login": "L", "institution_code": "7"}


def test_the_command_reports_ticketnets_refusal_as_json(exported, capsys):
    with pytest.raises(CommandError):
        call_command("ticketnet_simulator", "refund", "UNKNOWN", "--state",
                     str(exported.state_path))
    assert json.loads(capsys.readouterr().out)["error"] == "UNKNOWN_TICKET"
