"""Ctrl-C stops any command at once: exit 130, one line, nothing half-written, nothing lost.

Each command runs as a real process in its own process group, and gets SIGINT as a
terminal sends it: to the whole group (so a build's worker processes get it too). A build
is interrupted once its cache holds its first documents (watched from outside, through
SQLite, as another build would read it): the previous build's outputs are as they were,
no temporary file or lock is left, the documents done before the interrupt are in the
cache, and the next build takes them from there.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg import nlp
from kg.build import build
from kg.build.outdir import LOCK_FILE, leftovers
from kg.graph.iri import DEFAULT_BASE
from tests.conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGINT to a process group")

OUTPUTS = ("graph.ttl", "graph.jsonld", "graph.trig", "graph.nq", "validation.ttl", "people.json")
ARTICLES = 100  # four batches of nlp.pipe: interrupted after the first
EXIT_INTERRUPTED = 130


def kg(*args: str) -> subprocess.Popen[str]:
    """``kg ARGS`` as its own process group, as a shell runs a command."""
    return subprocess.Popen(
        [sys.executable, "-m", "kg", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        start_new_session=True,
    )


def interrupt(run: subprocess.Popen[str]) -> tuple[int, str, float]:
    """Ctrl-C: SIGINT to the group. The exit code, stderr, and the seconds it took to end."""
    os.killpg(run.pid, signal.SIGINT)
    sent = time.monotonic()
    try:
        _, err = run.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(run.pid, signal.SIGKILL)
        run.communicate()
        pytest.fail("still running 60 s after Ctrl-C")
    return run.returncode, err, time.monotonic() - sent


def one_line(err: str) -> str:
    """The one ``kg:`` line of stderr; nothing else said (no traceback, no "Aborted!")."""
    assert "Traceback" not in err and "Aborted" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("kg: interrupted"), err
    return lines[0]


def extractions(cache: Path) -> int:
    """The documents the cache holds extracted now, as a concurrent reader sees them: a
    document's names are stored after its extraction, so they mark it done."""
    with (
        contextlib.suppress(sqlite3.Error),
        contextlib.closing(sqlite3.connect(f"file:{cache}?mode=ro", uri=True, timeout=1)) as db,
    ):
        return int(db.execute("SELECT count(*) FROM entries WHERE kind = 'names'").fetchone()[0])
    return 0


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    script = ROOT / "benchmarks" / "generate.py"
    command = [sys.executable, str(script), str(ARTICLES), str(folder)]
    subprocess.run(command, check=True, capture_output=True)
    return folder


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_during_a_build_keeps_the_cached_work(
    corpus: Path, tmp_path: Path, jobs: str
) -> None:
    out = tmp_path / "out"
    previous = kg("build", str(EXAMPLES), "-o", str(out))
    assert previous.wait(timeout=300) == 0, previous.communicate()
    previous.communicate()
    before = {name: (out / name).read_bytes() for name in OUTPUTS}
    cache = out / ".cache" / "cache.sqlite"
    known = extractions(cache)

    run = kg("build", str(corpus), "-o", str(out), "-j", jobs)
    deadline = time.monotonic() + 240
    while extractions(cache) < known + 4:  # the first documents are done and cached
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline, "no document cached in four minutes"
        time.sleep(0.05)
    code, err, seconds = interrupt(run)

    assert code == EXIT_INTERRUPTED, err
    line = one_line(err)
    assert "kept in the build cache" in line and str(out / ".cache") in line
    assert seconds < 10, f"{seconds:.1f} s from Ctrl-C to exit"
    assert {name: (out / name).read_bytes() for name in OUTPUTS} == before
    assert leftovers(out) == [] and not (out / LOCK_FILE).exists()
    done = extractions(cache) - known
    assert 4 <= done < ARTICLES

    # The next build (as kg build keys its cache) parses only what was not done.
    rerun = build([corpus], nlp.Model(None), out, DEFAULT_BASE)
    assert rerun.cached["extractions"] >= done
    assert rerun.documents == ARTICLES and not rerun.errors


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build folder whose graph.ttl takes seconds to read: 600,000 triples."""
    folder = tmp_path_factory.mktemp("large")
    lines = [
        "@prefix kg: <https://w3id.org/newskg/ontology#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
    ]
    for n in range(200_000):
        lines.append(
            f'<https://w3id.org/newskg/id/person/p{n}> a kg:Person ; skos:prefLabel "P {n}" ; '
            f"kg:mentionedIn <https://w3id.org/newskg/id/document/d{n % 97}> ."
        )
    (folder / "graph.ttl").write_text("\n".join(lines) + "\n", "utf-8")
    return folder


@pytest.mark.parametrize("command", ["validate", "view"])
def test_ctrl_c_stops_a_long_command_at_once(large: Path, command: str) -> None:
    page = large / "page.html"
    args = [str(large / "graph.ttl")] if command == "validate" else [str(large), "-o", str(page)]
    run = kg(command, *args)
    time.sleep(2)  # past the imports, into reading the graph
    assert run.poll() is None, run.communicate()
    code, err, seconds = interrupt(run)
    assert code == EXIT_INTERRUPTED, err
    one_line(err)
    assert seconds < 5, f"{seconds:.1f} s from Ctrl-C to exit"
    assert not page.exists()
