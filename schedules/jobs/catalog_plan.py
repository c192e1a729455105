"""What a catalogue export sends, built before anything leaves: the gateway's `Manifestation`s
of an event (one per competition performance), every problem found, and the preview of both.

Read-only: the job (`schedules/jobs/catalog_export.py`) sends and records; the admin and the
`--dry-run` command show the same plan.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from catalog.models import Event, Performance, Price, Seat, SeatCategory, Tariff, Zone
from catalog.series import describe_series
from channels.models import ExternalSalesInterface
from mappings.models import Kind
from mappings.selectors import CorrespondenceBook, Problem, correspondence_book, event_readiness

from ..framework.models import Job
from .channel_rules import channel_refusal
from .models import ExportedManifestation
from .ticketnet import Manifestation, NamedCode, PerformanceSpec, PriceSpec, SeatSpec, ZoneSpec


@dataclass(frozen=True)
class PlannedManifestation:
    """One manifestation to send, with the ids of what it stands for."""

    manifestation: Manifestation
    event_id: int
    performance_ids: tuple[int, ...]  # in the order of manifestation.performances
    competition_performance_id: int | None
    exported: ExportedManifestation | None = None

    @property
    def code(self) -> str:
        return self.manifestation.code

    def summary(self) -> dict[str, int]:
        m = self.manifestation
        numbered = [z for z in m.zones if z.seats]
        return {
            "performances": len(m.performances),
            "zones": len(m.zones),
            "numbered_zones": len(numbered),
            "seats": sum(len(z.seats) for z in numbered),
            "series_places": sum(z.capacity or 0 for z in m.zones if not z.seats),
            "categories": len(m.seat_categories),
            "tariffs": len(m.tariffs),
            "prices": len(m.prices),
        }

    def payload_hash(self) -> str:
        return manifestation_hash(self.manifestation)

    def performance_codes(self) -> list[dict]:
        return [{"id": pk, "code": p.code}
                for pk, p in zip(self.performance_ids, self.manifestation.performances,
                                 strict=True)]


@dataclass
class CatalogPlan:
    interface: ExternalSalesInterface
    event: Event
    manifestations: list[PlannedManifestation] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def to_send(self) -> list[PlannedManifestation]:
        return [m for m in self.manifestations if m.exported is None]

    @property
    def already_exported(self) -> list[PlannedManifestation]:
        return [m for m in self.manifestations if m.exported is not None]

    @property
    def ever_exported(self) -> bool:
        return bool(self.already_exported)

    @property
    def can_export(self) -> bool:
        return bool(self.manifestations) and not self.problems and not self.ever_exported

    def as_dict(self) -> dict:
        return {
            "interface": self.interface.internal_name,
            "event": {"id": self.event.pk, "code": self.event.code, "name": self.event.name,
                      "kind": self.event.kind},
            "problems": [p.as_dict() for p in self.problems],
            "manifestations": [preview_manifestation(m) for m in self.manifestations],
        }


def manifestation_hash(manifestation: Manifestation) -> str:
    def default(value):
        if isinstance(value, datetime):
            return value.isoformat()
        raise TypeError(type(value))

    text = json.dumps(asdict(manifestation), default=default, sort_keys=True,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def seat_runs(seats: tuple[SeatSpec, ...]) -> list[dict]:
    """Seats as runs of consecutive numbers of one row and category: exact, and short enough
    to show a stadium's plan (`{"row": 1, "from": 1, "to": 40, "category": "2"}`)."""
    runs: list[dict] = []
    for seat in seats:
        last = runs[-1] if runs else None
        if (last and last["row"] == seat.row and last["category"] == seat.category_code
                and last["to"] + 1 == seat.number):
            last["to"] = seat.number
        else:
            runs.append({"row": seat.row, "from": seat.number, "to": seat.number,
                         "category": seat.category_code})
    return runs


def preview_manifestation(planned: PlannedManifestation) -> dict:
    m = planned.manifestation
    zones = []
    for zone in m.zones:
        if zone.seats:
            zones.append({"code": zone.code, "name": zone.name, "numbered": True,
                          "seat_count": len(zone.seats), "seats": seat_runs(zone.seats)})
        else:
            zones.append({"code": zone.code, "name": zone.name, "numbered": False,
                          "capacity": zone.capacity, "category": zone.category_code,
                          "series": str(describe_series(zone.capacity or 0))})
    exported = planned.exported
    return {
        "code": m.code,
        "name": m.name,
        "hall_code": m.hall_code,
        "performances": [{"code": p.code, "start": p.start.isoformat()} for p in m.performances],
        "categories": [{"code": c.code, "name": c.name} for c in m.seat_categories],
        "tariffs": [{"code": t.code, "name": t.name} for t in m.tariffs],
        "zones": zones,
        "prices": [{"category": p.category_code, "tariff": p.tariff_code, "cents": p.cents}
                   for p in m.prices],
        "summary": planned.summary(),
        "exported_at": exported.exported_at.isoformat() if exported else None,
    }


def _problem(kind, obj, field_name, message, label=None) -> Problem:
    return Problem(kind=kind, object_id=getattr(obj, "pk", None),
                   label=label if label is not None else str(obj), field=field_name,
                   message=str(message))


class _Builder:
    """Loads the event's plan once (a handful of queries whatever the number of seats) and
    builds each manifestation from it; objects without a code are left out (readiness has
    already listed them)."""

    def __init__(self, *, interface, event, book: CorrespondenceBook):
        self.interface, self.event, self.book = interface, event, book
        self.problems: list[Problem] = []
        self.performances = list(
            Performance.objects.filter(event=event).select_related("configuration")
            .order_by("start"))
        for perf in self.performances:
            perf.event = event
        config_ids = {p.configuration_id for p in self.performances}
        self.zones_by_config: dict[int, list[Zone]] = defaultdict(list)
        for zone in Zone.objects.filter(configuration__in=config_ids).order_by(
                "configuration", "block_letter", "block_number", "name"):
            self.zones_by_config[zone.configuration_id].append(zone)
        self.prices = list(Price.objects.filter(event=event))
        self._zone_specs: dict[int, tuple[ZoneSpec, ...]] = {}
        self._config_categories: dict[int, set[int]] = {}
        category_ids = {p.category_id for p in self.prices}
        category_ids |= {z.category_id for zs in self.zones_by_config.values() for z in zs
                         if z.category_id}
        self._seats: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        for zone_id, row, number, category_id in (
            Seat.objects.filter(zone__configuration__in=config_ids)
            .order_by("zone_id", "row", "number")
            .values_list("zone_id", "row", "number", "category_id")
            .iterator(chunk_size=10_000)
        ):
            self._seats[zone_id].append((row, number, category_id))
            category_ids.add(category_id)
        self.categories = {c.pk: c for c in SeatCategory.objects.filter(pk__in=category_ids)}
        self.tariffs = {t.pk: t for t in Tariff.objects.filter(
            pk__in={p.tariff_id for p in self.prices})}

    def zones(self, config_id: int) -> tuple[tuple[ZoneSpec, ...], set[int]]:
        if config_id not in self._zone_specs:
            specs, categories = [], set()
            code_for = self.book.code_for
            for zone in self.zones_by_config[config_id]:
                code = code_for(Kind.ZONE, zone.pk)
                if zone.numbered:
                    rows = self._seats.get(zone.pk, [])
                    seats = []
                    for row, number, category_id in rows:
                        categories.add(category_id)
                        category_code = code_for(Kind.CATEGORY, category_id)
                        if category_code is not None:
                            seats.append(SeatSpec(row=row, number=number,
                                                  category_code=category_code))
                    if code and seats:
                        specs.append(ZoneSpec(code=code, name=zone.name, seats=tuple(seats)))
                    continue
                if not zone.category_id:
                    self.problems.append(_problem("zone", zone, "category", _(
                        "The non-numbered zone “%(zone)s” has no seat category: Ticketnet "
                        "sells it as a seat series of one category; choose it on the zone.")
                        % {"zone": zone}))
                    continue
                categories.add(zone.category_id)
                category_code = code_for(Kind.CATEGORY, zone.category_id)
                if code and category_code:
                    specs.append(ZoneSpec(code=code, name=zone.name, capacity=zone.capacity,
                                          category_code=category_code))
            self._zone_specs[config_id] = tuple(specs)
            self._config_categories[config_id] = categories
        return self._zone_specs[config_id], self._config_categories[config_id]

    def price_specs(self, performance_ids: set[int], label: str) -> tuple[PriceSpec, ...]:
        """The prices of a manifestation: the event's, overridden by a performance's. A
        manifestation holds one price per category × tariff, so performances of a single
        event priced differently cannot be sent."""
        effective: dict[tuple[int, int], set[int]] = defaultdict(set)
        event_prices = {(p.category_id, p.tariff_id): p.amount_cents
                        for p in self.prices if p.performance_id is None}
        overrides = [p for p in self.prices if p.performance_id in performance_ids]
        for pid in performance_ids:
            own = {(p.category_id, p.tariff_id): p.amount_cents for p in overrides
                   if p.performance_id == pid}
            for key in event_prices.keys() | own.keys():
                effective[key].add(own.get(key, event_prices.get(key)))
        specs = []
        for (category_id, tariff_id), amounts in sorted(effective.items()):
            category, tariff = self.categories[category_id], self.tariffs[tariff_id]
            if len(amounts) > 1:
                self.problems.append(_problem("price", None, "amount_cents", _(
                    "“%(category)s” × “%(tariff)s” has different prices on the performances of "
                    "“%(event)s”: Ticketnet holds one price per category and tariff for a "
                    "manifestation. Give the performances the same price.")
                    % {"category": category, "tariff": tariff, "event": label},
                    label=f"{category} × {tariff}"))
                continue
            category_code = self.book.code_for(Kind.CATEGORY, category_id)
            if category_code is None:
                continue
            cents = amounts.pop()
            specs.extend(PriceSpec(category_code=category_code, tariff_code=code, cents=cents)
                         for code in self.book.tariff_codes(tariff_id))
        return tuple(specs)

    def named_categories(self, category_ids: set[int]) -> tuple[NamedCode, ...]:
        out = []
        for category in sorted((self.categories[pk] for pk in category_ids),
                               key=lambda c: (c.rank, c.pk)):
            code = self.book.code_for(Kind.CATEGORY, category.pk)
            if code is None:
                self.problems.append(_problem("category", category, "code", _(
                    "Enter the Ticketnet code of the seat category “%(category)s”.")
                    % {"category": category}))
                continue
            out.append(NamedCode(code=code, name=category.name))
        return tuple(out)

    def named_tariffs(self) -> tuple[NamedCode, ...]:
        # A tariff with several codes (15|20|22) is declared once per code, same name.
        return tuple(NamedCode(code=code, name=tariff.name)
                     for tariff in sorted(self.tariffs.values(), key=lambda t: t.code)
                     for code in self.book.tariff_codes(tariff.pk))

    def manifestation(self, *, code: str, performances: list[Performance],
                      performance_codes: list[str]) -> Manifestation | None:
        configs = {p.configuration_id for p in performances}
        if len(configs) > 1:
            self.problems.append(_problem("event", self.event, "performances", _(
                "The performances of “%(event)s” use %(n)d logical configurations: a Ticketnet "
                "manifestation has one hall. Use one configuration, or make the event a "
                "competition (one manifestation per performance).")
                % {"event": self.event, "n": len(configs)}))
            return None
        config = performances[0].configuration
        hall_code = self.book.code_for(Kind.CONFIGURATION, config.pk)
        zones, category_ids = self.zones(config.pk)
        prices = self.price_specs({p.pk for p in performances}, str(self.event))
        category_ids = category_ids | {p.category_id for p in self.prices
                                       if p.performance_id is None
                                       or p.performance_id in {q.pk for q in performances}}
        categories = self.named_categories(category_ids)
        if hall_code is None or not zones:
            return None
        return Manifestation(
            code=code,
            name=self.event.name,
            hall_code=hall_code,
            performances=tuple(PerformanceSpec(code=c, start=p.start)
                               for p, c in zip(performances, performance_codes, strict=True)),
            seat_categories=categories,
            tariffs=self.named_tariffs(),
            zones=zones,
            prices=prices,
        )


def catalog_plan(*, interface: ExternalSalesInterface, event: Event) -> CatalogPlan:
    """What exporting `event` on `interface` would send, and every problem: readiness (codes,
    quota, audience types…) and what only building the payload finds. Nothing is sent."""
    plan = CatalogPlan(interface=interface, event=event)
    refusal = channel_refusal(interface=interface, job=Job.CATALOG_EXPORT)
    if refusal is not None:
        plan.problems.append(_problem("interface", interface, "channel", refusal[0]))
        return plan
    plan.problems.extend(event_readiness(interface=interface, event=event))
    if event.kind not in (Event.Kind.SINGLE, Event.Kind.COMPETITION):
        return plan
    book = correspondence_book(interface=interface)
    builder = _Builder(interface=interface, event=event, book=book)
    if not builder.performances:
        return plan
    exported = {e.manifestation_code: e for e in ExportedManifestation.objects.filter(
        interface=interface, manifestation_code__in=_codes(event, builder, book))}
    if event.is_competition:
        for perf in builder.performances:
            key = book.performance_key(perf)
            if key is None:
                continue
            manifestation = builder.manifestation(code=key[0], performances=[perf],
                                                  performance_codes=[key[1]])
            if manifestation is not None:
                plan.manifestations.append(PlannedManifestation(
                    manifestation=manifestation, event_id=event.pk, performance_ids=(perf.pk,),
                    competition_performance_id=perf.pk, exported=exported.get(key[0])))
    else:
        keys = [book.performance_key(p) for p in builder.performances]
        if all(keys):
            codes = [k[1] for k in keys]
            duplicates = {c for c in codes if codes.count(c) > 1}
            if duplicates:
                plan.problems.append(_problem("event", event, "performances", _(
                    "Several performances of “%(event)s” start in the same minute "
                    "(%(codes)s): Ticketnet finds a performance by its start to the minute.")
                    % {"event": event, "codes": ", ".join(sorted(duplicates))}))
            else:
                manifestation = builder.manifestation(
                    code=keys[0][0], performances=builder.performances, performance_codes=codes)
                if manifestation is not None:
                    plan.manifestations.append(PlannedManifestation(
                        manifestation=manifestation, event_id=event.pk,
                        performance_ids=tuple(p.pk for p in builder.performances),
                        competition_performance_id=None, exported=exported.get(keys[0][0])))
    # The builder meets the same gap once per manifestation, and readiness may have seen it.
    seen = {(p.kind, p.object_id, p.field, p.label) for p in plan.problems}
    for problem in builder.problems:
        key = (problem.kind, problem.object_id, problem.field, problem.label)
        if key not in seen:
            seen.add(key)
            plan.problems.append(problem)
    return plan


def _codes(event: Event, builder: _Builder, book: CorrespondenceBook) -> list[str]:
    if event.is_competition:
        return [k[0] for k in map(book.performance_key, builder.performances) if k]
    code = book.code_for(Kind.EVENT, event.pk)
    return [code] if code else []
