"""The one rule for non-numbered zones (README, "Non-numbered zones"): the places of the series
the allotment export sent, recorded here, read by the quota check and by the quota sync."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from catalog.models import ZoneAllocation
from channels.models import ExternalSalesInterface

from .models import Ticket, ZoneAllotment

Key = tuple[int, int]  # (performance id, zone id)


def zone_allotments_record(*, interface: ExternalSalesInterface, performance_id: int,
                           places: dict[int, int], sent: bool) -> None:
    """Record what an allotment export of one performance sends: `places` (zone id → the
    first places of its series). Called before sending (`sent=False`: only the most places
    ever sent grows, so a sale of the new places is integrated even if the export stops
    half-way) and once Ticketnet took it all (`sent=True`: the last export's places, zones
    left out at 0, as the export replaced Ticketnet's whole allotment of the performance)."""
    now = timezone.now()
    existing = {a.zone_id: a for a in ZoneAllotment.objects.filter(
        interface=interface, performance_id=performance_id)}
    changed, created = [], []
    for zone_id in existing.keys() | places.keys():
        n = places.get(zone_id, 0)
        row = existing.get(zone_id)
        if row is None:
            if n:
                created.append(ZoneAllotment(
                    interface=interface, performance_id=performance_id, zone_id=zone_id,
                    places=n if sent else 0, most_places=n, sent_at=now))
            continue
        row.most_places = max(row.most_places, n)
        if sent:
            row.places, row.sent_at = n, now
        changed.append(row)
    ZoneAllotment.objects.bulk_create(created)
    ZoneAllotment.objects.bulk_update(changed, ["places", "most_places", "sent_at"])


def zone_places_sellable(*, interface: ExternalSalesInterface,
                         keys: Collection[Key]) -> dict[Key, int]:
    """(performance id, zone id) → how many first places of the zone's series a Ticketnet
    sale may hold: the quota's places now, or the most an allotment export sent, whichever
    is more (Ticketnet sells only places it was sent, and keeps those sold before a smaller
    export). One query."""
    perf_ids, zone_ids = {k[0] for k in keys}, {k[1] for k in keys}
    allocated = ZoneAllocation.objects.filter(
        quota_id=interface.external_quota_id, performance_id__in=perf_ids, zone_id__in=zone_ids,
    ).values_list("performance_id", "zone_id", "places")
    sent = ZoneAllotment.objects.filter(
        interface=interface, performance_id__in=perf_ids, zone_id__in=zone_ids,
    ).values_list("performance_id", "zone_id", "most_places")
    out: dict[Key, int] = {}
    for perf_id, zone_id, places in allocated.union(sent, all=True):
        out[(perf_id, zone_id)] = max(out.get((perf_id, zone_id), 0), places)
    return out


@dataclass(frozen=True)
class ZoneCount:
    """What the quota sync knows of one non-numbered zone of a performance."""

    allocated: int  # places of the quota now
    sold: int  # valid tickets on the zone (of the interfaces on the quota)
    sent: int | None  # places the last allotment export sent; None: never sent

    @property
    def count(self) -> int:
        """The count to sync: places of the quota that Ticketnet was sent and nobody holds
        (never more than the places sent, as Ticketnet requires)."""
        return max(0, min(self.allocated, self.sent or 0) - self.sold)


def _by_key(rows) -> dict[Key, int]:
    return {(perf_id, zone_id): n for perf_id, zone_id, n in rows}


def zone_counts(*, interface: ExternalSalesInterface,
                performance_ids: Iterable[int]) -> dict[Key, ZoneCount]:
    """Every non-numbered zone of these performances in the interface's quota or sent by its
    allotment export, with its count to sync (three queries)."""
    performance_ids = list(performance_ids)
    allocated = _by_key(ZoneAllocation.objects.filter(
        quota_id=interface.external_quota_id, performance_id__in=performance_ids,
    ).values_list("performance_id", "zone_id", "places"))
    sent = _by_key(ZoneAllotment.objects.filter(
        interface=interface, performance_id__in=performance_ids,
    ).values_list("performance_id", "zone_id", "places"))
    sold = _by_key(Ticket.objects.filter(
        state=Ticket.State.VALID, performance_id__in=performance_ids, zone_id__isnull=False,
        interface__external_quota_id=interface.external_quota_id,
    ).order_by().values("performance_id", "zone_id").annotate(n=Count("pk")).values_list(
        "performance_id", "zone_id", "n"))
    return {key: ZoneCount(allocated=allocated.get(key, 0), sold=sold.get(key, 0),
                           sent=sent.get(key))
            for key in allocated.keys() | sent.keys()}
