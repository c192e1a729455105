"""How the gateway's bytes travel: the zeep/requests transport with its timeouts, the call's
deadline and the response size cap; the contract's files are read from wsdl/ only."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import requests
import zeep

from . import WSDL_DIR
from .error_translation import raise_for_status_without_fault
from .errors import ContractError, TicketnetUnavailable
from .safexml import refuse_doctype

MAX_RESPONSE_BYTES = 64 * 1024 * 1024


class _QuietBelowWarning(logging.Filter):
    """zeep's transport logs whole envelopes (the password is in the header) at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


for _name in ("zeep.transports", "zeep.wsdl.bindings.soap"):
    logging.getLogger(_name).addFilter(_QuietBelowWarning())


def default_timeouts() -> tuple[float, float, float]:
    """(connect, read, operation) timeouts in seconds from the settings."""
    try:
        from django.conf import settings

        return (
            float(settings.TICKETNET_CONNECT_TIMEOUT),
            float(settings.TICKETNET_READ_TIMEOUT),
            float(settings.TICKETNET_OPERATION_TIMEOUT),
        )
    except Exception:  # noqa: BLE001 - outside Django (benchmarks, scripts): the defaults
        return 5.0, 60.0, 120.0


class Transport(zeep.Transport):
    """Loads documents from the package's wsdl/ only; posts with connect/read timeouts and the
    call's deadline; never logs; turns 5xx answers that are not SOAP faults into
    TicketnetUnavailable."""

    def __init__(self, *, session: requests.Session, connect_timeout: float, read_timeout: float):
        super().__init__(session=session, timeout=connect_timeout)
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._local = threading.local()

    @contextmanager
    def deadline(self, deadline: float) -> Iterator[None]:
        """Within the block, this thread's posts end by `deadline` (time.monotonic())."""
        self._local.deadline = deadline
        try:
            yield
        finally:
            self._local.deadline = None

    def remaining(self) -> float:
        """Seconds left before the call's deadline (the read timeout when none is set)."""
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
            response._content = read_body(response, self.remaining)
        finally:
            response.close()
        # Refused here, before zeep parses anything: a DTD or entity is never expanded.
        for _ in refuse_doctype([response._content]):
            pass
        raise_for_status_without_fault(response.status_code, response.content)
        return response

    def open(self, address: str, message: bytes, headers: dict[str, str]) -> requests.Response:
        """The response with its body not read yet (read it with `bounded_chunks`)."""
        timeout = (self.connect_timeout, min(self.read_timeout, self.remaining()))
        return self.session.post(address, data=message, headers=headers, timeout=timeout,
                                 stream=True)


def bounded_chunks(response: requests.Response,
                   remaining: Callable[[], float]) -> Iterator[bytes]:
    """The body as it arrives, cut at MAX_RESPONSE_BYTES; `remaining` raises once the call's
    deadline has passed."""
    size = 0
    for chunk in response.iter_content(chunk_size=256 * 1024):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise ContractError(f"Ticketnet's response is larger than {MAX_RESPONSE_BYTES} bytes.")
        remaining()
        yield chunk


def read_body(response: requests.Response, remaining: Callable[[], float]) -> bytes:
    return b"".join(bounded_chunks(response, remaining))
