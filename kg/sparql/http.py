"""The SPARQL 1.1 Protocol client of ``kg query --endpoint``, on the shared HTTP transport.

A query is POSTed as ``application/sparql-query`` (an allowed update as
``application/sparql-update``), answers are read as SPARQL JSON results or N-Triples.
Parameters cannot travel as pyoxigraph substitutions, so they become a ``VALUES`` block
at the top of the query's WHERE group (:func:`kg.sparql.text.bind_values`), each value an
N-Triples-escaped term: a value can never end its literal and change the query. A
trailing VALUES clause would not do: it is joined after the group's FILTERs ran, and the
shipped queries filter on their parameters.

Credentials come only from the environment variable named by ``--auth-env``; a URL
holding user info is refused before anything is sent. The requests go through the one
httpx client of :mod:`kg.sparql.transport` (the URL check, the credentials only in the
Authorization header, no environment proxies, no redirects, one deadline for the
exchange, a size cap on the answer); this module words what went wrong in terms of
``kg query``'s options.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import QueryError
from kg.sparql import DEFAULT_PREFIXES, Answer, Source, Term, distinct_sorted, one_line
from kg.sparql.text import BindError, Form, bind_values, undeclared_prefixes
from kg.sparql.transport import (
    MAX_RESPONSE_BYTES,
    Client,
    HttpError,
    Kind,
    authorization,
    check_url,
)

__all__ = ["Endpoint"]

SELECT_ACCEPT = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"


def with_prefixes(text: str) -> str:
    """``text`` with a PREFIX line for each newskg prefix it uses undeclared, as local runs allow.

    The declarations go on one line before the text, so an endpoint's error positions are
    one line further down than in the text given.
    """
    missing = sorted(undeclared_prefixes(text) & DEFAULT_PREFIXES.keys())
    if not missing:
        return text
    return " ".join(f"PREFIX {p}: <{DEFAULT_PREFIXES[p]}>" for p in missing) + "\n" + text


@dataclass(frozen=True)
class Endpoint(Source):
    """A SPARQL 1.1 Protocol endpoint: queries and updates POSTed directly."""

    url: str
    timeout: float = 30.0
    # The Authorization header value; never shown (repr=False keeps it out of tracebacks).
    authorization: str | None = field(default=None, repr=False)

    max_bytes: int = MAX_RESPONSE_BYTES  # the largest answer read

    @classmethod
    def connect(cls, url: str, timeout: float, auth_env: str | None) -> Endpoint:
        """An endpoint at ``url``; credentials come only from the environment variable named."""
        try:
            check_url(url)
        except HttpError as exc:
            raise QueryError(f"--endpoint: {exc.detail}") from None
        return cls(url, timeout, _authorization(auth_env) if auth_env else None)

    def query(self, text: str, form: Form, params: Mapping[str, Term]) -> Answer:
        try:
            body = bind_values(
                with_prefixes(text), {name: str(term) for name, term in params.items()}
            )
        except BindError as exc:
            raise QueryError(f"--param: {exc}") from exc
        graph = form in (Form.CONSTRUCT, Form.DESCRIBE)
        data, media_type = self._post(
            body, "application/sparql-query", GRAPH_ACCEPT if graph else SELECT_ACCEPT
        )
        try:
            if graph:
                rdf_format = ox.RdfFormat.from_media_type(media_type) or ox.RdfFormat.N_TRIPLES
                quads = ox.parse(data, format=rdf_format)
                return distinct_sorted(q.triple for q in quads)
            results_format = (
                ox.QueryResultsFormat.from_media_type(media_type) or ox.QueryResultsFormat.JSON
            )
            return ox.parse_query_results(data, format=results_format)
        except (SyntaxError, ValueError) as exc:
            raise QueryError(
                f"the endpoint's answer ({media_type or 'no type'}) cannot be read: "
                f"{one_line(str(exc), 120)}"
            ) from exc

    def update(self, text: str) -> None:
        self._post(with_prefixes(text), "application/sparql-update", "*/*")

    def _post(self, body: str, content_type: str, accept: str) -> tuple[bytes, str]:
        headers = {"Content-Type": f"{content_type}; charset=utf-8", "Accept": accept}
        try:
            with Client(self.authorization, self.timeout, self.max_bytes, 300) as client:
                reply = client.send("POST", self.url, body.encode("utf-8"), headers)
        except HttpError as exc:
            raise QueryError(self._failed(exc)) from None
        return reply.body, reply.media_type

    def _failed(self, exc: HttpError) -> str:
        """What went wrong, in terms of kg query's options (never the credentials)."""
        if exc.location is not None:
            return f"the endpoint redirects to {exc.location}; give that URL to --endpoint"
        if exc.kind is Kind.STATUS:
            return (
                f"the endpoint {self.url} answered HTTP {exc.status} {exc.reason}: "
                f"{one_line(exc.text, 160)}"
            )
        if exc.kind is Kind.TIMEOUT:
            return f"no answer from {self.url} within {self.timeout:g} s; raise --timeout"
        if exc.kind is Kind.TOO_LARGE:
            return f"{exc.detail} from {self.url}; ask for less (LIMIT, fewer variables)"
        return f"cannot reach {self.url}: {exc.detail}"


def _authorization(variable: str) -> str:
    """The Authorization header from ``$variable``: ``user:password`` (basic) or a token."""
    header = authorization(variable)
    if header is None:
        raise QueryError(
            f"--auth-env {variable}: the environment variable is not set; "
            "export it as user:password or a bearer token"
        )
    return header
