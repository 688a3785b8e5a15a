"""IRI minting: stable, safe local names, one identity per kind and name."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.graph.iri import DEFAULT_BASE, Minter, slug
from kg.model import EntityKind, Span
from kg.text import normalise_name

SAFE = re.compile(r"[a-z0-9-]+")
SHA = "ab" * 32


@given(st.text())
def test_slug_is_always_safe(name: str) -> None:
    assert SAFE.fullmatch(slug(name))


@given(st.text(min_size=1), st.sampled_from(list(EntityKind)))
def test_entity_iris_are_safe_and_stable(name: str, kind: EntityKind) -> None:
    minter = Minter()
    iri = minter.entity(kind, normalise_name(name), name)
    assert iri == Minter().entity(kind, normalise_name(name), name)
    local = str(iri).removeprefix(DEFAULT_BASE)
    assert re.fullmatch(rf"{kind.value}/[a-z0-9-]+", local)


def test_kind_is_part_of_identity() -> None:
    minter = Minter()
    assert minter.entity(EntityKind.PERSON, "jordan", "Jordan") != minter.entity(
        EntityKind.PLACE, "jordan", "Jordan"
    )


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=10**4))
def test_document_nodes_derive_from_hash_and_span(start: int, width: int) -> None:
    span = Span(start, start + width)
    minter = Minter()
    evidence = minter.evidence(SHA, span)
    assert str(evidence).endswith(f"/evidence/{SHA[:16]}-{span.start}-{span.end}")
    assert minter.position_selector(SHA, span) != minter.quote_selector(SHA, span)


@pytest.mark.parametrize("base", ["not an iri", "https://example.org/no-slash", "ftp://x/"])
def test_bad_base_is_refused(base: str) -> None:
    with pytest.raises(ValueError, match="base IRI"):
        Minter(base)


@pytest.mark.parametrize(
    ("a", "b"),
    [("LÓPEZ Aguilar", "lopez aguilar"), ("O’Neil", "O'Neil"), ("  Ana  Ruiz ", "ana ruiz")],
)
def test_names_normalise_alike(a: str, b: str) -> None:
    assert normalise_name(a) == normalise_name(b)


@pytest.mark.parametrize(
    "base", ["https://user@host.org:secret@www.site.com/", "https://x.org:port/"]
)
def test_a_base_that_is_no_valid_iri_is_refused(base: str) -> None:
    with pytest.raises(ValueError, match="base IRI"):
        Minter(base)
