"""One truth for non-numbered places (issue 10, item 2; README "Non-numbered zones"), through
the real jobs against a real simulator: Ticketnet sells exactly the series places the last
allotment export sent and, after a quota sync, no more than its count; the bridge integrates
every place Ticketnet sold, never parking one `not_in_quota`."""

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.models import ZoneAllocation
from sales.models import ParkedOperation, Ticket, ZoneAllotment
from sales.types import ParkReason
from schedules.models import Job, Run
from tests import factories as f
from tests.sales import factories as sf
from tests.schedules.export_setup import run, texts
from tests.schedules.ticketnet_world import CATEGORY, FREE_ZONE, MANIFESTATION, TARIFF, codes
from tests.schedules.ticketnet_world import point_at as point_interface_at
from ticketnet_simulator.rules import SimulatorError
from ticketnet_simulator.server import RunningSimulator

pytestmark = pytest.mark.django_db


def place(index: int) -> tuple[int, int]:
    """The index-th place of a series (1-based) as (row, number), 1000 a row."""
    return 1 + (index - 1) // 1000, 1 + (index - 1) % 1000


def index_of(row: int, number: int) -> int:
    return (row - 1) * 1000 + number


@dataclass
class Bridge:
    """A sales set-up exported to a simulator by the real catalogue export job."""

    setup: sf.SalesSetup
    simulator: RunningSimulator
    performance_code: str = ""

    @property
    def interface(self):
        return self.setup.interface

    @property
    def state(self):
        return self.simulator.state

    def job(self, job: str, **params) -> Run:
        result = run(self.interface, job, **params)
        assert result.status != Run.Status.ERROR, texts(result)
        return result

    def allocate(self, places: int) -> None:
        allocation = ZoneAllocation.objects.filter(
            performance=self.setup.performance, zone=self.setup.free_zone,
            quota=self.interface.external_quota)
        if places:
            allocation.update(places=places) or ZoneAllocation.objects.create(
                performance=self.setup.performance, zone=self.setup.free_zone,
                quota=self.interface.external_quota, places=places)
        else:
            allocation.delete()

    def sell(self, index: int) -> dict:
        row, number = place(index)
        return self.state.sell(manifestation=MANIFESTATION, performance=self.performance_code,
                               zone=FREE_ZONE, row=row, seat=number, category=CATEGORY,
                               tariff=TARIFF, price_cents=self.setup.price_cents)

    def parked(self, reason=None) -> list[ParkedOperation]:
        qs = ParkedOperation.objects.filter(interface=self.interface, resolved_at__isnull=True)
        return list(qs if reason is None else qs.filter(reason=reason))


def exported_bridge(simulator: RunningSimulator, *, capacity: int, places: int) -> Bridge:
    setup = sf.sales_setup(seats=4, places=places,
                           institution=f.InstitutionFactory(language="en"))
    setup.free_zone.capacity = capacity
    setup.free_zone.save(update_fields=["capacity"])
    point_interface_at(setup.interface, simulator)
    codes(setup)
    bridge = Bridge(setup=setup, simulator=simulator)
    bridge.job(Job.CATALOG_EXPORT, event_id=setup.event.pk)
    [sent] = bridge.interface.exported_manifestations.get().performances
    bridge.performance_code = sent["code"]
    return bridge


@dataclass
class Ticketnet:
    """What Ticketnet may sell in the zone, by the README's definition."""

    sent: int | None = None  # places of the series the last allotment export sent
    count: int | None = None  # the last quota sync's count, moved by sales and refunds since
    held: dict[int, str] = field(default_factory=dict)  # place index → active ticket

    def may_sell(self, index: int) -> bool:
        return (self.sent is not None and index <= self.sent and index not in self.held
                and (self.count is None or self.count > 0))

    def sold(self, index: int, number: str) -> None:
        assert self.may_sell(index), (index, self)
        self.held[index] = number
        if self.count is not None:
            self.count -= 1

    def refunded(self, index: int) -> None:
        del self.held[index]
        if self.count is not None:
            self.count += 1


def replay_generated(bridge: Bridge, model: Ticketnet, since: int) -> int:
    """Check the generator's operations on the zone against the definition, in the journal's
    order; returns the journal's last sequence number."""
    db = bridge.state.store.db()
    last = since
    for seq, kind, number, original, zone, row, seat in db.execute(
            "SELECT seq, type, ticket_number, original_ticket_number, zone_code, row, seat "
            "FROM operation WHERE seq > ? ORDER BY seq", (since,)):
        last = seq
        if zone != FREE_ZONE:
            continue
        index = index_of(row, seat)
        if kind == "SALE":
            model.sold(index, number)
        elif kind == "DUPLICATE":
            assert model.held[index] == original
            model.held[index] = number
        else:
            model.refunded(index)
    return last


def journal_end(bridge: Bridge) -> int:
    return bridge.state.store.db().execute("SELECT coalesce(max(seq), 0) FROM operation"
                                           ).fetchone()[0]


STEP = st.one_of(
    st.tuples(st.just("allocate"), st.integers(min_value=0, max_value=2100)),
    st.tuples(st.just("export")),
    st.tuples(st.just("sync")),
    st.tuples(st.just("sell"), st.integers(min_value=1, max_value=2100)),
    st.tuples(st.just("refund"), st.integers(min_value=0, max_value=50)),
    st.tuples(st.just("generate"), st.integers(min_value=1, max_value=40)),
    st.tuples(st.just("integrate")),
)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(capacity=st.integers(min_value=1, max_value=2100), data=st.data())
def test_ticketnet_sells_only_the_places_sent_and_the_bridge_integrates_all_it_sold(
        capacity, data):
    places = data.draw(st.integers(min_value=1, max_value=capacity), label="places")
    steps = data.draw(st.lists(STEP, min_size=3, max_size=14), label="steps")
    with tempfile.TemporaryDirectory() as tmp:
        simulator = RunningSimulator(Path(tmp) / "s.sqlite3").start()
        try:
            _play(exported_bridge(simulator, capacity=capacity, places=places), steps,
                  capacity=capacity)
        finally:
            simulator.stop()


def _play(bridge: Bridge, steps: list[tuple], *, capacity: int) -> None:
    model, seq = Ticketnet(), 0
    for step in steps:
        action = step[0]
        if action == "allocate":
            bridge.allocate(min(step[1], capacity))
        elif action == "export":
            bridge.job(Job.ALLOTMENT_EXPORT)
            allocation = ZoneAllocation.objects.filter(zone=bridge.setup.free_zone).first()
            model.sent, model.count = (allocation.places if allocation else 0), None
        elif action == "sync":
            bridge.job(Job.QUOTA_SYNC)
            [perf] = bridge.state.show()["manifestations"][0]["performances"]
            if FREE_ZONE in perf["zone_quotas"]:
                model.count = perf["zone_quotas"][FREE_ZONE]
                # Never more than the places sent, the count is of them.
                assert model.count <= model.sent
        elif action == "sell":
            index = min(step[1], capacity)
            allowed = model.may_sell(index)
            try:
                ticket = bridge.sell(index)
            except SimulatorError as exc:
                assert not allowed, (index, model, exc)
                continue
            model.sold(index, ticket["number"])
            seq = journal_end(bridge)
        elif action == "refund" and model.held:
            index = sorted(model.held)[step[1] % len(model.held)]
            bridge.state.refund(model.held[index])
            model.refunded(index)
            seq = journal_end(bridge)
        elif action == "generate":
            try:
                bridge.state.generate(count=step[1], seed=step[1])
            except SimulatorError as exc:
                assert exc.code == "NOTHING_TO_SELL"
            seq = replay_generated(bridge, model, seq)
        elif action == "integrate":
            bridge.job(Job.SALES_INTEGRATION)
            assert not bridge.parked(ParkReason.NOT_IN_QUOTA)
    bridge.job(Job.SALES_INTEGRATION)
    # Everything Ticketnet sold is integrated, and nothing else: the zone's valid tickets are
    # exactly the places Ticketnet holds.
    assert not bridge.parked(), [(p.reason, p.message) for p in bridge.parked()]
    valid = {index_of(t.series_row, t.series_number): t.number for t in Ticket.objects.filter(
        interface=bridge.interface, zone=bridge.setup.free_zone, state=Ticket.State.VALID)}
    assert valid == model.held


def test_a_sale_made_before_a_smaller_export_is_still_integrated(simulator):
    bridge = exported_bridge(simulator, capacity=2500, places=1500)
    bridge.job(Job.ALLOTMENT_EXPORT)
    before = bridge.sell(1400)
    bridge.allocate(1000)
    bridge.job(Job.ALLOTMENT_EXPORT)
    with pytest.raises(SimulatorError):
        bridge.sell(1401)  # no longer sent
    record = ZoneAllotment.objects.get(interface=bridge.interface)
    assert (record.places, record.most_places) == (1000, 1500)
    bridge.job(Job.SALES_INTEGRATION)
    assert Ticket.objects.get(number=before["number"]).state == Ticket.State.VALID
    assert not bridge.parked()


def test_the_sync_counts_the_places_sent_and_says_what_was_not_sent(simulator):
    bridge = exported_bridge(simulator, capacity=2500, places=500)
    # Nothing sent yet: nothing to count, and the operator is told to export.
    result = bridge.job(Job.QUOTA_SYNC)
    assert result.counts.get("zones_not_sent") == 1
    assert "No allotment export sent the places of zone 102" in texts(result, "warning")
    bridge.job(Job.ALLOTMENT_EXPORT)
    for index in (1, 2, 3):
        bridge.sell(index)
    bridge.job(Job.SALES_INTEGRATION)
    # The quota grew since the export: the count stays within the 500 places sent.
    bridge.allocate(800)
    result = bridge.job(Job.QUOTA_SYNC)
    assert result.counts["places"] == 497
    assert "300 places of zone 102" in texts(result, "warning")
    # Out of the quota: the zone is closed at Ticketnet.
    bridge.allocate(0)
    assert bridge.job(Job.QUOTA_SYNC).counts["places"] == 0
    with pytest.raises(SimulatorError) as refused:
        bridge.sell(4)
    assert refused.value.code == "ZONE_QUOTA_USED_UP"
