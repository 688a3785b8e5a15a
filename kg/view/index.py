"""A build's graph.ttl read into a small index by subject, for the page's lookups.

The page needs only a few lookups (the subjects of a type, the IRIs or literals of one
property of a subject), so graph.ttl is parsed once by pyoxigraph into dictionaries.
Subjects that are blank nodes are left out: the page shows only named things.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pyoxigraph

from kg.errors import KgError
from kg.graph.vocab import RDF

__all__ = ["GRAPH_FILE", "Index", "read_index"]

GRAPH_FILE = "graph.ttl"
_RDF_TYPE = str(RDF.type)


class Index:
    """The triples of graph.ttl by subject: IRIs and literal strings apart, for lookups."""

    def __init__(self) -> None:
        self.links: defaultdict[str, defaultdict[str, list[str]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.texts: defaultdict[str, defaultdict[str, list[str]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.typed: defaultdict[str, list[str]] = defaultdict(list)

    def add(self, s: str, p: str, o: Any) -> None:
        if isinstance(o, pyoxigraph.NamedNode):
            if p == _RDF_TYPE:
                self.typed[o.value].append(s)
            self.links[s][p].append(o.value)
        elif isinstance(o, pyoxigraph.Literal):
            self.texts[s][p].append(o.value)

    def iris(self, s: str, p: Any) -> list[str]:
        return sorted(set(self.links[s].get(str(p), ())))

    def iri(self, s: str, p: Any) -> str | None:
        found = self.iris(s, p)
        return found[0] if found else None

    def text(self, s: str, p: Any) -> str | None:
        """A single-valued literal; the least one if a graph holds several."""
        found = self.texts[s].get(str(p))
        return min(found) if found else None


def read_index(build_dir: Path) -> Index:
    """The index of ``build_dir``/graph.ttl; a missing or unreadable file says how to fix it."""
    path = build_dir / GRAPH_FILE
    if not path.is_file():
        raise KgError(
            f"{path}: no such file; give the folder of a build (kg build INPUT... -o DIR)"
        )
    graph = Index()
    try:
        for triple in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE):
            if isinstance(triple.subject, pyoxigraph.NamedNode):
                graph.add(triple.subject.value, triple.predicate.value, triple.object)
    except (SyntaxError, OSError, ValueError) as exc:
        why = " ".join(str(exc).split())
        raise KgError(
            f"{path}: cannot be read as Turtle ({why}); rebuild it with kg build"
        ) from exc
    return graph
