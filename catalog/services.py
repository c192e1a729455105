"""Catalogue operations done in bulk: blocks of seats, and seats or places set aside in an
external quota for many performances at once (a stadium is 80,000 seats × 19 performances)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model, Sum
from django.utils.translation import gettext as _

from channels.models import ExternalQuota
from channels.rules import FieldErrors, require_same_institution

from .models import Event, Performance, Seat, SeatAllocation, SeatCategory, Zone, ZoneAllocation

BATCH_SIZE = 5000
MAX_BLOCK_SEATS = 200_000


def _insert_rows(model: type[Model], columns: Sequence[str], rows: Iterable[tuple],
                 *, method: str | None = None) -> int:
    """Insert plain rows (no signals, no objects): COPY on PostgreSQL, batched INSERTs else.

    COPY streams the rows without building a model instance per row; on 80,000 seats it is
    several times faster than bulk_create (see benchmarks/bench_stadium.py)."""
    method = method or ("copy" if connection.vendor == "postgresql" else "bulk_create")
    count = 0
    if method == "copy":
        table = connection.ops.quote_name(model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor, cursor.copy(
            f"COPY {table} ({cols}) FROM STDIN"  # noqa: S608 - names from the model's meta
        ) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    batch: list[Model] = []
    for row in rows:
        batch.append(model(**dict(zip(columns, row, strict=True))))
        if len(batch) >= BATCH_SIZE:
            model.objects.bulk_create(batch, batch_size=BATCH_SIZE)
            count += len(batch)
            batch = []
    if batch:
        model.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        count += len(batch)
    return count


def seats_create_block(*, zone: Zone, rows: int, seats_per_row: int, category: SeatCategory,
                       first_row: int = 1, first_number: int = 1,
                       method: str | None = None) -> int:
    """Create rows × seats_per_row seats in `zone` (rows first_row…, numbers first_number…).

    All or nothing: refused if one of the seats already exists. Returns the seats created."""
    errors = FieldErrors()
    if not zone.numbered:
        errors.add(
            "zone",
            _("“%(zone)s” is non-numbered: give it a capacity instead of seats.")
            % {"zone": zone.name},
        )
    if rows < 1:
        errors.add("rows", _("Enter at least 1 row."))
    if seats_per_row < 1:
        errors.add("seats_per_row", _("Enter at least 1 seat per row."))
    if first_row < 1:
        errors.add("first_row", _("Rows are numbered from 1."))
    if first_number < 1:
        errors.add("first_number", _("Seats are numbered from 1."))
    if rows * seats_per_row > MAX_BLOCK_SEATS:
        errors.add(
            "rows", _("At most %(max)d seats per block: split it.") % {"max": MAX_BLOCK_SEATS}
        )
    errors.require_same_institution(
        "category", zone, category, message=_("The seat category belongs to another institution.")
    )
    errors.raise_if_any()
    last_row = first_row + rows - 1
    last_number = first_number + seats_per_row - 1
    with transaction.atomic():
        taken = Seat.objects.filter(
            zone=zone, row__range=(first_row, last_row), number__range=(first_number, last_number)
        ).count()
        if taken:
            raise ValidationError(
                {
                    "rows": _(
                        "%(taken)d of these seats already exist in “%(zone)s” (rows %(first)d to "
                        "%(last)d): start at another row or number."
                    )
                    % {"taken": taken, "zone": zone.name, "first": first_row, "last": last_row}
                }
            )
        rows_iter = (
            (zone.pk, row, number, category.pk)
            for row in range(first_row, last_row + 1)
            for number in range(first_number, last_number + 1)
        )
        return _insert_rows(
            Seat, ("zone_id", "row", "number", "category_id"), rows_iter, method=method
        )


def _check_same_institution(*, performances: Sequence[Performance], quota: ExternalQuota,
                            zones: Sequence[Zone] | None) -> None:
    require_same_institution(
        "quota", quota, *performances, message=_("The quota belongs to another institution.")
    )
    require_same_institution(
        "zones", quota, *(zones or ()), message=_("A zone belongs to another institution.")
    )


def _performances(performances: Iterable[Performance]) -> list[Performance]:
    ids = [p.pk for p in performances]
    return list(Performance.objects.filter(pk__in=ids).select_related("event"))


def _zones(zones: Iterable[Zone] | None) -> list[Zone] | None:
    if zones is None:
        return None
    return list(
        Zone.objects.filter(pk__in=[z.pk for z in zones]).select_related("configuration__hall")
    )


def quota_allocate_seats(*, performances: Iterable[Performance], quota: ExternalQuota,
                         zones: Iterable[Zone] | None = None) -> int:
    """Put every seat of `zones` (default: every numbered zone of each performance's
    configuration) in `quota` for each performance, in one INSERT … SELECT.

    Seats already in a quota for a performance stay where they are. Zones outside a
    performance's configuration are ignored for it. Returns the allocations created."""
    perfs = _performances(performances)
    zone_list = _zones(zones)
    if not perfs or zone_list == []:
        return 0
    _check_same_institution(performances=perfs, quota=quota, zones=zone_list)
    qn = connection.ops.quote_name
    alloc, perf_t, zone_t, seat_t = (
        qn(m._meta.db_table) for m in (SeatAllocation, Performance, Zone, Seat)
    )
    params: list = [quota.pk, *[p.pk for p in perfs]]
    zone_filter = ""
    if zone_list is not None:
        zone_filter = f" AND z.id IN ({', '.join(['%s'] * len(zone_list))})"
        params += [z.pk for z in zone_list]
    # The WHERE clause also keeps SQLite's parser from reading ON CONFLICT as a join.
    sql = (
        f"INSERT INTO {alloc} (performance_id, seat_id, quota_id) "  # noqa: S608
        f"SELECT p.id, s.id, %s FROM {perf_t} p "
        f"JOIN {zone_t} z ON z.configuration_id = p.configuration_id "
        f"JOIN {seat_t} s ON s.zone_id = z.id "
        f"WHERE p.id IN ({', '.join(['%s'] * len(perfs))}){zone_filter} "
        "ON CONFLICT (performance_id, seat_id) DO NOTHING"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def quota_release_seats(*, performances: Iterable[Performance], quota: ExternalQuota,
                        zones: Iterable[Zone] | None = None) -> int:
    """Take the seats of `zones` (default: all) out of `quota` for each performance."""
    qs = SeatAllocation.objects.filter(
        quota=quota, performance__in=[p.pk for p in performances]
    )
    if zones is not None:
        qs = qs.filter(seat__zone__in=[z.pk for z in zones])
    return qs.delete()[0]


def quota_allocate_places(*, performances: Iterable[Performance], quota: ExternalQuota,
                          zones: Iterable[Zone] | None = None,
                          places: int | None = None) -> int:
    """Put `places` (default: all the free places) of each non-numbered zone in `quota`, for
    each performance; capped by what other quotas leave free. Returns the allocations set."""
    perfs = _performances(performances)
    zone_list = _zones(zones)
    if not perfs or zone_list == []:
        return 0
    _check_same_institution(performances=perfs, quota=quota, zones=zone_list)
    if places is not None and places < 1:
        raise ValidationError({"places": _("Enter at least 1 place.")})
    zone_qs = Zone.objects.filter(
        numbered=False, configuration__in={p.configuration_id for p in perfs}
    )
    if zone_list is not None:
        zone_qs = zone_qs.filter(pk__in=[z.pk for z in zone_list])
    zones_by_config: dict[int, list[Zone]] = {}
    for zone in zone_qs:
        zones_by_config.setdefault(zone.configuration_id, []).append(zone)
    existing = {
        (a.performance_id, a.zone_id): a
        for a in ZoneAllocation.objects.filter(performance__in=perfs, quota=quota)
    }
    taken_elsewhere = {
        (row["performance_id"], row["zone_id"]): row["total"]
        for row in ZoneAllocation.objects.filter(performance__in=perfs)
        .exclude(quota=quota)
        .values("performance_id", "zone_id")
        .annotate(total=Sum("places"))
    }
    to_create, to_update = [], []
    for perf in perfs:
        for zone in zones_by_config.get(perf.configuration_id, []):
            free = zone.capacity - taken_elsewhere.get((perf.pk, zone.pk), 0)
            wanted = min(places or free, free)
            if wanted < 1:
                continue
            current = existing.get((perf.pk, zone.pk))
            if current is None:
                to_create.append(
                    ZoneAllocation(performance=perf, zone=zone, quota=quota, places=wanted)
                )
            elif current.places != wanted:
                current.places = wanted
                to_update.append(current)
    with transaction.atomic():
        ZoneAllocation.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        ZoneAllocation.objects.bulk_update(to_update, ["places"], batch_size=BATCH_SIZE)
    return len(to_create) + len(to_update)


@dataclass(frozen=True)
class AllocationResult:
    seats: int
    places: int


def event_allocate_to_quota(*, event: Event, quota: ExternalQuota,
                            performances: Iterable[Performance] | None = None,
                            zones: Iterable[Zone] | None = None,
                            places: int | None = None) -> AllocationResult:
    """Set aside in `quota` the seats and places of `zones` (default: the whole
    configuration) for the given performances (default: all) of `event`."""
    perfs = list(performances) if performances is not None else list(event.performances.all())
    if any(p.event_id != event.pk for p in perfs):
        raise ValidationError({"performances": _("A performance is of another event.")})
    zone_list = list(zones) if zones is not None else None
    with transaction.atomic():
        seats = quota_allocate_seats(
            performances=perfs, quota=quota,
            zones=None if zone_list is None else [z for z in zone_list if z.numbered],
        )
        places = quota_allocate_places(
            performances=perfs, quota=quota,
            zones=None if zone_list is None else [z for z in zone_list if not z.numbered],
            places=places,
        )
    return AllocationResult(seats=seats, places=places)
