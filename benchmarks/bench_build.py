"""Time a build of a synthetic corpus: model load, bare ``nlp.pipe``, the whole build, stages.

``python benchmarks/bench_build.py [--docs 200] [--repeat 1] [--model NAME] [--json]``

In one process, with the spaCy pipeline loaded once (its load time reported apart):

1. bare ``nlp.pipe`` over the texts, with the pipeline and batch size the build uses: the
   throughput ceiling, since every build parses every document once;
2. ``kg.pipeline.build`` end to end, writing its five files into a temporary folder;
3. one build again, stage by stage, calling the stage functions the way ``kg/pipeline.py``
   does. Parsing and extraction are interleaved there (``nlp.pipe`` is lazy), so each
   ``next(docs)`` is timed as parsing and each ``extract`` call as extraction.

With ``--repeat N`` each measurement is taken N times and the fastest kept: the slower
runs measure the machine's noise, not the code. A benchmark prints figures; it asserts
nothing. See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from time import perf_counter
from typing import Any

import generate
from rdflib import Graph
from spacy.language import Language

from kg import export, lexicon, pipeline, resources
from kg import nlp as nlp_module
from kg.errors import InputError, KgError
from kg.extract import extract
from kg.graph import build_graphs
from kg.ingest import iter_inputs
from kg.iri import DEFAULT_BASE, Minter
from kg.model import Article
from kg.resolve import resolve
from kg.validate import validate

STAGES = (
    "ingest",
    "lexicon",
    "parse",
    "extract",
    "resolve",
    "graph",
    "union",
    "validate",
    "export",
)
_STAGE_NOTES = {
    "ingest": "iter_inputs + one article per text",
    "lexicon": "lexicon.load()",
    "parse": f"nlp.pipe, batch_size={pipeline.BATCH_SIZE}",
    "extract": "extract() calls only",
    "resolve": "resolve()",
    "graph": "build_graphs()",
    "union": "document graphs -> one Graph",
    "validate": "validate() (pySHACL)",
    "export": "export.write_build(), 5 files",
}
EXTRACTION_TARGET = 0.25  # the project's target: extraction <= 25% of the build time


def read_articles(paths: Sequence[Path]) -> list[Article]:
    """The distinct articles a build of ``paths`` parses, in the build's order."""
    articles = [item for item in iter_inputs(paths) if isinstance(item, Article)]
    return pipeline._distinct(articles)


def time_bare_pipe(nlp: Language, texts: Sequence[str]) -> float:
    """Seconds to parse ``texts`` with ``nlp.pipe`` and nothing else."""
    start = perf_counter()
    for _ in nlp.pipe(texts, batch_size=pipeline.BATCH_SIZE):
        pass
    return perf_counter() - start


def time_build(paths: Sequence[Path], nlp: Language, out_dir: Path) -> tuple[float, dict[str, Any]]:
    """Seconds for ``kg.pipeline.build`` end to end, and a few counts of what it built."""
    start = perf_counter()
    result = pipeline.build(paths, nlp, out_dir, DEFAULT_BASE)
    seconds = perf_counter() - start
    counts = {
        "documents": len(result.extractions),
        "triples": sum(len(g) for g in result.graphs.values()),
        "positions": sum(len(e.positions) for e in result.extractions),
        "input_errors": len(result.errors),
        "conforms": result.report.conforms,
    }
    return seconds, counts


def time_stages(paths: Sequence[Path], nlp: Language, out_dir: Path) -> dict[str, float]:
    """Seconds per stage of one build, composed as ``kg.pipeline.build`` composes it."""
    seconds = dict.fromkeys(STAGES, 0.0)
    clock = perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = perf_counter()
        seconds[stage] += now - clock
        clock = now

    articles: list[Article] = []
    errors: list[InputError] = []
    for item in iter_inputs(paths):
        if isinstance(item, InputError):
            errors.append(item)
        else:
            articles.append(item)
    distinct = pipeline._distinct(articles)
    lap("ingest")
    words = lexicon.load()
    lap("lexicon")
    docs = iter(nlp.pipe((a.text for a in distinct), batch_size=pipeline.BATCH_SIZE))
    extractions = []
    for article in distinct:
        doc = next(docs)
        lap("parse")
        extractions.append(extract(article, doc, words))
        lap("extract")
    resolution = resolve(extractions)
    lap("resolve")
    graphs = build_graphs(extractions, resolution, Minter(DEFAULT_BASE))
    lap("graph")
    union = Graph()
    for graph in graphs.values():
        union += graph
    lap("union")
    report = validate(union)
    lap("validate")
    export.write_build(out_dir, graphs, report.graph, resources.context())
    lap("export")
    return seconds


def best(runs: Sequence[float]) -> float:
    return min(runs)


def peak_rss_mib() -> float:
    """The process's peak resident set size (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def environment(nlp: Language) -> dict[str, Any]:
    meta = nlp.meta
    return {
        "python": platform.python_version(),
        "spacy": version("spacy"),
        "model": f"{meta.get('lang', '')}_{meta.get('name', '')} {meta.get('version', '')}",
        "components": list(nlp.pipe_names),
        "newskg": version("newskg"),
        "rdflib": version("rdflib"),
        "pyshacl": version("pyshacl"),
        "cores": os.cpu_count(),
        "machine": f"{platform.system()} {platform.machine()}",
    }


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Generate the corpus, load the model, run every measurement; return the figures."""
    with tempfile.TemporaryDirectory(prefix="newskg-bench-") as tmp:
        root = Path(tmp)
        corpus = generate.generate(args.docs, args.seed)
        generate.write(corpus, root / "corpus")
        paths = [root / "corpus"]
        articles = read_articles(paths)
        texts = [a.text for a in articles]

        start = perf_counter()
        nlp = nlp_module.load(args.model)
        load_s = perf_counter() - start
        # One small batch first, so one-time initialisation is not charged to run 1.
        warm_up_s = time_bare_pipe(nlp, texts[: pipeline.BATCH_SIZE // 4])

        bare: list[float] = []
        build: list[float] = []
        stages: dict[str, list[float]] = {stage: [] for stage in STAGES}
        counts: dict[str, Any] = {}
        for i in range(args.repeat):
            bare.append(time_bare_pipe(nlp, texts))
            seconds, counts = time_build(paths, nlp, root / f"build-{i}")
            build.append(seconds)
            for stage, value in time_stages(paths, nlp, root / f"stages-{i}").items():
                stages[stage].append(value)

    n = len(texts)
    stage_s = {stage: best(runs) for stage, runs in stages.items()}
    total = sum(stage_s.values())
    bare_s, build_s = best(bare), best(build)
    return {
        "docs": n,
        "words": sum(len(t.split()) for t in texts),
        "seed": args.seed,
        "repeat": args.repeat,
        "load_s": load_s,
        "warm_up_s": warm_up_s,
        "bare_pipe_s": bare_s,
        "bare_pipe_docs_per_s": n / bare_s,
        "build_s": build_s,
        "build_docs_per_s": n / build_s,
        "stages_s": stage_s,
        "stages_total_s": total,
        "extraction_share": stage_s["extract"] / total,
        "extraction_target": EXTRACTION_TARGET,
        "parse_share": stage_s["parse"] / total,
        "throughput_ratio": bare_s / build_s,
        "built": counts,
        "runs_s": {"bare_pipe": bare, "build": build, **stages},
        "peak_rss_mib": peak_rss_mib(),
        "environment": environment(nlp),
    }


def format_table(f: dict[str, Any]) -> str:
    """The figures as a plain-text report."""
    env = f["environment"]
    total, n = f["stages_total_s"], f["docs"]
    rule = "-" * 78
    lines = [
        f"newskg build benchmark: {n} synthetic docs ({f['words']:,} words), seed {f['seed']}, "
        f"best of {f['repeat']}",
        f"Python {env['python']}, spaCy {env['spacy']}, model {env['model']} "
        f"({', '.join(env['components'])})",
        f"newskg {env['newskg']}, rdflib {env['rdflib']}, pyshacl {env['pyshacl']}; "
        f"{env['cores']} cores, {env['machine']}",
        "",
        f"model load {f['load_s']:.2f} s (not in any figure below; "
        f"warm-up parse {f['warm_up_s']:.2f} s)",
        "",
        f"{'stage':<10}{'seconds':>9}{'share':>9}{'docs/s':>10}   what is timed",
        rule,
    ]
    for stage, seconds in f["stages_s"].items():
        rate = f"{n / seconds:10.1f}" if seconds > 0 else f"{'-':>10}"
        lines.append(
            f"{stage:<10}{seconds:9.2f}{seconds / total:9.1%}{rate}   {_STAGE_NOTES[stage]}"
        )
    lines += [
        rule,
        f"{'total':<10}{total:9.2f}{1:9.1%}{n / total:10.1f}   sum of the stages",
        "",
        f"{'bare nlp.pipe':<24}{f['bare_pipe_s']:7.2f} s {f['bare_pipe_docs_per_s']:8.1f} docs/s"
        "   (the ceiling)",
        f"{'end-to-end build':<24}{f['build_s']:7.2f} s {f['build_docs_per_s']:8.1f} docs/s"
        "   (kg.pipeline.build)",
        "",
        f"extraction share of build time   {f['extraction_share']:6.1%}   "
        f"(target <= {f['extraction_target']:.0%})",
        f"parse share of build time        {f['parse_share']:6.1%}",
        f"build / bare nlp.pipe throughput {f['throughput_ratio']:6.2f}   (1.00 = parsing is all)",
        f"peak RSS                         {f['peak_rss_mib']:6.0f} MiB",
        "",
        "built: "
        + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in f["built"].items() if k != "conforms")
        + f", conforms {'yes' if f['built']['conforms'] else 'NO'}",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200, help="articles to generate (200)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure, best kept (1)")
    parser.add_argument("--model", default=None, help="spaCy pipeline (as kg build --model)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (0)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.docs < 1 or args.repeat < 1:
        parser.error("--docs and --repeat must be at least 1")
    try:
        figures = measure(args)
    except KgError as exc:  # no model, or a model without a parser
        sys.exit(f"bench_build: {exc}")
    print(json.dumps(figures, indent=2) if args.json else format_table(figures))


if __name__ == "__main__":
    main()
