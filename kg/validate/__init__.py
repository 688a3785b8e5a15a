"""SHACL validation of newskg graphs: RDF files in, the shapes checked, a deterministic Report out.

The shipped shapes (``shapes/kg.ttl``) are used unless others are given. :mod:`kg.validate.engine`
checks them (the SHACL Core components newskg's shapes use, reported as pySHACL
reports them); shapes using anything else go to pySHACL (:mod:`kg.validate.fallback`). Files
are read by :mod:`kg.validate.files`. Validation never touches the network: no inference, no
``owl:imports``, and a JSON-LD file may only carry its context inline. Either way the
report is made by :mod:`kg.validate.report`, which labels its blank nodes canonically, so
the same data always gives the same report, triple for triple and in order.

A build validates each document graph apart and then, in one small cross-document check,
the nodes several documents describe (entities): see :func:`report` and
:mod:`kg.build`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

from rdflib import Graph
from rdflib.graph import ConjunctiveGraph
from rdflib.term import Node

from kg import resources
from kg.validate.engine import Finding, Shapes
from kg.validate.fallback import pyshacl_report
from kg.validate.files import FORMATS, load_rdf
from kg.validate.index import Triple, Unsupported
from kg.validate.report import Report, Result, canonical_report, report

__all__ = [
    "FORMATS",
    "Report",
    "Result",
    "cross_document",
    "engine",
    "load_rdf",
    "report",
    "validate",
    "validate_files",
]


def validate(data: Graph, shapes: Graph | None = None) -> Report:
    """Validate ``data`` (all its triples, named graphs merged) against the shapes."""
    checker = engine(shapes)
    if checker is None:
        return _validate_with_pyshacl(data, shapes)
    if isinstance(data, ConjunctiveGraph):
        triples = [(s, p, o) for s, p, o, _ in data.quads((None, None, None, None))]
    else:
        triples = list(data)
    return report(checker.check(triples), triples, checker.graph)


def engine(shapes: Graph | None = None) -> Shapes | None:
    """The shapes compiled for :mod:`kg.validate.engine`, or None when they need pySHACL."""
    if shapes is None:
        return _shipped_engine()
    try:
        return Shapes(shapes)
    except Unsupported:
        return None


@cache
def _shipped_engine() -> Shapes | None:
    try:
        return Shapes(_shipped_shapes())
    except Unsupported:
        return None


def cross_document(
    shapes: Shapes, triples: Iterable[Triple], shared: Callable[[Node], bool]
) -> list[Finding]:
    """The check across documents of a build: each shared node (an entity several
    documents describe) on everything all documents say about it.

    Each document graph was checked apart, its own nodes only (:func:`kg.write.render.render`);
    ``triples`` are those the documents said about shared nodes, and the types of the
    nodes those point at (:attr:`kg.write.parts.DocParts.shared` and ``targets``). Together
    the two checks find what checking the union of the document graphs finds, because
    every other node lives in one document graph, with the types of what it points at.
    """
    return shapes.check(triples, shared)


def _validate_with_pyshacl(data: Graph, shapes: Graph | None) -> Report:
    conforms, report_graph = pyshacl_report(
        data, shapes if shapes is not None else _shipped_shapes()
    )
    return canonical_report(report_graph, conforms)


def validate_files(paths: Iterable[Path], shapes: Graph | None = None) -> Report:
    """Validate the union of all triples of all files (every named graph merged)."""
    union = Graph()
    for path in paths:
        for s, p, o, _ in load_rdf(Path(path)).quads((None, None, None, None)):
            union.add((s, p, o))
    return validate(union, shapes)


@cache
def _shipped_shapes() -> Graph:
    """The shipped shapes, parsed once per process (pyshacl does not modify them)."""
    return resources.shapes_graph()
