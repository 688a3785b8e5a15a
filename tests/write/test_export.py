"""Tests for the files a build writes (kg.write): every format read back by rdflib and
pyoxigraph, bytes stable whatever the order of documents and the cuts of runs.

The files are written as a build writes them, a document graph at a time
(:mod:`tests.write.writers`); the atomic writes of kg.write.files are tested at the end.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import stat
import subprocess
import sys
import tempfile
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from kg import resources
from kg.errors import OutputError
from kg.validate.report import canonical_report
from kg.write.files import atomic_write
from kg.write.people import people_json
from kg.write.syntax import turtle
from tests.conftest import ROOT
from tests.write.writers import Written, everything, shared_across, write

KG = Namespace("https://w3id.org/newskg/ontology#")
ID = Namespace("https://w3id.org/newskg/id/")
SCHEMA = Namespace("http://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
SH = Namespace("http://www.w3.org/ns/shacl#")

CONTEXT: dict[str, Any] = {
    "kg": "https://w3id.org/newskg/ontology#",
    "schema": "http://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "oa": "http://www.w3.org/ns/oa#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "id": "@id",
    "type": "@type",
    "Person": "kg:Person",
    "prefLabel": "skos:prefLabel",
    "altLabel": {"@id": "skos:altLabel", "@container": "@set"},
    "mentionedIn": {"@id": "kg:mentionedIn", "@type": "@id"},
    "start": {"@id": "oa:start", "@type": "xsd:integer"},
    "isDirect": {"@id": "kg:isDirect", "@type": "xsd:boolean"},
    "issued": {"@id": "dcterms:issued", "@type": "xsd:date"},
}
# Exercises @vocab, a default @language, a term with "@language": null and @type @vocab.
VOCAB_CONTEXT: dict[str, Any] = {
    "@vocab": "https://w3id.org/newskg/ontology#",
    "@language": "en",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "iri": "@id",
    "prefLabel": {"@id": "skos:prefLabel", "@language": None},
    "stance": {"@type": "@vocab"},
    "kg": {"@id": "https://w3id.org/newskg/ontology#"},  # no prefix flag: never a CURIE
}
CONTEXTS = {
    "empty": {},
    "small": CONTEXT,
    "vocab": VOCAB_CONTEXT,
    "wrapped": {"@context": CONTEXT},
    "shipped": resources.context(),
}


def dataset() -> dict[URIRef, Graph]:
    """Three small document graphs sharing one person, with every literal type we use."""
    ada, bob = ID["person/ada-1a2b3c4d"], ID["person/bob-5e6f7a8b"]
    docs = [ID[f"document/doc-{n}"] for n in ("aaaa1111", "bbbb2222", "cccc3333")]
    graphs = {doc: Graph(bind_namespaces="none") for doc in docs}
    for doc, g in graphs.items():
        g.add((doc, RDF.type, KG.SourceDocument))
        g.add((doc, DCTERMS.identifier, Literal(f"{doc[-8:]}.txt")))
        g.add((ada, RDF.type, KG.Person))
        g.add((ada, SKOS.prefLabel, Literal("Ada Lovelace")))
        g.add((ada, KG.mentionedIn, doc))
    g = graphs[docs[0]]
    g.add((docs[0], DCTERMS.issued, Literal("2024-03-01", datatype=XSD.date)))
    g.add((ada, SKOS.altLabel, Literal("Lovelace")))
    g.add((ada, SKOS.altLabel, Literal("Countess", lang="en")))
    g.add((ada, SCHEMA.birthDate, Literal("1815", datatype=XSD.gYear)))
    position, evidence = ID["position/aaaa1111-10-42"], ID["evidence/aaaa1111-10-42"]
    g.add((position, RDF.type, KG.StatedPosition))
    g.add((position, KG.speaker, ada))
    g.add((position, KG.stance, KG.Favor))
    g.add((position, KG.isDirect, Literal(True)))
    g.add((position, KG.proposition, Literal('engines "may" compose\nmusic')))
    g.add((position, KG.evidence, evidence))
    g.add((evidence, OA.start, Literal(10)))
    g.add((evidence, OA.end, Literal(42)))
    graphs[docs[1]].add((bob, RDF.type, KG.Person))
    graphs[docs[1]].add((bob, SKOS.prefLabel, Literal("Bob")))
    graphs[docs[1]].add((bob, SCHEMA.sameAs, URIRef("http://example.org/Bob_(person)")))
    graphs[docs[2]].add((docs[2], KG.wordCount, Literal(0)))
    graphs[docs[2]].add((docs[2], KG.isPaywalled, Literal(False)))
    return graphs


def report_turtle() -> bytes:
    """validation.ttl of :func:`report`, labelled as every report is (kg.validate.report)."""
    return turtle(canonical_report(report(), conforms=False).graph)


def report() -> Graph:
    """A SHACL-like report with fresh blank nodes each time it is built."""
    g = Graph()
    rep, res = BNode(), BNode()
    g.add((rep, RDF.type, SH.ValidationReport))
    g.add((rep, SH.conforms, Literal(False)))
    g.add((rep, SH.result, res))
    g.add((res, SH.focusNode, ID["person/ada-1a2b3c4d"]))
    g.add((res, SH.resultMessage, Literal("Less than 1 values")))
    return g


# --- reading back ----------------------------------------------------------------------

Key = tuple[Any, ...]
STRING, LANG_STRING = str(XSD.string), str(RDF.langString)


def rdflib_key(node: Any) -> Key:
    if isinstance(node, Literal):
        if node.language:
            return ("lit", str(node), LANG_STRING, node.language)
        return ("lit", str(node), str(node.datatype or STRING), "")
    return ("node", str(node))


def ox_key(node: Any) -> Key:
    if isinstance(node, ox.Literal):
        return ("lit", node.value, node.datatype.value, node.language or "")
    if isinstance(node, ox.DefaultGraph):
        return ("node", "")
    return ("node", node.value)


def expected_quads(graphs: Mapping[URIRef, Graph]) -> set[Key]:
    return {
        (rdflib_key(s), rdflib_key(p), rdflib_key(o), rdflib_key(name))
        for name, g in graphs.items()
        for s, p, o in g
    }


def expected_triples(graphs: Mapping[URIRef, Graph]) -> set[Key]:
    return {q[:3] for q in expected_quads(graphs)}


def union(graphs: Mapping[URIRef, Graph]) -> Graph:
    u = Graph(bind_namespaces="none")
    for g in graphs.values():
        u += g
    return u


OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "json-ld": ox.RdfFormat.JSON_LD,
}


def parse_dataset(source: bytes | Path, fmt: str) -> Dataset:
    ds = Dataset()
    with rdflib_quiet():
        if isinstance(source, Path):
            ds.parse(source, format=fmt)
        else:
            ds.parse(data=source, format=fmt)
    return ds


def parse_graph(source: bytes | Path, fmt: str) -> Graph:
    g = Graph()
    with rdflib_quiet():
        if isinstance(source, Path):
            g.parse(source, format=fmt)
        else:
            g.parse(data=source, format=fmt)
    return g


@contextmanager
def rdflib_quiet() -> Iterator[None]:
    """Silence the deprecation warnings rdflib 7.6 raises on itself while parsing."""
    with warnings.catch_warnings():
        # Dataset.parse and the TriG and JSON-LD parsers use rdflib's deprecated
        # ConjunctiveGraph and Dataset.default_context.
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"rdflib\.")
        yield


def dataset_union(ds: Dataset) -> Graph:
    g = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def read_rdflib(data: bytes, fmt: str) -> set[Key]:
    if fmt in ("trig", "nquads"):
        ds = parse_dataset(data, fmt)
        return {tuple(rdflib_key(t) for t in q) for q in ds.quads((None, None, None, None))}
    return {tuple(rdflib_key(t) for t in triple) for triple in parse_graph(data, fmt)}


def read_ox(data: bytes, fmt: str) -> set[Key]:
    quads = ox.parse(data, format=OX_FORMATS[fmt])
    if fmt in ("trig", "nquads"):
        return {
            (ox_key(q.subject), ox_key(q.predicate), ox_key(q.object), ox_key(q.graph_name))
            for q in quads
        }
    return {(ox_key(q.subject), ox_key(q.predicate), ox_key(q.object)) for q in quads}


READERS: dict[str, Callable[[bytes, str], set[Key]]] = {
    "rdflib": read_rdflib,
    "pyoxigraph": read_ox,
}


# The four RDF files of a build and the format each is read in.
RDF_FILES = {
    "graph.ttl": "turtle",
    "graph.jsonld": "json-ld",
    "graph.trig": "trig",
    "graph.nq": "nquads",
}


def assert_reads_back(written: Written, graphs: Mapping[URIRef, Graph]) -> None:
    """Both parsers read each file as the graphs: quads in TriG and N-Quads, else the union."""
    quads, triples = expected_quads(graphs), expected_triples(graphs)
    for name, fmt in RDF_FILES.items():
        data = written[name]
        for reader_name, reader in READERS.items():
            got = reader(data, fmt)
            want = quads if fmt in ("trig", "nquads") else triples
            assert got == want, (
                f"{name} read by {reader_name}: missing {want - got}, extra {got - want}"
            )


def written(out: Path, graphs: Mapping[URIRef, Graph], context: dict[str, Any]) -> Written:
    """The files a build of ``graphs`` writes, checked to read back as the graphs."""
    files = write(out, graphs, context)
    assert_reads_back(files, graphs)
    return files


# --- round trips ------------------------------------------------------------------------


@pytest.mark.parametrize("context", CONTEXTS.values(), ids=list(CONTEXTS))
def test_every_format_reads_back_to_the_same_triples(
    context: dict[str, Any], tmp_path: Path
) -> None:
    written(tmp_path / "out", dataset(), context)


def test_named_graphs_keep_the_document_split_and_union_matches_turtle(tmp_path: Path) -> None:
    graphs = dataset()
    files = written(tmp_path / "out", graphs, CONTEXT)
    ds = parse_dataset(files.path("graph.trig"), "trig")
    names = {URIRef(str(g.identifier)) for g in ds.graphs() if len(g)}
    assert names == set(graphs)
    for name, g in graphs.items():
        assert isomorphic(ds.graph(name), g)
    want = {str(name): expected_triples({name: g}) for name, g in graphs.items()}
    for file, fmt in (("graph.trig", "trig"), ("graph.nq", "nquads")):
        by_graph: defaultdict[str, set[Key]] = defaultdict(set)
        for q in ox.parse(files[file], format=OX_FORMATS[fmt]):
            by_graph[ox_key(q.graph_name)[1]].add(
                (ox_key(q.subject), ox_key(q.predicate), ox_key(q.object))
            )
        assert by_graph == want, file
    from_turtle = parse_graph(files.path("graph.ttl"), "turtle")
    assert isomorphic(from_turtle, union(graphs))
    assert isomorphic(from_turtle, dataset_union(parse_dataset(files.path("graph.nq"), "nquads")))


def test_turtle_uses_the_contract_prefixes_and_http_schema(tmp_path: Path) -> None:
    text = written(tmp_path / "out", dataset(), CONTEXT)["graph.ttl"].decode()
    assert "@prefix schema: <http://schema.org/> ." in text
    assert "schema:birthDate" in text and "https://schema.org" not in text
    assert "a kg:Person" in text and '"2024-03-01"^^xsd:date' in text
    assert "oa:start 10" in text and "kg:isDirect true" in text


def test_trig_lists_graphs_in_iri_order(tmp_path: Path) -> None:
    text = written(tmp_path / "out", dataset(), CONTEXT)["graph.trig"].decode()
    lines = [line for line in text.splitlines() if line.endswith("{")]
    assert lines == sorted(lines) and len(lines) == 3


def test_nquads_lines_come_a_graph_at_a_time_sorted_and_unabbreviated(tmp_path: Path) -> None:
    lines = written(tmp_path / "out", dataset(), CONTEXT)["graph.nq"].decode().splitlines()
    graphs = [line.rsplit(" ", 2)[1] for line in lines]
    # Each graph's lines together, graphs in IRI order (as in TriG), lines sorted within.
    assert graphs == sorted(graphs) and len(set(graphs)) == 3
    for _, group in itertools.groupby(lines, key=lambda line: line.rsplit(" ", 2)[1]):
        together = list(group)
        assert together == sorted(together)
    assert all(line.startswith("<") and line.endswith("> .") for line in lines)


def test_jsonld_is_compacted_with_the_inline_context(tmp_path: Path) -> None:
    doc = json.loads(written(tmp_path / "out", dataset(), CONTEXT)["graph.jsonld"])
    assert doc["@context"] == CONTEXT and set(doc) == {"@context", "@graph"}
    ids = [node["id"] for node in doc["@graph"]]
    assert ids == sorted(ids)
    ada = next(n for n in doc["@graph"] if n["id"].endswith("ada-1a2b3c4d"))
    assert ada["type"] == "Person"
    assert ada["prefLabel"] == "Ada Lovelace"
    assert ada["altLabel"] == [{"@language": "en", "@value": "Countess"}, "Lovelace"]
    assert ada["mentionedIn"] == sorted(ada["mentionedIn"]) and len(ada["mentionedIn"]) == 3
    assert ada["schema:birthDate"] == {"@type": "xsd:gYear", "@value": "1815"}
    evidence = next(n for n in doc["@graph"] if "evidence/" in n["id"])
    assert evidence["start"] == "10" and evidence["oa:end"] == {
        "@type": "xsd:integer",
        "@value": "42",
    }


def test_jsonld_compacts_the_same_once_its_cache_is_full(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The compacted IRIs a context keeps are bounded, and dropping them changes nothing."""
    from kg.write import jsonld as jsonld_module

    iris = [f"{KG}person/p-{i}" for i in range(40)] + [str(RDF.type), f"{KG}Person"]
    fresh = jsonld_module.JsonLdContext(CONTEXT)
    expected = [fresh.iri(i, vocab=v) for i in iris for v in (False, True)]
    unbounded = write(tmp_path / "unbounded", dataset(), CONTEXT)["graph.jsonld"]
    monkeypatch.setattr(jsonld_module, "_CACHE_LIMIT", 8)
    bounded = jsonld_module.JsonLdContext(CONTEXT)
    for _ in range(2):
        assert [bounded.iri(i, vocab=v) for i in iris for v in (False, True)] == expected
        assert len(bounded._cache) <= 8
    # The dataset compacts more than 8 IRIs: the build's contexts drop their caches.
    assert written(tmp_path / "bounded", dataset(), CONTEXT)["graph.jsonld"] == unbounded


def test_jsonld_vocab_context_uses_terms_and_language(tmp_path: Path) -> None:
    doc = json.loads(written(tmp_path / "out", dataset(), VOCAB_CONTEXT)["graph.jsonld"])
    position = next(n for n in doc["@graph"] if "position/" in n["iri"])
    assert position["@type"] == "StatedPosition"
    assert position["stance"] == "Favor"
    assert position["proposition"] == {"@value": 'engines "may" compose\nmusic'}
    ada = next(n for n in doc["@graph"] if n["iri"].endswith("ada-1a2b3c4d"))
    assert ada["prefLabel"] == "Ada Lovelace"
    assert "Countess" in ada["skos:altLabel"]  # "en", the default language: a bare string


@pytest.mark.parametrize(
    "context",
    [
        {"@import": "https://example.org/ctx.jsonld"},
        {"p": {"@id": "kg:p", "@context": "https://x/"}},
    ],
)
def test_jsonld_refuses_contexts_that_need_fetching(
    context: dict[str, Any], tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="inline"):
        write(tmp_path / "out", dataset(), context)
    assert os.listdir(tmp_path) == []


def test_jsonld_with_the_shipped_context(tmp_path: Path) -> None:
    context = resources.context()
    doc = json.loads(written(tmp_path / "out", dataset(), context)["graph.jsonld"])
    assert doc["@context"] == context["@context"]
    ada = next(n for n in doc["@graph"] if n["id"].endswith("ada-1a2b3c4d"))
    assert ada["type"] == "Person" and len(ada["mentionedIn"]) == 3


def with_triple(triple: tuple[Any, Any, Any]) -> dict[URIRef, Graph]:
    """The dataset with one more triple in its first document."""
    graphs = dataset()
    graphs[next(iter(graphs))].add(triple)
    return graphs


@pytest.mark.parametrize("where", ["subject", "object"])
def test_blank_nodes_in_document_graphs_are_refused(where: str, tmp_path: Path) -> None:
    ada = ID["person/ada-1a2b3c4d"]
    triple = (BNode(), RDF.type, KG.Person) if where == "subject" else (ada, KG.knows, BNode())
    graphs = with_triple(triple)
    for shared in (everything, shared_across(graphs)):  # as write_build did, as a build does
        with pytest.raises(ValueError, match="blank node"):
            write(tmp_path / "out", graphs, CONTEXT, shared=shared)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("iri", ["https://x.org/a b", "https://x.org/<a>", "https://x.org/100%"])
@pytest.mark.parametrize("where", ["subject", "object"])
def test_invalid_iris_are_refused(iri: str, where: str, tmp_path: Path) -> None:
    ada = ID["person/ada-1a2b3c4d"]
    triple = (
        (URIRef(iri), RDF.type, KG.Person) if where == "subject" else (ada, KG.knows, URIRef(iri))
    )
    graphs = with_triple(triple)
    for shared in (everything, shared_across(graphs)):
        with pytest.raises(ValueError, match="not a valid IRI"):
            write(tmp_path / "out", graphs, CONTEXT, shared=shared)
    assert os.listdir(tmp_path) == []


# --- property-based ---------------------------------------------------------------------

TRICKY = [
    *"\"'\\\n\r\t\b\f\x00\x1f\x7f<>{}|^`@#:;.,_ ",
    "😀",
    "👩🏽‍🚀",
    "مرحبا",
    "שלום",
    "\u200b",
    "\u200d",
    "\u202e",
    "\u2028",
    "\ufeff",
    "\U0010fffd",
]
pieces = st.one_of(st.characters(exclude_categories=("Cs",)), st.sampled_from(TRICKY))
texts = st.lists(pieces, max_size=30).map("".join)  # no lone surrogates: not RDF text
long_texts = st.builds(lambda s, n: s * n, texts.filter(bool), st.integers(1000, 5000))
literals = st.one_of(
    st.builds(Literal, st.one_of(texts, long_texts)),
    st.builds(Literal, texts, lang=st.sampled_from(["en", "de", "fr-be", "ar"])),
    st.builds(Literal, texts, datatype=st.just(KG.CustomDatatype)),
    st.builds(Literal, texts, datatype=st.just(XSD.string)),
)
# Local names that may or may not be valid Turtle pnames.
locals_ = st.lists(st.sampled_from([*"abcXYZ019_-.~()é", "%20", "%C3%A9"]), min_size=1).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(locals_, literals), min_size=1, max_size=6), st.sampled_from(list(CONTEXTS))
)
def test_any_literal_and_local_name_round_trips(
    values: list[tuple[str, Literal]], context_name: str
) -> None:
    graphs: dict[URIRef, Graph] = {}
    for i, (local, literal) in enumerate(values):
        doc = ID[f"document/d{i % 2}"]
        g = graphs.setdefault(doc, Graph(bind_namespaces="none"))
        g.add((KG[local], KG[local], literal))
        g.add((ID[f"person/{local}"], SKOS.prefLabel, literal))
        g.add((ID[f"person/{local}"], KG.mentionedIn, KG[local]))
    with tempfile.TemporaryDirectory() as tmp:
        written(Path(tmp) / "out", graphs, CONTEXTS[context_name])


# --- determinism ------------------------------------------------------------------------


def build(order: list[tuple[URIRef, tuple[Any, Any, Any]]]) -> dict[URIRef, Graph]:
    graphs: dict[URIRef, Graph] = {}
    for name, triple in order:
        graphs.setdefault(name, Graph()).add(triple)
    return graphs


@settings(max_examples=20, deadline=None)
@given(st.randoms(use_true_random=False))
def test_insertion_order_does_not_change_the_bytes(rnd: Any) -> None:
    quads = [(name, t) for name, g in dataset().items() for t in g]
    with tempfile.TemporaryDirectory() as tmp:
        first = write(Path(tmp) / "first", build(quads), CONTEXT).files()
        rnd.shuffle(quads)
        shuffled = build(quads)
        # The documents come in the order the shuffle made, reversed, rather than sorted.
        again = write(Path(tmp) / "again", shuffled, CONTEXT, order=reversed(list(shuffled)))
        assert again.files() == first


SCRIPT = """
import hashlib, sys, tempfile
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import tests.write.test_export as t
from tests.write.writers import shared_across, write
# Insertion order follows set iteration, which PYTHONHASHSEED changes: the order of the
# triples in each graph and the order the documents come in.
quads = {(name, triple) for name, g in t.dataset().items() for triple in g}
graphs = t.build(list(quads))
with tempfile.TemporaryDirectory() as tmp:
    order, own = list(graphs), shared_across(graphs)
    files = [
        write(Path(tmp) / "all", graphs, t.CONTEXT, order=order),
        write(Path(tmp) / "own", graphs, t.CONTEXT, order=order, shared=own),
    ]
    data = [b for f in files for b in f.files().values()]
for data in data:
    print(hashlib.sha256(data).hexdigest())
"""


def test_hash_seed_does_not_change_the_bytes() -> None:
    runs = set()
    for seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(ROOT)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        runs.add(done.stdout)
    assert len(runs) == 1 and len(runs.pop().split()) == 12  # 2 builds of 6 files


# --- atomic writes ----------------------------------------------------------------------


def test_atomic_write_replaces_and_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "graph.ttl"
    atomic_write(target, b"one")
    target.chmod(0o640)
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["graph.ttl"]


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_atomic_write_failure_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    target = tmp_path / "graph.ttl"
    target.write_bytes(b"old")

    def boom(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, boom)
    with pytest.raises(OutputError) as info:
        atomic_write(target, b"new" * 1000)
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["graph.ttl"]
    message = str(info.value)
    assert "\n" not in message and str(target) in message and "No space left" in message


def test_atomic_write_into_a_path_under_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot write"):
        atomic_write(blocker / "graph.ttl", b"data")
    assert os.listdir(tmp_path) == ["file"]


# --- the six files of a build, written from document parts -------------------------------


def test_a_build_writes_six_files_four_isomorphic(tmp_path: Path) -> None:
    graphs = dataset()
    # validation.ttl as a build writes it: the report labelled once (RDFC-1.0), then Turtle.
    files = write(tmp_path / "out", graphs, CONTEXT, report=report_turtle())
    names = ["graph.ttl", "graph.jsonld", "graph.trig", "graph.nq", "validation.ttl", "people.json"]
    assert [p.name for p in files.paths] == names
    assert sorted(os.listdir(tmp_path / "out")) == sorted(names)
    want = union(graphs)
    for path, fmt in zip(files.paths[:4], ["turtle", "json-ld", "trig", "nquads"], strict=True):
        if fmt in ("trig", "nquads"):
            got = dataset_union(parse_dataset(path, fmt))
        else:
            got = parse_graph(path, fmt)
        assert isomorphic(got, want), path.name
    assert_reads_back(files, graphs)  # and by pyoxigraph, the TriG and N-Quads as quads
    assert isomorphic(parse_graph(files.path("validation.ttl"), "turtle"), report())
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in files.paths]
    again = write(tmp_path / "out", graphs, CONTEXT, report=report_turtle())
    assert [hashlib.sha256(p.read_bytes()).hexdigest() for p in again.paths] == digest


def test_a_build_cannot_create_the_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="output folder"):
        write(tmp_path / "file" / "out", dataset(), CONTEXT)
    assert os.listdir(tmp_path) == ["file"]


def test_a_build_writes_nothing_when_a_graph_cannot_be_serialised(tmp_path: Path) -> None:
    graphs = with_triple((BNode(), RDF.type, KG.Person))
    with pytest.raises(ValueError, match="blank node"):
        write(tmp_path, graphs, CONTEXT)
    assert os.listdir(tmp_path) == []
    # Nor does it replace any file of an earlier build.
    before = written(tmp_path / "out", dataset(), CONTEXT).files()
    with pytest.raises(ValueError, match="blank node"):
        write(tmp_path / "out", graphs, CONTEXT)
    after = {name: (tmp_path / "out" / name).read_bytes() for name in before}
    assert after == before and sorted(os.listdir(tmp_path / "out")) == sorted(before)


# --- the bytes do not depend on the order of documents nor on the cuts of runs -----------


def variants(graphs: Mapping[URIRef, Graph], midway: int) -> dict[str, dict[str, Any]]:
    """Other ways to write the same build: the options of :func:`tests.write.writers.write`.

    The documents in another order; a run cut after every document (``run_bytes=1``:
    every text spilled) or about halfway (``midway``); subjects only one document
    describes written by that document (through the runs) rather than once at the end.
    """
    names = sorted(graphs, key=str)
    own = shared_across(graphs)
    return {
        "reversed": {"order": names[::-1]},
        "a run per document": {"order": names[::-1], "run_bytes": 1},
        "runs cut midway": {"order": names[1:] + names[:1], "run_bytes": midway},
        "own subjects by their document": {"shared": own},
        "own subjects, a run per document": {"order": names[::-1], "run_bytes": 1, "shared": own},
        "own subjects, runs cut midway": {"run_bytes": midway, "shared": own},
    }


def assert_written_from_parts(
    graphs: dict[URIRef, Graph], context: dict[str, Any], out: Path
) -> None:
    """The files read back as the graphs (by rdflib and by pyoxigraph), people.json is the
    graphs' people, and the bytes are the same however the build is written (:func:`variants`)."""
    first = write(out / "sorted", graphs, context)
    assert_reads_back(first, graphs)
    assert first["people.json"] == people_json(list(union(graphs)))
    # A run holds about a quarter of run_bytes of N-Quads: twice the file cuts it midway.
    midway = 2 * len(first["graph.nq"])
    for n, (label, options) in enumerate(variants(graphs, midway).items()):
        again = write(out / f"variant-{n}", graphs, context, **options)
        if "run_bytes" in options:
            assert again.spilled > 0, f"{label}: nothing was spilled"
        assert again.files() == first.files(), label


@pytest.mark.parametrize("context", CONTEXTS.values(), ids=list(CONTEXTS))
def test_parts_merged_read_back_as_the_graphs_in_the_same_bytes(
    context: dict[str, Any], tmp_path: Path
) -> None:
    assert_written_from_parts(dataset(), context, tmp_path)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.lists(st.tuples(locals_, literals), min_size=1, max_size=6), st.sampled_from(list(CONTEXTS))
)
def test_any_graphs_merged_from_parts_read_back_in_the_same_bytes(
    values: list[tuple[str, Literal]], context_name: str
) -> None:
    graphs: dict[URIRef, Graph] = {}
    for i, (local, literal) in enumerate(values):
        doc = ID[f"document/d{i % 3}"]
        g = graphs.setdefault(doc, Graph(bind_namespaces="none"))
        g.add((ID[f"person/{local}"], SKOS.prefLabel, literal))
        g.add((ID[f"person/{local}"], KG.mentionedIn, doc))
        g.add((ID[f"person/{local}"], RDF.type, KG.Person))
        g.add((doc, DCTERMS.identifier, literal))
    with tempfile.TemporaryDirectory() as tmp:
        try:
            assert_written_from_parts(graphs, CONTEXTS[context_name], Path(tmp) / "out")
        except ValueError as exc:  # an IRI the writers cannot write: refused, nothing written
            assert "not a valid IRI" in str(exc) or "read as a term" in str(exc)
            assert not any(Path(tmp).rglob("graph.*")), "refused after writing"
            for label, options in variants(graphs, 1).items():
                with pytest.raises(ValueError, match=r"not a valid IRI|read as a term"):
                    write(Path(tmp) / "again", graphs, CONTEXTS[context_name], **options)
                assert not (Path(tmp) / "again").exists(), label
