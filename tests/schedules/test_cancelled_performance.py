"""A cancelled performance (issue 10, item 5): Ticketnet's sales on it are parked with that
reason, its refunds are integrated; the allotment export empties its allotment at Ticketnet and
the quota sync closes its zones. Through the real jobs against the simulator."""

import pytest
from django.urls import reverse

from sales.models import ParkedOperation, Ticket, ZoneAllotment
from sales.services import operations_apply
from sales.types import ParkReason
from schedules.models import Job, Run
from tests import factories as f
from tests.sales import factories as sf
from tests.schedules.export_setup import run, texts
from tests.schedules.test_non_numbered_places import exported_bridge
from tests.schedules.ticketnet_world import make_world
from ticketnet_simulator.rules import SimulatorError

pytestmark = pytest.mark.django_db


def cancel(performance, cancelled=True) -> None:
    performance.cancelled = cancelled
    performance.save(update_fields=["cancelled"])


def test_sales_are_parked_and_refunds_integrated(simulator):
    w = make_world(simulator, seats=5)
    kept, refunded = w.sell(1), w.sell(2)
    assert run(w.interface, Job.SALES_INTEGRATION).status == Run.Status.OK
    cancel(w.setup.performance)
    late = w.sell(3)  # Ticketnet has not heard of the cancellation yet
    w.state.refund(refunded["number"])

    result = run(w.interface, Job.SALES_INTEGRATION)
    assert result.status == Run.Status.WARNING
    assert (result.counts["refunded"], result.counts["parked_performance_cancelled"]) == (1, 1)
    [parked] = ParkedOperation.objects.filter(interface=w.interface)
    assert (parked.reason, parked.ticket_number) == (ParkReason.PERFORMANCE_CANCELLED,
                                                     late["number"])
    assert "is cancelled" in parked.message and late["number"] in parked.message
    [warning] = [m for m in result.messages if m["level"] == "warning"]
    assert "performance cancelled" in warning["text"] and "untick" in warning["action"]
    states = dict(Ticket.objects.values_list("number", "state"))
    assert states == {kept["number"]: Ticket.State.VALID,
                      refunded["number"]: Ticket.State.CANCELLED}

    # The performance takes place after all: the next run integrates the parked sale.
    cancel(w.setup.performance, False)
    assert run(w.interface, Job.SALES_INTEGRATION).status == Run.Status.OK
    assert Ticket.objects.get(number=late["number"]).state == Ticket.State.VALID
    parked.refresh_from_db()
    assert parked.resolved_at is not None


def test_the_parked_line_speaks_french(simulator):
    w = make_world(simulator, seats=2, language="fr")
    cancel(w.setup.performance)
    w.sell(1)
    run(w.interface, Job.SALES_INTEGRATION)
    [parked] = ParkedOperation.objects.filter(interface=w.interface)
    assert "est annulée" in parked.message
    assert parked.get_reason_display() == "Performance cancelled"  # the label, lazily


def test_cancelled_wins_over_closed():
    s = sf.sales_setup(seats=1)
    s.performance.closed = s.performance.cancelled = True
    s.performance.save()
    result = operations_apply(interface=s.interface, operations=[sf.sale(s, 0)])
    assert result.parked_by_reason == {ParkReason.PERFORMANCE_CANCELLED: 1}


def test_the_allotment_export_empties_it_and_the_sync_closes_its_zones(simulator):
    bridge = exported_bridge(simulator, capacity=2500, places=800)
    bridge.job(Job.ALLOTMENT_EXPORT)
    sold = bridge.sell(5)
    bridge.job(Job.SALES_INTEGRATION)
    cancel(bridge.setup.performance)
    result = bridge.job(Job.ALLOTMENT_EXPORT)
    assert result.counts["cancelled_performances"] == 1
    assert "is cancelled: its allotment at Ticketnet was emptied" in texts(result, "info")
    [perf] = bridge.state.show()["manifestations"][0]["performances"]
    assert perf["allotted_seats"] == 0
    with pytest.raises(SimulatorError) as refused:
        bridge.sell(6)
    assert refused.value.code == "SEAT_NOT_ALLOTTED"
    record = ZoneAllotment.objects.get(interface=bridge.interface)
    assert (record.places, record.most_places) == (0, 800)
    # Its refunds still come back.
    bridge.state.refund(sold["number"])
    bridge.job(Job.SALES_INTEGRATION)
    assert Ticket.objects.get(number=sold["number"]).state == Ticket.State.CANCELLED


def test_the_quota_sync_sends_nothing_more_to_sell(simulator):
    bridge = exported_bridge(simulator, capacity=2500, places=800)
    bridge.job(Job.ALLOTMENT_EXPORT)
    cancel(bridge.setup.performance)
    result = bridge.job(Job.QUOTA_SYNC)
    assert result.counts["places"] == 0
    with pytest.raises(SimulatorError) as refused:
        bridge.sell(1)
    assert refused.value.code == "ZONE_QUOTA_USED_UP"


def test_the_admin_lists_and_filters_cancelled_performances(client):
    interface = f.InterfaceFactory()
    client.force_login(f.staff_user(interface.institution))
    event = f.EventFactory(institution=interface.institution)
    on = f.PerformanceFactory(event=event)
    off = f.PerformanceFactory(event=event, configuration=on.configuration, cancelled=True)
    url = reverse("admin:catalog_performance_changelist")
    response = client.get(url, {"cancelled__exact": "1"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [off]
    response = client.get(reverse("admin:catalog_performance_change", args=[on.pk]))
    assert "cancelled" in response.context["adminform"].form.fields
