"""The whole demo against the simulator over HTTP: load_demo, catalogue export, allotment
export, the simulator sells, duplicates and refunds, the sales integration; tickets and the
quota left are right, and integrating again changes nothing."""

import pytest
from django.core.management import call_command

from catalog.models import Event
from channels.demo import DEMO_INTERFACE_NAME
from channels.models import ExternalSalesInterface
from sales.models import Ticket
from sales.selectors import quota_left
from schedules.framework.runner import job_run
from schedules.models import Job, Run

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(simulator):
    call_command("load_demo", stdout=__import__("io").StringIO())
    interface = ExternalSalesInterface.objects.get(internal_name=DEMO_INTERFACE_NAME)
    # The demo's credentials are the simulator's demo account: only its address differs.
    interface.url = simulator.url
    interface.save(update_fields=["url"])
    return interface


def steps(run):
    return [m["text"] for m in run.messages if m["level"] == "info"
            and m["text"].endswith((" : OK", " : AVERTISSEMENT", " : ERREUR"))]


def test_the_demo_passes_the_interface_test_end_to_end(demo, simulator):
    concert = Event.objects.get(institution=demo.institution, code="CONC27")
    perf_ids = list(concert.performances.values_list("pk", flat=True))
    before = quota_left(interface=demo, performance_ids=perf_ids)

    run = job_run(interface_id=demo.pk, job=Job.INTERFACE_TEST, params={"event": "CONC27"})
    assert run.status == Run.Status.OK, run.messages
    # The demo institution works in French.
    assert steps(run) == ["a. Extraction catalogue : OK", "b. Export allottements : OK",
                          "c. Ticketnet vend, duplique et rembourse : OK",
                          "d. Intégration des ventes : OK", "Résultat : OK"]
    shown = simulator.state.show()
    [manifestation] = [m for m in shown["manifestations"] if m["name"] == concert.name]
    [perf] = manifestation["performances"]
    # Blocks B1 and B2 (192 seats) and the pit's 500 places as the first seats of its series.
    assert perf["allotted_seats"] == before[perf_ids[0]].total == 192 + 500
    assert perf["active_tickets"] == 1

    tickets = Ticket.objects.filter(interface=demo).order_by("pk")
    assert [t.state for t in tickets] == ["invalidated", "cancelled", "valid"]
    original, refunded, duplicate = tickets
    assert duplicate.original == original and duplicate.seat == original.seat
    assert duplicate.order.contact == demo.contact and duplicate.order.point_of_sale.code == "TKN"
    after = quota_left(interface=demo, performance_ids=perf_ids)
    # One place held (the duplicate's); the refunded one is back in the quota.
    assert before[perf_ids[0]].total - after[perf_ids[0]].total == 1

    # Integrating again changes nothing.
    snapshot = list(tickets.values_list("pk", "state"))
    again = job_run(interface_id=demo.pk, job=Job.SALES_INTEGRATION)
    assert (again.status, again.counts["operations"]) == (Run.Status.OK, 0)
    assert list(tickets.values_list("pk", "state")) == snapshot

    # The test again: the export is not sent twice, the rest runs once more.
    second = job_run(interface_id=demo.pk, job=Job.INTERFACE_TEST, params={"event": "CONC27"})
    assert second.status == Run.Status.OK, second.messages
    assert any("a déjà été exporté vers Ticketnet" in m["text"] for m in second.messages)
    assert Ticket.objects.filter(interface=demo).count() == 6


def test_a_competition_performance_sold_by_ticketnet_lands_on_its_performance(demo, simulator):
    league = Event.objects.get(institution=demo.institution, code="L2-2027")
    call_command("export_catalog", "--interface", DEMO_INTERFACE_NAME, "--event", "L2-2027",
                 stdout=__import__("io").StringIO())
    call_command("export_allotments", "--interface", DEMO_INTERFACE_NAME, "--event", "L2-2027",
                 stdout=__import__("io").StringIO())
    from mappings.models import Correspondence, Kind

    third = league.performances.order_by("start")[2]
    code = Correspondence.objects.get(interface=demo, kind=Kind.PERFORMANCE,
                                      performance=third).code
    manifestation, performance = code.split("_")
    [seat] = simulator.state.free_seats(manifestation=manifestation, performance=performance,
                                        limit=1)
    tariff = seat["tariffs"][0]
    sold = simulator.state.sell(manifestation=manifestation, performance=performance,
                                zone=seat["zone"], row=seat["row"], seat=seat["seat"],
                                category=seat["category"], tariff=tariff["tariff"],
                                price_cents=tariff["price_cents"])
    run = job_run(interface_id=demo.pk, job=Job.SALES_INTEGRATION)
    assert run.status == Run.Status.OK, run.messages
    ticket = Ticket.objects.get(number=sold["number"])
    assert ticket.performance == third and ticket.price_cents == tariff["price_cents"]
    assert (ticket.seat.row, ticket.seat.number) == (seat["row"], seat["seat"])
