"""Ticketnet's catalogue in the simulator: manifestations, sent once with their performances,
plan, tariffs and prices, checked whole; and the lookups of that plan the other parts use."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import NamedTuple

from .rules import (
    SERIES_ROW_LENGTH,
    SimulatorError,
    check_code,
    check_performance_code,
    check_seat_number,
    in_series,
)
from .store import Store, now


class Performance(NamedTuple):
    code: str
    start: str


class Label(NamedTuple):
    """A seat category or a tariff: its code and name."""

    code: str
    name: str


class Zone(NamedTuple):
    """A row of `zone`: numbered (its seats are rows of `seat`; no capacity nor category) or a
    seat series (its capacity, all of one category)."""

    manifestation_code: str
    code: str
    name: str
    capacity: int | None
    category_code: str | None


class Seat(NamedTuple):
    """A row of `seat`: one numbered seat of the plan."""

    manifestation_code: str
    zone_code: str
    row: int
    number: int
    category_code: str


class Price(NamedTuple):
    """A row of `price`."""

    manifestation_code: str
    category_code: str
    tariff_code: str
    cents: int


class Catalogue:
    def __init__(self, store: Store):
        self.store = store

    # -- manifestations ------------------------------------------------------------------

    def create_manifestation(self, manifestation: dict, *, institution_code: str) -> dict:
        """`manifestation`: code, name, hall_code, performances [{code, start}],
        categories [{code, name}], tariffs [{code, name}], zones [{code, name, seats
        [{row, number, category_code}] | capacity, category_code}], prices [{category_code,
        tariff_code, cents}]. Checked whole before anything is written."""
        m = manifestation
        code = check_code(m.get("code"), "manifestation code")
        if self._exists(code):
            raise SimulatorError(
                "MANIFESTATION_EXISTS",
                f"Manifestation {code} already exists at Ticketnet: a catalogue export is sent "
                "once and never again. To change it, call Ticketnet and ask them to modify it "
                "on their side.",
            )
        if not (m.get("name") or "").strip():
            raise SimulatorError("INVALID_REQUEST", f"Manifestation {code} has no name.")
        hall = check_code(m.get("hall_code"), "hall code")
        performances = _performances(m.get("performances") or [])
        categories = _labels(m.get("categories") or [], "seat category")
        tariffs = _labels(m.get("tariffs") or [], "tariff")
        if not performances:
            raise SimulatorError("INVALID_REQUEST", f"Manifestation {code} has no performance.")
        category_codes = {c.code for c in categories}
        zones, seats = _plan(code, m.get("zones") or [], category_codes)
        prices = _prices(code, m.get("prices") or [], category_codes,
                         {t.code for t in tariffs})
        with self.store.write() as db:
            # Checked again under the write lock: two exports of one manifestation may race.
            if self._exists(code, db):
                raise SimulatorError("MANIFESTATION_EXISTS", f"Manifestation {code} already "
                                     "exists at Ticketnet: call Ticketnet to change it.")
            db.execute("INSERT INTO manifestation VALUES (?, ?, ?, ?, ?)",
                       (code, m["name"], hall, institution_code, now().isoformat()))
            db.executemany("INSERT INTO performance VALUES (?, ?, ?)",
                           [(code, *p) for p in performances])
            db.executemany("INSERT INTO category VALUES (?, ?, ?)",
                           [(code, *c) for c in categories])
            db.executemany("INSERT INTO tariff VALUES (?, ?, ?)", [(code, *t) for t in tariffs])
            db.executemany("INSERT INTO zone VALUES (?, ?, ?, ?, ?)", zones)
            db.executemany("INSERT INTO seat VALUES (?, ?, ?, ?, ?)", seats)
            db.executemany("INSERT INTO price VALUES (?, ?, ?, ?)", prices)
        return {"manifestation_code": code, "performance_count": len(performances),
                "seat_count": len(seats) + sum(z.capacity or 0 for z in zones)}

    def _exists(self, code: str, db: sqlite3.Connection | None = None) -> bool:
        found = (db or self.store.db()).execute(
            "SELECT 1 FROM manifestation WHERE code = ?", (code,)).fetchone()
        return found is not None

    # -- what the box office and the allotments look up ----------------------------------

    def check_manifestation(self, manifestation_code: str) -> str:
        """The code of a manifestation Ticketnet was sent; refuse any other."""
        m = check_code(manifestation_code, "manifestation code")
        if not self._exists(m):
            raise SimulatorError("UNKNOWN_MANIFESTATION", f"Manifestation {m} does not exist at "
                                 "Ticketnet: export the catalogue first.")
        return m

    def check_performance(self, manifestation_code: str, performance_code: str) -> None:
        """Refuse a performance Ticketnet was not sent."""
        m = check_code(manifestation_code, "manifestation code")
        p = check_performance_code(performance_code)
        self.check_manifestation(m)
        db = self.store.db()
        if not db.execute("SELECT 1 FROM performance WHERE manifestation_code = ? AND code = ?",
                          (m, p)).fetchone():
            raise SimulatorError("UNKNOWN_PERFORMANCE", f"Manifestation {m} has no performance "
                                 f"{p}: Ticketnet only knows the performances sent with the "
                                 "manifestation.")

    def zone(self, manifestation_code: str, zone_code: str) -> Zone:
        zone = check_code(zone_code, "zone code")
        row = self.store.db().execute(
            "SELECT manifestation_code, code, name, capacity, category_code FROM zone WHERE "
            "manifestation_code = ? AND code = ?", (manifestation_code, zone)).fetchone()
        if row is None:
            raise SimulatorError("UNKNOWN_ZONE", f"Zone {zone} is not in manifestation "
                                 f"{manifestation_code}.")
        return Zone._make(row)

    def seat_category(self, m: str, zone: str, row: int, number: int) -> str:
        """The category of one seat of the plan; refused when the plan has no such seat."""
        found = self.zone(m, zone)
        if found.capacity is not None:
            if in_series(found.capacity, row, number):
                return found.category_code
        else:
            seat = self.store.db().execute(
                "SELECT category_code FROM seat WHERE manifestation_code = ? AND zone_code = ? "
                "AND row = ? AND number = ?", (m, zone, row, number)).fetchone()
            if seat:
                return seat[0]
        raise SimulatorError(
            "UNKNOWN_SEAT",
            f"Seat {row}-{number} of zone {zone} does not exist in manifestation {m}: only "
            "seats of the plan sent with the manifestation can be allotted or sold.",
        )

    def tariff_codes(self, m: str) -> set[str]:
        return {t for (t,) in self.store.db().execute(
            "SELECT code FROM tariff WHERE manifestation_code = ?", (m,))}

    # -- overview ------------------------------------------------------------------------

    def overview(self) -> list[dict]:
        """Every manifestation with its zones and, per performance, what is allotted, the
        zone quotas and the active tickets."""
        db = self.store.db()
        manifestations = []
        for code, name, hall, institution in db.execute(
                "SELECT code, name, hall_code, institution_code FROM manifestation ORDER BY code"):
            performances = [self._performance_overview(code, p) for (p,) in db.execute(
                "SELECT code FROM performance WHERE manifestation_code = ? ORDER BY code",
                (code,))]
            zones = [{"code": z, "name": n, "capacity": cap} for z, n, cap in db.execute(
                "SELECT code, name, capacity FROM zone WHERE manifestation_code = ? ORDER BY "
                "code", (code,))]
            manifestations.append({"code": code, "name": name, "hall_code": hall,
                                   "institution_code": institution,
                                   "performances": performances, "zones": zones})
        return manifestations

    def _performance_overview(self, m: str, p: str) -> dict:
        db = self.store.db()
        allotted = db.execute("SELECT count(*) FROM allotment WHERE manifestation_code = ? AND "
                              "performance_code = ?", (m, p)).fetchone()[0]
        quotas = dict(db.execute("SELECT zone_code, available FROM zone_quota WHERE "
                                 "manifestation_code = ? AND performance_code = ?", (m, p)))
        sold = db.execute("SELECT count(*) FROM ticket WHERE manifestation_code = ? AND "
                          "performance_code = ? AND status = 'ACTIVE'", (m, p)).fetchone()[0]
        return {"code": p, "allotted_seats": allotted, "zone_quotas": quotas,
                "active_tickets": sold}


# -- the checks of a new manifestation, in the order Ticketnet reports them ---------------

def _unique(codes: list[str], what: str) -> None:
    seen = set()
    for code in codes:
        if code in seen:
            raise SimulatorError("DUPLICATE_CODE", f"The {what} code {code} appears twice.")
        seen.add(code)


def known_code(value: str | None, known: set[str], fault: str, what: str,
               manifestation: str) -> str:
    """`value` as a code declared with the manifestation, or refused with `fault`."""
    code = check_code(value, f"{what} code")
    if code not in known:
        raise SimulatorError(fault, f"The {what} {code} is not in manifestation "
                             f"{manifestation}: declare it with the manifestation.")
    return code


def _check_start(value: str, performance_code: str) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise SimulatorError("INVALID_REQUEST", f"The start of performance {performance_code} "
                             f"“{value}” is not a date and time.") from None
    if moment.tzinfo is None:
        raise SimulatorError("INVALID_REQUEST", f"The start of performance {performance_code} "
                             "has no time zone.")
    return value


def _performances(items: list[dict]) -> list[Performance]:
    performances = [Performance(check_performance_code(p["code"]),
                                _check_start(p["start"], p["code"])) for p in items]
    _unique([p.code for p in performances], "performance")
    return performances


def _labels(items: list[dict], what: str) -> list[Label]:
    labels = [Label(check_code(i["code"], f"{what} code"), i.get("name") or "") for i in items]
    _unique([label.code for label in labels], what)
    return labels


def _plan(code: str, items: list[dict], categories: set[str]) -> tuple[list[Zone], list[Seat]]:
    """The zones of manifestation `code` and the seats of its numbered zones."""
    zones: list[Zone] = []
    seats: list[Seat] = []
    seen: set[tuple[str, int, int]] = set()
    for zone in items:
        zone_code = check_code(zone.get("code"), "zone code")
        name = zone.get("name") or ""
        if zone.get("seats"):
            seats += _numbered_seats(code, zone_code, zone["seats"], categories, seen)
            zones.append(Zone(code, zone_code, name, None, None))
        else:
            zones.append(_series_zone(code, zone_code, name, zone, categories))
    if not zones:
        raise SimulatorError("INVALID_REQUEST", f"Manifestation {code} has no zone.")
    _unique([z.code for z in zones], "zone")
    return zones, seats


def _numbered_seats(code: str, zone_code: str, items: list[dict], categories: set[str],
                    seen: set[tuple[str, int, int]]) -> list[Seat]:
    seats = []
    for s in items:
        row = check_seat_number(s.get("row"), f"row of zone {zone_code}")
        number = check_seat_number(s.get("number"), f"seat number of zone {zone_code}")
        category = known_code(s.get("category_code"), categories, "UNKNOWN_CATEGORY",
                              "seat category", code)
        if (zone_code, row, number) in seen:
            raise SimulatorError("DUPLICATE_SEAT",
                                 f"Seat {row}-{number} of zone {zone_code} appears twice.")
        seen.add((zone_code, row, number))
        seats.append(Seat(code, zone_code, row, number, category))
    return seats


def _series_zone(code: str, zone_code: str, name: str, zone: dict,
                 categories: set[str]) -> Zone:
    capacity = zone.get("capacity") or 0
    if capacity <= 0:
        raise SimulatorError(
            "NON_NUMBERED_ZONE",
            f"Zone {zone_code} has no numbered seats: Ticketnet sells numbered seats "
            "only. Send a non-numbered zone as a seat series (its capacity), sold "
            f"as rows of {SERIES_ROW_LENGTH} seats numbered from 1.",
        )
    category = known_code(zone.get("category_code"), categories, "UNKNOWN_CATEGORY",
                          "seat category", code)
    return Zone(code, zone_code, name, capacity, category)


def _prices(code: str, items: list[dict], categories: set[str],
            tariffs: set[str]) -> list[Price]:
    prices: list[Price] = []
    seen: set[tuple[str, str]] = set()
    for p in items:
        category = known_code(p.get("category_code"), categories, "UNKNOWN_CATEGORY",
                              "seat category", code)
        tariff = known_code(p.get("tariff_code"), tariffs, "UNKNOWN_TARIFF", "tariff", code)
        cents = p.get("cents")
        if not isinstance(cents, int) or cents < 0:
            raise SimulatorError("INVALID_PRICE", f"The price of category {category} and "
                                 f"tariff {tariff} must be a whole number of cents, 0 or "
                                 "more.")
        if (category, tariff) in seen:
            raise SimulatorError("DUPLICATE_CODE", f"The price of category {category} and "
                                 f"tariff {tariff} appears twice.")
        seen.add((category, tariff))
        prices.append(Price(code, category, tariff, cents))
    return prices
