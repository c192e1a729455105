"""What Ticketnet may sell on each performance: the allotment (seats, and the places of
non-numbered zones' series, sent in batches by an allotment export) and the zone counts."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import NamedTuple

from .catalogue import Catalogue
from .rules import SimulatorError, check_code, check_seat_number, in_series
from .store import Store


class Allotted(NamedTuple):
    """A row of `allotment`: a seat Ticketnet may sell on one performance."""

    manifestation_code: str
    performance_code: str
    zone_code: str
    row: int
    number: int
    category_code: str


class Allotments:
    def __init__(self, store: Store, catalogue: Catalogue):
        self.store = store
        self.catalogue = catalogue

    def set_allotment(self, *, manifestation_code: str, performance_code: str, export_id: str,
                      replace: bool, seats: list[dict]) -> dict:
        """One batch of an allotment export: `replace` starts export `export_id` and drops the
        performance's previous allotment; later batches of the same export append."""
        self.catalogue.check_performance(manifestation_code, performance_code)
        m, p = manifestation_code, performance_code
        if not export_id or len(export_id) > 64:
            raise SimulatorError("INVALID_REQUEST", "The export id must be 1 to 64 characters.")
        rows = self._allotted(m, p, seats)
        with self.store.write() as db:
            _start_or_continue_export(db, m, p, export_id=export_id, replace=replace)
            try:
                db.executemany("INSERT INTO allotment VALUES (?, ?, ?, ?, ?, ?)", rows)
            except sqlite3.IntegrityError:
                raise SimulatorError(
                    "SEAT_ALREADY_ALLOTTED",
                    f"A seat of this batch was already sent by export {export_id}: send each "
                    "seat once.") from None
            total = db.execute("SELECT count(*) FROM allotment WHERE manifestation_code = ? AND "
                               "performance_code = ?", (m, p)).fetchone()[0]
        return {"manifestation_code": m, "performance_code": p, "export_id": export_id,
                "batch_seat_count": len(rows), "allotted_seat_count": total}

    def _allotted(self, m: str, p: str, seats: list[dict]) -> list[Allotted]:
        """The batch's seats, each checked against the plan."""
        rows, seen = [], set()
        plans: dict[str, Callable[[int, int], str | None]] = {}
        # A batch repeats a few codes and numbers thousands of times: each checked once.
        zones: dict[str, str] = {}
        categories: dict[str, str] = {}
        numbers: dict[tuple[str, str], int] = {}
        for s in seats:
            raw_zone, raw_row, raw_number = s.get("zone_code"), s.get("row"), s.get("number")
            zone = zones.get(raw_zone)
            if zone is None:
                zone = zones[raw_zone] = check_code(raw_zone, "zone code")
            row = numbers.get((zone, raw_row)) if isinstance(raw_row, str) else None
            if row is None:
                row = check_seat_number(raw_row, f"row of zone {zone}")
                if isinstance(raw_row, str):
                    numbers[(zone, raw_row)] = row
            number = _seat_number(raw_number, zone)
            raw_category = s.get("category_code")
            category = categories.get(raw_category)
            if category is None:
                category = categories[raw_category] = check_code(raw_category,
                                                                 "seat category code")
            plan = plans.get(zone)
            if plan is None:
                plan = plans[zone] = self._zone_plan(m, zone)
            expected = plan(row, number)
            if expected is None:
                raise SimulatorError(
                    "UNKNOWN_SEAT",
                    f"Seat {row}-{number} of zone {zone} does not exist in manifestation {m}: "
                    "allot only seats of the plan sent with the manifestation.")
            if expected != category:
                raise SimulatorError(
                    "CATEGORY_MISMATCH",
                    f"Seat {row}-{number} of zone {zone} is in seat category {expected} in "
                    f"manifestation {m}, not {category}.")
            if (zone, row, number) in seen:
                raise SimulatorError("SEAT_ALREADY_ALLOTTED",
                                     f"Seat {row}-{number} of zone {zone} appears twice.")
            seen.add((zone, row, number))
            rows.append(Allotted(m, p, zone, row, number, category))
        return rows

    def set_zone_quota(self, *, manifestation_code: str, performance_code: str, zone_code: str,
                       places_available: int) -> dict:
        """How many places of a non-numbered zone's series Ticketnet may still sell: from now
        on, at most this many more sales than refunds, and only places the allotment export
        sent (so never more than it sent). The next allotment export lifts the count."""
        m, p = manifestation_code, performance_code
        self.catalogue.check_performance(m, p)
        if self.catalogue.zone(m, zone_code).capacity is None:
            raise SimulatorError(
                "ZONE_NUMBERED",
                f"Zone {zone_code} is numbered: allot its seats with setAllotment; setZoneQuota "
                "is for non-numbered zones (seat series).")
        sent = self.store.db().execute(
            "SELECT count(*) FROM allotment WHERE manifestation_code = ? AND "
            "performance_code = ? AND zone_code = ?", (m, p, zone_code)).fetchone()[0]
        if places_available < 0 or places_available > sent:
            raise SimulatorError(
                "INVALID_QUOTA",
                f"{places_available} places for zone {zone_code}: send 0 to {sent}, the places "
                "of its series the allotment export sent.")
        with self.store.write() as db:
            db.execute("INSERT INTO zone_quota VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
                       "available = excluded.available", (m, p, zone_code, places_available))
        return {"manifestation_code": m, "performance_code": p, "zone_code": zone_code,
                "places_available": places_available}

    def _zone_plan(self, m: str, zone: str) -> Callable[[int, int], str | None]:
        """A lookup (row, number) → category code or None for one zone of the plan: a whole
        batch of seats is checked against one read."""
        found = self.catalogue.zone(m, zone)
        if found.capacity is not None:
            capacity, category = found.capacity, found.category_code
            return lambda row, number: category if in_series(capacity, row, number) else None
        seats = {(r, n): c for r, n, c in self.store.db().execute(
            "SELECT row, number, category_code FROM seat WHERE manifestation_code = ? AND "
            "zone_code = ?", (m, zone))}
        return lambda row, number: seats.get((row, number))


def _seat_number(value, zone: str) -> int:
    """A seat number as check_seat_number reads it; its refusals come from it too."""
    if isinstance(value, str) and value.isdigit() and value.isascii() and value[0] != "0" \
            and len(value) < 10:
        return int(value)
    return check_seat_number(value, f"seat number of zone {zone}")


def _start_or_continue_export(db: sqlite3.Connection, m: str, p: str, *, export_id: str,
                              replace: bool) -> None:
    """The first batch of an export replaces the performance's allotment (and lifts its zone
    counts: the places sent are the whole truth until the next quota sync); a later batch must
    belong to the performance's current export."""
    current = db.execute("SELECT export_id FROM allotment_export WHERE manifestation_code = ? "
                         "AND performance_code = ?", (m, p)).fetchone()
    if replace:
        for table in ("allotment", "zone_quota"):
            db.execute(f"DELETE FROM {table} WHERE manifestation_code = ? AND "  # noqa: S608
                       "performance_code = ?", (m, p))
        db.execute("INSERT INTO allotment_export VALUES (?, ?, ?) ON CONFLICT DO UPDATE "
                   "SET export_id = excluded.export_id", (m, p, export_id))
    elif current is None or current[0] != export_id:
        raise SimulatorError(
            "ALLOTMENT_EXPORT_UNKNOWN",
            f"This batch appends to allotment export {export_id}, which is not the "
            f"current export of performance {p} of manifestation {m}: send the first "
            "batch of an export with replace=true.")
