"""Hardened XML reading for responses the gateway parses itself (the listOperations hot path).

No DTD, no entities, no network, no huge trees: a DOCTYPE or ENTITY anywhere is refused before
lxml sees it, so nothing is ever expanded or fetched.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from lxml import etree

from .errors import ContractError

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
_FORBIDDEN = (b"<!DOCTYPE", b"<!ENTITY")
_OVERLAP = max(len(token) for token in _FORBIDDEN) - 1


def hardened_parser(**extra) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_comments=True, remove_pis=True, **extra,
    )


def refuse_doctype(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Pass chunks through, raising ContractError on a DOCTYPE or ENTITY declaration, even one
    split across two chunks."""
    tail = b""
    for chunk in chunks:
        window = tail + chunk
        for token in _FORBIDDEN:
            if token in window:
                raise ContractError(
                    "Ticketnet's response carries a DTD or an entity declaration: refused, "
                    "never expanded."
                )
        tail = window[-_OVERLAP:]
        yield chunk


def parse_document(content: bytes) -> etree._Element:
    """Parse a whole small document (a fault, an error body) with the hardened parser."""
    for _ in refuse_doctype([content]):
        pass
    try:
        return etree.fromstring(content, parser=hardened_parser())
    except etree.XMLSyntaxError as exc:
        raise ContractError(f"Ticketnet's response is not well-formed XML: {exc.msg}") from None


def find_fault(root: etree._Element) -> etree._Element | None:
    return root.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
