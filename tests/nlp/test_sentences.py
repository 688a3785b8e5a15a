"""newline_sentences sets the same sentence starts as before it was set through an array
(issue 15 row 3: setting Token.is_sent_start one by one was quadratic in lines)."""

from __future__ import annotations

import time

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.components import LONGEST_SENTENCE, newline_sentences
from tests.conftest import EXAMPLES


def _old(doc: Doc) -> Doc:
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if "\n" in previous.whitespace_ or (previous.is_space and "\n" in previous.text):
            token.is_sent_start = not token.is_space
    return doc


TEXTS = [
    *(p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*"))),
    "a\n\nb\n \nc\n",
    "\n\nfoo\nbar baz.\n",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
def test_the_same_sentence_starts_as_one_token_at_a_time(pipeline: Language, text: str) -> None:
    old = _old(pipeline.make_doc(text))
    new = newline_sentences(pipeline.make_doc(text))
    assert [t.is_sent_start for t in new] == [t.is_sent_start for t in old]


def test_many_lines_and_a_sentence_without_stops_are_quick(pipeline: Language) -> None:
    started = time.perf_counter()
    doc = newline_sentences(pipeline.make_doc("a\n\n" * 20_000))
    assert time.perf_counter() - started < 5  # one start at a time: about 25 s
    assert sum(bool(t.is_sent_start) for t in doc) == 20_000
    doc = newline_sentences(pipeline.make_doc("word " * (3 * LONGEST_SENTENCE)))
    assert [t.i for t in doc if t.is_sent_start] == [0, LONGEST_SENTENCE, 2 * LONGEST_SENTENCE]
