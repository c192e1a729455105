"""The quota sync ("synchronisation des contingents", every 24 h): for each performance Ticketnet
knows, the count of each non-numbered zone — the places of the quota Ticketnet was sent and
nobody holds (README, Non-numbered zones). Numbered seats go by the allotment export."""


from mappings.models import Kind
from mappings.selectors import correspondence_book
from sales.allotments import ZoneCount, zone_counts
from texts import text

from ..framework.context import JobContext
from ..framework.errors import JobError, RetryLater
from ..framework.models import Job
from ..framework.registry import register
from .allotments import ExportedPerformance, cancelled_performances, exported_performances
from .channel_rules import channel_check
from .ticketnet import interface_client, ticketnet_errors


@register(Job.QUOTA_SYNC)
def quota_sync(ctx: JobContext) -> None:
    interface = ctx.interface
    channel_check(interface=interface, job=Job.QUOTA_SYNC)
    performances = {p.performance_id: p for p in exported_performances(interface=interface)}
    zones = zone_counts(interface=interface, performance_ids=list(performances))
    cancelled = cancelled_performances(performance_ids=list(performances))
    if not zones:
        ctx.info(text("No non-numbered zone of an exported performance is in the quota: nothing "
                      "to synchronise (numbered seats go by the allotment export)."))
        return
    book = correspondence_book(interface=interface)
    client = interface_client(interface=interface)
    synced: set[int] = set()
    ctx.progress(0, len(zones), force=True)  # the total from the start: the page shows a bar
    for done, ((performance_id, zone_id), zone) in enumerate(sorted(zones.items()), start=1):
        perf = performances[performance_id]
        zone_code = book.code_for(Kind.ZONE, zone_id)
        if zone_code is None:
            ctx.warning(text("A non-numbered zone of performance %(performance)s has no Ticketnet "
                             "code: its places were not synchronised.", performance=perf.label),
                        text("Enter the zone's code in the correspondences."))
            continue
        if not _sendable(ctx, perf=perf, zone_code=zone_code, zone=zone):
            continue
        # A cancelled performance sells nothing more.
        places = 0 if performance_id in cancelled else zone.count
        try:
            with ticketnet_errors(interface=interface):
                client.set_zone_quota(
                    manifestation_code=perf.manifestation_code,
                    performance_code=perf.performance_code, zone_code=zone_code,
                    places_available=places)
        except RetryLater:
            raise
        except JobError as exc:
            ctx.error(text("Performance %(performance)s, zone %(zone)s: %(text)s",
                           performance=perf.label, zone=zone_code, text=exc.text), exc.action)
            ctx.count("refused_zones")
            continue
        synced.add(performance_id)
        ctx.count("zones")
        ctx.count("places", places)
        ctx.progress(done, len(zones))
    ctx.count("performances", len(synced))


def _sendable(ctx: JobContext, *, perf: ExportedPerformance, zone_code: str,
              zone: ZoneCount) -> bool:
    """A count is of the places the last allotment export sent: none sent, none to count; a
    quota grown since is said (Ticketnet cannot sell what it was not sent)."""
    if zone.sent is None:
        ctx.warning(text("No allotment export sent the places of zone %(zone)s of performance "
                         "%(performance)s: Ticketnet cannot sell them, so there is nothing to "
                         "count.", zone=zone_code, performance=perf.label),
                    text("Export the allotments, then synchronise the quotas again."))
        ctx.count("zones_not_sent")
        return False
    if zone.allocated > zone.sent:
        ctx.warning(text("%(n)d places of zone %(zone)s of performance %(performance)s are in "
                         "the quota but were not sent to Ticketnet: it cannot sell them.",
                         n=zone.allocated - zone.sent, zone=zone_code, performance=perf.label),
                    text("Export the allotments again to send them."))
    return True
