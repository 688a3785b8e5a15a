"""Who said what: direct quotations, reported speech and live-report speeches.

Each rule yields ``Found`` records (speaker, speaker words, content span, cue); the
extractor turns them into positions. Cues come from the reporting-verb gazetteer; where
the quotations are and which verb cues each is ``kg.extract.quotes``' business, who the
speaker is (the cue's subject or agent, a pronoun's antecedent) ``kg.extract.speakers``'.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Token

from kg.extract.content import (
    CALL_PARTICLES,
    MIN_WORDS,
    SUBJECT,
    after_colon,
    after_source,
    before_quotes,
    content,
    fronted,
    mistagged_cue,
    parenthetical,
    that_clause,
)
from kg.extract.intervals import Disjoint
from kg.extract.quotes import quote_cue
from kg.extract.registry import Registry
from kg.extract.speakers import SPEAKERS, Speaker, Speakers, doc_text, trim
from kg.model import EntityKind, Span

# A cue-less quotation in a later paragraph continues the last speaker only this close
# (characters) to what they said: the next paragraph, not one further on (PolNeAR train).
_CONTINUES = 150
_CONTINUATION = 250  # characters between "A," she said. and "B." in one paragraph
_ADDRESSEES = frozenset({EntityKind.PERSON, EntityKind.ORGANIZATION, EntityKind.PLACE})
_SIGNED = re.compile(
    r"[.,!?]?[”\"']{0,2}\s*[―—–-]{1,2}\s*(?P<name>[A-Z][\w’'.-]+(?:\s+[A-Z][\w’'.-]+){0,3})"
)
# Nouns that report what someone holds or said: "Trump's claim that ...".
CLAIM_NOUNS = frozenset(
    {
        "accusation",
        "allegation",
        "argument",
        "assertion",
        "belief",
        "claim",
        "contention",
        "insistence",
        "promise",
        "statement",
        "suggestion",
        "view",
        "warning",
    }
)
# 'PENCE: Well, look ...' in a transcript, 'Sanders: Clinton needs to ...' in a headline: a
# paragraph led by a name of up to four capitalised words and a colon.
_LABEL = re.compile(r"[\"“]?(?P<name>[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,3}):[ \t]+(?=\S)")
# Labels that head a paragraph but name nobody.
_NOT_LABELS = frozenset(
    {
        *("note", "update", "updated", "correction", "editor", "watch", "video", "photo"),
        *("photos", "source", "sources", "related", "read", "more", "also", "breaking"),
        *("exclusive", "analysis", "opinion", "warning", "caption", "credit", "q", "a"),
        *("question", "answer", "transcript", "disclosure", "latest", "the"),
    }
)


@dataclass(frozen=True)
class Found:
    """One attribution; it becomes a position when its speaker is an entity."""

    speaker: int | None
    speaker_words: Span | None
    content: Span
    is_direct: bool
    cue: str | None
    addressee: int | None = None
    cue_words: Span | None = None


def _words(token: Token) -> Span:
    return Span(token.idx, token.idx + len(token))


class Attributor:
    """Finds attributions in one parsed document."""

    def __init__(self, doc: Doc, registry: Registry, verbs: frozenset[str]) -> None:
        self.doc = doc
        self.text = doc_text(doc)
        self.registry = registry
        self.verbs = verbs
        self.speakers = Speakers(doc, registry, verbs)

    # -- direct quotations ------------------------------------------------------------

    def direct(self, paragraph: Span, quotes: Disjoint) -> Iterator[Found]:
        """Quotations with a cue verb outside the quote, in the quote's own sentences.

        A quotation without a cue continues the speaker before it: right after a cued
        quotation in the same paragraph ('"A," she said. "B."') it extends that statement;
        in a following paragraph it is a new statement of the same speaker.
        """
        found: list[Found] = []
        for quote in quotes:
            cue = quote_cue(self.doc, quote, paragraph, quotes, self.verbs)
            who = self._speaker_of_cue(cue) if cue is not None else None
            if cue is not None and found and found[-1].cue_words == _words(cue):
                # '"A," she said, "B."': both halves of one statement around one cue.
                last = found[-1]
                found[-1] = replace(last, content=Span(last.content.start, quote.end))
            elif cue is not None and who is not None:
                found.append(
                    Found(who.local, who.words, quote, True, cue.lemma_.lower(), None, _words(cue))
                )
                self.speakers.spoke(who.local, quote, who)
            elif (signed := self._signature(quote)) is not None:
                # '“…” ― Sonya Herridge': a quotation signed with a dash and a name.
                found.append(Found(signed.local, signed.words, quote, True, None))
                self.speakers.spoke(signed.local, quote, signed)
            elif found and quote.start - found[-1].content.end < _CONTINUATION:
                last = found[-1]
                found[-1] = replace(last, content=Span(last.content.start, quote.end))
                self.speakers.spoke(last.speaker, quote, None)
            elif (
                self.speakers.last_direct is not None
                and quote.start - self.speakers.last_speaker_at < _CONTINUES
            ):
                who = self.speakers.last_direct
                found.append(Found(who.local, who.words, quote, True, None))
                self.speakers.spoke(who.local, quote, who)
        yield from found

    def _signature(self, quote: Span) -> Speaker | None:
        """The name after a dash that closes a quotation, if any."""
        match = _SIGNED.match(self.text, quote.end)
        if match is None:
            return None
        start, end = match.span("name")
        local = self.registry.at(start, end)
        if local is not None and self.registry.kind(local) not in SPEAKERS:
            local = None
        return Speaker(local, Span(start, end))

    def _speaker_of_cue(self, cue: Token) -> Speaker | None:
        if cue.lower_ == "according":
            source = next((c for c in cue.nbor(1).children if c.dep_ == "pobj"), None)
            return self.speakers.resolve(source) if source is not None else None
        return self.speakers.speaker_of(cue)

    # -- reported speech ----------------------------------------------------------------

    def reported(self, paragraph: Span, quotes: Disjoint) -> Iterator[Found]:
        """'X said that ...', 'X urged Y to ...', 'X called on Y to ...' outside quotes."""
        span = self.doc.char_span(paragraph.start, paragraph.end, alignment_mode="expand")
        if span is None:
            return
        for token in span:
            if (
                token.lower_ == "according"
                and token.i + 1 < len(self.doc)
                and token.nbor(1).lower_ == "to"
            ):
                yield from self._according(token, quotes)
                continue
            mistagged = mistagged_cue(token)
            if token.pos_ == "NOUN" and token.lemma_.lower() in CLAIM_NOUNS and not mistagged:
                yield from self._claim_noun(token, quotes)
                continue
            if token.pos_ != "VERB" and not mistagged:
                continue
            if token.lemma_.lower() not in self.verbs and not that_clause(token):
                continue
            if token.idx in quotes.covering:
                continue
            said = (
                content(token, self.verbs)
                or parenthetical(token)
                or after_colon(token, paragraph)
                or fronted(token)
            )
            if said is None:
                continue
            said = before_quotes(self.text, said, quotes)
            if said is None:
                continue  # the quotation itself is the better evidence
            who = self.speakers.speaker_of(token)
            if who is None:
                continue
            self.speakers.spoke(who.local, said, who if who.local is not None else None)
            yield Found(
                who.local,
                who.words,
                said,
                False,
                token.lemma_.lower(),
                self._addressee(token),
                _words(token),
            )

    def _claim_noun(self, noun: Token, quotes: Disjoint) -> Iterator[Found]:
        """ "Trump's claim that crime is rising": a possessor and its that-clause."""
        owner = next((c for c in noun.children if c.dep_ == "poss"), None)
        clause = next(
            (
                c
                for c in noun.children
                if c.dep_ in ("acl", "ccomp")
                and any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)
            ),
            None,
        )
        if owner is None or clause is None or (owner.pos_ == "PRON" and owner.lower_ == "its"):
            return
        start, end = trim(
            self.text, clause.left_edge.idx, clause.right_edge.idx + len(clause.right_edge)
        )
        words = self.text[start:end].split()
        if words and words[0].lower() == "that":
            start += len(words[0])
            start, end = trim(self.text, start, end)
        content = before_quotes(self.text, Span(start, end), quotes) if start < end else None
        if content is None:
            return
        who = self.speakers.resolve(owner)
        self.speakers.spoke(who.local, content)
        yield Found(who.local, who.words, content, False, noun.lemma_.lower(), None, _words(noun))

    def _according(self, according: Token, quotes: Disjoint) -> Iterator[Found]:
        """'..., according to X': X said the clause the phrase hangs on."""
        to = according.nbor(1)
        source = next((c for c in to.children if c.dep_ == "pobj"), None)
        if source is None:
            return
        head = according.head
        while head.dep_ not in ("ROOT", "ccomp", "conj") and head.head is not head:
            head = head.head
        phrase = {t.i for t in according.subtree} | {t.i for t in to.subtree}
        rest = [t for t in head.subtree if t.i not in phrase and not t.is_punct]
        before = [t for t in rest if t.i < according.i]
        after = [t for t in rest if t.i > according.i]
        side = before if len(before) >= len(after) else after
        if len(side) < MIN_WORDS:
            side = after_source(to)
        if len(side) < MIN_WORDS:
            return
        start, end = trim(self.text, side[0].idx, side[-1].idx + len(side[-1]))
        content = before_quotes(self.text, Span(start, end), quotes) if start < end else None
        if content is None:
            return
        who = self.speakers.resolve(source)
        self.speakers.spoke(who.local, content)
        yield Found(who.local, who.words, content, False, "according to", None, _words(according))

    def _addressee(self, verb: Token) -> int | None:
        """Whom a call or an urge is addressed to: 'called on the EU', 'urged the Council'."""
        candidates = [c for c in verb.rights if c.dep_ in ("dobj", "obj")]
        for prep in verb.rights:
            if prep.lower_ in CALL_PARTICLES:
                candidates += [c for c in prep.children if c.dep_ == "pobj"]
        for token in candidates:
            local = self.registry.at(token.idx, token.idx + len(token))
            if local is not None and self.registry.kind(local) in _ADDRESSEES:
                return local
        return None

    # -- labelled paragraphs -----------------------------------------------------------

    def labelled(self, paragraph: Span) -> Found | None:
        """'PENCE: Well, look, ...': the label's name said the rest of the paragraph."""
        match = _LABEL.match(self.text, paragraph.start, paragraph.end)
        if match is None:
            return None
        name_start, name_end = match.span("name")
        if {w.lower().strip(".") for w in match.group("name").split()} & _NOT_LABELS:
            return None
        start, end = trim(self.text, match.end(), paragraph.end)
        if end <= start or len(self.text[start:end].split()) < MIN_WORDS:
            return None
        local = self._labelled_speaker(name_start, name_end)
        transcript = match.group("name").isupper() and len(match.group("name")) > 1
        self.speakers.spoke(local, Span(start, end))
        return Found(local, Span(name_start, name_end), Span(start, end), transcript, None)

    def _labelled_speaker(self, start: int, end: int) -> int | None:
        """The person or organization a label names: its mention, or a known surname."""
        local = self.registry.at(start, end)
        if local is not None:
            return local if self.registry.kind(local) in SPEAKERS else None
        label = self.text[start:end].casefold()
        named = {
            e.local_id
            for e in self.registry.entities
            if e.kind in SPEAKERS and e.name.casefold().split()[-1:] == [label]
        }
        return named.pop() if len(named) == 1 else None

    # -- live reports -------------------------------------------------------------------

    def speech(self, speaker: int, heading_name: Span, paragraph: Span) -> Iterator[Found]:
        """Every sentence of a speaker's paragraph under a live-report heading."""
        span = self.doc.char_span(paragraph.start, paragraph.end, alignment_mode="expand")
        if span is None:
            return
        for sent in span.sents:  # type: ignore[attr-defined]  # spaCy's stubs lack Span.sents
            start, end = trim(
                self.text, max(sent.start_char, paragraph.start), min(sent.end_char, paragraph.end)
            )
            if end <= start or len(self.text[start:end].split()) < MIN_WORDS:
                continue
            # 'I call on the Council to ...': the speaker's own cue, and whom it addresses.
            cue = next(
                (
                    t
                    for t in sent
                    if t.lemma_.lower() in self.verbs
                    and t.pos_ == "VERB"
                    and any(c.dep_ in SUBJECT and c.lower_ in ("i", "we") for c in t.children)
                ),
                None,
            )
            yield Found(
                speaker,
                heading_name,
                Span(start, end),
                True,
                cue.lemma_.lower() if cue is not None else None,
                self._addressee(cue) if cue is not None else None,
                _words(cue) if cue is not None else None,
            )
            self.speakers.spoke(speaker, Span(start, end))
