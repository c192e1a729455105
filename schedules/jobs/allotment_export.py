"""The allotment export ("export allottements"): for each performance Ticketnet knows, the seats
of the interface's quota, non-numbered zones as the first seats of their series, sent in
batches that replace what Ticketnet held."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from django.conf import settings

from catalog.models import Event
from mappings.selectors import correspondence_book
from sales.allotments import zone_allotments_record
from texts import text

from ..framework.context import JobContext
from ..framework.errors import JobError, RetryLater
from ..framework.models import Job
from ..framework.registry import register
from .allotments import (
    AllotmentSeats,
    allotment_size,
    cancelled_performances,
    exported_performances,
    performances_not_exported,
)
from .channel_rules import channel_check
from .ticketnet import interface_client, ticketnet_errors


def batch_size() -> int:
    return settings.TICKETNET_ALLOTMENT_BATCH


def job_optional_event(ctx: JobContext) -> Event | None:
    event_id = ctx.params.get("event_id")
    if event_id in (None, ""):
        return None
    try:
        event = Event.objects.filter(pk=int(event_id),
                                     institution_id=ctx.interface.institution_id).first()
    except (TypeError, ValueError):
        event = None
    if event is None:
        raise JobError(text("The event %(id)s is not an event of the institution.",
                            id=event_id), text("Choose an event of the institution."))
    return event


def warn_not_exported(ctx: JobContext, *, exported_ids: set[int], event: Event | None) -> None:
    """Performances with seats in the quota that Ticketnet does not know: skipped, said."""
    missing = performances_not_exported(interface=ctx.interface, exported_ids=exported_ids,
                                        event=event)
    for perf in missing:
        ctx.warning(
            text("The performance “%(performance)s” is not in any catalogue export: skipped.",
                 performance=perf),
            text("Export the catalogue of “%(event)s” first (once: Ticketnet refuses a second "
                 "export; for a performance added since, call Ticketnet).", event=perf.event),
        )
    ctx.count("skipped_performances", len(missing))


@register(Job.ALLOTMENT_EXPORT)
def allotment_export(ctx: JobContext) -> None:
    interface = ctx.interface
    channel_check(interface=interface, job=Job.ALLOTMENT_EXPORT)
    event = job_optional_event(ctx)
    performances = exported_performances(interface=interface, event=event)
    warn_not_exported(ctx, exported_ids={p.performance_id for p in performances}, event=event)
    if not performances:
        ctx.info(text("No performance was exported to Ticketnet yet: no allotment to send."))
        return
    book = correspondence_book(interface=interface)
    client = interface_client(interface=interface)
    size = batch_size()
    cancelled = cancelled_performances(performance_ids=[p.performance_id for p in performances])
    total = allotment_size(interface=interface,
                           performance_ids=[p.performance_id for p in performances
                                            if p.performance_id not in cancelled])
    done = 0
    ctx.progress(0, total, force=True)
    for perf in performances:
        seats = AllotmentSeats(interface=interface, book=book,
                               performance_id=perf.performance_id,
                               cancelled=perf.performance_id in cancelled)
        # Recorded before sending, so that a sale of the places sent is integrated even if
        # the export stops half-way; and once Ticketnet took them all (README, Non-numbered
        # zones).
        record = partial(zone_allotments_record, interface=interface,
                         performance_id=perf.performance_id, places=seats.zone_places())
        record(sent=False)
        try:
            with ticketnet_errors(interface=interface):
                done, allotted = _send(ctx, client, perf, seats, size, done, total)
        except RetryLater:
            raise
        except JobError as exc:
            ctx.error(text("Performance %(performance)s: %(text)s", performance=perf.label,
                           text=exc.text), exc.action)
            ctx.count("refused_performances")
            continue
        record(sent=True)
        if seats.cancelled:
            ctx.info(text("The performance %(performance)s is cancelled: its allotment at "
                          "Ticketnet was emptied.", performance=perf.label),
                     text("Call Ticketnet to cancel it on their side and refund its tickets."))
            ctx.count("cancelled_performances")
        for zone in seats.unmapped.values():
            ctx.warning(
                text("%(n)d seats of the zone “%(zone)s” were left out of performance "
                     "%(performance)s: the zone or its seat category has no Ticketnet code.",
                     n=zone.seats, zone=zone.name, performance=perf.label),
                text("Enter the code in the correspondences (Ticketnet must know it), then export "
                     "the allotments again."))
            ctx.count("unmapped_seats", zone.seats)
        ctx.count("performances")
        ctx.count("seats", seats.seats)
        ctx.count("places", seats.places)
        if allotted != seats.seats + seats.places:
            ctx.warning(
                text("Ticketnet holds %(held)d seats for performance %(performance)s, %(sent)d "
                     "were sent.",
                     held=allotted, performance=perf.label, sent=seats.seats + seats.places),
                text("Export the allotments again; if it persists, call Ticketnet."))
    ctx.progress(done, total, force=True)


def _send(ctx, client, perf, seats, size, done, total) -> tuple[int, int]:
    """The gateway's batch protocol: a fresh export id, the first batch replaces what Ticketnet
    held, the next ones append. Progress is recorded after each batch.

    One batch is on its way (a thread sends it and waits for Ticketnet) while the next is read
    from the database: our work overlaps Ticketnet's. Batches still go one at a time and in
    order, each sent once the one before was accepted; a refusal stops the export there."""
    export_id = uuid.uuid4().hex
    allotted = 0

    def send(batch, replace):
        return client.set_allotment(
            manifestation_code=perf.manifestation_code, performance_code=perf.performance_code,
            seats=batch, export_id=export_id, replace=replace)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ticketnet-allotment") as pool:
        sending = None  # (future, seats in the batch)
        for first, batch in _batches(seats, size):
            if sending is not None:
                future, count = sending
                allotted, done = future.result().allotted_seat_count, done + count
                ctx.count("batches")
                ctx.progress(done, total)
            sending = pool.submit(send, batch, first), len(batch)
        future, count = sending
        allotted, done = future.result().allotted_seat_count, done + count
        ctx.count("batches")
        ctx.progress(done, total)
    return done, allotted


def _batches(seats, size: int):
    """(first?, batch) for every `size` seats; an empty allotment is one empty batch (it still
    replaces, and so clears, the previous one)."""
    batch, first = [], True
    for seat in seats:
        batch.append(seat)
        if len(batch) >= size:
            yield first, batch
            batch, first = [], False
    if batch or first:
        yield first, batch
