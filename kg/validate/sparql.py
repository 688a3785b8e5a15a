"""SPARQL-based constraints (``sh:sparql``) for :mod:`kg.validate.engine`: one query per constraint.

pySHACL runs a constraint's SELECT once per focus node; here it runs once over the data
with ``$this`` left free and bound to the shape's target class, which finds the same
results. :mod:`kg.validate.minisparql` evaluates it over the index the core checks already built;
a query it cannot evaluate goes to pyoxigraph, loaded with the triples of the predicates
the query reads.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH, XSD
from rdflib.term import Node

from kg.validate import minisparql
from kg.validate.checks import Finding
from kg.validate.index import Data, Triple, Unsupported

__all__ = [
    "SparqlConstraint",
    "from_oxigraph",
    "oxigraph_store",
    "predicates",
    "run_sparql",
    "select",
    "target_query",
    "to_oxigraph",
]


@dataclass(frozen=True)
class SparqlConstraint:
    """A SPARQL constraint as one query for all focus nodes (``$this`` left free).

    ``shape`` and ``severity`` are those of the shape holding the constraint, what its
    results report as ``sh:sourceShape`` and ``sh:resultSeverity``.
    """

    shape: Node
    severity: URIRef
    constraint: Node
    query: str
    messages: tuple[Literal, ...]
    select: minisparql.Select | None  # None: run it in pyoxigraph
    predicates: frozenset[str] | None  # what pyoxigraph needs loaded; None: everything


def run_sparql(
    constraint: SparqlConstraint,
    triples: list[Triple],
    data: Data,
    focus: Callable[[Node], bool] | None,
) -> list[Finding]:
    solutions: list[dict[str, Node]] | None = None
    if constraint.select is not None:
        try:
            solutions = list(constraint.select.solutions(data))
        except Unsupported:
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
                constraint.severity,
                constraint.shape,
                SH.SPARQLConstraintComponent,
                tuple(_format(m, bindings) for m in constraint.messages),
                path if isinstance(path, URIRef) else None,
                # As SHACL-SPARQL says: ?value if the query binds it, else the focus node.
                bindings.get("value", this),
                constraint.constraint,
            )
        )
    return found


def _oxigraph_solutions(
    constraint: SparqlConstraint, triples: list[Triple]
) -> list[dict[str, Node]]:
    wanted = constraint.predicates
    store = oxigraph_store(t for t in triples if wanted is None or str(t[1]) in wanted)
    return select(store, constraint.query, str(constraint.constraint))


def oxigraph_store(triples: Iterable[Triple]) -> Any:
    """An in-memory pyoxigraph store of rdflib triples: its SPARQL engine plans joins well."""
    store = pyoxigraph.Store()
    terms: dict[Node, Any] = {}
    store.extend(
        pyoxigraph.Quad(to_oxigraph(s, terms), to_oxigraph(p, terms), to_oxigraph(o, terms))
        for s, p, o in triples
    )
    return store


def select(store: Any, query: str, what: str) -> list[dict[str, Node]]:
    """A SELECT query's solutions on a pyoxigraph store, as rdflib terms by variable name
    (unbound variables left out); ``what`` names the query in an error."""
    solutions = store.query(query)
    if not isinstance(solutions, pyoxigraph.QuerySolutions):
        raise Unsupported(f"{what} is not a SELECT query")
    names = [v.value for v in solutions.variables]
    return [
        {name: from_oxigraph(solution[name]) for name in names if solution[name] is not None}
        for solution in solutions
    ]


def _format(message: Literal, bindings: dict[str, Node]) -> Literal:
    """A SPARQL constraint's message with ``{?name}`` / ``{$name}`` replaced, as pySHACL does."""
    text = str(message)
    for name, value in bindings.items():
        # A function, so that a backslash in the value is not read as a group reference.
        text = re.sub(f"{{[?$]{name}}}", functools.partial(_replacement, str(value)), text)
    return Literal(text)


def _replacement(text: str, _match: re.Match[str]) -> str:
    return text


def target_query(shapes: Graph, constraint: Node, target: Node) -> str:
    """A constraint's SELECT as one query over the data: ``$this`` left free, bound to the
    instances of the shape's target class, the constraint's ``sh:prefixes`` declared."""
    select = shapes.value(constraint, SH.select)
    if select is None:
        raise Unsupported(f"SPARQL constraint {constraint} has no sh:select")
    prefixes = "".join(
        f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
        for source in shapes.objects(constraint, SH.prefixes)
        for d in shapes.objects(source, SH.declare)
    )
    body = str(select).replace("$this", "?this")
    where = body.index("{", body.upper().index("WHERE")) + 1
    return f"{prefixes}{body[:where]} ?this a <{target}> . {body[where:]}"


def predicates(query: str) -> frozenset[str] | None:
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


def to_oxigraph(term: Node, cache: dict[Node, Any]) -> Any:
    """An rdflib term as a pyoxigraph term, made once per term of ``cache``."""
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


def from_oxigraph(term: Any) -> Node:
    """A pyoxigraph term back as an rdflib term."""
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))
