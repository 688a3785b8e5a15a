"""SPARQL expressions for :mod:`kg.validate.minisparql`: values, comparison, arithmetic, truth.

An expression of rdflib's query algebra is compiled once into a function of the
bindings. The values it computes (:class:`Computed`) stay Python numbers and booleans;
an expression error (:class:`ExpressionError`) is what SPARQL calls one: a ``BIND``
leaves its variable unbound, a ``FILTER`` fails. A comparison this module does not
know how to make raises :class:`kg.validate.index.Unsupported`, so the caller asks
pyoxigraph rather than guess.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from rdflib import Literal, URIRef, Variable
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from kg.validate.index import Unsupported

__all__ = [
    "Bindings",
    "Computed",
    "Expression",
    "ExpressionError",
    "expression",
    "term",
    "truth",
    "variables",
]

Bindings = dict[str, Any]  # a variable's value: an rdflib term, or a Computed one
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


def term(value: Any) -> Node:
    """A value as an rdflib term: a computed one made a literal."""
    return value.node() if isinstance(value, Computed) else value


class ExpressionError(Exception):
    """A SPARQL expression error: the BIND leaves its variable unbound, the FILTER fails."""


def variables(expr: Any) -> set[str]:
    """The variables an expression reads."""
    if isinstance(expr, Variable):
        return {str(expr)}
    found: set[str] = set()
    if isinstance(expr, dict):
        for value in expr.values():
            found |= variables(value)
    elif isinstance(expr, list | tuple):
        for value in expr:
            found |= variables(value)
    return found


def expression(expr: Any) -> Expression:
    """Compile an expression of rdflib's algebra, or raise :class:`Unsupported`."""
    if isinstance(expr, Variable):
        var = str(expr)

        def variable(bindings: Bindings) -> Any:
            value = bindings.get(var)
            if value is None:
                raise ExpressionError(f"?{var} is unbound")
            return value

        return variable
    if isinstance(expr, URIRef | Literal):
        return lambda bindings: expr
    name: str | None = getattr(expr, "name", None)
    if name == "RelationalExpression":
        if expr.op not in _COMPARE:
            raise Unsupported(f"the operator {expr.op}")
        left, right = expression(expr.expr), expression(expr.other)
        test = _COMPARE[expr.op]
        return lambda b: Computed(4, test(_compare(left(b), right(b), expr.op)))
    if name in ("AdditiveExpression", "MultiplicativeExpression"):
        first = expression(expr.expr)
        rest = [(op, expression(e)) for op, e in zip(expr.op, expr.other, strict=True)]
        return lambda b: _arithmetic(first(b), [(op, e(b)) for op, e in rest])
    if name == "Builtin_STRLEN":
        arg = expression(expr.arg)
        return lambda b: _strlen(arg(b))
    if name == "ConditionalAndExpression":
        parts = [expression(expr.expr), *(expression(e) for e in expr.other)]
        return lambda b: Computed(4, all(truth(p(b)) for p in parts))
    if name == "ConditionalOrExpression":
        parts = [expression(expr.expr), *(expression(e) for e in expr.other)]
        return lambda b: Computed(4, any(truth(p(b)) for p in parts))
    if name == "UnaryNot":
        inner = expression(expr.expr)
        return lambda b: Computed(4, not truth(inner(b)))
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
        raise ExpressionError(f"{node!r} is not a valid number")
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
    a, b = term(a), term(b)
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
        raise ExpressionError(f"{first!r} is not a number")
    rank, value = found
    for op, node in rest:
        other = _numeric(node)
        if other is None:
            raise ExpressionError(f"{node!r} is not a number")
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
                raise ExpressionError("division by zero")
            value = x / y
        else:
            raise Unsupported(f"the operator {op}")
    return Computed(rank, value)


def _strlen(node: Any) -> Computed:
    if not isinstance(node, Literal) or _datatype(node) not in (_STRING, _LANG_STRING):
        raise ExpressionError(f"STRLEN of {node!r}")
    return Computed(0, len(str(node)))


def truth(node: Any) -> bool:
    """The effective boolean value of a term."""
    if isinstance(node, Computed):
        return bool(node.value)
    if not isinstance(node, Literal):
        raise ExpressionError(f"{node!r} has no truth value")
    datatype = _datatype(node)
    if datatype == _BOOLEAN:
        return str(node) in ("true", "1")
    if datatype == _STRING:
        return bool(str(node))
    found = _numeric(node)
    if found is not None:
        return bool(found[1])
    raise ExpressionError(f"{node!r} has no truth value")
