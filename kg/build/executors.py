"""Where the per-document work of a build runs: here, in a process pool, or on a cluster.

A build has two stages that work on one document at a time and need nothing from the
others: extraction (spaCy and the extractor) and rendering (the document graph written
in every format and checked against the shapes, :mod:`kg.write.render`). An :class:`Executor`
runs them on batches of documents and yields results in order; the rest of the build
(resolution across documents, the final merge) runs in the calling process.

- :class:`Local`: in this process, ``nlp.pipe`` over the whole stream.
- :class:`Pool`: ``--jobs N`` worker processes. On Linux they are forked after the model
  is loaded, so they share it and start at once; elsewhere each loads it by name.
- :class:`kg.build.dask.DaskExecutor`: tasks on a Dask cluster.

Results are the same bytes whichever runs them: every output is sorted when merged.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import islice
from typing import Any, Protocol, TypeVar
from weakref import WeakKeyDictionary

from spacy.language import Language

from kg import resources
from kg.extract import extract, lexicon
from kg.extract.lexicon import Lexicon
from kg.graph import document_triples
from kg.graph.iri import Minter
from kg.model import Article, DocExtraction
from kg.resolve import Resolution
from kg.validate import engine
from kg.write.jsonld import JsonLdContext
from kg.write.parts import DocParts
from kg.write.render import render

__all__ = ["BATCH_SIZE", "Executor", "Local", "Pool", "RenderJob", "extract_batch", "render_batch"]

BATCH_SIZE = 32  # nlp.pipe batch: spaCy is fastest with 8-32 documents a batch
RENDER_BATCH = 16
ZONE = 8 * BATCH_SIZE  # articles parsed in one spaCy memory zone
WARM = ZONE  # articles a pipeline first parses outside any zone (see _zone)
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class RenderJob:
    """What rendering one document needs: its extraction and its slice of the resolution."""

    extraction: DocExtraction
    resolution: Resolution  # the document's entities only
    base: str
    shared: frozenset[str]  # IRIs other documents may describe too (its entities)


class Executor(Protocol):
    """Runs the per-document stages; results come back in the order of the input."""

    def extract(self, articles: Iterable[Article]) -> Iterator[DocExtraction]: ...

    def render(self, jobs: Iterable[RenderJob]) -> Iterator[DocParts]: ...

    def close(self) -> None: ...


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


@cache
def _lexicon() -> Lexicon:
    """The gazetteers, read once per process."""
    return lexicon.load()


@cache
def _context() -> JsonLdContext:
    return JsonLdContext(resources.context())


def render_one(job: RenderJob) -> DocParts:
    """One document rendered and checked (the shipped shapes)."""
    minter = Minter(job.base)
    sha = job.extraction.article.sha256
    triples = document_triples(job.extraction, job.resolution, minter)
    shared = job.shared
    return render(minter.document(sha), triples, _context(), lambda n: str(n) in shared, engine())


def render_batch(jobs: Sequence[RenderJob]) -> list[DocParts]:
    return [render_one(job) for job in jobs]


def extract_batch(nlp: Language, articles: Sequence[Article]) -> list[DocExtraction]:
    """Parse a batch with one ``nlp.pipe`` and extract each article."""
    words = _lexicon()
    with _zone(nlp, len(articles)):
        docs = nlp.pipe((a.text for a in articles), batch_size=BATCH_SIZE)
        return [extract(a, doc, words) for a, doc in zip(articles, docs, strict=True)]


_parsed: WeakKeyDictionary[Language, int] = WeakKeyDictionary()  # articles, outside zones


def _zone(nlp: Language, articles: int) -> contextlib.AbstractContextManager[Any]:
    """A spaCy memory zone for the next ``articles``, except for a pipeline's first ones.

    A memory zone frees the strings spaCy adds for its texts: without one the vocabulary
    grows with the corpus (extractions hold plain strings, nothing of spaCy). But inside
    a zone spaCy's tokenizer caches nothing, and tokenizing without its cache costs about
    4 ms an article, some 4% of parsing. So the first ``WARM`` articles a pipeline parses
    (in each process) are parsed outside any zone: the tokenizer's cache (10,000 entries
    at most) fills with their words and serves every later zone, and what they add to the
    vocabulary stays, bounded by those articles. Tokens are the same either way.
    """
    done = _parsed.get(nlp, 0)
    if done >= WARM:
        return nlp.memory_zone()
    _parsed[nlp] = done + articles
    return contextlib.nullcontext()


class Local:
    """Everything in this process: the baseline the others are measured against."""

    def __init__(self, nlp: Callable[[], Language]) -> None:
        self._nlp = nlp

    def extract(self, articles: Iterable[Article]) -> Iterator[DocExtraction]:
        nlp = self._nlp()
        words = _lexicon()
        for zone in batches(articles, ZONE):
            pending: deque[Article] = deque()

            def texts(
                zone: list[Article] = zone, pending: deque[Article] = pending
            ) -> Iterator[str]:
                for article in zone:
                    pending.append(article)
                    yield article.text

            # nlp.pipe reads ahead a batch, and the articles wait in order for their docs.
            with _zone(nlp, len(zone)):
                for doc in nlp.pipe(texts(), batch_size=BATCH_SIZE):
                    yield extract(pending.popleft(), doc, words)

    def render(self, jobs: Iterable[RenderJob]) -> Iterator[DocParts]:
        for job in jobs:
            yield render_one(job)

    def close(self) -> None:
        pass


# -- a process pool -----------------------------------------------------------------------

_WORKER_NLP: Language | None = None
_WORKER_MODEL: str | None = None


def _worker_nlp() -> Language:
    global _WORKER_NLP
    if _WORKER_NLP is None:
        from kg import nlp as nlp_module

        _WORKER_NLP = nlp_module.load(_WORKER_MODEL)
    return _WORKER_NLP


def _start_worker(model: str | None) -> None:
    """A spawned worker loads the model by name on first use; a forked one has it."""
    global _WORKER_MODEL
    _WORKER_MODEL = model


def _pool_extract(articles: list[Article]) -> list[DocExtraction]:
    return extract_batch(_worker_nlp(), articles)


class Pool:
    """``jobs`` worker processes over batches of documents."""

    def __init__(self, jobs: int, nlp: Callable[[], Language], model: str | None) -> None:
        self.jobs = jobs
        self._nlp = nlp
        self._model = model
        self._pool: Any = None

    def _get(self) -> Any:
        if self._pool is None:
            global _WORKER_NLP
            methods = multiprocessing.get_all_start_methods()
            if "fork" in methods and os.name == "posix":
                # Forked after loading: the workers share the parent's model pages.
                _WORKER_NLP = self._nlp()
                self._pool = multiprocessing.get_context("fork").Pool(self.jobs)
            else:
                spawn = multiprocessing.get_context("spawn")
                self._pool = spawn.Pool(self.jobs, _start_worker, (self._model,))
        return self._pool

    def extract(self, articles: Iterable[Article]) -> Iterator[DocExtraction]:
        pool = self._get()
        for found in pool.imap(_pool_extract, batches(articles, BATCH_SIZE)):
            yield from found

    def render(self, jobs: Iterable[RenderJob]) -> Iterator[DocParts]:
        pool = self._get()
        for found in pool.imap(render_batch, batches(jobs, RENDER_BATCH)):
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
