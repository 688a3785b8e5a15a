"""The per-document work as tasks on a Dask cluster: ``kg build --executor dask``.

Each batch of documents given to :meth:`DaskExecutor.map` is one task: an extraction or
a rendering of :mod:`kg.build.work`; everything else of the build (reading the inputs,
resolution across documents, the final merge into the six files) stays in the calling
process, which is the Dask client. Each worker loads the spaCy pipeline once, by name,
on its first task, so the workers need newskg and the model installed, as the client
does; they need no shared folder: texts travel to them and results come back.

Without ``--scheduler`` the client starts a :class:`distributed.LocalCluster` on this
machine; with it, it connects to a running scheduler (``dask scheduler``, with workers
started by ``dask worker ADDRESS``). At most ``window`` tasks wait at a time, so a
corpus of any size streams through in bounded memory.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from kg.build.work import batches
from kg.errors import KgError

__all__ = ["DaskExecutor"]

T = TypeVar("T")
R = TypeVar("R")


class DaskExecutor:
    """Runs the per-document work on a Dask cluster; results come back in order."""

    def __init__(
        self,
        scheduler: str | None = None,
        *,
        client: Any = None,
        window: int | None = None,
        workers: int = 2,
        timeout: str = "10s",
    ) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - the dask extra is not installed
            raise KgError(
                "--executor dask needs Dask; install it with pip install 'newskg[dask]'"
            ) from exc
        self._cluster = None
        if client is not None:
            self.client = client
        elif scheduler is not None:
            try:
                self.client = Client(scheduler, timeout=timeout)  # type: ignore[no-untyped-call]
            except OSError as exc:
                raise KgError(
                    f"cannot reach the Dask scheduler at {scheduler} ({exc}); start one with "
                    "`dask scheduler` and give its address (tcp://HOST:8786) with --scheduler"
                ) from exc
        else:
            self._cluster = LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                # Its HTTP routes (health, metrics) on a free port of this machine only: a
                # fixed :8787 fails when taken, and would listen on every interface.
                dashboard_address="127.0.0.1:0",
            )
            self.client = Client(self._cluster)  # type: ignore[no-untyped-call]
        self._owns_client = client is None
        cores = sum(self.client.nthreads().values()) or 1
        self.window = window or 2 * cores

    def map(
        self, function: Callable[[list[T]], list[R]], items: Iterable[T], size: int
    ) -> Iterator[R]:
        """Submit ``function(batch)`` for each batch, ``window`` at a time, in order."""
        pending: deque[Any] = deque()
        for batch in batches(items, size):
            pending.append(self.client.submit(function, batch, pure=False))
            if len(pending) >= self.window:
                yield from _collect(pending.popleft())
        while pending:
            yield from _collect(pending.popleft())

    def close(self) -> None:
        if self._owns_client:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def _collect(future: Any) -> Any:
    """A finished task's results; the cluster forgets it."""
    found = future.result()
    future.release()
    return found
