"""The build cache's values as bytes: extractions and document parts, never pickles.

An extraction is JSON (its article is not stored: the key says which one it was). Parts
are mostly text (N-Quads lines, Turtle blocks, JSON-LD nodes, people entries), stored as
they are: the document's N-Quads and TriG as the UTF-8 bytes the files take (their
lengths first), then the structure as JSON and the other texts, NUL-separated (every
writer escapes control characters, so no text holds a NUL), all compressed with LZ4.
Reading a cached document's parts costs a millisecond or two, against fifteen to render them.
"""

from __future__ import annotations

import json
import struct
from typing import Any

import lz4.block
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.model import (
    Article,
    Attribution,
    DocExtraction,
    Entity,
    EntityKind,
    Membership,
    Position,
    Span,
    Stance,
)
from kg.validate.engine import Finding
from kg.write.parts import DocParts
from kg.write.people import PersonPart

__all__ = ["decode_extraction", "decode_parts", "encode_extraction", "encode_parts"]

_SIZES = struct.Struct("<QQ")  # the byte lengths of a document's N-Quads and TriG


def _compress(data: bytes) -> bytes:
    # LZ4, not zlib: 1,000 documents' parts are about 440 MB of text, which zlib took 0.8 s
    # to read back (a sixth of rebuilding after one article changed) and 1.6 s to write.
    compressed: bytes = lz4.block.compress(data)
    return compressed


def _decompress(blob: bytes) -> bytes:
    data: bytes = lz4.block.decompress(blob)
    return data


# -- extractions as JSON ---------------------------------------------------------------


def _span(span: Span | None) -> list[int] | None:
    return None if span is None else [span.start, span.end]


def _unspan(value: list[int] | None) -> Span | None:
    return None if value is None else Span(value[0], value[1])


def encode_extraction(x: DocExtraction) -> dict[str, Any]:
    """An extraction as JSON (its article is not stored: the key says which it was)."""
    return {
        "entities": [
            [
                e.local_id,
                e.kind.value,
                e.name,
                list(e.aliases),
                [_span(m) for m in e.mentions],
                e.nationality,
                e.start_date,
                e.place,
                e.parent,
            ]
            for e in x.entities
        ],
        "memberships": [
            [m.member, m.organization, m.role_text, _span(m.evidence), m.role, m.is_former]
            for m in x.memberships
        ],
        "positions": [
            [
                p.speaker,
                _span(p.evidence),
                p.proposition,
                p.is_direct,
                _span(p.speaker_evidence),
                p.cue,
                p.speech_act,
                None if p.stance is None else p.stance.value,
                p.addressee,
                list(p.about),
                p.membership,
                p.stated_at,
            ]
            for p in x.positions
        ],
        "attributions": [
            [
                _span(a.content),
                a.is_direct,
                a.speaker_text,
                _span(a.speaker_span),
                a.speaker,
                a.cue,
                _span(a.cue_span),
            ]
            for a in x.attributions
        ],
    }


def decode_extraction(data: dict[str, Any], article: Article) -> DocExtraction:
    """The extraction of ``article`` from :func:`encode_extraction`'s JSON."""
    return DocExtraction(
        article=article,
        entities=tuple(
            Entity(
                local_id=e[0],
                kind=EntityKind(e[1]),
                name=e[2],
                aliases=tuple(e[3]),
                mentions=tuple(Span(m[0], m[1]) for m in e[4]),
                nationality=e[5],
                start_date=e[6],
                place=e[7],
                parent=e[8],
            )
            for e in data["entities"]
        ),
        memberships=tuple(
            Membership(m[0], m[1], m[2], Span(*m[3]), m[4], m[5]) for m in data["memberships"]
        ),
        positions=tuple(
            Position(
                speaker=p[0],
                evidence=Span(*p[1]),
                proposition=p[2],
                is_direct=p[3],
                speaker_evidence=_unspan(p[4]),
                cue=p[5],
                speech_act=p[6],
                stance=None if p[7] is None else Stance(p[7]),
                addressee=p[8],
                about=tuple(p[9]),
                membership=p[10],
                stated_at=p[11],
            )
            for p in data["positions"]
        ),
        attributions=tuple(
            Attribution(
                content=Span(*a[0]),
                is_direct=a[1],
                speaker_text=a[2],
                speaker_span=_unspan(a[3]),
                speaker=a[4],
                cue=a[5],
                cue_span=_unspan(a[6]),
            )
            for a in data["attributions"]
        ),
    )


# -- document parts as JSON -------------------------------------------------------------


def _term(node: Node | None) -> Any:
    if node is None:
        return None
    if isinstance(node, URIRef):
        return str(node)
    if isinstance(node, BNode):
        return ["b", str(node)]
    assert isinstance(node, Literal)
    return [str(node), None if node.datatype is None else str(node.datatype), node.language]


def _unterm(value: Any) -> Node | None:
    if value is None:
        return None
    if isinstance(value, str):
        return URIRef(value)
    if len(value) == 2:
        return BNode(value[1])
    text, datatype, language = value
    return Literal(text, lang=language, datatype=None if datatype is None else URIRef(datatype))


def encode_parts(parts: DocParts) -> bytes:
    """Parts as bytes: their structure as JSON, then their texts, NUL-separated.

    Texts are most of a document's parts (its N-Quads lines, blocks, nodes, people) and
    none holds a NUL (every writer escapes control characters), so they are stored as
    they are, not as JSON strings: writing and reading them costs a join and a split.
    """
    texts = [k for k, _ in parts.blocks]
    texts.extend(b for _, b in parts.blocks)
    texts.extend(k for k, _ in parts.nodes)
    texts.extend(t for _, t in parts.nodes)
    texts.extend(parts.shared)
    texts.extend(parts.targets)
    people = []
    for p in parts.people:
        people.append(
            [
                p.id,
                list(p.names),
                [list(a) for a in p.aliases],
                [list(n) for n in p.nationality],
                [[list(k), i] for k, i, _ in p.memberships],
                [[list(k), i] for k, i, _ in p.positions],
            ]
        )
        texts.extend(text for _, _, text in p.memberships)
        texts.extend(text for _, _, text in p.positions)
    structure = {
        "name": parts.name,
        "turtle_prefixes": sorted(parts.turtle_prefixes),
        "trig_prefixes": sorted(parts.trig_prefixes),
        "own": [len(parts.blocks), len(parts.nodes)],
        "counts": parts.counts,
        "people": people,
        "findings": [_unfinding(f) for f in parts.findings],
        "shared": len(parts.shared),
        "targets": len(parts.targets),
        "triples": parts.triples,
    }
    head = json.dumps(structure, separators=(",", ":"), ensure_ascii=False)
    rest = "\0".join([head, *texts]).encode()
    # The N-Quads and TriG are bytes that go into the files as they are: never decoded.
    sizes = _SIZES.pack(len(parts.nquads), len(parts.trig))
    return _compress(b"".join([sizes, parts.nquads, parts.trig, rest]))


def _unfinding(f: Finding) -> list[Any]:
    return [
        _term(f.focus),
        _term(f.severity),
        _term(f.shape),
        _term(f.component),
        [_term(m) for m in f.messages],
        _term(f.path),
        _term(f.value),
        _term(f.constraint),
    ]


def decode_parts(blob: bytes) -> DocParts:
    """The parts :func:`encode_parts` wrote."""
    raw = _decompress(blob)
    n_quads, n_trig = _SIZES.unpack_from(raw)
    at = _SIZES.size
    nquads, trig = raw[at : at + n_quads], raw[at + n_quads : at + n_quads + n_trig]
    head, *rest = raw[at + n_quads + n_trig :].decode().split("\0")
    data = json.loads(head)
    n_blocks, n_nodes = data["own"]
    block_keys, blocks = rest[:n_blocks], rest[n_blocks : 2 * n_blocks]
    at = 2 * n_blocks
    node_keys, nodes = rest[at : at + n_nodes], rest[at + n_nodes : at + 2 * n_nodes]
    at += 2 * n_nodes
    shared = rest[at : at + data["shared"]]
    at += data["shared"]
    targets = rest[at : at + data["targets"]]
    texts = iter(rest[at + data["targets"] :])
    people = []
    for pid, names, aliases, nationality, memberships, positions in data["people"]:
        people.append(
            PersonPart(
                pid,
                tuple(names),
                tuple((tuple(k), t) for k, t in aliases),
                tuple((i, n) for i, n in nationality),
                tuple((tuple(k), i, next(texts)) for k, i in memberships),
                tuple((tuple(k), i, next(texts)) for k, i in positions),
            )
        )
    return DocParts(
        name=data["name"],
        nquads=nquads,
        trig=trig,
        turtle_prefixes=frozenset(data["turtle_prefixes"]),
        trig_prefixes=frozenset(data["trig_prefixes"]),
        blocks=list(zip(block_keys, blocks, strict=True)),
        nodes=list(zip(node_keys, nodes, strict=True)),
        counts=data["counts"],
        people=people,
        findings=[_finding(f) for f in data["findings"]],
        shared=shared,
        targets=targets,
        triples=data["triples"],
    )


def _finding(f: list[Any]) -> Finding:
    return Finding(
        focus=_unterm(f[0]),  # type: ignore[arg-type]
        severity=_unterm(f[1]),  # type: ignore[arg-type]
        shape=_unterm(f[2]),  # type: ignore[arg-type]
        component=_unterm(f[3]),  # type: ignore[arg-type]
        messages=tuple(_unterm(m) for m in f[4]),  # type: ignore[misc]
        path=_unterm(f[5]),  # type: ignore[arg-type]
        value=_unterm(f[6]),
        constraint=_unterm(f[7]),
    )
