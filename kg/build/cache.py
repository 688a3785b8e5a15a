"""The build cache: each document's extraction and rendered parts, found by content hash.

``kg build`` keeps, per document, two things that cost time to make (``out/.cache/``
unless ``--cache`` names another folder): its extraction (spaCy and the extractor,
about 140 ms an article) and its rendered parts (:class:`kg.write.parts.DocParts`: its
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

from kg.build.codec import decode_extraction, decode_parts, encode_extraction, encode_parts
from kg.errors import OutputError
from kg.model import Article, DocExtraction
from kg.write.parts import DocParts

__all__ = ["KEEP_BUILDS", "BuildCache", "extraction_fingerprint", "render_fingerprint"]

KEEP_BUILDS = 3
_FORMAT = "newskg-cache-1"
_EXTRACTION_CODE = (
    "extract/*.py",
    "nlp/*.py",
    "model.py",
    "text.py",
    "gazetteers/*",
)
_RENDER_CODE = (
    "graph/*.py",
    "resolve.py",
    "text.py",
    "write/*.py",
    "validate/*.py",
    "build/codec.py",
    "build/cache.py",
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
        self.hits = {"extraction": 0, "parts": 0, "names": 0}
        self.misses = {"extraction": 0, "parts": 0, "names": 0}
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

    def extraction_cached(self, key: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM entries WHERE kind = 'extraction' AND key = ?", (key,)
            ).fetchone()
        return row is not None

    def extraction(self, key: str, article: Article) -> DocExtraction | None:
        found = self._get("extraction", key)
        return None if found is None else decode_extraction(found, article)

    def put_extraction(self, key: str, extraction: DocExtraction) -> None:
        self._put("extraction", key, encode_extraction(extraction))

    def names(self, key: str) -> Any | None:
        """What resolution reads of an extraction (kg.resolve.DocNames, as JSON)."""
        return self._get("names", key)

    def put_names(self, key: str, value: Any) -> None:
        self._put("names", key, value)

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
