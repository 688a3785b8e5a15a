"""A SHACL report graph with stable blank node labels, the same on every run.

pySHACL's reports and parsed files label their blank nodes afresh each run; a report that
users diff and commit must not change when the data did not.
"""

from __future__ import annotations

import hashlib

from rdflib import BNode, Graph
from rdflib.namespace import SH
from rdflib.term import Node

from kg.graph.vocab import bind_prefixes

__all__ = ["canonical"]


def canonical(report: Graph, shapes_ns: str) -> Graph:
    """The report with stable blank node labels, the project's prefixes and ``kgsh:`` bound."""
    colours = _bnode_colours(report)
    order = sorted(colours, key=colours.__getitem__)
    width = len(str(len(order)))
    labels = {node: BNode(f"r{index:0{width}d}") for index, node in enumerate(order)}

    def relabel(term: Node) -> Node:
        return labels[term] if isinstance(term, BNode) else term

    graph = Graph(bind_namespaces="none")
    for s, p, o in report:
        graph.add((relabel(s), relabel(p), relabel(o)))
    bind_prefixes(graph)
    graph.bind("sh", SH, override=True, replace=True)
    graph.bind("kgsh", shapes_ns, override=True, replace=True)
    return graph


def _bnode_colours(graph: Graph) -> dict[BNode, str]:
    """A distinct hash of each blank node's surroundings, the same on every run.

    Blank node labels from pyshacl and from parsers change from run to run. Each node's
    hash is refined from its neighbours' until the partition is stable; nodes still
    alike are interchangeable (alike results about alike blank nodes of the data), so
    they are numbered in any order and refined again. rdflib's exact canonicalisation
    would do the same job, but takes minutes on reports of many alike results.
    """
    nodes = sorted(
        {term for triple in graph for term in triple if isinstance(term, BNode)}, key=str
    )
    edges = {
        node: (
            [(p.n3(), o) for p, o in graph.predicate_objects(node)],
            [(s, p.n3()) for s, p in graph.subject_predicates(node)],
        )
        for node in nodes
    }
    colours = _refine(edges, dict.fromkeys(nodes, ""))
    while True:
        classes: dict[str, list[BNode]] = {}
        for node in nodes:
            classes.setdefault(colours[node], []).append(node)
        alike = sorted(colour for colour, members in classes.items() if len(members) > 1)
        if not alike:
            return colours
        for index, node in enumerate(classes[alike[0]]):
            colours[node] = _digest(f"{alike[0]}#{index}")
        colours = _refine(edges, colours)


def _refine(
    edges: dict[BNode, tuple[list[tuple[str, Node]], list[tuple[Node, str]]]],
    colours: dict[BNode, str],
) -> dict[BNode, str]:
    """Hash each node with its neighbours' hashes until no class splits any more."""

    def key(term: Node) -> str:
        return f"_:{colours[term]}" if isinstance(term, BNode) else term.n3()

    count = len(set(colours.values()))
    while True:
        refined = {}
        for node, (outgoing, incoming) in edges.items():
            lines = [f"> {p} {key(o)}" for p, o in outgoing]
            lines += [f"< {key(s)} {p}" for s, p in incoming]
            refined[node] = _digest(colours[node] + "\n" + "\n".join(sorted(lines)))
        colours = refined
        new_count = len(set(colours.values()))
        if new_count == count:
            return colours
        count = new_count


def _digest(text: str) -> str:
    """SHA-256 of a text, in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
