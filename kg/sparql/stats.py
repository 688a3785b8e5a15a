"""Figures about a build: nodes per class, top speakers, positions per document, validation.

Each figure is one SPARQL query over the build's graph in pyoxigraph (the default graph
being the union of the document graphs); the validation status is read from
``validation.ttl`` the same way.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError
from kg.sparql import load_build
from kg.sparql.results import shorten_iri

__all__ = ["Stats", "Validation", "compute", "format_text"]

TOP_SPEAKERS = 10
TOP_DOCUMENTS = 5

_PREFIXES = """PREFIX kg: <https://w3id.org/newskg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX sh: <http://www.w3.org/ns/shacl#>
"""
CLASSES = (
    _PREFIXES
    + """SELECT ?class (COUNT(DISTINCT ?node) AS ?n)
WHERE { ?node a ?class } GROUP BY ?class ORDER BY ?class"""
)
SPEAKERS = (
    _PREFIXES
    + """SELECT ?speaker ?name (COUNT(DISTINCT ?position) AS ?n)
WHERE {
  ?position a kg:StatedPosition ; kg:speaker ?speaker .
  OPTIONAL { ?speaker skos:prefLabel ?name }
}
GROUP BY ?speaker ?name ORDER BY DESC(?n) ?name ?speaker"""
)
PER_DOCUMENT = (
    _PREFIXES
    + """SELECT ?doc ?id (COUNT(DISTINCT ?position) AS ?n)
WHERE {
  ?doc a kg:SourceDocument .
  OPTIONAL { ?doc dcterms:identifier ?id }
  OPTIONAL { ?position a kg:StatedPosition ; kg:appearsIn ?doc }
}
GROUP BY ?doc ?id ORDER BY DESC(?n) ?id ?doc"""
)
REPORT = (
    _PREFIXES
    + """SELECT ?conforms (COUNT(DISTINCT ?result) AS ?results)
WHERE {
  ?report a sh:ValidationReport ; sh:conforms ?conforms .
  OPTIONAL { ?report sh:result ?result }
}
GROUP BY ?conforms"""
)


@dataclass(frozen=True)
class Count:
    """A name and how many."""

    name: str
    count: int


@dataclass(frozen=True)
class Validation:
    """What validation.ttl says: whether the graph conforms, and how many results."""

    conforms: bool
    results: int


@dataclass(frozen=True)
class Stats:
    """The figures of one build."""

    directory: str
    classes: tuple[Count, ...]
    speakers: tuple[Count, ...]  # the top TOP_SPEAKERS by number of positions
    documents: int
    per_document: tuple[Count, ...]  # every document, most positions first
    validation: Validation | None  # None: the folder has no validation.ttl

    @property
    def positions_min(self) -> int:
        return min((c.count for c in self.per_document), default=0)

    @property
    def positions_median(self) -> float:
        counts = [c.count for c in self.per_document]
        return float(statistics.median(counts)) if counts else 0.0

    @property
    def positions_max(self) -> int:
        return max((c.count for c in self.per_document), default=0)

    def as_dict(self) -> dict[str, Any]:
        """The figures as plain JSON-ready values."""
        return {
            "directory": self.directory,
            "classes": {c.name: c.count for c in self.classes},
            "top_speakers": [asdict(c) for c in self.speakers],
            "positions_per_document": {
                "documents": self.documents,
                "min": self.positions_min,
                "median": self.positions_median,
                "max": self.positions_max,
                "top": [asdict(c) for c in self.per_document[:TOP_DOCUMENTS]],
            },
            "validation": asdict(self.validation) if self.validation else None,
        }


def compute(directory: Path) -> Stats:
    """The figures of the build in ``directory``."""
    store = load_build(directory)
    classes = tuple(
        Count(shorten_iri(_term(row[0])), _int(row[1])) for row in _select(store, CLASSES)
    )
    speakers = tuple(
        Count(_term(row[1]) or shorten_iri(_term(row[0])), _int(row[2]))
        for row in _select(store, SPEAKERS)
    )[:TOP_SPEAKERS]
    per_document = tuple(
        Count(_term(row[1]) or _term(row[0]), _int(row[2])) for row in _select(store, PER_DOCUMENT)
    )
    return Stats(
        directory=str(directory),
        classes=classes,
        speakers=speakers,
        documents=len(per_document),
        per_document=per_document,
        validation=_validation(directory / "validation.ttl"),
    )


def _select(store: ox.Store, text: str) -> list[ox.QuerySolution]:
    solutions = store.query(text, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    return list(solutions)


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    return "" if term is None or isinstance(term, ox.Triple) else term.value


def _int(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> int:
    return int(_term(term) or 0)


def _validation(path: Path) -> Validation | None:
    """sh:conforms and the number of sh:result of the report in ``path``, if there is one."""
    if not path.is_file():
        return None
    store = ox.Store()
    try:
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    except (SyntaxError, OSError) as exc:
        raise QueryError(f"{path}: cannot be read ({exc}); rebuild it with `kg build`") from exc
    rows = _select(store, REPORT)
    if not rows:
        raise QueryError(f"{path}: holds no sh:ValidationReport; rebuild it with `kg build`")
    return Validation(
        conforms=all(_term(row[0]) == "true" for row in rows),
        results=sum(_int(row[1]) for row in rows),
    )


def format_text(stats: Stats) -> str:
    """The figures as plain text, one block each."""
    lines = [f"build          {stats.directory}", "", "nodes per class"]
    lines += [f"  {c.name:<28}{c.count:>6}" for c in stats.classes]
    lines += ["", f"top speakers (positions stated, top {TOP_SPEAKERS})"]
    lines += [f"  {c.name:<28}{c.count:>6}" for c in stats.speakers] or ["  none"]
    lines += [
        "",
        f"positions per document ({stats.documents} documents): min {stats.positions_min}, "
        f"median {stats.positions_median:g}, max {stats.positions_max}",
    ]
    lines += [f"  {c.name:<40}{c.count:>6}" for c in stats.per_document[:TOP_DOCUMENTS]]
    lines.append("")
    if stats.validation is None:
        lines.append("validation     no validation.ttl in the folder")
    else:
        verdict = "conforms" if stats.validation.conforms else "does NOT conform"
        lines.append(f"validation     {verdict} ({stats.validation.results} results)")
    return "\n".join(lines) + "\n"
