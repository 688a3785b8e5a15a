"""people.json: its documented shape, its agreement with the graph and with examples/."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import BNode, Graph, Literal, URIRef

from kg import resources
from kg.errors import KgError
from kg.graph.vocab import KG, RDF, SKOS
from kg.ingest import iter_inputs
from kg.model import Article
from kg.write import people
from tests.conftest import EXAMPLES, ROOT
from tests.oracles import people_frame

# The documented shape (docs/people-json.md) as a small schema: a dict is an object with
# exactly these keys, [x] a list of x, a tuple any one of its alternatives.
NAMED = {"id": str, "name": (str, type(None))}
DOCUMENT = {"id": str, "identifier": (str, type(None)), "title": (str, type(None))}
EVIDENCE = {
    "id": str,
    "text": (str, type(None)),
    "start": (int, type(None)),
    "end": (int, type(None)),
    "prefix": (str, type(None)),
    "suffix": (str, type(None)),
}
SCHEMA = {
    "people": [
        {
            "id": str,
            "name": (str, type(None)),
            "aliases": [str],
            "nationality": [NAMED],
            "memberships": [
                {
                    "id": str,
                    "organization": (NAMED, type(None)),
                    "role": (NAMED, type(None)),
                    "roleText": (str, type(None)),
                    "former": bool,
                    "document": (DOCUMENT, type(None)),
                    "evidence": [EVIDENCE],
                }
            ],
            "positions": [
                {
                    "id": str,
                    "proposition": (str, type(None)),
                    "direct": bool,
                    "cue": (str, type(None)),
                    "speechAct": (str, type(None)),
                    "stance": (str, type(None)),
                    "addressee": [NAMED],
                    "about": [NAMED],
                    "statedAt": [NAMED],
                    "document": (DOCUMENT, type(None)),
                    "evidence": [EVIDENCE],
                }
            ],
        }
    ]
}

PREFIXES = """
PREFIX kg: <https://w3id.org/newskg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


def problems(value: Any, shape: Any, where: str = "$") -> Iterator[str]:
    """Every place where ``value`` does not have ``shape``."""
    if isinstance(shape, tuple):
        found = [list(problems(value, alt, where)) for alt in shape]
        if all(found):
            yield f"{where}: {value!r} matches none of the alternatives: {found}"
    elif isinstance(shape, dict):
        if not isinstance(value, dict):
            yield f"{where}: expected an object, got {value!r}"
            return
        if list(value) != list(shape):
            yield f"{where}: keys {list(value)}, expected {list(shape)}"
        for key, inner in shape.items():
            if key in value:
                yield from problems(value[key], inner, f"{where}.{key}")
    elif isinstance(shape, list):
        if not isinstance(value, list):
            yield f"{where}: expected a list, got {value!r}"
            return
        for i, item in enumerate(value):
            yield from problems(item, shape[0], f"{where}[{i}]")
    elif shape is int and isinstance(value, bool):
        yield f"{where}: expected an integer, got {value!r}"
    elif not isinstance(value, shape):
        yield f"{where}: expected {shape.__name__}, got {value!r}"


@pytest.fixture(scope="module")
def data(examples_out: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((examples_out / "people.json").read_text("utf-8"))
    return loaded


@pytest.fixture(scope="module")
def graph(examples_out: Path) -> Graph:
    return Graph().parse(examples_out / "graph.ttl")


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    """The text of every example as kg build read it, by document identifier."""
    return {a.id: a.text for a in iter_inputs([EXAMPLES]) if isinstance(a, Article)}


def person(data: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [p for p in data["people"] if p["name"] == name]
    return found


def test_the_schema_check_catches_a_wrong_shape() -> None:
    good = {"people": []}
    assert not list(problems(good, SCHEMA))
    bad = {"people": [{"id": "x", "name": 3}]}
    assert list(problems(bad, SCHEMA))


def test_people_json_has_the_documented_shape(data: dict[str, Any]) -> None:
    assert data["people"], "examples/ name people"
    found = list(problems(data, SCHEMA))
    assert not found, "\n".join(found[:20])


def test_the_documented_shape_names_every_key() -> None:
    doc = (ROOT / "docs" / "people-json.md").read_text("utf-8")
    keys: set[str] = set()

    def collect(shape: Any) -> None:
        if isinstance(shape, dict):
            keys.update(shape)
            for inner in shape.values():
                collect(inner)
        elif isinstance(shape, list | tuple):
            for inner in shape:
                collect(inner)

    collect(SCHEMA)
    missing = sorted(k for k in keys if f"`{k}`" not in doc)
    assert not missing, f"docs/people-json.md does not document {missing}"


def test_every_person_of_the_graph_with_name_and_aliases(
    data: dict[str, Any], graph: Graph
) -> None:
    want = {}
    for iri in set(graph.subjects(RDF.type, KG.Person)):
        aliases = sorted(str(a) for a in graph.objects(iri, SKOS.altLabel))
        want[str(iri)] = (str(graph.value(iri, SKOS.prefLabel)), aliases)
    got = {p["id"]: (p["name"], p["aliases"]) for p in data["people"]}
    assert got == want


def test_positions_and_memberships_are_those_of_the_graph(
    data: dict[str, Any], graph: Graph
) -> None:
    """Framing embeds every position and membership under its person, none elsewhere."""
    query = (
        PREFIXES
        + """
        SELECT ?person ?item WHERE {
          ?person a kg:Person .
          { ?item kg:speaker ?person } UNION { ?item org:member ?person }
        }"""
    )
    want: dict[str, set[str]] = {}
    for row in graph.query(query):
        want.setdefault(str(row.person), set()).add(str(row.item))  # type: ignore[union-attr]
    got = {
        p["id"]: {x["id"] for x in p["positions"] + p["memberships"]}
        for p in data["people"]
        if p["positions"] or p["memberships"]
    }
    assert got == want


def test_each_position_carries_its_graph_values(data: dict[str, Any], graph: Graph) -> None:
    query = (
        PREFIXES
        + """
        SELECT ?pos ?proposition ?direct ?doc ?start ?end ?exact WHERE {
          ?pos a kg:StatedPosition ; kg:proposition ?proposition ; kg:isDirect ?direct ;
               kg:appearsIn/dcterms:identifier ?doc ;
               kg:evidence/oa:hasSelector ?ps, ?qs .
          ?ps oa:start ?start ; oa:end ?end .
          ?qs oa:exact ?exact .
        }"""
    )
    want = {
        str(r.pos): (
            str(r.proposition),
            r.direct.toPython(),
            str(r.doc),
            int(r.start),
            int(r.end),
            str(r.exact),
        )  # type: ignore[union-attr]
        for r in graph.query(query)
    }
    got = {}
    for p in data["people"]:
        for pos in p["positions"]:
            (ev,) = pos["evidence"]
            got[pos["id"]] = (
                pos["proposition"],
                pos["direct"],
                pos["document"]["identifier"],
                ev["start"],
                ev["end"],
                ev["text"],
            )
    assert got and set(got) <= set(want)
    assert {k: want[k] for k in got} == got


def test_about_addressee_and_occasion_are_named(data: dict[str, Any], graph: Graph) -> None:
    named = 0
    for p in data["people"]:
        for pos in p["positions"]:
            for key, prop in (
                ("about", KG.about),
                ("addressee", KG.addressee),
                ("statedAt", KG.statedAt),
            ):
                targets = sorted(str(t) for t in graph.objects(URIRef(pos["id"]), prop))
                assert sorted(t["id"] for t in pos[key]) == targets
                for t in pos[key]:
                    assert t["name"] == str(graph.value(URIRef(t["id"]), SKOS.prefLabel))
                    named += 1
    assert named > 0


def test_evidence_offsets_index_the_article_text(
    data: dict[str, Any], texts: dict[str, str]
) -> None:
    checked = 0
    for p in data["people"]:
        for item in p["positions"] + p["memberships"]:
            text = texts[item["document"]["identifier"]]
            for ev in item["evidence"]:
                assert text[ev["start"] : ev["end"]] == ev["text"]
                assert text[: ev["start"]].endswith(ev["prefix"])
                assert text[ev["end"] :].startswith(ev["suffix"])
                checked += 1
    assert checked > 50


def _section(text: str, heading: str) -> str:
    """The paragraphs under a live report's "Name, role" heading, up to the next heading."""
    after = text.split(heading + "\n", 1)[1]
    return re.split(r"\n\n\n", after, maxsplit=1)[0]


def test_aino_rautio_in_the_live_report(data: dict[str, Any], texts: dict[str, str]) -> None:
    """examples/02: "Aino Rautio, Finnish MEP, Vice-Chair of the Committee on Budgetary
    Control" speaks four sentences, in two paragraphs around a sub-heading."""
    document = "02-live-report-sanctions-hearing.txt"
    text = texts[document]
    section = _section(
        text, "Aino Rautio, Finnish MEP, Vice-Chair of the Committee on Budgetary Control"
    )
    paragraphs = [p for p in section.strip().split("\n\n") if p.rstrip().endswith(".")]
    sentences = [s for p in paragraphs for s in re.split(r"(?<=\.) ", p.strip())]
    assert len(sentences) == 4  # the article, not the extractor, says so

    rautio = person(data, "Aino Rautio")
    here = [pos for pos in rautio["positions"] if pos["document"]["identifier"] == document]
    assert [pos["evidence"][0]["text"] for pos in here] == sentences
    assert all(pos["direct"] for pos in here)
    assert [n["name"] for n in rautio["nationality"]] == ["Finland"]
    roles = {
        (m["organization"]["name"], m["role"]["name"], m["former"])
        for m in rautio["memberships"]
        if m["document"]["identifier"] == document
    }
    assert roles == {
        ("European Parliament", "Member of the European Parliament", False),
        ("Committee on Budgetary Control", "Vice-Chair", False),
    }


def test_a_former_minister_is_former(data: dict[str, Any]) -> None:
    """examples/02: "Paolo Ferrante, Former Italian Foreign Minister"."""
    ferrante = person(data, "Paolo Ferrante")
    (former,) = {
        (m["organization"]["name"], m["roleText"]) for m in ferrante["memberships"] if m["former"]
    }
    assert former == ("Government of Italy", "Former Italian Foreign Minister")


def test_two_novaks_are_two_people(data: dict[str, Any]) -> None:
    """The examples name Anna Novak (an MEP) and Peter Novak: two people, two entries."""
    anna, peter = person(data, "Anna Novak"), person(data, "Peter Novak")
    assert anna["id"] != peter["id"]
    assert "Subcommittee on Human Rights" in {
        m["organization"]["name"] for m in anna["memberships"]
    }
    assert not {pos["id"] for pos in anna["positions"]} & {pos["id"] for pos in peter["positions"]}


def test_sorted_people_positions_and_memberships(data: dict[str, Any]) -> None:
    keys = [(p["name"], p["id"]) for p in data["people"]]
    assert keys == sorted(keys)
    for p in data["people"]:
        for items in (p["positions"], p["memberships"]):
            order = [(x["document"]["identifier"], x["evidence"][0]["start"]) for x in items]
            assert order == sorted(order)
        assert p["aliases"] == sorted(p["aliases"])


def test_same_bytes_whatever_the_triple_order(examples_out: Path, graph: Graph) -> None:
    triples = sorted(graph, key=lambda t: tuple(str(x) for x in t))
    first = people.people_json(triples)
    assert people.people_json(list(reversed(triples))) == first
    assert (examples_out / "people.json").read_bytes() == first


def test_the_loader_serves_only_the_shipped_context() -> None:
    served = people_frame.document_loader(people_frame.CONTEXT_URL)
    assert served["document"] == resources.context()
    for url in ("https://schema.org/", "http://example.org/context.jsonld", "file:///etc/passwd"):
        with pytest.raises(KgError, match="nothing is downloaded"):
            people_frame.document_loader(url)


def test_framing_opens_no_connection(graph: Graph) -> None:
    """An audit hook sees every socket connection the interpreter makes; framing makes none."""
    seen: list[object] = []
    watching = [True]

    def hook(event: str, args: tuple[object, ...]) -> None:
        if watching[0] and event in ("socket.connect", "socket.getaddrinfo"):
            seen.append(args)

    sys.addaudithook(hook)  # cannot be removed; it stops listening after this test
    try:
        assert people.people(list(graph))
    finally:
        watching[0] = False
    assert seen == []


def test_an_empty_graph_has_no_people() -> None:
    assert json.loads(people.people_json([])) == {"people": []}


def test_a_blank_node_is_refused() -> None:
    person_iri = URIRef("https://w3id.org/newskg/id/person/x")
    triples = [
        (person_iri, RDF.type, KG.Person),
        (person_iri, SKOS.prefLabel, Literal("X")),
        (person_iri, KG.mentionedIn, BNode()),
        (person_iri, SKOS.altLabel, BNode()),
    ]
    with pytest.raises(KgError, match="blank node"):
        people.people_json(triples)


def test_a_lone_person_has_empty_lists() -> None:
    iri = URIRef("https://w3id.org/newskg/id/person/ana-1")
    got = json.loads(
        people.people_json([(iri, RDF.type, KG.Person), (iri, SKOS.prefLabel, Literal("Ana"))])
    )
    assert got == {
        "people": [
            {
                "id": str(iri),
                "name": "Ana",
                "aliases": [],
                "nationality": [],
                "memberships": [],
                "positions": [],
            }
        ]
    }


def test_a_reference_to_a_node_without_triples_is_kept() -> None:
    """A frame drops values that do not match it; ours match every node, labelled or not."""
    base = "https://w3id.org/newskg/id/"
    who, pos, topic = (
        URIRef(base + "person/ana-1"),
        URIRef(base + "position/p1"),
        URIRef(base + "topic/t"),
    )
    triples = [
        (who, RDF.type, KG.Person),
        (who, SKOS.prefLabel, Literal("Ana")),
        (pos, RDF.type, KG.StatedPosition),
        (pos, KG.speaker, who),
        (pos, KG.proposition, Literal("Something")),
        (pos, KG.about, topic),
    ]
    (got,) = json.loads(people.people_json(triples))["people"]
    (position,) = got["positions"]
    assert position["about"] == [{"id": str(topic), "name": None}]
    assert position["evidence"] == [] and position["document"] is None


# -- the same bytes as pyld framing (tests/oracles/people_frame.py, as issue 4 defined it) --


def test_people_json_is_pyld_framing_of_the_examples(examples_out: Path, graph: Graph) -> None:
    from tests.oracles.people_frame import framed_people_json

    triples = list(graph)
    framed = framed_people_json(triples)
    assert people.people_json(triples) == framed
    assert (examples_out / "people.json").read_bytes() == framed


def _odd_graphs() -> dict[str, list[tuple[Any, Any, Any]]]:
    """Small graphs with what the examples lack: two labels, tagged literals, orphans."""
    from kg.graph.vocab import DCTERMS, OA, ORG

    base = "https://w3id.org/newskg/id/"
    ana, bo = URIRef(base + "person/ana-1"), URIRef(base + "person/bo-2")
    pos, mem = URIRef(base + "position/p1"), URIRef(base + "membership/m1")
    ev, sel, doc = (
        URIRef(base + "evidence/e1"),
        URIRef(base + "selector/s1"),
        URIRef(base + "doc/d"),
    )
    org = URIRef(base + "organization/o-1")
    common: list[tuple[Any, Any, Any]] = [(ana, RDF.type, KG.Person)]
    return {
        "two labels and tagged aliases": [
            *common,
            (ana, SKOS.prefLabel, Literal("Ana")),
            (ana, SKOS.prefLabel, Literal("Ana B")),
            (ana, SKOS.altLabel, Literal("A.", lang="en")),
            (ana, SKOS.altLabel, Literal("A.")),
        ],
        "a position with two speakers and no evidence": [
            *common,
            (bo, RDF.type, KG.Person),
            (pos, RDF.type, KG.StatedPosition),
            (pos, KG.speaker, ana),
            (pos, KG.speaker, bo),
            (pos, KG.proposition, Literal("Yes")),
            (pos, KG.isDirect, Literal(False)),
            (pos, KG.stance, KG.Favor),
            (pos, KG.speechAct, KG.Assert),
        ],
        "a membership with evidence and selectors": [
            *common,
            (mem, ORG.member, ana),
            (mem, ORG.organization, org),
            (org, SKOS.prefLabel, Literal("Org")),
            (mem, KG.isFormer, Literal(True)),
            (mem, KG.roleText, Literal("chair")),
            (mem, KG.evidence, ev),
            (ev, OA.hasSource, doc),
            (ev, OA.hasSelector, sel),
            (sel, OA.start, Literal(3)),
            (sel, OA.end, Literal(9)),
            (sel, OA.exact, Literal("abcdef")),
            (doc, DCTERMS.identifier, Literal("d.txt")),
        ],
        "a label that is an IRI, a nationality that is text": [
            *common,
            (ana, SKOS.prefLabel, URIRef(base + "label/x")),
            (ana, URIRef("http://schema.org/nationality"), Literal("Finnish")),
        ],
    }


@pytest.mark.parametrize("name", sorted(_odd_graphs()))
def test_people_json_is_pyld_framing_of_odd_graphs(name: str) -> None:
    from tests.oracles.people_frame import framed_people_json

    triples = _odd_graphs()[name]
    assert people.people_json(triples) == framed_people_json(triples)
