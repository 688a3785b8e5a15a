"""kg.validate.engine and kg.validate.minisparql held to pySHACL and pyoxigraph on real graphs.

A build checks each document graph apart and then the entities on everything all
documents say about them (kg.write.render, kg.validate.cross_document); these tests require
that to find exactly what pySHACL finds on the whole graph, report graph and all.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from kg import resources
from kg.validate import (
    Report,
    _validate_with_pyshacl,
    cross_document,
    engine,
    minisparql,
    report,
    validate,
)
from kg.validate.engine import Shapes
from kg.validate.index import Data, Unsupported
from kg.write.jsonld import JsonLdContext
from kg.write.parts import decode_triple
from kg.write.render import render
from kg.write.syntax import turtle
from tests.conftest import EXAMPLES, ROOT

HERE = ROOT / "tests" / "validate" / "shapes"
FIXTURES = sorted((HERE / "conforming").glob("*.ttl")) + sorted(
    (HERE / "nonconforming").glob("*.ttl")
)
KG = "https://w3id.org/newskg/ontology#"
ID = "https://w3id.org/newskg/id/"
ENTITIES = ("/person/", "/organization/", "/place/", "/event/", "/role/")

Triple = tuple[Node, Node, Node]


def outcomes(report_graph: Graph) -> list[tuple[str, ...]]:
    """Every result with everything pySHACL says of it, blank nodes named '_:'."""
    predicates = (
        SH.focusNode,
        SH.resultPath,
        SH.sourceShape,
        SH.sourceConstraintComponent,
        SH.value,
        SH.resultMessage,
        SH.resultSeverity,
        SH.sourceConstraint,
    )
    found = []
    for node in report_graph.subjects(RDF.type, SH.ValidationResult):
        row = []
        for p in predicates:
            values = sorted(
                "_:" if isinstance(v, BNode) else v.n3() for v in report_graph.objects(node, p)
            )
            row.append(" ".join(values))
        found.append(tuple(row))
    return sorted(found)


def assert_same(fast: Report, slow: Report) -> None:
    assert fast.conforms == slow.conforms
    assert outcomes(fast.graph) == outcomes(slow.graph)
    assert isomorphic(fast.graph, slow.graph)
    # Both reports are labelled by RDFC-1.0 (kg.validate.report): isomorphic is identical.
    assert turtle(fast.graph) == turtle(slow.graph)
    assert fast.results == slow.results


@pytest.fixture(scope="module")
def built_out(pipeline: object, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The examples built by kg build."""
    from kg.build import build
    from kg.graph.iri import DEFAULT_BASE

    out = tmp_path_factory.mktemp("scale-validate")
    result = build([EXAMPLES], pipeline, out, DEFAULT_BASE)  # type: ignore[arg-type]
    assert result.report.conforms
    return out


@pytest.fixture(scope="module")
def built(built_out: Path) -> Graph:
    """The union of the examples' document graphs."""
    return Graph().parse(built_out / "graph.ttl")


def test_the_shipped_shapes_are_compiled_not_handed_to_pyshacl() -> None:
    checker = engine()
    assert isinstance(checker, Shapes)
    assert len(checker.roots) >= 12
    # Both SPARQL constraints are evaluated in Python, not loaded into pyoxigraph.
    assert checker.sparql and all(c.select is not None for c in checker.sparql)


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_each_fixture_gives_pyshacls_report(path: Path) -> None:
    data = Graph().parse(path)
    assert_same(validate(data), _validate_with_pyshacl(data, None))


def test_a_build_gives_pyshacls_report(built: Graph) -> None:
    assert_same(validate(built), _validate_with_pyshacl(built, None))


def _mutations(graph: Graph, seed: int) -> Iterable[tuple[str, Graph]]:
    """The build's graph broken in ways the shapes catch: a value dropped, retyped ..."""
    rnd = random.Random(seed)
    triples = sorted(graph, key=lambda t: tuple(str(x) for x in t))
    for _ in range(12):
        broken = Graph()
        kind = rnd.choice(["drop", "string", "integer", "lang", "blank", "swap"])
        victim = rnd.randrange(len(triples))
        for i, (s, p, o) in enumerate(triples):
            if i != victim:
                broken.add((s, p, o))
            elif kind == "string":
                broken.add((s, p, Literal(str(o))))
            elif kind == "integer":
                broken.add((s, p, Literal(len(str(o)))))
            elif kind == "lang":
                broken.add((s, p, Literal(str(o), lang="en")))
            elif kind == "blank":
                broken.add((s, p, BNode("b1")))
            elif kind == "swap":
                broken.add((o if isinstance(o, URIRef) else s, p, s))
        yield f"{kind} {triples[victim][1]}", broken


@pytest.mark.parametrize("seed", range(4))
def test_broken_builds_give_pyshacls_report(built: Graph, seed: int) -> None:
    for what, broken in _mutations(built, seed):
        fast, slow = validate(broken), _validate_with_pyshacl(broken, None)
        assert fast.conforms == slow.conforms, what
        assert outcomes(fast.graph) == outcomes(slow.graph), what


def _documents(graph_nq: Path) -> dict[URIRef, list[Triple]]:
    found: dict[URIRef, list[Triple]] = {}
    for quad in ox.parse(path=graph_nq, format=ox.RdfFormat.N_QUADS):
        found.setdefault(URIRef(quad.graph_name.value), []).append(_rdflib_triple(quad))
    return found


def _rdflib_term(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    assert isinstance(term, ox.Literal)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == str(XSD.string):
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _rdflib_triple(quad: ox.Quad) -> Triple:
    return (_rdflib_term(quad.subject), _rdflib_term(quad.predicate), _rdflib_term(quad.object))


def by_documents(documents: dict[URIRef, list[Triple]]) -> Report:
    """What a build does: each document graph checked apart, then across documents."""
    checker = engine()
    assert checker is not None
    context = JsonLdContext(resources.context())

    def shared(node: Node) -> bool:
        return any(kind in str(node) for kind in ENTITIES)

    findings, encoded = [], set()
    for name, triples in documents.items():
        parts = render(name, triples, context, shared, checker)
        findings.extend(parts.findings)
        encoded.update(parts.shared + parts.targets)
    across = [decode_triple(text) for text in sorted(encoded)]
    return report([*findings, *cross_document(checker, across, shared)])


def _union(documents: dict[URIRef, list[Triple]]) -> Graph:
    union = Graph()
    for triples in documents.values():
        for triple in triples:
            union.add(triple)
    return union


def test_documents_apart_then_across_find_what_the_whole_graph_has(tmp_path: Path) -> None:
    """Conflicts only the union shows: two labels, two start dates, a label also an alias."""
    doc1, doc2 = URIRef(ID + "document/aaaa"), URIRef(ID + "document/bbbb")
    person, event = URIRef(ID + "person/ana-1"), URIRef(ID + "event/summit-2")
    pref, alt, start = (
        URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"),
        URIRef("http://www.w3.org/2004/02/skos/core#altLabel"),
        URIRef("http://schema.org/startDate"),
    )
    documents: dict[URIRef, list[Triple]] = {}
    for doc, label, date in ((doc1, "Ana Lind", "2024"), (doc2, "Ana", "2025")):
        documents[doc] = [
            (doc, RDF.type, URIRef(KG + "SourceDocument")),
            (doc, URIRef("http://purl.org/dc/terms/identifier"), Literal(f"{doc[-4:]}.txt")),
            (doc, URIRef(KG + "contentSha256"), Literal("a" * 64)),
            (person, RDF.type, URIRef(KG + "Person")),
            (person, pref, Literal(label)),
            (person, URIRef(KG + "mentionedIn"), doc),
            (event, RDF.type, URIRef(KG + "Event")),
            (event, pref, Literal("Summit")),
            (event, URIRef(KG + "mentionedIn"), doc),
            (event, start, Literal(date, datatype=XSD.gYear)),
        ]
    documents[doc2].append((person, alt, Literal("Ana Lind")))
    apart = by_documents(documents)
    whole = _validate_with_pyshacl(_union(documents), None)
    assert not whole.conforms
    assert_same(apart, whole)
    (tmp_path / "graph.nq").write_bytes(_nquads(documents))
    assert_same(by_documents(_documents(tmp_path / "graph.nq")), whole)


def _nquads(documents: dict[URIRef, list[Triple]]) -> bytes:
    """The documents as N-Quads, one named graph each (rdflib's terms as N-Triples)."""
    lines = [
        f"{s.n3()} {p.n3()} {o.n3()} {name.n3()} .\n"
        for name, triples in documents.items()
        for s, p, o in triples
    ]
    return "".join(lines).encode()


def test_a_build_checked_by_documents_equals_the_whole_graph(built_out: Path) -> None:
    documents = _documents(built_out / "graph.nq")
    assert_same(by_documents(documents), _validate_with_pyshacl(_union(documents), None))


@pytest.mark.parametrize("seed", range(3))
def test_broken_documents_checked_apart_equal_the_whole_graph(built_out: Path, seed: int) -> None:
    """Values broken in one document graph (each still types what it points at)."""
    documents = _documents(built_out / "graph.nq")
    rnd = random.Random(seed)
    names = sorted(documents)
    for _ in range(8):
        name = rnd.choice(names)
        triples = list(documents[name])
        index = rnd.randrange(len(triples))
        s, p, o = triples[index]
        kind = rnd.choice(["drop", "string", "integer", "lang"])
        if kind == "drop" and p == RDF.type:
            continue  # a document graph types what it names (kg.graph): keep it so
        changed = {
            "drop": [],
            "string": [(s, p, Literal(str(o)))],
            "integer": [(s, p, Literal(len(str(o))))],
            "lang": [(s, p, Literal(str(o), lang="en"))],
        }[kind]
        broken = {**documents, name: triples[:index] + changed + triples[index + 1 :]}
        whole = _validate_with_pyshacl(_union(broken), None)
        assert_same(by_documents(broken), whole)


def test_shapes_it_cannot_check_go_to_pyshacl() -> None:
    shapes = resources.shapes_graph()
    shape = URIRef("https://example.org/shapes#Nested")
    shapes.add((shape, RDF.type, SH.NodeShape))
    shapes.add((shape, SH.targetClass, URIRef(KG + "Person")))
    shapes.add((shape, SH.node, URIRef("https://w3id.org/newskg/shapes#IsTextQuoteSelector")))
    with pytest.raises(Unsupported):
        Shapes(shapes)
    assert engine(shapes) is None
    person = URIRef(ID + "person/x")
    data = Graph()
    data.add((person, RDF.type, URIRef(KG + "Person")))
    found = validate(data, shapes)  # pySHACL runs it: sh:node is reported
    components = {r.component for r in found.results}
    assert str(SH.NodeConstraintComponent) in components


# -- minisparql against pyoxigraph ----------------------------------------------------------

QUERIES = [
    # The shipped constraints' queries (targets added), then others of the same kind.
    *(c.query for c in (engine() or Shapes(Graph())).sparql),
    """PREFIX kg: <https://w3id.org/newskg/ontology#>
    SELECT ?p ?doc WHERE { ?p a kg:StatedPosition ; kg:appearsIn ?doc . FILTER (?doc = ?doc) }""",
    """PREFIX oa: <http://www.w3.org/ns/oa#>
    SELECT ?s ?w WHERE {
        ?s oa:start ?a ; oa:end ?b . BIND (?b - ?a AS ?w) FILTER (?w > 40 && ?w <= 90)
    }""",
    """PREFIX oa: <http://www.w3.org/ns/oa#>
    SELECT ?s ?x WHERE { ?s oa:exact ?e . BIND (STRLEN(?e) * 2 + 1 AS ?x) FILTER (!(?x < 20)) }""",
    """PREFIX kg: <https://w3id.org/newskg/ontology#>
    SELECT ?s ?o WHERE { { ?s kg:speaker ?o } UNION { ?s kg:addressee ?o } }""",
]


def _solutions_ox(graph: Graph, query: str) -> list[tuple[tuple[str, str], ...]]:
    store = ox.Store()
    store.load(graph.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES)
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    rows = []
    for solution in result:
        row = []
        for name in names:
            value = solution[name]
            if value is not None:
                term = _rdflib_term(value)
                row.append((name, _canonical(term)))
        rows.append(tuple(sorted(row)))
    return sorted(rows)


def _canonical(term: Node) -> str:
    if isinstance(term, Literal) and term.datatype is not None and term.value is not None:
        return f"{term.value!r}^^{term.datatype}"  # 3 and "3"^^xsd:integer alike
    return term.n3()


def _solutions_mini(graph: Graph, query: str) -> list[tuple[tuple[str, str], ...]]:
    select = minisparql.compile_select(query)
    rows = [
        tuple(sorted((name, _canonical(value)) for name, value in found.items()))
        for found in select.solutions(Data(graph))
    ]
    return sorted(rows)


@pytest.mark.parametrize("index", range(len(QUERIES)))
def test_minisparql_answers_as_pyoxigraph(built: Graph, index: int) -> None:
    query = QUERIES[index]
    want = _solutions_ox(built, query)
    assert _solutions_mini(built, query) == want
    for _, broken in _mutations(built, index):
        assert _solutions_mini(broken, query) == _solutions_ox(broken, query)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s WHERE { ?s ?p ?o }",  # a predicate variable
        "SELECT ?s WHERE { ?s <https://x/p>/<https://x/q> ?o }",  # a path
        "SELECT ?s WHERE { ?s <https://x/p> ?o OPTIONAL { ?o <https://x/q> ?z } }",
        "ASK { ?s <https://x/p> ?o }",
    ],
)
def test_minisparql_refuses_what_it_does_not_evaluate(query: str) -> None:
    with pytest.raises(Unsupported):
        minisparql.compile_select(query)
