"""Issue 15 row 2 end to end: a JSONL record over 1,000,000 characters beside a good file.

Before: spaCy's E088 traceback, exit 1, nothing built. Now both are built, the long one in
pieces, and every evidence of the long one quotes its whole text exactly.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from rdflib import Graph

from kg.cli import main
from kg.graph.vocab import DCTERMS, OA
from tests.conftest import EXAMPLES
from tests.trust.test_hostile import quoted_span

CONFERENCE = (EXAMPLES / "01-press-freedom-conference.txt").read_text(encoding="utf-8")
# Beyond spaCy's 1,000,000 characters, and quick to parse: one ruled line repeated.
FILLER = "\n\n" + ("-" * 79 + "\n") * 12_700


def test_a_record_over_a_million_characters_is_built_beside_a_good_file(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "good.txt").write_text(
        (EXAMPLES / "02-live-report-sanctions-hearing.txt").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    long = CONFERENCE + FILLER
    record = {"id": "long", "text": long}
    (inputs / "long.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    done = CliRunner().invoke(main, ["build", str(inputs), "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert "documents      2" in done.stderr
    graph = Graph().parse(out / "graph.ttl")
    evidences = list(graph.subjects(OA.hasSource, None))
    assert evidences
    checked = 0
    for evidence in evidences:
        source = graph.value(evidence, OA.hasSource)
        start, end, exact = quoted_span(graph, evidence)
        if str(graph.value(source, DCTERMS.identifier)) == "long":
            assert long[start:end] == exact
            checked += 1
    assert checked > 0
