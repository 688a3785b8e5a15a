"""The per-document stages as tasks on a Dask cluster: ``kg build --executor dask``.

Extraction (spaCy and the extractor) and rendering (:mod:`kg.write.render`) of a batch of
documents are one task each; everything else of the build (reading the inputs,
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

import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from spacy.language import Language

from kg.build.executors import (
    BATCH_SIZE,
    RENDER_BATCH,
    RenderJob,
    batches,
    extract_batch,
    render_batch,
)
from kg.errors import KgError
from kg.model import Article, DocExtraction
from kg.write.parts import DocParts

__all__ = ["DaskExecutor"]

_MODELS: dict[str | None, Language] = {}
_LOCK = threading.Lock()  # a worker with several threads runs one pipeline at a time


def _model(name: str | None) -> Language:
    from kg import nlp as nlp_module

    found = _MODELS.get(name)
    if found is None:
        found = _MODELS[name] = nlp_module.load(name)
    return found


def _extract_task(model: str | None, articles: list[Article]) -> list[DocExtraction]:
    with _LOCK:
        return extract_batch(_model(model), articles)


def _render_task(jobs: list[RenderJob]) -> list[DocParts]:
    return render_batch(jobs)


class DaskExecutor:
    """Runs extraction and rendering on a Dask cluster; results come back in order."""

    def __init__(
        self,
        scheduler: str | None = None,
        model: str | None = None,
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
        self.model = model
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

    def _stream(self, function: Any, items: Iterable[Sequence[Any]], *args: Any) -> Iterator[Any]:
        """Submit ``function(*args, batch)`` for each batch, ``window`` at a time, in order."""
        pending: deque[Any] = deque()
        for batch in items:
            pending.append(self.client.submit(function, *args, list(batch), pure=False))
            if len(pending) >= self.window:
                future = pending.popleft()
                yield from future.result()
                future.release()
        while pending:
            future = pending.popleft()
            yield from future.result()
            future.release()

    def extract(self, articles: Iterable[Article]) -> Iterator[DocExtraction]:
        return self._stream(_extract_task, batches(articles, BATCH_SIZE), self.model)

    def render(self, jobs: Iterable[RenderJob]) -> Iterator[DocParts]:
        return self._stream(_render_task, batches(jobs, RENDER_BATCH))

    def close(self) -> None:
        if self._owns_client:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()
