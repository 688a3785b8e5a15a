"""Who a cue's subject is: an entity, a pronoun's antecedent, or just the words.

Holds the state pronouns need (the last speaker and where they spoke) for one document;
the attribution rules ask it for the speaker of each cue they find.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Token

from kg.extract.registry import Registry
from kg.model import EntityKind, Span

_SUBJECT = frozenset({"nsubj", "nsubjpass"})
_INHERIT = frozenset({"conj", "advcl", "xcomp", "acl", "ccomp"})
_PRONOUN_GENDER = {"he": "m", "him": "m", "she": "f", "her": "f"}
_ORG_PRONOUNS = frozenset({"it", "they"})
_TRIM = ' \t\r\n,;:—–-“”"'
# What people write or issue: a cue on one of these ('a letter opposing ...') is its author's.
_MESSAGES = frozenset(
    {
        *("tweet", "letter", "statement", "post", "message", "ad", "advertisement", "video"),
        *("email", "memo", "report", "language", "policy", "resolution", "bill", "editorial"),
        *("speech", "interview", "note", "release", "comment", "remark", "paper", "filing"),
        *("column", "book", "article", "series", "op-ed", "petition", "complaint", "lawsuit"),
    }
)
SPEAKERS = frozenset({EntityKind.PERSON, EntityKind.ORGANIZATION})
_ORG_REACH = 300  # characters back an 'it' or 'they' may reach for an organization
SPEAKER_REACH = 700  # characters: about two news paragraphs


@dataclass(frozen=True)
class Speaker:
    """The words that name a speaker, and the entity they resolve to, if any."""

    local: int | None
    words: Span


class Speakers:
    """Resolves the speakers of one parsed document, in text order."""

    def __init__(self, doc: Doc, registry: Registry, verbs: frozenset[str]) -> None:
        self.doc = doc
        self.text = doc_text(doc)
        self.registry = registry
        self.verbs = verbs
        self.last_speaker: int | None = None
        self.last_speaker_at = -SPEAKER_REACH
        self.last_direct: Speaker | None = None  # who spoke the last quotation

    def speaker_of(self, verb: Token) -> Speaker | None:
        """Who a cue verb's subject names (an entity, or just the words), or None."""
        seen = 0
        while seen < 4:
            # The agent of a passive speaks ('X was called a charlatan by physicians').
            subjects = [
                p
                for c in verb.children
                if c.dep_ == "agent"
                for p in c.children
                if p.dep_ == "pobj"
            ] or [c for c in verb.children if c.dep_ in _SUBJECT]
            if not subjects:
                # 'Mr. Slinker, whose start-up uses big data, said ...' misparsed: the name is
                # the subject of a clause hung on the left of the cue.
                subjects = [
                    s
                    for c in verb.lefts
                    if c.dep_ == "ccomp"
                    for s in c.children
                    if s.dep_ == "nsubj"
                    and s.pos_ == "PROPN"
                    and s.i < c.i
                    and self.registry.at(s.idx, s.idx + len(s)) is not None
                ]
            if verb.pos_ == "NOUN":
                # 'Trump claims that ...' mistagged: the name is a compound of the 'noun'.
                subjects += [c for c in verb.children if c.dep_ == "compound" and c.i < verb.i]
            if subjects:
                # Nearest subject first: "Finnish MEP ..., Petri Sarvamaa claimed" has two;
                # an entity beats a common noun.
                found = [self.resolve(s) for s in sorted(subjects, key=lambda t: -t.i)]
                named = [f for f in found if f.local is not None]
                return (named or found)[0]
            if verb.dep_ == "acl" and verb.head.lemma_.lower() in _MESSAGES:
                # 'Trump sent tweets criticizing X': whoever sent the message says it.
                verb = verb.head.head
                seen += 1
                continue
            if verb.dep_ == "acl" and verb.head.pos_ in ("PROPN", "NOUN"):
                # "Anna Novak, MEP ..., called on": misparsed as a clause on the name.
                return self.resolve(verb.head)
            if verb.dep_ == "xcomp" and verb.i > verb.head.i:
                # 'prompted NATO to order', 'led the journalist to fear': the object of the
                # verb above does what the infinitive says.
                obj = next(
                    (c for c in verb.head.children if c.dep_ in ("dobj", "obj") and c.i < verb.i),
                    None,
                )
                if obj is not None and obj.pos_ in ("PROPN", "NOUN", "PRON"):
                    return self.resolve(obj)
            if (
                verb.dep_ == "pcomp"
                and verb.head.dep_ == "prep"
                and verb.head.head.pos_
                in (
                    "VERB",
                    "AUX",
                )
            ):
                # 'began by saying he would ...', 'held in contempt for refusing to ...': the
                # gerund's subject is the subject of the verb its preposition hangs on.
                verb = verb.head.head
                seen += 1
                continue
            if verb.dep_ not in _INHERIT or verb.head is verb:
                return None
            outer = self._reporting_head(verb) if seen == 0 else None
            verb = outer or verb.head
            seen += 1
        return None

    def _reporting_head(self, verb: Token) -> Token | None:
        """The cue whose reported clause holds a subjectless cue.

        'May said the country would leave and suggested that ...': 'suggested' hangs on
        'leave' inside what May said; its speaker is May, not 'the country'.
        """
        node = verb
        for _ in range(4):
            if node.dep_ == "ccomp" and node.head.lemma_.lower() in self.verbs:
                return node.head
            if node.head is node or node.dep_ not in _INHERIT:
                return None
            node = node.head
        return None

    def resolve(self, token: Token) -> Speaker:
        if token.tag_ in ("WDT", "WP") and token.head.dep_ == "relcl":
            # 'the police department, which reported ...': the antecedent speaks; the
            # words that refer to it here are the relative pronoun.
            antecedent = self.resolve(token.head.head)
            return Speaker(antecedent.local, Span(token.idx, token.idx + len(token)))
        if token.pos_ == "PRON":
            return Speaker(self._antecedent(token), Span(token.idx, token.idx + len(token)))
        subtree = list(token.subtree)
        head_span = (token.idx, token.idx + len(token))
        local = self.registry.at(*head_span)
        if local is not None and self.registry.kind(local) not in SPEAKERS:
            local = None  # 'WASHINGTON -- President Obama ... said': a dateline is no speaker
        if local is None:
            # "Finnish MEP and Vice-Chair ..., Petri Sarvamaa claimed": the name is an apposition.
            for child in token.children:
                if child.dep_ in ("appos", "conj") and child.i > token.i:
                    found = self.registry.at(child.idx, child.idx + len(child))
                    if found is not None and self.registry.kind(found) is EntityKind.PERSON:
                        local, head_span = found, (child.idx, child.idx + len(child))
                        break
        if local is None:
            # "members of X said": the subject is not X; only a compound head names it.
            compounds = [t for t in subtree if t.dep_ in ("compound", "flat") and t.head is token]
            for t in compounds:
                local = self.registry.at(t.idx, t.idx + len(t))
                if local is not None:
                    break
        if local is None or self.registry.kind(local) not in (
            EntityKind.PERSON,
            EntityKind.ORGANIZATION,
        ):
            return Speaker(None, self._phrase(token))
        return Speaker(local, self.registry.mention_span(*head_span) or Span(*head_span))

    def _phrase(self, token: Token) -> Span:
        """A subject noun phrase without trailing clauses: 'senior officials', 'the campaign'."""
        left = token.left_edge
        right = token
        for child in token.rights:
            if child.dep_ in ("compound", "amod", "prep", "pobj", "flat", "appos", "nummod"):
                right = child.right_edge
            else:
                break
        start, end = trim(self.text, left.idx, right.idx + len(right))
        return Span(start, end) if start < end else Span(token.idx, token.idx + len(token))

    def _antecedent(self, pronoun: Token) -> int | None:
        """The person a pronoun most likely means: the last speaker, else the nearest name."""
        lower = pronoun.lower_
        if lower in _ORG_PRONOUNS:
            return self._organization_antecedent(pronoun)
        gender = _PRONOUN_GENDER.get(lower)
        if gender is None:
            return None

        def fits(local: int) -> bool:
            known = self.registry.genders.get(local)
            return known is None or known == gender

        last = self.last_speaker
        if (
            last is not None
            and self.registry.kind(last) is EntityKind.PERSON
            and fits(last)
            and pronoun.idx - self.last_speaker_at < SPEAKER_REACH
        ):
            # The speaker of the last attribution, a paragraph or two back, outranks a name
            # merely mentioned in between ("He added ..." after a quote about someone).
            self.registry.genders.setdefault(last, gender)
            return last
        for _start, local in self.registry.latest_before(pronoun.idx):
            if fits(local):
                self.registry.genders.setdefault(local, gender)
                return local
        return None

    def _organization_antecedent(self, pronoun: Token) -> int | None:
        """'It said' / 'they said' after an organization spoke or was named just before."""
        last = self.last_speaker
        if (
            last is not None
            and self.registry.kind(last) is EntityKind.ORGANIZATION
            and pronoun.idx - self.last_speaker_at < SPEAKER_REACH
        ):
            return last
        before = next(self.registry.latest_before(pronoun.idx, EntityKind.ORGANIZATION), None)
        person = next(self.registry.latest_before(pronoun.idx), None)
        recent = before is not None and before[0] > pronoun.idx - _ORG_REACH
        # Only when no person was named since: 'they' after a name means people.
        if before is not None and recent and (person is None or person[0] < before[0]):
            return before[1]
        return None

    def spoke(self, speaker: int | None, content: Span, direct: Speaker | None = None) -> None:
        if direct is not None:
            self.last_direct = direct
        if speaker is None:
            return
        self.last_speaker = speaker
        self.last_speaker_at = content.end


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """A span without the spaces, punctuation and quotation marks at its edges."""
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


_TEXT = "newskg.text"


def doc_text(doc: Doc) -> str:
    """``doc.text``, joined once: spaCy joins every token's text again on each call, and
    the rules ask thousands of times an article (it was a third of extraction time)."""
    text: str | None = doc.user_data.get(_TEXT)
    if text is None:
        text = doc.user_data[_TEXT] = doc.text
    return text
