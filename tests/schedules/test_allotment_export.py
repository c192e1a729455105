"""The allotment export against the simulator: numbered seats and seat series, batches,
replacement, performances not exported, seats sold by Ticketnet."""

import pytest
from django.test import override_settings

from catalog.models import Performance, Zone
from channels.models import SalesChannel
from schedules.framework.errors import RetryLater
from schedules.framework.runner import job_run
from schedules.models import Job, Run
from tests.schedules.export_setup import (
    demo_on,
    export,
    interface_on,
    manifestations,
    run,
    small_event,
    texts,
)

pytestmark = pytest.mark.django_db


def allotted(simulator, code):
    return {p["code"]: p["allotted_seats"] for p in manifestations(simulator)[code]["performances"]}


@override_settings(TICKETNET_ALLOTMENT_BATCH=100)
def test_numbered_seats_and_series_places_go_in_batches(simulator):
    demo = demo_on(simulator)
    assert export(demo.interface, demo.concert).status == Run.Status.OK
    result = run(demo.interface, Job.ALLOTMENT_EXPORT, event_id=demo.concert.pk)
    assert result.status == Run.Status.OK, result.messages
    # Blocks B1 and B2 (2 × 8 × 12 seats) and the first 500 seats of the pit's series.
    assert result.counts["seats"] == 192 and result.counts["places"] == 500
    assert result.counts["batches"] == 7  # 692 seats in batches of 100
    assert result.progress_done == result.progress_total == 692
    code = demo.interface.exported_manifestations.get().manifestation_code
    assert allotted(simulator, code) == {"2703122030": 692}
    # The pit's seats are the first 500 of its series: row 1, seats 1…500.
    pit = simulator.state.store.db().execute(
        "SELECT min(row), max(row), min(number), max(number), count(*) FROM allotment "
        "WHERE zone_code = (SELECT code FROM zone WHERE capacity = 2500)").fetchone()
    assert pit == (1, 1, 1, 500, 500)


def test_a_performance_not_exported_is_skipped_with_a_warning(simulator):
    demo = demo_on(simulator)
    export(demo.interface, demo.concert)
    result = run(demo.interface, Job.ALLOTMENT_EXPORT)
    assert result.status == Run.Status.WARNING
    assert result.counts["performances"] == 1 and result.counts["skipped_performances"] == 19
    assert "is not in any catalogue export: skipped" in texts(result, "warning")


def test_re_export_replaces_and_sold_seats_stay_allotted(simulator):
    interface = interface_on(simulator)
    event = small_event(interface, zones=1, rows=2, seats_per_row=5)
    export(interface, event)
    assert run(interface, Job.ALLOTMENT_EXPORT).status == Run.Status.OK
    code = interface.exported_manifestations.get().manifestation_code
    [perf_code] = allotted(simulator, code)
    assert allotted(simulator, code) == {perf_code: 10}
    # Ticketnet sells row 1 seat 1; then row 2 leaves the quota.
    zone = Zone.objects.get(configuration__performances__event=event)
    category = zone.seats.first().category
    from mappings.models import Kind
    from mappings.selectors import correspondence_book

    book = correspondence_book(interface=interface)
    tariff_code = book.tariff_codes(event.prices.first().tariff_id)[0]
    simulator.state.sell(manifestation=code, performance=perf_code,
                         zone=book.code_for(Kind.ZONE, zone.pk), row=1, seat=1,
                         category=book.code_for(Kind.CATEGORY, category.pk),
                         tariff=tariff_code, price_cents=2500)
    from catalog.models import SeatAllocation

    SeatAllocation.objects.filter(seat__row=2).delete()
    assert run(interface, Job.ALLOTMENT_EXPORT).status == Run.Status.OK
    assert allotted(simulator, code) == {perf_code: 5}  # replaced, the sold seat still in


@override_settings(TICKETNET_CONNECT_TIMEOUT=0.5, TICKETNET_OPERATION_TIMEOUT=2)
def test_ticketnet_down_is_retry_later(simulator, unused_tcp_port):
    interface = interface_on(simulator)
    event = small_event(interface)
    export(interface, event)
    interface.url = f"127.0.0.1:{unused_tcp_port}"
    interface.save()
    with pytest.raises(RetryLater):
        job_run(interface_id=interface.pk, job=Job.ALLOTMENT_EXPORT, raise_retry=True)
    assert Run.objects.filter(job=Job.ALLOTMENT_EXPORT).get().status == Run.Status.ERROR


def test_a_refused_performance_is_an_error_the_others_go(simulator):
    interface = interface_on(simulator)
    event = small_event(interface, performances=1)
    other = small_event(interface, performances=1, season=2018)
    export(interface, event)
    export(interface, other)
    simulator.state.fault_set(kind="soap_fault", operation="setAllotment", times=1,
                              code="UNKNOWN_PERFORMANCE", message="No such performance.")
    result = run(interface, Job.ALLOTMENT_EXPORT)
    assert result.status == Run.Status.ERROR
    assert result.counts["refused_performances"] == 1 and result.counts["performances"] == 1
    assert "No such performance." in texts(result, "error")


def test_visit_pass_channel_is_refused(simulator):
    interface = interface_on(simulator, channel__kind=SalesChannel.Kind.TICKETNET_VISIT_PASS)
    result = run(interface, Job.ALLOTMENT_EXPORT)
    assert result.status == Run.Status.ERROR and "visit passes" in texts(result, "error")


def test_export_allotments_command(simulator):
    import io
    import json

    from django.core.management import call_command

    demo = demo_on(simulator)
    export(demo.interface, demo.concert)
    out = io.StringIO()
    call_command("export_allotments", "--interface", demo.interface.internal_name,
                 "--event", demo.concert.code, "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["status"] == "OK" and data["counts"]["seats"] == 192
    assert Performance.objects.filter(event=demo.concert).count() == 1
