"""A record whose url carries user info and a bad port: the build stays readable."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph
from click.testing import CliRunner

from kg.cli import main
from tests.conftest import EXAMPLES

FILES = ("graph.ttl", "graph.jsonld", "graph.trig", "graph.nq", "validation.ttl", "people.json")


def kg(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_user_info_is_dropped_and_the_build_reads_back(tmp_path: Path) -> None:
    wire = tmp_path / "wire.jsonl"
    records = (EXAMPLES / "05-wire.jsonl").read_text().splitlines()
    bad = json.loads(records[0])
    bad["id"], bad["url"] = "leaky", "https://user@host.org:secret@www.site.com/article/"
    bad["text"] = bad["text"].replace("said", "said on Friday", 1)
    worse = {"id": "unfixable", "url": "https://www.site.com:secret/x", "text": "It rained."}
    wire.write_text("\n".join([*records, json.dumps(bad), json.dumps(worse)]) + "\n")
    out = tmp_path / "out"
    code, _, err = kg("build", str(wire), "-o", str(out))
    assert code == 0, err
    assert "conforms       yes" in err
    notes = [line for line in err.splitlines() if line.startswith("kg: ")]
    assert len(notes) == 2, err
    assert "'leaky'" in notes[0] and "user info" in notes[0], notes
    assert "'unfixable'" in notes[1] and "left out" in notes[1], notes
    assert "documents      " in err and "secret" not in err
    for name in FILES:
        text = (out / name).read_text()
        assert "user@" not in text and "secret" not in text, name
    assert "https://www.site.com/article/" in (out / "graph.ttl").read_text()
    for name, fmt in (("graph.nq", "nq"), ("graph.ttl", "ttl"), ("graph.trig", "trig")):
        list(
            pyoxigraph.parse(path=str(out / name), format=pyoxigraph.RdfFormat.from_extension(fmt))
        )
    query = "SELECT (COUNT(*) AS ?n) { ?s <http://schema.org/url> ?u }"
    code, stdout, err = kg("query", query, "--data", str(out), "--format", "csv")
    assert code == 0, err
    assert stdout.split() == ["n", str(len(records) + 1)]
