"""Role phrases -> claims: (phrase, expected claims) tables."""

from __future__ import annotations

import pytest

from kg.extract.lexicon import Lexicon
from kg.extract.roles import is_role_phrase, parse_roles, role_after, role_before

# phrase -> [(role, organization, nationality, is_former, parent)]
CASES = [
    (
        "MEP from Spain, Vice-Chair of the Committee on Foreign Affairs",
        [
            ("Member of the European Parliament", "European Parliament", "Spain", False, None),
            ("Vice-Chair", "Committee on Foreign Affairs", None, False, "European Parliament"),
        ],
    ),
    (
        "Finnish MEP and the Vice-Chair of the Committee on Budgetary Control",
        [
            ("Member of the European Parliament", "European Parliament", "Finland", False, None),
            ("Vice-Chair", "Committee on Budgetary Control", None, False, "European Parliament"),
        ],
    ),
    (
        "Member of the European Parliament from Lithuania",
        [("Member of the European Parliament", "European Parliament", "Lithuania", False, None)],
    ),
    (
        "Former Italian Foreign Minister",
        [("Foreign Minister", "Government of Italy", "Italy", True, None)],
    ),
    (
        "MEP from Sweden, Vice-Chair, Committee on Industry, Research and Energy, Former Minister",
        [
            ("Member of the European Parliament", "European Parliament", "Sweden", False, None),
            (
                "Vice-Chair",
                "Committee on Industry, Research and Energy",
                None,
                False,
                "European Parliament",
            ),
            ("Minister", "Government of Sweden", None, True, None),
        ],
    ),
    (
        "Former MEP, President of the Delegation for Relations with Chile 2004-2009",
        [
            ("Member of the European Parliament", "European Parliament", None, True, None),
            (
                "President",
                "Delegation for Relations with Chile",
                None,
                True,
                "European Parliament",
            ),
        ],
    ),
    (
        "Director of the Press Freedom Alliance (PFA)",
        [("Director", "Press Freedom Alliance", None, False, None)],
    ),
    ("a farmer from the valley", []),
]


@pytest.mark.parametrize(("phrase", "expected"), CASES)
def test_parse_roles(phrase: str, expected: list[tuple[object, ...]], words: Lexicon) -> None:
    claims = parse_roles(phrase, words)
    got = [(c.role, c.organization, c.nationality, c.is_former, c.parent) for c in claims]
    assert got == expected
    for claim in claims:
        assert phrase[claim.start : claim.end] == claim.text


def test_acronym_kept_apart(words: Lexicon) -> None:
    (claim,) = parse_roles("Chair of the Water Justice Network (WJN)", words)
    assert (claim.organization, claim.acronym) == ("Water Justice Network", "WJN")


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        (
            "Polish MEP and Chair of the Committee on Fisheries, Jan Kowal said",
            "Jan",
            "Polish MEP and Chair of the Committee on Fisheries",
        ),
        (
            "Yesterday Former Danish Prime Minister Ole Berg spoke.",
            "Ole",
            "Former Danish Prime Minister",
        ),
        (
            "The guests, and the Director of the Water Forum, Ana Ruiz, arrived.",
            "Ana",
            "the Director of the Water Forum",
        ),
        ("Yesterday, Ana Ruiz said it.", "Ana", None),
    ],
)
def test_role_before(text: str, name: str, expected: str | None, words: Lexicon) -> None:
    found = role_before(text, text.index(name), words)
    assert (text[found[0] : found[1]] if found else None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Ana Ruiz, an MEP from Spain, said", True), ("Ana Ruiz, who spoke first, said", False)],
)
def test_role_after(text: str, expected: bool, words: Lexicon) -> None:
    assert role_after(text, len("Ana Ruiz"), words) is expected


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [("Finnish MEP", True), ("Former Minister", True), ("Ana Ruiz", False), ("MEP Ana", False)],
)
def test_is_role_phrase(phrase: str, expected: bool, words: Lexicon) -> None:
    assert is_role_phrase(phrase, words) is expected


@pytest.mark.parametrize(
    ("phrase", "nationality"),
    [("Italiam MEP", "Italy"), ("MEP from Slovania", None), ("Germn MEP", None)],
)
def test_a_typo_in_a_nationality_only_where_unambiguous(
    phrase: str, nationality: str | None, words: Lexicon
) -> None:
    (claim,) = parse_roles(phrase, words)
    assert (claim.role, claim.nationality) == ("Member of the European Parliament", nationality)
