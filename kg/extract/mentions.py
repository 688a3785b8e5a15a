"""Names in a parsed document -> typed, clustered entities (people, organizations, places).

The small model's entity labels are a vote, not a verdict: the finder casts votes for
each candidate name, with title cues (Mrs., MEP), headings, acronyms defined in
parentheses and small general gazetteers outweighing a single label, and a name's kind is
then decided across all its mentions (``kg.extract.kinds``). People are clustered by full
name; a surname alone joins the one person it can only mean (``kg.extract.clusters``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.tokens import Doc

from kg.extract.clusters import Cluster, Mention, named_clusters, people_clusters
from kg.extract.intervals import Covering, Occupied
from kg.extract.kinds import kind_of, surnames, vote
from kg.extract.lexicon import Institution, Lexicon
from kg.extract.names import (
    CONNECTORS,
    JUNK,
    NAME_WORD,
    PERSON_BEFORE_COMMA,
    THINGS,
    capitalised_runs,
    clean,
    initials_match,
    sub_runs,
)
from kg.extract.roles import role_after, role_before
from kg.extract.speakers import doc_text
from kg.model import EntityKind, Span
from kg.text import fold

_LABEL_KIND = {
    "PERSON": EntityKind.PERSON,
    "ORG": EntityKind.ORGANIZATION,
    "GPE": EntityKind.PLACE,
    "LOC": EntityKind.PLACE,
}
_SLASH = re.compile(r"(?<![\w/])[A-Z][A-Z0-9&]{1,9}(?:/[A-Z][A-Z0-9&]{1,9})+(?![\w/])")
_ACRONYM_DEF = re.compile(r"\(([A-Z][A-Za-z0-9&.]*[A-Z0-9](?:\s*/\s*[A-Z][A-Za-z0-9&.]*)*)\)")
_GLUE = CONNECTORS | {"all", "a", "an"}
_NAME_ROLES = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "appos", "conj", "attr"})


class MentionFinder:
    """Finds, types and clusters the names of one document."""

    def __init__(
        self,
        doc: Doc,
        lexicon: Lexicon,
        headed: Iterable[Span] = (),
        role_spans: Iterable[Span] = (),
    ) -> None:
        self.doc = doc
        self.text = doc_text(doc)
        self.lexicon = lexicon
        self.mentions: dict[tuple[int, int], Mention] = {}
        self.acronyms: dict[str, str] = {}  # acronym -> long name, as defined in the text
        self._headed = tuple(headed)
        self._role_spans = tuple(role_spans)
        self._in_role = Covering(self._role_spans)  # offsets inside a heading's role phrase

    # -- candidates -------------------------------------------------------------------

    def _add(
        self, start: int, end: int, kind: EntityKind | None, weight: int = 1
    ) -> Mention | None:
        start, end = clean(self.text, start, end)
        if end - start < 2 or (not self.text[start].isupper() and not self.text[start].isdigit()):
            return None
        if kind is EntityKind.PERSON and start in self._in_role:
            return None  # 'Justice' in 'Committee on Civil Liberties, Justice and ...'
        if JUNK.search(self.text, start, end):
            return None
        key = (start, end)
        mention = self.mentions.get(key)
        if mention is None:
            mention = Mention(start, end, self.text[start:end])
            self.mentions[key] = mention
        if kind is not None:
            mention.votes[kind] += weight
        return mention

    def _from_model(self) -> None:
        for ent in self.doc.ents:
            kind = _LABEL_KIND.get(ent.label_)
            if ent.start_char in self._in_role:
                continue  # inside a heading's role phrase, the role parser names the bodies
            if kind is not None:
                # The model's label outweighs the weak prior that two capitalised words
                # are a person's name, and yields to any cue or gazetteer.
                self._add(ent.start_char, ent.end_char, kind, 2)

    def _from_role_context(self) -> None:
        """A name with a role phrase beside it ('Name, an MEP from Italy') is a person."""
        taken = Occupied(len(self.text))  # the mentions are disjoint here (_drop_overlaps)
        for mention in self.mentions.values():
            taken.take(mention.start, mention.end)
        for match in PERSON_BEFORE_COMMA.finditer(self.text):
            if role_after(self.text, match.end(), self.lexicon) and not taken.overlaps(
                match.start(), match.end()
            ):
                added = self._add(match.start(), match.end(), EntityKind.PERSON, 4)
                if added is not None:
                    taken.take(added.start, added.end)
        for mention in list(self.mentions.values()):
            if mention.start in self._in_role:
                continue
            if role_after(self.text, mention.end, self.lexicon) or role_before(
                self.text, mention.start, self.lexicon
            ):
                mention.votes[EntityKind.PERSON] += 4

    def _from_subjects(self) -> None:
        """Two to four proper nouns the model left unlabelled: a weak vote for a person.

        'Ana Ruiz said', 'met Ana Ruiz': unknown names are most often people's; any label
        the model or a gazetteer gives outweighs this vote.
        """
        for token in self.doc:
            if token.dep_ not in _NAME_ROLES or token.pos_ != "PROPN" or token.ent_type_:
                continue
            parts = [c for c in token.lefts if c.dep_ == "compound" and c.pos_ == "PROPN"]
            first = parts[0] if parts else token
            titled = first.i
            while titled < token.i and self.lexicon.title(self.doc[titled].text) is not None:
                titled += 1  # 'Spanish MEP Elena Marín Ruiz': the role word is no part of it
            words = self.doc[titled : token.i + 1]
            if not 2 <= len(words) <= 4 or not all(NAME_WORD.fullmatch(w.text) for w in words):
                continue
            if (
                (titled == first.i and self._inside_longer_name(words.start, words.end))
                or words[-1].lower_ in THINGS
                or self.lexicon.title(words[0].text) is not None
            ):
                continue  # 'Committee on Foreign Interference', 'the Global Magnitsky Law'
            self._add(words.start_char, words.end_char, EntityKind.PERSON, 1)

    def _from_modifiers(self) -> None:
        """A name after 'the' ('the Kesh river dam', 'the Bassij') names a thing, a place
        or a body; people are seldom written so."""
        for mention in self.mentions.values():
            span = self.doc.char_span(mention.start, mention.end, alignment_mode="expand")
            if span is None or span.start == 0:
                continue
            if self.doc[span.start - 1].lower_ == "the":
                # 'the Kesh river dam', 'the Bassij', 'the Kremlin': people are seldom 'the X'.
                mention.votes[EntityKind.PERSON] -= 3

    def _inside_longer_name(self, start: int, end: int) -> bool:
        """Is a token range part of a longer capitalised name ('... on Foreign Affairs')?"""
        doc = self.doc
        before = doc[start - 1] if start > 0 else None
        after = doc[end] if end < len(doc) else None
        if after is not None and after.text[:1].isupper() and after.is_alpha:
            return True
        if before is None:
            return False
        if before.text[:1].isupper() and before.is_alpha and not before.is_sent_start:
            return True
        # Back over a few small words ('in all', 'of the') to a capitalised word.
        i = start - 1
        while i >= max(0, start - 3) and doc[i].lower_ in _GLUE:
            i -= 1
        return i < start - 1 and i >= 0 and doc[i].text[:1].isupper() and doc[i].is_alpha

    def _from_headings(self) -> None:
        for span in self._headed:
            self._add(span.start, span.end, EntityKind.PERSON, 5)

    def _from_titles(self) -> None:
        """'Mrs. Maryam Rajavi', 'Dr Ng': an honorific makes the next capitalised words a person."""
        doc = self.doc
        for token in doc:
            title = self.lexicon.title(token.text)
            if title is None or not title.is_honorific:
                continue
            i = token.i + 1
            if i < len(doc) and doc[i].text == ".":
                i += 1
            j = i
            while j < len(doc) and j - i < 4 and NAME_WORD.fullmatch(doc[j].text):
                j += 1
            if j > i:
                mention = self._add(
                    doc[i].idx, doc[j - 1].idx + len(doc[j - 1]), EntityKind.PERSON, 3
                )
                if mention is not None and title.gender:
                    mention.gender = title.gender

    def _from_acronyms(self) -> None:
        """'National Council of Resistance of Iran (NCRI)': the long name gets the acronym."""
        for match in _ACRONYM_DEF.finditer(self.text):
            long_start = self._long_name_start(match.start())
            if long_start is None:
                continue
            long_end = match.start()
            long_name = self.text[long_start:long_end].strip()
            parts = [p.strip() for p in match.group(1).split("/")]
            if not any(initials_match(long_name, p) for p in parts) and not self._is_org_ent(
                long_start, long_end
            ):
                continue
            mention = self._add(long_start, long_end, EntityKind.ORGANIZATION, 4)
            if mention is None:
                continue
            for part in parts:
                self.acronyms[part] = mention.text
        for match in _SLASH.finditer(self.text):
            first, *others = (p.strip() for p in match.group(0).split("/"))
            target = self.acronyms.get(first, first)
            for part in (first, *others):
                self.acronyms.setdefault(part, target)
        for acronym, long_name in list(self.acronyms.items()):
            if acronym == long_name:
                continue
            for found in re.finditer(rf"(?<![\w/]){re.escape(acronym)}(?![\w])", self.text):
                mention = self._add(found.start(), found.end(), EntityKind.ORGANIZATION, 4)
                if mention is not None:
                    mention.canonical = long_name

    def _long_name_start(self, end: int) -> int | None:
        """Where the capitalised name before a parenthesis starts ('of', 'and' may join it)."""
        words = list(re.finditer(r"[\w\u00c0-\u024f'’-]+", self.text[max(0, end - 160) : end]))
        offset = max(0, end - 160)
        start = None
        following = end
        for word in reversed(words):
            token = word.group()
            if self.text[offset + word.end() : following].strip():
                break  # punctuation between words ends the name: 'Kowalczyk, Director'
            following = offset + word.start()
            if token[0].isupper():
                start = offset + word.start()
            elif token.lower() not in CONNECTORS or start is None:
                break
        if start is None:
            return None
        # A name does not start with a connector ('the', 'of') or a role ('Director of').
        while True:
            first = self.text[start:end].split(" ", 1)[0]
            if first.lower() in CONNECTORS or (
                self.lexicon.title(first) is not None and " of " in self.text[start:end]
            ):
                start += len(first) + 1
                continue
            break
        return start if start < end else None

    def _is_org_ent(self, start: int, end: int) -> bool:
        return any(
            e.label_ == "ORG" and e.end_char >= end - 1 and e.start_char <= start + 4
            for e in self.doc.ents
        )

    def _from_gazetteers(self) -> None:
        """Countries and institutions named in full, even where the model missed them."""
        for match in capitalised_runs(self.text):
            start, end = match
            for sub_start, sub_end in sub_runs(self.text[start:end]):
                s, e = clean(self.text, start + sub_start, start + sub_end)
                piece = self.text[s:e]
                if not piece:
                    continue
                if self.lexicon.institution(piece) is not None:
                    self._add(s, e, EntityKind.ORGANIZATION, 5)
                elif self.lexicon.countries.get(fold(piece)) or self.lexicon.regions.get(
                    fold(piece)
                ):
                    self._add(s, e, EntityKind.PLACE, 5)

    # -- typing and clustering ----------------------------------------------------------

    def find(self) -> list[Cluster]:
        """Every entity of the document, in order of first mention."""
        self._from_model()
        self._from_subjects()
        self._from_headings()
        self._from_titles()
        self._from_acronyms()
        self._from_gazetteers()
        self._drop_overlaps()
        self._from_role_context()
        self._from_modifiers()
        vote(self.mentions.values(), self.lexicon, self.acronyms)
        surnames(self.mentions.values())
        kept = sorted(
            (m for m in self.mentions.values() if kind_of(m) is not None),
            key=lambda m: (m.start, m.end),
        )
        clusters = people_clusters(
            [m for m in kept if kind_of(m) is EntityKind.PERSON], self.lexicon
        )
        clusters += named_clusters(
            EntityKind.ORGANIZATION,
            [m for m in kept if kind_of(m) is EntityKind.ORGANIZATION],
            self._org_name,
        )
        clusters += named_clusters(
            EntityKind.PLACE,
            [m for m in kept if kind_of(m) is EntityKind.PLACE],
            self._place_name,
        )
        return sorted(clusters, key=lambda c: (c.spans[0].start, c.kind.value))

    def _drop_overlaps(self) -> None:
        """Where candidate spans overlap, keep the strongest, then the longest."""
        ranked = sorted(
            self.mentions.values(),
            key=lambda m: (-sum(v for v in m.votes.values() if v > 0), -(m.end - m.start), m.start),
        )
        taken = Occupied(len(self.text))  # what is kept never overlaps: mark its characters
        kept: dict[tuple[int, int], Mention] = {}
        for mention in ranked:
            if taken.overlaps(mention.start, mention.end):
                continue
            taken.take(mention.start, mention.end)
            kept[(mention.start, mention.end)] = mention
        self.mentions = kept

    def _org_name(self, mention: Mention) -> str:
        if "/" in mention.text:
            first = mention.text.split("/", 1)[0].strip()
            return self.acronyms.get(first, first)
        institution: Institution | None = self.lexicon.institution(mention.text)
        if institution is not None:
            return institution.name
        if mention.canonical:
            known = self.lexicon.institution(mention.canonical)
            return known.name if known else mention.canonical
        return self.acronyms.get(mention.text, mention.text)

    def _place_name(self, mention: Mention) -> str:
        folded = fold(mention.text)
        return (
            self.lexicon.countries.get(folded) or self.lexicon.regions.get(folded) or mention.text
        )
