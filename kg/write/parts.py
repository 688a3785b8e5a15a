"""What one document contributes to a build's files: :class:`DocParts`, and triples as text.

The parts are made where a document is rendered (this process, a worker of ``--jobs``, a
Dask worker; :mod:`kg.write.render`), cached (:mod:`kg.build.cache`) and merged into the
files (:mod:`kg.write.assemble`). The triples about shared subjects travel as JSON text
(:func:`encode_triple`): no rdflib term crosses a process or the cache.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.validate.checks import Finding
from kg.write.people import PersonPart

__all__ = ["DocParts", "Triple", "decode_triple", "encode_triple"]

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class DocParts:
    """Everything one document graph contributes to a build's files and report.

    Its own subjects (which no other document describes) are kept as text only: a
    Turtle block and a JSON-LD node each, with their sort keys. Shared subjects are
    kept as their triples (``shared``): the build writes their blocks and nodes once, at
    the end, from what all documents say about them.
    """

    name: str  # the document graph's IRI
    # Its N-Quads lines (sorted) and its graph in TriG (b"" when empty), as UTF-8: in
    # both files a document's text is one piece, copied as it is (see kg.write.assemble).
    nquads: bytes
    trig: bytes
    turtle_prefixes: frozenset[str]  # the prefixes its Turtle uses
    trig_prefixes: frozenset[str]
    blocks: list[tuple[str, str]]  # (subject IRI, Turtle block) of its own subjects
    nodes: list[tuple[str, str]]  # (compacted @id, JSON-LD node) of its own subjects
    counts: dict[str, int]  # class IRI -> its own subjects of that class
    people: list[PersonPart]
    findings: list[Finding]  # validation results on its own (not shared) nodes
    shared: list[str]  # its triples about shared subjects, encoded (encode_triple)
    targets: list[str]  # the types of the nodes those point at, for the cross-document check
    triples: int


def encode_triple(triple: Triple) -> str:
    """A triple as one JSON text: IRIs as strings, a literal as [lexical, datatype, lang]."""
    return json.dumps([_term(t) for t in triple], ensure_ascii=False, separators=(",", ":"))


def decode_triple(text: str, iris: dict[str, URIRef] | None = None) -> Triple:
    """The triple :func:`encode_triple` wrote; ``iris`` makes each IRI one object."""
    s, p, o = json.loads(text)
    if iris is None:
        return (_unterm(s), _unterm(p), _unterm(o))
    return (_iri(s, iris), _iri(p, iris), _iri(o, iris) if isinstance(o, str) else _unterm(o))


def _iri(value: str, iris: dict[str, URIRef]) -> URIRef:
    found = iris.get(value)
    if found is None:
        found = iris[value] = URIRef(value)
    return found


def _term(node: Node) -> Any:
    if isinstance(node, URIRef):
        return str(node)
    if isinstance(node, Literal):
        return [str(node), None if node.datatype is None else str(node.datatype), node.language]
    raise ValueError(f"found the blank node {node!r}; document graphs must have none")


def _unterm(value: Any) -> Node:
    if isinstance(value, str):
        return URIRef(value)
    text, datatype, language = value
    return Literal(text, lang=language, datatype=None if datatype is None else URIRef(datatype))
