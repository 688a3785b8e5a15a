"""Doc -> entities, memberships and stated positions of one article.

``extract`` is a pure function of the article, its parsed ``Doc`` and the lexicon, so
documents can be extracted in any order, in parallel, or on other machines. A spaCy
``Doc`` never leaves this package.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator

from spacy.tokens import Doc

from kg.extract.attribution import CLAIM_NOUNS, Attributor, Found
from kg.extract.events import dateline, find_events, reported_event
from kg.extract.intervals import Covering, Disjoint, contained_elsewhere
from kg.extract.layout import Section, paragraphs, sections
from kg.extract.lexicon import Lexicon
from kg.extract.mentions import MentionFinder
from kg.extract.quotes import quotations
from kg.extract.registry import Registry
from kg.extract.roles import parse_roles, role_after, role_before
from kg.extract.speakers import doc_text
from kg.model import (
    Article,
    Attribution,
    DocExtraction,
    EntityKind,
    Membership,
    Position,
    Span,
    Stance,
)

__all__ = ["extract"]

_FINITE = frozenset({"VBD", "VBZ", "VBP", "MD"})
_FAVOR = frozenset({"Support", "CallOn", "Urge", "Demand", "Propose", "Promise"})
_AGAINST = frozenset({"Condemn", "Oppose", "Deny"})


def extract(article: Article, doc: Doc, lexicon: Lexicon) -> DocExtraction:
    """Everything newskg extracts from one parsed article."""
    if doc_text(doc) != article.text:
        raise ValueError(f"{article.id}: the parsed text is not the article's text")
    text = article.text
    paras = paragraphs(text)
    verbal = frozenset(p for p in paras if _has_finite_verb(doc, p))
    live = list(sections(text, paras, lexicon, verbal))
    finder = MentionFinder(
        doc,
        lexicon,
        headed=[s.heading.name for s in live],
        role_spans=[s.heading.role for s in live],
    )
    registry = Registry(text, lexicon, finder.acronyms)
    for cluster in finder.find():
        registry.add_cluster(cluster)
    for event in find_events(text):
        local = registry.ensure(EntityKind.EVENT, event.label, (event.span,))
        registry.update(local, start_date=event.date)
    gathering = reported_event(text, paras, article.published or dateline(text, paras))
    stated_at = None
    if gathering is not None:
        stated_at = registry.ensure(EntityKind.EVENT, gathering.label, (gathering.span,))
        if gathering.date:
            registry.update(stated_at, start_date=gathering.date)
        place = _place_in(registry, gathering.sentence)
        if place is not None:
            registry.update(stated_at, place=place)
    memberships = list(_memberships(doc, registry, lexicon, live))
    verbs = frozenset(lexicon.verbs)
    found = _without_repeats(list(_attributions(doc, registry, paras, live, verbs)))
    positions = _positions(found, registry, memberships, lexicon, stated_at)
    return DocExtraction(
        article=article,
        entities=tuple(registry.entities),
        memberships=tuple(memberships),
        positions=tuple(positions),
        attributions=tuple(_attribution_records(found, text)),
    )


def _owned_claim(item: Found) -> bool:
    return item.cue in CLAIM_NOUNS and item.speaker is not None


def _without_repeats(found: list[Found]) -> list[Found]:
    """Attributions in text order, one per content span, restated nested ones dropped.

    An attribution whose content lies inside another's is part of what that one reports:
    'said she plans to join the protest': 'plans' only restates the reported clause. A
    third party inside a report ('X said that Y warned that ...') is X's account of Y,
    not Y's own words: the statement is X's, and its content says what Y warned. Keeping
    such inner reports as separate statements lowered attributed F1 on PolNeAR train and
    dev alike (67.2 -> 67.8 and 71.4 -> 72.1 once dropped). A claim with its owner named
    ("Nowak's claim that ...") stays hers.
    """
    seen: set[Span] = set()
    kept = []
    inside = dict(zip(map(id, found), contained_elsewhere([f.content for f in found]), strict=True))
    for item in sorted(found, key=lambda f: (f.content, f.speaker is None)):
        if item.content in seen or (inside[id(item)] and not _owned_claim(item)):
            continue
        seen.add(item.content)
        kept.append(item)
    return kept


def _attribution_records(found: list[Found], text: str) -> Iterator[Attribution]:
    """Every attribution found, as the records evaluation reads."""
    for item in found:
        words = item.speaker_words
        yield Attribution(
            content=item.content,
            is_direct=item.is_direct,
            speaker_text=text[words.start : words.end] if words else None,
            speaker_span=words,
            speaker=item.speaker,
            cue=item.cue,
            cue_span=item.cue_words,
        )


def _place_in(registry: Registry, sentence: Span | None) -> int | None:
    """The first place named in a sentence ('a hearing held in Brussels on May 3')."""
    if sentence is None:
        return None
    places = sorted(
        (m.start, e.local_id)
        for e in registry.entities
        if e.kind is EntityKind.PLACE
        for m in e.mentions
        if sentence.start <= m.start < sentence.end
    )
    return places[0][1] if places else None


def _has_finite_verb(doc: Doc, para: Span) -> bool:
    span = doc.char_span(para.start, para.end, alignment_mode="expand")
    return span is not None and any(t.tag_ in _FINITE and t.pos_ in ("VERB", "AUX") for t in span)


# -- roles ------------------------------------------------------------------------------


def _role_phrases(
    doc: Doc, registry: Registry, lexicon: Lexicon, live: list[Section]
) -> Iterator[tuple[int, Span]]:
    """(person, role phrase) from live headings and from the words around names."""
    for section in live:
        person = registry.at(section.heading.name.start, section.heading.name.end)
        if person is not None and registry.kind(person) is EntityKind.PERSON:
            yield person, section.heading.role
    headed = Covering({s.heading.paragraph for s in live})
    for entity in list(registry.entities):
        if entity.kind is not EntityKind.PERSON:
            continue
        for mention in entity.mentions:
            if mention.start in headed:
                continue
            before = role_before(doc_text(doc), mention.start, lexicon)
            if before is not None:
                yield entity.local_id, Span(*before)
            after = _role_after(doc, mention, lexicon)
            if after is not None:
                yield entity.local_id, after


def _role_after(doc: Doc, mention: Span, lexicon: Lexicon) -> Span | None:
    """'Name, MEP from Spain, Vice-Chair of ..., stressed': the phrase up to the verb."""
    if not role_after(doc_text(doc), mention.end, lexicon):
        return None
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    if span is None:
        return None
    root = span.root
    start = mention.end + 2
    if root.dep_ in ("nsubj", "nsubjpass") and root.head.idx > start:
        end = root.head.idx
        # The apposition closes with a comma: ', also joined' leaves 'also' out.
        comma = doc_text(doc).rfind(",", start, end)
        if comma > start:
            end = comma
    else:
        appos = [c for c in root.rights if c.dep_ == "appos"]
        if not appos:
            return None
        last = max((c.right_edge for c in appos), key=lambda t: t.i)
        end = last.idx + len(last)
    line_end = doc_text(doc).find("\n", start)
    if line_end != -1:
        end = min(end, line_end)
    while end > start and doc_text(doc)[end - 1] in " ,;:":
        end -= 1
    return Span(start, end) if start < end else None


def _memberships(
    doc: Doc, registry: Registry, lexicon: Lexicon, live: list[Section]
) -> Iterator[Membership]:
    text = doc_text(doc)
    seen: set[tuple[int, int, int | None, bool]] = set()
    for person, phrase in _role_phrases(doc, registry, lexicon, live):
        for claim in parse_roles(text[phrase.start : phrase.end], lexicon):
            evidence = Span(phrase.start + claim.start, phrase.start + claim.end)
            if claim.nationality:
                place = registry.ensure(EntityKind.PLACE, claim.nationality)
                if registry.entities[person].nationality is None:
                    registry.update(person, nationality=place)
            if not claim.organization or not claim.role:
                continue
            org = registry.ensure(
                EntityKind.ORGANIZATION,
                claim.organization,
                _find(text, claim.organization, evidence),
                (claim.acronym,) if claim.acronym else (),
            )
            if claim.parent:
                parent = registry.ensure(EntityKind.ORGANIZATION, claim.parent)
                if parent != org:
                    registry.update(org, parent=parent)
            role = registry.ensure(EntityKind.ROLE, claim.role)
            key = (person, org, role, claim.is_former)
            if key in seen:
                continue
            seen.add(key)
            yield Membership(person, org, claim.text, evidence, role, claim.is_former)


def _find(text: str, name: str, within: Span) -> tuple[Span, ...]:
    at = text.find(name, within.start, within.end)
    return (Span(at, at + len(name)),) if at >= 0 and name else ()


# -- positions ------------------------------------------------------------------------


def _attributions(
    doc: Doc, registry: Registry, paras: list[Span], live: list[Section], verbs: frozenset[str]
) -> Iterator[Found]:
    """Attributions in text order, so pronouns see the speakers before them."""
    attributor = Attributor(doc, registry, verbs)
    speech: dict[Span, Section] = {p: s for s in live for p in s.paragraphs}
    headings = {s.heading.paragraph for s in live}
    for para in paras:
        section = speech.get(para)
        if section is not None:
            name = section.heading.name
            speaker = registry.at(name.start, name.end)
            if speaker is not None:
                yield from attributor.speech(speaker, name, para)
            continue
        if para in headings:
            continue
        labelled = attributor.labelled(para)
        if labelled is not None:
            yield labelled
            continue
        quotes = Disjoint(quotations(doc_text(doc), para))
        direct = list(attributor.direct(para, quotes))
        reported = list(attributor.reported(para, quotes))
        # A quotation inside a reported clause is part of that (mixed) statement.
        clauses = Covering(r.content for r in reported)
        yield from (d for d in direct if d.content.start not in clauses)
        yield from reported


def _positions(
    found: list[Found],
    registry: Registry,
    memberships: list[Membership],
    lexicon: Lexicon,
    stated_at: int | None,
) -> list[Position]:
    positions: dict[tuple[Span, int], Position] = {}
    named = _Mentions(registry)
    held = _first_memberships(memberships)
    for item in found:
        if item.speaker is None:
            continue
        key = (item.content, item.speaker)
        if key in positions:
            continue
        verb = lexicon.verbs.get(item.cue) if item.cue else None
        act = verb.speech_act if verb else "Assert"
        about = named.about(item)
        positions[key] = Position(
            speaker=item.speaker,
            evidence=item.content,
            proposition=" ".join(registry.text[item.content.start : item.content.end].split()),
            is_direct=item.is_direct,
            speaker_evidence=item.speaker_words,
            cue=item.cue,
            speech_act=act,
            stance=Stance.FAVOR if act in _FAVOR else Stance.AGAINST if act in _AGAINST else None,
            addressee=item.addressee,
            about=about,
            membership=held.get(item.speaker),
            stated_at=stated_at,
        )
    return sorted(positions.values(), key=lambda p: (p.evidence, p.speaker))


class _Mentions:
    """The mentions of a document's entities (roles aside), sorted by start."""

    def __init__(self, registry: Registry) -> None:
        self._mentions = sorted(
            (m.start, m.end, local)
            for local, entity in enumerate(registry.entities)
            if entity.kind is not EntityKind.ROLE
            for m in entity.mentions
        )
        self._starts = [m[0] for m in self._mentions]

    def about(self, item: Found) -> tuple[int, ...]:
        """The entities named inside what was stated, the speaker aside (in id order)."""
        content = item.content
        first = bisect_left(self._starts, content.start)
        last = bisect_left(self._starts, content.end, lo=first)
        return tuple(
            sorted(
                {
                    local
                    for _, end, local in self._mentions[first:last]
                    if local != item.speaker and end <= content.end
                }
            )
        )


def _first_memberships(memberships: list[Membership]) -> dict[int, int]:
    """Each member's membership in force: its first current one, else its first at all."""
    current: dict[int, int] = {}
    first: dict[int, int] = {}
    for i, m in enumerate(memberships):
        first.setdefault(m.member, i)
        if not m.is_former:
            current.setdefault(m.member, i)
    return {**first, **current}
