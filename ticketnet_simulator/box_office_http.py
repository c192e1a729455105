"""Ticketnet's box office over HTTP, for rehearsals driven from the bridge (the interface test):
plain JSON, not part of Ticketnet's contract. The same account as the web services.

    GET  /box-office                 → {"box_office": "ticketnet-simulator", "version": 1}
    POST /box-office/free-seats      {manifestation, performance, limit}
    POST /box-office/sell            {manifestation, performance, zone, row, seat, category,
                                      tariff, price_cents, buyer_* , point_of_sale}
    POST /box-office/duplicate       {ticket}
    POST /box-office/refund          {ticket}

Every POST carries `login`, `password` and `institution_code`. Refusals: HTTP 4xx with
{"error": CODE, "message": ...} (the simulator's codes, see docs/ticketnet-contract.md).
"""

from __future__ import annotations

import json

from .rules import SimulatorError
from .state import SimulatorState

PREFIX = "/box-office"
MARKER = "ticketnet-simulator"
VERSION = 1
MAX_BODY = 64 * 1024
_STATUS = {"AUTHENTICATION_FAILED": "401 Unauthorized", "UNKNOWN_TICKET": "404 Not Found",
           "INVALID_REQUEST": "400 Bad Request"}
_SELL_FIELDS = ("manifestation", "performance", "zone", "row", "seat", "category", "tariff",
                "price_cents")
_BUYER_FIELDS = ("buyer_last_name", "buyer_first_name", "buyer_city", "buyer_postal_code",
                 "buyer_country", "point_of_sale")


def _json(start_response, status: str, data) -> list[bytes]:
    body = json.dumps(data, ensure_ascii=False).encode()
    start_response(status, [("Content-Type", "application/json; charset=utf-8"),
                            ("Content-Length", str(len(body)))])
    return [body]


class BoxOfficeApp:
    """The WSGI handler of `/box-office…`, mounted by the simulator's app."""

    def __init__(self, state: SimulatorState):
        self.state = state

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "").rstrip("/")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == PREFIX and method == "GET":
            return _json(start_response, "200 OK", {"box_office": MARKER, "version": VERSION})
        action = path[len(PREFIX) + 1:] if path.startswith(PREFIX + "/") else ""
        handler = getattr(self, f"_{action.replace('-', '_')}", None) if action else None
        if handler is None or method != "POST":
            return _json(start_response, "404 Not Found", {
                "error": "NOT_FOUND",
                "message": "POST /box-office/free-seats, sell, duplicate or refund."})
        try:
            data = self._read(environ)
            self.state.authenticate(login=str(data.get("login") or ""),
                                    password=str(data.get("password") or ""),
                                    institution_code=str(data.get("institution_code") or ""))
            result = handler(data)
        except SimulatorError as exc:
            return _json(start_response, _STATUS.get(exc.code, "409 Conflict"),
                         {"error": exc.code, "message": exc.message})
        return _json(start_response, "200 OK", result)

    @staticmethod
    def _read(environ) -> dict:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if not 0 < length <= MAX_BODY:
            raise SimulatorError("INVALID_REQUEST", f"Send a JSON object of 1 to {MAX_BODY} "
                                 "bytes.")
        try:
            data = json.loads(environ["wsgi.input"].read(length))
        except ValueError:
            raise SimulatorError("INVALID_REQUEST", "The body is not JSON.") from None
        if not isinstance(data, dict):
            raise SimulatorError("INVALID_REQUEST", "Send a JSON object.")
        return data

    def _free_seats(self, data: dict) -> dict:
        try:
            limit = int(data.get("limit") or 10)
        except (TypeError, ValueError):
            raise SimulatorError("INVALID_REQUEST", "limit must be an integer.") from None
        seats = self.state.free_seats(manifestation=str(data.get("manifestation") or ""),
                                      performance=str(data.get("performance") or ""),
                                      limit=max(1, min(limit, 100)))
        return {"seats": seats}

    def _sell(self, data: dict) -> dict:
        missing = [name for name in _SELL_FIELDS if data.get(name) in (None, "")]
        if missing:
            raise SimulatorError("INVALID_REQUEST", f"Missing: {', '.join(missing)}.")
        values = {name: data[name] for name in _SELL_FIELDS}
        values.update({name: str(data[name]) for name in _BUYER_FIELDS if data.get(name)})
        if not isinstance(values["price_cents"], int):
            raise SimulatorError("INVALID_PRICE", "price_cents must be an integer.")
        return self.state.sell(**values)

    def _duplicate(self, data: dict) -> dict:
        return self.state.duplicate(str(data.get("ticket") or ""))

    def _refund(self, data: dict) -> dict:
        return self.state.refund(str(data.get("ticket") or ""))
