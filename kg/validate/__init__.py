"""SHACL validation of newskg graphs: RDF files in, the shapes checked, a deterministic Report out.

The shipped shapes (``shapes/kg.ttl``) are used unless others are given. :mod:`kg.validate.engine`
checks them (the SHACL Core components newskg's shapes use, reported as pySHACL
reports them); shapes using anything else go to pySHACL (:mod:`kg.validate.fallback`). Files
are read by :mod:`kg.validate.files`. Validation never touches the network: no inference, no
``owl:imports``, and a JSON-LD file may only carry its context inline. The report graph
gets stable blank node labels, so the same data always gives the same report, triple for
triple and in order.

A build validates each document graph apart and then, in one small cross-document check,
the nodes several documents describe (entities): see :func:`report` and
:mod:`kg.build`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.graph import ConjunctiveGraph
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg import resources
from kg.canonical import canonical
from kg.validate.engine import Finding, Shapes
from kg.validate.fallback import pyshacl_report
from kg.validate.files import FORMATS, load_rdf
from kg.validate.index import Unsupported

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


SHAPES_NS = "https://w3id.org/newskg/shapes#"

# Results are listed most severe first.
_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class Result:
    """One validation result, its nodes given as full IRIs (``_:label`` for blank nodes).

    ``path`` is None for a constraint on the focus node itself (for example "must be an
    IRI"); ``severity`` is ``Violation``, ``Warning`` or ``Info``; ``shape`` is the shape
    that failed and ``component`` the SHACL constraint component's IRI.
    """

    focus: str
    path: str | None
    message: str
    severity: str
    shape: str
    component: str = ""

    def sort_key(self) -> tuple[int, str, str, str, str, str]:
        """Severity first, then shape, focus node, path, component and message."""
        return (
            _SEVERITY_ORDER.get(self.severity, len(_SEVERITY_ORDER)),
            self.shape,
            self.focus,
            self.path or "",
            self.component,
            self.message,
        )


@dataclass(frozen=True)
class Report:
    """The outcome of one validation: the verdict, the report graph and its results."""

    conforms: bool
    graph: Graph
    results: tuple[Result, ...]

    def summary(self, limit: int = 20) -> str:
        """A readable multi-line text: the verdict, counts by shape, the first results."""
        if not self.results:
            return "The graph conforms to the shapes."
        severities = Counter(result.severity for result in self.results)
        counts = ", ".join(
            f"{severities[name]} {name.lower()}{'' if severities[name] == 1 else 's'}"
            for name in sorted(severities, key=lambda s: _SEVERITY_ORDER.get(s, 9))
        )
        verdict = "conforms to" if self.conforms else "does not conform to"
        lines = [f"The graph {verdict} the shapes: {counts}.", "", "By shape:"]
        by_shape = Counter(result.shape for result in self.results)
        first_message: dict[str, str] = {}
        for result in self.results:
            first_message.setdefault(result.shape, result.message)
        width = len(str(max(by_shape.values())))
        for shape, count in sorted(by_shape.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"  {count:>{width}}  {self._name(shape)}: {first_message[shape]}")
        shown = self.results[: max(limit, 0)]
        lines += ["", f"First {len(shown)} of {len(self.results)} results:"]
        for result in shown:
            where = self._name(result.focus)
            if result.path is not None:
                where += f" {self._name(result.path)}"
            lines.append(f"  {result.severity}: {where}")
            lines.append(f"      {result.message}")
        return "\n".join(lines)

    def _name(self, value: str) -> str:
        """An IRI as a prefixed name where a prefix is bound, else as ``<IRI>``."""
        if value.startswith(("_:", "<", "(", "^")) or " " in value:
            return value  # a blank node or a rendered path: already readable
        return URIRef(value).n3(self.graph.namespace_manager)


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


def report(
    findings: Iterable[Finding], data: Iterable[Triple] = (), shapes: Graph | None = None
) -> Report:
    """The report of a validation's findings: the graph pySHACL would write, relabelled.

    The data conforms unless a finding is a violation (warnings and infos are listed
    but allowed, as ``kg build`` always allowed them). A blank node the report names is
    copied into it with what ``data`` (or, for a shape, ``shapes``) says about it, as
    pySHACL copies it; document graphs have none.
    """
    graph = Graph()
    root = BNode()
    conforms = True
    findings = list(findings)
    blanks = _BlankCopier(graph, data, shapes)
    for finding in findings:
        blanks.copy(finding.focus, finding.value, data=True)
        blanks.copy(finding.shape, finding.constraint, data=False)
        result = BNode()
        graph.add((root, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.focusNode, finding.focus))
        graph.add((result, SH.resultSeverity, finding.severity))
        graph.add((result, SH.sourceShape, finding.shape))
        graph.add((result, SH.sourceConstraintComponent, finding.component))
        if finding.path is not None:
            graph.add((result, SH.resultPath, finding.path))
        if finding.value is not None:
            graph.add((result, SH.value, finding.value))
        if finding.constraint is not None:
            graph.add((result, SH.sourceConstraint, finding.constraint))
        for message in finding.messages:
            graph.add((result, SH.resultMessage, message))
        conforms = conforms and finding.severity != SH.Violation
    graph.add((root, RDF.type, SH.ValidationReport))
    graph.add((root, SH.conforms, Literal(conforms)))
    labelled = canonical(graph, SHAPES_NS)
    results = tuple(sorted(_results(labelled), key=Result.sort_key))
    return Report(conforms=conforms, graph=labelled, results=results)


Triple = tuple[Node, Node, Node]


class _BlankCopier:
    """Copies blank nodes of the data or the shapes into a report, deep, as pySHACL does."""

    _DEPTH = 10  # pySHACL's limit

    def __init__(self, report: Graph, data: Iterable[Triple], shapes: Graph | None) -> None:
        self.report = report
        self.data = data
        self.shapes = shapes
        self._index: dict[Node, list[tuple[Node, Node]]] | None = None
        self._done: set[tuple[bool, Node]] = set()

    def copy(self, *nodes: Node | None, data: bool) -> None:
        for node in nodes:
            if isinstance(node, BNode):
                self._copy(node, data, 0)

    def _outgoing(self, node: Node, data: bool) -> list[tuple[Node, Node]]:
        if not data:
            return [] if self.shapes is None else list(self.shapes.predicate_objects(node))
        if self._index is None:
            self._index = {}
            for s, p, o in self.data:
                if isinstance(s, BNode):
                    self._index.setdefault(s, []).append((p, o))
        return self._index.get(node, [])

    def _copy(self, node: BNode, data: bool, depth: int) -> None:
        if (data, node) in self._done or depth >= self._DEPTH:
            return
        self._done.add((data, node))
        for p, o in self._outgoing(node, data):
            self.report.add((node, p, o))
            if isinstance(o, BNode):
                self._copy(o, data, depth + 1)


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
    graph = canonical(report_graph, SHAPES_NS)
    results = tuple(sorted(_results(graph), key=Result.sort_key))
    return Report(conforms=conforms, graph=graph, results=results)


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


def _results(graph: Graph) -> Iterator[Result]:
    """The results of a report graph, in no particular order."""
    for node in graph.subjects(RDF.type, SH.ValidationResult):
        messages = sorted(str(m) for m in graph.objects(node, SH.resultMessage))
        severity = graph.value(node, SH.resultSeverity)
        path = graph.value(node, SH.resultPath)
        yield Result(
            focus=_text(graph.value(node, SH.focusNode)),
            path=None if path is None else _path_text(graph, path),
            message=messages[0] if messages else "",
            severity=str(severity).removeprefix(str(SH)) if severity is not None else "",
            shape=_text(graph.value(node, SH.sourceShape)),
            component=_text(graph.value(node, SH.sourceConstraintComponent)),
        )


def _text(node: Node | None) -> str:
    """An IRI as itself; a blank node as ``_:label``; a literal in N-Triples form."""
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return str(node)
    if isinstance(node, (BNode, Literal)):
        return node.n3()
    return str(node)


def _path_text(graph: Graph, path: Node) -> str:
    """A SHACL property path as text: an IRI, or SPARQL-like syntax for complex paths."""
    if isinstance(path, URIRef):
        return str(path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return f"^{_path_part(graph, inverse)}"
    for predicate, suffix in (
        (SH.zeroOrMorePath, "*"),
        (SH.oneOrMorePath, "+"),
        (SH.zeroOrOnePath, "?"),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            return f"{_path_part(graph, inner)}{suffix}"
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        items = graph.items(alternatives)
        return "(" + " | ".join(_path_part(graph, item) for item in items) + ")"
    if graph.value(path, RDF.first) is not None:
        return "(" + " / ".join(_path_part(graph, item) for item in graph.items(path)) + ")"
    return _text(path)


def _path_part(graph: Graph, path: Node) -> str:
    """A path inside a complex path, with IRIs in angle brackets."""
    text = _path_text(graph, path)
    return f"<{text}>" if isinstance(path, URIRef) else text
