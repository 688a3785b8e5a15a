"""``python -m tests.fuzz [--seconds N]``: fuzz ingest and extraction for a set time.

``make fuzz`` runs this (``FUZZ_SECONDS``, default 60); it is not part of ``make test``.
Hypothesis draws inputs (see :mod:`tests.fuzz.checks`) in rounds, new draws each round
and the failures it remembers (``.hypothesis/``) first, until the time is up: half of it
on ingest, half on extraction (the whole pipeline, spaCy included).

A failure is shrunk to a small input, written into ``tests/fuzz_regressions/`` (where
``make test`` keeps checking it, tests/trust/test_fuzz.py) and reported; the exit code is
then 1. Exit code 0 means nothing broke in the time given.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings

from kg import nlp as nlp_module

from .checks import (
    REGRESSIONS,
    check_extraction,
    check_ingest,
    extraction_inputs,
    ingest_inputs,
)

ROUND = 50  # examples per round; the clock is looked at between rounds


def _settings() -> settings:
    return settings(
        max_examples=ROUND,
        deadline=None,
        derandomize=False,
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )


def _save(data: bytes, name: str) -> Path:
    REGRESSIONS.mkdir(parents=True, exist_ok=True)
    path = REGRESSIONS / name
    path.write_bytes(data)
    return path


def fuzz_ingest() -> tuple[Callable[[], None], list[tuple[bytes, str]]]:
    last: list[tuple[bytes, str]] = []

    @_settings()
    @given(ingest_inputs)
    def run(case: tuple[bytes, str]) -> None:
        last[:] = [case]
        check_ingest(*case)

    return run, last


def fuzz_extraction() -> tuple[Callable[[], None], list[str]]:
    nlp = nlp_module.load()
    last: list[str] = []

    @_settings()
    @given(extraction_inputs)
    def run(text: str) -> None:
        last[:] = [text]
        check_extraction(text, nlp)

    return run, last


def _until(deadline: float, run: Callable[[], None]) -> int:
    rounds = 0
    while time.monotonic() < deadline:
        run()
        rounds += 1
    return rounds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    default = float(os.environ.get("FUZZ_SECONDS", "60"))
    parser.add_argument("--seconds", type=float, default=default, help="time to fuzz (60)")
    args = parser.parse_args(argv)
    half = args.seconds / 2
    ingest, last_case = fuzz_ingest()
    try:
        rounds = _until(time.monotonic() + half, ingest)
        print(f"ingest:     {rounds * ROUND} inputs, nothing broke", file=sys.stderr)
    except Exception:
        traceback.print_exc()
        data, suffix = last_case[0]
        name = (
            f"ingest-{hashlib.sha256(data + suffix.encode()).hexdigest()[:12]}{suffix or '.none'}"
        )
        print(f"fuzz: ingest broke; the input is {_save(data, name)}", file=sys.stderr)
        return 1
    extraction, last_text = fuzz_extraction()
    try:
        rounds = _until(time.monotonic() + half, extraction)
        print(f"extraction: {rounds * ROUND} inputs, nothing broke", file=sys.stderr)
    except Exception:
        traceback.print_exc()
        data = last_text[0].encode("utf-8")
        name = f"extract-{hashlib.sha256(data).hexdigest()[:12]}.txt"
        print(f"fuzz: extraction broke; the input is {_save(data, name)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
