"""The quota sync ("synchronisation des contingents", every 24 h): for each performance Ticketnet
knows, the places left in the quota's non-numbered zones (allocated minus valid tickets),
pushed per zone. Numbered seats go by the allotment export, not here."""

from django.utils.translation import gettext as _

from mappings.models import Kind
from mappings.selectors import correspondence_book
from sales.selectors import quota_places_left

from ..framework.context import JobContext
from ..framework.errors import JobError, RetryLater
from ..framework.models import Job
from ..framework.registry import register
from .allotments import exported_performances
from .channel_rules import channel_check
from .ticketnet import interface_client, ticketnet_errors


@register(Job.QUOTA_SYNC)
def quota_sync(ctx: JobContext) -> None:
    interface = ctx.interface
    channel_check(interface=interface, job=Job.QUOTA_SYNC)
    performances = {p.performance_id: p for p in exported_performances(interface=interface)}
    left = quota_places_left(interface=interface, performance_ids=list(performances))
    if not left:
        ctx.info(_("No non-numbered zone of an exported performance is in the quota: nothing "
                   "to synchronise (numbered seats go by the allotment export)."))
        return
    book = correspondence_book(interface=interface)
    client = interface_client(interface=interface)
    synced: set[int] = set()
    ctx.progress(0, len(left), force=True)  # the total from the start: the page shows a bar
    for done, ((performance_id, zone_id), places) in enumerate(sorted(left.items()), start=1):
        perf = performances[performance_id]
        zone_code = book.code_for(Kind.ZONE, zone_id)
        if zone_code is None:
            ctx.warning(_("A non-numbered zone of performance %(performance)s has no Ticketnet "
                          "code: its places were not synchronised.")
                        % {"performance": perf.label},
                        _("Enter the zone's code in the correspondences."))
            continue
        try:
            with ticketnet_errors(interface=interface):
                client.set_zone_quota(
                    manifestation_code=perf.manifestation_code,
                    performance_code=perf.performance_code, zone_code=zone_code,
                    places_available=places)
        except RetryLater:
            raise
        except JobError as exc:
            ctx.error(_("Performance %(performance)s, zone %(zone)s: %(text)s")
                      % {"performance": perf.label, "zone": zone_code, "text": exc.text},
                      exc.action)
            ctx.count("refused_zones")
            continue
        synced.add(performance_id)
        ctx.count("zones")
        ctx.count("places", places)
        ctx.progress(done, len(left))
    ctx.count("performances", len(synced))
