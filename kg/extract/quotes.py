"""Direct quotations: the quoted spans of a paragraph, and the verb that cues each.

Pure functions of the text and the parse. Who said a quotation (the cue's subject, a
signature, the speaker before it) is decided by the attribution rules in
``kg.extract.attribution``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from kg.extract.content import MIN_WORDS, SUBJECT
from kg.extract.intervals import Disjoint
from kg.extract.speakers import doc_text, trim
from kg.model import Span

# Curly quotes, straight quotes, and the doubled apostrophes some wires use (''…'', ``…'').
# Some sites open with a closing mark too (”…”): taken only where a quotation can begin.
_QUOTE = re.compile(
    r"“([^“”]+)”|\"([^\"\n]+)\"|(?:''|``)((?:(?!'').)+?)''|(?:^|(?<=[\s(]))”(?=\w)([^“”\n]+)”",
    re.MULTILINE,
)
# What lies between a verb and the quotation it introduces: 'continued, “', 'put it: “'.
_INTRODUCES = re.compile(r"(?:\s+it)?\s*[,:]\s*(?:[“\"]|''|``)\s*")
# What lies between a quotation and the verb that closes it: ',” he', '?” Trump'.
_CLOSES = re.compile(r"[,?!.]?(?:[”\"]|'')\s*(?:[A-Z][\w.’'-]*\s+){0,3}(?:he\s+|she\s+|they\s+)?")


def quotations(text: str, within: Span) -> Iterator[Span]:
    """The inside of every quotation of a paragraph (curly or straight quotes)."""
    for match in _QUOTE.finditer(text, within.start, within.end):
        group = next(i for i in (1, 2, 3, 4) if match.group(i) is not None)
        start, end = trim(text, match.start(group), match.end(group))
        if end - start > 0 and len(text[start:end].split()) >= MIN_WORDS:
            yield Span(start, end)


def quote_cue(
    doc: Doc, quote: Span, paragraph: Span, quotes: Disjoint, verbs: frozenset[str]
) -> Token | None:
    """The cue nearest a quotation in its sentences, within its paragraph and outside
    every quotation of it; ``verbs`` are the reporting verbs' lemmas."""
    text = doc_text(doc)
    best: tuple[int, Token] | None = None
    for sent in _quote_sentences(doc, quote):
        for token in sent:
            if not paragraph.start <= token.idx < paragraph.end:
                continue
            if token.idx in quotes.padded:
                continue
            if not _is_cue(token, quote, text, verbs):
                continue
            distance = min(abs(token.idx - quote.start), abs(token.idx - quote.end))
            if best is None or distance < best[0]:
                best = (distance, token)
    return best[1] if best else None


def _quote_sentences(doc: Doc, quote: Span) -> list[SpacySpan]:
    """The sentences a quotation's cue may be in: its own, and the ones either side that
    the parser split from it."""
    sentences = _sentences(doc, quote)
    if sentences and sentences[-1].end < len(doc):
        # '“… our country?” Clinton said.': the parser may end the sentence at '?”'.
        after = doc[sentences[-1].end].sent
        if after.start_char - quote.end <= 2:
            sentences.append(after)
    if sentences and sentences[0].start > 0:
        # 'said Mr. Trump was a candidate like no other: “He is ...”': the sentence that
        # ends with the colon or comma introducing the quotation.
        before = doc[sentences[0].start - 1].sent
        if quote.start - before.end_char <= 4 and doc_text(doc)[
            before.start_char : quote.start
        ].rstrip(" “\"'`").endswith((":", ",")):
            sentences.insert(0, before)
    return sentences


def _is_cue(token: Token, quote: Span, text: str, verbs: frozenset[str]) -> bool:
    """A reporting verb, 'according to', or any verb with a subject that introduces
    the quotation ('She continued, “…”', 'As X put it, “…”')."""
    if token.lower_ == "according" and _followed_by_to(token):
        return True
    if token.pos_ not in ("VERB", "AUX"):
        return False
    if token.lemma_.lower() in verbs:
        return True
    if token.pos_ != "VERB" or not any(c.dep_ in SUBJECT for c in token.children):
        return False
    end = token.idx + len(token)
    if 0 < quote.start - end < 12:
        return _INTRODUCES.fullmatch(text, end, quote.start) is not None
    # '“…,” he continued.', '“…!” Trump shot back': the verb right after the quotation.
    return 0 < token.idx - quote.end < 40 and (
        _CLOSES.fullmatch(text, quote.end, token.idx) is not None
    )


def _sentences(doc: Doc, span: Span) -> list[SpacySpan]:
    first = doc.char_span(span.start, span.end, alignment_mode="expand")
    if first is None:
        return []
    return list({s.start: s for t in first for s in [t.sent]}.values())


def _followed_by_to(token: Token) -> bool:
    return token.i + 1 < len(token.doc) and token.nbor(1).lower_ == "to"
