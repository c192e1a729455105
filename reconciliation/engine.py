"""The comparison itself: Ticketnet's lines, loaded into a temporary table, against our tickets,
in the database (PostgreSQL's COPY; plain inserts on SQLite), one difference per ticket number.

Ticketnet's side arrives as rows of `LINE_COLUMNS` (`schedules` reads them from the web
services or a statement through the gateway, which this package never imports):

- from the web services, one row per ticket with its state at the period's end
  (`valid`, `invalidated`, `cancelled`);
- from a statement, one row per record: a sale (`sold`) or a cancellation (`cancelled`) of a
  ticket; a ticket with a cancellation is ended, whichever kind of ending it was.

Our side is the interface's tickets issued or ended in the period (or of the performance), each
in its state at the period's end. A ticket number on Ticketnet's side that we do not hold is
*missing here* (with the parked line that holds it back, if any); one of ours Ticketnet does not
list is *extra here*; both hold it but one ended it → *state differs*; the price Ticketnet
charged is not the one we booked under the interface's price policy → *price differs*; a line
whose codes the correspondences do not translate → *unknown code*, never a silent skip.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from channels.models import ExternalSalesInterface
from sales.models import ParkedOperation, Ticket

from .codes import codes_translate
from .models import Difference, Reconciliation

# The columns of Ticketnet's side, in this order. `line`: the statement's line number (0 from
# the web services); `sold`/`cancelled`: booleans; `state`: the web services' state at the
# period's end, '' from a statement; `performance_at`: a statement's local performance time
# ('YYYY-MM-DD HH:MM'), '' from the web services.
LINE_COLUMNS = ("line", "number", "sold", "cancelled", "state", "manifestation", "performance",
                "performance_at", "zone", "seat_row", "seat", "category", "tariff", "price",
                "currency")
_TEXT_COLUMNS = {"number", "state", "manifestation", "performance", "performance_at", "zone",
                 "category", "tariff", "currency"}
_FLAGS = {"sold", "cancelled"}  # booleans (1/0 or True/False in the rows)
ENDED = "ended"  # a statement's ended ticket: refunded or replaced, the file does not say
BATCH = 5000

_Policy = ExternalSalesInterface.PricePolicy
_State = Ticket.State
_Kind = Difference.Kind


@dataclass(frozen=True, slots=True)
class Scope:
    """What is compared: the tickets issued or ended from `start` to `end` (dates, inclusive,
    in the institution's time zone), or every ticket of `performance_id`; with
    `performance_ids`, only ours of those performances (what Ticketnet's listing covers: it
    lists by manifestation, so passes and events never exported are not in it)."""

    start: date | None = None
    end: date | None = None
    performance_id: int | None = None
    performance_ids: frozenset[int] | None = None

    def __post_init__(self):
        if self.performance_id is None and (self.start is None or self.end is None):
            raise ValueError("A reconciliation compares a period (from and to) or a performance.")
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError("The period ends before it starts.")

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime] | None:
        """[start, end) as aware datetimes, or None for a performance."""
        if self.start is None or self.end is None:
            return None
        return (datetime.combine(self.start, time(), tz),
                datetime.combine(self.end + timedelta(days=1), time(), tz))


def reconcile(*, interface: ExternalSalesInterface, scope: Scope, source: str,
              lines: Iterable[tuple], columns: Sequence[str] = LINE_COLUMNS,
              statement_name: str = "") -> Reconciliation:
    """Compare Ticketnet's `lines` with our tickets in `scope`; the reconciliation is saved
    with its differences. All or nothing: one transaction. `columns`: the names of LINE_COLUMNS
    the rows hold, in their order (a statement has no state, no manifestation code; `sold`
    left out is `not cancelled`)."""
    unknown = set(columns) - set(LINE_COLUMNS)
    if unknown:
        raise ValueError(f"Not columns of Ticketnet's lines: {sorted(unknown)}")
    started = timezone.now()
    tz = timezone.get_default_timezone()
    with transaction.atomic():
        run = Reconciliation.objects.create(
            interface=interface, source=source, statement_name=statement_name[:255],
            period_start=scope.start, period_end=scope.end,
            performance_id=scope.performance_id, started_at=started)
        with connection.cursor() as cursor:
            comparison = _Comparison(cursor, interface=interface, scope=scope, tz=tz,
                                     run=run, columns=columns)
            comparison.load(lines)
            comparison.translate()
            comparison.compare()
            comparison.save()
            comparison.drop()
        run.finished_at = timezone.now()
        run.save()
    return run


class _Comparison:
    def __init__(self, cursor, *, interface, scope: Scope, tz: ZoneInfo, run: Reconciliation,
                 columns: Sequence[str]):
        self.cursor = cursor
        self.columns = tuple(columns)
        self.interface = interface
        self.scope = scope
        self.tz = tz
        self.run = run
        self.vendor = connection.vendor

    # Loading Ticketnet's side ---------------------------------------------------------------

    def load(self, lines: Iterable[tuple]) -> None:
        cursor = self.cursor
        self.drop()  # a comparison left over in this session's connection
        types = {name: "text" if name in _TEXT_COLUMNS else "boolean" if name in _FLAGS
                 else "integer" for name in LINE_COLUMNS}
        columns = ", ".join(f"{name} {kind}" for name, kind in types.items())
        cursor.execute(f"CREATE TEMPORARY TABLE recon_line ({columns})")  # noqa: S608
        names = ", ".join(self.columns)
        if self.vendor == "postgresql":
            raw = cursor.cursor  # psycopg's own: COPY streams the rows, memory one buffer
            with raw.copy(f"COPY recon_line ({names}) FROM STDIN") as copy:  # noqa: S608
                write = copy.write_row  # psycopg's C dumpers: faster than text made here
                for row in lines:
                    write(row)
        else:
            marks = ", ".join(["%s"] * len(self.columns))
            sql = f"INSERT INTO recon_line ({names}) VALUES ({marks})"  # noqa: S608
            batch = []
            for row in lines:
                batch.append(row)
                if len(batch) >= BATCH:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)

    # Translating Ticketnet's codes ----------------------------------------------------------

    def translate(self) -> None:
        """Each distinct combination of codes (a few hundred for a million lines) translated
        once by the correspondences (codes.py)."""
        cursor = self.cursor
        cursor.execute(
            "SELECT DISTINCT manifestation, performance, performance_at, zone, category, tariff "
            "FROM recon_line")
        rows = codes_translate(interface=self.interface, combos=cursor.fetchall(), tz=self.tz)
        cursor.execute(
            "CREATE TEMPORARY TABLE recon_code (manifestation text, performance text, "
            "performance_at text, zone text, category text, tariff text, performance_id "
            "integer, unknown_kind text, unknown_code text)")
        if rows:
            cursor.executemany("INSERT INTO recon_code VALUES (%s, %s, %s, %s, %s, %s, %s, %s, "
                               "%s)", rows)

    # Comparing ------------------------------------------------------------------------------

    def compare(self) -> None:
        cursor = self.cursor
        scope = self.scope
        # Ticketnet's side per ticket number: sold, ended, its price, its codes' translation.
        cursor.execute("""
            CREATE TEMPORARY TABLE recon_their AS
            SELECT l.number AS number, min(l.line) AS line,
                   max(CASE WHEN coalesce(l.sold, NOT l.cancelled) THEN 1 ELSE 0 END) AS sold,
                   max(CASE WHEN l.cancelled THEN 1 ELSE 0 END) AS cancelled,
                   max(coalesce(l.state, '')) AS state,
                   coalesce(max(CASE WHEN coalesce(l.sold, NOT l.cancelled) THEN l.price END),
                            max(l.price)) AS price,
                   max(c.performance_id) AS performance_id,
                   max(c.unknown_kind) AS unknown_kind, max(c.unknown_code) AS unknown_code
            FROM recon_line l
            JOIN recon_code c ON c.manifestation = coalesce(l.manifestation, '')
                AND c.performance = coalesce(l.performance, '')
                AND c.performance_at = coalesce(l.performance_at, '')
                AND c.zone = coalesce(l.zone, '') AND c.category = coalesce(l.category, '')
                AND c.tariff = coalesce(l.tariff, '')
            GROUP BY l.number""")  # noqa: S608
        if scope.performance_id is not None:
            # Only the performance's lines (a statement covers them all); an untranslatable
            # line stays: it could be the performance's.
            cursor.execute("DELETE FROM recon_their WHERE performance_id IS NOT NULL "
                           "AND performance_id <> %s", [scope.performance_id])
        cursor.execute("CREATE INDEX recon_their_number ON recon_their (number)")

        # Our side: the tickets issued or ended in the scope, and those Ticketnet lists. A
        # duplicate is issued when its original ends (its sold_at is the original's sale).
        adapt = connection.ops.adapt_datetimefield_value
        issued = "CASE WHEN t.original_id IS NULL THEN t.sold_at ELSE o.ended_at END"
        bounds = scope.bounds(self.tz)
        if bounds is not None:
            start, end = adapt(bounds[0]), adapt(bounds[1])
            issued_in_scope = f"({issued}) >= %s AND ({issued}) < %s"
            issued_params = [start, end]
            in_scope = f"({issued_in_scope}) OR (t.ended_at >= %s AND t.ended_at < %s)"
            scope_params = [start, end, start, end]
            # The state at the period's end: a ticket ended after it was still valid then.
            state = ("CASE WHEN t.ended_at IS NOT NULL AND t.ended_at >= %s THEN 'valid' "
                     "ELSE t.state END")
            state_params = [end]
        else:
            issued_in_scope = in_scope = "t.performance_id = %s"
            issued_params = [scope.performance_id]
            scope_params = [scope.performance_id]
            state, state_params = "t.state", []
        covered, covered_params = "", []
        if scope.performance_ids is not None:
            ids = sorted(scope.performance_ids) or [0]
            covered = f"AND t.performance_id IN ({', '.join(['%s'] * len(ids))})"
            covered_params = ids
        cursor.execute(f"""
            CREATE TEMPORARY TABLE recon_ours AS
            SELECT t.id AS id, t.number AS number, {state} AS state,
                   t.price_cents AS price_cents, t.reseller_price_cents AS reseller_price_cents,
                   CASE WHEN {issued_in_scope} THEN 1 ELSE 0 END AS issued_in_scope
            FROM sales_ticket t LEFT JOIN sales_ticket o ON o.id = t.original_id
            WHERE t.interface_id = %s
              AND ((({in_scope}) {covered})
                   OR t.number IN (SELECT number FROM recon_their))""",  # noqa: S608
            [*state_params, *issued_params, self.interface.pk, *scope_params,
             *covered_params])
        cursor.execute("CREATE INDEX recon_ours_number ON recon_ours (number)")

    # Saving the differences ---------------------------------------------------------------

    def save(self) -> None:
        cursor = self.cursor
        run = self.run
        policy = self.interface.price_policy
        # Under "ignore", we keep our price: Ticketnet's is compared with the one it sent us.
        expected = ("o.reseller_price_cents" if policy == _Policy.IGNORE else "o.price_cents")
        cursor.execute("SELECT count(*) FROM recon_their")
        run.ticketnet_lines = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM recon_ours WHERE issued_in_scope = 1 "
                       "OR state <> 'valid'")
        run.our_tickets = cursor.fetchone()[0]
        their_state = (f"CASE WHEN h.state <> '' AND h.state IS NOT NULL THEN h.state "
                       f"WHEN h.cancelled = 1 THEN '{ENDED}' ELSE 'valid' END")
        ours_ended = "CASE WHEN o.state = 'valid' THEN 0 ELSE 1 END"
        their_ended = f"CASE WHEN ({their_state}) = 'valid' THEN 0 ELSE 1 END"
        kind = f"""CASE
            WHEN h.number IS NOT NULL AND h.unknown_kind <> '' THEN 'unknown_code'
            WHEN o.id IS NULL THEN 'missing_here'
            WHEN h.number IS NULL AND o.issued_in_scope = 1 THEN 'extra_here'
            WHEN h.number IS NULL THEN 'state_differs'
            WHEN ({their_state}) = '{ENDED}' AND ({ours_ended}) <> ({their_ended})
              THEN 'state_differs'
            WHEN ({their_state}) <> '{ENDED}' AND ({their_state}) <> o.state
              THEN 'state_differs'
            WHEN h.price <> {expected} THEN 'price_differs'
            ELSE '' END"""
        # Classified in the database; only the differences come back, a batch at a time.
        # FULL OUTER JOIN: PostgreSQL, and SQLite since 3.39. The pieces are constants.
        sql = (
            "CREATE TEMPORARY TABLE recon_result AS SELECT "  # noqa: S608
            f"coalesce(h.number, o.number) AS number, h.number AS their_number, o.id AS id, "
            f"{their_state} AS their_state, o.state AS our_state, h.price AS their_price, "
            f"{expected} AS our_price, h.unknown_kind AS unknown_kind, "
            f"h.unknown_code AS unknown_code, h.line AS line, {kind} AS kind "
            "FROM recon_their h FULL OUTER JOIN recon_ours o ON o.number = h.number "
            "WHERE h.number IS NOT NULL OR o.issued_in_scope = 1 OR o.state <> 'valid'")
        cursor.execute(sql)
        cursor.execute("SELECT kind, count(*) FROM recon_result GROUP BY kind")
        counts = dict(cursor.fetchall())
        matched = counts.pop("", 0)
        digest = hashlib.sha256()
        last = ""
        while True:
            cursor.execute(
                "SELECT number, their_number, id, their_state, our_state, their_price, "
                "our_price, unknown_kind, unknown_code, line, kind FROM recon_result "
                "WHERE kind <> '' AND number > %s ORDER BY number LIMIT %s", [last, BATCH])
            rows = cursor.fetchall()
            if not rows:
                break
            last = rows[-1][0]
            missing: list[Difference] = []
            found: list[Difference] = []
            for (number, their_number, ticket_id, their_state_value, our_state, their_price,
                 our_price, unknown_kind, unknown_code, line, kind) in rows:
                digest.update(f"{kind}:{number};".encode())
                params = {}
                if line:
                    params["line"] = line
                if kind == _Kind.UNKNOWN_CODE:
                    params.update(kind_key=unknown_kind, code=unknown_code)
                difference = Difference(
                    reconciliation=run, kind=kind, ticket_number=number, ticket_id=ticket_id,
                    ticketnet_state="" if their_number is None else their_state_value,
                    our_state=our_state or "",
                    ticketnet_price_cents=their_price, our_price_cents=our_price,
                    params=params)
                if kind in (_Kind.MISSING_HERE, _Kind.UNKNOWN_CODE) and ticket_id is None:
                    missing.append(difference)
                found.append(difference)
            if missing:
                self._why_missing(missing)
            Difference.objects.bulk_create(found)
        run.matched = matched
        run.counts = dict(sorted(counts.items()))
        run.fingerprint = digest.hexdigest() if counts else ""

    def _why_missing(self, differences: list[Difference]) -> None:
        """A ticket missing here is held back by a parked line (its reason), or never arrived:
        then Ticketnet's operations can be listed again from a date."""
        numbers = [d.ticket_number for d in differences]
        parked = {}
        for pk, number, reason in ParkedOperation.objects.filter(
            interface=self.interface, resolved_at=None, ticket_number__in=numbers,
        ).order_by("position").values_list("pk", "ticket_number", "reason"):
            parked.setdefault(number, (pk, reason))
        for difference in differences:
            found = parked.get(difference.ticket_number)
            if found is not None:
                difference.parked_id, difference.reason = found[0], "parked"
                difference.params["park_reason"] = found[1]
            elif difference.kind == _Kind.MISSING_HERE:
                difference.reason = "never_received"

    def drop(self) -> None:
        for table in ("recon_line", "recon_code", "recon_their", "recon_ours", "recon_result"):
            self.cursor.execute(f"DROP TABLE IF EXISTS {table}")  # noqa: S608
