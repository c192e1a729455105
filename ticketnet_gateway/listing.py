"""The listing parsers (listOperations, the hot path, and listTickets): the hardened lxml parser
reads a page straight into dataclasses; zeep's object mapping is too slow for it (benchmarks/)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from lxml import etree
from zeep.xsd.types.builtins import Boolean, DateTime

from . import NAMESPACE
from .error_translation import rejected_from_fault
from .errors import ContractError
from .safexml import SOAP_ENV, hardened_parser, refuse_doctype
from .types import (
    Operation,
    OperationsPage,
    OperationType,
    TicketnetTicket,
    TicketsPage,
    TicketState,
)

T = TypeVar("T")
_datetime = DateTime().pythonvalue
_boolean = Boolean().pythonvalue
# The contract's elements of an operation, and the Operation fields they fill.
OPERATION_FIELDS = {
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
_REQUIRED = set(OPERATION_FIELDS) - {
    "originalTicketNumber", "buyerLastName", "buyerFirstName", "buyerCity", "buyerPostalCode",
    "buyerCountry",
}
_OPERATION_TYPES = {kind.value: kind for kind in OperationType}
_TNS = f"{{{NAMESPACE}}}"
_OPERATION_TAG = f"{_TNS}operation"
_FAULT_TAG = f"{{{SOAP_ENV}}}Fault"
_NEXT_CURSOR_TAG, _HAS_MORE_TAG = f"{_TNS}nextCursor", f"{_TNS}hasMore"
_FIELD_TAGS = frozenset(_TNS + name for name in OPERATION_FIELDS)


def _parse_datetime(text: str) -> datetime:
    # fromisoformat is ten times faster than zeep's parser; the values compare equal.
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        return _datetime(text)


def _missing(names: Iterable[str]) -> ContractError:
    return ContractError(f"An operation misses {', '.join(sorted(names))}.")


def _operation_reader(prefix: str) -> Callable[[dict[str, Any]], Operation]:
    """The one place a Ticketnet operation's values turn into a dataclass.

    `values` are keyed by `prefix` + the contract's names: the names themselves
    (`operation_from_values`, which zeep's mapping also feeds in the tests and benchmarks), or
    the lxml tags with their namespace, so that the hot path never slices a tag. A missing required
    key raises KeyError; None (an empty element) reads as ''."""
    (operation_id, kind, ticket, original, manifestation, performance, zone, row, seat,
     category, tariff, price, currency, moment, point_of_sale, last_name, first_name, city,
     postal_code, country) = (prefix + name for name in OPERATION_FIELDS)

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
        if name not in OPERATION_FIELDS or name in named:
            raise ContractError(f"Unexpected element {name!r} in an operation.")
        named[name] = child.text or ""
    return operation_from_values(named)


def parse_operations_stream(chunks: Iterable[bytes]) -> OperationsPage:
    """Read a listOperations response (see `_read_page`)."""
    operations, next_cursor, has_more = _read_page(
        chunks, "listOperations", _OPERATION_TAG, operation_from_element)
    return OperationsPage(operations=operations, next_cursor=next_cursor, has_more=has_more)


def parse_tickets_stream(chunks: Iterable[bytes]) -> TicketsPage:
    """Read a listTickets response (see `_read_page`)."""
    tickets, next_cursor, has_more = _read_page(
        chunks, "listTickets", _TICKET_TAG, ticket_from_element)
    return TicketsPage(tickets=tuple(tickets), next_cursor=next_cursor, has_more=has_more)


def _read_page(chunks: Iterable[bytes], operation: str, item_tag: str,
               read: Callable[[etree._Element], T]) -> tuple[list[T], str, bool]:
    """A listing response's items, next cursor and has-more flag: its chunks (the caller
    bounds them, see transport.bounded_chunks) pass refuse_doctype and are fed to the hardened
    parser as they arrive, then the items are read from the page's tree. A tree costs less than
    a pull parser, whose events take the GIL back twice per element
    (benchmarks/bench_operations_listing.py).
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
    response_tag = f"{_TNS}{operation[0].upper()}{operation[1:]}Response"
    next_cursor = has_more = None
    seen_response = False
    for element in root.iter(_FAULT_TAG, _NEXT_CURSOR_TAG, _HAS_MORE_TAG, response_tag):
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
    items = [read(element) for element in root.iter(item_tag)]
    if root.tag != f"{{{SOAP_ENV}}}Envelope" or not seen_response:
        raise ContractError(f"Ticketnet's response is not a {operation} response.")
    if next_cursor is None or has_more is None:
        raise ContractError(f"Ticketnet's {operation} response misses nextCursor or hasMore.")
    return items, next_cursor, has_more


# -- listTickets -----------------------------------------------------------------------------

# The contract's elements of a ticket, in its order.
TICKET_FIELDS = (
    "ticketNumber", "state", "originalTicketNumber", "manifestationCode", "performanceCode",
    "zoneCode", "row", "seat", "categoryCode", "tariffCode", "priceCents", "currency",
    "issuedAt", "endedAt",
)
_TICKET_TAG = f"{_TNS}ticket"
_TICKET_TAGS = tuple(_TNS + name for name in TICKET_FIELDS)
_TICKET_TAG_SET = frozenset(_TICKET_TAGS)
_TICKET_REQUIRED = frozenset(_TICKET_TAGS) - {f"{_TNS}originalTicketNumber", f"{_TNS}endedAt"}
_TICKET_STATES = {state.value: state for state in TicketState}


def ticket_from_element(element: etree._Element) -> TicketnetTicket:
    """A `<ticket>` element, its children keyed by tag in one pass (as an operation's)."""
    values = {child.tag: child.text for child in element}
    if len(values) != len(element) or not _TICKET_TAG_SET.issuperset(values):
        seen: set[str] = set()
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else repr(child)
            if tag not in _TICKET_TAG_SET or tag in seen:
                name = tag[len(_TNS):] if tag.startswith(_TNS) else tag
                raise ContractError(f"Unexpected element {name!r} in a ticket.")
            seen.add(tag)
    if not _TICKET_REQUIRED.issubset(values):
        raise ContractError("A ticket misses " + ", ".join(sorted(
            tag[len(_TNS):] for tag in _TICKET_REQUIRED - values.keys())) + ".")
    (number, state, original, manifestation, performance, zone, row, seat, category, tariff,
     price, currency, issued, ended) = (values.get(tag) or "" for tag in _TICKET_TAGS)
    ticket_state = _TICKET_STATES.get(state)
    if ticket_state is None:
        raise ContractError(f"Ticket {number}: unknown state {state!r}.")
    try:
        cents = int(price)
        issued_at = _aware(_parse_datetime(issued))
        ended_at = _aware(_parse_datetime(ended)) if ended.strip() else None
    except (ValueError, TypeError) as exc:
        raise ContractError(f"Ticket {number}: {exc}") from None
    return TicketnetTicket(
        number, ticket_state, original or None, manifestation, performance, zone,
        _seat_number(row, "row"), _seat_number(seat, "seat"), category, tariff, cents,
        currency, issued_at, ended_at,
    )


def _aware(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError("time without a time zone")
    return when


def _seat_number(text: str, name: str) -> int:
    digits = text.strip()
    # isdecimal, not isdigit: int() refuses "²", which isdigit accepts.
    if not digits.isdecimal():
        raise ContractError(f"Ticket {name} {text!r} is not a number.")
    return int(digits)
