"""people.json: every person of a build with their roles and stated positions, as plain JSON.

``graph.jsonld`` is the lossless flat export, one object per node with IRIs between
them; people.json is a view for readers who do not speak RDF: one object per person,
with their memberships and positions nested inside, the organizations, places and
events they point at embedded as ``{"id", "name"}``, and each evidence span as plain
``text``/``start``/``end`` fields. Its shape is documented in ``docs/people-json.md``.

How: issue 4 defined people.json as the JSON-LD 1.1 framing of the graph (persons at
the top, everything they reach embedded) with the shipped context, plus a final pass
into the documented shape; ``tests/oracles/people_frame.py`` does exactly that with pyld, and
``tests/write/test_people.py`` requires this module to give the same bytes. pyld takes about
50 ms per article, so here the same JSON is built directly: a value is shown under a
key when the shipped context compacts it to that key (:class:`kg.write.syntax.JsonLdContext`,
the compaction ``graph.jsonld`` uses), as framing does.

A build makes people.json a document at a time: :func:`person_parts` turns one document
graph into a :class:`PersonPart` per person it names (everything of a position or a
membership is in its document's graph, see :mod:`kg.graph`), :func:`merge` unites the
parts of one person, :func:`person_text` writes a person, :func:`document` the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any, NamedTuple

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg import resources
from kg.errors import KgError
from kg.graph.terms import DCTERMS, KG, OA, ORG, SCHEMA, SKOS, is_type
from kg.write.jsonld import JsonLdContext, object_key
from kg.write.syntax import dump_json

__all__ = [
    "PersonPart",
    "document",
    "merge",
    "people",
    "people_json",
    "person_parts",
    "person_text",
]

_Triple = tuple[Node, Node, Node]
# An entry of a person's list: its sort key, its IRI, its JSON text (four levels deep).
Entry = tuple[tuple[str, int, str], str, str]

# The predicate behind each key the documented shape reads, as the context names it.
_KEYS = {
    "prefLabel": SKOS.prefLabel,
    "altLabel": SKOS.altLabel,
    "nationality": SCHEMA.nationality,
    "organization": ORG.organization,
    "role": ORG.role,
    "roleText": KG.roleText,
    "isFormer": KG.isFormer,
    "evidence": KG.evidence,
    "proposition": KG.proposition,
    "stance": KG.stance,
    "speechAct": KG.speechAct,
    "addressee": KG.addressee,
    "about": KG.about,
    "isDirect": KG.isDirect,
    "cue": KG.cue,
    "statedAt": KG.statedAt,
    "appearsIn": KG.appearsIn,
    "identifier": DCTERMS.identifier,
    "title": DCTERMS.title,
    "hasSource": OA.hasSource,
    "hasSelector": OA.hasSelector,
    "start": OA.start,
    "end": OA.end,
    "exact": OA.exact,
    "prefix": OA.prefix,
    "suffix": OA.suffix,
}
_PERSON, _SPEAKER, _MEMBER = KG.Person, KG.speaker, ORG.member
_INVERSE = frozenset({_SPEAKER, _MEMBER})


@cache
def _context() -> JsonLdContext:
    return JsonLdContext(resources.context())


class PersonPart(NamedTuple):
    """What one graph (a document's, or a whole build's) says about one person."""

    id: str  # the person's IRI as people.json shows it
    names: tuple[str, ...]  # skos:prefLabel texts; the person's name is the least
    aliases: tuple[tuple[tuple[str, str, str, str], str], ...]  # (term key, text)
    nationality: tuple[tuple[str, str | None], ...]  # (id, name)
    memberships: tuple[Entry, ...]
    positions: tuple[Entry, ...]

    @property
    def name(self) -> str | None:
        return min(self.names) if self.names else None


class _Index:
    """The triples people.json reads, by subject, and the two inverse links it follows."""

    def __init__(self, by_s: dict[Node, dict[Node, list[Node]]]) -> None:
        self.props = by_s
        self.inverse: dict[Node, dict[Node, list[Node]]] = {}
        self.persons: list[Node] = []
        for s, by_p in by_s.items():
            for p, objects in by_p.items():
                if p in _INVERSE:
                    for o in objects:
                        if isinstance(o, URIRef):
                            self.inverse.setdefault(o, {}).setdefault(p, []).append(s)
                elif is_type(p) and any(o is _PERSON or o == _PERSON for o in objects):
                    self.persons.append(s)
        self.ctx = _context()
        self._values: dict[tuple[Node, str], list[tuple[Node, Any]]] = {}

    def values(self, node: Node, key: str) -> list[tuple[Node, Any]]:
        """(object, compacted value) of each value the context compacts to ``key``."""
        # Asked again and again (a shared organisation's name, a selector's text twice).
        found = self._values.get((node, key))
        if found is None:
            found = self._values[(node, key)] = self._compacted(node, key)
        return found

    def _compacted(self, node: Node, key: str) -> list[tuple[Node, Any]]:
        by_p = self.props.get(node)
        objects = by_p.get(_KEYS[key]) if by_p else None
        if not objects:
            return []
        predicate = str(_KEYS[key])
        found: list[tuple[Node, Any]] = []
        for o in dict.fromkeys(objects):
            if not isinstance(o, URIRef | Literal):
                raise KgError(
                    f"people.json: cannot show the blank node {o}; give every node an IRI"
                )
            term, value, _ = self.ctx.entry(predicate, o)
            if term == key:
                found.append((o, value))
        return found

    def one(self, node: Node, key: str) -> str | None:
        """A single-valued key as text: the least value when a graph holds several."""
        texts = [_text(value) for _, value in self.values(node, key)]
        return min(texts) if texts else None

    def first(self, node: Node, key: str) -> Node | None:
        """The value of a key with the least IRI (or text)."""
        found = self.values(node, key)
        if not found:
            return None
        return min(found, key=lambda ov: _text(ov[1]))[0]

    def iri(self, node: Node) -> str:
        return self.ctx.iri(str(node), vocab=False)

    def named(self, node: Node) -> dict[str, Any]:
        return {"id": self.iri(node), "name": self.one(node, "prefLabel")}

    def named_list(self, node: Node, key: str) -> list[dict[str, Any]]:
        named = [self.named(o) for o, _ in self.values(node, key) if isinstance(o, URIRef)]
        return sorted(named, key=lambda n: (n["name"] or "", n["id"]))

    def document(self, node: Node | None) -> dict[str, Any] | None:
        if node is None:
            return None
        return {
            "id": self.iri(node),
            "identifier": self.one(node, "identifier"),
            "title": self.one(node, "title"),
        }

    def evidence(self, node: Node) -> list[tuple[dict[str, Any], Node | None]]:
        """Each evidence with its two selectors folded in, and its source document."""
        found = []
        for e, _ in self.values(node, "evidence"):
            item: dict[str, Any] = {
                "id": self.iri(e),
                "text": None,
                "start": None,
                "end": None,
                "prefix": None,
                "suffix": None,
            }
            selectors = sorted((s for s, _ in self.values(e, "hasSelector")), key=str)
            for selector in selectors:
                for key in ("start", "end"):
                    offset = self.one(selector, key)
                    if offset is not None and offset.lstrip("-").isdigit():
                        item[key] = int(offset)
                for key, term in (("text", "exact"), ("prefix", "prefix"), ("suffix", "suffix")):
                    if self.values(selector, term):
                        item[key] = self.one(selector, term)
            found.append((item, self.first(e, "hasSource")))
        found.sort(
            key=lambda x: (
                x[0]["start"] is None,
                x[0]["start"] or 0,
                x[0]["end"] or 0,
                x[0]["id"],
            )
        )
        return found

    def membership(self, node: Node) -> dict[str, Any]:
        evidence = self.evidence(node)
        organization = self.first(node, "organization")
        role = self.first(node, "role")
        return {
            "id": self.iri(node),
            "organization": None if organization is None else self.named(organization),
            "role": None if role is None else self.named(role),
            "roleText": self.one(node, "roleText"),
            "former": self.one(node, "isFormer") == "true",
            "document": self.document(evidence[0][1]) if evidence else None,
            "evidence": [e for e, _ in evidence],
        }

    def position(self, node: Node) -> dict[str, Any]:
        return {
            "id": self.iri(node),
            "proposition": self.one(node, "proposition"),
            "direct": self.one(node, "isDirect") == "true",
            "cue": self.one(node, "cue"),
            "speechAct": self.one(node, "speechAct"),
            "stance": self.one(node, "stance"),
            "addressee": self.named_list(node, "addressee"),
            "about": self.named_list(node, "about"),
            "statedAt": self.named_list(node, "statedAt"),
            "document": self.document(self.first(node, "appearsIn")),
            "evidence": [e for e, _ in self.evidence(node)],
        }

    def entries(self, person: Node, link: Node, make: Any) -> tuple[Entry, ...]:
        items = (make(node) for node in dict.fromkeys(self.inverse.get(person, {}).get(link, ())))
        return tuple(sorted((_by_document(item), item["id"], dump_json(item, 4)) for item in items))

    def part(self, person: Node) -> PersonPart:
        return PersonPart(
            id=self.iri(person),
            names=tuple(sorted({_text(v) for _, v in self.values(person, "prefLabel")})),
            aliases=tuple(
                sorted((object_key(o), _text(v)) for o, v in self.values(person, "altLabel"))
            ),
            nationality=tuple(
                sorted((n["id"], n["name"]) for n in self.named_list(person, "nationality"))
            ),
            memberships=self.entries(person, _MEMBER, self.membership),
            positions=self.entries(person, _SPEAKER, self.position),
        )


def _text(value: Any) -> str:
    """The text of a compacted value: a string as is, a value object's @value, an @id."""
    if isinstance(value, dict):
        return str(value.get("@value", value.get("@id", value.get("id", ""))))
    return str(value)


def _by_document(item: dict[str, Any]) -> tuple[str, int, str]:
    """Sort key of a position or membership: its document, its first offset, its IRI."""
    document = item["document"] or {}
    starts = [e["start"] for e in item["evidence"] if e["start"] is not None]
    return (document.get("identifier") or "", min(starts, default=-1), item["id"])


def person_parts(triples: Iterable[_Triple]) -> list[PersonPart]:
    """One part per person of the triples, in the order people.json lists them."""
    by_s: dict[Node, dict[Node, list[Node]]] = {}
    for s, p, o in triples:
        by_s.setdefault(s, {}).setdefault(p, []).append(o)
    return grouped_person_parts(by_s)


def grouped_person_parts(by_s: dict[Node, dict[Node, list[Node]]]) -> list[PersonPart]:
    """:func:`person_parts` of triples grouped by subject and predicate (each once)."""
    index = _Index(by_s)
    parts = [index.part(person) for person in index.persons]
    parts.sort(key=lambda p: (p.name or "", p.id))
    return parts


def merge(parts: Iterable[PersonPart]) -> PersonPart:
    """One person's parts from several documents as one: values united, each once."""
    listed = list(parts)
    if len(listed) == 1:
        return listed[0]

    def united(entries: Iterator[Entry]) -> tuple[Entry, ...]:
        by_id: dict[str, Entry] = {}
        for entry in entries:
            by_id.setdefault(entry[1], entry)
        return tuple(sorted(by_id.values()))

    return PersonPart(
        id=listed[0].id,
        names=tuple(sorted({n for p in listed for n in p.names})),
        aliases=tuple(sorted({a for p in listed for a in p.aliases})),
        nationality=tuple(sorted({n for p in listed for n in p.nationality})),
        memberships=united(e for p in listed for e in p.memberships),
        positions=united(e for p in listed for e in p.positions),
    )


def person_text(part: PersonPart) -> str:
    """A person as people.json writes it, two levels deep (inside ``"people": [``)."""
    nationality = [
        {"id": i, "name": n} for i, n in sorted(part.nationality, key=lambda x: (x[1] or "", x[0]))
    ]
    head = {
        "id": part.id,
        "name": part.name,
        "aliases": sorted(text for _, text in part.aliases),
        "nationality": nationality,
    }
    lines = [f'      "{k}": {dump_json(v, 3)}' for k, v in head.items()]
    for key, entries in (("memberships", part.memberships), ("positions", part.positions)):
        if entries:
            body = ",\n".join("        " + text for _, _, text in entries)
            lines.append(f'      "{key}": [\n{body}\n      ]')
        else:
            lines.append(f'      "{key}": []')
    return "{\n" + ",\n".join(lines) + "\n    }"


def document(texts: Iterable[str]) -> Iterator[str]:
    """people.json in pieces, from the texts of its persons in order."""
    first = True
    for text in texts:
        yield ('{\n  "people": [\n    ' if first else ",\n    ") + text
        first = False
    yield '{\n  "people": []\n}\n' if first else "\n  ]\n}\n"


def people_json(triples: Iterable[_Triple]) -> bytes:
    """The bytes of people.json: deterministic, UTF-8, two-space indented."""
    texts = (person_text(part) for part in person_parts(triples))
    return "".join(document(texts)).encode()


def people(triples: Iterable[_Triple]) -> list[dict[str, Any]]:
    """Every person of ``triples`` in the documented shape, sorted by name then IRI."""
    found: list[dict[str, Any]] = json.loads(people_json(triples))["people"]
    return found
