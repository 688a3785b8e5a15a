"""Hostile text through the whole pipeline: every output parses and round-trips, IRIs stay tame.

Hypothesis writes small folders of articles whose names, quotations, titles, file names
and JSONL ids hold what breaks naive writers: quotes and backslashes, angle brackets and
braces, line breaks, emoji, right-to-left text and overrides, zero-width characters,
escape look-alikes (``\\u0022``) and very long tokens. Each folder is built by
``kg.build.build`` with the real spaCy pipeline; then

* graph.ttl, graph.trig, graph.nq and graph.jsonld parse in pyoxigraph and in rdflib and
  hold the same triples (rdflib ``isomorphic``), and people.json is JSON;
* the triples round-trip through Turtle, TriG, N-Quads and JSON-LD written by the other
  library (pyoxigraph writes, rdflib reads back, and the other way round);
* every minted IRI has local names of ``[a-z0-9-]`` only;
* literals come back exactly: ids, titles, and every ``oa:exact`` is the article text at
  its offsets.
"""

from __future__ import annotations

import html
import json
import re
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import SKOS
from rdflib.term import Node
from spacy.language import Language

from kg.build import build
from kg.graph.iri import DEFAULT_BASE
from kg.graph.vocab import DCTERMS, KG, OA, RDF
from kg.ingest import iter_inputs
from kg.model import Article

HOSTILE = [
    '"',
    '""""',
    "'",
    "\\",
    "\\\\",
    "\\u0022",
    "\\n",
    "<",
    ">",
    "<script>alert(1)</script>",
    "{",
    "}",
    "}}",
    "@prefix x: <http://e/> .",
    "^^xsd:string",
    "_:b0",
    "#",
    "%",
    "%zz",
    "&amp;",
    ";",
    " . ",
    "\n",
    "\r\n",
    "\t",
    "\x0b\x0c\x1f\x7f",
    "\u0085\u2028\u2029",
    "🎉",
    "👩🏽‍⚖️",
    "🏳️‍🌈",
    "مرحبا بالعالم",
    "שלום",
    "\u202e",  # right-to-left override
    "\u202d\u202c",
    "\u200f\u200e",
    "\u200b",  # zero-width space
    "\u200c\u200d",
    "\u2060",
    "\ufeff",
    "e\u0301",
    "ǅ",
    "ﬃ",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "x" * 400,  # a very long token
    "Ж" * 120,
]

# NUL makes a text file binary (refused by design), so it is left out here.
hostile = st.lists(
    st.one_of(st.sampled_from(HOSTILE), st.text(max_size=6)), min_size=1, max_size=5
).map(lambda parts: "".join(parts).replace("\0", ""))
FIRST = ["Anna", "Lena", "Omar", "Zoë", "Jan", "Marta", "Hana", "Ivo"]
LAST = ["Berg", "Varga", "Haddad", "Müller", "Novák", "Kowalska", "Yasin", "Lind"]
name_part = st.one_of(st.sampled_from(LAST), hostile)
# A name: a plain first name, then a surname that may be hostile or may carry hostile text.
person = st.builds(
    lambda first, middle, last: f"{first} {middle}{last}".strip(),
    st.sampled_from(FIRST),
    st.one_of(st.just(""), hostile),
    name_part,
)


def _file_name(text: str) -> str:
    """A file name Linux takes: no '/', no NUL, not hidden, at most 255 bytes with .txt."""
    name = "doc " + text.replace("/", "∕").replace("\0", "")
    while len(name.encode("utf-8")) > 240:
        name = name[:-1]
    return name + ".txt"


@dataclass(frozen=True)
class Corpus:
    """What one example writes: file name (or JSONL id) -> (text, title)."""

    files: dict[str, tuple[str, str | None]]
    records: dict[str, tuple[str, str | None]]


@st.composite
def corpora(draw: st.DrawFn) -> Corpus:
    speaker, other = draw(person), draw(person)
    quote, clause, title = draw(hostile), draw(hostile), draw(hostile)
    conference = (
        f"BRUSSELS — {speaker}, a member of the European Parliament, spoke on Monday.\n\n"
        f"{speaker} said: “{quote}”\n\n"
        f"{other} told reporters that {clause}.\n"
    )
    live = f"{other}, MEP\n\n“{quote} is not acceptable,” {other} said.\n"
    files = {
        _file_name(draw(hostile)): (conference, None),
        "live.md": (f"# {title}\n\n{live}", title.strip() or None),
    }
    record_id = "wire-" + draw(hostile)
    records = {record_id: (f"{speaker} said on Monday: “{clause}”\n", title.strip() or None)}
    return Corpus(files, records)


def write(corpus: Corpus, folder: Path) -> dict[str, Article]:
    """Write the corpus as .txt/.md files, one .html page and a .jsonl; id -> article read.

    The articles are what ingest read (the page's text, the Markdown title line): this
    file tests that what was read reaches every output exactly, not how it was read.
    """
    folder.mkdir()
    for name, (text, _) in corpus.files.items():
        (folder / name).write_bytes(text.encode("utf-8"))
    lines = [
        json.dumps({"id": record_id, "text": text, "title": title})
        for record_id, (text, title) in corpus.records.items()
    ]
    (folder / "wire.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # A page: the same hostile words, escaped as HTML, read back as text.
    first_text = next(iter(corpus.files.values()))[0]
    body = "".join(f"<p>{html.escape(p)}</p>" for p in first_text.split("\n\n"))
    page = f"<html><head><title>{html.escape(first_text[:80])}</title></head><body>{body}"
    (folder / "page.html").write_text(page, encoding="utf-8")
    read = list(iter_inputs([folder]))
    assert all(isinstance(item, Article) for item in read), read
    return {a.id: a for a in read if isinstance(a, Article)}


# -- reading the outputs back ------------------------------------------------------------------


@contextmanager
def rdflib_quiet() -> Iterator[None]:
    """rdflib's TriG/N-Quads/JSON-LD parsers warn about its own deprecated internals."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def rdflib_triples(path: Path, fmt: str) -> Graph:
    graph = Graph()
    with rdflib_quiet():
        if fmt in ("trig", "nquads"):
            dataset = Dataset()
            dataset.parse(path, format=fmt)
            for s, p, o, _ in dataset.quads((None, None, None, None)):
                graph.add((s, p, o))
        else:
            graph.parse(path, format=fmt)
    return graph


OX_FORMATS = {
    "graph.ttl": ox.RdfFormat.TURTLE,
    "graph.trig": ox.RdfFormat.TRIG,
    "graph.nq": ox.RdfFormat.N_QUADS,
    "graph.jsonld": ox.RdfFormat.JSON_LD,
}
RDFLIB_FORMATS = {
    "graph.ttl": "turtle",
    "graph.trig": "trig",
    "graph.nq": "nquads",
    "graph.jsonld": "json-ld",
}


def ox_triples(data: bytes | Path, fmt: ox.RdfFormat) -> set[ox.Triple]:
    if isinstance(data, Path):
        return {q.triple for q in ox.parse(path=data, format=fmt)}
    return {q.triple for q in ox.parse(data, format=fmt)}


def to_ox(graph: Graph) -> set[ox.Triple]:
    """rdflib triples as pyoxigraph terms (the graphs hold IRIs and literals only)."""

    def term(node: object) -> ox.NamedNode | ox.Literal:
        if isinstance(node, URIRef):
            return ox.NamedNode(str(node))
        assert isinstance(node, Literal), node
        if node.language:
            return ox.Literal(str(node), language=node.language)
        datatype = ox.NamedNode(str(node.datatype)) if node.datatype else None
        return ox.Literal(str(node), datatype=datatype)

    return {ox.Triple(term(s), term(p), term(o)) for s, p, o in graph}  # type: ignore[arg-type]


_MINTED = re.compile(re.escape(DEFAULT_BASE) + r"[a-z]+/[a-z0-9-]+")


def check_build(out: Path, articles: dict[str, Article], corpus: Corpus) -> None:
    # 1. Every output parses in pyoxigraph, and all four hold the same triples.
    by_ox = {name: ox_triples(out / name, fmt) for name, fmt in OX_FORMATS.items()}
    reference = by_ox["graph.ttl"]
    assert reference
    for name, triples in by_ox.items():
        assert triples == reference, name
    assert isinstance(json.loads((out / "people.json").read_bytes()), dict)
    # 2. ... and in rdflib, isomorphic to each other.
    by_rdflib = {name: rdflib_triples(out / name, fmt) for name, fmt in RDFLIB_FORMATS.items()}
    turtle = by_rdflib["graph.ttl"]
    for name, graph in by_rdflib.items():
        assert isomorphic(graph, turtle), name
    assert to_ox(turtle) == reference  # the two parsers read the same terms
    # 3. Round trips: pyoxigraph writes each format and rdflib reads it back, and back again.
    for fmt, rdflib_fmt in (
        (ox.RdfFormat.TURTLE, "turtle"),
        (ox.RdfFormat.N_TRIPLES, "nt"),
        (ox.RdfFormat.JSON_LD, "json-ld"),
    ):
        data = ox.serialize(sorted(reference, key=str), format=fmt)
        assert data is not None
        with rdflib_quiet():
            again = Graph().parse(data=data.decode("utf-8"), format=rdflib_fmt)
        assert isomorphic(again, turtle), fmt
    graph_name = ox.NamedNode("urn:x-test:g")
    for fmt, rdflib_fmt in ((ox.RdfFormat.TRIG, "trig"), (ox.RdfFormat.N_QUADS, "nquads")):
        quads = sorted((ox.Quad(*t, graph_name) for t in reference), key=str)
        data = ox.serialize(quads, format=fmt)
        assert data is not None
        path = out / f"again.{rdflib_fmt}"
        path.write_bytes(data)
        assert isomorphic(rdflib_triples(path, rdflib_fmt), turtle), fmt
    for rdflib_fmt, fmt in (
        ("turtle", ox.RdfFormat.TURTLE),
        ("trig", ox.RdfFormat.TRIG),
        ("nquads", ox.RdfFormat.N_QUADS),
        ("json-ld", ox.RdfFormat.JSON_LD),
    ):
        with rdflib_quiet():
            dataset = Dataset()
            named = dataset.graph(URIRef("urn:x-test:g"))
            for triple in turtle:
                named.add(triple)
            source = turtle if rdflib_fmt in ("turtle", "json-ld") else dataset
            written = source.serialize(format=rdflib_fmt, encoding="utf-8")
        assert ox_triples(written, fmt) == reference, rdflib_fmt
    # 4. Minted IRIs: local names of [a-z0-9-] only, whatever the names held.
    for triple in reference:
        for node in (triple.subject, triple.predicate, triple.object):
            if isinstance(node, ox.NamedNode) and node.value.startswith(DEFAULT_BASE):
                assert _MINTED.fullmatch(node.value), node.value
    # 5. Literals come back exactly: ids, titles, and the text at every evidence's offsets.
    ids = {str(o) for o in turtle.objects(None, DCTERMS.identifier)}
    assert ids == set(articles) and set(corpus.records) <= ids
    titles = {str(o) for o in turtle.objects(None, DCTERMS.title)}
    assert titles == {a.title for a in articles.values() if a.title}
    by_doc = {doc: str(turtle.value(doc, DCTERMS.identifier)) for doc in ids_of(turtle)}
    for evidence, doc in turtle.subject_objects(OA.hasSource):
        start, end, exact = quoted_span(turtle, evidence)
        assert articles[by_doc[doc]].text[start:end] == exact


def quoted_span(graph: Graph, evidence: Node) -> tuple[int, int, str]:
    """``(oa:start, oa:end, oa:exact)`` of an evidence, from its two selectors."""
    found: dict[URIRef, Node] = {}
    for selector in graph.objects(evidence, OA.hasSelector):
        for key in (OA.start, OA.end, OA.exact):
            value = graph.value(selector, key)
            if value is not None:
                found[key] = value
    return int(found[OA.start]), int(found[OA.end]), str(found[OA.exact])


def ids_of(graph: Graph) -> list[URIRef]:
    return [d for d in graph.subjects(RDF.type, KG.SourceDocument) if isinstance(d, URIRef)]


@settings(
    max_examples=100,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(corpus=corpora())
def test_hostile_articles_build_and_every_output_round_trips(
    pipeline: Language, corpus: Corpus
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        articles = write(corpus, root / "in")
        result = build([root / "in"], pipeline, root / "out", DEFAULT_BASE)
        assert not result.errors, result.errors
        check_build(root / "out", articles, corpus)


def test_the_examples_reach_the_graph_with_their_hostile_text(pipeline: Language) -> None:
    """The property test is not vacuous: hostile names and quotes do become labels and exacts."""
    corpus = Corpus(
        {
            'doc "<{x}>"\n\u202e.txt': (
                "BRUSSELS — Lena Varga\\u0022, a member of the European Parliament, spoke.\n\n"
                'Lena Varga\\u0022 said: “We refuse \\ "this" <b>{bill}</b> \u200b🎉 שלום.”\n',
                None,
            ),
        },
        {'wire-"}\n#': ("Marta Kowalska\\\\ said on Monday: “No {more} \\u0022.”\n", 'T "<>"')},
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        articles = write(corpus, root / "in")
        result = build([root / "in"], pipeline, root / "out", DEFAULT_BASE)
        assert not result.errors
        check_build(root / "out", articles, corpus)
        graph = rdflib_triples(root / "out" / "graph.ttl", "turtle")
    labels = {str(o) for o in graph.objects(None, SKOS.prefLabel)}
    assert {"Lena Varga\\u0022", "Marta Kowalska\\\\"} <= labels
    exacts = {str(o) for o in graph.objects(None, OA.exact)}
    assert any('\\ "this" <b>{bill}</b> \u200b🎉' in e for e in exacts), exacts
    assert {str(o) for o in graph.objects(None, DCTERMS.identifier)} >= {
        'doc "<{x}>"\n\u202e.txt',
        'wire-"}\n#',
    }


@pytest.mark.parametrize("text", HOSTILE)
def test_each_hostile_piece_alone_in_a_quotation(pipeline: Language, text: str) -> None:
    corpus = Corpus(
        {"a.txt": (f"Anna Berg, a member of the European Parliament, said: “{text} no.”\n", None)},
        {"w": (f"Lena Varga{text} said on Monday: “{text}”\n", text.strip() or None)},
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        articles = write(corpus, root / "in")
        result = build([root / "in"], pipeline, root / "out", DEFAULT_BASE)
        assert not result.errors
        check_build(root / "out", articles, corpus)
