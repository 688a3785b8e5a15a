"""Raw TCP listeners for the network tests: they record every connection, then misbehave.

A :class:`Listener` accepts connections on 127.0.0.1 in a thread and counts them, so a
test can assert that nothing at all reached it (a SERVICE target, a proxy). What it does
with a connection is its ``behaviour``: close at once, answer one canned response, send a
body one byte a second, trickle the headers, or send an endless body.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable

Behaviour = Callable[[socket.socket, "Listener"], None]


class Listener:
    """Accepts TCP connections on a free port, records them, and runs ``behaviour`` on each."""

    def __init__(self, behaviour: Behaviour | None = None) -> None:
        self.behaviour = behaviour or close_at_once
        self.connections = 0
        self.requests: list[bytes] = []  # what each connection sent first (its head)
        self.stopping = threading.Event()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        # OSError: the client gave up, which is what most of these tests are about.
        with conn, contextlib.suppress(OSError):
            self.behaviour(conn, self)

    def close(self) -> None:
        self.stopping.set()
        self.sock.close()
        self.thread.join(timeout=5)

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_head(conn: socket.socket, listener: Listener) -> bytes:
    """The request's head (up to the blank line), recorded on the listener."""
    conn.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    listener.requests.append(data)
    return data


def close_at_once(conn: socket.socket, listener: Listener) -> None:
    read_head(conn, listener)


def answer(status: str, media_type: str, body: bytes) -> Behaviour:
    """Answer each request with one whole response."""

    def behaviour(conn: socket.socket, listener: Listener) -> None:
        read_head(conn, listener)
        head = (
            f"HTTP/1.1 {status}\r\nContent-Type: {media_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        conn.sendall(head.encode() + body)

    return behaviour


def one_byte_a_second(conn: socket.socket, listener: Listener) -> None:
    """Valid headers promising a large body, then the body one byte a second."""
    read_head(conn, listener)
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/n-triples\r\nContent-Length: 100000\r\n\r\n"
    )
    while not listener.stopping.is_set():
        conn.sendall(b"#")
        time.sleep(1.0)


def trickled_headers(conn: socket.socket, listener: Listener) -> None:
    """The status line, then one byte of an endless header a second: no read ever times out."""
    read_head(conn, listener)
    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    while not listener.stopping.is_set():
        conn.sendall(b"a")
        time.sleep(1.0)


def endless_body(conn: socket.socket, listener: Listener) -> None:
    """A 200 with no length, then bytes as fast as the client reads them, forever."""
    read_head(conn, listener)
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
        b"Connection: close\r\n\r\n"
    )
    block = b" " * 65536
    while not listener.stopping.is_set():
        conn.sendall(block)
