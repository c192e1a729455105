"""The Ticketnet client: the contract's operations as typed calls, zeep on the WSDL from disk.

Build it from plain values (never from models) or take the per-process one from `get_client`.
The listings (listOperations, the hot path, and listTickets) are read by the lxml parser of
listing.py straight into dataclasses (see benchmarks/); every other operation goes through
zeep's object mapping.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar
from xml.sax.saxutils import escape as xml_escape

import requests
import zeep
from zeep.wsdl.utils import etree_to_string

from . import NAMESPACE, SERVICE_PATH, WSDL_PATH
from .error_translation import raise_for_status_without_fault, translated
from .errors import ContractError, TicketnetError, TicketnetUnavailable
from .listing import parse_operations_stream, parse_tickets_stream
from .transport import Transport, bounded_chunks, default_timeouts, read_body
from .types import (
    AllotmentResult,
    AllottedSeat,
    ConnectionChecked,
    Manifestation,
    ManifestationCreated,
    OperationsPage,
    PingResult,
    TicketnetTicket,
    TicketsPage,
    ZoneQuotaResult,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")
DEFAULT_ALLOTMENT_BATCH = 5000
_BINDING = f"{{{NAMESPACE}}}TicketnetBinding"


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
    ):
        default_connect, default_read, default_operation = default_timeouts()
        self.url = url
        self.address = f"http://{url}{SERVICE_PATH}"
        self.connect_timeout = connect_timeout or default_connect
        self.read_timeout = read_timeout or default_read
        self.operation_timeout = operation_timeout or default_operation
        self.retries = retries
        self.retry_backoff = retry_backoff
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy or netrc from the environment
        self.transport = Transport(
            session=self.session, connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout, operation_timeout=self.operation_timeout,
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

    def check_connection(self) -> ConnectionChecked:
        """Authenticate and learn who answers, changing nothing on Ticketnet's side. Raises
        TicketnetRejected("AUTHENTICATION_FAILED", …) when the credentials are refused."""
        result = self._call("checkConnection", idempotent=True)
        return ConnectionChecked(
            server_name=result.serverName, version=result.version,
            institution_code=result.institutionCode, server_time=result.serverTime,
        )

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
        seats = list(seats)

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
            # The seats are written as text into the serialized envelope, under the prefix
            # zeep gave the contract's namespace: building 5 elements per seat with lxml was
            # most of our CPU for a stadium (benchmarks/bench_allotment_export.py).
            marker = uuid.uuid4().hex
            container.text = marker
            message = etree_to_string(envelope).replace(
                marker.encode(), _seats_xml(seats, container.prefix), 1)
            with self.transport.deadline(deadline):
                response = self.transport.post(self.address, message, headers)
                return binding.process_reply(self._zeep, binding.get("setAllotment"), response)

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

    def list_operations(self, *, cursor: str | None, page_size: int = 1000,
                        since: datetime | None = None) -> OperationsPage:
        """One page of operations after `cursor` (None: from the first one). Without a cursor,
        `since` (aware) starts at the first operation at or after that time: to read again a
        period whose lines the bridge may have missed (integrating is idempotent)."""
        if cursor and since is not None:
            raise ValueError("Send a cursor or since, not both.")
        return self._retrying(
            lambda deadline: self._list_with_lxml(
                "listOperations", parse_operations_stream, deadline, cursor=cursor,
                pageSize=page_size, since=since),
            "listOperations", idempotent=True)

    def iter_operations(
        self, *, cursor: str | None, page_size: int = 1000, since: datetime | None = None,
    ) -> Iterator[OperationsPage]:
        """Page after page until Ticketnet has no more; the caller commits a page, then stores
        its `next_cursor`. Memory stays at one page. `since` (without a cursor) starts the
        first page; the next ones follow its cursor."""
        while True:
            page = self.list_operations(cursor=cursor, page_size=page_size, since=since)
            yield page
            if not page.has_more:
                return
            if not page.operations and page.next_cursor == cursor:
                raise ContractError("Ticketnet says it has more operations but sends none.")
            cursor, since = page.next_cursor, None

    def list_tickets(
        self, *, manifestation_code: str, performance_code: str | None = None,
        cursor: str | None = None, page_size: int = 1000,
    ) -> TicketsPage:
        """One page of the tickets Ticketnet issued for a manifestation (or one performance of
        it), whatever their state, by ticket number, after `cursor` (None: from the first)."""
        return self._retrying(
            lambda deadline: self._list_with_lxml(
                "listTickets", parse_tickets_stream, deadline,
                manifestationCode=manifestation_code, performanceCode=performance_code,
                cursor=cursor, pageSize=page_size),
            "listTickets", idempotent=True)

    def iter_tickets(
        self, *, manifestation_code: str, performance_code: str | None = None,
        page_size: int = 1000,
    ) -> Iterator[TicketnetTicket]:
        """Every ticket of the manifestation (or performance), page after page; memory stays
        at one page."""
        cursor = None
        while True:
            page = self.list_tickets(manifestation_code=manifestation_code,
                                     performance_code=performance_code, cursor=cursor,
                                     page_size=page_size)
            yield from page.tickets
            if not page.has_more:
                return
            if not page.tickets and page.next_cursor == cursor:
                raise ContractError("Ticketnet says it has more tickets but sends none.")
            cursor = page.next_cursor

    # -- plumbing ------------------------------------------------------------------------

    def _call(self, operation: str, *, idempotent: bool, **kwargs: Any) -> Any:
        method = getattr(self._service, operation)

        def attempt(deadline: float) -> Any:
            with self.transport.deadline(deadline):
                return method(_soapheaders=[self._header], **kwargs)

        return self._retrying(attempt, operation, idempotent=idempotent)

    def _retrying(self, attempt: Callable[[float], T], operation: str, *, idempotent: bool) -> T:
        started = time.monotonic()
        deadline = started + self.operation_timeout
        tries = 1 + (self.retries if idempotent else 0)
        for number in range(1, tries + 1):
            try:
                result = translated(attempt, deadline)
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

    def _list_with_lxml(self, operation: str, parse: Callable[[Iterable[bytes]], T],
                        deadline: float, **fields: Any) -> T:
        """A listing: zeep writes the request, `parse` reads the response as it arrives."""
        envelope = self._zeep.create_message(
            self._service, operation, _soapheaders=[self._header], **fields)
        headers = {"Content-Type": 'text/xml; charset="utf-8"',
                   "SOAPAction": f'"{NAMESPACE}#{operation}"'}
        with self.transport.deadline(deadline):
            response = self.transport.open(self.address, etree_to_string(envelope), headers)
            try:
                if response.status_code != 200:
                    body = read_body(response, self.transport.remaining)
                    raise_for_status_without_fault(response.status_code, body)
                    return parse([body])
                return parse(bounded_chunks(response, self.transport.remaining))
            finally:
                response.close()


def _seats_xml(seats: Sequence[AllottedSeat], prefix: str | None) -> bytes:
    """`<seat>` elements of the contract's AllottedSeat type, in its order, as UTF-8 text
    under the namespace `prefix` of the envelope they go into. Codes are escaped (they are
    digits when the bridge's validators passed them, but the text is XML whatever they hold)."""
    p = f"{prefix}:" if prefix else ""
    codes: dict[str, str] = {}

    def code(value: str) -> str:
        found = codes.get(value)
        if found is None:
            found = codes[value] = xml_escape(value)
        return found

    seat, zone_tag, row_tag, number_tag, category_tag = (
        f"{p}{name}" for name in ("seat", "zoneCode", "row", "number", "categoryCode"))
    return "".join([
        f"<{seat}><{zone_tag}>{code(s.zone_code)}</{zone_tag}>"
        f"<{row_tag}>{code(str(s.row))}</{row_tag}>"
        f"<{number_tag}>{code(str(s.number))}</{number_tag}>"
        f"<{category_tag}>{code(s.category_code)}</{category_tag}></{seat}>"
        for s in seats]).encode()


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
