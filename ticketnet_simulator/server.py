"""Serving the simulator: a threading wsgiref server, in the foreground or in a thread."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .accounts import DEMO_INSTITUTION_CODE, DEMO_LOGIN, DEMO_PASSWORD
from .soap import SimulatorApp
from .state import SimulatorState

logger = logging.getLogger(__name__)


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


class _Handler(WSGIRequestHandler):
    def get_environ(self):
        environ = super().get_environ()
        connection = self.connection

        def drop() -> None:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

        environ["simulator.drop"] = drop
        return environ

    def log_message(self, format, *args):  # noqa: A002 - wsgiref's signature
        logger.debug("%s %s", self.address_string(), format % args)


def split_bind(bind: str) -> tuple[str, int]:
    host, _sep, port = bind.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


def make_simulator_server(bind: str, state: SimulatorState) -> WSGIServer:
    host, port = split_bind(bind)
    return make_server(host, port, SimulatorApp(state), server_class=_ThreadingServer,
                       handler_class=_Handler)


class RunningSimulator:
    """A simulator served from a background thread (tests, rehearsals): `.url` is
    `127.0.0.1:PORT` as an interface holds it, `.state` the Python API."""

    login = DEMO_LOGIN
    password = DEMO_PASSWORD
    institution_code = DEMO_INSTITUTION_CODE

    def __init__(self, state_path: str | Path, bind: str = "127.0.0.1:0"):
        self.state_path = Path(state_path)
        self.bind = bind
        self.state: SimulatorState | None = None
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    @property
    def credentials(self) -> dict[str, str]:
        return {"url": self.url, "login": self.login, "password": self.password,
                "institution_code": self.institution_code, "server_name": "",
                "client_name": "ELCA"}

    def start(self) -> RunningSimulator:
        self.state = SimulatorState(self.state_path)
        self.state.ensure_demo_account()
        self._server = make_simulator_server(self.bind, self.state)
        # The next start (a restart) keeps the same port.
        self.bind = self.url
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True,
                                        name=f"ticketnet-simulator-{self.url}")
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None
        if self.state is not None:
            self.state.close()

    def restart(self) -> RunningSimulator:
        self.stop()
        return self.start()

    def __enter__(self) -> RunningSimulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
