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

The store is one SQLite file (:mod:`kg.build.cachedb`: checked when opened, set aside
when it cannot be trusted, shared by concurrent builds); entries not used by the last
:data:`KEEP_BUILDS` builds are dropped after a build, so the cache follows the corpus
instead of growing forever. Every value is stored with a checksum of its kind, key and
bytes, checked on each read: a flipped bit or a garbled page makes the entry a miss, so
it is recomputed (and rewritten), and the build notes it once. A cache that cannot be
written (a full disk) keeps what it held; the build goes on without storing more.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
import zlib
from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from kg.build import cachedb
from kg.build.codec import decode_extraction, decode_parts, encode_extraction, encode_parts
from kg.errors import OutputError
from kg.model import Article, DocExtraction
from kg.write.parts import DocParts

__all__ = ["KEEP_BUILDS", "BuildCache", "extraction_fingerprint", "render_fingerprint"]

KEEP_BUILDS = 3
_FORMAT = "newskg-cache-1"
_EXTRACTION_CODE = (
    "build/cache.py",
    "build/cachedb.py",
    "build/codec.py",
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
    "build/cachedb.py",
    "shapes/*.ttl",
    "ontology/*.jsonld",
)


def _sources(patterns: Iterable[str]) -> str:
    """A digest of the package files matching ``patterns`` (names and bytes)."""
    root = Path(str(files("kg")))
    digest = hashlib.sha256((_FORMAT + cachedb.SCHEMA).encode())
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


_FLUSH_ENTRIES = 200  # entries written in one transaction: the lock is held milliseconds
_FLUSH_SECONDS = 2.0  # and at least this often, so a killed build loses little work
_KEPT_KINDS = ("extraction", "names")  # read back later in a build; parts never are


def _checksum(kind: str, key: str, data: bytes) -> bytes:
    """What a stored value is checked against: its kind and key too, so a value found
    under another entry's key (a garbled page) fails as well."""
    digest = hashlib.sha256(f"{kind}\0{key}\0".encode())
    digest.update(data)
    return digest.digest()[:16]


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


class BuildCache:
    """Extractions and document parts by key, in a SQLite file (or in memory).

    Writes are gathered and written :data:`_FLUSH_ENTRIES` at a time, each batch in one
    short transaction, so builds sharing the file wait for each other milliseconds only.
    """

    def __init__(self, folder: Path | None, readonly: bool = False) -> None:
        self.folder = folder
        self.readonly = readonly
        self.path = None if folder is None else folder / "cache.sqlite"
        # One connection, used by this thread and a process pool's feeder thread.
        self._lock = threading.Lock()
        self.hits = {"extraction": 0, "parts": 0, "names": 0}
        self.misses = {"extraction": 0, "parts": 0, "names": 0}
        self.bad = 0  # entries that failed their checksum or could not be read
        self._notes: list[str] = []
        self._pending: list[tuple[str, str, bytes, bytes, int]] = []
        self._touched: list[tuple[str, str]] = []  # entries this build used, to mark
        self._kept: dict[tuple[str, str], bytes] = {}  # what could not be written
        self._flushed = time.monotonic()
        self.writable = not readonly
        try:
            if self.path is None:
                self._db = cachedb.connect(":memory:")
                cachedb.create(self._db)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = self._open(self.path)
            self.build = self._start()
        except (OSError, sqlite3.Error) as exc:
            raise OutputError(
                f"cannot open the build cache in {folder}: {exc}; "
                "give another folder with --cache, or build with --no-cache"
            ) from exc

    def _open(self, path: Path) -> sqlite3.Connection:
        """The checked file; or, when it cannot be opened now (a full disk), a cache in
        memory for this build, the file left as it is."""
        try:
            opened = cachedb.open_database(path, self.readonly)
        except sqlite3.OperationalError as exc:
            if self.readonly:
                raise
            self._notes.append(
                f"the build cache {path} cannot be used now ({exc}): this build runs "
                "without it, and it keeps what it held; free some space (or give another "
                "folder with --cache)"
            )
            db = cachedb.connect(":memory:")
            cachedb.create(db)
            return db
        if opened.note:
            self._notes.append(opened.note)
        return opened.db

    def _start(self) -> int:
        """This build's number (one more than the last one's), recorded."""
        if self.readonly:
            row = self._db.execute("SELECT max(n) FROM builds").fetchone()
            return int(row[0] or 0)
        try:
            with cachedb.transaction(self._db):
                row = self._db.execute("SELECT max(n) FROM builds").fetchone()
                number = int(row[0] or 0) + 1
                self._db.execute("INSERT INTO builds VALUES (?)", (number,))
        except sqlite3.OperationalError as exc:  # a full disk: read it, write nothing
            self._failed(exc)
            row = self._db.execute("SELECT max(n) FROM builds").fetchone()
            number = int(row[0] or 0) + 1
        return number

    def notes(self) -> list[str]:
        """What the build should say about the cache: one line each, at most three."""
        found = list(self._notes)
        if self.bad:
            found.append(
                f"{_plural(self.bad, 'entry', 'entries')} of the build cache {self.path} "
                "failed their checksum or could not be read, and were recomputed"
            )
        return found

    def _read(self, kind: str, key: str) -> tuple[bytes, int] | None:
        """An entry's value, checked, and the build that last used it; None if missing
        or damaged (then counted as bad: the caller recomputes it)."""
        kept = self._kept.get((kind, key))
        if kept is not None:
            return kept, self.build
        try:
            row = self._db.execute(
                "SELECT data, checksum, build FROM entries WHERE kind = ? AND key = ?",
                (kind, key),
            ).fetchone()
        except sqlite3.DatabaseError:
            self.bad += 1
            return None
        if row is None:
            return None
        data, checksum, build = row
        if not isinstance(data, bytes) or checksum != _checksum(kind, key, data):
            self.bad += 1
            return None
        return data, build

    def _get(self, kind: str, key: str) -> Any | None:
        found = self._get_bytes(kind, key)
        return None if found is None else json.loads(zlib.decompress(found))

    def _get_bytes(self, kind: str, key: str) -> bytes | None:
        with self._lock:
            found = self._read(kind, key)
            if found is None:
                self.misses[kind] += 1
                return None
            data, build = found
            if not self.readonly and build != self.build:
                self._touched.append((kind, key))
            self.hits[kind] += 1
        return data

    def _put(self, kind: str, key: str, value: Any) -> None:
        data = zlib.compress(json.dumps(value, separators=(",", ":")).encode(), 1)
        self._put_bytes(kind, key, data)

    def _put_bytes(self, kind: str, key: str, data: bytes) -> None:
        with self._lock:
            if not self.writable:
                if kind in _KEPT_KINDS:
                    self._kept[kind, key] = data
                return
            self._pending.append((kind, key, data, _checksum(kind, key, data), self.build))
            full = len(self._pending) >= _FLUSH_ENTRIES
            full = full or time.monotonic() - self._flushed >= _FLUSH_SECONDS
        if full:
            self.commit()

    def extraction_cached(self, key: str) -> bool:
        """Whether the extraction of ``key`` is there and intact (not decoded)."""
        with self._lock:
            return self._read("extraction", key) is not None

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
        """Write what was gathered, in one transaction; on failure keep the cache as it was."""
        with self._lock:
            pending, touched = self._pending, self._touched
            self._pending, self._touched = [], []
            self._flushed = time.monotonic()
            if not self.writable or not (pending or touched):
                return
            try:
                with cachedb.transaction(self._db):
                    self._db.executemany(
                        "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?)", pending
                    )
                    self._db.executemany(
                        "UPDATE entries SET build = ? WHERE kind = ? AND key = ?",
                        [(self.build, kind, key) for kind, key in touched],
                    )
            except sqlite3.Error as exc:
                self._failed(exc)
                # What the rest of this build reads back stays at hand.
                for kind, key, data, _, _ in pending:
                    if kind in _KEPT_KINDS:
                        self._kept[kind, key] = data

    def _failed(self, exc: sqlite3.Error) -> None:
        """The cache cannot be written: say so once, and write nothing more to it."""
        self.writable = False
        self._notes.append(
            f"the build cache {self.path} could not be written ({exc}): it keeps what it "
            "held, and this build's new work is not cached; free some space (or give "
            "another folder with --cache)"
        )

    def close(self, prune: bool = True) -> None:
        """Commit; drop entries no recent build used (``prune``); close the file."""
        self.commit()
        if prune and self.writable:
            oldest = self.build - KEEP_BUILDS + 1
            try:
                with cachedb.transaction(self._db):
                    self._db.execute("DELETE FROM entries WHERE build < ?", (oldest,))
                    self._db.execute("DELETE FROM builds WHERE n < ?", (oldest,))
            except sqlite3.Error as exc:
                self._failed(exc)
        self._db.close()
