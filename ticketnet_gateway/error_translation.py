"""What the wire and the libraries raise, turned into the gateway's typed errors (errors.py):
SOAP faults, HTTP statuses without a fault, zeep's and requests' exceptions."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import requests
import zeep.exceptions
from lxml import etree

from . import NAMESPACE
from .errors import ContractError, TicketnetError, TicketnetRejected, TicketnetUnavailable
from .safexml import SOAP_ENV, find_fault, parse_document

T = TypeVar("T")
_RETRY_STATUSES = {408, 429}


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
    """Ticketnet's refusal: the code and message of its fault detail, else the SOAP fault's."""
    if detail is not None:
        fault = detail.find(f"{{{NAMESPACE}}}TicketnetFault")
        if fault is not None:
            return TicketnetRejected(
                (fault.findtext(f"{{{NAMESPACE}}}code") or code or "").strip(),
                (fault.findtext(f"{{{NAMESPACE}}}message") or message or "").strip(),
            )
    return TicketnetRejected(str(code or "").strip(), str(message or "").strip())


def translated(attempt: Callable[[float], T], deadline: float) -> T:
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
    except zeep.exceptions.Error as exc:  # ValidationError among them
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
