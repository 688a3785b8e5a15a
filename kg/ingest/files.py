"""Finding and opening input files: folders walked around what newskg wrote, files read
bounded and without waiting.

:class:`Walker` yields the files under a folder, in no particular order, skipping hidden
names and everything newskg wrote there (:class:`Outputs`). :func:`read_bytes` reads one
regular file, at most its size limit, and never blocks: procfs and sysfs files, devices
and FIFOs are refused with one line.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError

__all__ = [
    "NO_OUTPUTS",
    "OUTPUT_MARKER",
    "Outputs",
    "Walker",
    "os_error",
    "read_bytes",
    "rel",
    "show",
]

# The hidden file a build leaves in its output folder, so that a later walk knows the
# folder for what it is even when it is not this build's -o (kg.build.outdir writes it).
OUTPUT_MARKER = ".kg-output"

# Opening with O_NONBLOCK never waits (a FIFO swapped in after the walk, a device);
# reading with it, a file that would wait for data fails at once instead of hanging the
# build. Regular files ignore the flag.
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# Files the kernel makes up as they are read: their size says nothing (0), and reading
# some consumes what they hold (/proc/kmsg: kernel messages, and it waits for the next).
_SYSTEM = ("/proc/", "/sys/")


@dataclass(frozen=True)
class Outputs:
    """What newskg writes, so that walking the inputs never reads it back.

    ``folders`` are output folders (``-o``): the files a build writes there (``names``)
    are skipped, the rest of the folder is walked (``kg build in -o in`` reads the
    articles in ``in``). ``skipped`` folders (a ``--store``, a ``--cache``) are not walked
    at all. Folders are compared by what they are (device and inode), not by how they
    were spelled. Any folder holding :data:`OUTPUT_MARKER` is an output folder too (an
    earlier build's), and any folder laid out as an on-disk store (RocksDB's ``CURRENT``
    file naming its ``MANIFEST``) is skipped.
    """

    folders: tuple[Path, ...] = ()
    skipped: tuple[Path, ...] = ()
    names: frozenset[str] = frozenset()


NO_OUTPUTS = Outputs()


class Walker:
    """Walks input folders around what newskg wrote (:class:`Outputs`)."""

    def __init__(self, outputs: Outputs = NO_OUTPUTS) -> None:
        self.names = outputs.names
        self.folders = _identities(outputs.folders)
        self.skipped = _identities(outputs.skipped)

    def files(self, root: Path) -> Iterator[tuple[str, Path | InputError]]:
        """Yield ``(relative POSIX path, file or error)`` under ``root``, skipping hidden
        names and what newskg wrote.

        Iterative, so depth is no problem; a directory reached twice through symbolic
        links is walked once.
        """
        visited: set[tuple[int, int]] = set()
        stack = [root]
        while stack:
            folder = stack.pop()
            try:
                info = folder.stat()
                identity = (info.st_dev, info.st_ino)
                if identity in visited or identity in self.skipped or _is_store(folder):
                    continue
                visited.add(identity)
                written = self._written(folder, identity)
                with os.scandir(folder) as entries:
                    listed = [(e.name, e.is_dir()) for e in entries if e.name not in written]
            except OSError as err:
                yield rel(folder, root), os_error(show(folder), err)
                continue
            for name, is_dir in listed:
                if name.startswith("."):
                    continue
                if is_dir:
                    stack.append(folder / name)
                else:
                    yield rel(folder / name, root), folder / name

    def _written(self, folder: Path, identity: tuple[int, int]) -> frozenset[str]:
        """The names newskg writes, if ``folder`` is an output folder; else none."""
        if identity in self.folders or os.path.lexists(folder / OUTPUT_MARKER):
            return self.names
        return frozenset()


def _identities(folders: Iterable[Path]) -> frozenset[tuple[int, int]]:
    """The (device, inode) of each folder that exists."""
    found = set()
    for folder in folders:
        with contextlib.suppress(OSError, ValueError):
            info = folder.stat()
            found.add((info.st_dev, info.st_ino))
    return frozenset(found)


def _is_store(folder: Path) -> bool:
    """Whether ``folder`` is laid out as an on-disk store (Oxigraph's RocksDB): its
    ``CURRENT`` file names the live ``MANIFEST``. Read without following a link or
    waiting on a special file."""
    try:
        fd = os.open(folder / "CURRENT", os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    except OSError:
        return False
    try:
        return stat.S_ISREG(os.fstat(fd).st_mode) and os.read(fd, 9) == b"MANIFEST-"
    except OSError:
        return False
    finally:
        os.close(fd)


def read_bytes(path: Path, source: str, limit: int) -> bytes | InputError:
    """The bytes of a regular file, or why they cannot be read (too large among them).

    The file is opened first and then checked (``fstat``), so what is checked is what is
    read; at most ``limit`` + 1 bytes are read whatever its size claims.
    """
    if os.path.realpath(path).startswith(_SYSTEM):
        problem = "a system file (under /proc or /sys), not an article"
        return InputError(source, problem, "give text files")
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | getattr(os, "O_BINARY", 0))
    except OSError as err:
        return os_error(source, err)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return InputError(source, "not a regular file", "give a file or a directory")
        if info.st_size > limit:
            return _too_large(source, info.st_size, limit)
        data = _read_at_most(fd, limit + 1)  # a file that grew since fstat is still cut off
    except BlockingIOError:
        return InputError(source, "cannot be read without waiting", "give a regular file")
    except OSError as err:
        return os_error(source, err)
    finally:
        os.close(fd)
    return _too_large(source, len(data), limit) if len(data) > limit else data


def _read_at_most(fd: int, most: int) -> bytes:
    """Up to ``most`` bytes of ``fd``, until its end."""
    chunks: list[bytes] = []
    left = most
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 24))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _too_large(source: str, size: int, limit: int) -> InputError:
    problem = f"the file holds {size:,} bytes, more than the limit of {limit:,}"
    return InputError(source, problem, f"give --max-bytes {size} (or more) to read it")


# -- small helpers ------------------------------------------------------------------------


def rel(path: Path, root: Path) -> str:
    """``path`` relative to ``root``, POSIX separators."""
    return path.relative_to(root).as_posix()


def show(path: Path) -> str:
    """A path for a one-line message: control and undecodable characters escaped."""
    text = str(path)
    return text if text.isprintable() else repr(text)[1:-1]


def os_error(source: str, err: OSError) -> InputError:
    """An error for a file or directory the operating system will not let us read."""
    reason = (err.strerror or str(err)).lower()
    return InputError(source, f"cannot read it: {reason}", "check that it exists and is readable")
