"""Misbehaviour on demand: faults injected into the simulator's web services (latency, HTTP
500, SOAP fault, broken or hostile XML, a dropped connection), counted down call by call."""

from __future__ import annotations

from dataclasses import dataclass

from .rules import SimulatorError
from .store import Store

FAULT_KINDS = ("latency", "http_500", "soap_fault", "malformed_xml", "drop_connection", "dtd",
               "billion_laughs")
# The web services' operations, as the WSDL names them (a fault may target one).
OPERATIONS = ("ping", "checkConnection", "createManifestation", "setAllotment", "setZoneQuota",
              "listOperations", "listTickets")


@dataclass(frozen=True, slots=True)
class Fault:
    kind: str
    operation: str | None
    latency_ms: int
    code: str | None
    message: str | None


class Faults:
    def __init__(self, store: Store):
        self.store = store

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
        with self.store.write() as db:
            cursor = db.execute(
                "INSERT INTO fault (kind, operation, remaining, latency_ms, code, message) "
                "VALUES (?, ?, ?, ?, ?, ?)", (kind, operation, times, latency_ms, code, message))
        return {"id": cursor.lastrowid, "kind": kind, "operation": operation, "times": times,
                "latency_ms": latency_ms}

    def fault_clear(self) -> int:
        with self.store.write() as db:
            return db.execute("DELETE FROM fault").rowcount

    def fault_take(self, operation: str) -> Fault | None:
        """The fault to play on this call of `operation`, counted down; None when none."""
        # Read first: most calls find no fault and should not take the write lock.
        if self.store.db().execute("SELECT 1 FROM fault LIMIT 1").fetchone() is None:
            return None
        with self.store.write() as db:
            row = db.execute(
                "SELECT id, kind, operation, remaining, latency_ms, code, message FROM fault "
                "WHERE operation IS NULL OR operation = ? ORDER BY id LIMIT 1",
                (operation,)).fetchone()
            if row is None:
                return None
            fault_id, kind, target, remaining, latency_ms, code, message = row
            if remaining is not None:
                if remaining <= 1:
                    db.execute("DELETE FROM fault WHERE id = ?", (fault_id,))
                else:
                    db.execute("UPDATE fault SET remaining = remaining - 1 WHERE id = ?",
                               (fault_id,))
        return Fault(kind=kind, operation=target, latency_ms=latency_ms, code=code,
                     message=message)

    def overview(self) -> list[dict]:
        return [{"id": i, "kind": k, "operation": o, "remaining": r, "latency_ms": lat}
                for i, k, o, r, lat in self.store.db().execute(
                    "SELECT id, kind, operation, remaining, latency_ms FROM fault ORDER BY id")]
