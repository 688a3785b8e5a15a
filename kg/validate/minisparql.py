"""A SPARQL SELECT evaluator for the small queries SHACL-SPARQL constraints are, in Python.

A SPARQL constraint is checked on each document graph of a build: a few hundred
triples. Loading them into pyoxigraph costs more (about 2 µs a triple) than answering
the query over :class:`kg.validate.engine.Data`, the index the core checks already built. This
module evaluates rdflib's algebra of a query for what SHACL constraints use: basic graph
patterns with IRI predicates, joins, unions, ``BIND``, ``FILTER``, comparison,
arithmetic, ``STRLEN`` and the logical operators. :func:`compile_select` raises
:class:`Unsupported` for anything else, and :mod:`kg.validate.engine` runs that query in
pyoxigraph. An expression this module cannot evaluate at run time (a comparison of
literals of a datatype it does not know) raises :class:`Unsupported` too, so the caller
can fall back for that data rather than guess.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Literal, URIRef, Variable
from rdflib.namespace import RDF, XSD
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

if TYPE_CHECKING:
    from kg.validate.engine import Data

__all__ = ["Select", "Unsupported", "compile_select"]

Bindings = dict[str, Any]  # a variable's value: an rdflib term, or a Computed one
Pattern = Callable[["Data", Bindings], Iterator[Bindings]]
Expression = Callable[[Bindings], Any]

_NUMERIC = {
    str(XSD.integer): 0,
    str(XSD.decimal): 1,
    str(XSD.float): 2,
    str(XSD.double): 3,
}
_INTEGER_TYPES = {
    str(t)
    for t in (
        XSD.int,
        XSD.long,
        XSD.short,
        XSD.byte,
        XSD.nonNegativeInteger,
        XSD.positiveInteger,
        XSD.negativeInteger,
        XSD.nonPositiveInteger,
        XSD.unsignedInt,
        XSD.unsignedLong,
        XSD.unsignedShort,
        XSD.unsignedByte,
    )
}
_STRING, _LANG_STRING, _BOOLEAN = str(XSD.string), str(RDF.langString), str(XSD.boolean)
_RANKED = (XSD.integer, XSD.decimal, XSD.float, XSD.double, XSD.boolean)


class Computed:
    """A value an expression computed: a number of a rank (integer ... double) or a boolean.

    Kept as Python values, not rdflib literals (whose constructor costs microseconds);
    :meth:`node` makes the literal when a solution is reported.
    """

    __slots__ = ("rank", "value")

    def __init__(self, rank: int, value: Any) -> None:
        self.rank = rank  # 0 integer, 1 decimal, 2 float, 3 double, 4 boolean
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Computed) and (self.rank, self.value) == (other.rank, other.value)

    def __hash__(self) -> int:
        return hash((self.rank, self.value))

    def node(self) -> Literal:
        return Literal(self.value, datatype=_RANKED[self.rank])


def _term(value: Any) -> Node:
    return value.node() if isinstance(value, Computed) else value


class Unsupported(Exception):
    """The query (or, at run time, a value) needs a real SPARQL engine."""


class _Error(Exception):
    """A SPARQL expression error: the BIND leaves its variable unbound, the FILTER fails."""


class Select:
    """A compiled SELECT query: :meth:`solutions` yields its projected bindings."""

    def __init__(self, pattern: Pattern, projection: list[str]) -> None:
        self._pattern = pattern
        self.projection = projection

    def solutions(self, data: Data) -> Iterator[Bindings]:
        for found in self._pattern(data, {}):
            yield {name: _term(found[name]) for name in self.projection if name in found}


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
        return _filter(_pattern(node.p), _expression(node.expr))
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
    expression = _expression(node.expr)
    var = str(node.var)
    inside = {str(v) for v in getattr(node.p, "_vars", set())}
    used = _variables(node.expr)
    # The bindings handed down may only reach what the group itself binds: a BIND sees
    # the variables of its own group, not those of the pattern it is joined with.
    local = used <= inside

    def solve(data: Data, bindings: Bindings) -> Iterator[Bindings]:
        source = inner(data, bindings) if local else _joined(inner, data, bindings)
        for found in source:
            try:
                value = expression(found if local else _only(found, inside))
            except _Error:
                yield found
                continue
            if var in found:
                if found[var] == value:
                    yield found
                continue
            yield {**found, var: value}

    return solve


def _filter(inner: Pattern, expression: Expression) -> Pattern:
    def solve(data: Data, bindings: Bindings) -> Iterator[Bindings]:
        # A FILTER sees only its own group's variables: solve the group alone, then join.
        for found in _joined(inner, data, bindings):
            try:
                if _truth(expression(found)):
                    yield found
            except _Error:
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


def _variables(expr: Any) -> set[str]:
    if isinstance(expr, Variable):
        return {str(expr)}
    found: set[str] = set()
    if isinstance(expr, dict):
        for value in expr.values():
            found |= _variables(value)
    elif isinstance(expr, list | tuple):
        for value in expr:
            found |= _variables(value)
    return found


# -- expressions ---------------------------------------------------------------------


def _expression(expr: Any) -> Expression:
    if isinstance(expr, Variable):
        var = str(expr)

        def variable(bindings: Bindings) -> Any:
            value = bindings.get(var)
            if value is None:
                raise _Error(f"?{var} is unbound")
            return value

        return variable
    if isinstance(expr, URIRef | Literal):
        return lambda bindings: expr
    name: str | None = getattr(expr, "name", None)
    if name == "RelationalExpression":
        if expr.op not in _COMPARE:
            raise Unsupported(f"the operator {expr.op}")
        left, right = _expression(expr.expr), _expression(expr.other)
        test = _COMPARE[expr.op]
        return lambda b: Computed(4, test(_compare(left(b), right(b), expr.op)))
    if name in ("AdditiveExpression", "MultiplicativeExpression"):
        first = _expression(expr.expr)
        rest = [(op, _expression(e)) for op, e in zip(expr.op, expr.other, strict=True)]
        return lambda b: _arithmetic(first(b), [(op, e(b)) for op, e in rest])
    if name == "Builtin_STRLEN":
        arg = _expression(expr.arg)
        return lambda b: _strlen(arg(b))
    if name == "ConditionalAndExpression":
        parts = [_expression(expr.expr), *(_expression(e) for e in expr.other)]
        return lambda b: Computed(4, all(_truth(p(b)) for p in parts))
    if name == "ConditionalOrExpression":
        parts = [_expression(expr.expr), *(_expression(e) for e in expr.other)]
        return lambda b: Computed(4, any(_truth(p(b)) for p in parts))
    if name == "UnaryNot":
        inner = _expression(expr.expr)
        return lambda b: Computed(4, not _truth(inner(b)))
    raise Unsupported(f"the SPARQL expression {name or type(expr).__name__}")


_COMPARE: dict[str, Callable[[int], bool]] = {
    "=": lambda c: c == 0,
    "!=": lambda c: c != 0,
    "<": lambda c: c < 0,
    ">": lambda c: c > 0,
    "<=": lambda c: c <= 0,
    ">=": lambda c: c >= 0,
}


def _datatype(node: Literal) -> str:
    if node.language:
        return _LANG_STRING
    return str(node.datatype) if node.datatype is not None else _STRING


def _numeric(node: Any) -> tuple[int, Any] | None:
    """(type rank, value) of a number; None for anything else."""
    if isinstance(node, Computed):
        return (node.rank, node.value) if node.rank < 4 else None
    if not isinstance(node, Literal) or node.language:
        return None
    datatype = _datatype(node)
    rank = _NUMERIC.get(datatype, 0 if datatype in _INTEGER_TYPES else None)
    if rank is None:
        return None
    value = node.value
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise _Error(f"{node!r} is not a valid number")
    return rank, value


def _compare(a: Any, b: Any, op: str) -> int:
    """-1, 0 or 1 as SPARQL orders two terms, or an error where it does not."""
    na, nb = _numeric(a), _numeric(b)
    if na is not None and nb is not None:
        x, y = na[1], nb[1]
        if isinstance(x, Decimal) and isinstance(y, float):
            x = float(x)
        elif isinstance(y, Decimal) and isinstance(x, float):
            y = float(y)
        return int((x > y) - (x < y))
    a, b = _term(a), _term(b)
    if op in ("=", "!=") and not isinstance(a, Literal) and not isinstance(b, Literal):
        return 0 if a == b else 1  # IRIs and blank nodes: the same term or not
    if op in ("=", "!=") and isinstance(a, Literal) != isinstance(b, Literal):
        return 1  # a literal is never an IRI
    if isinstance(a, Literal) and isinstance(b, Literal):
        if _datatype(a) == _datatype(b) == _STRING:
            x, y = str(a), str(b)
            return (x > y) - (x < y)
        if op in ("=", "!=") and a == b:
            return 0  # the same term is equal to itself whatever its datatype
    raise Unsupported(f"comparing {a!r} and {b!r}")


def _arithmetic(first: Any, rest: list[tuple[str, Any]]) -> Computed:
    found = _numeric(first)
    if found is None:
        raise _Error(f"{first!r} is not a number")
    rank, value = found
    for op, node in rest:
        other = _numeric(node)
        if other is None:
            raise _Error(f"{node!r} is not a number")
        rank = max(rank, other[0])
        x, y = value, other[1]
        if rank >= 2:
            x, y = float(x), float(y)
        elif rank == 1 or op == "/":
            x, y = Decimal(x), Decimal(y)
            rank = max(rank, 1)
        if op == "+":
            value = x + y
        elif op == "-":
            value = x - y
        elif op == "*":
            value = x * y
        elif op == "/":
            if y == 0:
                raise _Error("division by zero")
            value = x / y
        else:
            raise Unsupported(f"the operator {op}")
    return Computed(rank, value)


def _strlen(node: Any) -> Computed:
    if not isinstance(node, Literal) or _datatype(node) not in (_STRING, _LANG_STRING):
        raise _Error(f"STRLEN of {node!r}")
    return Computed(0, len(str(node)))


def _truth(node: Any) -> bool:
    """The effective boolean value of a term."""
    if isinstance(node, Computed):
        return bool(node.value)
    if not isinstance(node, Literal):
        raise _Error(f"{node!r} has no truth value")
    datatype = _datatype(node)
    if datatype == _BOOLEAN:
        return str(node) in ("true", "1")
    if datatype == _STRING:
        return bool(str(node))
    found = _numeric(node)
    if found is not None:
        return bool(found[1])
    raise _Error(f"{node!r} has no truth value")
