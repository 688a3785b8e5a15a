"""The fuzzer's finds and seeds, kept: every file in tests/fuzz_regressions/ still holds.

``make fuzz`` (``python -m tests.fuzz``) writes each input that broke an invariant there,
named ``ingest-<hash><suffix>`` or ``extract-<hash>.txt``; ``*-seed-*`` files are
hand-made inputs of the same kinds. Ingest cases are read under their own suffix,
extraction cases are built end to end (see tests/fuzz/checks.py for what must hold).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from tests.fuzz.checks import REGRESSIONS, check_extraction, check_ingest

CASES = sorted(p for p in REGRESSIONS.iterdir() if p.name.startswith(("ingest-", "extract-")))


def test_there_are_regression_cases_of_both_kinds() -> None:
    kinds = {p.name.split("-", 1)[0] for p in CASES}
    assert kinds == {"ingest", "extract"}


@pytest.mark.parametrize(
    "case", [p for p in CASES if p.name.startswith("ingest-")], ids=lambda p: p.name
)
def test_ingest_regression(case: Path) -> None:
    check_ingest(case.read_bytes(), case.suffix)


@pytest.mark.parametrize(
    "case", [p for p in CASES if p.name.startswith("extract-")], ids=lambda p: p.name
)
def test_extraction_regression(case: Path, pipeline: Language) -> None:
    check_extraction(case.read_bytes().decode("utf-8"), pipeline)
