"""Query answers as text: an aligned table, SPARQL CSV/TSV/JSON results, Turtle or N-Triples.

The table is for reading in a terminal: IRIs as prefixed names (newskg's prefixes),
literals by their text, long values cut with an ellipsis. The other formats are the
SPARQL 1.1 result formats written by pyoxigraph, whole values and nothing cut.
"""

from __future__ import annotations

from typing import IO, Protocol, cast

import pyoxigraph as ox

from kg.errors import KgError, QueryError
from kg.graph.vocab import PREFIXES
from kg.sparql import Answer

__all__ = ["FORMATS", "MAX_WIDTH", "cell", "render", "shorten_iri", "write"]

FORMATS = ("table", "csv", "tsv", "json")
MAX_WIDTH = 40  # widest table cell; longer values end in '…'
_RESULTS_FORMAT = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
}
_GRAPH_FORMAT = {
    "table": ox.RdfFormat.TURTLE,
    "csv": ox.RdfFormat.N_TRIPLES,
    "tsv": ox.RdfFormat.N_TRIPLES,
    "json": ox.RdfFormat.JSON_LD,
}
# Longest namespace first, so kg: wins over a shorter namespace that is its prefix.
_BY_LENGTH = sorted(PREFIXES, key=lambda p: -len(p[1]))
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


class Writable(Protocol):
    """Where :func:`write` writes: a binary stream (stdout's buffer, a Sink)."""

    def write(self, data: bytes, /) -> int: ...


def write(answer: Answer, fmt: str, out: Writable) -> None:
    """``answer`` in ``fmt`` written to ``out``, the same bytes as :func:`render` gives.

    SELECT solutions in csv, tsv or json are streamed as pyoxigraph computes them, so a
    huge answer is never held in memory; a table needs every row for its widths.
    """
    if isinstance(answer, ox.QuerySolutions) and fmt in _RESULTS_FORMAT:
        try:
            # pyoxigraph calls only write() on the output: any Writable does.
            answer.serialize(output=cast(IO[bytes], out), format=_RESULTS_FORMAT[fmt])
        except (OSError, RuntimeError, SyntaxError) as exc:
            raise QueryError(f"the query failed: {' '.join(str(exc).split())[:200]}") from exc
        return
    out.write(render(answer, fmt).encode("utf-8"))


def render(answer: Answer, fmt: str) -> str:
    """``answer`` as text in ``fmt`` (table, csv, tsv or json), ending in a newline."""
    try:
        if answer is None:
            return ""
        if isinstance(answer, ox.QueryBoolean):
            if fmt == "json":
                return _text(answer.serialize(format=ox.QueryResultsFormat.JSON)) + "\n"
            return ("true" if bool(answer) else "false") + "\n"
        if isinstance(answer, list):
            return _graph(answer, fmt)
        if fmt == "table":
            return _table(answer)
        return _text(answer.serialize(format=_RESULTS_FORMAT[fmt]))
    except KgError:
        raise
    except (OSError, RuntimeError, SyntaxError) as exc:
        # Solutions are computed while they are read: a failing SERVICE shows up here.
        raise QueryError(f"the query failed: {' '.join(str(exc).split())[:200]}") from exc


def _text(data: bytes | None) -> str:
    """Serialised bytes as text (pyoxigraph returns None only when given a file)."""
    return data.decode("utf-8") if data else ""


def _graph(triples: list[ox.Triple], fmt: str) -> str:
    prefixes = _used_prefixes(triples) if fmt == "table" else None
    data = ox.serialize(triples, format=_GRAPH_FORMAT[fmt], prefixes=prefixes)
    text = data.decode("utf-8") if data else ""
    return text if text.endswith("\n") or not text else text + "\n"


def _used_prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    """The newskg prefixes whose namespace some IRI of ``triples`` starts with."""
    iris = {t.value for triple in triples for t in triple if isinstance(t, ox.NamedNode)}
    return {p: ns for p, ns in PREFIXES if any(iri.startswith(ns) for iri in iris)}


def shorten_iri(iri: str) -> str:
    """``iri`` as a prefixed name when a newskg prefix covers it, else ``<iri>``."""
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace):
            local = iri[len(namespace) :]
            if local and set(local) <= _LOCAL_CHARS:
                return f"{prefix}:{local}"
    return f"<{iri}>"


def cell(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    """One value as a table shows it, before cutting: no quotes, no datatype, one line."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten_iri(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return " ".join(term.value.split())
    return str(term)


def _cut(text: str) -> str:
    """``text`` cut to MAX_WIDTH: an IRI keeps its end, which tells IRIs apart; text its start."""
    if len(text) <= MAX_WIDTH:
        return text
    if text.startswith("<") and text.endswith(">"):
        return "<…" + text[-(MAX_WIDTH - 2) :]
    return text[: MAX_WIDTH - 1] + "…"


def _table(solutions: ox.QuerySolutions) -> str:
    header = [v.value for v in solutions.variables]
    rows = [[_cut(cell(solution[i])) for i in range(len(header))] for solution in solutions]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]
    lines = [
        "  ".join(text.ljust(w) for text, w in zip(line, widths, strict=True)).rstrip()
        for line in (header, ["-" * w for w in widths], *rows)
    ]
    count = f"({len(rows)} row{'' if len(rows) == 1 else 's'})"
    return "\n".join([*lines, count]) + "\n"
