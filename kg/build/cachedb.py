"""The build cache's SQLite file: opened, checked, and set aside when it cannot be trusted.

A cache is only worth what can be read back from it, so the file is checked before a
build uses it: it must be a SQLite database (``PRAGMA quick_check`` finds no damaged
page) whose layout is this version's (``PRAGMA user_version`` holds a number derived
from :data:`SCHEMA`, so changing the layout changes it). A file that fails is never
repaired nor deleted: it is renamed beside itself (``cache.sqlite.aside-N``, its
write-ahead log with it), a new cache is made in its place, and the build says so in one
note. The values themselves carry checksums, checked by :mod:`kg.build.cache`.

Several builds may share one cache (``--cache``): the file is in WAL mode, so readers
never wait, and each build writes in short transactions that take the write lock first
(``BEGIN IMMEDIATE``), waiting up to :data:`BUSY_SECONDS` for another build's.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BUSY_SECONDS",
    "SCHEMA",
    "Opened",
    "connect",
    "create",
    "damaged",
    "layout_version",
    "open_database",
    "transaction",
]

BUSY_SECONDS = 120.0  # a write transaction holds the lock for milliseconds; a build waits
SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    kind TEXT, key TEXT, data BLOB, checksum BLOB, build INTEGER, PRIMARY KEY (kind, key));
CREATE TABLE IF NOT EXISTS builds (n INTEGER);
"""


def layout_version() -> int:
    """The ``user_version`` a cache of this layout carries: a positive 31-bit digest."""
    digest = hashlib.sha256(("newskg-cache\0" + SCHEMA).encode()).digest()
    return int.from_bytes(digest[:4], "big") >> 1 or 1


@dataclass(frozen=True)
class Opened:
    """A cache file's connection, and the note to give when it had to be set aside."""

    db: sqlite3.Connection
    note: str | None


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection in autocommit mode: transactions are begun explicitly."""
    return sqlite3.connect(
        path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False
    )


@contextlib.contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, holding the write lock from its start (no deadlock)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def open_database(path: Path, readonly: bool = False) -> Opened:
    """The cache file at ``path``, checked; set aside and made anew when it fails.

    ``readonly`` opens it as it is, unchecked (a finished build reading its own cache).
    """
    db = connect(path)
    if readonly:
        return Opened(db, None)
    try:
        problem = _problem(db)
    except sqlite3.DatabaseError as exc:
        if not damaged(exc):
            db.close()
            raise  # a full disk, a lock held too long: the file is not to blame
        notadb = exc.sqlite_errorcode & 0xFF == _NOTADB
        problem = "is not a database" if notadb else f"is damaged ({exc})"
    if problem is None:
        return Opened(db, None)
    db.close()
    aside = _set_aside(path)
    db = connect(path)
    create(db)
    return Opened(db, f"the build cache {path} {problem}; set aside as {aside}, built afresh")


_CORRUPT, _NOTADB = 11, 26  # SQLite's primary result codes for a file it cannot read


def damaged(exc: sqlite3.Error) -> bool:
    """Whether SQLite failed because of what the file holds (not a full disk, not a lock)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (_CORRUPT, _NOTADB)


def _problem(db: sqlite3.Connection) -> str | None:
    """Why the file cannot be used as this version's cache, or None (made when new)."""
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    version = db.execute("PRAGMA user_version").fetchone()[0]
    tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if version == 0 and tables == 0:
        create(db)
        return None
    if version != layout_version():
        return "has another layout (made by another version of newskg, or not by newskg)"
    found = [row[0] for row in db.execute("PRAGMA quick_check(3)")]
    if found != ["ok"]:
        return f"is damaged ({'; '.join(found)})"
    return None


def create(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    with transaction(db):
        for statement in SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {layout_version()}")


def _set_aside(path: Path) -> Path:
    """Rename the file (and its write-ahead log) to the first free ``NAME.aside-N``."""
    n = 1
    while (aside := path.with_name(f"{path.name}.aside-{n}")).exists():
        n += 1
    os.replace(path, aside)
    for suffix in ("-wal", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.replace(f"{path}{suffix}", f"{aside}{suffix}")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(f"{path}-shm")  # shared memory of the old file's readers: made anew
    return aside
