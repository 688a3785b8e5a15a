"""The SHACL Core constraint components :mod:`kg.validate.engine` implements, one check maker each.

A maker reads a shape's parameter once and returns a check; a check reads a focus node's
value nodes (and :class:`kg.validate.index.Data` for what it needs about them) and returns
the failures as pySHACL reports them: the value node (None where pySHACL names none, as
for counts) and the constraint component. Each follows pySHACL's own code for its
component, so the results, and the report, are the same. A maker reads the compiled
shapes only through :class:`ShapeSource`, so this module does not import the engine.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from pyshacl.rdfutil.compare import compare_literal
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from kg.validate.index import Data, Unsupported

__all__ = [
    "MAKERS",
    "Check",
    "CompiledShape",
    "Failures",
    "Finding",
    "ShapeSource",
    "integer",
]


class CompiledShape(Protocol):
    """A shape as sh:or and sh:qualifiedValueShape test a value node against it."""

    def conforms(self, focus: Node, data: Data) -> bool: ...


class ShapeSource(Protocol):
    """What a check maker reads of the compiled shapes (:class:`kg.validate.engine.Shapes`)."""

    @property
    def graph(self) -> Graph:
        """The shapes graph, for a parameter's companions (``sh:flags``, qualified counts)."""
        ...

    def shape(self, node: Node) -> CompiledShape:
        """The compiled shape of a node, compiled once."""
        ...

    def items(self, head: Node) -> list[Node]:
        """The members of an RDF list in the shapes graph."""
        ...


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


# A check reads a focus node's value nodes and returns the failures as (value,
# component), value None where pySHACL reports none (counts); None when all pass. A check
# that can fail on no values at all (a minimum count) says so: ``check.on_empty = True``.
Failures = list[tuple[Node | None, URIRef]] | None
Check = Callable[[list[Node], Node, Data], Failures]


def integer(value: Node, what: str) -> int:
    if not isinstance(value, Literal) or not isinstance(value.value, int):
        raise Unsupported(f"{what} must be an integer, not {value!r}")
    return int(value.value)


# -- the constraint components: (shapes, shape node, parameter value) -> check -------------

_KINDS: dict[Node, tuple[type, ...]] = {
    SH.IRI: (URIRef,),
    SH.BlankNode: (BNode,),
    SH.Literal: (Literal,),
    SH.BlankNodeOrIRI: (BNode, URIRef),
    SH.BlankNodeOrLiteral: (BNode, Literal),
    SH.IRIOrLiteral: (URIRef, Literal),
}


def _node_kind(shapes: ShapeSource, node: Node, kind: Node) -> Check:
    allowed = _KINDS.get(kind)
    if allowed is None:
        raise Unsupported(f"unknown sh:nodeKind {kind}")
    component = SH.NodeKindConstraintComponent

    def check(values: list[Node], focus: Node, data: Data) -> Failures:
        bad = [v for v in values if not isinstance(v, allowed)]
        return [(v, component) for v in bad] if bad else None

    return check


def _min_count(shapes: ShapeSource, node: Node, value: Node) -> Check:
    least, component = integer(value, "sh:minCount"), SH.MinCountConstraintComponent

    def check(values: list[Node], focus: Node, data: Data) -> Failures:
        return [(None, component)] if len(values) < least else None

    check.on_empty = least > 0  # type: ignore[attr-defined]
    return check


def _max_count(shapes: ShapeSource, node: Node, value: Node) -> Check:
    most, component = integer(value, "sh:maxCount"), SH.MaxCountConstraintComponent

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


def _datatype(shapes: ShapeSource, node: Node, value: Node) -> Check:
    datatype, component = str(value), SH.DatatypeConstraintComponent

    def check(values: list[Node], focus: Node, data: Data) -> Failures:
        bad = [v for v in values if not _datatype_matches(v, datatype)]
        return [(v, component) for v in bad] if bad else None

    return check


def _class(shapes: ShapeSource, node: Node, value: Node) -> Check:
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


def _min_length(shapes: ShapeSource, node: Node, value: Node) -> Check:
    least, component = integer(value, "sh:minLength"), SH.MinLengthConstraintComponent

    def check(values: list[Node], focus: Node, data: Data) -> Failures:
        if least <= 0:
            return None
        bad = [v for v in values if isinstance(v, BNode) or len(_string(v)) < least]
        return [(v, component) for v in bad] if bad else None

    return check


def _max_length(shapes: ShapeSource, node: Node, value: Node) -> Check:
    most, component = integer(value, "sh:maxLength"), SH.MaxLengthConstraintComponent

    def check(values: list[Node], focus: Node, data: Data) -> Failures:
        bad = [v for v in values if isinstance(v, BNode) or len(_string(v)) > most]
        return [(v, component) for v in bad] if bad else None

    return check


def _pattern(shapes: ShapeSource, node: Node, value: Node) -> Check:
    if (node, SH.flags, None) in shapes.graph:
        raise Unsupported(f"shape {node} uses sh:flags")
    matcher, component = re.compile(str(value)), SH.PatternConstraintComponent

    def check(values: list[Node], focus: Node, data: Data) -> Failures:
        bad = [v for v in values if isinstance(v, BNode) or not matcher.search(_string(v))]
        return [(v, component) for v in bad] if bad else None

    return check


def _in(shapes: ShapeSource, node: Node, head: Node) -> Check:
    allowed, component = set(shapes.items(head)), SH.InConstraintComponent

    def check(values: list[Node], focus: Node, data: Data) -> Failures:
        bad = [v for v in values if v not in allowed]
        return [(v, component) for v in bad] if bad else None

    return check


def _or(shapes: ShapeSource, node: Node, head: Node) -> Check:
    options = [shapes.shape(member) for member in shapes.items(head)]
    component = SH.OrConstraintComponent

    def check(values: list[Node], focus: Node, data: Data) -> Failures:
        bad = [v for v in values if not any(option.conforms(v, data) for option in options)]
        return [(v, component) for v in bad] if bad else None

    return check


def _disjoint(shapes: ShapeSource, node: Node, other: Node) -> Check:
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


def _less_than(shapes: ShapeSource, node: Node, other: Node) -> Check:
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

    def make(shapes: ShapeSource, node: Node, bound: Node) -> Check:
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


def _qualified(shapes: ShapeSource, node: Node, value: Node) -> Check:
    g = shapes.graph
    flags = [o for o in g.objects(node, SH.qualifiedValueShapesDisjoint) if isinstance(o, Literal)]
    if any(flag.value is True for flag in flags):
        raise Unsupported("sh:qualifiedValueShapesDisjoint true")
    inner = shapes.shape(value)
    least = g.value(node, SH.qualifiedMinCount)
    most = g.value(node, SH.qualifiedMaxCount)
    low = None if least is None else integer(least, "sh:qualifiedMinCount")
    high = None if most is None else integer(most, "sh:qualifiedMaxCount")

    def check(values: list[Node], focus: Node, data: Data) -> Failures:
        count = sum(1 for v in values if inner.conforms(v, data))
        failures: list[tuple[Node | None, URIRef]] = []
        if high is not None and count > high:
            failures.append((None, SH.QualifiedMaxCountConstraintComponent))
        if low is not None and count < low:
            failures.append((None, SH.QualifiedMinCountConstraintComponent))
        return failures or None

    check.on_empty = low is not None and low > 0  # type: ignore[attr-defined]
    return check


MAKERS: dict[Node, Callable[[ShapeSource, Node, Node], Check]] = {
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
