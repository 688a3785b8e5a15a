"""kg stats: the figures of a build, checked against rdflib counts of graph.ttl."""

from __future__ import annotations

import json
import shutil
import statistics
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg.cli import main
from kg.graph.vocab import DCTERMS, KG, RDF, SKOS
from kg.validate import validate
from kg.write import syntax as export


def kg(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _graph(folder: Path) -> Graph:
    return Graph().parse(folder / "graph.ttl", format="turtle")


def test_json_figures_match_an_independent_count(examples_out: Path) -> None:
    code, out, err = kg("stats", str(examples_out), "--json")
    assert code == 0, err
    figures = json.loads(out)
    g = _graph(examples_out)
    # Nodes per class: the same as rdflib counts them.
    classes = {o for o in g.objects(None, RDF.type) if str(o).startswith(str(KG))}
    expected = {str(c).replace(str(KG), "kg:"): len(set(g.subjects(RDF.type, c))) for c in classes}
    assert {k: v for k, v in figures["classes"].items() if k.startswith("kg:")} == expected
    assert figures["classes"]["kg:SourceDocument"] == 5  # the five files in examples/
    # Speakers: Katarina Holmberg states ten positions in the articles, more than anyone.
    top = figures["top_speakers"]
    assert top[0] == {"name": "Katarina Holmberg", "count": 10}
    assert len(top) == 10
    assert [s["count"] for s in top] == sorted((s["count"] for s in top), reverse=True)
    # Positions per document.
    per_doc = Counter(
        str(g.value(g.value(p, KG.appearsIn), DCTERMS.identifier))
        for p in g.subjects(RDF.type, KG.StatedPosition)
    )
    counts = [
        per_doc.get(str(g.value(d, DCTERMS.identifier)), 0)
        for d in g.subjects(RDF.type, KG.SourceDocument)
    ]
    stats = figures["positions_per_document"]
    assert stats["documents"] == 5
    assert (stats["min"], stats["median"], stats["max"]) == (
        min(counts),
        statistics.median(counts),
        max(counts),
    )
    assert stats["top"][0] == {"name": per_doc.most_common(1)[0][0], "count": max(counts)}
    assert figures["validation"] == {"conforms": True, "results": 0}


def test_text_output(examples_out: Path) -> None:
    code, out, _ = kg("stats", str(examples_out))
    assert code == 0
    assert "nodes per class" in out
    assert "  kg:StatedPosition" in out
    assert "Katarina Holmberg" in out
    assert "positions per document (5 documents): min " in out
    assert "validation     conforms (0 results)" in out


def test_a_graph_that_does_not_conform(examples_out: Path, tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    g = _graph(examples_out)
    # Two people lose their one required skos:prefLabel.
    people = sorted(g.subjects(RDF.type, KG.Person))[:2]
    for person in people:
        g.remove((person, SKOS.prefLabel, None))
    (folder / "graph.ttl").write_bytes(export.turtle(g))
    report = validate(g)
    assert not report.conforms
    (folder / "validation.ttl").write_bytes(export.turtle(report.graph))
    code, out, _ = kg("stats", str(folder))
    assert code == 1
    assert f"validation     does NOT conform ({len(report.results)} results)" in out
    assert len(report.results) >= 2


def test_no_validation_report_and_missing_build(examples_out: Path, tmp_path: Path) -> None:
    folder = tmp_path / "graph-only"
    folder.mkdir()
    shutil.copy(examples_out / "graph.nq", folder / "graph.nq")
    code, out, _ = kg("stats", str(folder), "--json")
    assert code == 0 and json.loads(out)["validation"] is None
    code, _, err = kg("stats", str(tmp_path / "nowhere"))
    assert code == 2 and err.count("\n") == 1 and "kg build" in err


def test_default_folder_is_out(
    examples_out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(examples_out, tmp_path / "out")
    monkeypatch.chdir(tmp_path)
    code, out, _ = kg("stats")
    assert code == 0 and "build          out" in out
