"""Query safety: values reach SPARQL only as bound values, from --param and from the articles.

An article introduces speakers whose names, as the extractor takes them, hold what would
end a SPARQL string or unescape into one: a backslash at the end (``Anna Berg\\``), two
backslashes, a code point escape spelled out (``Lena Varga\\u0022``, which a query text
built by pasting would read as ``"``), and an apostrophe with SQL-style debris. The
build goes into an on-disk store and, through ``kg load``, into a real ``oxigraph
serve``. Each shipped query runs with those names and with injection payloads as
``--param`` values, on the build folder, the store and the endpoint: the answers are
exactly the positions the graph holds for that name (counted apart with rdflib), a
near-miss name finds nothing, and the store and the server hold the same quads after
as before.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal
from rdflib.namespace import SKOS

from kg.cli import main
from kg.graph.vocab import KG
from kg.sparql import shipped
from tests.oxigraph_server import OxigraphServer
from tests.sparql.test_query import PAYLOADS
from tests.sparql.test_query_endpoint import _serve

ARTICLE = """BRUSSELS — Lena Varga\\u0022, a member of the European Parliament, opened the hearing \
on Monday.

Lena Varga\\u0022 said: “The sanctions must stay in place.”

Marta Kowalska\\\\, a lawyer from Warsaw, disagreed. “We need a different approach,” Marta \
Kowalska\\\\ said.

Jan O'Varga'); DROP, the committee's rapporteur, told reporters that the vote would be close.

“Nobody expected this,” said Anna Berg\\, a spokesperson for the Press Liberty Network.
"""
# name as extracted -> a near miss that pasted query text would have confused with it
HOSTILE_NAMES = {
    "Lena Varga\\u0022": 'Lena Varga"',
    "Marta Kowalska\\\\": "Marta Kowalska\\",
    "Anna Berg\\": "Anna Berg",
    "Jan O'Varga": "Jan O\\'Varga",
}
MORE_PAYLOADS = [
    *PAYLOADS,
    "x\\u0022 } ; DROP ALL ; #",
    "\\u0022) } DELETE WHERE { ?s ?p ?o } #",
    "<https://w3id.org/newskg/id/x> } ; CLEAR ALL",
    '" . } INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } } #',
    "' OR '1'='1",
]


def kg(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def rows(*args: str) -> list[dict[str, str]]:
    code, out, err = kg("query", *args, "--format", "json")
    assert code == 0, err
    bindings = json.loads(out)["results"]["bindings"]
    return [{k: v["value"] for k, v in b.items()} for b in bindings]


@dataclass(frozen=True)
class Built:
    out: Path
    store: Path
    graph: Graph


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("injection")
    (root / "in").mkdir()
    (root / "in" / "hearing.txt").write_text(ARTICLE, encoding="utf-8")
    out, store = root / "out", root / "store"
    code, _, err = kg("build", str(root / "in"), "-o", str(out), "--store", str(store))
    assert code == 0, err
    return Built(out, store, Graph().parse(out / "graph.ttl", format="turtle"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, built: Built) -> Iterator[str]:
    """The build loaded by ``kg load --endpoint``, then served with the union default graph."""
    location = tmp_path_factory.mktemp("injection-oxigraph")
    loading = OxigraphServer(location)
    try:
        code, _, err = kg("load", str(built.out), "--endpoint", loading.store)
        assert code == 0, err
    finally:
        loading.stop()
    yield from _serve("--location", str(location), "--union-default-graph")


def store_quads(path: Path) -> set[str]:
    store = ox.Store.read_only(str(path))
    try:
        return {str(q) for q in store}
    finally:
        del store


def server_quads(server: str) -> set[tuple[str, ...]]:
    query = urllib.parse.urlencode({"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"})
    request = urllib.request.Request(
        f"{server}/query?{query}", headers={"Accept": "application/sparql-results+json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        bindings = json.load(response)["results"]["bindings"]
    return {tuple(b[k]["value"] for k in "spog") for b in bindings}


def positions_of(graph: Graph, label: str) -> int:
    """Positions whose speaker has this label, counted without SPARQL."""
    people = set(graph.subjects(SKOS.prefLabel, Literal(label)))
    people |= set(graph.subjects(SKOS.altLabel, Literal(label)))
    return len({p for person in people for p in graph.subjects(KG.speaker, person)})


def test_the_hostile_names_were_extracted(built: Built) -> None:
    labels = {str(o) for o in built.graph.objects(None, SKOS.prefLabel)}
    assert set(HOSTILE_NAMES) <= labels
    assert all(positions_of(built.graph, name) >= 1 for name in HOSTILE_NAMES)


def sources(built: Built, server: str) -> dict[str, list[str]]:
    return {
        "data": ["--data", str(built.out)],
        "store": ["--store", str(built.store)],
        "endpoint": ["--endpoint", f"{server}/query"],
    }


@pytest.mark.parametrize("where", ["data", "store", "endpoint"])
@pytest.mark.parametrize("name", sorted(HOSTILE_NAMES))
def test_a_hostile_name_finds_exactly_its_positions(
    built: Built, server: str, where: str, name: str
) -> None:
    source = sources(built, server)[where]
    found = rows("positions-of-person", *source, "--param", f"name={name}")
    assert len(found) == positions_of(built.graph, name)
    assert {r["speaker"] for r in found} == {name}
    assert rows("positions-of-person", *source, "--param", f"name={HOSTILE_NAMES[name]}") == []


def test_payloads_in_every_parameter_of_every_shipped_query_change_nothing(
    built: Built, server: str
) -> None:
    before_store, before_server = store_quads(built.store), server_quads(server)
    before_files = {p.name: p.read_bytes() for p in built.out.iterdir() if p.is_file()}
    runs = 0
    for query in shipped():
        for param in query.params:
            for payload in [*MORE_PAYLOADS, *HOSTILE_NAMES]:
                for where, source in sources(built, server).items():
                    if where == "endpoint" and payload not in MORE_PAYLOADS[-5:]:
                        continue  # the endpoint gets the new payloads; test_query_endpoint the rest
                    code, _, err = kg(
                        "query", query.name, *source, "--param", f"{param.name}={payload}"
                    )
                    assert code == 0, (query.name, param.name, payload, where, err)
                    runs += 1
    assert runs > 300
    assert store_quads(built.store) == before_store
    assert server_quads(server) == before_server
    assert {p.name: p.read_bytes() for p in built.out.iterdir() if p.is_file()} == before_files


@pytest.mark.parametrize("payload", MORE_PAYLOADS)
def test_a_payload_comes_back_as_the_same_value(built: Built, payload: str) -> None:
    echoed = rows("SELECT ?v WHERE { }", "--store", str(built.store), "--param", f"v={payload}")
    (only,) = echoed
    if not payload.startswith(('"', "<")):
        assert only == {"v": payload}
