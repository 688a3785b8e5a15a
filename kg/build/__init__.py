"""The stages composed: inputs -> articles -> extractions -> resolution -> parts -> files.

A build streams its documents, so its memory does not grow with the corpus and its time
grows linearly:

1. **read** the inputs (texts are small; one article per distinct text, see
   :func:`kg.ingest.distinct`);
2. **extract** each article (spaCy and the extractor), or take its extraction from the
   build cache (:mod:`kg.build.cache`); keep only its entities' names;
3. **resolve** entities across documents from those names (:mod:`kg.resolve`);
4. **render** each document graph into the parts of the files and check it against the
   shapes (:mod:`kg.write.render`), or take its parts from the cache; the parts stream into
   the :class:`kg.write.assemble.Assembler`, which spills sorted runs to disk (stages 2 and 4
   read and fill the cache in :mod:`kg.build.stages`);
5. **validate across documents**: the entities several documents describe, checked once
   on everything said about them (:mod:`kg.validate`);
6. **write** the six files by merging the runs (each document's N-Quads and TriG are
   copied as one piece), each whole or not at all, and bring a ``--store`` in step.

Stages 2 and 4 run on an :class:`kg.build.executors.Executor`: this process, ``--jobs N``
processes, or a Dask cluster; the files are the same bytes whichever runs them.
"""

from __future__ import annotations

import contextlib
import gc
import resource
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from time import perf_counter

from rdflib import Graph, URIRef
from spacy.language import Language

from kg import resources
from kg.build.cache import BuildCache
from kg.build.executors import BATCH_SIZE, Executor, Local, Pool, batches
from kg.build.outdir import claim
from kg.build.stages import entity_iris, extract_missing, render_jobs, render_missing
from kg.errors import InputError, OutputError
from kg.graph import build_graphs
from kg.graph.iri import Minter
from kg.ingest import DEFAULT_READING, Merged, Reading, distinct, iter_inputs
from kg.model import Article, DocExtraction
from kg.nlp import Model
from kg.progress import Tracker, quiet
from kg.resolve import Resolution, resolve_names
from kg.sparql.store import Sync, payloads_from_folder, payloads_from_graphs, sync_store
from kg.validate import Report, cross_document, engine, report
from kg.validate.engine import Finding, Shapes
from kg.write.assemble import Assembler
from kg.write.files import atomic_write
from kg.write.parts import DocParts
from kg.write.syntax import turtle

__all__ = ["BATCH_SIZE", "Build", "build", "extract_all"]

CACHE_FOLDER = ".cache"  # under the output folder, unless --cache names another
SHARD_DOCUMENTS = 256  # documents per N-Quads shard
STAGES = ("ingest", "extract", "resolve", "render", "validate", "write")


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
    seconds: dict[str, float] = field(default_factory=dict)  # by stage (STAGES)
    peak_mib: dict[str, float] = field(default_factory=dict)  # peak RSS after each stage
    cached: dict[str, int] = field(default_factory=dict)  # extractions, parts reused
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


def extract_all(
    articles: Sequence[Article], nlp: Language, progress: Tracker = quiet
) -> list[DocExtraction]:
    """Parse every article with one ``nlp.pipe`` and extract each (no cache)."""
    found = Local(lambda: nlp).extract(articles)
    return list(progress(found, total=len(articles), label="parsing"))


def build(
    inputs: Sequence[Path],
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

    ``jobs`` > 1 runs extraction and rendering in that many processes; ``executor``
    runs them elsewhere (a Dask cluster). The build cache lives in ``cache``, else in
    ``out_dir/.cache``, else (no ``out_dir``, or not ``use_cache``) in memory for this
    build only. With ``store``, the on-disk store there is brought in step with the
    build: only the document graphs whose triples changed are rewritten. With ``shards``,
    the document graphs are also written there as N-Quads, ``SHARD_DOCUMENTS`` documents
    a file (``part-00000.nq`` ...), ready to bulk-load in parallel.
    """
    with _holding(out_dir), _fewer_collections():
        model = nlp if isinstance(nlp, Model) else Model(None, nlp)
        seconds: dict[str, float] = dict.fromkeys(STAGES, 0.0)
        clock = [perf_counter()]

        peak: dict[str, float] = {}

        def lap(stage: str) -> None:
            now = perf_counter()
            seconds[stage] += now - clock[0]
            clock[0] = now
            peak[stage] = peak_mib()

        articles: list[Article] = []
        errors: list[InputError] = []
        for item in iter_inputs(inputs, reading):
            (errors if isinstance(item, InputError) else articles).append(item)  # type: ignore[arg-type]
        unique, merged = distinct(articles)
        del articles
        lap("ingest")

        folder = cache or (out_dir / CACHE_FOLDER if out_dir is not None else None)
        store_cache = BuildCache(folder if use_cache else None)
        runner = executor or (Pool(jobs, model, model.name) if jobs > 1 else Local(model))
        keep_memory = store_cache.folder is None
        done = False
        try:
            extracted = [0]
            held: dict[str, DocExtraction] = {}
            keys, doc_names = extract_missing(
                unique, model, store_cache, runner, progress, lap, extracted, held
            )
            locals_ = {d.sha256: tuple(e.local_id for e in d.entities) for d in doc_names}
            resolution = resolve_names(doc_names)
            del doc_names
            lap("resolve")
            jobs_of = render_jobs(unique, keys, locals_, resolution, base, store_cache, held)
            rendered = render_missing(jobs_of, store_cache, runner, progress, len(unique))
            assembler, checked, written, counts = _assemble(
                rendered, resolution, base, out_dir, shards, lap
            )
            cached = {"extractions": len(unique) - extracted[0], "parts": store_cache.hits["parts"]}
            done = True
        finally:
            # A failed build stops its workers at once rather than waiting for their batches.
            (runner.close if done else getattr(runner, "terminate", runner.close))()
            if not keep_memory:
                store_cache.close(prune=done and not errors)
        source = _source(unique, keys, resolution, store_cache, model, keep_memory)
        result = Build(
            documents=assembler.documents,
            triples=assembler.triples,
            counts=dict(counts),
            report=checked,
            errors=tuple(errors),
            files=tuple(written),
            merged=tuple(merged),
            seconds=seconds,
            peak_mib=peak,
            cached=cached,
            base=base,
            _source=source,
        )
        if store is not None:
            payloads = (
                payloads_from_folder(out_dir)
                if out_dir is not None
                else payloads_from_graphs(result.graphs)
            )
            stored = sync_store(store, payloads, base, progress, prune=not errors)
            result = replace(result, stored=stored)
        return result


def _assemble(
    rendered: Iterable[DocParts],
    resolution: Resolution,
    base: str,
    out_dir: Path | None,
    shards: Path | None,
    lap: Callable[[str], None],
) -> tuple[Assembler, Report, list[Path], Counter[str]]:
    """Every document's parts merged, checked across documents and written (render,
    validate and write stages); the runs spill into a hidden folder that goes with them."""
    shapes = engine()
    spill = Path(tempfile.mkdtemp(prefix=".kg-build-", dir=out_dir)) if out_dir else None
    assembler = Assembler(resources.context(), spill)
    try:
        for parts in rendered if shards is None else _sharded(rendered, shards):
            assembler.add(parts)
        lap("render")
        checked = report(
            [*assembler.findings, *_cross_document(assembler, resolution, base, shapes)]
        )
        lap("validate")
        written, counts = assembler.write(out_dir, turtle(checked.graph))
        lap("write")
    finally:
        assembler.close()
        if spill is not None:
            shutil.rmtree(spill, ignore_errors=True)
    return assembler, checked, written, counts


def peak_mib() -> float:
    """This process's peak resident memory so far, in MiB.

    Linux's VmHWM where there is one: unlike ``ru_maxrss`` it starts afresh at ``exec``,
    so a process started by a large one does not report its parent's size.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    found = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return found / (1024 * 1024) if sys.platform == "darwin" else found / 1024


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Python's cyclic collector, run less often for the length of a build.

    A build allocates millions of short-lived objects (spaCy tokens, RDF terms) while it
    holds a loaded model and the extractions it has made; every full collection walks
    all of them. The objects alive at the start (the model) are frozen out of the
    collector's view and the youngest generation collected ten times less often: about
    3% of a build's time at 100 articles, more at 1,000. Both are restored at the end.
    """
    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(old[0], 7000), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


def _holding(out_dir: Path | None) -> contextlib.AbstractContextManager[None]:
    """The output folder, made and held for this build (see :mod:`kg.build.outdir`)."""
    if out_dir is None:
        return contextlib.nullcontext()
    _make_folder(out_dir)
    return claim(out_dir)


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the output folder {folder}: {exc.strerror or exc}; "
            "choose another folder with -o or fix its permissions"
        ) from exc


def _sharded(parts: Iterable[DocParts], folder: Path) -> Iterator[DocParts]:
    """Pass the parts on, writing their N-Quads into shard files on the way."""
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


def _cross_document(
    assembler: Assembler, resolution: Resolution, base: str, shapes: Shapes | None
) -> list[Finding]:
    """The one check across documents: every entity on all its documents' triples."""
    if shapes is None:
        return []
    iris = entity_iris(base)
    entities = {iris(g) for g in resolution.entities.values()}
    triples = [*assembler.shared_triples(), *assembler.target_types()]
    return cross_document(shapes, triples, lambda n: str(n) in entities)


def _source(
    articles: list[Article],
    keys: dict[str, str],
    resolution: Resolution,
    cache: BuildCache,
    model: Model,
    in_memory: bool,
) -> Callable[[], tuple[list[DocExtraction], Resolution]]:
    """How :class:`Build` reads its extractions back, when asked."""

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
