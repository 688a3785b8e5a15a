"""newskg's vocabularies with one object per term: ``KG.speaker is KG.speaker``.

rdflib's namespaces (:mod:`kg.graph.vocab`) make a new URIRef on every attribute access, and
rdflib terms compare in Python. The triples of a build are made with these instead, so
the dict and set lookups of the writers and the validator match them by identity, which
is most of what writing and checking a document costs. The terms are the same IRIs.
"""

from __future__ import annotations

from typing import Any

from rdflib import URIRef

from kg.graph import vocab

__all__ = ["DCTERMS", "KG", "OA", "ORG", "RDF", "SCHEMA", "SKOS", "TYPE", "XSD"]


class Interned:
    """A namespace whose terms are made once, on first use."""

    def __init__(self, namespace: Any) -> None:
        self._namespace = namespace
        self._items: dict[str, URIRef] = {}

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("_"):
            raise AttributeError(name)
        term: URIRef = getattr(self._namespace, name)
        setattr(self, name, term)  # an ordinary attribute from now on
        return term

    def __getitem__(self, name: str) -> URIRef:
        term = self._items.get(name)
        if term is None:
            term = self._items[name] = getattr(self, name)
        return term


KG = Interned(vocab.KG)
RDF = Interned(vocab.RDF)
OA = Interned(vocab.OA)
ORG = Interned(vocab.ORG)
SKOS = Interned(vocab.SKOS)
DCTERMS = Interned(vocab.DCTERMS)
SCHEMA = Interned(vocab.SCHEMA)
XSD = Interned(vocab.XSD)
TYPE = RDF.type


_TYPE_IRI = str(TYPE)


def is_type(predicate: object) -> bool:
    """Is this rdf:type? By identity first (newskg's own triples), else by text.

    ``str.__eq__`` rather than ``==``: rdflib's ``__eq__`` runs in Python, and this is
    asked of every triple several times.
    """
    return predicate is TYPE or (type(predicate) is URIRef and str.__eq__(predicate, _TYPE_IRI))
