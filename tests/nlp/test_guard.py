"""Issue 15 row 3: spaCy's tokenizer stays linear on runs of punctuation (kg.nlp.guard).

spaCy's own tokenizer took 8 s on 10,000 "!" (its time grows with the square of a run
without spaces); the guard tokenizes a run over 200 characters in chunks, and leaves
every other text to spaCy, token for token.
"""

from __future__ import annotations

import time

import pytest
from spacy.language import Language

from kg.nlp.guard import LONGEST, GuardedTokenizer
from tests.conftest import EXAMPLES

NORMAL = [
    *(p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt"))),
    'Don\'t stop!!! (Really?) "Yes," she said -- https://example.org/a/b?c=d&e=f ...',
    "x" * LONGEST + " " + "!" * LONGEST,  # runs as long as spaCy takes whole
    "  leading and trailing spaces  \n\n ",
]
LONG = ["!" * 10_000, '"' * 10_000, "'" * 10_000, "(" * 5_000 + ")" * 5_000, "Stop" + "." * 9_000]


def _tokens(doc: object) -> list[tuple[str, str, str]]:
    return [(t.text, t.whitespace_, t.norm_) for t in doc]  # type: ignore[attr-defined]


@pytest.mark.parametrize("text", NORMAL)
def test_normal_text_is_tokenized_as_spacy_does(pipeline: Language, text: str) -> None:
    guarded = pipeline.tokenizer
    assert isinstance(guarded, GuardedTokenizer)
    assert _tokens(guarded(text)) == _tokens(guarded.inner(text))


@pytest.mark.parametrize("text", LONG, ids=lambda t: repr(t[:5]))
def test_a_long_run_of_punctuation_is_tokenized_quickly_over_the_same_text(
    pipeline: Language, text: str
) -> None:
    started = time.perf_counter()
    doc = pipeline.tokenizer(text + " and after")
    assert time.perf_counter() - started < 2  # spaCy's own tokenizer: 8 s and more
    assert doc.text == text + " and after"
    assert [t.text for t in doc[-2:]] == ["and", "after"]
