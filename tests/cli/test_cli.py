"""The kg command end to end: outputs, determinism, bad input, validation, help."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from kg.cli import main
from kg.graph.vocab import OA
from kg.ingest import iter_inputs
from kg.model import Article
from tests.conftest import EXAMPLES, ROOT

FILES = ("graph.ttl", "graph.jsonld", "graph.trig", "graph.nq", "validation.ttl", "people.json")


def kg(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    code, _, err = kg("build", str(EXAMPLES), "-o", str(out))
    assert code == 0, err
    return out


def _dataset(path: Path, fmt: str) -> Dataset:
    ds = Dataset()
    ds.parse(path, format=fmt)
    return ds


def _triples(ds: Dataset) -> Graph:
    g = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def test_build_writes_the_six_files(built: Path) -> None:
    # ... and the build cache, a hidden folder (kg build --cache moves it, --no-cache drops
    # it), and the hidden marker that keeps a later build from reading the folder as input.
    assert sorted(p.name for p in built.iterdir()) == sorted([*FILES, ".cache", ".kg-output"])
    assert (built / ".cache").is_dir()


def test_summary_counts_on_stderr(tmp_path: Path) -> None:
    code, out, err = kg("build", str(EXAMPLES / "05-wire.jsonl"), "-o", str(tmp_path))
    assert code == 0
    assert out == ""
    assert "documents      1" in err and "conforms       yes" in err


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_all_formats_hold_the_same_triples(built: Path) -> None:
    turtle = Graph().parse(built / "graph.ttl", format="turtle")
    for name, fmt in (("graph.trig", "trig"), ("graph.nq", "nquads"), ("graph.jsonld", "json-ld")):
        assert isomorphic(_triples(_dataset(built / name, fmt)), turtle), name
    for name, fmt in (
        ("graph.ttl", pyoxigraph.RdfFormat.TURTLE),
        ("graph.trig", pyoxigraph.RdfFormat.TRIG),
        ("graph.nq", pyoxigraph.RdfFormat.N_QUADS),
        ("graph.jsonld", pyoxigraph.RdfFormat.JSON_LD),
    ):
        triples = {
            (q.subject, q.predicate, q.object)
            for q in pyoxigraph.parse(path=built / name, format=fmt)
        }
        assert len(triples) == len(turtle), name


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_one_named_graph_per_document(built: Path) -> None:
    ds = _dataset(built / "graph.trig", "trig")
    names = {g.identifier for g in ds.graphs() if len(g) and isinstance(g.identifier, URIRef)}
    documents = [a for a in iter_inputs([EXAMPLES]) if isinstance(a, Article)]
    assert len(names - {URIRef("urn:x-rdflib:default")}) == len(documents)


def test_every_evidence_quotes_its_offsets(built: Path) -> None:
    texts = {a.sha256[:16]: a.text for a in iter_inputs([EXAMPLES]) if isinstance(a, Article)}
    g = Graph().parse(built / "graph.ttl", format="turtle")
    checked = 0
    for evidence, source in g.subject_objects(OA.hasSource):
        selectors = list(g.objects(evidence, OA.hasSelector))
        start = next(
            int(g.value(s, OA.start)) for s in selectors if g.value(s, OA.start) is not None
        )
        end = next(int(g.value(s, OA.end)) for s in selectors if g.value(s, OA.end) is not None)
        exact = next(
            str(g.value(s, OA.exact)) for s in selectors if g.value(s, OA.exact) is not None
        )
        assert texts[str(source).rsplit("/", 1)[1]][start:end] == exact
        checked += 1
    assert checked > 20


def test_jsonld_embeds_its_context(built: Path) -> None:
    data = json.loads((built / "graph.jsonld").read_text(encoding="utf-8"))
    context = data["@context"]
    assert isinstance(context, dict)  # inline, never a URL to fetch
    assert "@import" not in json.dumps(context)
    assert context["schema"] == "http://schema.org/"


def test_builds_are_byte_identical_whatever_the_input_order(tmp_path: Path) -> None:
    inputs = sorted(str(p) for p in EXAMPLES.iterdir())
    first, second = tmp_path / "a", tmp_path / "b"
    assert kg("build", *inputs, "-o", str(first))[0] == 0
    assert kg("build", *reversed(inputs), "-o", str(second))[0] == 0
    for name in FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


BAD = [
    ("missing.txt", None, "no such file"),
    ("empty.txt", b"", "empty"),
    ("binary.txt", b"\x00\x01\x02binary", "binary"),
    ("broken.jsonl", b'{"id": "a", "text": "Fine text."}\n{not json\n', "broken.jsonl:2"),
    ("notes.pdf", b"%PDF-1.4", "unsupported"),
]


@pytest.mark.parametrize(("name", "content", "says"), BAD)
def test_bad_input_is_one_line_and_the_rest_is_built(
    name: str, content: bytes | None, says: str, tmp_path: Path
) -> None:
    good = tmp_path / "good.txt"
    shutil.copy(EXAMPLES / "01-press-freedom-conference.txt", good)
    bad = tmp_path / name
    if content is not None:
        bad.write_bytes(content)
    out = tmp_path / "out"
    code, _, err = kg("build", str(good), str(bad), "-o", str(out))
    assert code == 2
    problems = [line for line in err.splitlines() if line.startswith("kg: ")]
    assert len(problems) == 1
    assert name in problems[0] and says in problems[0]
    assert "documents      " in err
    graph = Graph().parse(out / "graph.ttl", format="turtle")
    assert len(graph) > 50


def test_validate_accepts_a_build(built: Path) -> None:
    code, out, _ = kg("validate", str(built / "graph.ttl"), str(built / "graph.jsonld"))
    assert code == 0
    assert "conforms" in out


def test_validate_rejects_a_nonconforming_graph() -> None:
    fixture = next((ROOT / "tests" / "validate" / "shapes" / "nonconforming").glob("*.ttl"))
    code, out, _ = kg("validate", str(fixture))
    assert code == 1
    assert "does not conform" in out


def test_validate_unreadable_file_is_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("this is not turtle <<<", encoding="utf-8")
    code, _, err = kg("validate", str(broken))
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "broken.ttl" in err


def test_unknown_model_is_exit_2(tmp_path: Path) -> None:
    code, _, err = kg("build", str(EXAMPLES), "-o", str(tmp_path), "--model", "no_such_model")
    assert code == 2 and "no_such_model" in err and len(err.strip().splitlines()) == 1


def test_bad_base_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = kg("build", str(EXAMPLES), "-o", str(tmp_path), "--base", "not an iri")
    assert code == 2 and "--base" in err


@pytest.mark.parametrize("command", [[], ["build"], ["validate"]])
def test_every_command_has_help(command: list[str]) -> None:
    code, out, _ = kg(*command, "--help")
    assert code == 0 and "Usage:" in out
