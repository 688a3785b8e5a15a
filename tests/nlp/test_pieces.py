"""Issue 15 row 2: a text of any length is parsed, in pieces joined into one Doc.

spaCy refuses a text over 1,000,000 characters (E088); newskg cuts a long text at
paragraph ends (else line breaks, sentence ends, whitespace) and joins the parsed pieces,
so the extraction of the whole article holds offsets into its whole text.
"""

from __future__ import annotations

from itertools import pairwise

import pytest
from spacy.language import Language

from kg.build import work
from kg.model import Article, DocExtraction
from kg.nlp import pieces
from tests.conftest import EXAMPLES

CONFERENCE = (EXAMPLES / "01-press-freedom-conference.txt").read_text(encoding="utf-8")
HEARING = (EXAMPLES / "02-live-report-sanctions-hearing.txt").read_text(encoding="utf-8")
# Beyond spaCy's 1,000,000 characters, and quick to parse: one ruled line repeated.
FILLER = "\n\n" + ("-" * 79 + "\n") * 12_700


@pytest.mark.parametrize(
    ("text", "piece", "expected"),
    [
        ("short text", 100, []),
        ("aaaa bbbb\n\ncccc dddd\n\neeee", 12, [11, 22]),  # after each blank line
        ("aaaa bbbb\ncccc dddd\neeee", 12, [10, 20]),  # after each line break
        ("Aa bb. Cc dd. Ee ff.", 8, [7, 14]),  # after each sentence end
        ("aaa bbb ccc ddd eee", 8, [8, 16]),  # after whitespace
        ("x" * 25, 10, [10, 20]),  # no space at all: in the word
    ],
)
def test_cuts_fall_after_the_best_break(text: str, piece: int, expected: list[int]) -> None:
    assert pieces.cuts(text, piece) == expected


def test_pieces_of_a_text_with_every_kind_of_break_are_never_longer_than_the_limit() -> None:
    text = ("word " * 30 + "stop. " + "\n" * 3 + "x" * 70 + "\n\n") * 50
    bounds = [0, *pieces.cuts(text, 97), len(text)]
    assert all(0 < b - a <= 97 for a, b in pairwise(bounds))
    assert all(b - a >= 48 for a, b in pairwise(bounds[:-1]))


@pytest.mark.parametrize("text", [CONFERENCE, HEARING], ids=["conference", "live-report"])
def test_an_article_parsed_in_small_pieces_gives_the_same_extraction(
    pipeline: Language, text: str
) -> None:
    """Names across the article, pronouns and live-report headings work across pieces."""
    article = Article("a.txt", text)
    whole = work.extract_batch(pipeline, [article])[0]
    cut = work.extract_batch(pipeline, [article], piece=700)[0]
    assert len(pieces.cuts(text, 700)) >= 3
    assert cut == whole


def _people_and_positions(found: DocExtraction) -> tuple[object, ...]:
    names = [(e.kind, e.name, e.aliases, e.mentions) for e in found.entities]
    said = [(p.evidence, p.proposition, p.speaker, p.is_direct) for p in found.positions]
    return names, said, found.memberships


def test_an_article_over_a_million_characters_is_extracted_whole(pipeline: Language) -> None:
    """Before: spaCy's E088 (the text is over nlp.max_length). Now: the article's people
    and positions, as from the article alone, offsets exact into the whole text."""
    text = CONFERENCE + FILLER
    assert len(text) > 1_000_000 >= pipeline.max_length
    alone, long = work.extract_batch(
        pipeline, [Article("a.txt", CONFERENCE), Article("b.txt", text)]
    )
    assert _people_and_positions(long) == _people_and_positions(alone)
    assert long.positions
    for position in long.positions:
        evidence = position.evidence
        assert " ".join(text[evidence.start : evidence.end].split()) == position.proposition
