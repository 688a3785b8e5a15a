"""Where the per-document work of a build runs: here, in a process pool, or on a cluster.

A build hands an :class:`Executor` one of the two functions of :mod:`kg.build.work` and
the batches of documents to run it on; the executor yields the results in the order of
the input. It knows nothing of what the work does: the rest of the build (resolution
across documents, the final merge) runs in the calling process.

- :class:`Local`: in this process.
- :class:`Pool`: ``--jobs N`` worker processes. On Linux they are forked after the
  build's pipeline is loaded, so they share it and start at once; elsewhere each loads
  it by name on its first batch.
- :class:`kg.build.dask.DaskExecutor`: tasks on a Dask cluster.

Results are the same bytes whichever runs them: every output is sorted when merged.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

from spacy.language import Language

from kg.build import work
from kg.build.work import batches

__all__ = ["Executor", "Local", "Pool"]

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    """Runs a batch function over batches of items; results come back in input order."""

    def map(
        self, function: Callable[[list[T]], list[R]], items: Iterable[T], size: int
    ) -> Iterator[R]:
        """``function`` on each batch of ``size`` items, its results one by one, in order."""
        ...

    def close(self) -> None: ...


class Local:
    """Everything in this process: the baseline the others are measured against."""

    def __init__(self, nlp: Callable[[], Language]) -> None:
        work.lend(nlp)

    def map(
        self, function: Callable[[list[T]], list[R]], items: Iterable[T], size: int
    ) -> Iterator[R]:
        for batch in batches(items, size):
            yield from function(batch)

    def close(self) -> None:
        work.lend(None)


def _worker() -> None:
    """A worker leaves Ctrl-C to the build: the terminal sends SIGINT to every process of
    the group, and a worker interrupted while it holds the pool's queue lock would leave
    the build waiting for it forever (and print a traceback). The build stops the
    workers itself (:meth:`Pool.terminate`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Pool:
    """``jobs`` worker processes over batches of documents."""

    def __init__(self, jobs: int, nlp: Callable[[], Language]) -> None:
        self.jobs = jobs
        self._nlp = nlp
        self._pool: Any = None

    def _get(self) -> Any:
        if self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            if "fork" in methods and os.name == "posix":
                # Forked after loading: the workers share the parent's model pages.
                nlp = self._nlp()
                work.lend(lambda: nlp)
                try:
                    self._pool = multiprocessing.get_context("fork").Pool(self.jobs, _worker)
                finally:
                    work.lend(None)  # the workers keep it; this process does no extraction
            else:
                self._pool = multiprocessing.get_context("spawn").Pool(self.jobs, _worker)
        return self._pool

    def map(
        self, function: Callable[[list[T]], list[R]], items: Iterable[T], size: int
    ) -> Iterator[R]:
        for found in self._get().imap(function, batches(items, size)):
            yield from found

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None

    def terminate(self) -> None:
        """Stop the workers now (the build failed: their work is not wanted)."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
