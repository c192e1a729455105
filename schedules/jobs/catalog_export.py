"""The catalogue export (the guide's "extraction catalogue"): an export, never a sync. Every
code is checked before anything leaves; each manifestation is sent once and recorded; a
manifestation already sent is never sent again (only a phone call to Ticketnet changes it)."""

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy

from catalog.models import Event
from mappings.locks import known_codes_record
from texts import source, text

from ..framework.context import JobContext
from ..framework.errors import JobError, RetryLater
from ..framework.models import Job
from ..framework.registry import register
from .catalog_plan import CatalogPlan, PlannedManifestation, catalog_plan
from .channel_rules import channel_check
from .models import ExportedManifestation
from .not_known import sent_objects
from .ticketnet import TicketnetRejected, interface_client, ticketnet_errors

CALL_TICKETNET = gettext_lazy(
    "An export is never sent twice. To change what Ticketnet holds, call Ticketnet and ask them "
    "to modify the manifestation on their side."
)


def job_event(ctx: JobContext) -> Event:
    """The run's event (`params["event_id"]`), of the interface's institution."""
    event_id = ctx.params.get("event_id")
    event = None
    if event_id not in (None, ""):
        try:
            event = Event.objects.filter(
                pk=int(event_id), institution_id=ctx.interface.institution_id).first()
        except (TypeError, ValueError):
            event = None
    if event is None:
        raise JobError(
            text("The catalogue export needs an event of the institution (parameter event_id)."),
            text("Choose the event: export_catalog --event CODE, or the preview page of the "
                 "interface."),
        )
    return event


def _already_sent_text(planned: PlannedManifestation) -> str:
    record = planned.exported
    return text("Manifestation %(code)s was already exported to Ticketnet on %(when)s "
                "(run %(run)s): it is not sent again.",
                code=planned.code, when=formats.date_format(timezone.localtime(record.exported_at),
                                    "SHORT_DATETIME_FORMAT"), run=record.run_id or "?")


def _report_plan(ctx: JobContext, plan: CatalogPlan) -> None:
    for planned in plan.manifestations:
        s = planned.summary()
        ctx.info(text("Manifestation %(code)s “%(name)s”, hall %(hall)s: %(performances)d "
                      "performance(s), %(zones)d zone(s), %(seats)d seats, %(places)d places in "
                      "seat series, %(prices)d prices.",
                      code=planned.code, name=planned.manifestation.name,
                      hall=planned.manifestation.hall_code, performances=s["performances"],
                      zones=s["zones"], seats=s["seats"], places=s["series_places"],
                      prices=s["prices"]))


@register(Job.CATALOG_EXPORT)
def catalog_export(ctx: JobContext) -> None:
    interface = ctx.interface
    channel_check(interface=interface, job=Job.CATALOG_EXPORT)
    event = job_event(ctx)
    plan = catalog_plan(interface=interface, event=event)
    ctx.add_counts({"manifestations": len(plan.manifestations), "problems": len(plan.problems)})

    if ctx.dry_run:
        _report_plan(ctx, plan)
        for problem in plan.problems:
            ctx.warning(problem.source or problem.message,
                        text("Fix it before the export: nothing was sent."))
        for planned in plan.already_exported:
            ctx.warning(_already_sent_text(planned), source(CALL_TICKETNET))
        for item in plan.not_known:
            ctx.warning(text("%(kind)s “%(object)s” was added to “%(event)s” after its export: "
                             "not known to Ticketnet.",
                             kind=item.kind_label, object=item.label, event=event),
                text("Call Ticketnet and ask them to add it on their side: the export is never "
                     "sent again."))
        if not plan.problems and not plan.already_exported:
            ctx.info(text("Dry run: nothing was sent. The export would send %(n)d "
                          "manifestation(s).", n=len(plan.manifestations)))
        return

    if plan.problems:
        for problem in plan.problems:
            ctx.error(problem.source or problem.message,
                      text("Nothing was sent: fix it, then export again."))
        return
    if not plan.manifestations:
        raise JobError(text("“%(event)s” has nothing to export.", event=event),
                       text("Add performances, zones and prices, then export again."))
    if not plan.to_send:
        raise JobError(
            text("The catalogue of “%(event)s” was already exported to Ticketnet (%(codes)s): it "
                 "is never sent twice.",
                 event=event, codes=", ".join(m.code for m in plan.already_exported)),
            source(CALL_TICKETNET),
        )
    for planned in plan.already_exported:
        ctx.info(_already_sent_text(planned))
        ctx.count("already_exported")

    client = interface_client(interface=interface)
    total = len(plan.to_send)
    ctx.progress(0, total, force=True)  # the total from the start: the page shows a bar
    for done, planned in enumerate(plan.to_send, start=1):
        _send_one(ctx, client, planned)
        ctx.progress(done, total)
    if "sent" in ctx.counts and not any(m["level"] == "error" for m in ctx.messages):
        ctx.info(text("Call Ticketnet to confirm that the product was created on their side."))


def _send_one(ctx: JobContext, client, planned: PlannedManifestation) -> None:
    """Send one manifestation and record it at once: if a later one fails, this one stays
    recorded and a new run sends only the missing ones."""
    interface = ctx.interface
    # Checked again right before sending: another run may have sent it meanwhile. The event
    # (the competition's performance) decides, whatever its code has become.
    if ExportedManifestation.objects.filter(
            interface=interface, event_id=planned.event_id,
            performance_id=planned.competition_performance_id).exists():
        ctx.error(text("Manifestation %(code)s is already recorded as exported.",
                       code=planned.code), source(CALL_TICKETNET))
        return
    try:
        with ticketnet_errors(interface=interface):
            try:
                created = client.create_manifestation(planned.manifestation)
            except TicketnetRejected as exc:
                if exc.code == "MANIFESTATION_EXISTS":
                    ctx.error(
                        text("Ticketnet already has manifestation %(code)s: it refused to "
                             "create it again.", code=planned.code),
                        text("%(call)s %(ask)s", call=CALL_TICKETNET,
                             ask=text("Ask them whether it matches the event.")),
                    )
                    ctx.count("refused")
                    return
                raise
    except JobError as exc:
        if isinstance(exc, RetryLater):  # Ticketnet is down: stop, the run is retried
            raise
        ctx.error(text("Manifestation %(code)s: %(text)s", code=planned.code, text=exc.text),
                  exc.action)
        ctx.count("refused")
        return
    summary = planned.summary()
    exported_at = timezone.now()
    with transaction.atomic():
        ExportedManifestation.objects.create(
            interface=interface, manifestation_code=planned.code, event_id=planned.event_id,
            performance_id=planned.competition_performance_id,
            performances=planned.performance_codes(), run=ctx.run, exported_at=exported_at,
            payload_hash=planned.payload_hash(),
            summary={**summary, "ticketnet_seat_count": created.seat_count},
            sent_objects=sent_objects(planned.targets),
        )
        # Ticketnet now holds these codes: locked everywhere they could be changed.
        known_codes_record(interface=interface, targets=planned.targets, at=exported_at,
                           manifestation_code=planned.code,
                           run_id=ctx.run.pk if ctx.run else None)
    ctx.count("sent")
    ctx.count("performances", summary["performances"])
    ctx.count("seats", summary["seats"])
    ctx.count("series_places", summary["series_places"])
