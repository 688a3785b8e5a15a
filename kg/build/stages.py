"""The stages of a build between reading and writing, each doing only what the cache lacks.

:class:`Session` holds what one build's stages share: the build cache and the executor,
opened together and closed together (the workers stopped at once when the build fails).
An article's extraction is cached under its content and the model's identity; a
document's parts under its extraction, the entities it resolved to and the writers'
code. :meth:`Session.extract` parses only the articles not cached, and
:meth:`Session.render` renders only the documents whose parts are not cached, the rest
read back as they were. :func:`check_across` is the one validation across documents, and
:func:`sync` brings a ``--store`` in step from the assembler's document graphs.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from kg import resources
from kg.build.cache import (
    BuildCache,
    article_key,
    digest,
    extraction_fingerprint,
    render_fingerprint,
)
from kg.build.executors import Executor, Local, Pool
from kg.build.work import BATCH_SIZE, RENDER_BATCH, Extract, RenderJob, batches, render_batch
from kg.errors import OutputError
from kg.graph.iri import Minter
from kg.model import Article, DocExtraction, EntityKind
from kg.nlp import Model
from kg.progress import Tracker
from kg.resolve import DocNames, GlobalEntity, Name, Resolution, names
from kg.sparql.store import Sync, payloads_from_nquads, sync_store
from kg.validate import Report, cross_document, engine, report
from kg.write.assemble import Assembler
from kg.write.files import atomic_write
from kg.write.parts import DocParts

__all__ = [
    "HOLD_EXTRACTIONS",
    "Session",
    "assembling",
    "check_across",
    "entity_iris",
    "sharded",
    "sync",
]

HOLD_EXTRACTIONS = 1000  # extractions kept in memory between extraction and render
SHARD_DOCUMENTS = 256  # documents per N-Quads shard


class Session:
    """The build cache and the executor of one build, and the two stages that use them.

    The cache lives in ``cache``, else in ``out_dir/.cache``, else (no ``out_dir``, or not
    ``use_cache``) in memory for this build only. Leaving the session closes both; after
    a build without input errors the cache drops what the last builds did not use.
    """

    def __init__(
        self,
        model: Model,
        cache: Path | None,
        use_cache: bool,
        jobs: int,
        executor: Executor | None,
        progress: Tracker,
        prune: bool,
    ) -> None:
        self.model = model
        self.cache = BuildCache(cache if use_cache else None)
        self.runner = executor or (Pool(jobs, model) if jobs > 1 else Local(model))
        self.progress = progress
        self.prune = prune
        self.keys: dict[str, str] = {}  # article sha256 -> its extraction's cache key
        self.locals: dict[str, tuple[int, ...]] = {}  # article sha256 -> its entities' ids
        self.held: dict[str, DocExtraction] = {}
        self.extracted = 0

    def __enter__(self) -> Session:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        done = kind is None
        # A failed build stops its workers at once rather than waiting for their batches.
        (self.runner.close if done else getattr(self.runner, "terminate", self.runner.close))()
        if self.cache.folder is not None:
            self.cache.close(prune=done and self.prune)

    def cached(self, articles: int) -> dict[str, int]:
        """How many extractions and parts this build took from the cache."""
        return {"extractions": articles - self.extracted, "parts": self.cache.hits["parts"]}

    def extract(self, articles: list[Article]) -> list[DocNames]:
        """Each article's entities' names; extracting (and caching) the ones not cached.

        The first ``HOLD_EXTRACTIONS`` new extractions are also kept in memory for the
        render, which else reads them back from the cache: decoding costs about as much
        as writing a document's Turtle, and the hold is bounded, so memory stays flat.
        """
        fingerprint = extraction_fingerprint(self.model.describe())
        self.keys = keys = {a.sha256: article_key(fingerprint, a) for a in articles}
        found: list[DocNames] = []
        missing: list[Article] = []
        for article in articles:
            key = keys[article.sha256]
            # The names alone are enough here: an extraction is read in full only to render.
            known = self.cache.names(key)
            if known is not None and self.cache.extraction_cached(key):
                found.append(_names_from_json(article.sha256, known))
            else:
                missing.append(article)
        self.extracted = len(missing)
        if missing:
            work = self.runner.map(Extract(self.model.name), missing, BATCH_SIZE)
            shown = self.progress(work, total=len(missing), label="parsing")
            for done, extraction in enumerate(shown, 1):
                found.append(self._keep(extraction))
                if done % BATCH_SIZE == 0:  # each batch kept as it comes: Ctrl-C loses none
                    self.cache.commit()
            self.cache.commit()
        self.locals = {d.sha256: tuple(e.local_id for e in d.entities) for d in found}
        return found

    def _keep(self, extraction: DocExtraction) -> DocNames:
        key = self.keys[extraction.article.sha256]
        self.cache.put_extraction(key, extraction)
        if len(self.held) < HOLD_EXTRACTIONS:
            self.held[extraction.article.sha256] = extraction
        doc_names = names(extraction)
        self.cache.put_names(key, _names_to_json(doc_names))
        return doc_names

    def render(
        self, articles: list[Article], resolution: Resolution, base: str
    ) -> Iterator[DocParts]:
        """Every document's parts: from the cache, else rendered by the executor."""
        todo: list[tuple[str, Callable[[], RenderJob]]] = []
        for key, job in self._jobs(articles, resolution, base):
            parts = self.cache.parts(key)
            if parts is None:
                todo.append((key, job))
            else:
                yield parts
        work = self.runner.map(render_batch, (job() for _, job in todo), RENDER_BATCH)
        shown = self.progress(work, total=len(todo), label="writing")
        for (key, _), parts in zip(todo, shown, strict=True):
            self.cache.put_parts(key, parts)
            yield parts
        self.cache.commit()

    def _jobs(
        self, articles: list[Article], resolution: Resolution, base: str
    ) -> Iterator[tuple[str, Callable[[], RenderJob]]]:
        """Each document's parts key, and how to make its render job (read when needed).

        The key covers what the parts depend on: the extraction (its key), the base IRI,
        the entities it resolved to (a fuller name in another article changes a label
        here) and the writers' code (:func:`kg.build.cache.render_fingerprint`).
        """
        fingerprint = render_fingerprint()
        iris = entity_iris(base)
        for article in articles:
            mine = resolution.document(article.sha256, self.locals[article.sha256])
            signature = [(n, g.kind.value, g.key, g.label) for (_, n), g in mine.entities.items()]
            key = digest(fingerprint, self.keys[article.sha256], base, repr(signature))

            def job(article: Article = article) -> RenderJob:
                # Made when needed: a build keeps no per-document resolution meanwhile.
                mine = resolution.document(article.sha256, self.locals[article.sha256])
                shared = frozenset(iris(g) for g in mine.entities.values())
                return RenderJob(self._extraction(article), mine, base, shared)

            yield key, job

    def _extraction(self, article: Article) -> DocExtraction:
        found = self.held.pop(article.sha256, None) or self.cache.extraction(
            self.keys[article.sha256], article
        )
        if found is None:
            raise RuntimeError(f"{article.id}: its extraction left the build cache")
        return found

    def source(
        self, articles: list[Article], resolution: Resolution
    ) -> Callable[[], tuple[list[DocExtraction], Resolution]]:
        """How a finished build reads its extractions back, when asked."""
        in_memory, cache, keys = self.cache.folder is None, self.cache, self.keys

        def load() -> tuple[list[DocExtraction], Resolution]:
            store = cache if in_memory else BuildCache(cache.folder, readonly=True)
            try:
                found = []
                for article in articles:
                    extraction = store.extraction(keys[article.sha256], article)
                    if extraction is None:
                        raise RuntimeError(f"{article.id} is no longer in the build cache")
                    found.append(extraction)
                return found, resolution
            finally:
                if not in_memory:
                    store.close(prune=False)

        return load


def _names_to_json(doc: DocNames) -> list[list[Any]]:
    return [[n.local_id, n.kind.value, n.name, n.mentions, list(n.acronyms)] for n in doc.entities]


def _names_from_json(sha256: str, data: list[list[Any]]) -> DocNames:
    return DocNames(
        sha256, tuple(Name(n[0], EntityKind(n[1]), n[2], n[3], tuple(n[4])) for n in data)
    )


def entity_iris(base: str) -> Callable[[GlobalEntity], str]:
    """Each build entity's IRI, minted once (a label's slug costs microseconds a letter)."""
    minter = Minter(base)
    made: dict[GlobalEntity, str] = {}

    def iri(entity: GlobalEntity) -> str:
        found = made.get(entity)
        if found is None:
            found = made[entity] = str(minter.entity(entity.kind, entity.key, entity.label))
        return found

    return iri


def sharded(parts: Iterable[DocParts], folder: Path | None) -> Iterator[DocParts]:
    """Pass the parts on, writing their N-Quads into shard files on the way (a ``folder``)."""
    if folder is None:
        yield from parts
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the shard folder {folder}: {exc}") from exc
    written: set[str] = set()
    for number, group in enumerate(batches(parts, SHARD_DOCUMENTS)):
        name = f"part-{number:05d}.nq"
        # graph.nq's order: one document's lines after another's, by graph IRI.
        atomic_write(folder / name, b"".join(p.nquads for p in sorted(group, key=_name)))
        written.add(name)
        yield from group
    for stale in folder.glob("part-*.nq"):
        if stale.name not in written:
            stale.unlink()


def _name(parts: DocParts) -> str:
    return parts.name


@contextlib.contextmanager
def assembling(out_dir: Path | None) -> Iterator[Assembler]:
    """The build's assembler, its runs spilled into a hidden folder of ``out_dir`` that
    goes with it (a killed build's is removed by the next: :mod:`kg.build.outdir`)."""
    spill = Path(tempfile.mkdtemp(prefix=".kg-build-", dir=out_dir)) if out_dir else None
    try:
        with Assembler(resources.context(), spill) as assembler:
            yield assembler
    finally:
        if spill is not None:
            shutil.rmtree(spill, ignore_errors=True)


def check_across(assembler: Assembler, resolution: Resolution, base: str) -> Report:
    """The build's report: each document's findings, and the one check across documents,
    every entity on all its documents' triples."""
    shapes = engine()
    if shapes is None:
        return report(assembler.findings)
    iris = entity_iris(base)
    entities = {iris(g) for g in resolution.entities.values()}
    triples = [*assembler.shared_triples(), *assembler.target_types()]
    across = cross_document(shapes, triples, lambda n: str(n) in entities)
    return report([*assembler.findings, *across])


def sync(
    store: Path | None, assembler: Assembler, base: str, progress: Tracker, prune: bool
) -> Sync | None:
    """Bring the ``store`` in step with the build's document graphs, as assembled."""
    if store is None:
        return None
    payloads = payloads_from_nquads(assembler.document_nquads())
    return sync_store(store, payloads, base, progress, prune=prune)
