"""The triple index every check of the own SHACL engine reads, and what the engine cannot do.

:class:`Data` is read by the constraint components (:mod:`kg.validate.checks`), the
SPARQL evaluator (:mod:`kg.validate.minisparql`) and the shapes that compose them
(:mod:`kg.validate.engine`); it lives apart from all of them so that none imports another
for it. :class:`Unsupported` is the one exception of that engine.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

__all__ = ["Data", "Triple", "Unsupported"]

Triple = tuple[Node, Node, Node]
_TYPE, _SUBCLASS = str(RDF.type), str(RDFS.subClassOf)


class Unsupported(Exception):
    """The own engine cannot do this: a query goes to pyoxigraph, shapes to pySHACL.

    Raised while compiling shapes (a constraint component or target it does not
    implement: :mod:`kg.validate` hands the shapes to pySHACL), while compiling a SPARQL
    query (the constraint runs in pyoxigraph), and while evaluating one (a value it
    cannot compare: that data goes to pyoxigraph).
    """


class Data:
    """An index of triples: each subject's values by predicate, each node's types.

    Subjects are keyed by the terms themselves and predicates by their IRI as ``str``.
    rdflib terms compare in Python; the triples of a build are made from one object per
    term (:mod:`kg.graph.terms`, :mod:`kg.graph`), so most lookups match by identity first.
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
