"""Whether a SPARQL text reaches the network, read from its algebra before anything runs.

pyoxigraph opens HTTP connections itself, in Rust, for a ``SERVICE`` clause and for a
``LOAD``, and it parses and runs a query in one call, so the decision must be taken
before the text is handed over. It is taken from a real parse: rdflib's SPARQL 1.1
parser and algebra (``parseQuery``/``translateQuery``, ``parseUpdate``/``translateUpdate``),
walked for every ``ServiceGraphPattern`` and ``Load`` node, wherever it sits (OPTIONAL,
MINUS, FILTER EXISTS, sub-selects, an update's WHERE). rdflib decodes ``\\uXXXX`` escapes
everywhere first, as SPARQL 1.1 allows, so an escaped keyword counts too.

The two parsers do not read the same language: Oxigraph also runs SPARQL 1.2 triple
terms and its LATERAL, which rdflib cannot read. Such a text is not guessed about: it
is :class:`Unreadable`, and the caller refuses it unless the network is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Reach", "Unreadable", "reach"]


@dataclass(frozen=True)
class Reach:
    """What in a text's algebra would connect to another server."""

    service: bool  # a SERVICE clause, SILENT or not, to an IRI or a variable
    load: bool  # a LOAD operation of an update


class Unreadable(ValueError):
    """rdflib's parser cannot read the text; ``where`` is 'line L, column C' when known."""

    def __init__(self, problem: str, where: str = "") -> None:
        super().__init__(f"{where}: {problem}" if where else problem)
        self.problem = problem
        self.where = where


def reach(text: str, *, update: bool, prefixes: Mapping[str, str]) -> Reach:
    """The network use of ``text`` (a query, or an update when ``update``); else Unreadable.

    ``prefixes`` are the ones the text may use undeclared, as pyoxigraph is given them.
    """
    # Imported here: rdflib's SPARQL parser takes a fifth of a second to load.
    from rdflib.plugins.sparql import parser
    from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate
    from rdflib.plugins.sparql.parserutils import CompValue

    namespaces = dict(prefixes)
    try:
        if update:
            algebra: Any = translateUpdate(parser.parseUpdate(text), initNs=namespaces).algebra
        else:
            algebra = translateQuery(parser.parseQuery(text), initNs=namespaces).algebra
        names = _names(algebra, CompValue)
    except Exception as exc:  # pyparsing's ParseException, or rdflib's algebra refusing it
        raise _unreadable(exc) from None
    return Reach(service="ServiceGraphPattern" in names, load="Load" in names)


def _names(algebra: object, node: type) -> set[str]:
    """The name of every algebra node under ``algebra``, walked without recursion."""
    names: set[str] = set()
    todo, seen = [algebra], set()
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, node):
            names.add(str(getattr(item, "name", "")))
        if isinstance(item, Mapping):
            todo.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            todo.extend(item)
    return names


def _unreadable(exc: Exception) -> Unreadable:
    """The parser's complaint in one line, with its position when it gives one."""
    line, column = getattr(exc, "lineno", None), getattr(exc, "col", None)
    message = getattr(exc, "msg", None) or str(exc) or type(exc).__name__
    problem = " ".join(str(message).split())[:160]
    if isinstance(line, int) and isinstance(column, int):
        return Unreadable(problem, f"line {line}, column {column}")
    return Unreadable(problem)
