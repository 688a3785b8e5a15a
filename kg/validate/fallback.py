"""Shapes that :mod:`kg.validate.engine` does not support, checked by pySHACL.

pySHACL evaluates a SPARQL constraint once per focus node, which takes minutes on a few
hundred positions; so the shapes' SPARQL constraints on a target class are taken out and
run once over the whole graph in pyoxigraph, and their results added to pySHACL's report
as pySHACL would have written them. Nothing is inferred or imported, nothing fetched.
:mod:`kg.validate.report` relabels the report's blank nodes and reads its results.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyshacl
from rdflib import BNode, Graph, Literal
from rdflib.graph import ConjunctiveGraph
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg.validate.sparql import oxigraph_store, select, target_query

__all__ = ["pyshacl_report"]


def pyshacl_report(data: Graph, shapes: Graph) -> tuple[bool, Graph]:
    """Whether ``data`` (named graphs merged) conforms to ``shapes``, and pySHACL's report."""
    merged = _merged(data)
    core, whole = _split_sparql(shapes)
    conforms, report_graph, _ = pyshacl.validate(
        merged,
        shacl_graph=core,
        inference="none",
        abort_on_first=False,
        allow_infos=True,
        allow_warnings=True,
        advanced=True,
        meta_shacl=False,
        do_owl_imports=False,
        js=False,
        debug=False,
    )
    if _add_whole_graph_results(merged, whole, report_graph):
        conforms = False
    return bool(conforms), report_graph


def _merged(data: Graph) -> Graph:
    """A plain graph of all triples: pyshacl would validate each named graph apart."""
    if not isinstance(data, ConjunctiveGraph):
        return data
    union = Graph()
    for s, p, o, _ in data.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


@dataclass(frozen=True)
class _WholeGraphConstraint:
    """A SPARQL constraint run once over the whole data graph, not once per focus node."""

    shape: Node
    constraint: Node
    query: str
    message: str
    severity: Node


def _split_sparql(shapes: Graph) -> tuple[Graph, tuple[_WholeGraphConstraint, ...]]:
    """The shapes without their SPARQL constraints, and those constraints as whole-graph queries.

    pySHACL evaluates a SPARQL constraint once per focus node, which costs seconds per
    hundred nodes; the same SELECT with ``$this`` left free, restricted to the shape's
    target class, finds every violation in one query with the same results.
    """
    whole: list[_WholeGraphConstraint] = []
    core = Graph()
    for triple in shapes:
        core.add(triple)
    for shape, constraint in shapes.subject_objects(SH.sparql):
        targets = list(shapes.objects(shape, SH.targetClass))
        if shapes.value(constraint, SH.select) is None or len(targets) != 1:
            continue  # leave anything unusual to pySHACL
        query = target_query(shapes, constraint, targets[0])
        message = shapes.value(constraint, SH.message) or shapes.value(shape, SH.message)
        severity = shapes.value(shape, SH.severity) or SH.Violation
        whole.append(_WholeGraphConstraint(shape, constraint, query, str(message or ""), severity))
        core.remove((shape, SH.sparql, constraint))
    return core, tuple(whole)


def _add_whole_graph_results(
    data: Graph, constraints: tuple[_WholeGraphConstraint, ...], report: Graph
) -> bool:
    """Run each whole-graph constraint, add its results to the report; True on a violation."""
    found = False
    root = report.value(None, RDF.type, SH.ValidationReport, any=False) if constraints else None
    store = oxigraph_store(data) if constraints else None
    for constraint in constraints:
        assert store is not None
        for bindings in select(store, constraint.query, str(constraint.constraint)):
            result = BNode()
            report.add((result, RDF.type, SH.ValidationResult))
            report.add((result, SH.focusNode, bindings["this"]))
            report.add((result, SH.resultSeverity, constraint.severity))
            report.add((result, SH.sourceShape, constraint.shape))
            report.add((result, SH.sourceConstraint, constraint.constraint))
            report.add((result, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
            if "path" in bindings:
                report.add((result, SH.resultPath, bindings["path"]))
            # As SHACL-SPARQL says: ?value if the query binds it, else the focus node.
            report.add((result, SH.value, bindings.get("value", bindings["this"])))
            message = constraint.message
            for name, value in bindings.items():
                message = message.replace(f"{{?{name}}}", str(value))
            message = message.replace("{$this}", str(bindings["this"]))
            report.add((result, SH.resultMessage, Literal(message)))
            if root is not None:
                report.add((root, SH.result, result))
            found = found or constraint.severity == SH.Violation
    if found and root is not None:
        report.set((root, SH.conforms, Literal(False)))
    return found
