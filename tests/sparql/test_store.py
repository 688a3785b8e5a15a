"""kg build --store and kg load --store: a real on-disk Oxigraph store kept in step with builds."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from spacy.language import Language

from kg import build as kg_pipeline
from kg.cli import main
from kg.graph.iri import DEFAULT_BASE
from kg.graph.vocab import DCTERMS, KG, RDF
from kg.progress import for_stream, quiet
from kg.sparql.store import (
    GraphPayload,
    manifest_iri,
    payloads_from_folder,
    payloads_from_graphs,
    plan,
    sync_store,
)
from tests.conftest import EXAMPLES

MANIFEST = manifest_iri(DEFAULT_BASE)
CHANGED = "01-press-freedom-conference.txt"
REMOVED = "02-live-report-sanctions-hearing.txt"


def kg(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@dataclass(frozen=True)
class Variants:
    """Three builds of the examples: as they are, one article changed, one removed."""

    inputs: Path
    a: Path
    b: Path
    c: Path


def build_variants(root: Path, nlp: Language) -> Variants:
    """Build the examples (a), with one article changed (b), with one removed (c)."""
    inputs = root / "in"
    for name in "abc":
        shutil.copytree(EXAMPLES, inputs / name)
    changed = inputs / "b" / CHANGED
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\nThe meeting closed in the evening.\n",
        encoding="utf-8",
    )
    (inputs / "c" / REMOVED).unlink()
    for name in "abc":
        result = kg_pipeline.build([inputs / name], nlp, root / name, DEFAULT_BASE)
        assert not result.errors and result.report.conforms
    return Variants(inputs, root / "a", root / "b", root / "c")


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory, pipeline: Language) -> Variants:
    return build_variants(tmp_path_factory.mktemp("variants"), pipeline)


def store_quads(path: Path) -> set[str]:
    """Every quad of the store outside the manifest, as N-Quads text."""
    store = ox.Store(str(path))
    try:
        return {
            str(q)
            for q in store
            if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == MANIFEST)
        }
    finally:
        del store


def build_quads(folder: Path) -> set[str]:
    """The quads of a build's graph.nq as a store holds them.

    Oxigraph keeps typed literals as values and gives them back in canonical form
    (``+00:00`` comes back as ``Z``), so the file is read through an in-memory store.
    """
    store = ox.Store()
    store.load(path=folder / "graph.nq", format=ox.RdfFormat.N_QUADS)
    return {str(q) for q in store}


def manifest_versions(path: Path) -> dict[str, str]:
    store = ox.Store(str(path))
    try:
        rows = store.query(
            f"SELECT ?g ?v WHERE {{ GRAPH <{MANIFEST}> {{ <{MANIFEST}> <{DCTERMS.hasPart}> ?g . "
            f"?g <{DCTERMS.hasVersion}> ?v }} }}"
        )
        return {row["g"].value: row["v"].value for row in rows}  # type: ignore[index, union-attr]
    finally:
        del store


def changes(old: dict[str, GraphPayload], new: dict[str, GraphPayload]) -> set[str]:
    """The graphs a sync from ``old`` to ``new`` must write."""
    return {n for n, p in new.items() if n not in old or old[n].version != p.version}


def test_the_two_ways_in_agree_on_every_version(variants: Variants, pipeline: Language) -> None:
    # Build.graphs (rdflib) and kg load (graph.nq) hash the same graphs: they must agree,
    # or a load after a build would rewrite everything.
    built = pipeline_graphs(variants.inputs / "a", pipeline)
    from_graphs = payloads_from_graphs(built)
    from_file = payloads_from_folder(variants.a)
    assert from_graphs.keys() == from_file.keys()
    assert {n: p.version for n, p in from_graphs.items()} == {
        n: p.version for n, p in from_file.items()
    }
    assert {n: p.ntriples for n, p in from_graphs.items()} == {
        n: p.ntriples for n, p in from_file.items()
    }


def pipeline_graphs(folder: Path, nlp: Language) -> dict[URIRef, Graph]:
    return kg_pipeline.build([folder], nlp, None, DEFAULT_BASE).graphs


def test_build_store_holds_one_graph_per_document(variants: Variants, tmp_path: Path) -> None:
    store, out = tmp_path / "store", tmp_path / "out"
    code, _, err = kg("build", str(variants.inputs / "a"), "-o", str(out), "--store", str(store))
    assert code == 0, err
    documents = payloads_from_folder(variants.a)
    assert f"store          {store}: {len(documents)} added, 0 replaced" in err
    assert store_quads(store) == build_quads(out)
    assert manifest_versions(store) == {n: p.version for n, p in documents.items()}

    code, _, err = kg("build", str(variants.inputs / "a"), "-o", str(out), "--store", str(store))
    assert code == 0
    assert f"0 added, 0 replaced, 0 removed, {len(documents)} unchanged" in err


@pytest.mark.parametrize("variant", ["b", "c"])
def test_a_new_build_rewrites_only_the_graphs_that_changed(
    variants: Variants, variant: str, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    before = payloads_from_folder(variants.a)
    after = payloads_from_folder(getattr(variants, variant))
    assert kg("load", str(variants.a), "--store", str(store))[0] == 0

    result = sync_store(store, after, DEFAULT_BASE)

    written = {p.name for p in result.plan.writes}
    assert written == changes(before, after)
    assert set(result.plan.removed) == before.keys() - after.keys()
    assert len(written) == (1 if variant == "b" else 0)  # one article edited, or none
    assert len(result.plan.removed) == 1
    assert store_quads(store) == build_quads(getattr(variants, variant))
    assert manifest_versions(store) == {n: p.version for n, p in after.items()}


def test_an_input_that_fails_to_read_keeps_its_graph(variants: Variants, tmp_path: Path) -> None:
    store, out = tmp_path / "store", tmp_path / "out"
    assert kg("build", str(variants.inputs / "a"), "-o", str(out), "--store", str(store))[0] == 0
    before = store_quads(store)
    broken = tmp_path / "in"
    shutil.copytree(variants.inputs / "a", broken)
    (broken / REMOVED).write_bytes(b"\x00\xff\x00 not text")  # the article became unreadable

    code, _, err = kg("build", str(broken), "-o", str(tmp_path / "out2"), "--store", str(store))

    assert code == 2
    assert "0 removed" in err and "1 kept (some inputs failed)" in err
    assert store_quads(store) == before  # nothing lost: the unreadable article's graph stays


def test_load_reports_and_skips(variants: Variants, tmp_path: Path) -> None:
    store = tmp_path / "store"
    code, out, err = kg("load", str(variants.a), "--store", str(store))
    assert code == 0 and out == ""
    n = len(payloads_from_folder(variants.a))
    summary = f"{n} added, 0 replaced, 0 removed, 0 unchanged"
    assert err == f"loaded {n} document graphs into {store}: {summary}\n"
    code, _, err = kg("load", str(variants.a), "--store", str(store))
    assert code == 0 and f"0 added, 0 replaced, 0 removed, {n} unchanged" in err


def test_graphs_the_manifest_does_not_name_are_left_alone(
    variants: Variants, tmp_path: Path
) -> None:
    store_path = tmp_path / "store"
    mine = ox.Quad(
        ox.NamedNode("https://example.org/s"),
        ox.NamedNode("https://example.org/p"),
        ox.Literal("kept"),
        ox.NamedNode("https://example.org/my-own-graph"),
    )
    store = ox.Store(str(store_path))
    store.add(mine)
    del store
    assert kg("load", str(variants.a), "--store", str(store_path))[0] == 0
    assert kg("load", str(variants.c), "--store", str(store_path))[0] == 0
    assert str(mine) in store_quads(store_path)


PEOPLE = {
    "a.txt": """\
        Council talks in Lindmark

        Maria Kowalski, the mayor of Lindmark, said on Monday that the new bridge
        would open in spring. "We have waited long enough," Maria Kowalski told reporters.
        """,
    "b.txt": """\
        Budget row in Lindmark

        Maria Kowalski said on Tuesday that the budget was too small. Jonas Berglund,
        the treasurer of the Lindmark Citizens Union, disagreed. "The city cannot spend
        money it does not have," Jonas Berglund said.
        """,
}


def _people(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects(RDF.type, KG.Person) if isinstance(s, URIRef)}


def test_shared_people_survive_and_lone_ones_leave_with_their_article(
    tmp_path: Path, pipeline: Language
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name, text in PEOPLE.items():
        (inputs / name).write_text(textwrap.dedent(text), encoding="utf-8")
    both = kg_pipeline.build([inputs], pipeline, None, DEFAULT_BASE)
    by_id = {x.article.id: x.article.sha256 for x in both.extractions}
    graph_of = {
        name: both.graphs[URIRef(f"{DEFAULT_BASE}document/{by_id[name][:16]}")] for name in PEOPLE
    }
    shared = _people(graph_of["a.txt"]) & _people(graph_of["b.txt"])
    only_b = _people(graph_of["b.txt"]) - _people(graph_of["a.txt"])
    assert shared and only_b, "the articles must share a person and have one of their own"

    store = tmp_path / "store"
    assert sync_store(store, payloads_from_graphs(both.graphs), DEFAULT_BASE).plan.added
    (inputs / "b.txt").unlink()
    one = kg_pipeline.build([inputs], pipeline, None, DEFAULT_BASE)
    sync_store(store, payloads_from_graphs(one.graphs), DEFAULT_BASE)

    quads = store_quads(store)
    for person in only_b:
        assert not any(f"<{person}>" in q for q in quads), person
    doc_a = f"<{DEFAULT_BASE}document/{by_id['a.txt'][:16]}>"
    doc_b = f"<{DEFAULT_BASE}document/{by_id['b.txt'][:16]}>"
    for person in shared:
        mentioned = {q for q in quads if q.startswith(f"<{person}> <{KG.mentionedIn}>")}
        assert (
            mentioned
            and all(doc_a in q for q in mentioned)
            and not any(doc_b in q for q in mentioned)
        )
        assert any(q.startswith(f"<{person}> <{RDF.type}> <{KG.Person}>") for q in quads)


CRASH = """\
import os, signal, sys
from pathlib import Path
from kg.graph.iri import DEFAULT_BASE
from kg.sparql.store import payloads_from_folder, sync_store

def crash_after(n):
    def tracker(items, *, total, label):
        for i, item in enumerate(items):
            if i == n:
                os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, as in a power cut
            yield item
    return tracker

sync_store(Path(sys.argv[2]), payloads_from_folder(Path(sys.argv[1])), DEFAULT_BASE,
           crash_after(int(sys.argv[3])))
"""


def test_a_killed_sync_leaves_whole_graphs_and_resumes(variants: Variants, tmp_path: Path) -> None:
    store = tmp_path / "store"
    script = tmp_path / "crash.py"
    script.write_text(CRASH, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(script), str(variants.a), str(store), "2"], check=False
    )
    assert run.returncode == -9  # SIGKILL

    payloads = payloads_from_folder(variants.a)
    done = manifest_versions(store)
    assert len(done) == 2
    on_disk = store_quads(store)
    expected = build_quads(variants.a)
    for name, payload in payloads.items():
        lines = {q for q in expected if q.endswith(f" <{name}>")}
        held = {q for q in on_disk if q.endswith(f" <{name}>")}
        assert lines, name
        assert held in (lines, set()), name  # whole or absent, never a part
        assert (name in done) == (held == lines)
        if name in done:
            assert done[name] == payload.version

    code, _, err = kg("load", str(variants.a), "--store", str(store))
    assert code == 0 and f"{len(payloads) - 2} added, 0 replaced, 0 removed, 2 unchanged" in err
    assert store_quads(store) == expected


def test_plan_is_unsure_of_a_graph_with_two_versions(variants: Variants) -> None:
    payloads = payloads_from_folder(variants.a)
    name, payload = next(iter(payloads.items()))
    assert plan(payloads, {name: frozenset({payload.version})}).unchanged == (name,)
    two = frozenset({payload.version, "ni:///sha-256;other"})
    assert [p.name for p in plan(payloads, {name: two}).replaced] == [name]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--store", "{tmp}/s", "--endpoint", "http://127.0.0.1:9/store"], "exactly one of"),
        ([], "exactly one of"),
        (["--store", "{a}"], "holds other files"),
        (["--endpoint", "ftp://example.org/store"], "not an http(s) URL"),
        (["--endpoint", "http://u:secret-pw@127.0.0.1:9/store"], "holds credentials"),
        (
            ["--endpoint", "http://127.0.0.1:9/store", "--auth-env", "KG_NO_SUCH_VARIABLE"],
            "not set",
        ),
        (["--store", "{tmp}/s", "--base", "not an iri"], "--base"),
    ],
)
def test_load_usage_errors_are_one_line_exit_2(
    variants: Variants, tmp_path: Path, args: list[str], says: str
) -> None:
    filled = [a.format(tmp=tmp_path, a=variants.a) for a in args]
    code, _, err = kg("load", str(variants.a), *filled)
    assert code == 2 and says in err
    assert "secret-pw" not in err
    if "Usage:" not in err:
        assert len(err.strip().splitlines()) == 1


def test_load_of_a_folder_without_a_build(tmp_path: Path) -> None:
    code, _, err = kg("load", str(tmp_path), "--store", str(tmp_path / "s"))
    assert code == 2 and err.startswith("kg: ") and "graph.nq" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "s").exists()


def test_a_store_in_use_is_one_line_exit_2(variants: Variants, tmp_path: Path) -> None:
    store = tmp_path / "store"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import pyoxigraph, sys; s = pyoxigraph.Store({str(store)!r}); "
            "print('open', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        code, _, err = kg("load", str(variants.a), "--store", str(store))
    finally:
        holder.communicate("")
    assert code == 2 and "no other program" in err and len(err.strip().splitlines()) == 1


# -- progress ---------------------------------------------------------------------------


def test_no_progress_noise_when_stderr_is_not_a_terminal(
    variants: Variants, tmp_path: Path
) -> None:
    code, out, err = kg(
        "build",
        str(variants.inputs / "c"),
        "-o",
        str(tmp_path / "o"),
        "--store",
        str(tmp_path / "s"),
    )
    assert code == 0 and out == ""
    labels = (
        "documents",
        "people",
        "organizations",
        "places",
        "events",
        "memberships",
        "positions",
        "input errors",
        "conforms",
        "written to",
        "store",
    )
    assert all(line.startswith(labels) for line in err.splitlines()), err
    assert "\r" not in err and "parsing" not in err
    with open(os.devnull, "w") as devnull:
        assert for_stream(devnull) is quiet


def test_a_terminal_gets_a_progress_bar(variants: Variants, tmp_path: Path) -> None:
    # kg load with stderr on a pseudo-terminal, the way a user runs it.
    main_fd, side_fd = pty.openpty()
    kg_bin = Path(sys.executable).parent / "kg"
    process = subprocess.Popen(
        [str(kg_bin), "load", str(variants.a), "--store", str(tmp_path / "s")],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=side_fd,
    )
    os.close(side_fd)
    chunks = []
    while True:
        try:
            chunk = os.read(main_fd, 4096)
        except OSError:  # EIO: the other side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main_fd)
    assert process.wait(timeout=60) == 0
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert "store" in shown and "[" in shown and "100%" in shown, shown
    assert "loaded" in shown


def test_load_has_help() -> None:
    code, out, _ = kg("load", "--help")
    assert code == 0 and "Usage:" in out and "--endpoint" in out and "--store" in out
