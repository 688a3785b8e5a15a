"""SHACL Core in plain Python: the shipped shapes checked at the speed a build needs.

pySHACL checks about 15k triples a second, as long as the parser takes for a whole
build; most of it goes into rdflib graph lookups. :class:`Shapes` compiles a shapes
graph once into checks that read a dict index of the data (:class:`Data`) and reports
exactly what pySHACL reports for the constraint components it knows: the SHACL Core
components newskg's shapes use (``_PARAMETERS``), and SPARQL constraints on a target
class (``sh:sparql``), evaluated by :mod:`kg.minisparql` or, for a query it cannot
evaluate, by pyoxigraph. ``tests/test_scale_validate.py`` holds it to pySHACL on every
fixture. A shapes graph using anything else raises :class:`Unsupported`, and
:mod:`kg.validate` hands it to pySHACL instead.

The checks read only the triples they are given. A build checks each document graph
apart, its own nodes only, and the nodes several documents describe together in one
cross-document check (:mod:`kg.pipeline`), so the cost grows with the build, not faster.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyoxigraph
from pyshacl.rdfutil.compare import compare_literal
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from kg import minisparql

__all__ = ["Data", "Finding", "Shapes", "Unsupported"]

Triple = tuple[Node, Node, Node]
_TYPE, _SUBCLASS = str(RDF.type), str(RDFS.subClassOf)
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


class Unsupported(Exception):
    """The shapes use a feature this module does not implement; use pySHACL."""


@dataclass(frozen=True)
class Finding:
    """One validation result, as pySHACL would report it."""

    focus: Node
    severity: URIRef
    shape: Node  # sh:sourceShape
    component: URIRef  # sh:sourceConstraintComponent
    messages: tuple[Literal, ...]
    path: URIRef | None = None
    value: Node | None = None
    constraint: Node | None = None  # sh:sourceConstraint, for SPARQL constraints


class Data:
    """An index of triples: each subject's values by predicate, each node's types.

    Subjects are keyed by the terms themselves and predicates by their IRI as ``str``.
    rdflib terms compare in Python; the triples of a build are made from one object per
    term (:mod:`kg.terms`, :mod:`kg.graph`), so most lookups match by identity first.
    """

    def __init__(self, triples: Iterable[Triple] = ()) -> None:
        index: dict[Node, dict[str, list[Node]]] = {}
        for s, p, o in triples:
            if isinstance(s, Literal):
                continue  # a literal subject: no shape can target it
            by_p = index.get(s)
            if by_p is None:
                by_p = index[s] = {}
            ps = str(p)
            values = by_p.get(ps)
            if values is None:
                by_p[ps] = [o]
            else:
                values.append(o)
        self._set(index)

    @classmethod
    def from_index(cls, index: dict[Node, dict[str, list[Node]]]) -> Data:
        """Data from triples already grouped by subject and predicate IRI (each once)."""
        data = cls.__new__(cls)
        data._set(index)
        return data

    def _set(self, index: dict[Node, dict[str, list[Node]]]) -> None:
        self.index = index
        self.types: dict[Node, set[str]] = {
            s: {str(o) for o in by_p[_TYPE] if isinstance(o, URIRef)}
            for s, by_p in index.items()
            if _TYPE in by_p
        }
        # rdfs:subClassOf in the data widens sh:class and sh:targetClass, as in pySHACL.
        self._parents: dict[str, set[str]] = {
            str(k): {str(c) for c in by_p[_SUBCLASS] if isinstance(c, URIRef)}
            for k, by_p in index.items()
            if _SUBCLASS in by_p
        }
        self._instances: dict[str, list[Node]] | None = None
        self._pairs: dict[str, list[tuple[Node, Node]]] = {}
        self._reverse: dict[str, dict[Node, list[Node]]] = {}

    @property
    def terms(self) -> dict[Node, Node]:
        return {s: s for s in self.index}

    def values(self, term: Node, predicate: str) -> list[Node]:
        by_p = self.index.get(term)
        if by_p is None:
            return []
        return by_p.get(predicate) or []

    def is_a(self, term: Node, cls: str) -> bool:
        if isinstance(term, Literal):
            return False
        types = self.types.get(term)
        if not types:
            return False
        if cls in types:
            return True
        return bool(self._parents) and any(cls in self._ancestors(t) for t in types)

    def _ancestors(self, cls: str) -> set[str]:
        seen: set[str] = set()
        todo = [cls]
        while todo:
            for parent in self._parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    def instances(self, cls: str) -> list[Node]:
        """The nodes typed ``cls`` (or a subclass of it), each once, in no particular order."""
        if self._instances is None:
            direct: dict[str, list[Node]] = {}
            for node, types in self.types.items():
                for t in types:
                    direct.setdefault(t, []).append(node)
            self._instances = direct
        found = self._instances.get(cls, [])
        if not self._parents:
            return found
        return sorted((n for n in self.types if self.is_a(n, cls)), key=str)

    def subjects(self, predicate: str, obj: Node) -> list[Node]:
        """The subjects with ``obj`` as a value of ``predicate``."""
        by_object = self._reverse.get(predicate)
        if by_object is None:
            by_object = self._reverse[predicate] = {}
            for s, o in self.pairs(predicate):
                by_object.setdefault(o, []).append(s)
        return by_object.get(obj, [])

    def pairs(self, predicate: str) -> list[tuple[Node, Node]]:
        """Every (subject, object) of a predicate."""
        found = self._pairs.get(predicate)
        if found is None:
            found = [(s, o) for s, by_p in self.index.items() for o in by_p.get(predicate, ())]
            self._pairs[predicate] = found
        return found


# A check reads a focus node's value nodes and returns the failures as (value,
# component), value None where pySHACL reports none (counts); None when all pass.
Failures = list[tuple[Node | None, URIRef]] | None
Check = Callable[[list[Node], Node, Data], Failures]


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
    sparql: list[_Sparql] = field(default_factory=list)
    key: str = ""  # the path as a Data key

    def findings(self, focus: Node, data: Data, out: list[Finding]) -> None:
        """Add the results of this shape (and its property shapes) on one focus node."""
        by_p = data.index.get(focus) or _NONE
        if self.path is None:
            self._report(self.checks, [focus], focus, data, out)
        else:
            self._report(self.checks, by_p.get(self.key) or [], focus, data, out)
        for prop in self.properties:
            prop._report(prop.checks, by_p.get(prop.key) or [], focus, data, out)

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


@dataclass(frozen=True)
class _Sparql:
    """A SPARQL constraint as one query for all focus nodes (``$this`` left free)."""

    shape: _Shape
    constraint: Node
    query: str
    messages: tuple[Literal, ...]
    select: minisparql.Select | None  # None: run it in pyoxigraph
    predicates: frozenset[str] | None  # what pyoxigraph needs loaded; None: everything


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
            found.extend(_run_sparql(constraint, listed, data, focus))
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
            _MAKERS[p](self, node, o)
            for p, o in sorted(g.predicate_objects(node), key=lambda po: (str(po[0]), str(po[1])))
            if p in _MAKERS
        ]
        children = sorted(g.objects(node, SH.property), key=_order)
        if children and path is not None:
            raise Unsupported(f"property shape {node} has property shapes of its own")
        shape.properties = [self._shape(child) for child in children]
        shape.sparql = [self._sparql_constraint(shape, c) for c in g.objects(node, SH.sparql)]
        return shape

    def items(self, head: Node) -> list[Node]:
        return list(self.graph.items(head))

    def _sparql_constraint(self, shape: _Shape, constraint: Node) -> _Sparql:
        g = self.graph
        select = g.value(constraint, SH.select)
        if select is None or len(shape.classes) != 1 or shape.nodes or shape.path is not None:
            raise Unsupported(f"SPARQL constraint {constraint} is not a SELECT on a target class")
        prefixes = "".join(
            f"PREFIX {g.value(d, SH.prefix)}: <{g.value(d, SH.namespace)}>\n"
            for source in g.objects(constraint, SH.prefixes)
            for d in g.objects(source, SH.declare)
        )
        body = str(select).replace("$this", "?this")
        where = body.index("{", body.upper().index("WHERE")) + 1
        body = f"{body[:where]} ?this a <{shape.classes[0]}> . {body[where:]}"
        query = prefixes + body
        # As pySHACL: the constraint's messages, then the shape's, each formatted.
        messages = tuple(dict.fromkeys([*_literals(g, constraint, SH.message), *shape.messages]))
        try:
            compiled: minisparql.Select | None = minisparql.compile_select(query)
        except minisparql.Unsupported:
            compiled = None
        return _Sparql(shape, constraint, query, messages, compiled, _predicates(query))


def _run_sparql(
    constraint: _Sparql,
    triples: list[Triple],
    data: Data,
    focus: Callable[[Node], bool] | None,
) -> list[Finding]:
    solutions: list[dict[str, Node]] | None = None
    if constraint.select is not None:
        try:
            solutions = list(constraint.select.solutions(data))
        except minisparql.Unsupported:
            solutions = None  # a value it cannot compare: ask pyoxigraph
    if solutions is None:
        solutions = _oxigraph_solutions(constraint, triples)
    found = []
    for bindings in solutions:
        this = bindings["this"]
        if focus is not None and not focus(this):
            continue
        path = bindings.get("path")
        found.append(
            Finding(
                this,
                constraint.shape.severity,
                constraint.shape.node,
                SH.SPARQLConstraintComponent,
                tuple(_format(m, bindings) for m in constraint.messages),
                path if isinstance(path, URIRef) else None,
                # As SHACL-SPARQL says: ?value if the query binds it, else the focus node.
                bindings.get("value", this),
                constraint.constraint,
            )
        )
    return found


def _oxigraph_solutions(constraint: _Sparql, triples: list[Triple]) -> list[dict[str, Node]]:
    wanted = constraint.predicates
    store = pyoxigraph.Store()
    terms: dict[Node, Any] = {}
    store.extend(
        pyoxigraph.Quad(_ox(s, terms), _ox(p, terms), _ox(o, terms))
        for s, p, o in triples
        if wanted is None or str(p) in wanted
    )
    solutions = store.query(constraint.query)
    if not isinstance(solutions, pyoxigraph.QuerySolutions):
        raise Unsupported(f"{constraint.constraint} is not a SELECT query")
    names = [v.value for v in solutions.variables]
    return [
        {name: _rdflib(solution[name]) for name in names if solution[name] is not None}
        for solution in solutions
    ]


def _require_messages(shape: _Shape) -> None:
    """pySHACL writes its own message for a shape without sh:message; only those are copied."""
    if shape.checks and not shape.messages:
        raise Unsupported(f"shape {shape.node} reports results but has no sh:message")
    for prop in shape.properties:
        _require_messages(prop)


def _format(message: Literal, bindings: dict[str, Node]) -> Literal:
    """A SPARQL constraint's message with ``{?name}`` / ``{$name}`` replaced, as pySHACL does."""
    text = str(message)
    for name, value in bindings.items():
        # A function, so that a backslash in the value is not read as a group reference.
        text = re.sub(f"{{[?$]{name}}}", functools.partial(_replacement, str(value)), text)
    return Literal(text)


def _replacement(text: str, _match: re.Match[str]) -> str:
    return text


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


def _int(value: Node, what: str) -> int:
    if not isinstance(value, Literal) or not isinstance(value.value, int):
        raise Unsupported(f"{what} must be an integer, not {value!r}")
    return int(value.value)


def _predicates(query: str) -> frozenset[str] | None:
    """The predicates a query reads, when all are IRIs; None when one is a variable or path.

    Only the triples with these predicates are loaded into pyoxigraph for it.
    """
    from rdflib.plugins.sparql import prepareQuery

    found: set[str] = set()

    def walk(node: Any) -> bool:
        if isinstance(node, dict):  # rdflib's CompValue is a dict with a name
            if getattr(node, "name", None) == "BGP":
                for triple in node.get("triples") or ():
                    if not isinstance(triple[1], URIRef):
                        return False
                    found.add(str(triple[1]))
            return all(walk(value) for value in node.values())
        if isinstance(node, list | tuple):
            return all(walk(item) for item in node)
        return True

    try:
        parsed = prepareQuery(query)
    except Exception as exc:  # rdflib's parser raises pyparsing's exceptions
        raise Unsupported(f"cannot read the SPARQL constraint: {exc}") from exc
    return frozenset(found) if walk(parsed.algebra) else None


def _ox(term: Node, cache: dict[Node, Any]) -> Any:
    found = cache.get(term)
    if found is not None:
        return found
    if isinstance(term, URIRef):
        found = pyoxigraph.NamedNode(str(term))
    elif isinstance(term, BNode):
        found = pyoxigraph.BlankNode(str(term))
    elif isinstance(term, Literal):
        if term.language:
            found = pyoxigraph.Literal(str(term), language=term.language)
        else:
            datatype = pyoxigraph.NamedNode(str(term.datatype or XSD.string))
            found = pyoxigraph.Literal(str(term), datatype=datatype)
    else:
        raise TypeError(f"unexpected RDF term {term!r}")
    cache[term] = found
    return found


def _rdflib(term: Any) -> Node:
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


# -- the constraint components: (shapes, shape node, parameter value) -> check -------------

_KINDS: dict[Node, tuple[type, ...]] = {
    SH.IRI: (URIRef,),
    SH.BlankNode: (BNode,),
    SH.Literal: (Literal,),
    SH.BlankNodeOrIRI: (BNode, URIRef),
    SH.BlankNodeOrLiteral: (BNode, Literal),
    SH.IRIOrLiteral: (URIRef, Literal),
}


def _node_kind(shapes: Shapes, node: Node, kind: Node) -> Check:
    allowed = _KINDS.get(kind)
    if allowed is None:
        raise Unsupported(f"unknown sh:nodeKind {kind}")
    component = SH.NodeKindConstraintComponent

    def check(values: list[Node], focus: Node, data: Data) -> Failures:
        bad = [v for v in values if not isinstance(v, allowed)]
        return [(v, component) for v in bad] if bad else None

    return check


def _min_count(shapes: Shapes, node: Node, value: Node) -> Check:
    least, component = _int(value, "sh:minCount"), SH.MinCountConstraintComponent

    def check(values: list[Node], focus: Node, data: Data) -> Failures:
        return [(None, component)] if len(values) < least else None

    return check


def _max_count(shapes: Shapes, node: Node, value: Node) -> Check:
    most, component = _int(value, "sh:maxCount"), SH.MaxCountConstraintComponent

    def check(values: list[Node], focus: Node, data: Data) -> Failures:
        return [(None, component)] if len(values) > most else None

    return check


_XSD_STRING, _LANG_STRING = str(XSD.string), str(RDF.langString)
_PYTHON_TYPES: dict[str, Any] = {
    _XSD_STRING: (str, bytes),
    _LANG_STRING: (str, bytes),
    str(XSD.integer): int,
    str(XSD.float): float,
    str(XSD.decimal): Decimal,
    str(XSD.boolean): bool,
    str(XSD.date): datetime.date,
    str(XSD.time): datetime.time,
    str(XSD.dateTime): datetime.datetime,
}
_RDFS_LITERAL, _RDFS_DATATYPE = str(RDFS.Literal), str(RDFS.Datatype)


def _datatype_matches(v: Node, datatype: str) -> bool:
    """pySHACL's sh:datatype test: the same datatype IRI and a well-formed lexical form."""
    if not isinstance(v, Literal):
        return False
    own = v.datatype
    if own is not None and str(own) == datatype:
        if getattr(v, "ill_typed", None) is True:
            return False
        return _actual(v, datatype)
    if datatype == _RDFS_LITERAL:
        return True
    if datatype == _RDFS_DATATYPE and own:
        return True
    if own is None and v.language is None and datatype == _XSD_STRING:
        return _actual(v, datatype)
    return datatype == _LANG_STRING and bool(v.language) and _actual(v, datatype)


def _actual(v: Literal, datatype: str) -> bool:
    kind = _PYTHON_TYPES.get(datatype)
    return True if kind is None else isinstance(v.value, kind)


def _datatype(shapes: Shapes, node: Node, value: Node) -> Check:
    datatype, component = str(value), SH.DatatypeConstraintComponent

    def check(values: list[Node], focus: Node, data: Data) -> Failures:
        bad = [v for v in values if not _datatype_matches(v, datatype)]
        return [(v, component) for v in bad] if bad else None

    return check


def _class(shapes: Shapes, node: Node, value: Node) -> Check:
    cls, component = str(value), SH.ClassConstraintComponent

    def check(values: list[Node], focus: Node, data: Data) -> Failures:
        bad = [v for v in values if isinstance(v, Literal) or not data.is_a(v, cls)]
        return [(v, component) for v in bad] if bad else None

    return check


def _string(v: Node) -> str:
    """The text pySHACL measures and matches: a string literal's value, else the lexical form."""
    if (
        isinstance(v, Literal)
        and v.value is not None
        and v.datatype in (None, RDF.langString, XSD.string)
    ):
        return str(v.value)
    return str(v)


def _min_length(shapes: Shapes, node: Node, value: Node) -> Check:
    least, component = _int(value, "sh:minLength"), SH.MinLengthConstraintComponent

    def check(values: list[Node], focus: Node, data: Data) -> Failures:
        if least <= 0:
            return None
        bad = [v for v in values if isinstance(v, BNode) or len(_string(v)) < least]
        return [(v, component) for v in bad] if bad else None

    return check


def _max_length(shapes: Shapes, node: Node, value: Node) -> Check:
    most, component = _int(value, "sh:maxLength"), SH.MaxLengthConstraintComponent

    def check(values: list[Node], focus: Node, data: Data) -> Failures:
        bad = [v for v in values if isinstance(v, BNode) or len(_string(v)) > most]
        return [(v, component) for v in bad] if bad else None

    return check


def _pattern(shapes: Shapes, node: Node, value: Node) -> Check:
    if (node, SH.flags, None) in shapes.graph:
        raise Unsupported(f"shape {node} uses sh:flags")
    matcher, component = re.compile(str(value)), SH.PatternConstraintComponent

    def check(values: list[Node], focus: Node, data: Data) -> Failures:
        bad = [v for v in values if isinstance(v, BNode) or not matcher.search(_string(v))]
        return [(v, component) for v in bad] if bad else None

    return check


def _in(shapes: Shapes, node: Node, head: Node) -> Check:
    allowed, component = set(shapes.items(head)), SH.InConstraintComponent

    def check(values: list[Node], focus: Node, data: Data) -> Failures:
        bad = [v for v in values if v not in allowed]
        return [(v, component) for v in bad] if bad else None

    return check


def _or(shapes: Shapes, node: Node, head: Node) -> Check:
    options = [shapes._shape(member) for member in shapes.items(head)]
    component = SH.OrConstraintComponent

    def check(values: list[Node], focus: Node, data: Data) -> Failures:
        bad = [v for v in values if not any(option.conforms(v, data) for option in options)]
        return [(v, component) for v in bad] if bad else None

    return check


def _disjoint(shapes: Shapes, node: Node, other: Node) -> Check:
    prop, component = str(other), SH.DisjointConstraintComponent

    def check(values: list[Node], focus: Node, data: Data) -> Failures:
        others = data.values(focus, prop)
        if not others:
            return None
        common = set(values) & set(others)
        return [(v, component) for v in common] if common else None

    return check


def _comparable(node: Node) -> tuple[bool, Any]:
    """(is it a string, its value) as pySHACL's sh:lessThan compares it."""
    if isinstance(node, URIRef):
        return True, str(node)
    if isinstance(node, Literal) and isinstance(node.value, str):
        return True, node.value
    return False, node


def _less_than(shapes: Shapes, node: Node, other: Node) -> Check:
    if not isinstance(other, URIRef):
        raise Unsupported("sh:lessThan must name a property")
    prop, component = str(other), SH.LessThanConstraintComponent

    def check(values: list[Node], focus: Node, data: Data) -> Failures:
        failures: list[tuple[Node | None, URIRef]] = []
        others = data.values(focus, prop)
        for v in values:
            v_string, v_value = _comparable(v)
            for w in others:
                if isinstance(v, BNode) or isinstance(w, BNode):
                    raise Unsupported("sh:lessThan on a blank node")  # pySHACL raises too
                w_string, w_value = _comparable(w)
                if v_string != w_string or not v_value < w_value:
                    failures.append((v, component))
        return failures or None

    return check


def _range(component: URIRef, passes: Callable[[int], bool]) -> Callable[..., Check]:
    """sh:minInclusive and its kin, comparing literals as pySHACL does."""

    def make(shapes: Shapes, node: Node, bound: Node) -> Check:
        if not isinstance(bound, Literal):
            raise Unsupported(f"{component} needs a literal bound")
        bound_is_string = isinstance(bound.value, str)

        def check(values: list[Node], focus: Node, data: Data) -> Failures:
            bad = []
            for v in values:
                ok = False
                if isinstance(v, Literal) and isinstance(v.value, str) == bound_is_string:
                    try:
                        ok = passes(compare_literal(v, bound))  # type: ignore[no-untyped-call]
                    except (TypeError, NotImplementedError):
                        ok = False
                if not ok:
                    bad.append(v)
            return [(v, component) for v in bad] if bad else None

        return check

    return make


def _qualified(shapes: Shapes, node: Node, value: Node) -> Check:
    g = shapes.graph
    flags = [o for o in g.objects(node, SH.qualifiedValueShapesDisjoint) if isinstance(o, Literal)]
    if any(flag.value is True for flag in flags):
        raise Unsupported("sh:qualifiedValueShapesDisjoint true")
    inner = shapes._shape(value)
    least = g.value(node, SH.qualifiedMinCount)
    most = g.value(node, SH.qualifiedMaxCount)
    low = None if least is None else _int(least, "sh:qualifiedMinCount")
    high = None if most is None else _int(most, "sh:qualifiedMaxCount")

    def check(values: list[Node], focus: Node, data: Data) -> Failures:
        count = sum(1 for v in values if inner.conforms(v, data))
        failures: list[tuple[Node | None, URIRef]] = []
        if high is not None and count > high:
            failures.append((None, SH.QualifiedMaxCountConstraintComponent))
        if low is not None and count < low:
            failures.append((None, SH.QualifiedMinCountConstraintComponent))
        return failures or None

    return check


_MAKERS: dict[Node, Callable[[Shapes, Node, Node], Check]] = {
    SH.nodeKind: _node_kind,
    SH.minCount: _min_count,
    SH.maxCount: _max_count,
    SH.datatype: _datatype,
    SH["class"]: _class,
    SH.minLength: _min_length,
    SH.maxLength: _max_length,
    SH.pattern: _pattern,
    SH["in"]: _in,
    SH["or"]: _or,
    SH.disjoint: _disjoint,
    SH.lessThan: _less_than,
    SH.minInclusive: _range(SH.MinInclusiveConstraintComponent, lambda c: c >= 0),
    SH.maxInclusive: _range(SH.MaxInclusiveConstraintComponent, lambda c: c <= 0),
    SH.minExclusive: _range(SH.MinExclusiveConstraintComponent, lambda c: c > 0),
    SH.maxExclusive: _range(SH.MaxExclusiveConstraintComponent, lambda c: c < 0),
    SH.qualifiedValueShape: _qualified,
}
