"""The simulator's state: Ticketnet's catalogue, allotments, tickets and sales journal, in its
own SQLite file (WAL) that survives restarts. The Python API used by the command and by tests.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .rules import (
    SimulatorError,
    check_code,
    check_performance_code,
    check_seat_number,
    in_series,
    series_rows,
)

DEMO_LOGIN = "SBSSOMETHING"
DEMO_PASSWORD = "demo-ticketnet-password"  # noqa: S105 - the demo's, public on purpose
DEMO_INSTITUTION_CODE = "505"
FAULT_KINDS = ("latency", "http_500", "soap_fault", "malformed_xml", "drop_connection", "dtd",
               "billion_laughs")
OPERATIONS = ("ping", "createManifestation", "setAllotment", "setZoneQuota", "listOperations")
MAX_PAGE_SIZE = 5000
CURRENCY = "EUR"
POINT_OF_SALE = "TKN"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS account (
    login TEXT PRIMARY KEY, salt TEXT NOT NULL, password_hash TEXT NOT NULL,
    institution_code TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS manifestation (
    code TEXT PRIMARY KEY, name TEXT NOT NULL, hall_code TEXT NOT NULL,
    institution_code TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS performance (
    manifestation_code TEXT NOT NULL, code TEXT NOT NULL, start TEXT NOT NULL,
    PRIMARY KEY (manifestation_code, code));
CREATE TABLE IF NOT EXISTS category (
    manifestation_code TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL,
    PRIMARY KEY (manifestation_code, code));
CREATE TABLE IF NOT EXISTS tariff (
    manifestation_code TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL,
    PRIMARY KEY (manifestation_code, code));
CREATE TABLE IF NOT EXISTS zone (
    manifestation_code TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL,
    capacity INTEGER, category_code TEXT,
    PRIMARY KEY (manifestation_code, code));
CREATE TABLE IF NOT EXISTS seat (
    manifestation_code TEXT NOT NULL, zone_code TEXT NOT NULL, row INTEGER NOT NULL,
    number INTEGER NOT NULL, category_code TEXT NOT NULL,
    PRIMARY KEY (manifestation_code, zone_code, row, number)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS price (
    manifestation_code TEXT NOT NULL, category_code TEXT NOT NULL, tariff_code TEXT NOT NULL,
    cents INTEGER NOT NULL, PRIMARY KEY (manifestation_code, category_code, tariff_code));
CREATE TABLE IF NOT EXISTS allotment_export (
    manifestation_code TEXT NOT NULL, performance_code TEXT NOT NULL, export_id TEXT NOT NULL,
    PRIMARY KEY (manifestation_code, performance_code));
CREATE TABLE IF NOT EXISTS allotment (
    manifestation_code TEXT NOT NULL, performance_code TEXT NOT NULL, zone_code TEXT NOT NULL,
    row INTEGER NOT NULL, number INTEGER NOT NULL, category_code TEXT NOT NULL,
    PRIMARY KEY (manifestation_code, performance_code, zone_code, row, number)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS zone_quota (
    manifestation_code TEXT NOT NULL, performance_code TEXT NOT NULL, zone_code TEXT NOT NULL,
    available INTEGER NOT NULL,
    PRIMARY KEY (manifestation_code, performance_code, zone_code));
CREATE TABLE IF NOT EXISTS ticket (
    number TEXT PRIMARY KEY, manifestation_code TEXT NOT NULL, performance_code TEXT NOT NULL,
    zone_code TEXT NOT NULL, row INTEGER NOT NULL, seat INTEGER NOT NULL,
    category_code TEXT NOT NULL, tariff_code TEXT NOT NULL, price_cents INTEGER NOT NULL,
    status TEXT NOT NULL, from_quota INTEGER NOT NULL, buyer_last_name TEXT NOT NULL,
    buyer_first_name TEXT NOT NULL, buyer_city TEXT NOT NULL, buyer_postal_code TEXT NOT NULL,
    buyer_country TEXT NOT NULL, point_of_sale TEXT NOT NULL) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS ticket_one_active_per_seat
    ON ticket (manifestation_code, performance_code, zone_code, row, seat)
    WHERE status = 'ACTIVE';
CREATE TABLE IF NOT EXISTS operation (
    seq INTEGER PRIMARY KEY, type TEXT NOT NULL, ticket_number TEXT NOT NULL,
    original_ticket_number TEXT, manifestation_code TEXT NOT NULL,
    performance_code TEXT NOT NULL, zone_code TEXT NOT NULL, row INTEGER NOT NULL,
    seat INTEGER NOT NULL, category_code TEXT NOT NULL, tariff_code TEXT NOT NULL,
    price_cents INTEGER NOT NULL, currency TEXT NOT NULL, time TEXT NOT NULL,
    point_of_sale TEXT NOT NULL, buyer_last_name TEXT NOT NULL, buyer_first_name TEXT NOT NULL,
    buyer_city TEXT NOT NULL, buyer_postal_code TEXT NOT NULL, buyer_country TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fault (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, operation TEXT, remaining INTEGER,
    latency_ms INTEGER NOT NULL DEFAULT 0, code TEXT, message TEXT);
"""

_TICKET_COLUMNS = (
    "number, manifestation_code, performance_code, zone_code, row, seat, category_code, "
    "tariff_code, price_cents, status, from_quota, buyer_last_name, buyer_first_name, "
    "buyer_city, buyer_postal_code, buyer_country, point_of_sale"
)
_OPERATION_COLUMNS = (
    "type, ticket_number, original_ticket_number, manifestation_code, performance_code, "
    "zone_code, row, seat, category_code, tariff_code, price_cents, currency, time, "
    "point_of_sale, buyer_last_name, buyer_first_name, buyer_city, buyer_postal_code, "
    "buyer_country"
)
_INSERT_TICKET = f"INSERT INTO ticket ({_TICKET_COLUMNS}) VALUES ({', '.join('?' * 17)})"  # noqa: S608
_INSERT_OPERATION = (
    f"INSERT INTO operation ({_OPERATION_COLUMNS}) VALUES ({', '.join('?' * 19)})"  # noqa: S608
)
_SELECT_TICKET = f"SELECT {_TICKET_COLUMNS} FROM ticket WHERE number = ?"  # noqa: S608
_SELECT_ACTIVE = (
    f"SELECT {_TICKET_COLUMNS} FROM ticket WHERE status = 'ACTIVE' ORDER BY number"  # noqa: S608
)
_SELECT_OPERATIONS = (
    f"SELECT seq, {_OPERATION_COLUMNS} FROM operation WHERE seq > ? "  # noqa: S608
    "ORDER BY seq LIMIT ?"
)
_LAST_NAMES = ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
               "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Müller")
_FIRST_NAMES = ("Camille", "Léa", "Louis", "Hugo", "Chloé", "Jules", "Manon", "Gabriel",
                "Inès", "Arthur", "Zoé", "Lucas")
_CITIES = (("Paris", "75011", "FR"), ("Lyon", "69003", "FR"), ("Lille", "59000", "FR"),
           ("Nantes", "44000", "FR"), ("Genève", "1204", "CH"), ("Bruxelles", "1000", "BE"),
           ("Marseille", "13001", "FR"), ("Bordeaux", "33000", "FR"))


@dataclass(frozen=True, slots=True)
class Fault:
    kind: str
    operation: str | None
    latency_ms: int
    code: str | None
    message: str | None


def _now() -> datetime:
    return datetime.now(UTC)


def _hash(salt: str, password: str) -> str:
    return hashlib.sha256(f"{salt}:{password}".encode()).hexdigest()


class SimulatorState:
    """Ticketnet's side, over one SQLite file. Safe to share between threads (one connection
    per thread); several processes may open the same file (WAL)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._db().executescript(_SCHEMA)
        with self._write() as db:
            if db.execute("SELECT 1 FROM meta WHERE key = 'instance'").fetchone() is None:
                db.execute("INSERT INTO meta VALUES ('instance', ?)",
                           (secrets.token_hex(3).upper(),))
                db.execute("INSERT INTO meta VALUES ('ticket_seq', '0')")
        self.instance = self._db().execute(
            "SELECT value FROM meta WHERE key = 'instance'").fetchone()[0]

    # -- connection ----------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                 check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=30000")
            self._local.db = db
        return db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # -- accounts ------------------------------------------------------------------------

    def account_set(self, *, login: str, password: str, institution_code: str) -> dict:
        """Accept these credentials (replaces the account's password and institution code)."""
        if not login or not password or not institution_code:
            raise SimulatorError("INVALID_REQUEST",
                                 "An account needs a login, a password and an institution code.")
        salt = secrets.token_hex(8)
        with self._write() as db:
            db.execute(
                "INSERT INTO account VALUES (?, ?, ?, ?) ON CONFLICT (login) DO UPDATE SET "
                "salt = excluded.salt, password_hash = excluded.password_hash, "
                "institution_code = excluded.institution_code",
                (login, salt, _hash(salt, password), institution_code),
            )
        return {"login": login, "institution_code": institution_code}

    def ensure_demo_account(self) -> bool:
        """The demo's account, on a state that has none. True when created."""
        if self._db().execute("SELECT 1 FROM account LIMIT 1").fetchone():
            return False
        self.account_set(login=DEMO_LOGIN, password=DEMO_PASSWORD,
                         institution_code=DEMO_INSTITUTION_CODE)
        return True

    def authenticate(self, *, login: str, password: str, institution_code: str) -> None:
        row = self._db().execute(
            "SELECT salt, password_hash, institution_code FROM account WHERE login = ?",
            (login,)).fetchone()
        ok = row is not None and hmac.compare_digest(row[1], _hash(row[0], password))
        if not ok or row[2] != institution_code:
            raise SimulatorError(
                "AUTHENTICATION_FAILED",
                "Login, password or institution code refused: check them in the interface "
                "against what Ticketnet gave you.",
            )

    # -- catalogue -----------------------------------------------------------------------

    def create_manifestation(self, manifestation: dict, *, institution_code: str) -> dict:
        """`manifestation`: code, name, hall_code, performances [{code, start}],
        categories [{code, name}], tariffs [{code, name}], zones [{code, name, seats
        [{row, number, category_code}] | capacity, category_code}], prices [{category_code,
        tariff_code, cents}]."""
        m = manifestation
        code = check_code(m.get("code"), "manifestation code")
        if self._db().execute("SELECT 1 FROM manifestation WHERE code = ?", (code,)).fetchone():
            raise SimulatorError(
                "MANIFESTATION_EXISTS",
                f"Manifestation {code} already exists at Ticketnet: a catalogue export is sent "
                "once and never again. To change it, call Ticketnet and ask them to modify it "
                "on their side.",
            )
        if not (m.get("name") or "").strip():
            raise SimulatorError("INVALID_REQUEST", f"Manifestation {code} has no name.")
        hall = check_code(m.get("hall_code"), "hall code")
        performances = self._unique(
            [(check_performance_code(p["code"]), _check_start(p["start"], p["code"]))
             for p in m.get("performances") or []], "performance")
        categories = self._unique(
            [(check_code(c["code"], "seat category code"), c.get("name") or "")
             for c in m.get("categories") or []], "seat category")
        tariffs = self._unique(
            [(check_code(t["code"], "tariff code"), t.get("name") or "")
             for t in m.get("tariffs") or []], "tariff")
        if not performances:
            raise SimulatorError("INVALID_REQUEST", f"Manifestation {code} has no performance.")
        category_codes = {c for c, _name in categories}
        tariff_codes = {t for t, _name in tariffs}
        zones, seats, seen_seats, seat_count = [], [], set(), 0
        for zone in m.get("zones") or []:
            zone_code = check_code(zone.get("code"), "zone code")
            zone_seats = zone.get("seats") or []
            if zone_seats:
                for s in zone_seats:
                    row = check_seat_number(s.get("row"), f"row of zone {zone_code}")
                    number = check_seat_number(s.get("number"), f"seat number of zone {zone_code}")
                    category = self._known(s.get("category_code"), category_codes,
                                           "UNKNOWN_CATEGORY", "seat category", code)
                    key = (zone_code, row, number)
                    if key in seen_seats:
                        raise SimulatorError(
                            "DUPLICATE_SEAT",
                            f"Seat {row}-{number} of zone {zone_code} appears twice.")
                    seen_seats.add(key)
                    seats.append((code, zone_code, row, number, category))
                zones.append((code, zone_code, zone.get("name") or "", None, None))
                seat_count += len(zone_seats)
            else:
                capacity = zone.get("capacity") or 0
                if capacity <= 0:
                    raise SimulatorError(
                        "NON_NUMBERED_ZONE",
                        f"Zone {zone_code} has no numbered seats: Ticketnet sells numbered seats "
                        "only. Send a non-numbered zone as a seat series (its capacity), sold "
                        "as rows of 1000 seats numbered from 1.",
                    )
                category = self._known(zone.get("category_code"), category_codes,
                                       "UNKNOWN_CATEGORY", "seat category", code)
                zones.append((code, zone_code, zone.get("name") or "", capacity, category))
                seat_count += capacity
        if not zones:
            raise SimulatorError("INVALID_REQUEST", f"Manifestation {code} has no zone.")
        self._unique([(z[1], None) for z in zones], "zone")
        prices, seen_prices = [], set()
        for p in m.get("prices") or []:
            category = self._known(p.get("category_code"), category_codes, "UNKNOWN_CATEGORY",
                                   "seat category", code)
            tariff = self._known(p.get("tariff_code"), tariff_codes, "UNKNOWN_TARIFF", "tariff",
                                 code)
            cents = p.get("cents")
            if not isinstance(cents, int) or cents < 0:
                raise SimulatorError("INVALID_PRICE", f"The price of category {category} and "
                                     f"tariff {tariff} must be a whole number of cents, 0 or "
                                     "more.")
            if (category, tariff) in seen_prices:
                raise SimulatorError("DUPLICATE_CODE", f"The price of category {category} and "
                                     f"tariff {tariff} appears twice.")
            seen_prices.add((category, tariff))
            prices.append((code, category, tariff, cents))
        with self._write() as db:
            if db.execute("SELECT 1 FROM manifestation WHERE code = ?", (code,)).fetchone():
                raise SimulatorError("MANIFESTATION_EXISTS", f"Manifestation {code} already "
                                     "exists at Ticketnet: call Ticketnet to change it.")
            db.execute("INSERT INTO manifestation VALUES (?, ?, ?, ?, ?)",
                       (code, m["name"], hall, institution_code, _now().isoformat()))
            db.executemany("INSERT INTO performance VALUES (?, ?, ?)",
                           [(code, p, start) for p, start in performances])
            db.executemany("INSERT INTO category VALUES (?, ?, ?)",
                           [(code, c, name) for c, name in categories])
            db.executemany("INSERT INTO tariff VALUES (?, ?, ?)",
                           [(code, t, name) for t, name in tariffs])
            db.executemany("INSERT INTO zone VALUES (?, ?, ?, ?, ?)", zones)
            db.executemany("INSERT INTO seat VALUES (?, ?, ?, ?, ?)", seats)
            db.executemany("INSERT INTO price VALUES (?, ?, ?, ?)", prices)
        return {"manifestation_code": code, "performance_count": len(performances),
                "seat_count": seat_count}

    @staticmethod
    def _unique(items: list[tuple], what: str) -> list[tuple]:
        seen = set()
        for key, _value in items:
            if key in seen:
                raise SimulatorError("DUPLICATE_CODE", f"The {what} code {key} appears twice.")
            seen.add(key)
        return items

    @staticmethod
    def _known(value: str | None, known: set[str], fault: str, what: str, manifestation: str):
        code = check_code(value, f"{what} code")
        if code not in known:
            raise SimulatorError(fault, f"The {what} {code} is not in manifestation "
                                 f"{manifestation}: declare it with the manifestation.")
        return code

    def _performance(self, manifestation_code: str, performance_code: str) -> None:
        m = check_code(manifestation_code, "manifestation code")
        p = check_performance_code(performance_code)
        db = self._db()
        if not db.execute("SELECT 1 FROM manifestation WHERE code = ?", (m,)).fetchone():
            raise SimulatorError("UNKNOWN_MANIFESTATION", f"Manifestation {m} does not exist at "
                                 "Ticketnet: export the catalogue first.")
        if not db.execute("SELECT 1 FROM performance WHERE manifestation_code = ? AND code = ?",
                          (m, p)).fetchone():
            raise SimulatorError("UNKNOWN_PERFORMANCE", f"Manifestation {m} has no performance "
                                 f"{p}: Ticketnet only knows the performances sent with the "
                                 "manifestation.")

    def _zone(self, manifestation_code: str, zone_code: str) -> tuple[int | None, str | None]:
        zone = check_code(zone_code, "zone code")
        row = self._db().execute(
            "SELECT capacity, category_code FROM zone WHERE manifestation_code = ? AND code = ?",
            (manifestation_code, zone)).fetchone()
        if row is None:
            raise SimulatorError("UNKNOWN_ZONE", f"Zone {zone} is not in manifestation "
                                 f"{manifestation_code}.")
        return row

    def _seat_category(self, m: str, zone: str, row: int, number: int) -> str:
        capacity, category = self._zone(m, zone)
        if capacity is not None:
            if in_series(capacity, row, number):
                return category
        else:
            found = self._db().execute(
                "SELECT category_code FROM seat WHERE manifestation_code = ? AND zone_code = ? "
                "AND row = ? AND number = ?", (m, zone, row, number)).fetchone()
            if found:
                return found[0]
        raise SimulatorError(
            "UNKNOWN_SEAT",
            f"Seat {row}-{number} of zone {zone} does not exist in manifestation {m}: only "
            "seats of the plan sent with the manifestation can be allotted or sold.",
        )

    # -- allotments and quotas -----------------------------------------------------------

    def set_allotment(self, *, manifestation_code: str, performance_code: str, export_id: str,
                      replace: bool, seats: list[dict]) -> dict:
        """One batch of an allotment export: `replace` starts export `export_id` and drops the
        performance's previous allotment; later batches of the same export append."""
        self._performance(manifestation_code, performance_code)
        m, p = manifestation_code, performance_code
        if not export_id or len(export_id) > 64:
            raise SimulatorError("INVALID_REQUEST", "The export id must be 1 to 64 characters.")
        rows, seen = [], set()
        plans: dict[str, Any] = {}
        for s in seats:
            zone = check_code(s.get("zone_code"), "zone code")
            row = check_seat_number(s.get("row"), f"row of zone {zone}")
            number = check_seat_number(s.get("number"), f"seat number of zone {zone}")
            category = check_code(s.get("category_code"), "seat category code")
            plan = plans.get(zone)
            if plan is None:
                plan = plans[zone] = self._plan(m, zone)
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
            rows.append((m, p, zone, row, number, category))
        with self._write() as db:
            current = db.execute(
                "SELECT export_id FROM allotment_export WHERE manifestation_code = ? AND "
                "performance_code = ?", (m, p)).fetchone()
            if replace:
                db.execute("DELETE FROM allotment WHERE manifestation_code = ? AND "
                           "performance_code = ?", (m, p))
                db.execute("INSERT INTO allotment_export VALUES (?, ?, ?) ON CONFLICT DO UPDATE "
                           "SET export_id = excluded.export_id", (m, p, export_id))
            elif current is None or current[0] != export_id:
                raise SimulatorError(
                    "ALLOTMENT_EXPORT_UNKNOWN",
                    f"This batch appends to allotment export {export_id}, which is not the "
                    f"current export of performance {p} of manifestation {m}: send the first "
                    "batch of an export with replace=true.")
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

    def _plan(self, m: str, zone: str):
        """A lookup (row, number) → category code or None for one zone of the plan."""
        capacity, category = self._zone(m, zone)
        if capacity is not None:
            return lambda row, number: category if in_series(capacity, row, number) else None
        seats = {(r, n): c for r, n, c in self._db().execute(
            "SELECT row, number, category_code FROM seat WHERE manifestation_code = ? AND "
            "zone_code = ?", (m, zone))}
        return lambda row, number: seats.get((row, number))

    def set_zone_quota(self, *, manifestation_code: str, performance_code: str, zone_code: str,
                       places_available: int) -> dict:
        """Places of a non-numbered zone (seat series) Ticketnet may still sell."""
        self._performance(manifestation_code, performance_code)
        capacity, _category = self._zone(manifestation_code, zone_code)
        if capacity is None:
            raise SimulatorError(
                "ZONE_NUMBERED",
                f"Zone {zone_code} is numbered: allot its seats with setAllotment; setZoneQuota "
                "is for non-numbered zones (seat series).")
        if places_available < 0 or places_available > capacity:
            raise SimulatorError(
                "INVALID_QUOTA",
                f"{places_available} places for zone {zone_code}: send 0 to {capacity} (its "
                "capacity).")
        with self._write() as db:
            db.execute("INSERT INTO zone_quota VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
                       "available = excluded.available",
                       (manifestation_code, performance_code, zone_code, places_available))
        return {"manifestation_code": manifestation_code, "performance_code": performance_code,
                "zone_code": zone_code, "places_available": places_available}

    # -- Ticketnet's box office ----------------------------------------------------------

    def _next_ticket_numbers(self, db: sqlite3.Connection, count: int) -> range:
        start = int(db.execute("SELECT value FROM meta WHERE key = 'ticket_seq'").fetchone()[0])
        db.execute("UPDATE meta SET value = ? WHERE key = 'ticket_seq'", (str(start + count),))
        return range(start + 1, start + count + 1)

    def _ticket_number(self, seq: int) -> str:
        return f"{self.instance}{seq:010d}"

    def sell(self, *, manifestation: str, performance: str, zone: str, row: int | str,
             seat: int | str, category: str, tariff: str, price_cents: int,
             buyer_last_name: str = "", buyer_first_name: str = "", buyer_city: str = "",
             buyer_postal_code: str = "", buyer_country: str = "",
             point_of_sale: str = POINT_OF_SALE) -> dict:
        """Sell one allotted seat; returns the ticket."""
        m, p = str(manifestation), str(performance)
        self._performance(m, p)
        zone = check_code(str(zone), "zone code")
        row_n = check_seat_number(row, "row")
        seat_n = check_seat_number(seat, "seat number")
        expected = self._seat_category(m, zone, row_n, seat_n)
        if expected != str(category):
            raise SimulatorError("CATEGORY_MISMATCH", f"Seat {row_n}-{seat_n} of zone {zone} is "
                                 f"in seat category {expected}, not {category}.")
        self._known(str(tariff), {t for (t,) in self._db().execute(
            "SELECT code FROM tariff WHERE manifestation_code = ?", (m,))}, "UNKNOWN_TARIFF",
            "tariff", m)
        if not isinstance(price_cents, int) or price_cents < 0:
            raise SimulatorError("INVALID_PRICE", "The price must be a whole number of cents.")
        with self._write() as db:
            if db.execute(
                "SELECT 1 FROM ticket WHERE manifestation_code = ? AND performance_code = ? AND "
                "zone_code = ? AND row = ? AND seat = ? AND status = 'ACTIVE'",
                (m, p, zone, row_n, seat_n)).fetchone():
                raise SimulatorError("SEAT_ALREADY_SOLD", f"Seat {row_n}-{seat_n} of zone {zone} "
                                     f"of performance {p} is already sold.")
            allotted = db.execute(
                "SELECT 1 FROM allotment WHERE manifestation_code = ? AND performance_code = ? "
                "AND zone_code = ? AND row = ? AND number = ?",
                (m, p, zone, row_n, seat_n)).fetchone()
            from_quota = 0
            if not allotted:
                quota = db.execute(
                    "SELECT available FROM zone_quota WHERE manifestation_code = ? AND "
                    "performance_code = ? AND zone_code = ?", (m, p, zone)).fetchone()
                if quota is None or quota[0] <= 0:
                    raise SimulatorError(
                        "SEAT_NOT_ALLOTTED",
                        f"Seat {row_n}-{seat_n} of zone {zone} of performance {p} is not in "
                        "Ticketnet's allotment: export the allotment first.")
                from_quota = 1
                db.execute("UPDATE zone_quota SET available = available - 1 WHERE "
                           "manifestation_code = ? AND performance_code = ? AND zone_code = ?",
                           (m, p, zone))
            number = self._ticket_number(self._next_ticket_numbers(db, 1)[0])
            ticket = (number, m, p, zone, row_n, seat_n, str(category), str(tariff), price_cents,
                      "ACTIVE", from_quota, buyer_last_name, buyer_first_name, buyer_city,
                      buyer_postal_code, buyer_country, point_of_sale)
            db.execute(_INSERT_TICKET, ticket)
            self._journal(db, "SALE", ticket, None)
        return self.ticket(number)

    def duplicate(self, ticket_number: str) -> dict:
        """Reprint: the ticket is invalidated and a new number issued for the same seat."""
        with self._write() as db:
            old = self._active_ticket(db, ticket_number)
            db.execute("UPDATE ticket SET status = 'REPLACED' WHERE number = ?", (ticket_number,))
            number = self._ticket_number(self._next_ticket_numbers(db, 1)[0])
            ticket = (number, *old[1:9], "ACTIVE", *old[10:])
            db.execute(_INSERT_TICKET, ticket)
            self._journal(db, "DUPLICATE", ticket, ticket_number)
        return self.ticket(number)

    def refund(self, ticket_number: str) -> dict:
        """The ticket is cancelled and its seat goes back to Ticketnet's allotment."""
        with self._write() as db:
            old = self._active_ticket(db, ticket_number)
            db.execute("UPDATE ticket SET status = 'REFUNDED' WHERE number = ?", (ticket_number,))
            if old[10]:
                db.execute("UPDATE zone_quota SET available = available + 1 WHERE "
                           "manifestation_code = ? AND performance_code = ? AND zone_code = ?",
                           old[1:4])
            self._journal(db, "REFUND", old, ticket_number)
        return self.ticket(ticket_number)

    def _active_ticket(self, db: sqlite3.Connection, ticket_number: str) -> tuple:
        old = db.execute(_SELECT_TICKET,
                         (ticket_number,)).fetchone()
        if old is None:
            raise SimulatorError("UNKNOWN_TICKET", f"Ticket {ticket_number} does not exist.")
        if old[9] != "ACTIVE":
            raise SimulatorError("TICKET_CANCELLED", f"Ticket {ticket_number} is "
                                 f"{old[9].lower()}: only a valid ticket can be duplicated or "
                                 "refunded.")
        return old

    def _journal(self, db: sqlite3.Connection, kind: str, ticket: tuple,
                 original: str | None) -> None:
        db.execute(
            _INSERT_OPERATION,
            (kind, ticket[0], original, *ticket[1:9], CURRENCY,
             _now().isoformat(timespec="milliseconds"), ticket[16], *ticket[11:16]))

    def ticket(self, number: str) -> dict:
        row = self._db().execute(_SELECT_TICKET,
                                 (number,)).fetchone()
        if row is None:
            raise SimulatorError("UNKNOWN_TICKET", f"Ticket {number} does not exist.")
        names = [c.strip() for c in _TICKET_COLUMNS.split(",")]
        ticket = dict(zip(names, row, strict=True))
        ticket["from_quota"] = bool(ticket["from_quota"])
        return ticket

    def free_seats(self, *, manifestation: str, performance: str, limit: int = 10) -> list[dict]:
        """Seats Ticketnet may sell now on a performance: allotted numbered seats nobody holds,
        then the first free places of zone quotas; each with its category and the
        manifestation's prices for it (`tariffs`: [{tariff, price_cents}])."""
        m, p = str(manifestation), str(performance)
        self._performance(m, p)
        db = self._db()
        prices: dict[str, list[dict]] = {}
        for c, t, cents in db.execute("SELECT category_code, tariff_code, cents FROM price "
                                      "WHERE manifestation_code = ? ORDER BY 1, 2", (m,)):
            prices.setdefault(c, []).append({"tariff": t, "price_cents": cents})
        sold = {tuple(r) for r in db.execute(
            "SELECT zone_code, row, seat FROM ticket WHERE manifestation_code = ? AND "
            "performance_code = ? AND status = 'ACTIVE'", (m, p))}
        out: list[dict] = []
        for z, r, n, c in db.execute(
                "SELECT zone_code, row, number, category_code FROM allotment WHERE "
                "manifestation_code = ? AND performance_code = ? ORDER BY 1, 2, 3", (m, p)):
            if len(out) >= limit:
                return out
            if (z, r, n) not in sold and c in prices:
                out.append({"zone": z, "row": r, "seat": n, "category": c,
                            "tariffs": prices[c]})
        for z, available, capacity, c in db.execute(
                "SELECT q.zone_code, q.available, z.capacity, z.category_code FROM zone_quota q "
                "JOIN zone z ON z.manifestation_code = q.manifestation_code AND "
                "z.code = q.zone_code WHERE q.manifestation_code = ? AND q.performance_code = ? "
                "AND q.available > 0 ORDER BY 1", (m, p)):
            if c not in prices:
                continue
            taken = 0
            for row, length in enumerate(series_rows(capacity), start=1):
                for n in range(1, length + 1):
                    if len(out) >= limit or taken >= available:
                        break
                    if (z, row, n) not in sold:
                        out.append({"zone": z, "row": row, "seat": n, "category": c,
                                    "tariffs": prices[c]})
                        taken += 1
        return out

    # -- volume --------------------------------------------------------------------------

    def generate(self, *, count: int, seed: int) -> dict:
        """`count` operations over the allotted seats (and open zone quotas): about 84 % sales,
        8 % duplicates, 8 % refunds, more duplicates and refunds once every seat is sold. The
        same state and seed give the same operations."""
        if count < 0:
            raise SimulatorError("INVALID_REQUEST", "The count must be 0 or more.")
        rng = random.Random(seed)  # noqa: S311 - reproducible on purpose
        db = self._db()
        prices: dict[tuple[str, str], list[tuple[str, int]]] = {}
        for m, c, t, cents in db.execute("SELECT manifestation_code, category_code, "
                                         "tariff_code, cents FROM price ORDER BY 1, 2, 3"):
            prices.setdefault((m, c), []).append((t, cents))
        sold = {tuple(r) for r in db.execute(
            "SELECT manifestation_code, performance_code, zone_code, row, seat FROM ticket "
            "WHERE status = 'ACTIVE'")}
        free: list[tuple] = []
        for m, p, z, r, n, c in db.execute(
                "SELECT manifestation_code, performance_code, zone_code, row, number, "
                "category_code FROM allotment ORDER BY 1, 2, 3, 4, 5"):
            if (m, c) in prices and (m, p, z, r, n) not in sold:
                free.append((m, p, z, r, n, c, 0))
        allotted = {f[:5] for f in free}
        quotas: dict[tuple[str, str, str], int] = {}
        for m, p, z, available, capacity, c in db.execute(
                "SELECT q.manifestation_code, q.performance_code, q.zone_code, q.available, "
                "z.capacity, z.category_code FROM zone_quota q JOIN zone z ON "
                "z.manifestation_code = q.manifestation_code AND z.code = q.zone_code "
                "WHERE q.available > 0 ORDER BY 1, 2, 3"):
            if (m, c) not in prices:
                continue
            quotas[(m, p, z)] = available
            taken = 0
            for row, length in enumerate(series_rows(capacity), start=1):
                for n in range(1, length + 1):
                    if taken >= available:
                        break
                    key = (m, p, z, row, n)
                    if key not in sold and key not in allotted:
                        free.append((m, p, z, row, n, c, 1))
                        taken += 1
        # An active ticket: (number, m, p, z, row, seat, category, tariff, cents, from_quota,
        # buyer tuple, point of sale)
        active: list[tuple] = [
            (r[0], *r[1:9], r[10], tuple(r[11:16]), r[16]) for r in db.execute(
                _SELECT_ACTIVE)]
        if not free and not active:
            raise SimulatorError(
                "NOTHING_TO_SELL",
                "No allotted seat with a price and no ticket: create a manifestation with "
                "prices and export an allotment first.")
        buyers = [(last, first, *city) for last in _LAST_NAMES for first in _FIRST_NAMES
                  for city in _CITIES]
        tickets: list[tuple] = []
        operations: list[tuple] = []
        status_updates: list[tuple[str, str]] = []
        pending: dict[str, int] = {}  # number → index in `tickets` until flushed
        counts = {"SALE": 0, "DUPLICATE": 0, "REFUND": 0}
        start = _now() - timedelta(milliseconds=count)
        step = timedelta(milliseconds=1)
        random_ = rng.random
        randrange = rng.randrange
        with self._write() as db:
            seq = iter(self._next_ticket_numbers(db, count))
            prefix = self.instance

            def set_status(number: str, status: str) -> None:
                index = pending.get(number)
                if index is None:
                    status_updates.append((status, number))
                else:
                    t = tickets[index]
                    tickets[index] = (*t[:9], status, *t[10:])

            def flush() -> None:
                db.executemany("UPDATE ticket SET status = ? WHERE number = ?", status_updates)
                db.executemany(_INSERT_TICKET,
                               tickets)
                db.executemany(_INSERT_OPERATION, operations)
                status_updates.clear()
                tickets.clear()
                operations.clear()
                pending.clear()

            for i in range(count):
                moment = (start + step * i).isoformat(timespec="milliseconds")
                r = random_()
                if active and (r < 0.08 or (not free and r < 0.5)):
                    kind = "DUPLICATE"
                elif active and (r < 0.16 or not free):
                    kind = "REFUND"
                else:
                    kind = "SALE"
                if kind == "SALE":
                    index = randrange(len(free))
                    m, p, z, row, n, c, from_quota = free[index]
                    free[index] = free[-1]
                    free.pop()
                    if from_quota:
                        quotas[(m, p, z)] -= 1
                    options = prices[(m, c)]
                    tariff, cents = options[randrange(len(options))]
                    buyer = buyers[randrange(len(buyers))]
                    number = f"{prefix}{next(seq):010d}"
                    pending[number] = len(tickets)
                    tickets.append((number, m, p, z, row, n, c, tariff, cents, "ACTIVE",
                                    from_quota, *buyer, POINT_OF_SALE))
                    active.append((number, m, p, z, row, n, c, tariff, cents, from_quota, buyer,
                                   POINT_OF_SALE))
                    operations.append(("SALE", number, None, m, p, z, row, n, c, tariff, cents,
                                       CURRENCY, moment, POINT_OF_SALE, *buyer))
                else:
                    index = randrange(len(active))
                    old = active[index]
                    number, m, p, z, row, n, c, tariff, cents, from_quota, buyer, pos = old
                    if kind == "DUPLICATE":
                        set_status(number, "REPLACED")
                        new = f"{prefix}{next(seq):010d}"
                        pending[new] = len(tickets)
                        tickets.append((new, m, p, z, row, n, c, tariff, cents, "ACTIVE",
                                        from_quota, *buyer, pos))
                        active[index] = (new, *old[1:])
                        operations.append(("DUPLICATE", new, number, m, p, z, row, n, c, tariff,
                                           cents, CURRENCY, moment, pos, *buyer))
                    else:
                        set_status(number, "REFUNDED")
                        active[index] = active[-1]
                        active.pop()
                        free.append((m, p, z, row, n, c, from_quota))
                        if from_quota:
                            quotas[(m, p, z)] += 1
                        operations.append(("REFUND", number, number, m, p, z, row, n, c, tariff,
                                           cents, CURRENCY, moment, pos, *buyer))
                counts[kind] += 1
                if len(operations) >= 50_000:
                    flush()
            flush()
            db.executemany("UPDATE zone_quota SET available = ? WHERE manifestation_code = ? "
                           "AND performance_code = ? AND zone_code = ?",
                           [(v, *k) for k, v in quotas.items()])
        return {"generated": count, "counts": counts, "active_tickets": len(active),
                "free_seats": len(free)}

    # -- journal -------------------------------------------------------------------------

    def encode_cursor(self, seq: int) -> str:
        return base64.urlsafe_b64encode(f"tn1:{self.instance}:{seq}".encode()).decode()

    def decode_cursor(self, cursor: str | None) -> int:
        if not cursor:
            return 0
        try:
            version, instance, seq = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")
            if version != "tn1" or not seq.isdigit():
                raise ValueError(cursor)
        except ValueError:
            raise SimulatorError("INVALID_CURSOR", "This cursor was not issued by Ticketnet: "
                                 "send back the nextCursor of the last page, unchanged.") from None
        if instance != self.instance:
            raise SimulatorError(
                "INVALID_CURSOR",
                "This cursor was issued by another Ticketnet journal (it was reset): start "
                "again without a cursor.")
        return int(seq)

    def list_operations(self, *, cursor: str | None, page_size: int) -> tuple[list[tuple], str,
                                                                              bool]:
        """Operations after `cursor`, in journal order: (rows, next cursor, has more). A row
        starts with the operation id, then the columns of the journal."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise SimulatorError("INVALID_PAGE_SIZE",
                                 f"Ask for 1 to {MAX_PAGE_SIZE} operations per page.")
        after = self.decode_cursor(cursor)
        rows = self._db().execute(
            _SELECT_OPERATIONS, (after, page_size + 1)).fetchall()
        has_more = len(rows) > page_size
        rows = rows[:page_size]
        last = rows[-1][0] if rows else after
        prefix = self.instance
        return ([(f"{prefix}-{r[0]}", *r[1:]) for r in rows], self.encode_cursor(last),
                has_more)

    # -- faults --------------------------------------------------------------------------

    def fault_set(self, *, kind: str, operation: str | None = None, times: int | None = None,
                  latency_ms: int = 0, code: str | None = None,
                  message: str | None = None) -> dict:
        """Make the server misbehave: on `operation` (every one when None), `times` times
        (for ever when None)."""
        if kind not in FAULT_KINDS:
            raise SimulatorError("INVALID_REQUEST", f"Unknown fault {kind!r}: use one of "
                                 f"{', '.join(FAULT_KINDS)}.")
        if operation is not None and operation not in OPERATIONS:
            raise SimulatorError("INVALID_REQUEST", f"Unknown operation {operation!r}: use one "
                                 f"of {', '.join(OPERATIONS)}.")
        if times is not None and times < 1:
            raise SimulatorError("INVALID_REQUEST", "times must be 1 or more.")
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO fault (kind, operation, remaining, latency_ms, code, message) "
                "VALUES (?, ?, ?, ?, ?, ?)", (kind, operation, times, latency_ms, code, message))
        return {"id": cursor.lastrowid, "kind": kind, "operation": operation, "times": times,
                "latency_ms": latency_ms}

    def fault_clear(self) -> int:
        with self._write() as db:
            return db.execute("DELETE FROM fault").rowcount

    def fault_take(self, operation: str) -> Fault | None:
        """The fault to play on this call of `operation`, counted down; None when none."""
        db = self._db()
        if db.execute("SELECT 1 FROM fault LIMIT 1").fetchone() is None:
            return None
        with self._write() as db:
            row = db.execute(
                "SELECT id, kind, operation, remaining, latency_ms, code, message FROM fault "
                "WHERE operation IS NULL OR operation = ? ORDER BY id LIMIT 1",
                (operation,)).fetchone()
            if row is None:
                return None
            if row[3] is not None:
                if row[3] <= 1:
                    db.execute("DELETE FROM fault WHERE id = ?", (row[0],))
                else:
                    db.execute("UPDATE fault SET remaining = remaining - 1 WHERE id = ?",
                               (row[0],))
        return Fault(kind=row[1], operation=row[2], latency_ms=row[4], code=row[5],
                     message=row[6])

    # -- overview ------------------------------------------------------------------------

    def show(self) -> dict:
        db = self._db()
        manifestations = []
        for code, name, hall, institution in db.execute(
                "SELECT code, name, hall_code, institution_code FROM manifestation ORDER BY code"):
            performances = []
            for (p,) in db.execute("SELECT code FROM performance WHERE manifestation_code = ? "
                                   "ORDER BY code", (code,)):
                allotted = db.execute(
                    "SELECT count(*) FROM allotment WHERE manifestation_code = ? AND "
                    "performance_code = ?", (code, p)).fetchone()[0]
                quotas = dict(db.execute(
                    "SELECT zone_code, available FROM zone_quota WHERE manifestation_code = ? "
                    "AND performance_code = ?", (code, p)))
                sold = db.execute(
                    "SELECT count(*) FROM ticket WHERE manifestation_code = ? AND "
                    "performance_code = ? AND status = 'ACTIVE'", (code, p)).fetchone()[0]
                performances.append({"code": p, "allotted_seats": allotted,
                                     "zone_quotas": quotas, "active_tickets": sold})
            zones = [{"code": z, "name": n, "capacity": cap} for z, n, cap in db.execute(
                "SELECT code, name, capacity FROM zone WHERE manifestation_code = ? ORDER BY "
                "code", (code,))]
            manifestations.append({"code": code, "name": name, "hall_code": hall,
                                   "institution_code": institution,
                                   "performances": performances, "zones": zones})
        tickets = dict(db.execute("SELECT status, count(*) FROM ticket GROUP BY status"))
        operations = dict(db.execute("SELECT type, count(*) FROM operation GROUP BY type"))
        last = db.execute("SELECT max(seq) FROM operation").fetchone()[0] or 0
        faults = [{"id": i, "kind": k, "operation": o, "remaining": r, "latency_ms": lat}
                  for i, k, o, r, lat in db.execute(
                      "SELECT id, kind, operation, remaining, latency_ms FROM fault ORDER BY id")]
        accounts = [{"login": lo, "institution_code": ic} for lo, ic in db.execute(
            "SELECT login, institution_code FROM account ORDER BY login")]
        return {"state": str(self.path), "instance": self.instance, "accounts": accounts,
                "manifestations": manifestations, "tickets": tickets,
                "operations": operations, "last_cursor": self.encode_cursor(last),
                "faults": faults}


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
