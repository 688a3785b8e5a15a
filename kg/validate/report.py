"""The validation report: findings made a SHACL report graph, its blank nodes labelled by RDFC-1.0.

pySHACL's reports and parsed files label their blank nodes afresh each run, and so does
the own engine; a report that users diff and commit must not change when the data did
not. Every report, the own engine's (:func:`report`) and pySHACL's
(:func:`canonical_report`), is relabelled once here with the W3C RDF Dataset
Canonicalization (RDFC-1.0, in pyoxigraph): its blank nodes become ``b0``, ``b1`` ... in
the order of their canonical labels, so the same findings in any order, under any
``PYTHONHASHSEED``, give the same graph, the same :class:`Result` s and the same bytes
(:func:`kg.write.syntax.turtle` writes the labels as they are).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyoxigraph
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg.graph.vocab import bind_prefixes
from kg.validate.checks import Finding
from kg.validate.index import Triple
from kg.validate.sparql import to_oxigraph

__all__ = ["SHAPES_NS", "Report", "Result", "canonical_report", "report"]

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


def report(
    findings: Iterable[Finding], data: Iterable[Triple] = (), shapes: Graph | None = None
) -> Report:
    """The report of a validation's findings: the graph pySHACL would write, relabelled.

    The data conforms unless a finding is a violation (warnings and infos are listed
    but allowed, as ``kg build`` always allowed them). A blank node the report names is
    copied into it with what ``data`` (or, for a shape, ``shapes``) says about it, as
    pySHACL copies it; document graphs have none.
    """
    triples: set[Triple] = set()
    root = BNode()
    conforms = True
    blanks = _BlankCopier(triples, data, shapes)
    for finding in findings:
        blanks.copy(finding.focus, finding.value, data=True)
        blanks.copy(finding.shape, finding.constraint, data=False)
        triples.update(_result(root, finding))
        conforms = conforms and finding.severity != SH.Violation
    triples.add((root, RDF.type, SH.ValidationReport))
    triples.add((root, SH.conforms, Literal(conforms)))
    return canonical_report(triples, conforms)


def _result(root: Node, finding: Finding) -> Iterator[Triple]:
    """The triples of one finding's ``sh:ValidationResult``, as pySHACL writes them."""
    result = BNode()
    yield root, SH.result, result
    yield result, RDF.type, SH.ValidationResult
    yield result, SH.focusNode, finding.focus
    yield result, SH.resultSeverity, finding.severity
    yield result, SH.sourceShape, finding.shape
    yield result, SH.sourceConstraintComponent, finding.component
    if finding.path is not None:
        yield result, SH.resultPath, finding.path
    if finding.value is not None:
        yield result, SH.value, finding.value
    if finding.constraint is not None:
        yield result, SH.sourceConstraint, finding.constraint
    for message in finding.messages:
        yield result, SH.resultMessage, message


def canonical_report(triples: Iterable[Triple], conforms: bool) -> Report:
    """The Report of a report graph's triples (own or pySHACL's), relabelled canonically."""
    graph = _canonical(triples)
    results = tuple(sorted(_results(graph), key=Result.sort_key))
    return Report(conforms=conforms, graph=graph, results=results)


class _BlankCopier:
    """Copies blank nodes of the data or the shapes into a report, deep, as pySHACL does."""

    _DEPTH = 10  # pySHACL's limit

    def __init__(self, report: set[Triple], data: Iterable[Triple], shapes: Graph | None) -> None:
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


# -- canonical blank node labels ----------------------------------------------------------


def _canonical(triples: Iterable[Triple]) -> Graph:
    """The triples as a graph whose blank nodes RDFC-1.0 labelled, ``b0``, ``b1`` ...

    Blank node ``bN`` is the one RDFC-1.0 labels ``c14nN``; the triples are added in the
    order of their canonical N-Quads, so even rdflib's own serialisers of the graph
    follow no set order. The project's prefixes, ``sh:`` and ``kgsh:`` are bound.
    """
    listed = list(triples)
    terms = _oxigraph_terms(listed)
    dataset = pyoxigraph.Dataset(pyoxigraph.Quad(*(terms[n] for n in t)) for t in listed)
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    back = {found: node for node, found in terms.items() if not isinstance(node, BNode)}
    quads = sorted(dataset, key=str)
    labels = sorted(
        {t.value for q in quads for t in (q.subject, q.object) if isinstance(t, _OX_BLANK)},
        key=lambda label: int(label.removeprefix("c14n")),
    )
    blank = {label: BNode(f"b{index}") for index, label in enumerate(labels)}

    def rdflib_term(term: Any) -> Node:
        return blank[term.value] if isinstance(term, _OX_BLANK) else back[term]

    graph = Graph(bind_namespaces="none")
    for quad in quads:
        graph.add(
            (rdflib_term(quad.subject), rdflib_term(quad.predicate), rdflib_term(quad.object))
        )
    bind_prefixes(graph)
    graph.bind("sh", SH, override=True, replace=True)
    graph.bind("kgsh", SHAPES_NS, override=True, replace=True)
    return graph


_OX_BLANK = pyoxigraph.BlankNode


def _oxigraph_terms(triples: list[Triple]) -> dict[Node, Any]:
    """Each term of the triples as pyoxigraph holds it, one rdflib term to one of its.

    Blank nodes are made afresh (their labels do not matter to RDFC-1.0). A term that
    pyoxigraph refuses (rdflib's Turtle parser lets ``<a b>`` through) or that it holds
    as the same term as another (``"x"`` and ``"x"^^xsd:string``, ``"x"@EN`` and
    ``"x"@en``) is stood for by an IRI made from its text, so that every term of the
    report comes back as it went in.
    """
    terms: dict[Node, Any] = {}
    owners: dict[Any, list[Node]] = {}
    for node in {n for t in triples for n in t}:
        if isinstance(node, BNode):
            terms[node] = pyoxigraph.BlankNode()
            continue
        try:
            found = to_oxigraph(node, {})
        except ValueError:
            found = _stand_in(node)
        terms[node] = found
        owners.setdefault(found, []).append(node)
    for nodes in owners.values():
        if len(nodes) > 1:
            terms.update((node, _stand_in(node)) for node in nodes)
    return terms


def _stand_in(node: Node) -> Any:
    """An IRI for a term that pyoxigraph cannot hold as itself, the same on every run."""
    if isinstance(node, Literal):
        text = f"literal\n{node}\n{node.language or ''}\n{node.datatype or ''}"
    else:
        text = f"{type(node).__name__}\n{node}"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return pyoxigraph.NamedNode(f"urn:x-newskg:term:{digest}")


# -- reading results back -----------------------------------------------------------------


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
