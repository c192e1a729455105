"""Ticketnet's codes on a reconciliation's lines, translated by the interface's correspondences:
each distinct combination once, to its performance, or to the first code that is unknown (a
difference of its own, never a silent skip)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from catalog.models import Performance, Zone
from channels.models import ExternalSalesInterface
from mappings.models import Kind
from mappings.selectors import correspondence_book


def codes_translate(*, interface: ExternalSalesInterface, combos: list[tuple],
                    tz: ZoneInfo) -> list[tuple]:
    """(manifestation, performance, performance_at, zone, category, tariff) → the same, then
    the performance's id, the kind and the code of the first unknown code ('' when none).
    A statement names its performance by its local start ('YYYY-MM-DD HH:MM'), told apart by
    the zone's configuration when two performances start together."""
    book = correspondence_book(interface=interface)
    zone_configs = dict(Zone.objects.filter(
        pk__in={book.object_id_for(Kind.ZONE, c[3] or "") for c in combos} - {None}
    ).values_list("pk", "configuration_id"))
    starts = _performances_by_start(interface, book, tz) if any(c[2] for c in combos) else {}
    rows = []
    for manifestation, performance, performance_at, zone, category, tariff in combos:
        unknown_kind, unknown_code, perf_id = "", "", None
        zone_id = book.object_id_for(Kind.ZONE, zone or "")
        if performance_at:
            candidates = starts.get(performance_at, [])
            config = zone_configs.get(zone_id)
            matching = [pk for pk, conf in candidates if config is None or conf == config]
            perf_id = matching[0] if len(matching) == 1 else None
            if perf_id is None:
                unknown_kind, unknown_code = "performance", performance_at
        else:
            perf_id = book.performance_id_for(manifestation or "", performance or "")
            if perf_id is None:
                unknown_kind = "performance"
                unknown_code = f"{manifestation}_{performance}"
        if not unknown_kind:
            for kind, code in ((Kind.ZONE, zone), (Kind.CATEGORY, category),
                               (Kind.TARIFF, tariff)):
                if book.object_id_for(kind, code or "") is None:
                    unknown_kind, unknown_code = str(kind), code or ""
                    break
        rows.append((manifestation or "", performance or "", performance_at or "",
                     zone or "", category or "", tariff or "", perf_id, unknown_kind,
                     unknown_code))
    return rows


def _performances_by_start(interface: ExternalSalesInterface, book,
                           tz: ZoneInfo) -> dict[str, list[tuple[int, int]]]:
    """A statement names a performance by its local start: 'YYYY-MM-DD HH:MM' → the coded
    performances (id, configuration) starting then."""
    event_ids = {pk for kind, pk, _code in book.items() if kind == Kind.EVENT}
    perf_ids = {pk for kind, pk, _code in book.items() if kind == Kind.PERFORMANCE}
    out: dict[str, list[tuple[int, int]]] = {}
    for pk, start, config in Performance.objects.filter(
        event__institution_id=interface.institution_id
    ).filter(Q(event_id__in=event_ids) | Q(pk__in=perf_ids)).values_list(
        "pk", "start", "configuration_id"
    ):
        key = timezone.localtime(start, tz).strftime("%Y-%m-%d %H:%M")
        out.setdefault(key, []).append((pk, config))
    return out

