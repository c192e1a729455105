"""How the gateway's bytes travel: the zeep/requests transport with its timeouts, the call's
deadline and the response size cap; the contract's files are read from wsdl/ only."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

import requests
import zeep
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from . import WSDL_DIR
from .error_translation import raise_for_status_without_fault
from .errors import ContractError, DeadlinePassed
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

    def __init__(self, *, session: requests.Session, connect_timeout: float, read_timeout: float,
                 operation_timeout: float):
        super().__init__(session=session, timeout=connect_timeout)
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.operation_timeout = operation_timeout
        self._local = threading.local()
        for prefix in ("http://", "https://"):
            session.mount(prefix, _WatchedAdapter())

    @contextmanager
    def deadline(self, deadline: float) -> Iterator[None]:
        """Within the block, this thread's posts end by `deadline` (time.monotonic()), however
        slowly Ticketnet answers: a read timeout bounds each wait for bytes, not a trickle of
        them, so at the deadline a watchdog shuts the call's connections down and the blocked
        read ends as DeadlinePassed."""
        watchdog = _Watchdog(deadline)
        self._local.deadline = deadline
        _calls.watchdog = watchdog
        try:
            yield
        except Exception:
            if watchdog.fired:
                raise DeadlinePassed(self.operation_timeout) from None
            raise
        finally:
            watchdog.disarm()
            self._local.deadline = None
            _calls.watchdog = None

    def remaining(self) -> float:
        """Seconds left before the call's deadline (the read timeout when none is set)."""
        deadline = getattr(self._local, "deadline", None)
        if deadline is None:
            return self.read_timeout
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise DeadlinePassed(self.operation_timeout)
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


# The watchdog of the call in progress in this thread, which the connection pools tell of the
# connections they hand out.
_calls = threading.local()
_POLL_AFTER_DEADLINE = 0.05


class _Watchdog:
    """Shuts down, once `deadline` has passed, the sockets of the connections the call uses.
    One daemon thread per call, gone when the call ends (`disarm`)."""

    def __init__(self, deadline: float):
        self.deadline = deadline
        self.fired = False
        self._connections: list = []
        self._lock = threading.Lock()
        self._disarmed = threading.Event()
        threading.Thread(target=self._watch, name="ticketnet-deadline", daemon=True).start()

    def add(self, connection) -> None:
        with self._lock:
            self._connections.append(connection)

    def disarm(self) -> None:
        self._disarmed.set()

    def _watch(self) -> None:
        if self._disarmed.wait(max(0.0, self.deadline - time.monotonic())):
            return
        self.fired = True
        # Until the call gives up: a connection still connecting has no socket yet.
        while True:
            with self._lock:
                for connection in self._connections:
                    _shut_down(getattr(connection, "sock", None))
            if self._disarmed.wait(_POLL_AFTER_DEADLINE):
                return


def _shut_down(sock) -> None:
    """Wake the thread blocked reading `sock`. Never close() from here (the descriptor could be
    reused under the reader); socket.socket's own shutdown, so TLS is not unwrapped under it."""
    if sock is None:
        return
    with suppress(OSError):  # already closed or shut down
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _WatchedPool:
    def _get_conn(self, timeout: float | None = None):
        connection = super()._get_conn(timeout)
        watchdog = getattr(_calls, "watchdog", None)
        if watchdog is not None:
            watchdog.add(connection)
        return connection


class _WatchedHTTPConnectionPool(_WatchedPool, HTTPConnectionPool):
    pass


class _WatchedHTTPSConnectionPool(_WatchedPool, HTTPSConnectionPool):
    pass


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter whose pools report each connection to the call's watchdog."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPConnectionPool, "https": _WatchedHTTPSConnectionPool}


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
