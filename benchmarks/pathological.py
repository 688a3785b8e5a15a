"""Pathological texts at two sizes: does every stage of a build stay linear in the text?

Each input kind is built alone (one article, `kg.build.build` with no cache and no output
folder) at a size and at twice that size, each in a fresh child process that loads the
model before the clock starts, capped at --cap seconds. The table shows the seconds, the
ratio to the half size (linear: about 2; the bound is 2.2), the stages that took most, and
the child's peak RSS (the model included).

    ../.venv/bin/python pathological.py                          # 500,000 and 1,000,000 chars
    ../.venv/bin/python pathological.py --sizes 25000 50000 --cap 120
    ../.venv/bin/python pathological.py --kinds quotes-straight names --profile   # cProfile
    ../.venv/bin/python pathological.py --kinds jsonl-10mb --sizes 10000000     # a 10 MB text
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

_CAPITALS = [
    *("Alder", "Birch", "Cedar", "Dunmore", "Elmswick", "Farrow", "Glenn", "Hollis"),
    *("Ingram", "Jarvik", "Kessel", "Lund", "Marrow", "Nettle", "Orwin", "Pask"),
    *("Quill", "Rowan", "Selby", "Thorne", "Ulric", "Vance", "Wrey", "Yarrow", "Zell"),
]


def _fill(unit: str, size: int) -> str:
    """``unit`` repeated to ``size`` characters."""
    return (unit * (size // len(unit) + 1))[:size]


def _capitalised(size: int) -> str:
    words = [f"{a}{b.lower()}" for a in _CAPITALS for b in _CAPITALS]
    return _fill(" ".join(words) + " ", size)


KINDS: dict[str, Callable[[int], str]] = {
    "quotes-straight": lambda n: _fill('Anna Berg said "we will not ', n),
    "quotes-only": lambda n: _fill('"', n),
    "quotes-curly": lambda n: _fill("Anna Berg said “we will not ’s ", n),
    "bangs": lambda n: "Stop" + _fill("!", n - 4),
    "dots": lambda n: "Wait" + _fill(".", n - 4),
    "dashes": lambda n: "Line" + _fill("-", n - 4),
    "apostrophes": lambda n: "Quote" + _fill("'", n - 5),
    "short-sentences": lambda n: _fill("He left. ", n),
    "no-punctuation": lambda n: _fill("the man walked to the house and the dog ran ", n),
    "names": lambda n: _fill("Anna Berg, ", n),
    "said": lambda n: _fill("said ", n),
    "parentheses": lambda n: _fill("(", n // 2) + _fill(")", n - n // 2),
    "digits": lambda n: _fill("1234567890", n),
    "capitalised": _capitalised,
    "one-char-paragraphs": lambda n: _fill("a\n\n", n),
    "news": lambda n: _fill(
        "Anna Berg, MEP from Sweden, said that the Council must act. “We will not wait,” "
        "she said. Piotr Nowak, Vice-Chair of the Committee on Foreign Affairs, urged the "
        "Commission to respond.\n\n",
        n,
    ),
}
CHILD_KINDS = {**KINDS, "jsonl-10mb": KINDS["news"]}


def _peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(kind: str, size: int, profile: bool) -> dict[str, object]:
    """Build one article of ``kind`` and ``size`` here; the figures as a dict."""
    from kg import nlp as nlp_module
    from kg.build import build
    from kg.model import Article

    nlp = nlp_module.load()
    nlp("Warm up the pipeline. Anna Berg said so.")
    text = CHILD_KINDS[kind](size)
    inputs: list[Path | Article] = [Article(f"{kind}-{size}", text)]
    if kind == "jsonl-10mb":
        # A JSONL record of ``size`` characters beside a good file, read from disk.
        folder = Path(tempfile.mkdtemp(prefix="kg-pathological-"))
        record = {"id": "long", "text": text}
        (folder / "long.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
        (folder / "good.txt").write_text(KINDS["news"](3000), encoding="utf-8")
        inputs = [folder]
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    done = build(inputs, nlp, None, "https://w3id.org/newskg/id/", use_cache=False)
    for given in inputs:
        if isinstance(given, Path):
            shutil.rmtree(given)  # the folder written above
    if profiler is not None:
        profiler.disable()
    seconds = time.perf_counter() - start
    result: dict[str, object] = {
        "seconds": seconds,
        "peak_mib": _peak_mib(),
        "stages": done.seconds,
        "errors": [str(e) for e in done.errors],
        "documents": done.documents,
    }
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
        result["profile"] = out.getvalue()
    return result


def run(kind: str, size: int, cap: float, profile: bool) -> dict[str, object] | None:
    """One measurement in a fresh child, or None when it passed ``cap`` seconds."""
    command = [sys.executable, __file__, "--child", kind, str(size)]
    if profile:
        command.append("--profile")
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=cap + 30)
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        return {"failed": done.stderr.strip().splitlines()[-1:] or ["?"]}
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    if float(result["seconds"]) > cap:  # type: ignore[arg-type]
        return None
    return result


def _row(kind: str, size: int, result: dict[str, object] | None, half: float | None) -> str:
    if result is None:
        return f"{kind:20} {size:>10,} {'> cap':>9} {'':>6}"
    if "failed" in result:
        return f"{kind:20} {size:>10,} {'failed':>9} {'':>6}  {result['failed']}"
    seconds = float(result["seconds"])  # type: ignore[arg-type]
    ratio = f"{seconds / half:6.2f}" if half else f"{'':>6}"
    stages = result["stages"]
    assert isinstance(stages, dict)
    top = ", ".join(f"{k} {v:.1f}" for k, v in sorted(stages.items(), key=lambda kv: -kv[1])[:2])
    errors = f"  errors: {result['errors']}" if result["errors"] else ""
    return (
        f"{kind:20} {size:>10,} {seconds:9.2f} {ratio}  {float(result['peak_mib']):8.0f}"  # type: ignore[arg-type]
        f"  ({top}){errors}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, metavar=("KIND", "SIZE"), help=argparse.SUPPRESS)
    parser.add_argument("--sizes", nargs="+", type=int, default=[500_000, 1_000_000])
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=list(CHILD_KINDS))
    parser.add_argument("--cap", type=float, default=120.0, help="seconds a run may take")
    parser.add_argument("--profile", action="store_true", help="print each run's cProfile")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]), args.profile)))
        return
    print(f"{'input kind':20} {'chars':>10} {'seconds':>9} {'ratio':>6}  {'peak MiB':>8}")
    for kind in args.kinds:
        half: float | None = None
        for size in args.sizes:
            result = run(kind, size, args.cap, args.profile)
            print(_row(kind, size, result, half), flush=True)
            if result is not None and args.profile and "profile" in result:
                print(result["profile"])
            half = float(result["seconds"]) if result and "seconds" in result else None  # type: ignore[arg-type]
            if result is None:
                break  # twice the size would only take longer


if __name__ == "__main__":
    main()
