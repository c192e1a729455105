"""A Ticketnet that answers one byte at a time, on loopback: in its headers ("headers") or,
headers sent at once, in its body ("body"). Real sockets, a real thread per connection."""

from __future__ import annotations

import socket
import threading
import time

BODY = (
    b'<?xml version="1.0" encoding="utf-8"?>'
    b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    + b" " * 4000 + b"</soap:Body></soap:Envelope>"
)


class TricklingServer:
    """`with TricklingServer(mode="body", interval=1.0) as server:` → `server.url` is
    "127.0.0.1:PORT"; `server.connections` counts the requests it took, `server.open` those
    whose client has not hung up yet."""

    def __init__(self, *, mode: str = "body", interval: float = 1.0):
        if mode not in ("headers", "body"):
            raise ValueError(mode)
        self.mode = mode
        self.interval = interval
        self.connections = 0
        self.open = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.url = f"127.0.0.1:{self._listener.getsockname()[1]}"
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> TricklingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()

    def wait_until_all_closed(self, seconds: float) -> bool:
        """Whether every client hung up within `seconds` (the server notices on its next
        byte, at most `interval` later)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            with self._lock:
                if self.open == 0:
                    return True
            time.sleep(0.05)
        return False

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self.open += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        try:
            with conn:
                _read_request(conn)
                head = (b"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n"
                        b"Content-Length: %d\r\n\r\n" % len(BODY))
                if self.mode == "body":
                    conn.sendall(head)
                    slow = BODY
                else:
                    slow = head + BODY
                for byte in slow:
                    if self._stop.wait(self.interval):
                        return
                    conn.sendall(bytes([byte]))
        except OSError:
            pass  # the client hung up: what the deadline is for
        finally:
            with self._lock:
                self.open -= 1


def _read_request(conn: socket.socket) -> None:
    """Read the request's headers and its Content-Length body."""
    conn.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _sep, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _colon, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return
        body += chunk
    conn.settimeout(None)
