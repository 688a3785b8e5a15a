"""The stages composed: inputs -> articles -> parsed docs -> extractions -> graph -> files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from spacy.language import Language

from kg import export, lexicon, resources
from kg.errors import InputError
from kg.extract import extract
from kg.graph import build_graphs
from kg.ingest import iter_inputs
from kg.iri import Minter
from kg.model import Article, DocExtraction
from kg.progress import Tracker, quiet
from kg.resolve import resolve
from kg.store import Sync, payloads_from_graphs, sync_store
from kg.validate import Report, validate

BATCH_SIZE = 32


@dataclass(frozen=True)
class Build:
    """What one build produced: the document graphs, the report, the input errors."""

    extractions: tuple[DocExtraction, ...]
    graphs: dict[URIRef, Graph]
    report: Report
    errors: tuple[InputError, ...]
    files: tuple[Path, ...] = ()
    stored: Sync | None = None  # what --store changed, when a store was given


def extract_all(
    articles: Sequence[Article], nlp: Language, progress: Tracker = quiet
) -> list[DocExtraction]:
    """Parse every article with one ``nlp.pipe`` and extract each."""
    words = lexicon.load()
    docs = nlp.pipe((a.text for a in articles), batch_size=BATCH_SIZE)
    docs = progress(docs, total=len(articles), label="parsing")
    return [extract(article, doc, words) for article, doc in zip(articles, docs, strict=True)]


def _distinct(articles: list[Article]) -> list[Article]:
    """One article per text: the same text under two names is one document (first id wins)."""
    first: dict[str, Article] = {}
    for article in sorted(articles, key=lambda a: a.id):
        first.setdefault(article.sha256, article)
    return [a for a in articles if first[a.sha256] is a]


def build(
    inputs: Sequence[Path],
    nlp: Language,
    out_dir: Path | None,
    base: str,
    *,
    store: Path | None = None,
    progress: Tracker = quiet,
) -> Build:
    """Read, extract, resolve, validate and (when ``out_dir`` is given) write a build.

    With ``store``, the on-disk store there is brought in step with the build: only the
    document graphs whose triples changed are rewritten (see :mod:`kg.store`). Every
    article is still parsed: cross-document resolution needs all of them.
    """
    articles: list[Article] = []
    errors: list[InputError] = []
    for item in iter_inputs(inputs):
        (errors if isinstance(item, InputError) else articles).append(item)  # type: ignore[arg-type]
    extractions = extract_all(_distinct(articles), nlp, progress)
    graphs = build_graphs(extractions, resolve(extractions), Minter(base))
    union = Graph()
    for graph in graphs.values():
        union += graph
    report = validate(union)
    files: tuple[Path, ...] = ()
    if out_dir is not None:
        files = tuple(export.write_build(out_dir, graphs, report.graph, resources.context()))
    stored = None
    if store is not None:
        stored = sync_store(store, payloads_from_graphs(graphs), base, progress, prune=not errors)
    return Build(tuple(extractions), graphs, report, tuple(errors), files, stored)
