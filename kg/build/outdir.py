"""One build at a time in an output folder, and nothing left there by a killed one.

Every output is written to a hidden temporary file and renamed (``kg.write.files``); runs
spill to a hidden folder. A build killed meanwhile (SIGKILL, power loss) cannot remove
them, so the next build into the folder does, once it holds the folder's lock: with the
lock held no other build can be writing them. The lock is an advisory POSIX record lock
(``lockf``) on a hidden file, removed when the build ends: the kernel releases it when its
holder dies, so a crash never leaves the folder locked, and unlike ``flock`` it is not
shared with forked workers, which might outlive a killed build. The lock file is opened
without following a symbolic link and must be a regular file: a link planted there does
not make a build create or lock a file elsewhere.

A build also leaves a hidden marker (:data:`kg.ingest.OUTPUT_MARKER`), so that a later
build walking a folder above this one knows it for an output folder and does not read
what is in it (:data:`WRITTEN`) as input.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from kg.errors import OutputError
from kg.ingest import OUTPUT_MARKER
from kg.write.assemble import FILES

__all__ = ["LOCK_FILE", "WRITTEN", "claim", "holding", "leftovers"]

# What newskg writes into an output folder: the six files, kg view's page (DIR/graph.html
# by default) and the shards of a Dask build.
WRITTEN = frozenset({*FILES, "graph.html", "shards"})
_MARKER_TEXT = b"newskg output folder: kg build does not read the files it wrote here\n"

LOCK_FILE = ".kg-lock"
# What a build leaves only when killed: temporary outputs and spill folders.
_TEMP_PREFIXES = (*(f".{name}." for name in FILES), ".kg-build-", ".kg-runs-")

try:
    import fcntl
except ImportError:  # Windows: no lockf; builds into one folder are not guarded there
    fcntl = None  # type: ignore[assignment]


@contextlib.contextmanager
def holding(out_dir: Path | None) -> Iterator[None]:
    """The output folder, made, marked and held for one build (nothing without a folder)."""
    if out_dir is None:
        yield
        return
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the output folder {out_dir}: {exc.strerror or exc}; "
            "choose another folder with -o or fix its permissions"
        ) from exc
    with claim(out_dir):
        _mark(out_dir)
        yield


def _mark(folder: Path) -> None:
    """Leave the marker in ``folder`` unless something of that name is there already."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(folder / OUTPUT_MARKER, flags, 0o644)
    except OSError:
        return  # there already (or unwritable: the outputs' own writes will say so)
    try:
        os.write(fd, _MARKER_TEXT)
    finally:
        os.close(fd)


def leftovers(folder: Path) -> list[Path]:
    """The hidden files and folders killed builds left in ``folder``."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    return sorted(p for p in entries if p.name.startswith(_TEMP_PREFIXES))


@contextlib.contextmanager
def claim(folder: Path) -> Iterator[None]:
    """Hold ``folder`` for one build, after removing what killed builds left in it."""
    if fcntl is None:
        yield
        return
    handle = _lock(folder / LOCK_FILE)
    if handle is None:
        # A file system without locks (some network mounts): build unguarded, and leave
        # the hidden files alone, since another build might be writing them.
        yield
        return
    with handle:
        try:
            for path in leftovers(folder):
                _remove(path)
            yield
        finally:
            # Removed while still held, so a waiting build never locks a file that is gone.
            with contextlib.suppress(OSError):
                os.unlink(folder / LOCK_FILE)
            fcntl.lockf(handle.fileno(), fcntl.LOCK_UN)


def _lock(path: Path) -> BinaryIO | None:
    """The lock file, opened and locked; None where the file system cannot lock."""
    while True:
        handle = _open_lock(path)
        try:
            fcntl.lockf(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            handle.close()
            if exc.errno in (errno.EACCES, errno.EAGAIN):
                raise OutputError(
                    f"another kg build is writing to {path.parent}; wait for it to finish, "
                    "or give this build another folder with -o"
                ) from exc
            return None
        # The build before may have removed the file between our open and our lock: then
        # this lock guards nothing, and the path is opened again.
        try:
            if os.path.samestat(os.fstat(handle.fileno()), os.stat(path)):
                return handle
        except FileNotFoundError:
            pass
        handle.close()


def _open_lock(path: Path) -> BinaryIO:
    """The lock file, opened for writing: never through a link, never a special file."""
    flags = os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
    try:
        # O_NONBLOCK: a FIFO planted there would else block the open until a writer came.
        fd = os.open(path, flags | getattr(os, "O_NONBLOCK", 0), 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW met a symbolic link
            raise _not_regular(path) from exc
        raise OutputError(
            f"cannot write in the output folder {path.parent}: {exc.strerror or exc}; "
            "choose another folder with -o or fix its permissions"
        ) from exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _not_regular(path)
    return os.fdopen(fd, "a+b")


def _not_regular(path: Path) -> OutputError:
    return OutputError(
        f"{path} is not a regular file (a link or a special file was put there); "
        "remove it, then build again"
    )


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
