"""The wheel carries every module, the ontology, shapes, context, gazetteers, queries and page."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

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
# Every module of every subpackage, and the page kg view inlines.
MODULES = {p.relative_to(ROOT).as_posix() for p in (ROOT / "kg").rglob("*.py")}
VIEW_ASSETS = {f"kg/view/assets/{p.name}" for p in (ROOT / "kg" / "view" / "assets").iterdir()}


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
    assert "kg/build/work.py" in MODULES and names >= MODULES
    assert "kg/view/assets/cytoscape.min.js" in VIEW_ASSETS and names >= VIEW_ASSETS
    assert any(n.endswith("entry_points.txt") for n in names)
