"""The pipeline: read -> extract -> resolve -> render -> validate -> assemble -> write -> store.

A build streams its documents, so its memory does not grow with the corpus and its time
grows linearly:

1. **read** the inputs (texts are small; one article per distinct text, see
   :func:`kg.ingest.distinct`);
2. **extract** each article (spaCy and the extractor), or take its extraction from the
   build cache (:mod:`kg.build.cache`); keep only its entities' names;
3. **resolve** entities across documents from those names (:mod:`kg.resolve`);
4. **render** each document graph into its parts of the files, checked against the
   shapes (:mod:`kg.write.render`), or take its parts from the cache;
5. **validate across documents**: the entities several documents describe, checked once
   on everything said about them (:func:`kg.build.stages.check_across`);
6. **assemble and write**: the parts stream into the :class:`kg.write.assemble.Assembler`,
   which spills sorted runs to disk and merges them into the six files, each whole or not
   at all (each document's N-Quads and TriG are copied as one piece);
7. **store**: a ``--store`` is brought in step from the assembled document graphs.

Stages 2 and 4 (:mod:`kg.build.stages`) run the per-document work of
:mod:`kg.build.work` on an :class:`kg.build.executors.Executor`: this process, ``--jobs N``
processes, or a Dask cluster; the files are the same bytes whichever runs them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rdflib import Graph, URIRef
from spacy.language import Language

from kg.build.clock import Clock, fewer_collections, peak_mib
from kg.build.executors import Executor
from kg.build.outdir import WRITTEN, holding
from kg.build.stages import Session, assembling, check_across, sharded, sync
from kg.errors import InputError
from kg.graph import build_graphs
from kg.graph.iri import Minter
from kg.ingest import DEFAULT_READING, Merged, Note, Outputs, Reading, distinct, iter_inputs
from kg.model import Article, DocExtraction
from kg.nlp import Model
from kg.progress import Tracker, quiet
from kg.resolve import Resolution, resolve_names
from kg.sparql.store import Sync
from kg.validate import Report, report
from kg.write.syntax import turtle

__all__ = ["Build", "build", "peak_mib"]

CACHE_FOLDER = ".cache"  # under the output folder, unless --cache names another


@dataclass(frozen=True)
class Build:
    """What one build produced: counts, the report, the input errors, the files."""

    documents: int
    triples: int
    counts: dict[str, int]  # class IRI -> nodes of that class
    report: Report
    errors: tuple[InputError, ...]
    files: tuple[Path, ...] = ()
    stored: Sync | None = None  # what --store changed, when a store was given
    merged: tuple[Merged, ...] = ()  # inputs with the same text, built once (notes)
    notes: tuple[Note, ...] = ()  # what was changed or left out of a built input (a URL)
    seconds: dict[str, float] = field(default_factory=dict)  # by stage (clock.STAGES)
    peak_mib: dict[str, float] = field(default_factory=dict)  # peak RSS after each stage
    cached: dict[str, int] = field(default_factory=dict)  # extractions, parts reused
    cache_notes: tuple[str, ...] = ()  # what went wrong with the build cache and was mended
    base: str = ""
    _source: Callable[[], tuple[list[DocExtraction], Resolution]] | None = field(
        default=None, repr=False, compare=False
    )

    @cached_property
    def extractions(self) -> tuple[DocExtraction, ...]:
        """Every document's extraction (read back from the build cache)."""
        return tuple(self._load()[0])

    @cached_property
    def graphs(self) -> dict[URIRef, Graph]:
        """The document graphs as rdflib Graphs, by document IRI: for small builds."""
        extractions, resolution = self._load()
        return build_graphs(extractions, resolution, Minter(self.base))

    def _load(self) -> tuple[list[DocExtraction], Resolution]:
        if self._source is None:
            raise RuntimeError("this build kept no extractions; build with a cache")
        return self._source()


def build(
    inputs: Sequence[Path | Article],
    nlp: Language | Model,
    out_dir: Path | None,
    base: str,
    *,
    store: Path | None = None,
    progress: Tracker = quiet,
    reading: Reading = DEFAULT_READING,
    jobs: int = 1,
    executor: Executor | None = None,
    cache: Path | None = None,
    use_cache: bool = True,
    shards: Path | None = None,
) -> Build:
    """Read, extract, resolve, validate and (when ``out_dir`` is given) write a build.

    ``inputs`` are files and folders, or articles given in memory (checked as JSONL
    records are, :func:`kg.ingest.iter_inputs`).
    ``jobs`` > 1 runs extraction and rendering in that many processes; ``executor``
    runs them elsewhere (a Dask cluster). The build cache lives in ``cache``, else in
    ``out_dir/.cache``, else (no ``out_dir``, or not ``use_cache``) in memory for this
    build only. With ``store``, the on-disk store there is brought in step with the
    build: only the document graphs whose triples changed are rewritten. With ``shards``,
    the document graphs are also written there as N-Quads, 256 documents a file
    (``part-00000.nq`` ...), ready to bulk-load in parallel.

    What the build writes is never read as input: folders are walked around ``out_dir``,
    ``store``, the cache, ``shards`` and any earlier build's output folder or store
    (:class:`kg.ingest.Outputs`). When no input can be read at all, nothing is written
    nor changed (not the output folder, the cache or the store): the build returns with
    its ``errors``, no ``files`` and no documents.
    """
    model = nlp if isinstance(nlp, Model) else Model(None, nlp)
    folder = cache or (out_dir / CACHE_FOLDER if out_dir is not None else None)
    outputs = Outputs(
        folders=() if out_dir is None else (out_dir,),
        skipped=tuple(p for p in (store, cache, shards) if p is not None),
        names=WRITTEN,
    )
    with fewer_collections():
        clock = Clock()
        articles, errors, merged, notes = _read(inputs, reading, outputs)
        clock.lap("ingest")
        if errors and not articles:
            return _nothing_read(errors, notes, base, clock)
        with (
            holding(out_dir),
            Session(model, folder, use_cache, jobs, executor, progress, not errors) as run,
        ):
            names = run.extract(articles)
            clock.lap("extract")
            resolution = resolve_names(names)
            del names
            clock.lap("resolve")
            with assembling(out_dir) as assembler:
                for parts in sharded(run.render(articles, resolution, base), shards):
                    assembler.add(parts)
                clock.lap("render")
                checked = check_across(assembler, resolution, base)
                clock.lap("validate")
                written, counts = assembler.write(out_dir, turtle(checked.graph))
                clock.lap("write")
                stored = sync(store, assembler, base, progress, prune=not errors)
        return Build(
            documents=assembler.documents,
            triples=assembler.triples,
            counts=dict(counts),
            report=checked,
            errors=tuple(errors),
            files=tuple(written),
            stored=stored,
            merged=tuple(merged),
            notes=tuple(notes),
            seconds=clock.seconds,
            peak_mib=clock.peak_mib,
            cached=run.cached(len(articles)),
            cache_notes=tuple(run.cache.notes()),
            base=base,
            _source=run.source(articles, resolution),
        )


def _read(
    inputs: Sequence[Path | Article], reading: Reading, outputs: Outputs
) -> tuple[list[Article], list[InputError], list[Merged], list[Note]]:
    """The inputs' articles (one per distinct text), the inputs that failed, the merges
    and the notes."""
    articles: list[Article] = []
    errors: list[InputError] = []
    notes: list[Note] = []
    for item in iter_inputs(inputs, reading, notes=notes, outputs=outputs):
        if isinstance(item, InputError):
            errors.append(item)
        else:
            articles.append(item)
    unique, merged = distinct(articles)
    return unique, errors, merged, notes


def _nothing_read(errors: list[InputError], notes: list[Note], base: str, clock: Clock) -> Build:
    """The build of inputs none of which could be read: it wrote nothing."""
    return Build(
        documents=0,
        triples=0,
        counts={},
        report=report([]),
        errors=tuple(errors),
        notes=tuple(notes),
        seconds=clock.seconds,
        peak_mib=clock.peak_mib,
        base=base,
    )
