"""newskg: read news articles and build a knowledge graph of who said what.

The front door of the library (the ``kg`` command is a thin client of the same stages)::

    import kg

    built = kg.build_graph(["articles/"], out="out")  # as `kg build articles/ -o out`
    built.report.conforms, built.counts, built.errors  # bad inputs listed, not raised
    note = kg.build_texts({"note.txt": "Ana Lind, MEP from Spain, said ..."})
    note.graphs  # in memory: one rdflib Graph per document
    kg.validate_files(["out/graph.ttl"]).conforms
    kg.query("SELECT ?name WHERE { ?p a kg:Person ; skos:prefLabel ?name }", "out")

The stages behind it, one subpackage each: ``ingest`` (files -> articles) -> ``nlp`` (the
spaCy pipeline) -> ``extract`` -> ``resolve`` -> ``graph`` (triples) -> ``validate``
(SHACL) -> ``write`` (the files), composed by ``build``; ``sparql`` queries a build, a
store or an endpoint. Importing ``kg`` loads neither spaCy nor rdflib: each function
imports its stage when called.
"""

import typing

from kg._api import build_graph, build_texts, query, validate_files
from kg.errors import (
    InputError,
    KgError,
    ModelError,
    OutputError,
    QueryError,
    ValidationInputError,
)
from kg.model import (
    Article,
    DocExtraction,
    Entity,
    EntityKind,
    Membership,
    Position,
    Span,
    Stance,
)

if typing.TYPE_CHECKING:
    from kg.build import Build
    from kg.validate import Report

__version__ = "0.1.0"

__all__ = [
    "Article",
    "Build",
    "DocExtraction",
    "Entity",
    "EntityKind",
    "InputError",
    "KgError",
    "Membership",
    "ModelError",
    "OutputError",
    "Position",
    "QueryError",
    "Report",
    "Span",
    "Stance",
    "ValidationInputError",
    "__version__",
    "build_graph",
    "build_texts",
    "query",
    "validate_files",
]


def __getattr__(name: str) -> object:
    """The result types, imported when first asked for (they need rdflib and spaCy)."""
    if name == "Build":
        from kg.build import Build

        return Build
    if name == "Report":
        from kg.validate import Report

        return Report
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), "Build", "Report"})
