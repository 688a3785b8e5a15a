"""The build cache: each document's extraction and rendered parts, found by content hash.

``kg build`` keeps, per document, two things that cost time to make (``out/.cache/``
unless ``--cache`` names another folder): its extraction (spaCy and the extractor,
about 140 ms an article) and its rendered parts (:class:`kg.render.DocParts`: its
triples written in every format and checked against the shapes, about 15 ms). A
rebuild after one article changed parses and extracts only that article; the parts of
every document whose extraction and resolved entities are unchanged are reused too,
so only resolution and the final merge run for the whole corpus.

Keys are SHA-256 digests of everything the value depends on: the article (text,
id, title, url, date), and a fingerprint of the code and data that made it (the
extractor's sources and gazetteers, the spaCy pipeline's name, version and
configuration; for parts also the writers, the shapes, the JSON-LD context, the base
IRI and the document's resolved entities). Changing any of them misses the cache;
nothing is ever invalidated by hand. Values are compressed JSON, never pickles: a
cache folder that someone else could write to cannot make newskg run code.

The store is one SQLite file; entries not used by the last :data:`KEEP_BUILDS` builds
are dropped after a build, so the cache follows the corpus instead of growing forever.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import threading
import zlib
from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.errors import OutputError
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
from kg.people import PersonPart
from kg.render import DocParts, NodePart, SubjectPart
from kg.shacl import Finding

__all__ = ["KEEP_BUILDS", "BuildCache", "extraction_fingerprint", "render_fingerprint"]

KEEP_BUILDS = 3
_FORMAT = "newskg-cache-1"
_EXTRACTION_CODE = ("extract/*.py", "lexicon.py", "model.py", "nlp.py", "gazetteers/*")
_RENDER_CODE = (
    "graph.py",
    "iri.py",
    "terms.py",
    "vocab.py",
    "syntax.py",
    "render.py",
    "people.py",
    "shacl.py",
    "minisparql.py",
    "cache.py",
    "shapes/*.ttl",
    "ontology/*.jsonld",
)


def _sources(patterns: Iterable[str]) -> str:
    """A digest of the package files matching ``patterns`` (names and bytes)."""
    root = Path(str(files("kg")))
    digest = hashlib.sha256(_FORMAT.encode())
    for pattern in patterns:
        for path in sorted(root.glob(pattern)):
            if path.is_file():
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()


def extraction_fingerprint(model: dict[str, Any]) -> str:
    """What an extraction depends on besides its article: our code, and the pipeline.

    ``model`` describes the spaCy pipeline (:func:`kg.nlp.describe`).
    """
    described = json.dumps(model, sort_keys=True, default=str)
    return hashlib.sha256((_sources(_EXTRACTION_CODE) + described).encode()).hexdigest()


@cache
def render_fingerprint() -> str:
    """What rendering depends on besides the extraction: the writers, shapes and context."""
    return _sources(_RENDER_CODE)


def digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def article_key(fingerprint: str, article: Article) -> str:
    """The key of an article's extraction."""
    fields = [article.id, article.title, article.url, article.published]
    return digest(fingerprint, article.sha256, json.dumps(fields))


class BuildCache:
    """Extractions and document parts by key, in a SQLite file (or in memory)."""

    def __init__(self, folder: Path | None, readonly: bool = False) -> None:
        self.folder = folder
        self.readonly = readonly
        # One connection, used by this thread and a process pool's feeder thread.
        self._lock = threading.Lock()
        try:
            if folder is None:
                self._db = sqlite3.connect(
                    ":memory:", isolation_level=None, check_same_thread=False
                )
            else:
                folder.mkdir(parents=True, exist_ok=True)
                self._db = self._open(folder / "cache.sqlite")
        except (OSError, sqlite3.Error) as exc:
            raise OutputError(
                f"cannot open the build cache in {folder}: {exc}; "
                "give another folder with --cache, or build with --no-cache"
            ) from exc
        self._db.executescript(
            """
            CREATE TABLE IF NOT EXISTS entries (
                kind TEXT, key TEXT, data BLOB, build INTEGER, PRIMARY KEY (kind, key));
            CREATE TABLE IF NOT EXISTS builds (n INTEGER);
            """
        )
        row = self._db.execute("SELECT max(n) FROM builds").fetchone()
        self.build = (row[0] or 0) + (0 if readonly else 1)
        if not readonly:
            self._db.execute("INSERT INTO builds VALUES (?)", (self.build,))
        if not self._db.in_transaction:
            self._db.execute("BEGIN")
        self.hits = {"extraction": 0, "parts": 0}
        self.misses = {"extraction": 0, "parts": 0}
        self._pending = 0

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError:
            # A cache that cannot be read is rebuilt, not repaired.
            db.close()
            path.unlink()
            db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
        return db

    def _get(self, kind: str, key: str) -> Any | None:
        found = self._get_bytes(kind, key)
        return None if found is None else json.loads(zlib.decompress(found))

    def _get_bytes(self, kind: str, key: str) -> bytes | None:
        with self._lock:
            row = self._db.execute(
                "SELECT data, build FROM entries WHERE kind = ? AND key = ?", (kind, key)
            ).fetchone()
            if row is None:
                self.misses[kind] += 1
                return None
            if not self.readonly and row[1] != self.build:
                self._db.execute(
                    "UPDATE entries SET build = ? WHERE kind = ? AND key = ?",
                    (self.build, kind, key),
                )
            self.hits[kind] += 1
        data: bytes = row[0]
        return data

    def _put(self, kind: str, key: str, value: Any) -> None:
        data = zlib.compress(json.dumps(value, separators=(",", ":")).encode(), 1)
        self._put_bytes(kind, key, data)

    def _put_bytes(self, kind: str, key: str, data: bytes) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)",
                (kind, key, data, self.build),
            )
            self._pending += 1
        if self._pending >= 200:
            self.commit()

    def extraction(self, key: str, article: Article) -> DocExtraction | None:
        found = self._get("extraction", key)
        return None if found is None else decode_extraction(found, article)

    def put_extraction(self, key: str, extraction: DocExtraction) -> None:
        self._put("extraction", key, encode_extraction(extraction))

    def parts(self, key: str) -> DocParts | None:
        found = self._get_bytes("parts", key)
        return None if found is None else decode_parts(found)

    def put_parts(self, key: str, parts: DocParts | bytes) -> None:
        """Store parts (or parts already encoded, by a worker process)."""
        blob = parts if isinstance(parts, bytes) else encode_parts(parts)
        self._put_bytes("parts", key, blob)

    def commit(self) -> None:
        with self._lock:
            if self._db.in_transaction:
                self._db.execute("COMMIT")
            self._db.execute("BEGIN")
            self._pending = 0

    def close(self, prune: bool = True) -> None:
        """Commit; drop entries no recent build used (``prune``); close the file."""
        with contextlib.suppress(sqlite3.Error):
            if prune and not self.readonly:
                oldest = self.build - KEEP_BUILDS + 1
                self._db.execute("DELETE FROM entries WHERE build < ?", (oldest,))
                self._db.execute("DELETE FROM builds WHERE n < ?", (oldest,))
            if self._db.in_transaction:
                self._db.execute("COMMIT")
        self._db.close()


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
    texts: list[str] = ["".join(parts.nquads), parts.trig]
    texts.extend(k for k, _ in parts.blocks)
    texts.extend(b for _, b in parts.blocks)
    texts.extend(k for k, _ in parts.nodes)
    texts.extend(t for _, t in parts.nodes)
    texts.extend(parts.shared)
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
        "subjects": [list(s) for s in parts.shared_subjects],
        "nodes": [[n.key, n.subject, _node(n.node)] for n in parts.shared_nodes],
        "counts": parts.counts,
        "people": people,
        "findings": [_unfinding(f) for f in parts.findings],
        "shared": len(parts.shared),
        "triples": parts.triples,
    }
    head = json.dumps(structure, separators=(",", ":"), ensure_ascii=False)
    return zlib.compress("\0".join([head, *texts]).encode(), 1)


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


def _node(node: Any) -> Any:
    """A JSON-LD node in the making, as JSON: its sort keys become lists."""
    if node is None:
        return None
    types, props = node
    return [types, [[k, s, list(v.items())] for k, (s, v) in props.items()]]


def _unnode(value: Any) -> Any:
    if value is None:
        return None
    types, props = value
    return (types, {k: (s, {tuple(sk): v for sk, v in items}) for k, s, items in props})


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def decode_parts(blob: bytes) -> DocParts:
    """The parts :func:`encode_parts` wrote."""
    head, nquads, trig, *rest = zlib.decompress(blob).decode().split("\0")
    data = json.loads(head)
    n_blocks, n_nodes = data["own"]
    block_keys, blocks = rest[:n_blocks], rest[n_blocks : 2 * n_blocks]
    at = 2 * n_blocks
    node_keys, nodes = rest[at : at + n_nodes], rest[at + n_nodes : at + 2 * n_nodes]
    at += 2 * n_nodes
    shared = rest[at : at + data["shared"]]
    texts = iter(rest[at + data["shared"] :])
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
        nquads=nquads.splitlines(keepends=True),
        trig=trig,
        turtle_prefixes=frozenset(data["turtle_prefixes"]),
        trig_prefixes=frozenset(data["trig_prefixes"]),
        blocks=list(zip(block_keys, blocks, strict=True)),
        nodes=list(zip(node_keys, nodes, strict=True)),
        shared_subjects=[
            SubjectPart(k, t, _tuples(p), tuple(types)) for k, t, p, types in data["subjects"]
        ],
        shared_nodes=[NodePart(k, s, _unnode(n)) for k, s, n in data["nodes"]],
        counts=data["counts"],
        people=people,
        findings=[_finding(f) for f in data["findings"]],
        shared=shared,
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
