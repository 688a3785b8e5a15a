"""Load a build into a remote triple store over the SPARQL 1.1 Graph Store Protocol.

``kg load BUILD --endpoint URL`` sends one HTTP ``PUT URL?graph=<document IRI>`` per
document graph, an N-Triples body, so each document is replaced whole by the server.
The stdlib's urllib is the client: nothing else to install, and no connection is opened
unless the user names an endpoint.

The server keeps the same manifest as the local store (:mod:`kg.sparql.store`), so a rerun
skips the graphs it already holds at the build's version. Every entry of the manifest is
true at every moment, which is what makes a load resumable after it stops anywhere:

1. GET the manifest graph (absent: nothing loaded yet) and plan as the store does.
2. If a graph is to change, PUT the manifest back without the versions of the graphs
   about to change; ``dcterms:hasPart`` stays, so a graph to remove is still known.
3. DELETE the graphs whose documents left the build.
4. PUT each new or changed graph, then POST its manifest entry (GSP POST adds triples).
5. PUT the manifest of the build, exactly.

Timeouts, refused or reset connections and 5xx answers are retried with exponential
backoff; a PUT is idempotent, so repeating one whose answer was lost is harmless. A 4xx
stops the load with one line. Credentials come from an environment variable and travel
only in the ``Authorization`` header: never printed, logged or written anywhere.
"""

from __future__ import annotations

import base64
import http.client
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import InputError, OutputError
from kg.progress import Tracker, quiet
from kg.sparql.store import (
    GraphPayload,
    Sync,
    manifest_iri,
    manifest_payload,
    plan,
    read_manifest,
)

__all__ = ["Endpoint", "endpoint", "load_endpoint"]

NTRIPLES = "application/n-triples"
_RESUME = "then rerun kg load (it resumes where it stopped)"
_CHECK = f"check the server, {_RESUME}"


@dataclass(frozen=True)
class Endpoint:
    """A Graph Store Protocol endpoint and how to talk to it."""

    url: str
    authorization: str | None = field(default=None, repr=False)  # never shown
    auth_env: str | None = None  # the variable the credentials came from, for messages
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 0.5  # seconds before the first retry; doubled for each next one


def endpoint(
    url: str,
    auth_env: str | None = None,
    timeout: float = 30.0,
    retries: int = 4,
    environ: Mapping[str, str] = os.environ,
) -> Endpoint:
    """Check ``url`` and read the credentials named by ``auth_env``.

    The variable holds ``user:password`` (HTTP basic) or a token (HTTP bearer).
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(
            url, "is not an http(s) URL", "give the Graph Store Protocol URL with --endpoint"
        )
    if parts.username is not None or parts.password is not None:
        # Never echo the URL: it holds the secret.
        raise InputError(
            "--endpoint",
            "the URL holds credentials",
            "put them in an environment variable and pass its name with --auth-env",
        )
    authorization = None
    if auth_env is not None:
        secret = environ.get(auth_env, "")
        if not secret:
            raise InputError(
                f"--auth-env {auth_env}",
                "the environment variable is not set or empty",
                "set it to user:password or to a token",
            )
        if ":" in secret:
            authorization = "Basic " + base64.b64encode(secret.encode("utf-8")).decode("ascii")
        else:
            authorization = f"Bearer {secret}"
    return Endpoint(url, authorization, auth_env, timeout, retries)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: urllib would resend the Authorization header to wherever they point."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class _Client:
    """Graph Store Protocol requests with retries; failures become one-line errors."""

    def __init__(self, ep: Endpoint) -> None:
        self.ep = ep
        self.opener = urllib.request.build_opener(_NoRedirect)

    def _url(self, graph: str) -> str:
        joiner = "&" if "?" in self.ep.url else "?"
        return f"{self.ep.url}{joiner}{urllib.parse.urlencode({'graph': graph})}"

    def get(self, graph: str) -> tuple[bytes, str] | None:
        """The graph's content and media type, or None when the server has no such graph."""
        return self._send("GET", graph, None, {"Accept": NTRIPLES})

    def put(self, graph: str, body: bytes) -> None:
        self._send("PUT", graph, body, {"Content-Type": NTRIPLES})

    def post(self, graph: str, body: bytes) -> None:
        self._send("POST", graph, body, {"Content-Type": NTRIPLES})

    def delete(self, graph: str) -> None:
        self._send("DELETE", graph, None, {})

    def _send(
        self, method: str, graph: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[bytes, str] | None:
        if self.ep.authorization is not None:
            headers = headers | {"Authorization": self.ep.authorization}
        problem, fix = "", _CHECK
        for attempt in range(self.ep.retries + 1):
            if attempt:
                time.sleep(self.ep.backoff * 2 ** (attempt - 1))
            request = urllib.request.Request(self._url(graph), body, headers, method=method)
            try:
                with self.opener.open(request, timeout=self.ep.timeout) as response:
                    return response.read(), response.headers.get_content_type()
            except urllib.error.HTTPError as exc:
                detail = _body(exc)
                if exc.code == 404 and method in ("GET", "DELETE"):
                    return None
                if exc.code < 500 and exc.code not in (408, 429):
                    raise self._refused(method, graph, exc.code, exc.reason, detail) from None
                problem, fix = f"HTTP {exc.code} {exc.reason}", f"check the server's log, {_RESUME}"
            except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
                reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
                problem, fix = self._connection_problem(reason)
        tries = self.ep.retries + 1
        raise OutputError(
            f"{method} {self.ep.url}: {problem}, {tries} {'try' if tries == 1 else 'tries'}; {fix}"
        )

    def _connection_problem(self, reason: object) -> tuple[str, str]:
        """What went wrong and what to do, or raise at once when retrying cannot help."""
        if isinstance(reason, TimeoutError):
            return (
                f"no answer within {self.ep.timeout:g} s",
                f"raise --timeout if the server is slow, {_RESUME}",
            )
        if isinstance(reason, ConnectionRefusedError):
            return "connection refused", f"check that a server runs at that address, {_RESUME}"
        if isinstance(reason, ConnectionError | http.client.HTTPException):
            return f"the connection was lost ({type(reason).__name__})", _CHECK
        # DNS failures, TLS errors and the like do not heal by waiting.
        text = reason.strerror if isinstance(reason, OSError) and reason.strerror else reason
        raise OutputError(
            f"cannot reach {self.ep.url}: {' '.join(str(text).split())}; check the URL"
        )

    def _refused(self, method: str, graph: str, code: int, reason: str, detail: str) -> OutputError:
        if code in (401, 403) and self.ep.auth_env is None:
            return OutputError(
                f"{self.ep.url} requires credentials (HTTP {code} {reason}); put user:password "
                "or a token in an environment variable and pass its name with --auth-env"
            )
        if code in (401, 403):
            return OutputError(
                f"{self.ep.url} refused the credentials in ${self.ep.auth_env} "
                f"(HTTP {code} {reason}); check the user and password or the token it holds"
            )
        said = " ".join(detail.split())[:200]
        return OutputError(
            f"{method} of graph <{graph}> refused by {self.ep.url}: HTTP {code} {reason}"
            + (f" ({said})" if said else "")
            + "; check that the URL is a SPARQL 1.1 Graph Store Protocol endpoint (Oxigraph: "
            "/store, Fuseki: /DATASET/data, GraphDB: /repositories/ID/rdf-graphs/service)"
        )


def _body(error: urllib.error.HTTPError) -> str:
    """The start of an error answer's body (what the server says is wrong), closed after."""
    try:
        return error.read(300).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        return ""
    finally:
        error.close()


def _read_manifest(client: _Client, manifest: str) -> dict[str, frozenset[str]]:
    found = client.get(manifest)
    if found is None:
        return {}
    body, media_type = found
    rdf_format = ox.RdfFormat.from_media_type(media_type) or ox.RdfFormat.N_TRIPLES
    try:
        triples = [q.triple for q in ox.parse(body, rdf_format)]
    except (SyntaxError, ValueError) as exc:
        raise OutputError(
            f"cannot read the manifest graph <{manifest}> from the endpoint "
            f"({' '.join(str(exc).split())}); check that the URL is a Graph Store Protocol endpoint"
        ) from exc
    return read_manifest(triples, manifest)


def load_endpoint(
    ep: Endpoint, payloads: Mapping[str, GraphPayload], base: str, progress: Tracker = quiet
) -> Sync:
    """Make the endpoint hold the build's document graphs; resumable, see the module doc."""
    manifest = manifest_iri(base)
    if manifest in payloads:
        raise InputError(
            manifest, "is the manifest graph and a graph of the build", "use another --base"
        )
    client = _Client(ep)
    current = _read_manifest(client, manifest)
    todo = plan(payloads, current)
    if todo.empty:
        return Sync(ep.url, todo)
    stays = {name: next(iter(current[name])) for name in todo.unchanged}
    if any(current[name] for name in current if name not in stays):
        client.put(manifest, manifest_payload(manifest, current, stays).ntriples)
    for name in todo.removed:
        client.delete(name)
    for payload in progress(todo.writes, total=len(todo.writes), label="load"):
        client.put(payload.name, payload.ntriples)
        entry = manifest_payload(manifest, [payload.name], {payload.name: payload.version})
        client.post(manifest, entry.ntriples)
    versions = {name: p.version for name, p in payloads.items()}
    client.put(manifest, manifest_payload(manifest, payloads, versions).ntriples)
    return Sync(ep.url, todo)
