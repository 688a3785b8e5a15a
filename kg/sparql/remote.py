"""Load a build into a remote triple store over the SPARQL 1.1 Graph Store Protocol.

``kg load BUILD --endpoint URL`` sends one HTTP ``PUT URL?graph=<document IRI>`` per
document graph, an N-Triples body, so each document is replaced whole by the server.
The client is the one httpx client of :mod:`kg.sparql.transport`, and no connection is
opened unless the user names an endpoint.

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
stops the load with one line. ``--timeout`` bounds each whole exchange (a request and
its whole answer), and an answer larger than the size cap stops the load. Credentials
come from an environment variable; the requests go through :mod:`kg.sparql.transport`,
which puts them only in the ``Authorization`` header (never printed, logged or written
anywhere), uses no environment proxy and follows no redirect. This module decides what
to retry and words the messages in terms of ``kg load``.
"""

from __future__ import annotations

import os
import time
import urllib.parse
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
from kg.sparql.transport import Client, HttpError, Kind, authorization, check_url

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
    try:
        check_url(url)
    except HttpError as exc:
        raise InputError("--endpoint", exc.detail) from None
    header = None
    if auth_env is not None:
        header = authorization(auth_env, environ)
        if header is None:
            raise InputError(
                f"--auth-env {auth_env}",
                "the environment variable is not set or empty",
                "set it to user:password or to a token",
            )
    return Endpoint(url, header, auth_env, timeout, retries)


# What the server says is wrong, in a refusal's message: the start of its answer's body.
_DETAIL_BYTES = 300


class _Client:
    """Graph Store Protocol requests with retries; failures become one-line errors."""

    def __init__(self, ep: Endpoint) -> None:
        self.ep = ep
        self.client = Client(ep.authorization, ep.timeout, detail_bytes=_DETAIL_BYTES)

    def __enter__(self) -> _Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

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
        problem, fix = "", _CHECK
        for attempt in range(self.ep.retries + 1):
            if attempt:
                time.sleep(self.ep.backoff * 2 ** (attempt - 1))
            try:
                reply = self.client.send(method, self._url(graph), body, headers)
                return reply.body, reply.media_type
            except HttpError as exc:
                if exc.kind is Kind.STATUS:
                    if exc.status == 404 and method in ("GET", "DELETE"):
                        return None
                    if exc.status < 500 and exc.status not in (408, 429):
                        raise self._refused(method, graph, exc) from None
                    problem = f"HTTP {exc.status} {exc.reason}"
                    fix = f"check the server's log, {_RESUME}"
                else:
                    problem, fix = self._connection_problem(exc)
        tries = self.ep.retries + 1
        raise OutputError(
            f"{method} {self.ep.url}: {problem}, {tries} {'try' if tries == 1 else 'tries'}; {fix}"
        )

    def _connection_problem(self, failure: HttpError) -> tuple[str, str]:
        """What went wrong and what to do, or raise at once when retrying cannot help."""
        if failure.kind is Kind.TIMEOUT:
            return (
                f"no answer within {self.ep.timeout:g} s (the whole exchange)",
                f"raise --timeout if the server is slow, {_RESUME}",
            )
        if failure.kind is Kind.REFUSED:
            return "connection refused", f"check that a server runs at that address, {_RESUME}"
        if failure.kind is Kind.LOST:
            return failure.detail, _CHECK
        if failure.kind is Kind.TOO_LARGE:
            raise OutputError(
                f"{self.ep.url}: {failure.detail}; check that the URL is a Graph Store "
                "Protocol endpoint"
            )
        # DNS failures, TLS errors and the like do not heal by waiting.
        raise OutputError(f"cannot reach {self.ep.url}: {failure.detail}; check the URL")

    def _refused(self, method: str, graph: str, exc: HttpError) -> OutputError:
        code, reason, detail = exc.status, exc.reason, exc.text
        if exc.location is not None:
            return OutputError(
                f"{self.ep.url} redirects (HTTP {code} {reason}) to {exc.location}; "
                "give that URL to --endpoint"
            )
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
    with _Client(ep) as client:
        return _load(client, ep, payloads, manifest, progress)


def _load(
    client: _Client,
    ep: Endpoint,
    payloads: Mapping[str, GraphPayload],
    manifest: str,
    progress: Tracker,
) -> Sync:
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
