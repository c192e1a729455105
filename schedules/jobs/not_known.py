"""What Ticketnet does not know of an exported event: a performance, configuration, zone, seat
category or tariff added after its catalogue export (never re-sent: the operator calls them)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from catalog.models import Event, Performance, Price, Seat, SeatCategory, Zone
from channels.models import ExternalSalesInterface

from .models import ExportedManifestation

NOT_KNOWN = _("not known to Ticketnet: call them")
KIND_LABELS = {
    "performance": _("Performance"),
    "configuration": _("Logical configuration"),
    "zone": _("Zone"),
    "category": _("Seat category"),
    "tariff": _("Tariff"),
}


@dataclass(frozen=True)
class NotKnown:
    kind: str
    object_id: int
    label: str

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    def as_dict(self) -> dict:
        return {"kind": self.kind, "object_id": self.object_id, "label": self.label,
                "message": str(NOT_KNOWN)}


@dataclass
class ExportedEvent:
    """An exported event of an interface, and what was added to it since."""

    event: Event
    not_known: list[NotKnown] = field(default_factory=list)


@dataclass
class _Current:
    """What an exported event holds now, by kind: id → label."""

    objects: dict[str, dict[int, str]] = field(default_factory=lambda: defaultdict(dict))

    def add(self, kind: str, obj) -> None:
        self.objects[kind].setdefault(obj.pk, str(obj))


def exported_events(*, interface: ExternalSalesInterface,
                    event: Event | None = None) -> list[ExportedEvent]:
    """Every event of `interface` (or `event`) exported, with what Ticketnet does not know of
    it, in eight queries whatever the number of events, zones and seats.

    A competition's performance without a record is not listed: it is a manifestation of its
    own, which the export sends."""
    records = ExportedManifestation.objects.filter(interface=interface)
    if event is not None:
        records = records.filter(event=event)
    sent: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for event_id, performances, objects in records.values_list(
            "event_id", "performances", "sent_objects"):
        sent[event_id]["performance"] |= {p["id"] for p in performances}
        for kind, ids in (objects or {}).items():
            sent[event_id][kind] |= set(ids)
    if not sent:
        return []
    events = Event.objects.in_bulk(list(sent))
    current: dict[int, _Current] = defaultdict(_Current)
    events_of_config: dict[int, set[int]] = defaultdict(set)
    for perf in Performance.objects.filter(event_id__in=sent).select_related(
            "configuration__hall").order_by("start"):
        perf.event = events[perf.event_id]
        if perf.event.is_competition and perf.pk not in sent[perf.event_id]["performance"]:
            continue
        current[perf.event_id].add("performance", perf)
        current[perf.event_id].add("configuration", perf.configuration)
        events_of_config[perf.configuration_id].add(perf.event_id)
    _add_zones_and_categories(current, events_of_config)
    _add_prices(current, list(sent))
    out = []
    for event_id, item in sorted(current.items(), key=lambda kv: str(events[kv[0]])):
        missing = [NotKnown(kind=kind, object_id=pk, label=label)
                   for kind in KIND_LABELS
                   for pk, label in item.objects[kind].items()
                   if pk not in sent[event_id][kind]]
        out.append(ExportedEvent(event=events[event_id], not_known=missing))
    return out


def _add_zones_and_categories(current: dict[int, _Current],
                              events_of_config: dict[int, set[int]]) -> None:
    zones = {z.pk: z for z in Zone.objects.filter(configuration__in=events_of_config).order_by(
        "configuration", "block_letter", "block_number", "name")}
    categories_of_zone: dict[int, set[int]] = defaultdict(set)
    for zone_id, category_id in Seat.objects.filter(zone__in=zones).values_list(
            "zone_id", "category_id").distinct():
        categories_of_zone[zone_id].add(category_id)
    for zone in zones.values():
        if not zone.numbered and zone.category_id:
            categories_of_zone[zone.pk].add(zone.category_id)
    categories = SeatCategory.objects.in_bulk(set().union(*categories_of_zone.values()))
    for zone in zones.values():
        for event_id in events_of_config[zone.configuration_id]:
            current[event_id].add("zone", zone)
            for category_id in categories_of_zone[zone.pk]:
                current[event_id].add("category", categories[category_id])


def _add_prices(current: dict[int, _Current], event_ids: list[int]) -> None:
    for price in Price.objects.filter(event_id__in=event_ids).select_related(
            "category", "tariff").order_by("tariff__code"):
        if price.event_id in current:
            current[price.event_id].add("category", price.category)
            current[price.event_id].add("tariff", price.tariff)


def sent_objects(targets) -> dict[str, list[int]]:
    """What a manifestation held, by kind, from its (kind, object id) targets: the record of an
    export, read back by `exported_events`."""
    out: dict[str, list[int]] = defaultdict(list)
    for kind, object_id in targets:
        if kind in KIND_LABELS and kind != "performance" and object_id not in out[kind]:
            out[kind].append(object_id)
    return dict(out)
