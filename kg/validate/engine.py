"""SHACL Core in plain Python: the shipped shapes checked at the speed a build needs.

pySHACL checks about 15k triples a second, as long as the parser takes for a whole
build; most of it goes into rdflib graph lookups. :class:`Shapes` compiles a shapes
graph once into checks that read a dict index of the data
(:class:`kg.validate.index.Data`) and reports
exactly what pySHACL reports for the constraint components it knows: the SHACL Core
components newskg's shapes use (``_PARAMETERS``; the checks are in
:mod:`kg.validate.checks`), and SPARQL constraints on a target class (``sh:sparql``,
:mod:`kg.validate.sparql`). ``tests/scale/test_validate.py`` holds it to pySHACL on every
fixture. A shapes graph using anything else raises
:class:`kg.validate.index.Unsupported`, and :mod:`kg.validate` hands it to pySHACL instead.

This module is the top of the engine: it imports the checks, the SPARQL constraints and
the index, and none of them imports it.

The checks read only the triples they are given. A build checks each document graph
apart, its own nodes only, and the nodes several documents describe together in one
cross-document check (:mod:`kg.build`), so the cost grows with the build, not faster.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from kg.validate import minisparql
from kg.validate.checks import MAKERS, Check, Finding
from kg.validate.index import Data, Triple, Unsupported
from kg.validate.sparql import SparqlConstraint, predicates, run_sparql, target_query

__all__ = ["Finding", "Shapes"]

_VIOLATION = SH.Violation

# Every parameter a shape here may use; another one (sh:node, sh:closed, a path that is
# not an IRI ...) makes the shapes Unsupported, and pySHACL checks them.
_PARAMETERS = frozenset(
    {
        SH.targetClass,
        SH.targetNode,
        SH.property,
        SH.path,
        SH.message,
        SH.severity,
        SH.name,
        SH.description,
        SH.order,
        SH.group,
        SH.nodeKind,
        SH.minCount,
        SH.maxCount,
        SH.datatype,
        SH["class"],
        SH.minLength,
        SH.maxLength,
        SH.pattern,
        SH["in"],
        SH["or"],
        SH.disjoint,
        SH.lessThan,
        SH.minInclusive,
        SH.maxInclusive,
        SH.minExclusive,
        SH.maxExclusive,
        SH.qualifiedValueShape,
        SH.qualifiedMinCount,
        SH.qualifiedMaxCount,
        SH.qualifiedValueShapesDisjoint,
        SH.sparql,
    }
)
# Statements about a shape that do not constrain anything.
_INERT = frozenset({RDF.type, RDFS.label, RDFS.comment, SH.declare, SH.prefixes})


@dataclass
class _Shape:
    node: Node
    severity: URIRef
    messages: tuple[Literal, ...]
    path: URIRef | None = None
    classes: tuple[str, ...] = ()
    nodes: tuple[Node, ...] = ()
    checks: list[Check] = field(default_factory=list)
    properties: list[_Shape] = field(default_factory=list)
    sparql: list[SparqlConstraint] = field(default_factory=list)
    key: str = ""  # the path as a Data key
    on_empty: list[Check] = field(default_factory=list)  # the checks no values can fail

    def findings(self, focus: Node, data: Data, out: list[Finding]) -> None:
        """Add the results of this shape (and its property shapes) on one focus node."""
        by_p = data.index.get(focus) or _NONE
        if self.path is None:
            self._report(self.checks, [focus], focus, data, out)
        else:
            self._report(self.checks, by_p.get(self.key) or [], focus, data, out)
        for prop in self.properties:
            values = by_p.get(prop.key)
            if values:
                prop._report(prop.checks, values, focus, data, out)
            elif prop.on_empty:  # most checks pass on no values: only counts can fail
                prop._report(prop.on_empty, [], focus, data, out)

    def _report(
        self, checks: list[Check], values: list[Node], focus: Node, data: Data, out: list[Finding]
    ) -> None:
        for check in checks:
            failures = check(values, focus, data)
            if failures:
                out.extend(
                    Finding(focus, self.severity, self.node, c, self.messages, self.path, v)
                    for v, c in failures
                )

    def conforms(self, focus: Node, data: Data) -> bool:
        found: list[Finding] = []
        self.findings(focus, data, found)
        return not found


_NONE: dict[str, list[Node]] = {}


class Shapes:
    """A shapes graph compiled into checks; :meth:`check` validates triples against it."""

    def __init__(self, shapes: Graph) -> None:
        self.graph = shapes
        self._compiled: dict[Node, _Shape] = {}
        nodes = sorted(_shape_nodes(shapes), key=_order)
        self.roots = [self._shape(node) for node in nodes if _targets(shapes, node)]
        self.sparql = [s for root in self.roots for s in root.sparql]
        for root in self.roots:
            _require_messages(root)

    def check(
        self,
        triples: Iterable[Triple],
        focus: Callable[[Node], bool] | None = None,
        *,
        distinct: bool = False,
        data: Data | None = None,
    ) -> list[Finding]:
        """Every result on the data, limited to the focus nodes ``focus`` accepts.

        ``distinct`` says the triples hold no duplicate (a document graph), which saves
        removing them; ``data`` is their index when the caller has built it.
        """
        listed = list(triples) if distinct else list(dict.fromkeys(triples))
        if data is None:
            data = Data(listed)
        found: list[Finding] = []
        for shape in self.roots:
            targets: Iterable[Node]
            if len(shape.classes) == 1 and not shape.nodes:
                targets = data.instances(shape.classes[0])
            else:
                classes = shape.classes
                targets = {*shape.nodes, *(t for c in classes for t in data.instances(c))}
            for node in targets:
                if focus is None or focus(node):
                    shape.findings(node, data, found)
        for constraint in self.sparql:
            found.extend(run_sparql(constraint, listed, data, focus))
        return found

    # -- compiling ---------------------------------------------------------------------

    def _shape(self, node: Node) -> _Shape:
        compiled = self._compiled.get(node)
        if compiled is not None:
            return compiled
        g = self.graph
        unknown = {p for p in g.predicates(node) if p not in _PARAMETERS and p not in _INERT}
        if unknown:
            raise Unsupported(f"shape {node} uses {', '.join(sorted(map(str, unknown)))}")
        if (node, RDF.type, RDFS.Class) in g:
            raise Unsupported(f"shape {node} is also a class (an implicit target)")
        path = g.value(node, SH.path)
        if path is not None and not isinstance(path, URIRef):
            raise Unsupported(f"shape {node} has a path that is not an IRI")
        shape = _Shape(
            node,
            _one(g, node, SH.severity, _VIOLATION),
            tuple(sorted(_literals(g, node, SH.message), key=str)),
            path,
            tuple(str(c) for c in g.objects(node, SH.targetClass)),
            tuple(g.objects(node, SH.targetNode)),
            key="" if path is None else str(path),
        )
        self._compiled[node] = shape
        shape.checks = [
            MAKERS[p](self, node, o)
            for p, o in sorted(g.predicate_objects(node), key=lambda po: (str(po[0]), str(po[1])))
            if p in MAKERS
        ]
        shape.on_empty = [c for c in shape.checks if getattr(c, "on_empty", False)]
        children = sorted(g.objects(node, SH.property), key=_order)
        if children and path is not None:
            raise Unsupported(f"property shape {node} has property shapes of its own")
        shape.properties = [self._shape(child) for child in children]
        shape.sparql = [self._sparql_constraint(shape, c) for c in g.objects(node, SH.sparql)]
        return shape

    def shape(self, node: Node) -> _Shape:
        """The compiled shape of a node (compiled once), for sh:or and sh:qualifiedValueShape."""
        return self._shape(node)

    def items(self, head: Node) -> list[Node]:
        return list(self.graph.items(head))

    def _sparql_constraint(self, shape: _Shape, constraint: Node) -> SparqlConstraint:
        g = self.graph
        if len(shape.classes) != 1 or shape.nodes or shape.path is not None:
            raise Unsupported(f"SPARQL constraint {constraint} is not a SELECT on a target class")
        query = target_query(g, constraint, URIRef(shape.classes[0]))
        # As pySHACL: the constraint's messages, then the shape's, each formatted.
        messages = tuple(dict.fromkeys([*_literals(g, constraint, SH.message), *shape.messages]))
        try:
            compiled: minisparql.Select | None = minisparql.compile_select(query)
        except Unsupported:  # a query it cannot evaluate: pyoxigraph runs it
            compiled = None
        return SparqlConstraint(
            shape.node, shape.severity, constraint, query, messages, compiled, predicates(query)
        )


def _require_messages(shape: _Shape) -> None:
    """pySHACL writes its own message for a shape without sh:message; only those are copied."""
    if shape.checks and not shape.messages:
        raise Unsupported(f"shape {shape.node} reports results but has no sh:message")
    for prop in shape.properties:
        _require_messages(prop)


def _shape_nodes(g: Graph) -> set[Node]:
    kinds = (SH.NodeShape, SH.PropertyShape)
    found = {n for kind in kinds for n in g.subjects(RDF.type, kind)}
    return found | set(g.subjects(SH.targetClass, None)) | set(g.subjects(SH.targetNode, None))


def _targets(g: Graph, node: Node) -> bool:
    others = (SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
    if any((node, p, None) in g for p in others):
        raise Unsupported(f"shape {node} has a target other than sh:targetClass or sh:targetNode")
    if (node, SH.deactivated, None) in g:
        raise Unsupported(f"shape {node} uses sh:deactivated")
    return (node, SH.targetClass, None) in g or (node, SH.targetNode, None) in g


def _order(node: Node) -> tuple[bool, str]:
    return (isinstance(node, BNode), str(node))


def _one(g: Graph, node: Node, predicate: URIRef, default: Any) -> Any:
    values = list(g.objects(node, predicate))
    if len(values) > 1:
        raise Unsupported(f"shape {node} has several {predicate}")
    return values[0] if values else default


def _literals(g: Graph, node: Node, predicate: URIRef) -> list[Literal]:
    return [o for o in g.objects(node, predicate) if isinstance(o, Literal)]
