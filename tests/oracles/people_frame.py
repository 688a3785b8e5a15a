"""people.json framed by pyld: the reference :mod:`kg.write.people` is held to.

:mod:`kg.write.people` builds people.json directly, a document at a time, because framing with
pyld takes about 50 ms per article (a minute per thousand); this module keeps the way
issue 4 specified it, JSON-LD 1.1 framing with an offline document loader, and
``tests/write/test_people.py`` requires both to give the same bytes.

``graph.jsonld`` is the lossless flat export, one object per node with IRIs between
them; people.json is a view for readers who do not speak RDF: one object per person,
with their memberships and positions nested inside, the organizations, places and
events they point at embedded as ``{"id", "name"}``, and each evidence span as plain
``text``/``start``/``end`` fields. Its shape is documented in ``docs/people-json.md``.

How: the triples people.json shows are handed to pyld as expanded JSON-LD and
*framed* (JSON-LD 1.1 Framing: persons at the top, everything they reach embedded)
with the shipped context, which pyld gets from :func:`document_loader`: it serves that
one document from the package and refuses every other URL, so nothing is ever fetched.
A small final pass (:func:`_person`) turns the framed nodes into the documented shape
(selectors folded into their evidence, booleans and offsets typed, everything sorted),
which framing cannot express.

pyld frames a ``@reverse`` property by scanning every node of the graph for every
person it frames: people times nodes, which grows with the square of a build where new
articles bring new people. So the two inverse links people.json needs (person →
positions, person → memberships) are added to the input as forward links under private
IRIs that never reach the output, and framing stays linear (figures in
docs/people-json.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from pyld import jsonld
from rdflib import Literal, URIRef
from rdflib.term import Node

from kg import resources
from kg.errors import KgError
from kg.graph.vocab import DCTERMS, KG, OA, ORG, RDF, SCHEMA, SKOS

__all__ = [
    "CONTEXT_URL",
    "FRAME",
    "document_loader",
    "frame",
    "framed_people",
    "framed_people_json",
]

# The name the frame gives the shipped context; served from the package, never fetched.
CONTEXT_URL = "https://w3id.org/newskg/context.jsonld"

# Forward stand-ins for the inverse of kg:speaker and org:member (see the module doc);
# private to the framing input, they are compacted to the terms below and dropped.
_POSITIONS = "urn:newskg:people:positions"
_MEMBERSHIPS = "urn:newskg:people:memberships"
_INVERSE = {str(KG.speaker): _POSITIONS, str(ORG.member): _MEMBERSHIPS}

# Only what people.json shows goes into the framing input: pyld's cost grows with the
# input, and kg:mentionedIn, kg:participant, kg:speakerEvidence ... are most of a graph.
_SHOWN = frozenset(
    str(p)
    for p in (
        SKOS.prefLabel,
        SKOS.altLabel,
        SCHEMA.nationality,
        ORG.organization,
        ORG.role,
        KG.roleText,
        KG.isFormer,
        KG.evidence,
        KG.proposition,
        KG.stance,
        KG.speechAct,
        KG.addressee,
        KG.about,
        KG.isDirect,
        KG.cue,
        KG.statedAt,
        KG.appearsIn,
        DCTERMS.identifier,
        DCTERMS.title,
        OA.hasSource,
        OA.hasSelector,
        OA.start,
        OA.end,
        OA.exact,
        OA.prefix,
        OA.suffix,
    )
)
_RDF_TYPE = str(RDF.type)

# "@id": {} makes a sub-frame match every node, so a value is never dropped for lacking
# a property the frame lists; "@always" embeds a node every time it is referenced.
_EMBED: dict[str, Any] = {"@id": {}, "@embed": "@always", "@explicit": True}
_NAMED: dict[str, Any] = {**_EMBED, "prefLabel": {}}
_DOCUMENT: dict[str, Any] = {**_EMBED, "identifier": {}, "title": {}}
_EVIDENCE: dict[str, Any] = {
    **_EMBED,
    "hasSource": _DOCUMENT,
    "hasSelector": {**_EMBED, "start": {}, "end": {}, "exact": {}, "prefix": {}, "suffix": {}},
}
FRAME: dict[str, Any] = {
    "@context": [
        CONTEXT_URL,
        {"positions": {"@id": _POSITIONS}, "memberships": {"@id": _MEMBERSHIPS}},
    ],
    "@type": "Person",
    "@explicit": True,
    "prefLabel": {},
    "altLabel": {},
    "nationality": _NAMED,
    "memberships": {
        **_EMBED,
        "organization": _NAMED,
        "role": _NAMED,
        "roleText": {},
        "isFormer": {},
        "evidence": _EVIDENCE,
    },
    "positions": {
        **_EMBED,
        "proposition": {},
        "stance": {},
        "speechAct": {},
        "addressee": _NAMED,
        "about": _NAMED,
        "isDirect": {},
        "cue": {},
        "statedAt": _NAMED,
        "appearsIn": _DOCUMENT,
        "evidence": _EVIDENCE,
    },
}

_Triple = tuple[Node, Node, Node]


def document_loader(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """pyld's document loader: the shipped context for :data:`CONTEXT_URL`, else an error."""
    if url != CONTEXT_URL:
        raise KgError(
            f"people.json: the JSON-LD context {url} would have to be fetched; "
            f"only the shipped context ({CONTEXT_URL}) is served, nothing is downloaded"
        )
    return {"contextUrl": None, "documentUrl": url, "document": resources.context()}


def _framing_input(triples: Iterable[_Triple]) -> list[dict[str, Any]]:
    """The triples people.json shows as expanded JSON-LD, inverse links made forward."""
    nodes: dict[str, dict[str, Any]] = {}

    def node(iri: str) -> dict[str, Any]:
        found = nodes.get(iri)
        if found is None:
            found = nodes[iri] = {"@id": iri}
        return found

    persons = []
    for s, p, o in triples:
        subject, predicate = str(s), str(p)
        if predicate == _RDF_TYPE:
            node(subject).setdefault("@type", []).append(str(o))
            if o == KG.Person:
                persons.append(subject)
        elif predicate in _INVERSE and isinstance(o, URIRef):
            node(str(o)).setdefault(_INVERSE[predicate], []).append({"@id": subject})
        elif predicate in _SHOWN:
            node(subject).setdefault(predicate, []).append(_value(o))
    # Only nodes a person reaches: positions of organizations, the evidence of their
    # speakers' names ... would cost pyld time and never show.
    reached, todo = set(persons), list(persons)
    while todo:
        for key, values in nodes[todo.pop()].items():
            if key.startswith("@"):
                continue
            for value in values:
                target = value.get("@id")
                if target is not None and target not in reached:
                    reached.add(target)
                    if target in nodes:
                        todo.append(target)
    return [nodes[iri] for iri in sorted(reached) if iri in nodes]


def _value(o: Node) -> dict[str, str]:
    if isinstance(o, URIRef):
        return {"@id": str(o)}
    if not isinstance(o, Literal):
        raise KgError(f"people.json: cannot show the blank node {o}; give every node an IRI")
    value = {"@value": str(o)}
    if o.language:
        value["@language"] = o.language
    elif o.datatype is not None:
        value["@type"] = str(o.datatype)
    return value


def frame(triples: Iterable[_Triple]) -> dict[str, Any]:
    """Frame the persons of ``triples`` with pyld: ``{"@context": ..., "@graph": [...]}``."""
    options = {"documentLoader": document_loader, "omitGraph": False, "omitDefault": True}
    framed: dict[str, Any] = jsonld.frame(_framing_input(triples), FRAME, options)
    return framed


def framed_people(triples: Iterable[_Triple]) -> list[dict[str, Any]]:
    """Every person of ``triples`` in the documented shape, sorted by name then IRI."""
    persons = [_person(node) for node in frame(triples)["@graph"]]
    persons.sort(key=lambda p: (p["name"] or "", p["id"]))
    return persons


def framed_people_json(triples: Iterable[_Triple]) -> bytes:
    """The bytes of people.json: deterministic, UTF-8, two-space indented."""
    text = json.dumps({"people": framed_people(triples)}, ensure_ascii=False, indent=2)
    return (text + "\n").encode()


# --- from framed JSON-LD to the documented shape ----------------------------------------


def _person(node: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": node["id"],
        "name": _one(node, "prefLabel"),
        "aliases": sorted(_text(v) for v in _all(node, "altLabel")),
        "nationality": _named_list(node, "nationality"),
        "memberships": sorted(
            (_membership(m) for m in _nodes(node, "memberships")), key=_by_document
        ),
        "positions": sorted((_position(p) for p in _nodes(node, "positions")), key=_by_document),
    }


def _membership(node: dict[str, Any]) -> dict[str, Any]:
    evidence = _evidence_list(node)
    return {
        "id": node["id"],
        "organization": _named(_first(node, "organization")),
        "role": _named(_first(node, "role")),
        "roleText": _one(node, "roleText"),
        "former": _one(node, "isFormer") == "true",
        "document": _document(evidence[0]["_source"]) if evidence else None,
        "evidence": [_public(e) for e in evidence],
    }


def _position(node: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": node["id"],
        "proposition": _one(node, "proposition"),
        "direct": _one(node, "isDirect") == "true",
        "cue": _one(node, "cue"),
        "speechAct": _one(node, "speechAct"),
        "stance": _one(node, "stance"),
        "addressee": _named_list(node, "addressee"),
        "about": _named_list(node, "about"),
        "statedAt": _named_list(node, "statedAt"),
        "document": _document(_first(node, "appearsIn")),
        "evidence": [_public(e) for e in _evidence_list(node)],
    }


def _evidence_list(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The evidence of a node, each with its two selectors folded into one object."""
    found = []
    for evidence in _nodes(node, "evidence"):
        item: dict[str, Any] = {
            "id": evidence["id"],
            "text": None,
            "start": None,
            "end": None,
            "prefix": None,
            "suffix": None,
        }
        for selector in _nodes(evidence, "hasSelector"):
            for key in ("start", "end"):
                offset = _one(selector, key)
                if offset is not None and offset.lstrip("-").isdigit():
                    item[key] = int(offset)
            for key, term in (("text", "exact"), ("prefix", "prefix"), ("suffix", "suffix")):
                if term in selector:
                    item[key] = _one(selector, term)
        item["_source"] = _first(evidence, "hasSource")
        found.append(item)
    found.sort(key=lambda e: (e["start"] is None, e["start"] or 0, e["end"] or 0, e["id"]))
    return found


def _public(evidence: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in evidence.items() if not k.startswith("_")}


def _document(node: Any) -> dict[str, Any] | None:
    if node is None:
        return None
    if isinstance(node, str):  # a reference the frame could not embed
        return {"id": node, "identifier": None, "title": None}
    return {
        "id": node["id"],
        "identifier": _one(node, "identifier"),
        "title": _one(node, "title"),
    }


def _by_document(item: dict[str, Any]) -> tuple[str, int, str]:
    """Sort key of a position or membership: its document, its first offset, its IRI."""
    document = item["document"] or {}
    starts = [e["start"] for e in item["evidence"] if e["start"] is not None]
    return (document.get("identifier") or "", min(starts, default=-1), item["id"])


def _named(node: Any) -> dict[str, Any] | None:
    if node is None:
        return None
    if isinstance(node, str):
        return {"id": node, "name": None}
    return {"id": node["id"], "name": _one(node, "prefLabel")}


def _named_list(node: dict[str, Any], key: str) -> list[dict[str, Any]]:
    named = [_named(v) for v in _all(node, key)]
    return sorted((n for n in named if n is not None), key=lambda n: (n["name"] or "", n["id"]))


def _all(node: dict[str, Any], key: str) -> list[Any]:
    """The values of a framed property as a list (compaction gives one value bare)."""
    value = node.get(key)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _nodes(node: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The embedded nodes of a property; a node with nothing but its IRI compacts to a string."""
    return [{"id": v} if isinstance(v, str) else v for v in _all(node, key)]


def _first(node: dict[str, Any], key: str) -> Any:
    values = _all(node, key)
    return min(values, key=_sort_key) if values else None


def _one(node: dict[str, Any], key: str) -> Any:
    """A single-valued property as a string; the least value if a graph holds several."""
    values = [_text(v) for v in _all(node, key)]
    return min(values) if values else None


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("@value", value.get("id", "")))
    return str(value)


def _sort_key(value: Any) -> str:
    return value["id"] if isinstance(value, dict) and "id" in value else _text(value)
