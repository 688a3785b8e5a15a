"""Texts of any length parsed: a long text in pieces, joined into one Doc over the whole text.

spaCy refuses a text longer than ``nlp.max_length`` (1,000,000 characters, error E088),
and its parser's memory grows with a text's length. A text longer than ``PIECE``
characters is therefore cut into pieces, at the last paragraph break in the second half
of each piece's window, failing that at a line break, at a sentence end, at whitespace,
and only failing all of those (a window without a space) in the middle of a word. Each
cut falls after the whitespace that follows the break, so each piece's tokens are the
whole text's. The pieces are parsed a few at a time (the parser's memory grows with the
tokens of a batch: a 100,000-character piece of quotation marks took 1.6 GB) and joined
with ``Doc.from_docs``, which keeps every token's tags, lemma, dependency, entity and
sentence start; the joined Doc's text is the whole text, character for
character, so every offset the extractor reads (and writes into the graph) is an offset
into the whole article, and everything document-wide (names across the article,
pronouns, live-report headings) works across pieces. A text of up to ``PIECE``
characters is parsed whole, as it always was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import pairwise

from spacy.language import Language
from spacy.tokens import Doc

__all__ = ["LONG_BATCH", "PIECE", "cuts", "pipe"]

PIECE = 20_000  # characters: far below spaCy's limit; longer than news articles are
LONG_BATCH = 4  # pieces of a long text parsed together
_BREAKS = (
    re.compile(r"\n[ \t]*\n\s*"),  # a blank line: a paragraph ends
    re.compile(r"\n\s*"),  # a line break
    re.compile(r"[.!?…][\"'”’)\]]*\s+"),  # a sentence end
    re.compile(r"\s+"),  # whitespace
)


def cuts(text: str, piece: int = PIECE) -> list[int]:
    """The offsets where ``text`` is cut into pieces of at most ``piece`` characters."""
    found: list[int] = []
    start = 0
    while len(text) - start > piece:
        end = start + piece
        cut = _cut(text, start + piece // 2, end) or end
        found.append(cut)
        start = cut
    return found


def _cut(text: str, low: int, high: int) -> int | None:
    """The end of the last break in ``text[low:high]`` of the most preferred kind."""
    window = text[low:high]
    for pattern in _BREAKS:
        last = None
        for last in pattern.finditer(window):  # noqa: B007 (the last one is wanted)
            pass
        if last is not None and last.end() > 0:
            return low + last.end()
    return None


def pipe(nlp: Language, texts: Iterable[str], batch_size: int, piece: int = PIECE) -> Iterator[Doc]:
    """``nlp.pipe`` over ``texts``, each text longer than ``piece`` parsed in pieces.

    The short texts share one ``nlp.pipe`` stream in batches of ``batch_size``; a long
    text's pieces are parsed a few at a time (``LONG_BATCH``), so a batch holds at most
    that many pieces' worth of parser memory, whatever the text's length.
    """
    texts = list(texts)
    short = nlp.pipe((t for t in texts if len(t) <= piece), batch_size=batch_size)
    for text in texts:
        if len(text) <= piece:
            yield next(short)
            continue
        parsed = list(nlp.pipe(_pieces(text, piece), batch_size=LONG_BATCH))
        yield Doc.from_docs(  # type: ignore[call-arg]  # spaCy's stubs lack exclude
            parsed, ensure_whitespace=False, exclude=["spans", "tensor", "user_data"]
        )


def _pieces(text: str, piece: int) -> list[str]:
    bounds = [0, *cuts(text, piece), len(text)]
    return [text[a:b] for a, b in pairwise(bounds)]
