"""Golden graphs: each tests/cases/<name>/article.txt must give exactly expected.ttl.

Compared by isomorphism; a failure prints the triples only one side has. Run pytest with
``--update-golden`` to rewrite the expected graphs after an intended change (and read
the diff before committing it).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, to_isomorphic
from spacy.language import Language

from kg import build as kg_pipeline
from kg.graph.iri import DEFAULT_BASE
from kg.write import syntax as export

CASES = sorted((Path(__file__).parent / "cases").glob("*/article.txt"))


def _lines(graph: Graph) -> str:
    return "\n".join(sorted(f"  {s.n3()} {p.n3()} {o.n3()}" for s, p, o in graph))


@pytest.mark.parametrize("article", CASES, ids=[c.parent.name for c in CASES])
def test_golden(article: Path, pipeline: Language, request: pytest.FixtureRequest) -> None:
    result = pipeline_build(article, pipeline)
    got = Graph()
    for graph in result.graphs.values():
        got += graph
    assert result.report.conforms, result.report.summary()
    expected_path = article.parent / "expected.ttl"
    if request.config.getoption("--update-golden"):
        expected_path.write_bytes(export.turtle(got))
    expected = Graph().parse(expected_path, format="turtle")
    if to_isomorphic(got) != to_isomorphic(expected):
        _, only_got, only_expected = graph_diff(to_isomorphic(got), to_isomorphic(expected))
        pytest.fail(
            f"{article.parent.name}: the graph differs from expected.ttl\n"
            f"only in the build:\n{_lines(only_got)}\n"
            f"only in expected.ttl:\n{_lines(only_expected)}"
        )


def pipeline_build(article: Path, nlp: Language) -> kg_pipeline.Build:
    return kg_pipeline.build([article], nlp, None, DEFAULT_BASE)
