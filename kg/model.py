"""The frozen records that flow between the stages (stdlib only).

ingest -> Article; extract -> DocExtraction (per document, a pure function of the
article and the model); resolve -> Resolution (entities across documents); graph.py
turns those into triples. Offsets are Python ``str`` indices into ``Article.text``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property


class EntityKind(StrEnum):
    """The kinds of entity the graph names; the value is the IRI path segment."""

    PERSON = "person"
    ORGANIZATION = "organization"
    PLACE = "place"
    EVENT = "event"
    ROLE = "role"


class Stance(StrEnum):
    """A position's stance towards what it is about (the kg: individual's local name)."""

    FAVOR = "Favor"
    AGAINST = "Against"
    NEUTRAL = "Neutral"


@dataclass(frozen=True)
class Article:
    """One input document, as read: ``text`` is exactly what offsets count in."""

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    published: str | None = None  # ISO date or date-time as given by the source

    @cached_property
    def sha256(self) -> str:
        """Hex SHA-256 of the UTF-8 text: the document's identity in IRIs."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, order=True)
class Span:
    """A ``[start, end)`` range of code points in an article's text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"invalid span [{self.start}, {self.end})")


@dataclass(frozen=True)
class Entity:
    """An entity as one document knows it: its names and where they stand."""

    local_id: int
    kind: EntityKind
    name: str  # the fullest name this document gives
    aliases: tuple[str, ...] = ()  # every other surface form in this document
    mentions: tuple[Span, ...] = ()
    nationality: int | None = None  # local_id of a PLACE
    start_date: str | None = None  # EVENT only: YYYY, YYYY-MM or YYYY-MM-DD
    place: int | None = None  # EVENT only: local_id of a PLACE
    parent: int | None = None  # ORGANIZATION only: local_id of the parent organization


@dataclass(frozen=True)
class Membership:
    """A role a person holds in an organization, as the text words it."""

    member: int  # local_id of a PERSON
    organization: int  # local_id of an ORGANIZATION
    role_text: str
    evidence: Span
    role: int | None = None  # local_id of a ROLE entity
    is_former: bool = False


@dataclass(frozen=True)
class Position:
    """Something a speaker stated, with the words that support it."""

    speaker: int  # local_id of a PERSON or ORGANIZATION
    evidence: Span  # what was stated: the quotation or the reported clause
    proposition: str
    is_direct: bool
    speaker_evidence: Span | None = None  # the words naming or referring to the speaker
    cue: str | None = None  # reporting verb lemma
    speech_act: str | None = None  # local name of a kg:SpeechAct individual
    stance: Stance | None = None
    addressee: int | None = None
    about: tuple[int, ...] = ()
    membership: int | None = None  # index into DocExtraction.memberships
    stated_at: int | None = None  # local_id of an EVENT


@dataclass(frozen=True)
class Attribution:
    """Who said what as the text words it, whether or not the speaker is an entity.

    Every attribution the extractor finds, including those whose speaker is a common
    noun ("officials said"); positions are the ones whose speaker resolved to a person
    or an organization. Evaluation scores attributions.
    """

    content: Span
    is_direct: bool
    speaker_text: str | None  # the words naming the speaker, as written
    speaker_span: Span | None
    speaker: int | None = None  # local_id of the PERSON or ORGANIZATION, when resolved
    cue: str | None = None  # the cue's lemma
    cue_span: Span | None = None


@dataclass(frozen=True)
class DocExtraction:
    """Everything extracted from one article; local ids index ``entities``."""

    article: Article
    entities: tuple[Entity, ...] = ()
    memberships: tuple[Membership, ...] = ()
    positions: tuple[Position, ...] = ()
    attributions: tuple[Attribution, ...] = ()
