"""The simulator's WSGI app: Ticketnet's web services over SOAP 1.1 on the contract's WSDL.

Requests are read with a hardened lxml parser (no DTD, no entities, no network); faults,
injected misbehaviour and the rules come from the state (state.py and its parts, rules.py).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from lxml import etree

from ticketnet_gateway import NAMESPACE as NS
from ticketnet_gateway import SERVICE_PATH, WSDL_DIR

from .box_office_http import PREFIX as BOX_OFFICE_PREFIX
from .box_office_http import BoxOfficeApp
from .faults import OPERATIONS, Fault
from .rules import SimulatorError
from .state import SimulatorState

logger = logging.getLogger(__name__)

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
# The contract (WSDL, namespace, path) is the gateway's: the simulator serves the same file.
WSDL_PLACEHOLDER = "http://ticketnet.invalid/ticketnet/ws"
MAX_REQUEST_BYTES = 32 * 1024 * 1024
VERSION = "ticketnet-simulator 1"
# The name checkConnection answers: a real Ticketnet gives its own ("Nom du serveur").
SERVER_NAME = "TICKETNET-SIMULATOR"
# The request element of each operation: ping → PingRequest, listOperations → List…Request.
_OPERATIONS = {f"{op[0].upper()}{op[1:]}Request": op for op in OPERATIONS}


def _xml_headers() -> list[tuple[str, str]]:
    # A new list each time: wsgiref adds Content-Length to the list it is given.
    return [("Content-Type", 'text/xml; charset="utf-8"')]


class DropConnection(ConnectionAbortedError):
    """Raised after the socket is shut: wsgiref ends the request quietly."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=True,
                           remove_pis=True)


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _text(elem: etree._Element | None, name: str, *, required: bool = True) -> str | None:
    child = None if elem is None else elem.find(_q(name))
    if child is None:
        if required:
            raise SimulatorError("INVALID_REQUEST", f"The request misses the element {name}.")
        return None
    return child.text or ""


_ZONE, _ROW, _NUMBER, _CATEGORY = (_q(n) for n in ("zoneCode", "row", "number", "categoryCode"))


def _seats(request: etree._Element) -> list[dict]:
    """setAllotment's seats (a stadium sends 1.5 M of them), in one pass; a missing element is
    None, which the rules refuse as a missing code or number."""
    return [{"zone_code": s.findtext(_ZONE), "row": s.findtext(_ROW),
             "number": s.findtext(_NUMBER), "category_code": s.findtext(_CATEGORY)}
            for s in _items(request, "seats", "seat")]


def _int(elem: etree._Element, name: str) -> int:
    value = _text(elem, name)
    try:
        return int(value.strip())
    except ValueError:
        raise SimulatorError("INVALID_REQUEST", f"{name} “{value}” is not an integer.") from None


def _datetime(elem: etree._Element, name: str) -> datetime | None:
    """An optional xs:dateTime, which must carry its offset (None when absent or empty)."""
    value = (_text(elem, name, required=False) or "").strip()
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise SimulatorError("INVALID_REQUEST",
                             f"{name} “{value}” is not a date and time with its offset.")
    return when


def _items(elem: etree._Element | None, wrapper: str, item: str) -> list[etree._Element]:
    holder = None if elem is None else elem.find(_q(wrapper))
    return [] if holder is None else holder.findall(_q(item))


def _envelope(body: str) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<soap:Envelope xmlns:soap="{SOAP_ENV}" '
            f'xmlns:tn="{NS}"><soap:Body>{body}</soap:Body></soap:Envelope>').encode()


def _element(name: str, fields: list[tuple[str, object]]) -> str:
    inner = "".join(f"<tn:{k}>{escape(str(v))}</tn:{k}>" for k, v in fields)
    return f"<tn:{name}>{inner}</tn:{name}>"


def fault_body(code: str, message: str, *, server: bool = False) -> bytes:
    faultcode = "soap:Server" if server else "soap:Client"
    return _envelope(
        f"<soap:Fault><faultcode>{faultcode}</faultcode><faultstring>{escape(message)}"
        f"</faultstring><detail><tn:TicketnetFault><tn:code>{escape(code)}</tn:code>"
        f"<tn:message>{escape(message)}</tn:message></tn:TicketnetFault></detail></soap:Fault>")


class SimulatorApp:
    """WSGI callable. GET `/ticketnet/ws?wsdl` (and the XSD beside it), POST SOAP calls."""

    def __init__(self, state: SimulatorState):
        self.state = state
        self.box_office = BoxOfficeApp(state)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            if path == BOX_OFFICE_PREFIX or path.startswith(BOX_OFFICE_PREFIX + "/"):
                return self.box_office(environ, start_response)
            if method == "GET":
                return self._get(environ, start_response, path)
            if method == "POST" and path == SERVICE_PATH:
                return self._post(environ, start_response)
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"Not a Ticketnet web service.\n"]
        except DropConnection:
            raise
        except Exception:
            logger.exception("Simulator failure")
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
            return [b"Simulator failure.\n"]

    def _get(self, environ, start_response, path):
        query = environ.get("QUERY_STRING", "")
        if path == SERVICE_PATH and query.lower() == "wsdl":
            host = environ.get("HTTP_HOST") or "127.0.0.1"
            wsdl = (WSDL_DIR / "ticketnet.wsdl").read_text().replace(
                WSDL_PLACEHOLDER, f"http://{host}{SERVICE_PATH}")
            start_response("200 OK", _xml_headers())
            return [wsdl.encode()]
        if path == "/ticketnet/ticketnet.xsd":
            start_response("200 OK", _xml_headers())
            return [(WSDL_DIR / "ticketnet.xsd").read_bytes()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not found: the WSDL is at /ticketnet/ws?wsdl.\n"]

    def _post(self, environ, start_response):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length <= 0 or length > MAX_REQUEST_BYTES:
            return self._fault(start_response, SimulatorError(
                "INVALID_REQUEST", f"Send a SOAP envelope of 1 to {MAX_REQUEST_BYTES} bytes."))
        content = environ["wsgi.input"].read(length)
        try:
            operation, header, request = self._parse(content)
        except SimulatorError as exc:
            return self._fault(start_response, exc)
        fault = self.state.fault_take(operation)
        if fault is not None:
            injected = self._play(fault, environ, start_response)
            if injected is not None:
                return injected
        try:
            self.state.authenticate(
                login=_text(header, "login"), password=_text(header, "password"),
                institution_code=_text(header, "institutionCode"))
            body = getattr(self, f"_op_{operation}")(request, _text(header, "institutionCode"))
        except SimulatorError as exc:
            return self._fault(start_response, exc)
        start_response("200 OK", _xml_headers())
        return [body]

    def _parse(self, content: bytes) -> tuple[str, etree._Element, etree._Element]:
        if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
            raise SimulatorError("INVALID_REQUEST", "DTDs and entities are refused.")
        try:
            root = etree.fromstring(content, parser=_parser())
        except etree.XMLSyntaxError as exc:
            raise SimulatorError("INVALID_REQUEST", f"Malformed XML: {exc.msg}") from None
        if root.tag != f"{{{SOAP_ENV}}}Envelope":
            raise SimulatorError("INVALID_REQUEST", "Send a SOAP 1.1 envelope.")
        header = root.find(f"{{{SOAP_ENV}}}Header/{_q('AuthHeader')}")
        if header is None:
            raise SimulatorError(
                "AUTHENTICATION_FAILED",
                "The AuthHeader (login, password, institution code, server name, client name) "
                "is missing from the SOAP header.")
        body = root.find(f"{{{SOAP_ENV}}}Body")
        request = body[0] if body is not None and len(body) else None
        name = etree.QName(request).localname if request is not None else ""
        if request is None or etree.QName(request).namespace != NS or name not in _OPERATIONS:
            raise SimulatorError("INVALID_REQUEST", f"Unknown operation {name!r}.")
        return _OPERATIONS[name], header, request

    def _fault(self, start_response, exc: SimulatorError, *, server: bool = False):
        start_response("500 Internal Server Error", _xml_headers())
        return [fault_body(exc.code, exc.message, server=server)]

    def _play(self, fault: Fault, environ, start_response):
        """Misbehave as told; None lets the call go on (after the latency)."""
        if fault.kind == "latency":
            time.sleep(fault.latency_ms / 1000)
            return None
        if fault.kind == "http_500":
            start_response("500 Internal Server Error", [("Content-Type", "text/html")])
            return [b"<html><body><h1>500 Internal Server Error</h1></body></html>"]
        if fault.kind == "soap_fault":
            return self._fault(start_response, SimulatorError(
                fault.code or "INJECTED_FAULT",
                fault.message or "Ticketnet is in maintenance: try again later."), server=True)
        if fault.kind == "malformed_xml":
            start_response("200 OK", _xml_headers())
            return [b'<?xml version="1.0"?><soap:Envelope xmlns:soap="' + SOAP_ENV.encode()
                    + b'"><soap:Body><tn:Unclosed xmlns:tn="' + NS.encode() + b'">']
        if fault.kind == "drop_connection":
            environ["simulator.drop"]()
            raise DropConnection("injected")
        if fault.kind == "dtd":
            start_response("200 OK", _xml_headers())
            return [(b'<?xml version="1.0"?>\n<!DOCTYPE soap:Envelope [\n'
                     b'<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n')
                    + _envelope(_element("PingResponse", [("serverTime", "&xxe;"),
                                                           ("version", VERSION)])
                                ).split(b"?>\n", 1)[1].replace(b"&amp;xxe;", b"&xxe;")]
        if fault.kind == "billion_laughs":
            entities = ['<!ENTITY lol "lol">'] + [
                f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                for i in range(1, 10)]
            prolog = ('<?xml version="1.0"?>\n<!DOCTYPE soap:Envelope [\n'
                      + "\n".join(entities) + "\n]>\n").encode()
            body = _envelope(_element("PingResponse", [("serverTime", "2025-01-01T00:00:00Z"),
                                                       ("version", "@@")]))
            body = body.split(b"?>\n", 1)[1].replace(b"@@", b"&lol9;")
            start_response("200 OK", _xml_headers())
            return [prolog + body]
        raise AssertionError(fault.kind)

    # -- operations ----------------------------------------------------------------------

    def _op_ping(self, request, institution_code):
        return _envelope(_element("PingResponse", [
            ("serverTime", datetime.now(UTC).isoformat(timespec="seconds")),
            ("version", VERSION)]))

    def _op_checkConnection(self, request, institution_code):  # noqa: N802
        # The credentials were checked before any operation (_post): only say who answers.
        return _envelope(_element("CheckConnectionResponse", [
            ("serverName", SERVER_NAME), ("version", VERSION),
            ("institutionCode", institution_code),
            ("serverTime", datetime.now(UTC).isoformat(timespec="seconds"))]))

    def _op_createManifestation(self, request, institution_code):  # noqa: N802
        m = request.find(_q("manifestation"))
        if m is None:
            raise SimulatorError("INVALID_REQUEST", "The request misses the manifestation.")
        zones = []
        for z in _items(m, "zones", "zone"):
            zone = {"code": _text(z, "code"), "name": _text(z, "name", required=False)}
            series = z.find(_q("seatSeries"))
            if series is not None:
                zone["capacity"] = _int(series, "capacity")
                zone["category_code"] = _text(series, "categoryCode")
            else:
                zone["seats"] = [
                    {"row": _text(s, "row"), "number": _text(s, "number"),
                     "category_code": _text(s, "categoryCode")}
                    for s in _items(z, "seats", "seat")]
            zones.append(zone)
        manifestation = {
            "code": _text(m, "code"), "name": _text(m, "name"),
            "hall_code": _text(m, "hallCode"),
            "performances": [{"code": _text(p, "code"), "start": _text(p, "start")}
                             for p in _items(m, "performances", "performance")],
            "categories": [{"code": _text(c, "code"), "name": _text(c, "name")}
                           for c in _items(m, "seatCategories", "seatCategory")],
            "tariffs": [{"code": _text(t, "code"), "name": _text(t, "name")}
                        for t in _items(m, "tariffs", "tariff")],
            "zones": zones,
            "prices": [{"category_code": _text(p, "categoryCode"),
                        "tariff_code": _text(p, "tariffCode"), "cents": _int(p, "cents")}
                       for p in _items(m, "prices", "price")],
        }
        result = self.state.create_manifestation(manifestation,
                                                 institution_code=institution_code)
        return _envelope(_element("CreateManifestationResponse", [
            ("manifestationCode", result["manifestation_code"]),
            ("performanceCount", result["performance_count"]),
            ("seatCount", result["seat_count"])]))

    def _op_setAllotment(self, request, institution_code):  # noqa: N802
        replace = (_text(request, "replace") or "").strip()
        if replace not in ("true", "false", "1", "0"):
            raise SimulatorError("INVALID_REQUEST", "replace must be true or false.")
        result = self.state.set_allotment(
            manifestation_code=_text(request, "manifestationCode"),
            performance_code=_text(request, "performanceCode"),
            export_id=_text(request, "exportId"), replace=replace in ("true", "1"),
            seats=_seats(request))
        return _envelope(_element("SetAllotmentResponse", [
            ("manifestationCode", result["manifestation_code"]),
            ("performanceCode", result["performance_code"]),
            ("exportId", result["export_id"]),
            ("batchSeatCount", result["batch_seat_count"]),
            ("allottedSeatCount", result["allotted_seat_count"])]))

    def _op_setZoneQuota(self, request, institution_code):  # noqa: N802
        result = self.state.set_zone_quota(
            manifestation_code=_text(request, "manifestationCode"),
            performance_code=_text(request, "performanceCode"),
            zone_code=_text(request, "zoneCode"),
            places_available=_int(request, "placesAvailable"))
        return _envelope(_element("SetZoneQuotaResponse", [
            ("manifestationCode", result["manifestation_code"]),
            ("performanceCode", result["performance_code"]),
            ("zoneCode", result["zone_code"]),
            ("placesAvailable", result["places_available"])]))

    def _op_listOperations(self, request, institution_code):  # noqa: N802
        rows, next_cursor, has_more = self.state.list_operations(
            cursor=_text(request, "cursor", required=False),
            page_size=_int(request, "pageSize"), since=_datetime(request, "since"))
        parts = ['<tn:ListOperationsResponse><tn:operations>']
        append = parts.append
        for op_id, op in rows:
            # Ticketnet's lines pad rows and seats with zeros: the bridge matches numbers.
            append(
                f"<tn:operation><tn:operationId>{op_id}</tn:operationId>"
                f"<tn:type>{op.type}</tn:type><tn:ticketNumber>{op.ticket_number}</tn:ticketNumber>"
                + (f"<tn:originalTicketNumber>{op.original_ticket_number}"
                   "</tn:originalTicketNumber>" if op.original_ticket_number else "")
                + f"<tn:manifestationCode>{op.manifestation_code}</tn:manifestationCode>"
                f"<tn:performanceCode>{op.performance_code}</tn:performanceCode>"
                f"<tn:zoneCode>{op.zone_code}</tn:zoneCode>"
                f"<tn:row>{op.row:04d}</tn:row><tn:seat>{op.seat:04d}</tn:seat>"
                f"<tn:categoryCode>{op.category_code}</tn:categoryCode>"
                f"<tn:tariffCode>{op.tariff_code}</tn:tariffCode>"
                f"<tn:priceCents>{op.price_cents}</tn:priceCents>"
                f"<tn:currency>{op.currency}</tn:currency><tn:time>{op.time}</tn:time>"
                f"<tn:pointOfSaleCode>{escape(op.point_of_sale)}</tn:pointOfSaleCode>"
                f"<tn:buyerLastName>{escape(op.buyer_last_name)}</tn:buyerLastName>"
                f"<tn:buyerFirstName>{escape(op.buyer_first_name)}</tn:buyerFirstName>"
                f"<tn:buyerCity>{escape(op.buyer_city)}</tn:buyerCity>"
                f"<tn:buyerPostalCode>{escape(op.buyer_postal_code)}</tn:buyerPostalCode>"
                f"<tn:buyerCountry>{escape(op.buyer_country)}</tn:buyerCountry></tn:operation>")
        append(f"</tn:operations><tn:nextCursor>{next_cursor}</tn:nextCursor>"
               f"<tn:hasMore>{'true' if has_more else 'false'}</tn:hasMore>"
               "</tn:ListOperationsResponse>")
        return _envelope("".join(parts))

    def _op_listTickets(self, request, institution_code):  # noqa: N802
        tickets, next_cursor, has_more = self.state.list_tickets(
            manifestation_code=_text(request, "manifestationCode"),
            performance_code=_text(request, "performanceCode", required=False) or None,
            cursor=_text(request, "cursor", required=False) or None,
            page_size=_int(request, "pageSize"))
        parts = ["<tn:ListTicketsResponse><tn:tickets>"]
        append = parts.append
        # Codes were checked when the catalogue came; rows and seats padded like the journal's.
        for t in tickets:
            append(
                f"<tn:ticket><tn:ticketNumber>{escape(t.number)}</tn:ticketNumber>"
                f"<tn:state>{t.status}</tn:state>"
                + (f"<tn:originalTicketNumber>{escape(t.original_ticket_number)}"
                   "</tn:originalTicketNumber>" if t.original_ticket_number else "")
                + f"<tn:manifestationCode>{t.manifestation_code}</tn:manifestationCode>"
                f"<tn:performanceCode>{t.performance_code}</tn:performanceCode>"
                f"<tn:zoneCode>{t.zone_code}</tn:zoneCode>"
                f"<tn:row>{t.row:04d}</tn:row><tn:seat>{t.seat:04d}</tn:seat>"
                f"<tn:categoryCode>{t.category_code}</tn:categoryCode>"
                f"<tn:tariffCode>{t.tariff_code}</tn:tariffCode>"
                f"<tn:priceCents>{t.price_cents}</tn:priceCents>"
                f"<tn:currency>{t.currency}</tn:currency>"
                f"<tn:issuedAt>{t.issued_at}</tn:issuedAt>"
                + (f"<tn:endedAt>{t.ended_at}</tn:endedAt>" if t.ended_at else "")
                + "</tn:ticket>")
        append(f"</tn:tickets><tn:nextCursor>{next_cursor}</tn:nextCursor>"
               f"<tn:hasMore>{'true' if has_more else 'false'}</tn:hasMore>"
               "</tn:ListTicketsResponse>")
        return _envelope("".join(parts))
