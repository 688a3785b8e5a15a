"""Invisible characters in a name (zero-width, bidi marks) do not make a second node."""

from __future__ import annotations

import pytest
from rdflib import RDF
from rdflib.namespace import SKOS
from spacy.language import Language

from kg.build import build
from kg.graph.iri import DEFAULT_BASE
from kg.graph.vocab import KG
from kg.model import Article
from kg.text import fold, normalise_name

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f", "\u202a",
             "\u202c", "\u202e", "\u2066", "\u2069", "\u00ad"]  # fmt: skip


@pytest.mark.parametrize("mark", INVISIBLE)
def test_a_name_with_an_invisible_mark_folds_like_the_name(mark: str) -> None:
    assert normalise_name(f"An{mark}na Berg") == normalise_name("Anna Berg") == "anna berg"
    assert fold(f"Be{mark}rg") == "berg"
    assert normalise_name(f"Anna{mark}Berg") == "annaberg"  # removed, not made a space


@pytest.mark.parametrize("name", ["An\u200bna Berg", "Anna Be\u200erg"])
def test_one_person_node_and_the_label_as_written(pipeline: Language, name: str) -> None:
    first = Article(
        "a", "Anna Berg, the minister of finance, said on Monday that taxes would rise."
    )
    second = Article(
        "b", f"{name}, the minister of finance, told reporters on Tuesday that the plan was fair."
    )
    graphs = build([first, second], pipeline, None, DEFAULT_BASE).graphs
    people = {s for g in graphs.values() for s in g.subjects(RDF.type, KG.Person)}
    assert len(people) == 1, people
    labels = {
        str(o)
        for g in graphs.values()
        for p in (SKOS.prefLabel, SKOS.altLabel)
        for o in g.objects(next(iter(people)), p)
    }
    assert "Anna Berg" in labels
