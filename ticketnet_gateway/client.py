"""The Ticketnet client: zeep on the WSDL from disk, hardened, with typed errors.

Build it from plain values (never from models) or take the per-process one from `get_client`.
listOperations, the hot path, is read with the hardened lxml parser straight into dataclasses
(see benchmarks/); every other operation goes through zeep's object mapping.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any, Literal, TypeVar

import requests
import zeep
import zeep.exceptions
from lxml import etree
from zeep.wsdl.utils import etree_to_string
from zeep.xsd.types.builtins import Boolean, DateTime

from . import NAMESPACE, SERVICE_PATH, WSDL_DIR, WSDL_PATH
from .errors import ContractError, TicketnetError, TicketnetRejected, TicketnetUnavailable
from .safexml import SOAP_ENV, find_fault, hardened_parser, parse_document, refuse_doctype
from .types import (
    AllotmentResult,
    AllottedSeat,
    Manifestation,
    ManifestationCreated,
    Operation,
    OperationsPage,
    OperationType,
    PingResult,
    ZoneQuotaResult,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")
ListingParser = Literal["lxml", "zeep"]
# Kept for listOperations after benchmarks/bench_operations_listing.py (figures in the docs).
DEFAULT_LISTING_PARSER: ListingParser = "lxml"
DEFAULT_ALLOTMENT_BATCH = 5000
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
_BINDING = f"{{{NAMESPACE}}}TicketnetBinding"
_RETRY_STATUSES = {408, 429}


class _QuietBelowWarning(logging.Filter):
    """zeep's transport logs whole envelopes (the password is in the header) at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


for _name in ("zeep.transports", "zeep.wsdl.bindings.soap"):
    logging.getLogger(_name).addFilter(_QuietBelowWarning())


def _timeouts() -> tuple[float, float, float]:
    try:
        from django.conf import settings

        return (
            float(settings.TICKETNET_CONNECT_TIMEOUT),
            float(settings.TICKETNET_READ_TIMEOUT),
            float(settings.TICKETNET_OPERATION_TIMEOUT),
        )
    except Exception:  # noqa: BLE001 - outside Django (benchmarks, scripts): the defaults
        return 5.0, 60.0, 120.0


class _Transport(zeep.Transport):
    """Loads documents from the package's wsdl/ only; posts with connect/read timeouts and the
    call's deadline; never logs; turns 5xx answers that are not SOAP faults into
    TicketnetUnavailable."""

    def __init__(self, *, session: requests.Session, connect_timeout: float, read_timeout: float):
        super().__init__(session=session, timeout=connect_timeout)
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._local = threading.local()

    def set_deadline(self, deadline: float) -> None:
        self._local.deadline = deadline

    def _remaining(self) -> float:
        deadline = getattr(self._local, "deadline", None)
        if deadline is None:
            return self.read_timeout
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TicketnetUnavailable("Ticketnet did not answer within the operation timeout.")
        return remaining

    def load(self, url: str) -> bytes:
        path = (WSDL_DIR / url).resolve() if not url.startswith("/") else WSDL_DIR.joinpath(url)
        path = path.resolve()
        if WSDL_DIR not in path.parents:
            raise ContractError(f"The contract may only load its own files, not {url!r}.")
        return path.read_bytes()

    def post(self, address: str, message: bytes, headers: dict[str, str]) -> requests.Response:
        response = self.open(address, message, headers)
        try:
            response._content = read_body(response, self._remaining)
        finally:
            response.close()
        # Refused here, before zeep parses anything: a DTD or entity is never expanded.
        for _ in refuse_doctype([response._content]):
            pass
        raise_for_status_without_fault(response.status_code, response.content)
        return response

    def open(self, address: str, message: bytes, headers: dict[str, str]) -> requests.Response:
        timeout = (self.connect_timeout, min(self.read_timeout, self._remaining()))
        return self.session.post(address, data=message, headers=headers, timeout=timeout,
                                 stream=True)


def read_body(response: requests.Response, remaining: Callable[[], float]) -> bytes:
    parts, size = [], 0
    for chunk in response.iter_content(chunk_size=256 * 1024):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise ContractError(f"Ticketnet's response is larger than {MAX_RESPONSE_BYTES} bytes.")
        parts.append(chunk)
        remaining()
    return b"".join(parts)


def raise_for_status_without_fault(status: int, content: bytes) -> None:
    """A non-200 answer is Ticketnet's refusal only when it carries a SOAP fault."""
    if status == 200:
        return
    try:
        root = parse_document(content)
        if root.tag == f"{{{SOAP_ENV}}}Envelope" and find_fault(root) is not None:
            return
    except ContractError:
        pass
    if status >= 500 or status in _RETRY_STATUSES:
        raise TicketnetUnavailable(f"Ticketnet answered HTTP {status} without a SOAP fault.")
    raise ContractError(
        f"Ticketnet answered HTTP {status} without a SOAP fault: is the interface's URL the "
        "Ticketnet web services?"
    )


def rejected_from_fault(code: str | None, message: str | None, detail) -> TicketnetRejected:
    if detail is not None:
        fault = detail.find(f"{{{NAMESPACE}}}TicketnetFault")
        if fault is not None:
            return TicketnetRejected(
                (fault.findtext(f"{{{NAMESPACE}}}code") or code or "").strip(),
                (fault.findtext(f"{{{NAMESPACE}}}message") or message or "").strip(),
            )
    return TicketnetRejected(str(code or "").strip(), str(message or "").strip())


_datetime = DateTime().pythonvalue
_boolean = Boolean().pythonvalue
_OPERATION_FIELDS = {
    "operationId": "operation_id", "type": "type", "ticketNumber": "ticket_number",
    "originalTicketNumber": "original_ticket_number",
    "manifestationCode": "manifestation_code", "performanceCode": "performance_code",
    "zoneCode": "zone_code", "row": "row", "seat": "seat", "categoryCode": "category_code",
    "tariffCode": "tariff_code", "priceCents": "price_cents", "currency": "currency",
    "time": "time", "pointOfSaleCode": "point_of_sale_code",
    "buyerLastName": "buyer_last_name", "buyerFirstName": "buyer_first_name",
    "buyerCity": "buyer_city", "buyerPostalCode": "buyer_postal_code",
    "buyerCountry": "buyer_country",
}
_REQUIRED = set(_OPERATION_FIELDS) - {
    "originalTicketNumber", "buyerLastName", "buyerFirstName", "buyerCity", "buyerPostalCode",
    "buyerCountry",
}
_OPERATION_TYPES = {kind.value: kind for kind in OperationType}
_TNS = f"{{{NAMESPACE}}}"
_OPERATION_TAG = f"{_TNS}operation"
_FAULT_TAG = f"{{{SOAP_ENV}}}Fault"
_NEXT_CURSOR_TAG, _HAS_MORE_TAG, _RESPONSE_TAG = (
    f"{_TNS}nextCursor", f"{_TNS}hasMore", f"{_TNS}ListOperationsResponse")
_FIELD_TAGS = frozenset(_TNS + name for name in _OPERATION_FIELDS)


def _parse_datetime(text: str) -> datetime:
    # fromisoformat is ten times faster than zeep's parser; the values compare equal.
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        return _datetime(text)


def _missing(names: Iterable[str]) -> ContractError:
    return ContractError(f"An operation misses {', '.join(sorted(names))}.")


def _operation_reader(prefix: str) -> Callable[[dict[str, Any]], Operation]:
    """The one place both parsers turn a Ticketnet operation into a dataclass.

    `values` are keyed by `prefix` + the contract's names: the names themselves (zeep), or the
    lxml tags with their namespace, so that the hot path never slices a tag. A missing required
    key raises KeyError; None (an empty element) reads as ''."""
    (operation_id, kind, ticket, original, manifestation, performance, zone, row, seat,
     category, tariff, price, currency, moment, point_of_sale, last_name, first_name, city,
     postal_code, country) = (prefix + name for name in _OPERATION_FIELDS)

    def read(values: dict[str, Any]) -> Operation:
        identifier = values[operation_id] or ""
        type_text = values[kind] or ""
        ticket_number = values[ticket] or ""
        manifestation_code = values[manifestation] or ""
        performance_code = values[performance] or ""
        zone_code = values[zone] or ""
        row_text = values[row] or ""
        seat_text = values[seat] or ""
        category_code = values[category] or ""
        tariff_code = values[tariff] or ""
        cents = values[price]
        currency_code = values[currency] or ""
        when = values[moment]
        point_of_sale_code = values[point_of_sale] or ""
        operation_type = _OPERATION_TYPES.get(type_text)
        if operation_type is None:
            raise ContractError(f"Unknown operation type {type_text!r}.")
        try:
            cents = cents if isinstance(cents, int) else int(cents or "")
            when = when if isinstance(when, datetime) else _parse_datetime(when or "")
        except (ValueError, TypeError) as exc:
            raise ContractError(f"Operation {identifier}: {exc}") from None
        if when.tzinfo is None:
            raise ContractError(f"Operation {identifier}: time without a time zone.")
        row_digits, seat_digits = row_text.strip(), seat_text.strip()
        # isdecimal, not isdigit: int() refuses "²", which isdigit accepts.
        if not (row_digits.isdecimal() and seat_digits.isdecimal()):
            name, text = ("row", row_text) if not row_digits.isdecimal() else ("seat", seat_text)
            raise ContractError(f"Operation {name} {text!r} is not a number.")
        get = values.get
        # Positional: 20 keywords made this reader a third slower (tests build by keyword).
        return Operation(
            identifier, operation_type, ticket_number, get(original) or None,
            manifestation_code, performance_code, zone_code, int(row_digits), int(seat_digits),
            category_code, tariff_code, cents, currency_code, when, point_of_sale_code,
            get(last_name) or "", get(first_name) or "", get(city) or "",
            get(postal_code) or "", get(country) or "",
        )

    return read


_read_by_name = _operation_reader("")
_read_by_tag = _operation_reader(_TNS)


def operation_from_values(values: dict[str, Any]) -> Operation:
    """An operation from values keyed by the contract's names (zeep's mapping; None: absent)."""
    missing = [name for name in _REQUIRED if values.get(name) is None]
    if missing:
        raise _missing(missing)
    return _read_by_name(values)


def operation_from_element(element: etree._Element) -> Operation:
    """An `<operation>` element: its children keyed by tag in one pass, the unknown and repeated
    ones found by comparing a size and a key set once, not child by child."""
    values = {child.tag: child.text for child in element}
    if len(values) == len(element) and _FIELD_TAGS.issuperset(values):
        try:
            return _read_by_tag(values)
        except KeyError:
            raise _missing(name for name in _REQUIRED if _TNS + name not in values) from None
    # A repeated or unknown element, or one without the namespace: child by child, to name it.
    named: dict[str, str] = {}
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else repr(child)
        name = tag[len(_TNS):] if tag.startswith(_TNS) else tag
        if name not in _OPERATION_FIELDS or name in named:
            raise ContractError(f"Unexpected element {name!r} in an operation.")
        named[name] = child.text or ""
    return operation_from_values(named)


def parse_operations_stream(chunks: Iterable[bytes]) -> OperationsPage:
    """Read a listOperations response: its chunks (the caller bounds them to
    MAX_RESPONSE_BYTES) pass refuse_doctype and are fed to the hardened parser as they arrive,
    then the operations are read from the page's tree. A tree costs less than a pull parser,
    whose events take the GIL back twice per element (benchmarks/bench_operations_listing.py).
    """
    parser = hardened_parser()
    try:
        for chunk in refuse_doctype(chunks):
            parser.feed(chunk)
        root = parser.close()
    except etree.XMLSyntaxError as exc:
        raise ContractError(f"Ticketnet's response is not well-formed XML: {exc.msg}") from None
    if root.getroottree().docinfo.doctype:
        raise ContractError("Ticketnet's response carries a DTD: refused.")
    next_cursor = has_more = None
    seen_response = False
    for element in root.iter(_FAULT_TAG, _NEXT_CURSOR_TAG, _HAS_MORE_TAG, _RESPONSE_TAG):
        tag = element.tag
        if tag == _FAULT_TAG:
            # Ticketnet's refusal wherever it stands, whatever else the response holds.
            raise rejected_from_fault(
                element.findtext("faultcode"), element.findtext("faultstring"),
                element.find("detail"),
            )
        if tag == _NEXT_CURSOR_TAG:
            next_cursor = element.text or ""
        elif tag == _HAS_MORE_TAG:
            try:
                has_more = _boolean(element.text or "")
            except ValueError:
                raise ContractError(f"hasMore {element.text!r} is not a boolean.") from None
        else:
            seen_response = True
    operations = [operation_from_element(element) for element in root.iter(_OPERATION_TAG)]
    if root.tag != f"{{{SOAP_ENV}}}Envelope" or not seen_response:
        raise ContractError("Ticketnet's response is not a listOperations response.")
    if next_cursor is None or has_more is None:
        raise ContractError("Ticketnet's listOperations response misses nextCursor or hasMore.")
    return OperationsPage(operations=operations, next_cursor=next_cursor, has_more=has_more)


class TicketnetClient:
    """One Ticketnet account at one `<IP>:<Port>`. Thread-safe enough to share in a process."""

    def __init__(
        self,
        *,
        url: str,
        login: str,
        password: str,
        institution_code: str,
        server_name: str = "",
        client_name: str = "",
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        operation_timeout: float | None = None,
        retries: int = 2,
        retry_backoff: float = 0.5,
        listing_parser: ListingParser = DEFAULT_LISTING_PARSER,
    ):
        default_connect, default_read, default_operation = _timeouts()
        self.url = url
        self.address = f"http://{url}{SERVICE_PATH}"
        self.connect_timeout = connect_timeout or default_connect
        self.read_timeout = read_timeout or default_read
        self.operation_timeout = operation_timeout or default_operation
        self.retries = retries
        self.retry_backoff = retry_backoff
        self.listing_parser = listing_parser
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy or netrc from the environment
        self.transport = _Transport(
            session=self.session, connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
        )
        settings = zeep.Settings(
            strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True,
            xml_huge_tree=False, raw_response=False,
        )
        self._zeep = zeep.Client(str(WSDL_PATH), transport=self.transport, settings=settings)
        self._service = self._zeep.create_service(_BINDING, self.address)
        header = self._zeep.get_element(f"{{{NAMESPACE}}}AuthHeader")
        self._header = header(
            login=login, password=password, institutionCode=institution_code,
            serverName=server_name, clientName=client_name,
        )

    def __repr__(self) -> str:
        return f"<TicketnetClient {self.address}>"

    # -- the operations ------------------------------------------------------------------

    def ping(self) -> PingResult:
        result = self._call("ping", idempotent=True)
        return PingResult(server_time=result.serverTime, version=result.version)

    def create_manifestation(self, manifestation: Manifestation) -> ManifestationCreated:
        """Never retried: Ticketnet refuses a manifestation created twice."""
        m = manifestation
        zones = []
        for zone in m.zones:
            entry: dict[str, Any] = {"code": zone.code, "name": zone.name}
            if zone.seats:
                entry["seats"] = {"seat": [
                    {"row": str(s.row), "number": str(s.number), "categoryCode": s.category_code}
                    for s in zone.seats
                ]}
            else:
                entry["seatSeries"] = {"capacity": zone.capacity or 0,
                                       "categoryCode": zone.category_code or ""}
            zones.append(entry)
        payload = {
            "code": m.code, "name": m.name, "hallCode": m.hall_code,
            "performances": {"performance": [
                {"code": p.code, "start": p.start} for p in m.performances]},
            "seatCategories": {"seatCategory": [
                {"code": c.code, "name": c.name} for c in m.seat_categories]},
            "tariffs": {"tariff": [{"code": t.code, "name": t.name} for t in m.tariffs]},
            "zones": {"zone": zones},
            "prices": {"price": [
                {"categoryCode": p.category_code, "tariffCode": p.tariff_code, "cents": p.cents}
                for p in m.prices]},
        }
        result = self._call("createManifestation", idempotent=False, manifestation=payload)
        return ManifestationCreated(
            manifestation_code=result.manifestationCode,
            performance_count=result.performanceCount, seat_count=result.seatCount,
        )

    def set_allotment(
        self, *, manifestation_code: str, performance_code: str, seats: Iterable[AllottedSeat],
        export_id: str, replace: bool,
    ) -> AllotmentResult:
        """One batch: `replace=True` starts the export `export_id` (the previous allotment of
        the performance is dropped), `replace=False` appends to that same export.

        zeep builds the envelope (header, codes) and reads the reply; the seats, thousands per
        batch, are appended with lxml: zeep's object mapping made 3/4 of a stadium's export
        time (benchmarks/bench_allotment_export.py)."""
        binding = self._service._binding
        seat_elements = _seat_elements(seats)

        def attempt(deadline: float) -> Any:
            envelope, headers = binding._create(
                "setAllotment", (), {
                    "_soapheaders": [self._header],
                    "manifestationCode": manifestation_code,
                    "performanceCode": performance_code, "exportId": export_id,
                    "replace": replace, "seats": {"seat": []},
                },
                client=self._zeep, options={"address": self.address},
            )
            container = envelope.find(f".//{{{NAMESPACE}}}seats")
            if container is None:
                raise ContractError("The setAllotment message has no seats element.")
            container.extend(seat_elements)
            self.transport.set_deadline(deadline)
            try:
                response = self.transport.post_xml(self.address, envelope, headers)
                return binding.process_reply(self._zeep, binding.get("setAllotment"), response)
            finally:
                self.transport.set_deadline(None)

        result = self._retrying(attempt, "setAllotment", idempotent=False)
        return AllotmentResult(
            manifestation_code=result.manifestationCode, performance_code=result.performanceCode,
            export_id=result.exportId, batch_seat_count=result.batchSeatCount,
            allotted_seat_count=result.allottedSeatCount,
        )

    def export_allotment(
        self, *, manifestation_code: str, performance_code: str, seats: Iterable[AllottedSeat],
        batch_size: int = DEFAULT_ALLOTMENT_BATCH,
    ) -> AllotmentResult:
        """The whole allotment of a performance, in batches of `batch_size` seats, replacing
        what Ticketnet held. An empty `seats` clears it."""
        export_id = uuid.uuid4().hex
        batch: list[AllottedSeat] = []
        result: AllotmentResult | None = None
        for seat in seats:
            batch.append(seat)
            if len(batch) >= batch_size:
                result = self.set_allotment(
                    manifestation_code=manifestation_code, performance_code=performance_code,
                    seats=batch, export_id=export_id, replace=result is None,
                )
                batch = []
        if batch or result is None:
            result = self.set_allotment(
                manifestation_code=manifestation_code, performance_code=performance_code,
                seats=batch, export_id=export_id, replace=result is None,
            )
        return result

    def set_zone_quota(
        self, *, manifestation_code: str, performance_code: str, zone_code: str,
        places_available: int,
    ) -> ZoneQuotaResult:
        result = self._call(
            "setZoneQuota", idempotent=True,
            manifestationCode=manifestation_code, performanceCode=performance_code,
            zoneCode=zone_code, placesAvailable=places_available,
        )
        return ZoneQuotaResult(
            manifestation_code=result.manifestationCode, performance_code=result.performanceCode,
            zone_code=result.zoneCode, places_available=result.placesAvailable,
        )

    def list_operations(self, *, cursor: str | None, page_size: int = 1000) -> OperationsPage:
        """One page of operations after `cursor` (None: from the first one)."""
        if self.listing_parser == "zeep":
            return self._retrying(lambda deadline: self._list_with_zeep(cursor, page_size,
                                                                        deadline),
                                  "listOperations", idempotent=True)
        return self._retrying(lambda deadline: self._list_with_lxml(cursor, page_size, deadline),
                              "listOperations", idempotent=True)

    def iter_operations(
        self, *, cursor: str | None, page_size: int = 1000,
    ) -> Iterator[OperationsPage]:
        """Page after page until Ticketnet has no more; the caller commits a page, then stores
        its `next_cursor`. Memory stays at one page."""
        while True:
            page = self.list_operations(cursor=cursor, page_size=page_size)
            yield page
            if not page.has_more:
                return
            if not page.operations and page.next_cursor == cursor:
                raise ContractError("Ticketnet says it has more operations but sends none.")
            cursor = page.next_cursor

    # -- plumbing ------------------------------------------------------------------------

    def _call(self, operation: str, *, idempotent: bool, **kwargs: Any) -> Any:
        method = getattr(self._service, operation)

        def attempt(deadline: float) -> Any:
            self.transport.set_deadline(deadline)
            try:
                return method(_soapheaders=[self._header], **kwargs)
            finally:
                self.transport.set_deadline(None)

        return self._retrying(attempt, operation, idempotent=idempotent)

    def _retrying(self, attempt: Callable[[float], T], operation: str, *, idempotent: bool) -> T:
        started = time.monotonic()
        deadline = started + self.operation_timeout
        tries = 1 + (self.retries if idempotent else 0)
        for number in range(1, tries + 1):
            try:
                result = _translated(attempt, deadline)
            except TicketnetUnavailable as exc:
                pause = self.retry_backoff * 2 ** (number - 1)
                if number == tries or time.monotonic() + pause >= deadline:
                    logger.warning("Ticketnet %s at %s unavailable: %s", operation, self.url, exc)
                    raise
                logger.info("Ticketnet %s at %s unavailable (%s), retry %d/%d", operation,
                            self.url, exc, number, tries - 1)
                time.sleep(pause)
            except TicketnetError as exc:
                logger.warning("Ticketnet %s at %s failed: %s: %s", operation, self.url,
                               type(exc).__name__, exc)
                raise
            else:
                logger.info("Ticketnet %s at %s OK in %.0f ms", operation, self.url,
                            (time.monotonic() - started) * 1000)
                return result
        raise AssertionError("unreachable")

    def _list_with_zeep(self, cursor: str | None, page_size: int, deadline: float):
        self.transport.set_deadline(deadline)
        try:
            result = self._service.listOperations(
                _soapheaders=[self._header], cursor=cursor, pageSize=page_size)
        finally:
            self.transport.set_deadline(None)
        items = result.operations.operation if result.operations is not None else []
        operations = []
        for item in items or []:
            values = {name: item[name] for name in _OPERATION_FIELDS}
            operations.append(operation_from_values(values))
        return OperationsPage(operations=operations, next_cursor=result.nextCursor or "",
                              has_more=bool(result.hasMore))

    def _list_with_lxml(self, cursor: str | None, page_size: int, deadline: float):
        envelope = self._zeep.create_message(
            self._service, "listOperations", _soapheaders=[self._header], cursor=cursor,
            pageSize=page_size)
        headers = {"Content-Type": 'text/xml; charset="utf-8"',
                   "SOAPAction": f'"{NAMESPACE}#listOperations"'}
        self.transport.set_deadline(deadline)
        try:
            response = self.transport.open(self.address, etree_to_string(envelope), headers)
            try:
                if response.status_code != 200:
                    body = read_body(response, self.transport._remaining)
                    raise_for_status_without_fault(response.status_code, body)
                    return parse_operations_stream([body])
                chunks = _bounded_chunks(response, self.transport._remaining)
                return parse_operations_stream(chunks)
            finally:
                response.close()
        finally:
            self.transport.set_deadline(None)


_SEAT = f"{{{NAMESPACE}}}seat"
_SEAT_FIELDS = tuple(
    f"{{{NAMESPACE}}}{name}" for name in ("zoneCode", "row", "number", "categoryCode")
)


def _seat_elements(seats: Iterable[AllottedSeat]) -> list[etree._Element]:
    """`<seat>` elements of the contract's AllottedSeat type, in its order."""
    elements = []
    zone_tag, row_tag, number_tag, category_tag = _SEAT_FIELDS
    for s in seats:
        seat = etree.Element(_SEAT)
        etree.SubElement(seat, zone_tag).text = s.zone_code
        etree.SubElement(seat, row_tag).text = str(s.row)
        etree.SubElement(seat, number_tag).text = str(s.number)
        etree.SubElement(seat, category_tag).text = s.category_code
        elements.append(seat)
    return elements


def _bounded_chunks(response: requests.Response, remaining: Callable[[], float]):
    size = 0
    for chunk in response.iter_content(chunk_size=256 * 1024):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise ContractError(f"Ticketnet's response is larger than {MAX_RESPONSE_BYTES} bytes.")
        remaining()
        yield chunk


def _translated(attempt: Callable[[float], T], deadline: float) -> T:
    """Run one attempt, turning every library error into the gateway's types."""
    try:
        return attempt(deadline)
    except TicketnetError:
        raise
    except zeep.exceptions.Fault as fault:
        raise rejected_from_fault(fault.code, fault.message, fault.detail) from None
    except (zeep.exceptions.DTDForbidden, zeep.exceptions.EntitiesForbidden):
        raise ContractError(
            "Ticketnet's response carries a DTD or an entity: refused, never expanded."
        ) from None
    except zeep.exceptions.TransportError as exc:
        # The message of zeep's TransportError holds the whole body: never repeat it.
        if exc.status_code and exc.status_code >= 500:
            raise TicketnetUnavailable(
                f"Ticketnet answered HTTP {exc.status_code} without a SOAP fault.") from None
        raise ContractError(
            f"Ticketnet's response (HTTP {exc.status_code}) is not well-formed XML.") from None
    except (zeep.exceptions.XMLSyntaxError, zeep.exceptions.XMLParseError,
            etree.XMLSyntaxError) as exc:
        raise ContractError(f"Ticketnet's response is not well-formed XML: {exc}") from None
    except zeep.exceptions.ValidationError as exc:
        raise ContractError(f"The message does not match the contract: {exc}") from None
    except zeep.exceptions.Error as exc:
        raise ContractError(f"The message does not match the contract: {exc}") from None
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise TicketnetUnavailable(_describe_network_error(exc)) from None
    except requests.RequestException as exc:  # ChunkedEncodingError and the like: cut short
        raise TicketnetUnavailable(
            f"The connection to Ticketnet broke: {type(exc).__name__}.") from None


def _describe_network_error(exc: Exception) -> str:
    if isinstance(exc, requests.ConnectTimeout):
        return "Ticketnet did not accept the connection in time."
    if isinstance(exc, requests.Timeout):
        return "Ticketnet did not answer in time."
    text = str(exc)
    if "refused" in text.lower():
        return "Ticketnet refused the connection (nothing listens at this address)."
    if "aborted" in text.lower() or "disconnected" in text.lower() or "reset" in text.lower():
        return "Ticketnet dropped the connection without answering."
    return f"Ticketnet could not be reached: {type(exc).__name__}."


_clients: dict[tuple[str, ...], TicketnetClient] = {}
_clients_lock = threading.Lock()


def get_client(
    *, url: str, login: str, password: str, institution_code: str, server_name: str = "",
    client_name: str = "",
) -> TicketnetClient:
    """The process's client for these connection values, built once (loading the WSDL and
    opening a session is not free). A changed password makes a new client."""
    key = (url, login, hashlib.sha256(password.encode()).hexdigest(), institution_code,
           server_name, client_name)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = TicketnetClient(
                url=url, login=login, password=password, institution_code=institution_code,
                server_name=server_name, client_name=client_name,
            )
        return client


def clear_clients() -> None:
    """Forget the per-process clients (tests, or after a settings change)."""
    with _clients_lock:
        _clients.clear()
