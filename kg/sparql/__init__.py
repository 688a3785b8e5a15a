"""SPARQL over a build: the shipped competency queries, parameters, and where queries run.

A query runs against one of three sources:

- a build folder (``graph.nq``, else ``graph.trig``, else ``graph.ttl``) loaded into an
  in-memory pyoxigraph store;
- an on-disk pyoxigraph store, opened read-only unless updates are allowed;
- a remote SPARQL 1.1 endpoint, over HTTP with the one httpx client
  (:mod:`kg.sparql.http`, :mod:`kg.sparql.transport`).

Locally the default graph is the union of the named graphs (one per document), so a
query needs no ``GRAPH`` clause. Nothing writes and nothing reaches the network unless
asked: :func:`check` refuses an update (read from the query's tokens, :mod:`kg.sparql.text`),
and a ``SERVICE`` clause or a ``LOAD`` (pyoxigraph opens HTTP connections for both) read
from the query's algebra (:mod:`kg.sparql.reach`), before any of them can run.

Parameters (``--param NAME=VALUE``) are RDF terms, never text pasted into the query:
locally they are pyoxigraph's ``substitutions``; for an endpoint they become a
``VALUES`` block of N-Triples-escaped terms at the top of the WHERE group
(:func:`kg.sparql.text.bind_values`), see :mod:`kg.sparql.http`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import pyoxigraph as ox

from kg.errors import QueryError  # defined in the one tree, re-exported for kg.sparql's users
from kg.graph.vocab import PREFIXES
from kg.sparql.reach import Unreadable, reach
from kg.sparql.store import store_failed
from kg.sparql.text import Form, Text, read

__all__ = [
    "DEFAULT_PREFIXES",
    "Answer",
    "Local",
    "Param",
    "QueryError",
    "ShippedQuery",
    "Source",
    "Term",
    "check",
    "distinct_sorted",
    "load_build",
    "one_line",
    "open_data",
    "open_store",
    "parse_param",
    "parse_term",
    "query_text",
    "run",
    "run_checked",
    "shipped",
]

Term = ox.NamedNode | ox.BlankNode | ox.Literal
# A SELECT's solutions, an ASK's answer, a CONSTRUCT/DESCRIBE's triples (sorted), or
# None after an update.
Answer = ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple] | None

# A query may use newskg's prefixes (kg:, schema:, skos:, oa: ...) without declaring them.
DEFAULT_PREFIXES = dict(PREFIXES)
GRAPH_FILES = (
    ("graph.nq", ox.RdfFormat.N_QUADS),
    ("graph.trig", ox.RdfFormat.TRIG),
    ("graph.ttl", ox.RdfFormat.TURTLE),
)


# -- the shipped queries (queries/*.rq) -------------------------------------------------


@dataclass(frozen=True)
class Param:
    """A parameter a shipped query documents with a ``# param: NAME — what`` line."""

    name: str
    description: str


@dataclass(frozen=True)
class ShippedQuery:
    """One ``queries/NAME.rq``: its first comment line is its description."""

    name: str
    description: str
    params: tuple[Param, ...]
    text: str


_PARAM_LINE = re.compile(r"#\s*param:\s*([A-Za-z_][A-Za-z0-9_]*)\s*[—:-]+\s*(.*)")
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


def queries_dir() -> Traversable:
    """The shipped queries, ``queries/`` linked into the package as ``kg/queries``."""
    return files("kg") / "queries"


def shipped() -> tuple[ShippedQuery, ...]:
    """Every shipped query, sorted by name."""
    found = [
        _shipped(entry.name.removesuffix(".rq"), entry.read_text(encoding="utf-8"))
        for entry in queries_dir().iterdir()
        if entry.name.endswith(".rq")
    ]
    return tuple(sorted(found, key=lambda q: q.name))


def _shipped(name: str, text: str) -> ShippedQuery:
    comments = [line.strip() for line in text.splitlines() if line.strip().startswith("#")]
    description = comments[0].lstrip("#").strip() if comments else ""
    params = tuple(
        Param(m.group(1), m.group(2).strip()) for c in comments if (m := _PARAM_LINE.match(c))
    )
    return ShippedQuery(name, description, params, text)


def query_text(query: str) -> tuple[str, ShippedQuery | None]:
    """The SPARQL text QUERY names: a ``.rq`` file, a shipped query's name, or the text."""
    path = Path(query)
    if query.endswith(".rq") or _is_file(path):
        try:
            return path.read_text(encoding="utf-8"), None
        except (OSError, UnicodeDecodeError) as exc:
            raise QueryError(f"{query}: cannot read the query file ({exc})") from exc
    if _NAME.fullmatch(query):
        by_name = {q.name: q for q in shipped()}
        if query not in by_name:
            raise QueryError(
                f"no shipped query is called {query!r}; `kg query --list` shows them all"
            )
        return by_name[query].text, by_name[query]
    return query, None


def _is_file(path: Path) -> bool:
    """Whether ``path`` names a file; a query text is not a file name, however long."""
    try:
        return "\n" not in str(path) and path.is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL
        return False


# -- parameters ---------------------------------------------------------------------------

_LANG_LITERAL = re.compile(r'"(.*)"@([A-Za-z]+(?:-[A-Za-z0-9]+)*)', re.DOTALL)
_TYPED_LITERAL = re.compile(r'"(.*)"\^\^<([^<>]*)>', re.DOTALL)
_QUOTED = re.compile(r'"(.*)"', re.DOTALL)
_IRI = re.compile(r"<(.*)>", re.DOTALL)
_VARNAME = re.compile(r"[A-Za-z0-9_]+")


def parse_term(value: str) -> Term:
    """The RDF term VALUE writes: ``<iri>``, ``"text"@lang``, ``"text"^^<dt>``, else a string.

    Nothing inside the quotes is unescaped or interpreted: ``"a \\" b"`` is the text
    between the outer quotes, as typed.
    """
    try:
        if m := _IRI.fullmatch(value):
            return ox.NamedNode(m.group(1))
        if m := _LANG_LITERAL.fullmatch(value):
            return ox.Literal(m.group(1), language=m.group(2))
        if m := _TYPED_LITERAL.fullmatch(value):
            return ox.Literal(m.group(1), datatype=ox.NamedNode(m.group(2)))
        if m := _QUOTED.fullmatch(value):
            return ox.Literal(m.group(1))
    except ValueError as exc:
        raise QueryError(f"{value!r} is not a valid RDF term ({exc})") from exc
    return ox.Literal(value)


def parse_param(spec: str) -> tuple[str, Term]:
    """``NAME=VALUE`` as the variable name and its RDF term."""
    name, sep, value = spec.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not _VARNAME.fullmatch(name):
        raise QueryError(f"--param {spec!r}: write NAME=VALUE, NAME a variable name without ?")
    try:
        return name, parse_term(value)
    except QueryError as exc:
        raise QueryError(f"--param {name}: {exc}") from exc


# -- where queries run ---------------------------------------------------------------------


class Source:
    """Somewhere a checked query or update runs."""

    def query(self, text: str, form: Form, params: Mapping[str, Term]) -> Answer:
        raise NotImplementedError

    def update(self, text: str) -> None:
        raise NotImplementedError


@dataclass
class Local(Source):
    """A pyoxigraph store queried with the union of its graphs as the default graph."""

    store: ox.Store
    label: str

    def query(self, text: str, form: Form, params: Mapping[str, Term]) -> Answer:
        substitutions: dict[ox.Variable, Term | ox.Triple] = {
            ox.Variable(k): v for k, v in params.items()
        }
        try:
            answer = self.store.query(
                text,
                prefixes=DEFAULT_PREFIXES,
                use_default_graph_as_union=True,
                substitutions=substitutions or None,
            )
        except SyntaxError as exc:
            raise QueryError(syntax_message(str(exc))) from exc
        except RuntimeError as exc:
            raise QueryError(_runtime_message(str(exc), self.label)) from exc
        except OSError as exc:
            raise QueryError(f"the query failed on {self.label}: {one_line(str(exc))}") from exc
        if isinstance(answer, ox.QueryTriples):
            return distinct_sorted(answer)
        return answer

    def update(self, text: str) -> None:
        try:
            self.store.update(text, prefixes=DEFAULT_PREFIXES)
        except SyntaxError as exc:
            raise QueryError(syntax_message(str(exc))) from exc
        except OSError as exc:
            raise QueryError(f"the update failed on {self.label}: {one_line(str(exc))}") from exc


def distinct_sorted(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The distinct triples in a stable order, so the same graph prints the same bytes.

    A triple held by several document graphs comes once per graph from the union.
    """
    try:
        return [t for _, t in sorted({str(t): t for t in triples}.items())]
    except OSError as exc:
        raise QueryError(f"the query failed: {one_line(str(exc))}") from exc


_POSITION = re.compile(r"error at (\d+):(\d+): ?(.*)", re.DOTALL)


def syntax_message(error: str) -> str:
    """pyoxigraph's 'error at 3:18: expected ...' as one line naming line and column."""
    m = _POSITION.match(error)
    if not m:
        return f"the query is not valid SPARQL: {one_line(error)}; fix it and run again"
    line, column, what = m.groups()
    return (
        f"the query is not valid SPARQL at line {line}, column {column}: "
        f"{one_line(what, 120)}; fix it and run again"
    )


def _runtime_message(error: str, label: str) -> str:
    if error.startswith("Corruption"):  # a damaged store, found as the query read it
        return store_failed(Path(label), RuntimeError(error))
    m = re.search(r"variable \?(\w+) in its SELECT", error)
    if m:
        return (
            f"--param {m.group(1)}: ?{m.group(1)} must be one of the query's SELECT "
            "variables to be bound (pyoxigraph binds only projected variables)"
        )
    return f"the query failed: {one_line(error)}"


def one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def load_build(directory: Path) -> ox.Store:
    """The graph of a build folder in a new in-memory store (N-Quads, else TriG, else Turtle)."""
    if not directory.is_dir():
        raise QueryError(
            f"{directory}: no such build folder; run `kg build INPUT -o {directory}` first"
        )
    for name, fmt in GRAPH_FILES:
        path = directory / name
        if path.is_file():
            store = ox.Store()
            try:
                store.bulk_load(path=str(path), format=fmt)
            except (SyntaxError, OSError, ValueError) as exc:
                problem = one_line(str(exc), 120)
                raise QueryError(
                    f"{path}: cannot be read ({problem}); rebuild it with `kg build`"
                ) from exc
            return store
    raise QueryError(
        f"{directory}: holds no graph.nq, graph.trig or graph.ttl; "
        f"run `kg build INPUT -o {directory}` first"
    )


def open_data(directory: Path) -> Local:
    """A build folder's graph, loaded into memory."""
    return Local(load_build(directory), str(directory))


def open_store(directory: Path, *, writable: bool = False) -> Local:
    """An on-disk pyoxigraph store, read-only unless ``writable``."""
    if not directory.is_dir():
        raise QueryError(
            f"{directory}: no such store folder; run `kg build INPUT --store {directory}` first"
        )
    if not (directory / "CURRENT").is_file() and any(directory.glob("MANIFEST-*")):
        raise QueryError(store_failed(directory, RuntimeError("it has no CURRENT file")))
    try:
        store = ox.Store(str(directory)) if writable else ox.Store.read_only(str(directory))
    except (RuntimeError, FileNotFoundError) as exc:  # RocksDB found a file damaged or gone
        raise QueryError(store_failed(directory, exc)) from exc
    except OSError as exc:
        raise QueryError(
            f"{directory}: not a pyoxigraph store ({one_line(str(exc), 120)}); "
            f"run `kg build INPUT --store {directory}` first"
        ) from exc
    return Local(store, str(directory))


# -- checking and running ---------------------------------------------------------------------


def check(
    text: str, params: Mapping[str, Term], *, allow_update: bool, allow_network: bool
) -> Text:
    """What ``text`` is, or a QueryError when it must not run as asked.

    Without ``allow_network`` the text runs only when its algebra (:mod:`kg.sparql.reach`)
    holds no SERVICE and no LOAD; a text that algebra cannot be read for is refused.
    """
    info = read(text)
    if info.is_update and not allow_update:
        what = " ".join(info.updates) or "an update"
        raise QueryError(
            f"this is an update ({what}), and kg query is read-only; add --allow-update to run it"
        )
    if not allow_network:
        _check_offline(text, info)
    if info.is_update and params:
        raise QueryError("--param binds variables of a query, not of an update")
    for name in params:
        if name not in info.variables:
            known = ", ".join(f"?{v}" for v in sorted(info.variables)) or "none"
            raise QueryError(f"--param {name}: the query has no ?{name} (its variables: {known})")
    return info


def _check_offline(text: str, info: Text) -> None:
    """Refuse ``text`` when its algebra reaches another server, or cannot be read."""
    try:
        found = reach(text, update=info.is_update, prefixes=DEFAULT_PREFIXES)
    except Unreadable as exc:
        at = f" at {exc.where}" if exc.where else ""
        raise QueryError(
            f"the query cannot be read as SPARQL 1.1{at} ({exc.problem}), so it cannot be "
            "checked for SERVICE and LOAD; fix it, or add --allow-network to run it unchecked"
        ) from None
    # The tokens count too: a SERVICE either reader sees is one.
    if found.service or info.services:
        raise QueryError(
            "the query has a SERVICE clause, which reaches another server; "
            "add --allow-network to run it"
        )
    if found.load or info.loads:
        raise QueryError("LOAD fetches a URL over the network; add --allow-network to run it")


def run(
    text: str,
    source: Source,
    params: Mapping[str, Term] | None = None,
    *,
    allow_update: bool = False,
    allow_network: bool = False,
) -> Answer:
    """Check ``text``, then run it on ``source`` with ``params`` bound."""
    params = params or {}
    info = check(text, params, allow_update=allow_update, allow_network=allow_network)
    return run_checked(text, info, source, params)


def run_checked(text: str, info: Text, source: Source, params: Mapping[str, Term]) -> Answer:
    """Run ``text``, which :func:`check` passed as ``info``, on ``source``."""
    if info.is_update:
        source.update(text)
        return None
    return source.query(text, info.form, params)
