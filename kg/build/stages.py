"""The two stages a build cache shortens: extraction and rendering, each doing only what
the cache lacks.

An article's extraction is cached under its content and the model's identity; a
document's parts under its extraction, the entities it resolved to and the writers'
code. :func:`extract_missing` parses only the articles not cached; :func:`render_missing`
renders only the documents whose parts are not cached, the rest read back as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from kg.build.cache import (
    BuildCache,
    article_key,
    digest,
    extraction_fingerprint,
    render_fingerprint,
)
from kg.build.executors import Executor, RenderJob
from kg.graph.iri import Minter
from kg.model import Article, DocExtraction, EntityKind
from kg.nlp import Model
from kg.progress import Tracker
from kg.resolve import DocNames, GlobalEntity, Name, Resolution, names
from kg.write.parts import DocParts

__all__ = ["HOLD_EXTRACTIONS", "entity_iris", "extract_missing", "render_jobs", "render_missing"]

HOLD_EXTRACTIONS = 1000  # extractions kept in memory between extraction and render


def extract_missing(
    articles: list[Article],
    model: Model,
    cache: BuildCache,
    runner: Executor,
    progress: Tracker,
    lap: Callable[[str], None],
    extracted: list[int],
    held: dict[str, DocExtraction],
) -> tuple[dict[str, str], list[DocNames]]:
    """Each article's cache key, and its entities' names; extracting the ones not cached.

    The first ``HOLD_EXTRACTIONS`` new extractions are also kept in ``held`` for the
    render, which else reads them back from the cache: decoding costs about as much as
    writing a document's Turtle, and the hold is bounded, so memory stays flat.
    """
    fingerprint = extraction_fingerprint(model.describe())
    keys = {a.sha256: article_key(fingerprint, a) for a in articles}
    found: list[DocNames] = []
    missing: list[Article] = []
    for article in articles:
        key = keys[article.sha256]
        # The names alone are enough here: an extraction is read in full only to render.
        known = cache.names(key)
        if known is not None and cache.extraction_cached(key):
            found.append(_names_from_json(article.sha256, known))
        else:
            missing.append(article)
    extracted[0] = len(missing)
    if missing:
        done = progress(runner.extract(missing), total=len(missing), label="parsing")
        for extraction in done:
            key = keys[extraction.article.sha256]
            cache.put_extraction(key, extraction)
            if len(held) < HOLD_EXTRACTIONS:
                held[extraction.article.sha256] = extraction
            doc_names = names(extraction)
            cache.put_names(key, _names_to_json(doc_names))
            found.append(doc_names)
        cache.commit()
    lap("extract")
    return keys, found


def _names_to_json(doc: DocNames) -> list[list[Any]]:
    return [[n.local_id, n.kind.value, n.name, n.mentions, list(n.acronyms)] for n in doc.entities]


def _names_from_json(sha256: str, data: list[list[Any]]) -> DocNames:
    return DocNames(
        sha256, tuple(Name(n[0], EntityKind(n[1]), n[2], n[3], tuple(n[4])) for n in data)
    )


def render_jobs(
    articles: list[Article],
    keys: dict[str, str],
    locals_: dict[str, tuple[int, ...]],
    resolution: Resolution,
    base: str,
    cache: BuildCache,
    held: dict[str, DocExtraction],
) -> Iterator[tuple[str, Callable[[], RenderJob]]]:
    """Each document's parts key, and how to make its render job (read when needed).

    The key covers what the parts depend on: the extraction (its key), the base IRI,
    the entities it resolved to (a fuller name in another article changes a label here)
    and the writers' code (:func:`kg.build.cache.render_fingerprint`).
    """
    fingerprint = render_fingerprint()
    iris = entity_iris(base)
    for article in articles:
        sha = article.sha256
        mine = resolution.document(sha, locals_[sha])
        signature = [(n, g.kind.value, g.key, g.label) for (_, n), g in mine.entities.items()]
        key = digest(fingerprint, keys[sha], base, repr(signature))

        def job(article: Article = article) -> RenderJob:
            # Made when needed: a build keeps no per-document resolution meanwhile.
            mine = resolution.document(article.sha256, locals_[article.sha256])
            shared = frozenset(iris(g) for g in mine.entities.values())
            extraction = held.pop(article.sha256, None) or cache.extraction(
                keys[article.sha256], article
            )
            if extraction is None:
                raise RuntimeError(f"{article.id}: its extraction left the build cache")
            return RenderJob(extraction, mine, base, shared)

        yield key, job


def render_missing(
    jobs: Iterator[tuple[str, Callable[[], RenderJob]]],
    cache: BuildCache,
    runner: Executor,
    progress: Tracker,
    total: int,
) -> Iterator[DocParts]:
    """Every document's parts: from the cache, else rendered by the executor."""
    todo: list[tuple[str, Callable[[], RenderJob]]] = []
    for key, job in jobs:
        parts = cache.parts(key)
        if parts is None:
            todo.append((key, job))
        else:
            yield parts
    rendered = runner.render(job() for _, job in todo)
    for (key, _), parts in zip(
        todo, progress(rendered, total=len(todo), label="writing"), strict=True
    ):
        cache.put_parts(key, parts)
        yield parts
    cache.commit()


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
