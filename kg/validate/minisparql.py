"""A SPARQL SELECT evaluator for the small queries SHACL-SPARQL constraints are, in Python.

A SPARQL constraint is checked on each document graph of a build: a few hundred
triples. Loading them into pyoxigraph costs more (about 2 µs a triple) than answering
the query over :class:`kg.validate.index.Data`, the index the core checks already built.
This module evaluates rdflib's algebra of a query for what SHACL constraints use: basic
graph patterns with IRI predicates, joins, unions, ``BIND``, ``FILTER``, comparison,
arithmetic, ``STRLEN`` and the logical operators (the expressions are in
:mod:`kg.validate.expressions`). :func:`compile_select` raises
:class:`kg.validate.index.Unsupported` for anything else, and :mod:`kg.validate.engine`
runs that query in pyoxigraph. An expression this module cannot evaluate at run time (a
comparison of literals of a datatype it does not know) raises it too, so the caller can
fall back for that data rather than guess.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from rdflib import BNode, Literal, URIRef, Variable
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from kg.validate.expressions import (
    Bindings,
    Expression,
    ExpressionError,
    expression,
    term,
    truth,
    variables,
)
from kg.validate.index import Data, Unsupported

__all__ = ["Select", "compile_select"]

Pattern = Callable[[Data, Bindings], Iterator[Bindings]]


class Select:
    """A compiled SELECT query: :meth:`solutions` yields its projected bindings."""

    def __init__(self, pattern: Pattern, projection: list[str]) -> None:
        self._pattern = pattern
        self.projection = projection

    def solutions(self, data: Data) -> Iterator[Bindings]:
        for found in self._pattern(data, {}):
            yield {name: term(found[name]) for name in self.projection if name in found}


def compile_select(query: str) -> Select:
    """Compile a SELECT query, or raise :class:`Unsupported`."""
    try:
        parsed = prepareQuery(query)
    except Exception as exc:  # rdflib's parser raises pyparsing's exceptions
        raise Unsupported(f"cannot read the query: {exc}") from exc
    algebra = parsed.algebra
    if algebra.name != "SelectQuery" or algebra.p.name != "Project":
        raise Unsupported("only a plain SELECT is evaluated here")
    projection = [str(v) for v in algebra.PV]
    return Select(_pattern(algebra.p.p), projection)


def _pattern(node: Any) -> Pattern:
    name = getattr(node, "name", None)
    if name == "BGP":
        return _bgp(list(node.triples))
    if name == "Join":
        return _join(_pattern(node.p1), _pattern(node.p2))
    if name == "Union":
        return _union(_pattern(node.p1), _pattern(node.p2))
    if name == "Extend":
        return _extend(node)
    if name == "Filter":
        return _filter(_pattern(node.p), expression(node.expr))
    raise Unsupported(f"SPARQL {name} is not evaluated here")


def _compatible(a: Bindings, b: Bindings) -> Bindings | None:
    merged = dict(a)
    for key, value in b.items():
        found = merged.get(key)
        if found is None:
            merged[key] = value
        elif found != value:
            return None
    return merged


def _bgp(triples: list[tuple[Node, Node, Node]]) -> Pattern:
    for s, p, o in triples:
        if not isinstance(p, URIRef):
            raise Unsupported("a predicate that is a variable or a path")
        if isinstance(s, Literal | BNode) or isinstance(o, BNode):
            raise Unsupported("a blank node or literal subject in a pattern")
    patterns = [(s, str(p), o) for s, p, o in triples]
    plans: dict[frozenset[str], list[tuple[Node, str, Node]]] = {}

    def solve(data: Data, bindings: Bindings) -> Iterator[Bindings]:
        bound = frozenset(bindings)
        plan = plans.get(bound)
        if plan is None:
            plan = plans[bound] = _plan(patterns, bound)
        yield from _solve(data, plan, 0, bindings)

    return solve


def _plan(
    patterns: list[tuple[Node, str, Node]], bound: frozenset[str]
) -> list[tuple[Node, str, Node]]:
    """The patterns in the order to solve them: always the cheapest next (see _cost)."""
    names = set(bound)
    left, plan = list(patterns), []
    while left:
        best = min(range(len(left)), key=lambda i: _cost(left[i], names))
        s, p, o = left.pop(best)
        plan.append((s, p, o))
        names |= {str(t) for t in (s, o) if isinstance(t, Variable)}
    return plan


def _cost(pattern: tuple[Node, str, Node], bound: set[str]) -> int:
    """A bound subject is a lookup, a bound object a reverse lookup, a predicate a scan."""
    s, _, o = pattern
    s_free = isinstance(s, Variable) and str(s) not in bound
    o_free = isinstance(o, Variable) and str(o) not in bound
    return 2 * s_free + o_free


def _solve(
    data: Data, plan: list[tuple[Node, str, Node]], at: int, bindings: Bindings
) -> Iterator[Bindings]:
    if at == len(plan):
        yield bindings
        return
    s, p, o = plan[at]
    s_var = str(s) if isinstance(s, Variable) else None
    o_var = str(o) if isinstance(o, Variable) else None
    subject = bindings.get(s_var) if s_var is not None else s
    obj = bindings.get(o_var) if o_var is not None else o
    if subject is not None:
        for value in data.values(subject, p):
            if obj is None:
                yield from _solve(data, plan, at + 1, {**bindings, o_var: value})  # type: ignore[dict-item]
            elif value == obj:
                yield from _solve(data, plan, at + 1, bindings)
        return
    if obj is not None:
        for found in data.subjects(p, obj):
            yield from _solve(data, plan, at + 1, {**bindings, s_var: found})  # type: ignore[dict-item]
        return
    for found, value in data.pairs(p):
        if s_var == o_var and found != value:
            continue
        yield from _solve(data, plan, at + 1, {**bindings, s_var: found, o_var: value})  # type: ignore[dict-item]


def _join(left: Pattern, right: Pattern) -> Pattern:
    def solve(data: Data, bindings: Bindings) -> Iterator[Bindings]:
        for found in left(data, bindings):
            yield from right(data, found)

    return solve


def _union(left: Pattern, right: Pattern) -> Pattern:
    def solve(data: Data, bindings: Bindings) -> Iterator[Bindings]:
        yield from left(data, bindings)
        yield from right(data, bindings)

    return solve


def _extend(node: Any) -> Pattern:
    inner = _pattern(node.p)
    compute = expression(node.expr)
    var = str(node.var)
    inside = {str(v) for v in getattr(node.p, "_vars", set())}
    used = variables(node.expr)
    # The bindings handed down may only reach what the group itself binds: a BIND sees
    # the variables of its own group, not those of the pattern it is joined with.
    local = used <= inside

    def solve(data: Data, bindings: Bindings) -> Iterator[Bindings]:
        source = inner(data, bindings) if local else _joined(inner, data, bindings)
        for found in source:
            try:
                value = compute(found if local else _only(found, inside))
            except ExpressionError:
                yield found
                continue
            if var in found:
                if found[var] == value:
                    yield found
                continue
            yield {**found, var: value}

    return solve


def _filter(inner: Pattern, test: Expression) -> Pattern:
    def solve(data: Data, bindings: Bindings) -> Iterator[Bindings]:
        # A FILTER sees only its own group's variables: solve the group alone, then join.
        for found in _joined(inner, data, bindings):
            try:
                if truth(test(found)):
                    yield found
            except ExpressionError:
                continue

    return solve


def _joined(inner: Pattern, data: Data, bindings: Bindings) -> Iterator[Bindings]:
    if not bindings:
        yield from inner(data, {})
        return
    for found in inner(data, {}):
        merged = _compatible(bindings, found)
        if merged is not None:
            yield merged


def _only(bindings: Bindings, names: set[str]) -> Bindings:
    return {k: v for k, v in bindings.items() if k in names}
