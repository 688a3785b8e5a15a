"""What a cue reports: the clause, object or topic a reporting verb governs, and where
reported content begins and ends.

Pure functions of the parse: the attribution rules (kg/extract/attribution.py) find the
cues and speakers and ask this module for the words that were said.
"""

from __future__ import annotations

import re

from spacy.tokens import Token

from kg.extract.intervals import Disjoint
from kg.extract.speakers import doc_text, trim
from kg.model import Span

SUBJECT = frozenset({"nsubj", "nsubjpass"})
MIN_WORDS = 3
# Prepositions that carry what was said ('accused X of', 'called for', 'described X as');
# others ('in a ruling', 'on Twitter') are where or when, not what.
_CONTENT_PREPOSITIONS = frozenset({"of", "as", "for", "about", "against", "on", "upon", "to"})
_CONTENT = frozenset({"ccomp", "xcomp", "dobj", "prep", "oprd", "attr", "dative", "obj"})
_ADJUNCTS = frozenset({"advcl", "acl", "conj", "xcomp", "npadvmod", "dep"})
_TOPIC_PREPOSITIONS = frozenset({"about", "of", "against", "over"})
CALL_PARTICLES = frozenset({"on", "upon", "for"})
# Verbs that take a that-clause without reporting anyone's words ('this means that').
_NOT_CUES = frozenset({"mean", "become", "ensure", "seem", "appear", "make", "be", "have"})
_MIN_OBJECT_WORDS = 2  # 'echoed her concerns', 'condemned the arrests': an object is short
# Verbs whose object is a hearer or a thing, never what was said: they report a clause.
_CLAUSE_ONLY = frozenset(
    {
        "tell",
        "inform",
        "brief",
        "assure",
        "remind",
        "notify",
        "find",
        "write",
        "post",
        "push",
        "seek",
    }
)
# Verbs whose object alone is what was stated: 'condemned the arrests', 'urged restraint'.
_OBJECT_CUES = frozenset(
    {
        "urge",
        "demand",
        "condemn",
        "support",
        "oppose",
        "reject",
        "call",
        "welcome",
        "deny",
        "echo",
        "highlight",
        "stress",
        "underline",
        "praise",
        "propose",
        "recommend",
        "request",
    }
)
# A participle cue right before a quotation introduces a statement of its own.
_INTRODUCER = re.compile(
    r"\b(?:saying|stating|adding|noting|declaring|writing|arguing|insisting|warning|asking)$",
    re.I,
)


def that_clause(verb: Token) -> bool:
    """Does a verb outside the lexicon report a that-clause ('X conceded that ...')?"""
    return (
        verb.lemma_.lower() not in _NOT_CUES
        and any(
            c.dep_ == "ccomp"
            and c.i > verb.i
            and any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)
            for c in verb.children
        )
        and any(c.dep_ in SUBJECT for c in verb.children)
    )


def mistagged_cue(token: Token) -> bool:
    """'But Trump claims that ...' tagged as a noun: a root noun governing a that-clause."""
    return (
        token.pos_ == "NOUN"
        and token.dep_ == "ROOT"
        and token.tag_ == "NNS"
        and _that_clause_child(token)
        and any(c.dep_ == "compound" and c.pos_ == "PROPN" for c in token.lefts)
    )


def _that_clause_child(token: Token) -> bool:
    return any(
        c.dep_ in ("ccomp", "acl")
        and any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)
        for c in token.children
        if c.i > token.i
    )


def _before_adjunct(first: Token, last: Token) -> int:
    """Where reported content ends: before a trailing ', arguing that ...' or '; they ...'.

    A participle after a comma ('said X, arguing that Y', 'showed X, contradicting Y') or
    a clause after a semicolon or a dash is the writer's addition or a statement of its
    own, not part of the reported clause.
    """
    doc = first.doc
    for token in doc[first.i + 1 : last.i + 1]:
        previous = doc[token.i - 1]
        if previous.text in (";",) and token.i > first.i + 2:
            return previous.idx
        if previous.text == "," and token.tag_ == "VBG" and token.dep_ in _ADJUNCTS:
            return previous.idx
    return last.idx + len(last)


def _clause_start(clause: Token) -> Token:
    """Where a content clause begins; a clause misparsed as adverbial, at its subject."""
    if clause.dep_ == "advcl":
        subject = next((c for c in clause.children if c.dep_ in SUBJECT), None)
        if subject is not None:
            return subject.left_edge
    return clause.left_edge


def before_quotes(text: str, content: Span, quotes: Disjoint) -> Span | None:
    """Cut reported content where a separate quotation begins.

    'called on X to ..., stating “...”': the quotation is its own statement. A quotation
    woven into the clause ('said the plan was “dead on arrival”') stays: a mixed quote.
    """
    end = content.end
    opening: int | None = None
    # Only the quotations that reach into the content (or start just after it) matter.
    for quote in quotes.overlapping(content.start, content.end + 1):
        if quote.start - 1 <= content.start < quote.end:
            if len(text[quote.end : content.end].split()) < MIN_WORDS:
                return None
            # 'said that “race still determines too much” in America, ...': the clause
            # goes on after the quotation, so it is the statement, a mixed quote.
            opening = quote.start - 1
            continue
        if content.start < quote.start < end:
            woven, introduced = _lead(text, content.start, quote.start - 1)
            if not woven and (introduced or quote.end > end + 2):
                end = quote.start - 1
    start, end = trim(text, content.start, end)
    if opening is not None and start == opening + 1:
        start = opening  # keep the quotation's opening mark with its closing one
    if end <= start or len(text[start:end].split()) < _MIN_OBJECT_WORDS:
        return None
    return Span(start, end)


def _lead(text: str, start: int, end: int) -> tuple[bool, bool]:
    """Whether the words before a quotation weave it into the clause ('that', nothing),
    and whether they introduce it (a comma, a colon, 'saying').

    The same as reading ``lead = text[start:end].rstrip()`` whole, as this once did, but
    reading only its end: a sentence with many quotations cost time in its square.
    """
    while end > start and text[end - 1].isspace():
        end -= 1
    bare = end
    while bare > start and text[bare - 1] == ",":
        bare -= 1
    woven = bare - start <= 4 and text[start:bare].lower() in ("that", "")
    # The longest introducing word has 9 letters: 12 characters see the boundary before it.
    introduced = (end > start and text[end - 1] in ",:;") or _INTRODUCER.search(
        text[max(start, end - 12) : end]
    ) is not None
    return woven, introduced


def after_colon(verb: Token, paragraph: Span) -> Span | None:
    """'Trump added: the plan is dead': what follows the colon, to the paragraph's end."""
    following = verb.doc[verb.i + 1] if verb.i + 1 < len(verb.doc) else None
    if following is None or following.text != ":":
        return None
    start, end = trim(doc_text(verb.doc), following.idx + 1, paragraph.end)
    if end <= start:
        # 'The governor added:' closing its paragraph: the next paragraph is what he said.
        start, end = _next_paragraph(doc_text(verb.doc), paragraph.end)
    if end <= start or len(doc_text(verb.doc)[start:end].split()) < MIN_WORDS:
        return None
    return Span(start, end)


def fronted(verb: Token) -> Span | None:
    """'Coverage is unclear, experts say.': the content leads, the cue closes the sentence."""
    subjects = [c for c in verb.children if c.dep_ in SUBJECT]
    if not subjects or any(c.dep_ in _CONTENT and c.i > verb.i for c in verb.children):
        return None
    sent = verb.sent
    if any(not (t.is_punct or t.is_space) for t in verb.doc[verb.i + 1 : sent.end]):
        return None  # 'experts say on Tuesday ...' may carry its own content
    comma = subjects[0].left_edge.i - 1
    if comma <= sent.start or verb.doc[comma].text != ",":
        return None
    lead = [t for t in verb.doc[sent.start : comma] if not (t.is_punct or t.is_space)]
    if len(lead) < MIN_WORDS:
        return None
    start, end = trim(doc_text(verb.doc), lead[0].idx, lead[-1].idx + len(lead[-1]))
    return Span(start, end) if start < end else None


def _next_paragraph(text: str, after: int) -> tuple[int, int]:
    """The trimmed line that follows ``after`` (the next paragraph), or an empty span."""
    start = after
    while start < len(text) and text[start].isspace():
        start += 1
    end = text.find("\n", start)
    return trim(text, start, len(text) if end < 0 else end)


def parenthetical(verb: Token) -> Span | None:
    """'That is why, he argued, the party must act': the cue interrupts its content."""
    if verb.dep_ != "parataxis" or verb.head.pos_ not in ("VERB", "AUX"):
        return None
    inner = {t.i for t in verb.subtree}
    rest = [t for t in verb.head.subtree if t.i not in inner and not t.is_punct]
    if len(rest) < MIN_WORDS:
        return None
    start, end = trim(doc_text(verb.doc), rest[0].idx, rest[-1].idx + len(rest[-1]))
    return Span(start, end) if start < end else None


def after_source(to: Token) -> list[Token]:
    """'According to X, the move reeks of fear.' parsed with the clause inside X's phrase:
    what follows the comma after the source, to the sentence's end."""
    sent = to.sent
    comma = next((t for t in to.doc[to.i + 1 : sent.end] if t.text == ","), None)
    if comma is None or to.i > sent.start + 1:
        return []
    return [t for t in to.doc[comma.i + 1 : sent.end] if not (t.is_punct or t.is_space)]


def content(verb: Token, verbs: frozenset[str]) -> Span | None:
    """The clause a reporting verb governs: 'that ...', 'to ...', 'on X to ...'."""
    return _governed(verb, verbs) or _passive_subject(verb)


def _passive_subject(verb: Token) -> Span | None:
    """'The issue was first reported by the Post', 'a view echoed by experts': with an
    agent, what was reported is the passive subject, or the noun the verb modifies."""
    if not any(c.dep_ == "agent" for c in verb.children):
        return None
    if verb.dep_ == "acl" and verb.head.pos_ in ("NOUN", "PROPN") and verb.head.i < verb.i:
        noun = verb.head
        tokens = [t for t in noun.subtree if t.i < verb.i]
    else:
        subject = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
        if subject is None or subject.pos_ == "PRON":
            return None
        tokens = list(subject.subtree)
    if len(tokens) < _MIN_OBJECT_WORDS:
        return None
    start, end = trim(doc_text(verb.doc), tokens[0].idx, tokens[-1].idx + len(tokens[-1]))
    return Span(start, end) if start < end else None


def _governed(verb: Token, verbs: frozenset[str]) -> Span | None:
    lemma = verb.lemma_.lower()
    right = [
        c
        for c in verb.rights
        if c.dep_ in _CONTENT and (c.dep_ != "prep" or c.lower_ in _CONTENT_PREPOSITIONS)
    ]
    clauses = [c for c in verb.children if c.dep_ == "ccomp"] or [
        # 'said after the convention he would not accept': a bare clause misparsed as
        # an adverbial one (it has a subject and no 'if', 'when', 'because').
        c
        for c in verb.rights
        if c.dep_ == "advcl"
        and any(s.dep_ in SUBJECT for s in c.children)
        and not any(m.dep_ == "mark" for m in c.children)
    ]
    if clauses:
        # 'told the briefing that ...': what was said is the clause, not the hearer.
        right = clauses
    if lemma == "call":
        # 'called on X to', 'called for X', and 'called X a Y' (naming is a claim).
        naming = any(c.dep_ in ("oprd", "attr", "xcomp", "ccomp") for c in verb.rights)
        right = [
            c
            for c in verb.rights
            if (c.dep_ in ("prep", "prt") and c.lower_ in CALL_PARTICLES)
            or c.dep_ in ("xcomp", "ccomp", "oprd", "attr")
            or (naming and c.dep_ == "dobj")
        ]
        if not right:
            return None
    right = [
        c
        for c in right
        if not (c.pos_ == "VERB" and c.lemma_.lower() in verbs and c.dep_ == "advcl")
    ]
    # A preposition alone ('talked to X about Y') reports no content, except for the
    # verbs whose object is what was said ('called for', 'warned of').
    has_clause = any(
        c.dep_ in ("ccomp", "xcomp") or c in clauses or (c.dep_ == "prep" and lemma in _OBJECT_CUES)
        for c in right
    )
    has_object = any(c.dep_ in ("dobj", "obj") for c in right)
    if has_object and not has_clause and lemma in _CLAUSE_ONLY:
        return None  # 'told reporters', 'found their way': the object is no statement
    topic = [c for c in right if c.dep_ == "prep" and c.lower_ in _TOPIC_PREPOSITIONS]
    if not has_clause and not has_object and lemma not in _OBJECT_CUES:
        if not topic:
            return None
        # 'spoke out about the shooting', 'bragged about his polls': what it was about.
        right = [p for c in topic for p in c.children if p.dep_ in ("pobj", "pcomp")]
    if not right:
        return None
    start = min(_clause_start(c).idx for c in right)
    last = max(c.right_edge for c in right)
    first = min((_clause_start(c) for c in right), key=lambda t: t.i)
    end = _before_adjunct(first, last)
    tokens = verb.doc.char_span(start, end, alignment_mode="expand")
    if tokens is None:
        return None
    # Drop a leading 'that' / particle: the content is the clause itself.
    while len(tokens) and (tokens[0].lower_ in ("that", "on", "upon") or tokens[0].is_punct):
        tokens = tokens[1:]
    if len(tokens) < _MIN_OBJECT_WORDS:
        return None
    start, end = trim(doc_text(verb.doc), tokens.start_char, tokens.end_char)
    return Span(start, end) if start < end else None
