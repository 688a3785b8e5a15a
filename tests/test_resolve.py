"""Entities across documents: one node per person, never one for two people."""

from __future__ import annotations

from kg.model import Article, DocExtraction, Entity, EntityKind
from kg.resolve import resolve

P, ORG = EntityKind.PERSON, EntityKind.ORGANIZATION


def doc(text: str, *entities: tuple[EntityKind, str, tuple[str, ...]]) -> DocExtraction:
    return DocExtraction(
        article=Article(id=text, text=text),
        entities=tuple(
            Entity(local_id=i, kind=kind, name=name, aliases=aliases)
            for i, (kind, name, aliases) in enumerate(entities)
        ),
    )


def keys(docs: list[DocExtraction]) -> list[list[str]]:
    found = resolve(docs)
    return [[found.of(d, e.local_id).key for e in d.entities] for d in docs]


def test_one_person_across_documents_whatever_the_case_and_accents() -> None:
    a = doc("one", (P, "Juan LÓPEZ AGUILAR", ()))
    b = doc("two", (P, "Juan López Aguilar", ()))
    assert keys([a, b]) == [["juan lopez aguilar"], ["juan lopez aguilar"]]


def test_lone_surname_joins_the_only_full_name() -> None:
    a = doc("one", (P, "Maria Lind", ()))
    b = doc("two", (P, "Lind", ()))
    assert keys([a, b]) == [["maria lind"], ["maria lind"]]


def test_lone_surname_of_two_people_stays_apart() -> None:
    a = doc("one", (P, "Anna Novak", ()), (P, "Peter Novak", ()))
    b = doc("two", (P, "Novak", ()))
    assert keys([a, b]) == [["anna novak", "peter novak"], ["novak"]]


def test_acronym_joins_its_definition_in_another_document() -> None:
    a = doc("one", (ORG, "Press Freedom Alliance", ("PFA",)))
    b = doc("two", (ORG, "PFA", ()))
    assert keys([a, b]) == [["press freedom alliance"], ["press freedom alliance"]]


def test_label_is_the_fullest_name_and_order_does_not_matter() -> None:
    a = doc("one", (P, "Maria Lind", ()))
    b = doc("two", (P, "Lind", ()))
    forward, backward = resolve([a, b]), resolve([b, a])
    assert forward == backward
    assert forward.of(b, 0).label == "Maria Lind"


def test_a_misspelt_lone_surname_joins_the_only_close_full_name() -> None:
    a = doc("one", (P, "Josep Borrell", ()))
    b = doc("two", (P, "Borrel", ()))
    assert keys([a, b]) == [["josep borrell"], ["josep borrell"]]


def test_a_short_or_ambiguous_near_surname_stays_apart() -> None:
    a = doc("one", (P, "Ana Lind", ()), (P, "Mark Linde", ()), (P, "Eva Lindt", ()))
    b = doc("two", (P, "Linds", ()), (P, "Ng", ()), (P, "Li Na", ()))
    assert keys([a, b])[1] == ["linds", "ng", "li na"]
