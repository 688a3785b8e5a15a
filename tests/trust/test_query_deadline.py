"""A local query that never ends is stopped: by Ctrl-C within a second, or by ``--timeout``.

The queries are cartesian products over the examples build (2,800 triples: three
patterns make 2 * 10^10 rows), which pyoxigraph would compute for hours. They run in a
child ``kg`` process, as a user runs them, so the test sees the signal handling and exit
of the real command.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COUNT_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ROWS_PRODUCT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def start(*args: str, stdout: int | None = subprocess.DEVNULL) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kg", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_ctrl_c_stops_a_cartesian_query_within_a_second(examples_out: Path) -> None:
    for query, fmt in ((COUNT_PRODUCT, "table"), (ROWS_PRODUCT, "csv")):
        child = start("query", query, "--data", str(examples_out), "--format", fmt)
        time.sleep(3.0)  # started, the build loaded, the query running
        assert child.poll() is None
        child.send_signal(signal.SIGINT)
        sent = time.monotonic()
        try:
            child.communicate(timeout=10)
        finally:
            child.kill()
            child.communicate()
        assert time.monotonic() - sent < 2.0
        assert child.returncode != 0


def test_timeout_bounds_a_local_query(examples_out: Path, tmp_path: Path) -> None:
    for query, fmt in ((COUNT_PRODUCT, "table"), (ROWS_PRODUCT, "csv")):
        with (tmp_path / "out.csv").open("w") as out:
            child = start(
                "query", query, "--data", str(examples_out), "--format", fmt, "--timeout", "2",
                stdout=out.fileno(),
            )  # fmt: skip
            started = time.monotonic()
            try:
                _, err = child.communicate(timeout=30)
            finally:
                child.kill()
                child.communicate()
        took = time.monotonic() - started
        assert child.returncode == 2, err
        assert len(err.strip().splitlines()) == 1 and "--timeout" in err, err
        assert took < 8, took
