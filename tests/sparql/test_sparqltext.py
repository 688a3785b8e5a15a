"""Reading a SPARQL text before it runs: form, updates, SERVICE, LOAD, VALUES binding."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.sparql.text import BindError, Form, bind_values, read, tokens, undeclared_prefixes

P = "PREFIX kg: <https://w3id.org/newskg/ontology#>\n"


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", Form.SELECT),
        (P + "select ?s { ?s a kg:Person }", Form.SELECT),
        ("BASE <http://e/> PREFIX : <http://e/> ASK { :a :b :c }", Form.ASK),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", Form.CONSTRUCT),
        ("DESCRIBE <http://e/a>", Form.DESCRIBE),
        ("# a comment naming INSERT\nSELECT * {}", Form.SELECT),
        ("INSERT DATA { <http://e/a> <http://e/b> 1 }", Form.UPDATE),
        (P + "WITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", Form.UPDATE),
        ("drop all", Form.UPDATE),
        ("LOAD <http://e/data.ttl>", Form.UPDATE),
        ("nonsense", Form.UNKNOWN),
    ],
)
def test_form(text: str, form: Form) -> None:
    assert read(text).form is form


@pytest.mark.parametrize(
    ("text", "updates"),
    [
        ("INSERT DATA { <http://e/a> <http://e/b> 1 }", ("INSERT",)),
        ("DELETE WHERE { ?s ?p ?o }", ("DELETE",)),
        ("CLEAR ALL ; DROP GRAPH <http://e/g>", ("CLEAR", "DROP")),
        ("CREATE GRAPH <http://e/g>", ("CREATE",)),
        ("ADD <http://e/a> TO <http://e/b>", ("ADD",)),
        ("MOVE DEFAULT TO <http://e/b>", ("MOVE",)),
        ("COPY <http://e/a> TO DEFAULT", ("COPY",)),
        ("LOAD SILENT <http://e/x> INTO GRAPH <http://e/g>", ("LOAD",)),
    ],
)
def test_update_operations_are_named(text: str, updates: tuple[str, ...]) -> None:
    info = read(text)
    assert info.is_update
    assert info.updates == updates
    assert info.loads == ("LOAD" in updates)


SERVICE_IRI = "<http://127.0.0.1:9/sparql>"


@pytest.mark.parametrize(
    "text",
    [
        f"SELECT * WHERE {{ SERVICE {SERVICE_IRI} {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent {SERVICE_IRI} {{ ?s ?p ?o }} }}",
        "SELECT * WHERE { ?a ?b ?c . SERVICE ?endpoint { ?s ?p ?o } }",
        # A dot that ends a triple is not the start of a word that swallows the keyword.
        f"SELECT * WHERE {{ ?a ?b ?c .SERVICE {SERVICE_IRI} {{ }} }}",
        # A '#' inside a string does not start a comment that would hide the SERVICE.
        f'SELECT * WHERE {{ BIND("#" AS ?x) SERVICE {SERVICE_IRI} {{ ?s ?p ?o }} }}',
        # Nor does a '#' inside an IRI.
        f"SELECT * WHERE {{ <http://e/#a> ?p ?o . SERVICE {SERVICE_IRI} {{ ?s ?p ?o }} }}",
        # An escaped quote does not end the string early.
        f'SELECT * WHERE {{ BIND("a\\"" AS ?x) SERVICE {SERVICE_IRI} {{ ?s ?p ?o }} }}',
        # '<' as an operator is not an IRI that could swallow the keyword.
        f"SELECT * WHERE {{ FILTER(?x<1)SERVICE {SERVICE_IRI} {{ ?s ?p ?o }} }}",
        # Code point escapes, which an engine may decode before parsing.
        f"SELECT * WHERE {{ \\u0053ERVICE {SERVICE_IRI} {{ ?s ?p ?o }} }}",
        # pyoxigraph reads an escape inside an IRI, so the '#' after it is in the IRI.
        f"SELECT * WHERE {{ <http://e/\\u0041#x> ?p ?o SERVICE {SERVICE_IRI} {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE {SERVICE_IRI} {{ ?s ?p ?o }} }} }}",
        f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE {SERVICE_IRI} {{ ?s ?p ?o }} }}",
    ],
)
def test_service_is_found(text: str) -> None:
    assert read(text).services


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://e/> { }" }',
        "SELECT * WHERE { ?s ?p 'service' }",
        'SELECT * WHERE { ?s ?p """a\nSERVICE <http://e/> {}\n""" }',
        "# SERVICE <http://e/> in a comment\nSELECT * WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE",
        "SELECT * WHERE { ?s <http://e/SERVICE> ?service }",
        "PREFIX service: <http://e/> SELECT * WHERE { ?s service:SERVICE ?o }",
        'SELECT * WHERE { ?s ?p ?o FILTER(?o = "it\'s a \\"SERVICE\\"") }',
    ],
)
def test_service_in_strings_comments_iris_and_names_is_not_a_clause(text: str) -> None:
    assert not read(text).services
    # ... and each of these texts is a query pyoxigraph accepts.
    ox.Store().query(text)


def test_variables_are_collected() -> None:
    info = read('SELECT ?a WHERE { ?a ?b $c . FILTER(?d = "?e") } # ?f')
    assert info.variables == {"a", "b", "c", "d"}


def test_tokens_keep_strings_whole() -> None:
    toks = list(tokens('SELECT ?x { BIND("a } b" AS ?x) }'))
    assert [t.text for t in toks if t.kind == "string"] == ['"a } b"']
    assert [t.text for t in toks if t.kind == "punct" and t.text in "{}"] == ["{", "}"]


def _run(text: str) -> list[list[str]]:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/label"), ox.Literal("A")))
    store.add(ox.Quad(ox.NamedNode("http://e/b"), ox.NamedNode("http://e/label"), ox.Literal("B")))
    solutions = store.query(text)
    assert isinstance(solutions, ox.QuerySolutions)
    return [[str(t) for t in s] for s in solutions]


def test_values_bind_inside_the_where_group_where_filters_see_them() -> None:
    text = "SELECT ?s ?name WHERE { ?s <http://e/label> ?l FILTER(LCASE(?l) = LCASE(?name)) }"
    bound = bind_values(text, {"name": str(ox.Literal("b"))})
    assert _run(bound) == [["<http://e/b>", '"b"']]


def test_values_around_a_subselect_and_after_a_construct_template() -> None:
    sub = "SELECT ?s ?name WHERE { { SELECT ?s WHERE { ?s ?p ?o } } }"
    assert len(_run(bind_values(sub, {"name": '"x"'}))) == 2
    construct = "CONSTRUCT { ?s <http://e/p> ?name } WHERE { ?s <http://e/label> ?name }"
    bound = bind_values(construct, {"name": '"A"'})
    assert len(list(ox.Store().query(bound))) == 0  # parses; the empty store has no ?s
    with pytest.raises(BindError):
        bind_values("CONSTRUCT WHERE { ?s ?p ?name }", {"name": '"A"'})
    with pytest.raises(BindError):
        bind_values("DESCRIBE <http://e/a>", {"name": '"A"'})


@pytest.mark.parametrize(
    "value",
    ['x" } ; DROP ALL ; #', "> } INSERT DATA {", "a\nb\r\nc", "back\\slash", '"""', "'"],
)
def test_values_of_escaped_terms_never_change_the_query(value: str) -> None:
    bound = bind_values("SELECT ?name WHERE { }", {"name": str(ox.Literal(value))})
    assert read(bound).form is Form.SELECT and not read(bound).updates
    solutions = ox.Store().query(bound)
    assert isinstance(solutions, ox.QuerySolutions)
    assert [s["name"].value for s in solutions] == [value]


def test_undeclared_prefixes() -> None:
    text = "PREFIX kg: <http://e/> SELECT * { ?s a kg:X ; skos:prefLabel ?l ; <http://e/#b> 'x:y' }"
    assert undeclared_prefixes(text) == {"skos"}
