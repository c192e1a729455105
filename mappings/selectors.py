"""Read-only queries of the correspondences, for the jobs and the entry screens: the codes of
an interface in one book, what an interface's events need, and what is missing before export."""

from collections import defaultdict
from dataclasses import dataclass, field
from dataclasses import field as dataclass_field

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q

from catalog.models import (
    ActivityProfile,
    Event,
    LogicalConfiguration,
    Performance,
    Price,
    Seat,
    SeatAllocation,
    SeatCategory,
    Tariff,
    Zone,
    ZoneAllocation,
)
from channels.models import ExternalSalesInterface
from texts import choice, is_text, render, source, text

from .book import CorrespondenceBook
from .models import TARGET_FIELDS, Correspondence, Kind, code_entries, validate_code_for_kind
from .suggestions import start_code, suggest_codes

EXPORTED_KINDS = (Event.Kind.SINGLE, Event.Kind.COMPETITION)


def correspondence_book(*, interface: ExternalSalesInterface) -> CorrespondenceBook:
    """All the interface's codes in one query, with those Ticketnet knows (locked) and the old
    codes Ticketnet changed (still found)."""
    fields = [f"{name}_id" for name in TARGET_FIELDS.values()]
    rows, locked, retired = {}, {}, []
    # One row per old code of a correspondence (LEFT JOINs), so one query whatever the history.
    for kind, code, known_id, old_code, *ids in (
        Correspondence.objects.filter(interface=interface).values_list(
            "kind", "code", "known_code__id", "known_code__changes__old_code", *fields)
    ):
        object_id = ids[fields.index(f"{TARGET_FIELDS[kind]}_id")]
        rows[(kind, object_id)] = code
        if known_id is not None:
            locked[(kind, object_id)] = known_id
        if old_code is not None:
            retired.append((kind, object_id, old_code))
    return CorrespondenceBook(
        interface_id=interface.pk, rows=[(k, pk, code) for (k, pk), code in rows.items()],
        locked=locked, retired=retired,
    )


@dataclass
class InterfaceCatalogue:
    """Every object the interface's events need a code for."""

    events: list[Event] = field(default_factory=list)
    performances: list[Performance] = field(default_factory=list)
    configurations: list[LogicalConfiguration] = field(default_factory=list)
    zones: list[Zone] = field(default_factory=list)
    categories: list[SeatCategory] = field(default_factory=list)
    tariffs: list[Tariff] = field(default_factory=list)

    def objects(self) -> list[tuple[str, object]]:
        """(kind, object) of every object that takes a code, in the order to enter them."""
        out: list[tuple[str, object]] = []
        for event in self.events:
            if not event.is_competition:
                out.append((Kind.EVENT, event))
        out += [(Kind.PERFORMANCE, p) for p in self.performances if p.event.is_competition]
        out += [(Kind.CONFIGURATION, c) for c in self.configurations]
        out += [(Kind.ZONE, z) for z in self.zones]
        out += [(Kind.CATEGORY, c) for c in self.categories]
        out += [(Kind.TARIFF, t) for t in self.tariffs]
        return out


def interface_events(*, interface: ExternalSalesInterface):
    """Events sold by the interface's channel (its activity profiles) that Ticketnet exports."""
    return (
        Event.objects.filter(
            institution_id=interface.institution_id,
            kind__in=EXPORTED_KINDS,
            activity_profiles__channel_id=interface.channel_id,
        )
        .distinct()
        .order_by("-season", "code")
    )


def interface_catalogue(*, interface: ExternalSalesInterface,
                        events: list[Event] | None = None) -> InterfaceCatalogue:
    """The events of the channel's activity profiles (or `events`) and every performance,
    configuration, zone, category and tariff they use; six queries whatever the size."""
    if events is None:
        events = list(interface_events(interface=interface))
    event_ids = [e.pk for e in events]
    performances = list(
        Performance.objects.filter(event__in=event_ids)
        .select_related("event")
        .order_by("event__season", "event__code", "start")
    )
    config_ids = {p.configuration_id for p in performances}
    configurations = list(
        LogicalConfiguration.objects.filter(pk__in=config_ids)
        .select_related("hall")
        .order_by("hall__name", "name")
    )
    zones = list(
        Zone.objects.filter(configuration__in=config_ids)
        .select_related("configuration__hall")
        .order_by("configuration__hall__name", "configuration__name", "block_letter",
                  "block_number", "name")
    )
    categories = list(
        SeatCategory.objects.filter(institution_id=interface.institution_id)
        .filter(
            Q(Exists(Seat.objects.filter(category=OuterRef("pk"),
                                         zone__configuration__in=config_ids)))
            | Q(Exists(Zone.objects.filter(category=OuterRef("pk"),
                                           configuration__in=config_ids)))
            | Q(Exists(Price.objects.filter(category=OuterRef("pk"), event__in=event_ids)))
        )
        .order_by("rank", "name")
    )
    tariffs = list(
        Tariff.objects.filter(institution_id=interface.institution_id)
        .filter(Exists(Price.objects.filter(tariff=OuterRef("pk"), event__in=event_ids)))
        .order_by("pk")  # creation order: full price first, as the guide numbers them
    )
    return InterfaceCatalogue(
        events=list(events), performances=performances, configurations=configurations,
        zones=zones, categories=categories, tariffs=tariffs,
    )


@dataclass(frozen=True)
class CorrespondenceRow:
    """One line of the grid and of the CSV export."""

    kind: str
    object_id: int
    label: str
    context: str
    code: str
    suggestion: str
    # The code Ticketnet knows (locked since a catalogue export sent it), if any.
    known_code_id: int | None = None
    hall: str = ""  # of a configuration or a zone: the grid groups them by hall
    block: tuple[str, int] | None = None  # a zone's block letter and number (A, 1)

    @property
    def key(self) -> tuple[str, int]:
        return self.kind, self.object_id

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)


def _hall_and_block(kind: str, obj) -> tuple[str, tuple[str, int] | None]:
    if kind == Kind.CONFIGURATION:
        return obj.hall.name, None
    if kind == Kind.ZONE:
        block = ((obj.block_letter, obj.block_number)
                 if obj.block_letter and obj.block_number is not None else None)
        return obj.configuration.hall.name, block
    return "", None


def _context(kind: str, obj) -> str:
    if kind == Kind.PERFORMANCE:
        return str(obj.event)
    if kind == Kind.CONFIGURATION:
        return obj.hall.name
    if kind == Kind.ZONE:
        return str(obj.configuration)
    return ""


def correspondence_rows(*, interface: ExternalSalesInterface,
                        book: CorrespondenceBook | None = None,
                        typed: dict[tuple[str, int], str] | None = None,
                        ) -> list[CorrespondenceRow]:
    """Every object the interface's events need, with its code and a suggestion.

    `typed` (codes typed in a form, not saved yet) are kept out of the suggestions too, and
    objects with a typed code get none."""
    book = book or correspondence_book(interface=interface)
    catalogue = interface_catalogue(interface=interface)
    taken, coded = book.taken(), book.coded()
    if typed is not None:
        coded = {key for key, code in typed.items() if code}
        for (kind, _object_id), code in typed.items():
            if not code:
                continue
            try:
                validate_code_for_kind(kind, code)
            except ValidationError:
                continue
            for namespace, value in code_entries(kind, code):
                taken[namespace].add(value)
    suggestions = suggest_codes(catalogue=catalogue, taken=taken, coded=coded)
    return [
        CorrespondenceRow(
            kind=kind, object_id=obj.pk, label=str(obj), context=_context(kind, obj),
            code=book.code_for(kind, obj.pk) or "",
            suggestion=suggestions.get((kind, obj.pk), ""),
            known_code_id=book.known_code_id(kind, obj.pk),
            **dict(zip(("hall", "block"), _hall_and_block(kind, obj), strict=True)),
        )
        for kind, obj in catalogue.objects()
    ]


@dataclass(frozen=True)
class Problem:
    """Something to fix before an event's catalogue can be exported."""

    kind: str
    object_id: int | None
    label: str
    field: str
    message: str  # in the language of the moment (the page's reader's)
    # The message as a stored text (`texts`), for a run to keep; not part of its identity.
    source: dict | None = dataclass_field(default=None, compare=False)

    @classmethod
    def about(cls, kind: str, obj, field_name: str, message, label: str | None = None
              ) -> "Problem":
        """The problem of `obj` (None for one about no single object: then give `label`).
        `message`: a stored text (`texts.text`) or a string."""
        return cls(kind=kind, object_id=getattr(obj, "pk", None),
                   label=label if label is not None else str(obj), field=field_name,
                   message=render(message), source=message if is_text(message) else None)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "object_id": self.object_id, "label": self.label,
                "field": self.field, "message": self.message}


def event_readiness(*, interface: ExternalSalesInterface, event: Event) -> list[Problem]:
    """Everything missing before `event` can be exported on `interface`; about ten queries
    whatever the number of performances, zones and seats."""
    problems: list[Problem] = []

    def add(kind, obj, field_name, message, label=None):
        problems.append(Problem.about(kind, obj, field_name, message, label))

    if event.kind not in EXPORTED_KINDS:
        add("event", event, "kind", text(
            "“%(event)s” is a %(kind)s: Ticketnet sells it without a catalogue export.",
            event=event, kind=source(Event.Kind(event.kind).label, lower=True)))
        return problems
    channel = interface.channel
    if not ActivityProfile.objects.filter(channel=channel, events=event).exists():
        add("event", event, "activity_profiles", text(
            "Add “%(event)s” to an activity profile of the channel “%(channel)s”.",
            event=event, channel=channel.name))

    book = correspondence_book(interface=interface)
    performances = list(
        Performance.objects.filter(event=event).select_related("configuration__hall")
        .order_by("start")
    )
    if not performances:
        add("event", event, "performances", text("“%(event)s” has no performance: add one.",
                                                 event=event))
    if event.is_competition:
        if book.code_for(Kind.EVENT, event.pk):
            add("event", event, "code", text(
                "“%(event)s” is a competition: remove its event code and give each of its "
                "performances a double code instead.", event=event))
        for perf in performances:
            perf.event = event
            if not book.code_for(Kind.PERFORMANCE, perf.pk):
                add("performance", perf, "code", text(
                    "Enter the double code <manifestation>_<performance> of the performance "
                    "“%(performance)s”, for example 1701_%(start)s.", performance=perf,
                    start=start_code(perf.start)))
    elif not book.code_for(Kind.EVENT, event.pk):
        add("event", event, "code", text("Enter the Ticketnet code of the event “%(event)s”.",
                                         event=event))

    configurations = {p.configuration_id: p.configuration for p in performances}
    for config in configurations.values():
        if not book.code_for(Kind.CONFIGURATION, config.pk):
            add("configuration", config, "code", text(
                "Enter the Ticketnet code of the logical configuration “%(configuration)s”.",
                configuration=config))
    zones = list(Zone.objects.filter(configuration__in=configurations).order_by(
        "configuration", "block_letter", "block_number", "name"))
    zone_categories: dict[int, set[int]] = defaultdict(set)
    for zone_id, category_id in (
        Seat.objects.filter(zone__configuration__in=configurations)
        .values_list("zone_id", "category_id").distinct()
    ):
        zone_categories[zone_id].add(category_id)
    config_categories: dict[int, set[int]] = defaultdict(set)
    for zone in zones:
        if not book.code_for(Kind.ZONE, zone.pk):
            add("zone", zone, "code", text("Enter the Ticketnet code of the zone “%(zone)s”.",
                                           zone=zone))
        if zone.numbered and not zone_categories.get(zone.pk):
            add("zone", zone, "seats", text(
                "The numbered zone “%(zone)s” has no seats: create a block of seats.",
                zone=zone))
        categories = zone_categories.get(zone.pk, set())
        if not zone.numbered and zone.category_id:
            categories = {zone.category_id}
        config_categories[zone.configuration_id] |= categories

    prices = list(
        Price.objects.filter(event=event).select_related("category", "tariff")
    )
    all_category_ids = set().union(*config_categories.values()) if config_categories else set()
    category_by_id = {c.pk: c for c in SeatCategory.objects.filter(
        pk__in=all_category_ids | {p.category_id for p in prices})}
    for category_id in sorted(all_category_ids, key=lambda pk: (category_by_id[pk].rank, pk)):
        category = category_by_id[category_id]
        if not book.code_for(Kind.CATEGORY, category.pk):
            add("category", category, "code", text(
                "Enter the Ticketnet code of the seat category “%(category)s”.",
                category=category))

    tariffs = {p.tariff_id: p.tariff for p in prices}
    if performances and not prices:
        add("event", event, "prices", text("“%(event)s” has no prices: enter a price for each "
                                        "seat category and tariff sold.", event=event))
    for tariff in sorted(tariffs.values(), key=lambda t: t.code):
        if not book.code_for(Kind.TARIFF, tariff.pk):
            add("tariff", tariff, "code", text("Enter the Ticketnet code of the tariff "
                                            "“%(tariff)s”.", tariff=tariff))
        if not tariff.is_reseller_audience:
            add("tariff", tariff, "audience_type", text(
                "The tariff “%(tariff)s” is of audience type “%(type)s”: a reseller may only "
                "sell occasional contact or occasional collectivity tariffs.",
                tariff=tariff, type=choice(tariff, "audience_type")))

    event_prices = {(p.category_id, p.tariff_id) for p in prices if p.performance_id is None}
    performance_prices = {
        (p.performance_id, p.category_id, p.tariff_id) for p in prices if p.performance_id
    }
    missing: dict[tuple[int, int], int] = defaultdict(int)
    for perf in performances:
        for category_id in config_categories.get(perf.configuration_id, ()):
            for tariff_id in tariffs:
                if (category_id, tariff_id) not in event_prices and (
                    perf.pk, category_id, tariff_id
                ) not in performance_prices:
                    missing[(category_id, tariff_id)] += 1
    for (category_id, tariff_id), count in sorted(missing.items()):
        category, tariff = category_by_id[category_id], tariffs[tariff_id]
        add("price", None, "amount_cents", text(
            "No price for “%(category)s” × “%(tariff)s” (%(count)d of %(total)d "
            "performances): enter it on the event.", category=category, tariff=tariff,
            count=count, total=len(performances)), label=f"{category} × {tariff}")

    quota = interface.external_quota
    seats = dict(
        SeatAllocation.objects.filter(quota=quota, performance__event=event)
        .values("performance_id").annotate(n=Count("pk")).values_list("performance_id", "n")
    )
    places = dict(
        ZoneAllocation.objects.filter(quota=quota, performance__event=event)
        .values("performance_id").annotate(n=Count("pk")).values_list("performance_id", "n")
    )
    for perf in performances:
        perf.event = event
        if not seats.get(perf.pk) and not places.get(perf.pk):
            add("performance", perf, "quota", text(
                "No seat or place of “%(performance)s” is in the quota “%(quota)s”: set some "
                "aside for Ticketnet.", performance=perf, quota=quota.name))
    return problems
