"""Non-numbered zones in the simulator: Ticketnet sells exactly the places of the series the
allotment export sent and, after a quota sync, no more than its count (issue 10, item 2)."""

import pytest

from tests.simulator.test_box_office import _as_dict, refusal
from tests.ticketnet.conftest import MANIFESTATION, PERFORMANCE
from ticketnet_simulator.state import SimulatorState

ZONE = "102"  # a series of 2500 places, category 2


def places(n: int) -> list[dict]:
    """The first n places of the series, as the bridge's allotment export sends them."""
    return [{"zone_code": ZONE, "row": str(1 + i // 1000), "number": str(1 + i % 1000),
             "category_code": "2"} for i in range(n)]


@pytest.fixture
def state(tmp_path):
    state = SimulatorState(tmp_path / "s.sqlite3")
    state.create_manifestation(_as_dict(), institution_code="505")
    yield state
    state.close()


def allot(state, n: int, export_id: str = "e") -> None:
    state.set_allotment(manifestation_code=MANIFESTATION, performance_code=PERFORMANCE,
                        export_id=export_id, replace=True, seats=places(n))


def sync(state, n: int) -> None:
    state.set_zone_quota(manifestation_code=MANIFESTATION, performance_code=PERFORMANCE,
                         zone_code=ZONE, places_available=n)


def sell(state, row: int, seat: int) -> dict:
    return state.sell(manifestation=MANIFESTATION, performance=PERFORMANCE, zone=ZONE, row=row,
                      seat=seat, category="2", tariff="1", price_cents=2000)


def count(state) -> int | None:
    [perf] = state.show()["manifestations"][0]["performances"]
    return perf["zone_quotas"].get(ZONE)


def test_only_the_places_sent_are_sold(state):
    # The reproduction: places 1…500 sent, the capacity 2500; `sell --row 3 --seat 1`
    # was accepted "from_quota" before.
    allot(state, 500)
    sync(state, 500)
    assert refusal(sell, state, 3, 1).code == "SEAT_NOT_ALLOTTED"
    assert refusal(sell, state, 1, 501).code == "SEAT_NOT_ALLOTTED"
    ticket = sell(state, 1, 500)
    assert ticket["from_quota"] is True and count(state) == 499


def test_the_count_caps_sales_and_a_refund_gives_a_place_back(state):
    allot(state, 10)
    sold = [sell(state, 1, n) for n in (1, 2)]
    assert count(state) is None  # no sync yet: every place sent and free may be sold
    sync(state, 1)
    sell(state, 1, 3)
    assert refusal(sell, state, 1, 4).code == "ZONE_QUOTA_USED_UP"
    state.refund(sold[0]["number"])
    assert count(state) == 1
    sell(state, 1, 4)
    assert count(state) == 0


def test_a_count_beyond_the_places_sent_is_refused(state):
    assert refusal(sync, state, 1).code == "INVALID_QUOTA"
    sync(state, 0)  # closing a zone never sent is fine
    allot(state, 1200)
    error = refusal(sync, state, 1201)
    assert error.code == "INVALID_QUOTA" and "send 0 to 1200" in error.message
    sync(state, 1200)


def test_an_allotment_export_replaces_the_places_and_lifts_the_count(state):
    allot(state, 1500)
    held = sell(state, 2, 400)
    sync(state, 0)
    allot(state, 1000, export_id="f")
    assert count(state) is None
    assert refusal(sell, state, 2, 1).code == "SEAT_NOT_ALLOTTED"
    sell(state, 1, 1000)
    # A ticket sold before stays valid; refunded, its place is not sold again.
    state.refund(held["number"])
    assert refusal(sell, state, 2, 400).code == "SEAT_NOT_ALLOTTED"


def _zone_tickets(state) -> list[tuple[int, int, str]]:
    """(row, seat, status) of the zone's tickets, oldest first."""
    return state.store.db().execute(
        "SELECT row, seat, status FROM ticket WHERE zone_code = ? ORDER BY number",
        (ZONE,)).fetchall()


def test_generate_refunds_tickets_of_a_used_up_count(state):
    # Before the fix: KeyError ('1701', '1709052030', '102') in the second generate, whose
    # refunds gave a place back to a count the run had not loaded (used up).
    allot(state, 5)
    sync(state, 5)
    for n in range(1, 6):
        sell(state, 1, n)
    assert count(state) == 0
    result = state.generate(count=60, seed=3)
    assert result["counts"]["REFUND"] > 0 and result["counts"]["SALE"] > 0
    tickets = _zone_tickets(state)
    active = [(r, n) for r, n, status in tickets if status == "ACTIVE"]
    assert len(active) == len(set(active)) <= 5
    assert all(r == 1 and 1 <= n <= 5 for r, n, _status in tickets)
    # The count moved with the run: the 5 synced, minus sales, plus refunds since the sync.
    assert count(state) == 5 - len(active)


def _zone_sales(state) -> list[tuple[int, int]]:
    """(row, seat) of the zone's SALE operations, in the journal's order."""
    return state.store.db().execute(
        "SELECT row, seat FROM operation WHERE zone_code = ? AND type = 'SALE' ORDER BY seq",
        (ZONE,)).fetchall()


def test_generate_stays_within_the_places_sent_and_the_count(state):
    allot(state, 1500)
    sync(state, 40)
    state.generate(count=400, seed=7)
    assert all((r - 1) * 1000 + n <= 1500 for r, n in _zone_sales(state))
    active = sum(1 for *_place, status in _zone_tickets(state) if status == "ACTIVE")
    assert active <= 40 and count(state) == 40 - active
    # A later export lifts the count; places it left out are not sold again (the tickets
    # on them may still be reprinted or refunded).
    before = len(_zone_sales(state))
    allot(state, 10, export_id="f")
    state.generate(count=400, seed=8)
    since = _zone_sales(state)[before:]
    assert since and all(r == 1 and n <= 10 for r, n in since)
