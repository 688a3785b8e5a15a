"""A build at scale: processes, the build cache, spilled runs; always the same bytes."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from weakref import WeakKeyDictionary

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import URIRef
from spacy.language import Language

from kg import resources
from kg.build import build, work
from kg.build import executors as parallel
from kg.build.codec import decode_extraction, decode_parts, encode_extraction, encode_parts
from kg.graph import document_triples
from kg.graph.iri import DEFAULT_BASE, Minter
from kg.model import Article
from kg.validate import engine, report
from kg.write.assemble import FILES, Assembler
from kg.write.jsonld import JsonLdContext
from kg.write.render import render
from kg.write.syntax import dump_json, turtle
from tests.conftest import EXAMPLES

CHANGED = "01-press-freedom-conference.txt"


def files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in FILES}


@pytest.fixture(scope="module")
def cold(pipeline: Language, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/ built in one process with no cache: the reference bytes."""
    out = tmp_path_factory.mktemp("cold")
    result = build([EXAMPLES], pipeline, out, DEFAULT_BASE, use_cache=False)
    assert result.report.conforms and not result.errors
    assert not (out / ".cache").exists()
    return out


def test_two_processes_write_the_same_bytes(pipeline: Language, cold: Path, tmp_path: Path) -> None:
    result = build([EXAMPLES], pipeline, tmp_path, DEFAULT_BASE, jobs=2, use_cache=False)
    assert result.documents == 5
    assert files(tmp_path) == files(cold)


def test_kg_build_jobs_2_writes_the_same_bytes(cold: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import main

    done = CliRunner().invoke(main, ["build", str(EXAMPLES), "-o", str(tmp_path), "--jobs", "2"])
    assert done.exit_code == 0, done.stderr
    assert files(tmp_path) == files(cold)
    assert "positions      66" in done.stderr


def _copy_examples(folder: Path) -> Path:
    shutil.copytree(EXAMPLES, folder)
    return folder


def test_only_a_pipelines_first_articles_leave_their_strings_behind(
    pipeline: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first WARM articles are parsed outside a memory zone (spaCy's tokenizer caches
    only there); every later one inside one, which frees the strings it added."""
    monkeypatch.setattr(work, "WARM", 2)
    monkeypatch.setattr(work, "_parsed", WeakKeyDictionary())
    articles = [Article(f"{i}.txt", f"Qorvanek{i} Brandt said the plan works.") for i in range(3)]
    local = parallel.Local(lambda: pipeline)
    try:
        found = list(local.map(work.Extract(), articles, 1))  # a batch, and a zone, each
    finally:
        local.close()
    assert [w in pipeline.vocab.strings for w in ("Qorvanek0", "Qorvanek1", "Qorvanek2")] == [
        True,
        True,
        False,
    ]
    later = work.extract_batch(pipeline, articles[2:])
    assert "Qorvanek2" not in pipeline.vocab.strings
    monkeypatch.setattr(work, "_parsed", WeakKeyDictionary())
    # Parsed outside a zone this time (a pipeline's first article): the same extraction.
    assert work.extract_batch(pipeline, articles[2:]) == later == found[2:]
    assert "Qorvanek2" in pipeline.vocab.strings


def test_a_rebuild_parses_only_the_changed_article(pipeline: Language, tmp_path: Path) -> None:
    inputs = _copy_examples(tmp_path / "in")
    out = tmp_path / "out"
    first = build([inputs], pipeline, out, DEFAULT_BASE)
    assert first.cached == {"extractions": 0, "parts": 0}

    again = build([inputs], pipeline, out, DEFAULT_BASE)
    assert again.cached == {"extractions": 5, "parts": 5}
    assert again.report.conforms
    before = files(out)

    article = inputs / CHANGED
    article.write_text(article.read_text("utf-8") + "\nThe talks ended late.\n", "utf-8")
    changed = build([inputs], pipeline, out, DEFAULT_BASE)
    assert changed.cached["extractions"] == 4
    assert changed.cached["parts"] >= 1  # the other articles' parts, unless a label moved
    # The same bytes as a build of the changed inputs from nothing.
    fresh = tmp_path / "fresh"
    build([inputs], pipeline, fresh, DEFAULT_BASE, use_cache=False)
    assert files(out) == files(fresh)
    assert files(out) != before  # the change shows


def test_the_cache_follows_the_options(pipeline: Language, tmp_path: Path) -> None:
    elsewhere = tmp_path / "cache"
    result = build([EXAMPLES], pipeline, tmp_path / "out", DEFAULT_BASE, cache=elsewhere)
    assert (elsewhere / "cache.sqlite").is_file()
    assert not (tmp_path / "out" / ".cache").exists()
    again = build([EXAMPLES], pipeline, tmp_path / "out2", DEFAULT_BASE, cache=elsewhere)
    assert again.cached == {"extractions": 5, "parts": 5}
    assert files(tmp_path / "out") == files(tmp_path / "out2")
    assert result.documents == again.documents


def test_a_damaged_cache_is_rebuilt(pipeline: Language, cold: Path, tmp_path: Path) -> None:
    cache = tmp_path / "out" / ".cache"
    cache.mkdir(parents=True)
    (cache / "cache.sqlite").write_bytes(b"this is not a database" * 100)
    result = build([EXAMPLES], pipeline, tmp_path / "out", DEFAULT_BASE)
    assert result.cached == {"extractions": 0, "parts": 0}
    assert files(tmp_path / "out") == files(cold)
    with sqlite3.connect(cache / "cache.sqlite") as db:
        kinds = dict(db.execute("SELECT kind, count(*) FROM entries GROUP BY kind").fetchall())
    assert kinds == {"extraction": 5, "names": 5, "parts": 5}


def test_a_stale_model_or_code_misses_the_cache(pipeline: Language, tmp_path: Path) -> None:
    """Keys cover the pipeline's description: another one does not reuse extractions."""
    from kg.build import cache as cache_module

    out = tmp_path / "out"
    build([EXAMPLES], pipeline, out, DEFAULT_BASE)
    a = cache_module.extraction_fingerprint({"model": "a"})
    b = cache_module.extraction_fingerprint({"model": "b"})
    assert a != b and len(a) == 64


def test_without_an_output_folder_the_graphs_are_still_there(pipeline: Language) -> None:
    result = build([EXAMPLES], pipeline, None, DEFAULT_BASE)
    assert len(result.graphs) == result.documents == len(result.extractions) == 5
    assert sum(len(g) for g in result.graphs.values()) == result.triples
    assert result.files == ()


# -- the parts of a build: rendered, cached, assembled ------------------------------------


@pytest.fixture(scope="module")
def rendered(pipeline: Language) -> list[object]:
    result = build([EXAMPLES], pipeline, None, DEFAULT_BASE)
    from kg.resolve import resolve

    resolution = resolve(result.extractions)
    minter = Minter(DEFAULT_BASE)
    entities = {str(minter.entity(g.kind, g.key, g.label)) for g in resolution.entities.values()}
    context = JsonLdContext(resources.context())
    return [
        render(
            minter.document(x.article.sha256),
            document_triples(x, resolution, minter),
            context,
            lambda n: str(n) in entities,
            engine(),
        )
        for x in result.extractions
    ]


def test_parts_come_back_from_the_cache_as_they_went_in(rendered: list[object]) -> None:
    for parts in rendered:
        assert decode_parts(encode_parts(parts)) == parts  # type: ignore[arg-type]


def test_extractions_come_back_from_the_cache_as_they_went_in(pipeline: Language) -> None:
    result = build([EXAMPLES], pipeline, None, DEFAULT_BASE)
    for extraction in result.extractions:
        data = json.loads(json.dumps(encode_extraction(extraction)))
        assert decode_extraction(data, extraction.article) == extraction


def test_spilled_runs_write_the_same_bytes(
    rendered: list[object], cold: Path, tmp_path: Path
) -> None:
    """Each document's parts spilled to disk as a run of its own, then merged."""
    checked = report([f for parts in rendered for f in parts.findings])  # type: ignore[attr-defined]
    for run_bytes, name in ((1, "spilled"), (1 << 40, "memory")):
        with Assembler(resources.context(), tmp_path, run_bytes=run_bytes) as assembler:
            for parts in reversed(rendered):  # the order parts arrive in does not matter
                assembler.add(parts)  # type: ignore[arg-type]
            assert (len(assembler._runs) == 5) == (name == "spilled")
            assembler.write(tmp_path / name, turtle(checked.graph))
        assert files(tmp_path / name) == files(cold), name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["memory", "spilled"]  # no runs left


# -- JSON as json.dumps writes it -------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values, st.booleans(), st.integers(0, 3))
def test_dump_json_writes_what_json_dumps_writes(
    value: object, sort_keys: bool, level: int
) -> None:
    want = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=sort_keys)
    assert dump_json(value, sort_keys=sort_keys) == want
    nested: object = value
    for _ in range(level):
        nested = [nested]
    whole = json.dumps(nested, indent=2, ensure_ascii=False, sort_keys=sort_keys)
    assert dump_json(value, level, sort_keys=sort_keys) in whole


def test_every_document_iri_is_a_named_graph(cold: Path) -> None:
    names = {line.rsplit(" ", 2)[1] for line in (cold / "graph.nq").read_text("utf-8").splitlines()}
    assert all(URIRef(n[1:-1]).startswith(DEFAULT_BASE + "document/") for n in names)
    assert len(names) == 5


# -- the options of kg build ----------------------------------------------------------------


def _kg(*args: str) -> tuple[int, str]:
    from click.testing import CliRunner

    from kg.cli import main

    done = CliRunner().invoke(main, list(args))
    return done.exit_code, done.stderr


def test_kg_build_cache_options(cold: Path, tmp_path: Path) -> None:
    code, _ = _kg("build", str(EXAMPLES), "-o", str(tmp_path / "a"), "--no-cache")
    assert code == 0 and not (tmp_path / "a" / ".cache").exists()
    code, _ = _kg("build", str(EXAMPLES), "-o", str(tmp_path / "b"), "--cache", str(tmp_path / "c"))
    assert code == 0 and (tmp_path / "c" / "cache.sqlite").is_file()
    assert files(tmp_path / "a") == files(tmp_path / "b") == files(cold)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--scheduler", "tcp://127.0.0.1:8786"], "--executor dask"),
        (["--jobs", "0"], "--jobs"),
        (["--executor", "spark"], "--executor"),
    ],
)
def test_kg_build_refuses_bad_options(args: list[str], says: str, tmp_path: Path) -> None:
    code, err = _kg("build", str(EXAMPLES), "-o", str(tmp_path), *args)
    assert code == 2 and says in err
    assert not (tmp_path / "graph.ttl").exists()
