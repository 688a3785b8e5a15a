"""A query run within a deadline, and stoppable by Ctrl-C, though pyoxigraph runs it in Rust.

pyoxigraph evaluates a query, and serialises its answer, in Rust with the GIL released:
Python's main thread keeps running meanwhile, but a signal handler only runs when the
main thread runs Python code, and a call into Rust that takes hours never returns to
it. So :func:`within` runs the work (the query and the writing of its answer) in a
worker thread and keeps the main thread waiting in short steps: a Ctrl-C raises
KeyboardInterrupt there within a tenth of a second, and the deadline raises a QueryError.

A thread cannot be killed: the abandoned worker keeps computing until its process ends,
which for ``kg query`` is at once. Its output is cut off first: the :class:`Sink` it
writes to refuses every later write, so nothing more is printed after the error line.
Time the worker spends blocked writing (a reader that is slow to read, such as a pager)
does not count against the deadline: the deadline bounds the query, not the reader.
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time
import traceback
from collections.abc import Callable
from typing import BinaryIO, TypeVar

from kg.errors import QueryError

__all__ = ["Sink", "within"]

T = TypeVar("T")
_STEP = 0.1  # how often the main thread looks up: the latency of Ctrl-C and of the deadline


class Sink:
    """A binary stream the worker writes to: it times blocked writes and can be cut off."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.blocked = 0.0  # seconds spent inside finished writes
        self.writing_since: float | None = None
        self.cut = False
        self.lock = threading.Lock()

    def write(self, data: bytes) -> int:
        if self.cut:
            raise OSError("the output was cut off: the query was stopped")
        with self.lock:
            self.writing_since = time.monotonic()
        try:
            self.out.write(data)
        finally:
            with self.lock:
                self.blocked += time.monotonic() - self.writing_since
                self.writing_since = None
        return len(data)

    def flush(self) -> None:
        if not self.cut:
            self.out.flush()

    def waited(self) -> float:
        """Seconds spent blocked on writes so far, the one under way included."""
        with self.lock:
            current = time.monotonic() - self.writing_since if self.writing_since else 0.0
            return self.blocked + current


def within(seconds: float | None, work: Callable[[], T], sink: Sink | None = None) -> T:
    """``work()``'s result, or QueryError once it runs longer than ``seconds`` (None: never).

    KeyboardInterrupt reaches the caller within a tenth of a second; ``work`` goes on in
    its thread (see the module doc) with its output cut off.
    """
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # handed to the main thread, which raises it
            _drop_locals(exc)
            failure.append(exc)
        # pyoxigraph's answers must be dropped by the thread that made them: collect here
        # whatever cycle still holds one, before the main thread's collector meets it.
        # A refusal of pyo3's to drop an object of another thread here must not become
        # the query's error.
        with contextlib.suppress(RuntimeError):
            gc.collect()

    # Automatic collections run in whichever thread allocates: a cycle of the caller's
    # holding an old pyoxigraph answer must die here, on the caller's thread, before the
    # worker can meet it (pyo3 refuses to drop it there, and says so as an error).
    gc.collect()
    worker = threading.Thread(target=run, name="kg-query", daemon=True)
    started = time.monotonic()
    worker.start()
    try:
        while worker.is_alive():
            worker.join(_STEP)
            waited = sink.waited() if sink is not None else 0.0
            if seconds is not None and time.monotonic() - started - waited > seconds:
                raise QueryError(
                    f"the query ran longer than --timeout {seconds:g} s and was stopped; "
                    "narrow it (LIMIT, more specific patterns) or raise --timeout"
                )
    except BaseException:
        if sink is not None:
            sink.cut = True
        raise
    if failure:
        raise failure[0]
    return outcome[0]


def _drop_locals(exc: BaseException | None) -> None:
    """Clear the frames of ``exc``'s tracebacks (its causes too) in the worker thread.

    pyoxigraph's answers must be dropped by the thread that made them; a traceback
    handed to the main thread would otherwise drop them there.
    """
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        traceback.clear_frames(exc.__traceback__)
        exc = exc.__cause__ or exc.__context__
