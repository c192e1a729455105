"""What a catalogue export sends, planned before anything leaves: the gateway's `Manifestation`s
of an event (one per competition performance, built by `manifestations.py`), every problem
found, and the preview of both.

Read-only: the job (`schedules/jobs/catalog_export.py`) sends and records; the admin and the
`--dry-run` command show the same plan.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime

from catalog.models import Event
from catalog.series import describe_series
from channels.models import ExternalSalesInterface
from mappings.models import Kind
from mappings.selectors import CorrespondenceBook, Problem, correspondence_book, event_readiness
from texts import text

from ..framework.models import Job
from .channel_rules import channel_refusal
from .manifestations import ManifestationBuilder
from .models import ExportedManifestation
from .not_known import NotKnown, exported_events
from .ticketnet import Manifestation, SeatSpec


@dataclass(frozen=True)
class PlannedManifestation:
    """One manifestation to send, with the ids of what it stands for."""

    manifestation: Manifestation
    event_id: int
    performance_ids: tuple[int, ...]  # in the order of manifestation.performances
    competition_performance_id: int | None
    exported: ExportedManifestation | None = None
    # (kind, object id) of every object whose code it sends: locked once it is sent.
    targets: tuple[tuple[str, int], ...] = ()

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
    # What was added to the event since its export: not known to Ticketnet.
    not_known: list[NotKnown] = field(default_factory=list)

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
            "not_known_to_ticketnet": [n.as_dict() for n in self.not_known],
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


def catalog_plan(*, interface: ExternalSalesInterface, event: Event) -> CatalogPlan:
    """What exporting `event` on `interface` would send, and every problem: readiness (codes,
    quota, audience types…) and what only building the payload finds. Nothing is sent."""
    plan = CatalogPlan(interface=interface, event=event)
    refusal = channel_refusal(interface=interface, job=Job.CATALOG_EXPORT)
    if refusal is not None:
        plan.problems.append(Problem.about("interface", interface, "channel", refusal[0]))
        return plan
    plan.problems.extend(event_readiness(interface=interface, event=event))
    if event.kind not in (Event.Kind.SINGLE, Event.Kind.COMPETITION):
        return plan
    book = correspondence_book(interface=interface)
    builder = ManifestationBuilder(interface=interface, event=event, book=book)
    if not builder.performances:
        return plan
    # Keyed on the event (the performance of a competition), never on the code: a code
    # changed since the export does not make the event new to Ticketnet.
    exported = {e.performance_id: e for e in ExportedManifestation.objects.filter(
        interface=interface, event=event)}
    if exported:
        plan.not_known = [item for exported_event in exported_events(interface=interface,
                                                                     event=event)
                          for item in exported_event.not_known]
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
                    competition_performance_id=perf.pk, exported=exported.get(perf.pk),
                    targets=_targets(manifestation, book, (Kind.PERFORMANCE, perf.pk),
                                     perf.configuration_id)))
    else:
        keys = [book.performance_key(p) for p in builder.performances]
        if all(keys):
            codes = [k[1] for k in keys]
            duplicates = {c for c in codes if codes.count(c) > 1}
            if duplicates:
                plan.problems.append(Problem.about("event", event, "performances", text(
                    "Several performances of “%(event)s” start in the same minute "
                    "(%(codes)s): Ticketnet finds a performance by its start to the minute.",
                    event=event, codes=", ".join(sorted(duplicates)))))
            else:
                manifestation = builder.manifestation(
                    code=keys[0][0], performances=builder.performances, performance_codes=codes)
                if manifestation is not None:
                    plan.manifestations.append(PlannedManifestation(
                        manifestation=manifestation, event_id=event.pk,
                        performance_ids=tuple(p.pk for p in builder.performances),
                        competition_performance_id=None, exported=exported.get(None),
                        targets=_targets(manifestation, book, (Kind.EVENT, event.pk),
                                         builder.performances[0].configuration_id)))
    # The builder meets the same gap once per manifestation, and readiness may have seen it.
    seen = {(p.kind, p.object_id, p.field, p.label) for p in plan.problems}
    for problem in builder.problems:
        key = (problem.kind, problem.object_id, problem.field, problem.label)
        if key not in seen:
            seen.add(key)
            plan.problems.append(problem)
    return plan


def _targets(manifestation: Manifestation, book: CorrespondenceBook, head: tuple[str, int],
             configuration_id: int) -> tuple[tuple[str, int], ...]:
    """(kind, object id) of every object whose code `manifestation` sends."""
    out = [head, (Kind.CONFIGURATION, configuration_id)]
    for kind, codes in ((Kind.ZONE, [z.code for z in manifestation.zones]),
                        (Kind.CATEGORY, [c.code for c in manifestation.seat_categories]),
                        (Kind.TARIFF, [t.code for t in manifestation.tariffs])):
        for code in codes:
            object_id = book.object_id_for(kind, code)
            if object_id is not None and (kind, object_id) not in out:
                out.append((kind, object_id))
    return tuple(out)
