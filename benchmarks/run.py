"""Scale benchmark: a build against bare ``nlp.pipe``, at 100, 1,000 and 10,000 articles.

``python benchmarks/run.py [--docs 100 1000] [--jobs 2] [--no-incremental] [--json]``

For each corpus size N it generates N synthetic articles (``generate.py``, seeded) and
measures, in this order and on the same texts:

1. **bare nlp.pipe**: the model as spaCy ships it (``spacy.load``, every component, plus
   newskg's one-line ``newskg_newline_sentences``), same batch size, parsing every text and
   doing nothing else: the ceiling. Then newskg's own pipeline (``kg.nlp.load``), what a
   build runs: the same components, with spaCy's attribute_ruler replaced by an exact
   compiled one (``kg.nlp.fastruler``) and the entity recognizer run only on the sentences
   that may hold a name (``kg.nlp.selective_ner``; ``selective_ner.py`` measures how close
   it stays); the build can pass the ceiling by that much. Both are measured in this
   process, each model loaded once and warmed up (not timed).
2. **build**: ``kg.build.build`` of the corpus into a new folder with an empty cache,
   one process (``jobs=1``), in a fresh child process with the model loaded before the
   clock starts: articles/s, words/s, the time of each stage, the child's peak RSS.
3. **build --jobs J** (``--jobs``): the same with J processes.
4. **incremental**: one article changed (a sentence appended), the build run again into
   the same folder (its cache warm), in a fresh child that loads the model only when it
   needs it, as ``kg build`` does; its time, as a share of the cold build's.

The headline is build throughput / bare ``nlp.pipe`` throughput (1.00 = the build costs
no more than spaCy's own parsing); next to it, build / newskg's pipeline, the cost of all
that newskg does besides parsing. A benchmark prints figures; it asserts nothing. The bounds of
issue 6 are printed next to the figures they apply to.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path
from statistics import fmean
from time import perf_counter
from typing import Any

import generate

from kg import nlp as nlp_module
from kg.build.work import BATCH_SIZE
from kg.ingest import distinct, iter_inputs
from kg.model import Article
from kg.write.assemble import FILES

HERE = Path(__file__).resolve().parent
OWN_PIPELINE = "fast attribute_ruler, NER on name sentences"
REPEAT_UP_TO = 1000  # --repeat applies to corpora this size or smaller (10,000 takes an hour)

# The child process that runs one build; prints its figures as one JSON line.
CHILD = r"""
import json, sys, time
from pathlib import Path
from kg import nlp as nlp_module
from kg import build as pipeline
from kg.graph.iri import DEFAULT_BASE
corpus, out, jobs = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
preload, model = sys.argv[4] == "1", sys.argv[5] or None
lazy = nlp_module.Model(model)
if preload:
    lazy()
cpu0 = time.process_time()
start = time.perf_counter()
result = pipeline.build([Path(corpus)], lazy, out, DEFAULT_BASE, jobs=jobs)
seconds = time.perf_counter() - start
print(json.dumps({
    "seconds": seconds,
    "cpu_s": time.process_time() - cpu0,
    "stages": result.seconds,
    "documents": result.documents,
    "triples": result.triples,
    "conforms": result.report.conforms,
    "errors": len(result.errors),
    "cached": result.cached,
    "model_loaded_in_build": not preload and lazy.loaded,
    "peak_rss_mib": pipeline.peak_mib(),  # VmHWM: this process's own, not its parent's
    "peak_by_stage_mib": result.peak_mib,
}))
"""


def read_articles(folder: Path) -> list[Article]:
    articles = [item for item in iter_inputs([folder]) if isinstance(item, Article)]
    return distinct(articles)[0]


def bare_pipe(nlp: Any, texts: list[str]) -> float:
    start = perf_counter()
    for _ in nlp.pipe(texts, batch_size=BATCH_SIZE):
        pass
    return perf_counter() - start


def child_build(
    corpus: Path, out: Path, jobs: int, preload: bool, model: str | None
) -> dict[str, Any]:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            str(corpus),
            str(out),
            str(jobs),
            "1" if preload else "0",
            model or "",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the build failed:\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def averaged(builds: list[dict[str, Any]]) -> dict[str, Any]:
    """Repeated builds as one: times and CPU averaged, the highest peak RSS; every time kept."""
    found = dict(builds[0])
    found["seconds"] = fmean(b["seconds"] for b in builds)
    found["all_seconds"] = [b["seconds"] for b in builds]
    found["cpu_s"] = fmean(b["cpu_s"] for b in builds)
    found["stages"] = {k: fmean(b["stages"][k] for b in builds) for k in found["stages"]}
    found["peak_rss_mib"] = max(b["peak_rss_mib"] for b in builds)
    return found


def change_one(corpus: Path) -> Path:
    """Append a sentence to the first article: the rebuild has one article to parse."""
    first = sorted(corpus.glob("*.txt"))[0]
    first.write_text(
        first.read_text(encoding="utf-8") + "\nThe session closed late.\n", encoding="utf-8"
    )
    return first


def measure(n: int, args: argparse.Namespace, nlp: Any, own: Any) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="newskg-scale-", dir=args.tmp) as tmp:
        root = Path(tmp)
        corpus = root / "corpus"
        generate.write(generate.generate(n, args.seed), corpus)
        articles = read_articles(corpus)
        texts = [a.text for a in articles]
        words = sum(len(t.split()) for t in texts)
        figures: dict[str, Any] = {"docs": len(texts), "words": words}

        # Repeated, interleaved (bare, newskg's, build; bare, ...), and averaged: a slow
        # spell of a shared machine then weighs on the three alike.
        repeat = args.repeat if n <= REPEAT_UP_TO else 1
        bare, own_s, builds = [], [], []
        for run in range(repeat):
            bare.append(bare_pipe(nlp, texts))
            own_s.append(bare_pipe(own, texts))
            out = root / ("out" if run == 0 else "out-again")
            builds.append(child_build(corpus, out, 1, True, args.model))
            if run:
                shutil.rmtree(out)
        figures["bare_s"], figures["bare_all_s"] = fmean(bare), bare
        figures["bare_newskg_s"], figures["bare_newskg_all_s"] = fmean(own_s), own_s
        figures["build"] = averaged(builds)
        for jobs in args.jobs:
            figures[f"jobs_{jobs}"] = child_build(
                corpus, root / f"out-{jobs}", jobs, True, args.model
            )
            same = all(
                filecmp.cmp(root / "out" / f, root / f"out-{jobs}" / f, shallow=False)
                for f in FILES
            )
            figures[f"jobs_{jobs}"]["same_bytes"] = same
            shutil.rmtree(root / f"out-{jobs}")
        if args.incremental:
            change_one(corpus)
            figures["incremental"] = child_build(corpus, root / "out", 1, False, args.model)
        figures["out_mib"] = sum((root / "out" / f).stat().st_size for f in FILES) / (1024 * 1024)
    return figures


def environment(nlp: Any) -> dict[str, Any]:
    meta = nlp.meta
    return {
        "python": platform.python_version(),
        "spacy": version("spacy"),
        "model": f"{meta.get('lang', '')}_{meta.get('name', '')} {meta.get('version', '')}",
        "components": list(nlp.pipe_names),
        "newskg_pipeline": OWN_PIPELINE,
        "newskg": version("newskg"),
        "cores": os.cpu_count(),
        "machine": f"{platform.system()} {platform.machine()}",
    }


def each_run(figures: dict[str, Any]) -> list[str]:
    """The line with every repeated run's time, when there were several."""
    runs = {
        "bare": figures.get("bare_all_s", []),
        "newskg's pipeline": figures.get("bare_newskg_all_s", []),
        "build": figures["build"].get("all_seconds", []),
    }
    if len(runs["bare"]) < 2:
        return []
    listed = (f"{what} " + ", ".join(f"{t:.2f}" for t in ts) + " s" for what, ts in runs.items())
    return ["  each run: " + "; ".join(listed)]


def table(all_figures: dict[str, Any]) -> str:
    env = all_figures["environment"]
    lines = [
        f"newskg scale benchmark, seed {all_figures['seed']}",
        f"Python {env['python']}, spaCy {env['spacy']}, model {env['model']} "
        f"({', '.join(env['components'])}); {env['cores']} cores, {env['machine']}",
        "",
    ]
    # Results from before kg.nlp.selective_ner do not name newskg's pipeline: it then differed
    # from spaCy's by its attribute_ruler alone.
    own_label = env.get("newskg_pipeline", "its exact fast attribute_ruler")
    for f in all_figures["runs"]:
        n, words, b = f["docs"], f["words"], f["build"]
        bare_rate, build_rate = n / f["bare_s"], n / b["seconds"]
        ratio = build_rate / bare_rate
        own_s = f["bare_newskg_s"]
        times = len(f.get("bare_all_s", [0]))  # results from before --repeat have one
        lines += [
            f"== {n:,} articles, {words:,} words =="
            + (f" (times: the mean of {times} interleaved runs)" if times > 1 else ""),
            f"bare nlp.pipe        {f['bare_s']:9.2f} s {bare_rate:8.2f} articles/s "
            f"{words / f['bare_s']:9.0f} words/s  (spaCy's pipeline as shipped)",
            f"  newskg's pipeline  {own_s:9.2f} s {n / own_s:8.2f} articles/s "
            f"{words / own_s:9.0f} words/s  ({own_label})",
            f"build (jobs 1)       {b['seconds']:9.2f} s {build_rate:8.2f} articles/s "
            f"{words / b['seconds']:9.0f} words/s  peak RSS {b['peak_rss_mib']:.0f} MiB"
            f"  cpu {b['cpu_s']:.2f} s",
            "  stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in b["stages"].items()),
            f"  built: {b['documents']} documents, {b['triples']:,} triples, "
            f"conforms {'yes' if b['conforms'] else 'NO'}, files {f['out_mib']:.1f} MiB",
            f"build / bare nlp.pipe throughput  {ratio:.2f}   (bound: >= 0.80 at 1,000)",
            *each_run(f),
            f"build / newskg's own pipeline     {own_s / b['seconds']:.2f}   (the cost of "
            "extraction, resolution, rendering, validation and writing)",
        ]
        for key, value in f.items():
            if key.startswith("jobs_"):
                jobs = key.removeprefix("jobs_")
                same = "yes" if value["same_bytes"] else "NO"
                lines.append(
                    f"build --jobs {jobs}       {value['seconds']:9.2f} s "
                    f"{n / value['seconds']:8.2f} articles/s  speed-up "
                    f"{b['seconds'] / value['seconds']:.2f}x (bound: >= 1.6)  same bytes "
                    f"{same}  peak RSS {value['peak_rss_mib']:.0f} MiB"
                )
        if "incremental" in f:
            inc = f["incremental"]
            share = inc["seconds"] / b["seconds"]
            lines.append(
                f"one article changed  {inc['seconds']:9.2f} s  = {share:.1%} "
                f"of the cold build (bound: <= 5%); reused {inc['cached']}, model loaded "
                f"{'yes' if inc['model_loaded_in_build'] else 'no'}"
            )
        lines.append("")
    runs = {f["docs"]: f for f in all_figures["runs"]}
    if 1000 in runs and 10000 in runs:
        a, b = runs[1000]["build"], runs[10000]["build"]
        lines.append(
            f"10,000 / 1,000 articles: time x{b['seconds'] / a['seconds']:.2f} (bound: <= 11), "
            f"peak RSS {b['peak_rss_mib']:.0f} MiB (bound: <= 2048)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[100, 1000], help="corpus sizes")
    parser.add_argument("--jobs", type=int, nargs="*", default=[2], help="also build with J jobs")
    parser.add_argument("--no-incremental", dest="incremental", action="store_false")
    parser.add_argument("--model", default=None, help="spaCy pipeline (as kg build --model)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help=f"measure bare nlp.pipe and the build R times, interleaved, and average them "
        f"(corpora of up to {REPEAT_UP_TO:,} articles)",
    )
    parser.add_argument("--tmp", default=None, help="folder for the corpora and builds")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    # The ceiling: the model as spaCy ships it (plus newskg's line-break sentence starts);
    # and newskg's own pipeline, what a build runs (OWN_PIPELINE).
    nlp = nlp_module.load(args.model, fast_ruler=False)
    own = nlp_module.load(args.model)
    for pipeline in (nlp, own):
        bare_pipe(pipeline, ["A warm-up sentence. She said it was fine."] * 8)
    figures: dict[str, Any] = {"seed": args.seed, "environment": environment(nlp), "runs": []}
    for n in args.docs:
        figures["runs"].append(measure(n, args, nlp, own))
        print(
            f"[{n} articles done; peak RSS of this process "
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB]",
            file=sys.stderr,
        )
    print(json.dumps(figures, indent=2) if args.json else table(figures))


if __name__ == "__main__":
    main()
