"""The page's data from a build's index: nodes, edges, positions, memberships, documents.

People, organizations, places and events are nodes; memberships, nationalities,
sub-organizations and event places are edges, and positions are edges from the speaker
to what they address, are about or were stated at, one edge per speaker, target and kind
with a count. Every list is sorted, so the same graph gives the same page.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from kg.graph.vocab import DCTERMS, KG, ORG, SCHEMA, SKOS
from kg.model import Article
from kg.view.index import Index
from kg.view.passages import Texts, contexts, spans

__all__ = ["page_data"]

_KINDS = (
    ("person", str(KG.Person)),
    ("organization", str(KG.Organization)),
    ("place", str(KG.Place)),
    ("event", str(KG.Event)),
)


def page_data(graph: Index, articles: Iterable[Article] = ()) -> tuple[dict[str, Any], int, int]:
    """The JSON the page's script reads; evidence spans shown in their paragraph; all spans.

    ``articles`` are the build's inputs: the evidence of a document among them is shown in
    its paragraph (:mod:`kg.view.passages`).
    """
    nodes = _nodes(graph)
    positions, whole, total = _positions(graph, Texts(graph, articles))
    memberships = _memberships(graph)
    data = {
        "nodes": nodes,
        "edges": _edges(graph, nodes, positions, memberships),
        "positions": positions,
        "memberships": memberships,
        "documents": _documents(graph),
    }
    return data, whole, total


def _local(iri: str | None) -> str | None:
    """The name after '#' or the last '/': what a user reads for kg:Assert, kg:Favor."""
    if iri is None:
        return None
    return re.split(r"[#/]", iri)[-1] or iri


def _nodes(graph: Index) -> list[dict[str, Any]]:
    """Every person, organization, place and event, by label, with its aliases."""
    kind_of: dict[str, str] = {}
    for kind, cls in reversed(_KINDS):  # the first kind listed wins for a node typed twice
        for iri in graph.typed.get(cls, ()):
            kind_of[iri] = kind
    found = []
    for iri, kind in kind_of.items():
        found.append(
            {
                "id": iri,
                "kind": kind,
                "label": graph.text(iri, SKOS.prefLabel) or _local(iri),
                "aliases": sorted(set(graph.texts[iri].get(str(SKOS.altLabel), ()))),
            }
        )
    found.sort(key=lambda n: (n["label"], n["id"]))
    return found


def _documents(graph: Index) -> dict[str, dict[str, str | None]]:
    """Each source document's identifier and title, by IRI."""
    return {
        iri: {
            "identifier": graph.text(iri, DCTERMS.identifier),
            "title": graph.text(iri, DCTERMS.title),
        }
        for iri in sorted(graph.typed.get(str(KG.SourceDocument), ()))
    }


def _positions(graph: Index, texts: Texts) -> tuple[list[dict[str, Any]], int, int]:
    """The stated positions with their passages; evidence spans in a paragraph; all spans."""
    found, whole, total = [], 0, 0
    for iri in sorted(set(graph.typed.get(str(KG.StatedPosition), ()))):
        speaker = graph.iri(iri, KG.speaker)
        if speaker is None:
            continue
        evidence = spans(graph, graph.iris(iri, KG.evidence))
        passages, in_paragraph = contexts(evidence, texts)
        whole, total = whole + in_paragraph, total + len(evidence)
        found.append(
            {
                "id": iri,
                "speaker": speaker,
                "proposition": graph.text(iri, KG.proposition),
                "direct": graph.text(iri, KG.isDirect) in ("true", "1"),
                "cue": graph.text(iri, KG.cue),
                "speechAct": _local(graph.iri(iri, KG.speechAct)),
                "stance": _local(graph.iri(iri, KG.stance)),
                "addressee": graph.iris(iri, KG.addressee),
                "about": graph.iris(iri, KG.about),
                "statedAt": graph.iris(iri, KG.statedAt),
                "document": graph.iri(iri, KG.appearsIn),
                "start": evidence[0].start if evidence else -1,
                "passages": passages,
            }
        )
    found.sort(key=lambda p: (p["speaker"], p["document"] or "", p["start"], p["id"]))
    return found, whole, total


def _memberships(graph: Index) -> list[dict[str, Any]]:
    """The memberships that name both a member and an organization, with their role."""
    found = []
    for iri in sorted(set(graph.typed.get(str(KG.Membership), ()))):
        member, organization = graph.iri(iri, ORG.member), graph.iri(iri, ORG.organization)
        if member is None or organization is None:
            continue
        role = graph.iri(iri, ORG.role)
        evidence = spans(graph, graph.iris(iri, KG.evidence))
        found.append(
            {
                "id": iri,
                "member": member,
                "organization": organization,
                "role": graph.text(role, SKOS.prefLabel) if role else None,
                "roleText": graph.text(iri, KG.roleText),
                "former": graph.text(iri, KG.isFormer) in ("true", "1"),
                "document": evidence[0].document if evidence else None,
            }
        )
    found.sort(key=lambda m: (m["member"], m["document"] or "", m["id"]))
    return found


def _edges(
    graph: Index,
    nodes: list[dict[str, Any]],
    positions: list[dict[str, Any]],
    memberships: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """One edge per source, target and kind, with how many statements it stands for."""
    known = {n["id"] for n in nodes}
    counts: defaultdict[tuple[str, str, str], int] = defaultdict(int)
    for m in memberships:
        counts[(m["member"], m["organization"], "membership")] += 1
    for p in positions:
        for kind in ("addressee", "about", "statedAt"):
            for target in p[kind]:
                counts[(p["speaker"], target, kind)] += 1
    for node in nodes:
        for kind, prop in (
            ("nationality", SCHEMA.nationality),
            ("partOf", ORG.subOrganizationOf),
            ("place", KG.place),
        ):
            for target in graph.iris(node["id"], prop):
                counts[(node["id"], target, kind)] += 1
    found = []
    for (source, target, kind), count in sorted(counts.items()):
        if source in known and target in known and source != target:
            found.append({"source": source, "target": target, "kind": kind, "count": count})
    for i, edge in enumerate(found):
        edge["id"] = f"e{i}"
    return found
