"""Tests for kg.validate.report: blank nodes labelled by RDFC-1.0, the same bytes every run.

The report of the same findings, in any order, with the data's blank nodes named anyhow
and under any PYTHONHASHSEED, is the same graph, the same results and the same Turtle;
the own engine's report and pySHACL's are the same bytes; many alike results (alike
blank nodes of the data, copied into the report) stay cheap and stable.
"""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SH, SKOS, XSD
from rdflib.term import Node

from kg.validate import Report, _validate_with_pyshacl, engine, report, validate
from kg.validate.checks import Finding
from kg.validate.report import canonical_report
from kg.write.syntax import turtle
from tests.conftest import ROOT

KG = Namespace("https://w3id.org/newskg/ontology#")
ID = Namespace("https://w3id.org/newskg/id/")
KGSH = Namespace("https://w3id.org/newskg/shapes#")
HERE = Path(__file__).parent
NONCONFORMING = sorted((HERE / "shapes" / "nonconforming").glob("*.ttl"))

Triple = tuple[Node, Node, Node]

# The bytes of the report of a conforming graph, as kg build has always written them.
CONFORMING = (
    b"@prefix sh: <http://www.w3.org/ns/shacl#> .\n\n"
    b"_:b0 a sh:ValidationReport ;\n    sh:conforms true .\n"
)


def _ada_finding() -> Finding:
    return Finding(
        ID["person/ada-1a2b3c4d"],
        SH.Violation,
        KGSH.prefLabel,
        SH.MinCountConstraintComponent,
        (Literal("Less than 1 values"),),
        SKOS.prefLabel,
    )


def _ada_report_by_hand() -> Graph:
    """The report pySHACL writes for that finding, with fresh blank nodes."""
    g = Graph()
    rep, res = BNode(), BNode()
    g.add((rep, RDF.type, SH.ValidationReport))
    g.add((rep, SH.conforms, Literal(False)))
    g.add((rep, SH.result, res))
    g.add((res, RDF.type, SH.ValidationResult))
    g.add((res, SH.focusNode, ID["person/ada-1a2b3c4d"]))
    g.add((res, SH.resultSeverity, SH.Violation))
    g.add((res, SH.sourceShape, KGSH.prefLabel))
    g.add((res, SH.sourceConstraintComponent, SH.MinCountConstraintComponent))
    g.add((res, SH.resultPath, SKOS.prefLabel))
    g.add((res, SH.resultMessage, Literal("Less than 1 values")))
    return g


def test_report_blank_nodes_are_relabelled_canonically() -> None:
    text = turtle(report([_ada_finding()]).graph).decode()
    assert "_:b0" in text and "_:b1" in text
    assert isomorphic(Graph().parse(data=text, format="turtle"), _ada_report_by_hand())
    assert turtle(report([_ada_finding()]).graph) == turtle(report([_ada_finding()]).graph)


def test_a_conforming_report_is_the_bytes_kg_build_always_wrote() -> None:
    assert turtle(report([]).graph) == CONFORMING
    assert turtle(validate_text(MINIMAL_PERSON).graph) == CONFORMING


def test_labels_follow_the_canonical_order_and_the_results_name_them() -> None:
    checked = validate(alike_people(3, seed=0))
    labels = {n for t in checked.graph for n in t if isinstance(n, BNode)}
    assert sorted(labels, key=lambda b: int(b[1:])) == [BNode(f"b{i}") for i in range(len(labels))]
    focus = {r.focus for r in checked.results if r.focus.startswith("_:")}
    assert focus and focus <= {f"_:{label}" for label in labels}


# --- the same findings in any order ------------------------------------------------------

MINIMAL_PERSON = """
@prefix kg: <https://w3id.org/newskg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://w3id.org/newskg/id/document/d1> a kg:SourceDocument ;
    dcterms:identifier "d1.txt" ;
    kg:contentSha256 "0000000000000000000000000000000000000000000000000000000000000000" .
<https://w3id.org/newskg/id/person/ana-1> a kg:Person ;
    skos:prefLabel "Ana" ;
    kg:mentionedIn <https://w3id.org/newskg/id/document/d1> .
"""

# People the shapes reject: IRIs without labels, blank nodes (some alike), blank nodes
# pointing at other blank nodes, a label with a language tag.
MIXED = """
@prefix kg: <https://w3id.org/newskg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/newskg/id/person/p0> a kg:Person .
<https://w3id.org/newskg/id/person/p1> a kg:Person ; skos:prefLabel "P"@en .
[] a kg:Person .
[] a kg:Person .
[] a kg:Person .
[] a kg:Person ; skos:prefLabel "Ana" .
[] a kg:Person ; skos:prefLabel "Ana" .
[] a kg:Person ; kg:mentionedIn [ a kg:Person ] .
[] a kg:Person ; kg:mentionedIn [ a kg:Person ] .
[] a kg:Person ; kg:mentionedIn [] .
"""


def validate_text(text: str) -> Report:
    return validate(Graph().parse(data=text, format="turtle"))


def renamed(triples: list[Triple]) -> list[Triple]:
    """The triples with every blank node renamed afresh, as another parse would name them."""
    fresh: dict[Node, Node] = {}

    def term(node: Node) -> Node:
        return fresh.setdefault(node, BNode()) if isinstance(node, BNode) else node

    return [(term(s), term(p), term(o)) for s, p, o in triples]


def shuffled_report(triples: list[Triple], rnd: random.Random) -> Report:
    """The own engine's report with the data renamed and data and findings shuffled."""
    checker = engine()
    assert checker is not None
    data = renamed(triples)
    rnd.shuffle(data)
    findings = checker.check(data)
    rnd.shuffle(findings)
    return report(findings, data, checker.graph)


MIXED_TRIPLES = list(Graph().parse(data=MIXED, format="turtle"))


@cache
def mixed_report() -> Report:
    return validate_text(MIXED)


def test_the_mixed_report_has_alike_blank_results() -> None:
    # What the property below relies on: blank focus nodes, alike ones, blank values.
    mixed = mixed_report()
    focus = [r.focus for r in mixed.results]
    assert not mixed.conforms
    assert sum(f.startswith("_:") for f in focus) >= 10
    assert len(set(mixed.results)) == len(mixed.results)
    assert any(isinstance(v, BNode) for v in mixed.graph.objects(None, SH.value))


@settings(max_examples=25)
@given(st.randoms(use_true_random=False))
def test_any_order_and_naming_gives_the_same_report(rnd: Any) -> None:
    again, mixed = shuffled_report(MIXED_TRIPLES, rnd), mixed_report()
    assert turtle(again.graph) == turtle(mixed.graph)
    assert again.results == mixed.results
    assert again.conforms == mixed.conforms
    assert set(again.graph) == set(mixed.graph)


def test_the_report_graph_is_the_findings_report_relabelled() -> None:
    checker = engine()
    assert checker is not None
    findings = checker.check(MIXED_TRIPLES)
    raw = Graph()
    root = BNode()
    raw.add((root, RDF.type, SH.ValidationReport))
    raw.add((root, SH.conforms, Literal(False)))
    copied = {t for t in MIXED_TRIPLES if isinstance(t[0], BNode)}  # every one is named
    for triple in copied:
        raw.add(triple)
    for finding in findings:
        result = BNode()
        raw.add((root, SH.result, result))
        raw.add((result, RDF.type, SH.ValidationResult))
        raw.add((result, SH.focusNode, finding.focus))
        raw.add((result, SH.resultSeverity, finding.severity))
        raw.add((result, SH.sourceShape, finding.shape))
        raw.add((result, SH.sourceConstraintComponent, finding.component))
        if finding.path is not None:
            raw.add((result, SH.resultPath, finding.path))
        if finding.value is not None:
            raw.add((result, SH.value, finding.value))
        for message in finding.messages:
            raw.add((result, SH.resultMessage, message))
    assert isomorphic(report(findings, MIXED_TRIPLES, checker.graph).graph, raw)


@pytest.mark.parametrize("path", NONCONFORMING, ids=[p.stem for p in NONCONFORMING])
def test_own_engine_and_pyshacl_write_the_same_bytes(path: Path) -> None:
    data = Graph().parse(path)
    fast, slow = validate(data), _validate_with_pyshacl(data, None)
    assert turtle(fast.graph) == turtle(slow.graph)
    assert fast.results == slow.results


# --- terms pyoxigraph holds otherwise ----------------------------------------------------


def test_terms_pyoxigraph_refuses_or_merges_come_back_as_they_were() -> None:
    # rdflib's Turtle parser reads <a b>; pyoxigraph refuses it. "x" and "x"^^xsd:string
    # are one RDF term to pyoxigraph and two to rdflib, as are "x"@EN and "x"@en.
    odd = URIRef("https://w3id.org/newskg/id/person/a b")
    values = [Literal("x"), Literal("x", datatype=XSD.string), Literal("x", lang="EN")]
    values.append(Literal("x", lang="en"))
    findings = [
        Finding(odd, SH.Violation, KGSH.prefLabel, SH.DatatypeConstraintComponent, (), None, v)
        for v in values
    ]
    first = report(findings)
    assert len(first.graph) == 2 + 7 * len(values)  # the report's two, each result's seven
    assert {v for v in first.graph.objects(None, SH.value)} == set(values)
    assert {r.focus for r in first.results} == {str(odd)}
    again = report(reversed(findings))
    assert set(again.graph) == set(first.graph) and again.results == first.results
    assert set(canonical_report(first.graph, False).graph) == set(first.graph)  # a fixed point


def test_a_graph_with_an_iri_pyoxigraph_refuses_is_still_validated() -> None:
    checked = validate_text(
        "<https://w3id.org/newskg/id/person/a b> a <https://w3id.org/newskg/ontology#Person> ."
    )
    assert not checked.conforms
    assert {r.focus for r in checked.results} == {"https://w3id.org/newskg/id/person/a b"}


# --- many alike results ------------------------------------------------------------------


def alike_people(n: int, seed: int) -> Graph:
    """n people named by blank nodes, each mentioned in a blank document: all alike."""
    rnd = random.Random(seed)
    triples: list[Triple] = []
    for _ in range(n):
        person, document = BNode(), BNode()
        triples += [(person, RDF.type, KG.Person), (person, KG.mentionedIn, document)]
        triples.append((person, SKOS.prefLabel, Literal("Ana")))
    rnd.shuffle(triples)
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def test_many_alike_results_give_one_report() -> None:
    first, second = validate(alike_people(400, seed=1)), validate(alike_people(400, seed=2))
    assert len(first.results) == 800  # each person: a blank node, a document not typed
    assert turtle(first.graph) == turtle(second.graph)
    assert first.results == second.results
    blanks = {n for t in first.graph for n in t if isinstance(n, BNode)}
    assert len(blanks) == 1 + 800 + 2 * 400  # the report, its results, the copied nodes


def test_pyshacl_copying_alike_blank_nodes_gives_one_report() -> None:
    first = _validate_with_pyshacl(alike_people(30, seed=3), None)
    second = _validate_with_pyshacl(alike_people(30, seed=4), None)
    assert len(first.results) == 60
    assert turtle(first.graph) == turtle(second.graph)
    assert first.results == second.results
    # pySHACL copies a blank node afresh each time it names one: the document a person
    # is mentioned in is copied with the person and again as the result's sh:value.
    blanks = {n for t in first.graph for n in t if isinstance(n, BNode)}
    assert len(blanks) == 1 + 60 + 3 * 30


# --- any PYTHONHASHSEED ------------------------------------------------------------------


def seeded_reports() -> Iterator[Report]:
    """Reports whose inputs come in set order (which PYTHONHASHSEED changes), both paths."""
    checker = engine()
    assert checker is not None
    data = list(set(MIXED_TRIPLES))
    yield report(set(checker.check(data)), data, checker.graph)
    yield report({_ada_finding()})
    parsed = Graph().parse(data=MIXED, format="turtle")
    yield _validate_with_pyshacl(parsed, None)
    yield validate(alike_people(50, seed=0))


SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
import tests.validate.test_report as t
for r in t.seeded_reports():
    print(t.digests(r))
"""


def test_hash_seed_does_not_change_the_report() -> None:
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
    assert len(runs) == 1
    lines = runs.pop().splitlines()
    assert len(lines) == 4
    assert lines[2] == digests(
        _validate_with_pyshacl(Graph().parse(data=MIXED, format="turtle"), None)
    )


def digests(checked: Report) -> str:
    """The SHA-256 of a report's Turtle and of its results."""
    graph = hashlib.sha256(turtle(checked.graph)).hexdigest()
    return f"{graph} {hashlib.sha256(repr(checked.results).encode()).hexdigest()}"
