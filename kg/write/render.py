"""One document graph rendered into the parts of a build's files, checked against the shapes.

A build is written a document at a time: each document graph becomes a
:class:`kg.write.parts.DocParts` (its N-Quads lines, its TriG block, the Turtle block and
JSON-LD node of every subject, its people, its validation findings) and
:mod:`kg.write.assemble` merges the parts of all documents into the files. Rendering is
the costly part and needs nothing from other documents, so it runs wherever the
document was extracted (a process of ``--jobs``, a Dask worker) and its result can be
cached.

Subjects that other documents may describe too (entities: ``shared``) are kept as their
triples (``DocParts.shared``, encoded as text): the build writes their blocks and nodes
once, from what all documents say (:func:`shared_parts`), and checks them against the
shapes once, in the cross-document check (with ``DocParts.targets``, the types of what
they point at). Every other subject belongs to this document alone (see :mod:`kg.graph`):
it is written and checked here, and kept as text only.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

from rdflib import BNode, URIRef
from rdflib.term import Node

from kg.graph.terms import is_type
from kg.validate.engine import Finding, Shapes
from kg.validate.index import Data
from kg.write.jsonld import JsonLdContext, node_text
from kg.write.parts import DocParts, Triple, encode_triple
from kg.write.people import grouped_person_parts
from kg.write.syntax import TermWriter, turtle_block

__all__ = ["render", "shared_parts"]

_INDENT = "    "  # a TriG block inside its graph


def render(
    name: URIRef,
    triples: Iterable[Triple],
    context: JsonLdContext,
    shared: Callable[[Node], bool],
    shapes: Shapes | None = None,
) -> DocParts:
    """Render one document graph (triples each once); check it when ``shapes`` are given."""
    listed = list(triples)
    # One pass groups the triples by subject and predicate; every writer reads the groups.
    by_s: dict[Node, dict[Node, list[Node]]] = {}
    for s, p, o in listed:
        found = by_s.get(s)
        if found is None:
            by_s[s] = {p: [o]}
        else:
            values = found.get(p)
            if values is None:
                found[p] = [o]
            else:
                values.append(o)

    nt, ttl = TermWriter(pnames=False), TermWriter(pnames=True)
    nt_term, ttl_term = nt.term, ttl.term
    graph = nt_term(name)
    nquads: list[str] = []
    own: list[tuple[str, str]] = []
    counts: dict[str, int] = {}
    blocks: list[str] = []
    index: dict[Node, dict[str, list[Node]]] = {}
    for s in sorted(by_s, key=_subject_order):
        by_p = by_s[s]
        s_nt = nt_term(s)
        index[s] = {str(p): objects for p, objects in by_p.items()}
        predicates = []
        types: tuple[str, ...] = ()
        for p in sorted(by_p, key=_predicate_order):
            objects = by_p[p]
            head = f"{s_nt} {nt_term(p)} "
            tail = f" {graph} .\n"
            nquads.extend([head + nt_term(o) + tail for o in objects])
            if is_type(p):
                types = tuple(sorted(str(o) for o in objects))
                verb = "a"
            else:
                verb = ttl_term(p)
            predicates.append((str(p), verb, tuple(sorted({ttl_term(o) for o in objects}))))
        term = ttl_term(s)
        block = turtle_block(term, tuple(predicates))
        blocks.append(_INDENT + block[:-1].replace("\n", "\n" + _INDENT) + "\n")
        if not shared(s):
            own.append((str(s), block))
            for cls in types:
                counts[cls] = counts.get(cls, 0) + 1
    turtle_prefixes = frozenset(ttl.used)
    trig = f"\n{ttl_term(name)} {{\n{''.join(_joined(blocks))}}}\n" if blocks else ""
    nquads.sort()  # code point order is UTF-8 byte order

    mine = {s: by_p for s, by_p in by_s.items() if not shared(s)}
    nodes = [
        (context.iri(str(s), vocab=False), node_text(context, str(s), node))
        for s, node in context.grouped_nodes(mine).items()
    ]

    about = [t for t in listed if shared(t[0])]
    findings: list[Finding] = []
    if shapes is not None:
        data = Data.from_index(index)
        findings = shapes.check(listed, lambda n: not shared(n), distinct=True, data=data)
    return DocParts(
        name=str(name),
        nquads="".join(nquads).encode(),
        trig=trig.encode(),
        turtle_prefixes=turtle_prefixes,
        trig_prefixes=frozenset(ttl.used),
        blocks=own,
        nodes=nodes,
        counts=counts,
        people=grouped_person_parts(by_s),
        findings=findings,
        shared=[encode_triple(t) for t in about],
        targets=[encode_triple(t) for t in _targets(listed, about, shared)],
        triples=len(listed),
    )


def _subject_order(node: Node) -> tuple[bool, str]:
    return (isinstance(node, BNode), str(node))


def _predicate_order(node: Node) -> tuple[bool, str]:
    """rdf:type first, as "a", the way Turtle is usually read; then by IRI."""
    return (not is_type(node), str(node))


def _joined(blocks: list[str]) -> Iterable[str]:
    """Blocks with a blank line between them, as ``"\\n".join`` would."""
    for index, block in enumerate(blocks):
        yield block if index == 0 else "\n" + block


def _targets(
    triples: list[Triple], about: list[Triple], shared: Callable[[Node], bool]
) -> list[Triple]:
    """The types of the nodes the shared subjects' triples point at (their documents ...)."""
    targets = {o for _, _, o in about if isinstance(o, URIRef) and not shared(o)}
    return [t for t in triples if is_type(t[1]) and t[0] in targets] if targets else []


def shared_parts(
    triples: Iterable[Triple], context: JsonLdContext
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], dict[str, int], set[str]]:
    """The shared subjects' Turtle blocks and JSON-LD nodes, from all that is said of them.

    ``triples`` come grouped by subject (the assembler's are sorted). One subject is
    written at a time, so what is held besides the texts is one subject's triples: at
    10,000 articles, indexing every shared triple at once cost more memory than the
    rest of the build. Returns the blocks and the nodes (each with its sort key,
    sorted), the shared subjects' counts by class, and the prefixes the blocks use.
    """
    blocks: list[tuple[str, str]] = []
    nodes: list[tuple[str, str]] = []
    counts: dict[str, int] = {}
    used: set[str] = set()
    seen: set[Node] = set()
    for s, group in itertools.groupby(triples, key=lambda t: t[0]):
        if s in seen:
            raise ValueError(f"the triples about {s} are not together; sort them by subject")
        seen.add(s)
        by_p: dict[Node, list[Node]] = {}
        for _, p, o in group:
            by_p.setdefault(p, []).append(o)
        ttl = TermWriter(pnames=True)
        tree = ttl.subjects((s, p, o) for p, objects in by_p.items() for o in objects)
        blocks.append((str(s), turtle_block(ttl.term(s), tree[s])))
        used |= ttl.used
        for subject, node in context.grouped_nodes({s: by_p}).items():
            nodes.append(
                (context.iri(str(subject), vocab=False), node_text(context, str(subject), node))
            )
        for p, objects in by_p.items():
            if is_type(p):
                for cls in {str(o) for o in objects if isinstance(o, URIRef)}:
                    counts[cls] = counts.get(cls, 0) + 1
    blocks.sort()
    nodes.sort()
    return blocks, nodes, counts, used
