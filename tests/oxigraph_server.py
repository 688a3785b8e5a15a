"""A real ``oxigraph serve`` for the tests, and small local servers for the faults it won't make.

:class:`OxigraphServer` runs the server of the PyPI package ``oxigraph`` (the ``test``
extra) on 127.0.0.1 and a free port. :class:`Proxy` sits in front of it to delay answers
or to SIGKILL the server halfway through a PUT; :class:`Refusing` answers every request
with one status (401, 403) the way a server with authentication does.
"""

from __future__ import annotations

import http.client
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "date", "server"}


def oxigraph_binary() -> str:
    """The ``oxigraph`` command installed with the test extra."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if found is None:
        raise RuntimeError("the oxigraph server is missing: pip install -e '.[test]'")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class OxigraphServer:
    """``oxigraph serve --location DIR`` on 127.0.0.1, started and waited for."""

    def __init__(self, location: Path) -> None:
        self.location = location
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [oxigraph_binary(), "serve", "--location", str(location), "--bind", self.netloc],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_until_up()

    @property
    def netloc(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def store(self) -> str:
        """The Graph Store Protocol endpoint."""
        return f"{self.url}/store"

    def _wait_until_up(self, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/query?query=ASK%7B%7D", timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"oxigraph serve did not answer on {self.url} in {seconds:g} s")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, as in a crash."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def update(self, sparql: str) -> None:
        data = urllib.parse.urlencode({"update": sparql}).encode()
        with urllib.request.urlopen(f"{self.url}/update", data, timeout=30):
            pass

    def select(self, sparql: str) -> list[dict[str, str]]:
        """A SELECT's rows, each variable to the value of its term."""
        import json

        data = urllib.parse.urlencode({"query": sparql}).encode()
        request = urllib.request.Request(
            f"{self.url}/query", data, {"Accept": "application/sparql-results+json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            results = json.load(response)
        return [
            {name: term["value"] for name, term in row.items()}
            for row in results["results"]["bindings"]
        ]

    def graph_sizes(self) -> dict[str, int]:
        """Triples in each named graph."""
        rows = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {row["g"]: int(row["n"]) for row in rows}


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (a timeout) is what some tests are about


class _Server:
    """A local HTTP server on a free port, run in a thread."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.httpd = _Quiet(("127.0.0.1", 0), handler)
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


class _ProxyHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.owner.forward(self)  # type: ignore[attr-defined]

    do_PUT = do_POST = do_DELETE = do_GET


class Proxy(_Server):
    """Forwards to ``upstream``; can delay answers or kill the upstream mid-request.

    ``delay`` seconds are waited before forwarding each of the first ``delayed``
    requests. ``cut(method, graph)`` is asked before forwarding; when it says yes, half
    the body is sent, ``on_cut`` runs (it kills the server) and from then on every
    connection is closed without an answer, as by a dead server.
    """

    def __init__(
        self,
        upstream: str,
        *,
        delay: float = 0.0,
        delayed: int = 0,
        cut: Callable[[str, str], bool] | None = None,
        on_cut: Callable[[], None] | None = None,
    ) -> None:
        self.upstream = upstream
        self.delay, self.delayed = delay, delayed
        self.cut, self.on_cut = cut, on_cut
        self.log: list[tuple[str, str]] = []  # (method, graph IRI) of each request
        self.dead = False
        self.lock = threading.Lock()
        super().__init__(_ProxyHandler)

    @property
    def store(self) -> str:
        return f"{self.url}/store"

    def forward(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(handler.path).query)
        graph = query.get("graph", [""])[0]
        with self.lock:
            if self.dead:
                handler.close_connection = True
                return
            self.log.append((handler.command, graph))
            slow = len(self.log) <= self.delayed
            cut = self.cut is not None and self.cut(handler.command, graph)
        if slow:
            time.sleep(self.delay)
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in _HOP | {"host"}}
        upstream = http.client.HTTPConnection(self.upstream, timeout=60)
        try:
            if cut:
                self._cut(upstream, handler, headers, body)
                return
            upstream.request(handler.command, handler.path, body or None, headers)
            answer = upstream.getresponse()
            data = answer.read()
        finally:
            upstream.close()
        handler.send_response(answer.status, answer.reason)
        for key, value in answer.getheaders():
            if key.lower() not in _HOP:
                handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _cut(
        self,
        upstream: http.client.HTTPConnection,
        handler: BaseHTTPRequestHandler,
        headers: dict[str, str],
        body: bytes,
    ) -> None:
        upstream.putrequest(handler.command, handler.path, skip_accept_encoding=True)
        for key, value in headers.items():
            upstream.putheader(key, value)
        upstream.putheader("Content-Length", str(len(body)))
        upstream.endheaders()
        upstream.send(body[: len(body) // 2])
        time.sleep(0.2)  # let the server start reading the body
        with self.lock:
            self.dead = True
        if self.on_cut is not None:
            self.on_cut()
        handler.close_connection = True


class Refusing(_Server):
    """Answers every request with ``status`` and records the Authorization headers.

    With ``location``, the answer is a redirect there.
    """

    def __init__(self, status: int, location: str | None = None) -> None:
        self.status = status
        self.location = location
        self.authorizations: list[str | None] = []
        super().__init__(_RefusingHandler)


class _RefusingHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        owner: Refusing = self.server.owner  # type: ignore[attr-defined]
        owner.authorizations.append(self.headers.get("Authorization"))
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = b"credentials refused\n"
        self.send_response(owner.status)
        self.send_header("WWW-Authenticate", 'Basic realm="kg-test"')
        if owner.location is not None:
            self.send_header("Location", owner.location)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_PUT = do_POST = do_DELETE = do_GET
