"""The per-document work of a build: a batch of articles extracted, a batch of documents rendered.

These are the only two functions an executor runs (:mod:`kg.build.executors`,
:mod:`kg.build.dask`), each on a batch of documents that needs nothing from the others:

- :class:`Extract` parses a batch with one ``nlp.pipe`` and extracts each article
  (:mod:`kg.extract`);
- :func:`render_batch` turns each document's extraction and its slice of the resolution
  into its triples (:mod:`kg.graph`) and its parts of the files, checked against the
  shipped shapes (:mod:`kg.write.render`).

Both are picklable, so they run in this process, in worker processes or on a Dask
cluster alike, and give the same results wherever they run. The spaCy pipeline an
extraction uses is the one this process was lent (:func:`lend`: the build's own, in this
process or in a worker forked from it), else the one named, loaded once per process.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import islice
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from spacy.language import Language

from kg import resources
from kg.extract import extract
from kg.extract import lexicon as lexicon_module
from kg.extract.lexicon import Lexicon
from kg.graph import document_triples
from kg.graph.iri import Minter
from kg.model import Article, DocExtraction
from kg.nlp import pieces
from kg.resolve import Resolution
from kg.validate import engine
from kg.write.jsonld import JsonLdContext
from kg.write.parts import DocParts
from kg.write.render import render

__all__ = [
    "BATCH_SIZE",
    "RENDER_BATCH",
    "Extract",
    "RenderJob",
    "batches",
    "extract_batch",
    "lend",
    "render_batch",
]

BATCH_SIZE = 32  # nlp.pipe batch: spaCy is fastest with 8-32 documents a batch
RENDER_BATCH = 16
WARM = 8 * BATCH_SIZE  # articles a pipeline first parses outside any zone (see _zone)
T = TypeVar("T")


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last one shorter), in order."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


# -- extraction ---------------------------------------------------------------------------

_LENT: Callable[[], Language] | None = None  # the build's own pipeline (see lend)
_LOADED: dict[str | None, Language] = {}  # pipelines this process loaded by name
_LOCK = threading.Lock()  # a Dask worker with several threads runs one pipeline at a time


def lend(nlp: Callable[[], Language] | None) -> None:
    """Make ``nlp`` the pipeline every extraction in this process uses (None: by name).

    A build lends its own pipeline (maybe not loaded yet) to the executor that runs in
    this process, and to the workers it forks, which inherit it with the memory it
    shares; workers that start afresh (spawned, Dask) load the one :class:`Extract` names.
    """
    global _LENT
    _LENT = nlp


def _pipeline(name: str | None) -> Language:
    if _LENT is not None:
        return _LENT()
    found = _LOADED.get(name)
    if found is None:
        from kg import nlp as nlp_module  # a worker imports spaCy's pipeline on first use

        found = _LOADED[name] = nlp_module.load(name)
    return found


@dataclass(frozen=True)
class Extract:
    """The extraction of a batch of articles, with the pipeline named ``model``."""

    model: str | None = None

    def __call__(self, articles: list[Article]) -> list[DocExtraction]:
        with _LOCK:
            return extract_batch(_pipeline(self.model), articles)


@cache
def _lexicon() -> Lexicon:
    """The gazetteers, read once per process."""
    return lexicon_module.load()


def extract_batch(
    nlp: Language, articles: Sequence[Article], piece: int = pieces.PIECE
) -> list[DocExtraction]:
    """Parse a batch with one ``nlp.pipe`` and extract each article.

    An article longer than ``piece`` characters is parsed in pieces joined into one Doc
    over its whole text (:mod:`kg.nlp.pieces`), so no article is too long for spaCy.
    """
    words = _lexicon()
    with _zone(nlp, len(articles)):
        docs = pieces.pipe(nlp, (a.text for a in articles), BATCH_SIZE, piece)
        return [extract(a, doc, words) for a, doc in zip(articles, docs, strict=True)]


_parsed: WeakKeyDictionary[Language, int] = WeakKeyDictionary()  # articles, outside zones


def _zone(nlp: Language, articles: int) -> contextlib.AbstractContextManager[Any]:
    """A spaCy memory zone for a batch of ``articles``, except for a pipeline's first ones.

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


# -- rendering ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderJob:
    """What rendering one document needs: its extraction and its slice of the resolution."""

    extraction: DocExtraction
    resolution: Resolution  # the document's entities only
    base: str
    shared: frozenset[str]  # IRIs other documents may describe too (its entities)


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


def render_batch(jobs: list[RenderJob]) -> list[DocParts]:
    """Each document of a batch rendered and checked, in order."""
    return [render_one(job) for job in jobs]
