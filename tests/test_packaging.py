"""The wheel carries the ontology, the shapes, the context, the gazetteers and the queries."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT

NEEDED = {
    "kg/ontology/kg.ttl",
    "kg/ontology/context.jsonld",
    "kg/shapes/kg.ttl",
    "kg/gazetteers/countries.tsv",
    "kg/gazetteers/institutions.tsv",
    "kg/gazetteers/titles.tsv",
    "kg/gazetteers/reporting_verbs.tsv",
    "kg/py.typed",
}
# The shipped competency queries (kg query NAME), every one of them.
QUERIES = {f"kg/queries/{path.name}" for path in (ROOT / "queries").glob("*.rq")}


@pytest.mark.filterwarnings("ignore")
def test_wheel_ships_data_files(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("newskg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert names >= NEEDED
    assert len(QUERIES) >= 8 and names >= QUERIES
    assert any(n.endswith("entry_points.txt") for n in names)
