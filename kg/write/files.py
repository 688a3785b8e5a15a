"""Atomic writes: one file whole or not at all, a build's files all of them or none.

Every file of a build is streamed into a temporary file beside its target and synced;
only when all are complete (and, if asked, checked) are they renamed over the old ones
(:func:`write_files`). A single file goes the same way (:func:`atomic_write`). A failure,
a full disk or a kill leaves the old files as they were, never a half-written one.

Only regular files are replaced: a target that is a device, a FIFO, a socket, a folder
or a symbolic link is refused before anything is written (a rename would put a regular
file in its place: this is how ``kg view -o /dev/full`` lost the device).
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from kg.errors import OutputError

__all__ = ["atomic_write", "regular_or_missing", "write_files"]


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` whole or not at all (temporary file, fsync, rename)."""
    regular_or_missing(path)
    tmp_name: str | None = None
    try:
        mode = _file_mode(path)
        with tempfile.NamedTemporaryFile(
            delete=False, dir=path.parent, prefix=f".{path.name}."
        ) as tmp:
            tmp_name = tmp.name
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        # NamedTemporaryFile creates 0600; the output should look like any other file.
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
        tmp_name = None
        _fsync_dir(path.parent)
    except BaseException as exc:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
        if not isinstance(exc, Exception):
            raise  # KeyboardInterrupt and friends stay what they are
        why = (exc.strerror if isinstance(exc, OSError) else None) or str(exc) or type(exc).__name__
        raise OutputError(
            f"cannot write {path}: {' '.join(why.split())}; "
            "check that its folder exists, is writable and has free space"
        ) from exc


def regular_or_missing(path: Path) -> None:
    """Refuse (OutputError) to replace ``path`` unless it is a regular file or missing.

    ``lstat``, so a symbolic link is refused too, never followed nor replaced.
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError:
        return  # the write itself reports what is wrong with the folder
    if not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise OutputError(
            f"{path} is not a regular file ({kind}); newskg writes only regular files: "
            "give another path, or remove it first"
        )


_KINDS = {
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
    stat.S_IFLNK: "a symbolic link",
    stat.S_IFDIR: "a folder",
}


def _file_mode(path: Path) -> int:
    """Keep the mode of the file being replaced, else what ``open`` would give it."""
    with contextlib.suppress(FileNotFoundError):
        return path.stat().st_mode & 0o7777
    # The umask can only be read by setting it; the window is two system calls.
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable: the directory entry lives in the folder."""
    if os.name == "nt":  # Windows cannot open a directory; its rename is durable enough
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_files(
    out_dir: Path,
    outputs: list[tuple[str, Callable[[], Iterable[str | bytes]]]],
    check: Callable[[str, Path], None] | None = None,
) -> list[Path]:
    """Write files in ``out_dir`` from their pieces: all of them, or none replaced.

    Each file is streamed into a temporary file in ``out_dir`` (so its size does not
    count against memory) and synced; only when every one is complete, and ``check``
    (given each file's name and its temporary path) has not raised, are they renamed
    over the old files, one after another, and the folder synced. A failure while
    writing leaves the old files as they were.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the output folder {out_dir}: {exc.strerror or exc}; "
            "choose another folder with -o or fix its permissions"
        ) from exc
    for name, _ in outputs:
        regular_or_missing(out_dir / name)
    written: list[tuple[str, Path]] = []
    try:
        for name, pieces in outputs:
            path = out_dir / name
            tmp = _stream_to_temporary(path, pieces())
            written.append((tmp, path))
        if check is not None:
            for tmp, path in written:
                check(path.name, Path(tmp))
        with _interrupt_after():  # Ctrl-C here would leave some files new, some old
            for tmp, path in written:
                os.replace(tmp, path)
        _fsync_dir(out_dir)
    except BaseException as exc:
        for tmp, _ in written:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if not isinstance(exc, OSError):
            raise  # a bug or an interrupt stays what it is
        raise OutputError(
            f"cannot write into {out_dir}: {' '.join((exc.strerror or str(exc)).split())}; "
            "check that the folder is writable and has free space"
        ) from exc
    return [path for _, path in written]


@contextlib.contextmanager
def _interrupt_after() -> Iterator[None]:
    """Hold a Ctrl-C (SIGINT) that arrives inside the block until the block is done.

    Only the main thread may set signal handlers; elsewhere, and when SIGINT is not
    Python's own KeyboardInterrupt, the block runs as it is.
    """
    main = threading.current_thread() is threading.main_thread()
    if not main or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return
    held: list[int] = []
    signal.signal(signal.SIGINT, lambda number, frame: held.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if held:
        raise KeyboardInterrupt


def _stream_to_temporary(path: Path, pieces: Iterable[str | bytes]) -> str:
    """Write pieces into a new temporary file next to ``path``; return its name."""
    mode = _file_mode(path)
    with tempfile.NamedTemporaryFile(delete=False, dir=path.parent, prefix=f".{path.name}.") as tmp:
        try:
            _write_pieces(tmp, pieces)
            tmp.flush()
            os.fsync(tmp.fileno())
        except BaseException:
            tmp.close()
            with contextlib.suppress(OSError):
                os.unlink(tmp.name)
            raise
    os.chmod(tmp.name, mode)
    return tmp.name


def _write_pieces(file: IO[bytes], pieces: Iterable[str | bytes]) -> None:
    buffer: list[str] = []
    size = 0
    for piece in pieces:
        if isinstance(piece, bytes):
            file.write("".join(buffer).encode())
            buffer, size = [], 0
            file.write(piece)
            continue
        buffer.append(piece)
        size += len(piece)
        if size > 1 << 20:  # about a megabyte a write
            file.write("".join(buffer).encode())
            buffer, size = [], 0
    file.write("".join(buffer).encode())
