"""The entities of one document as extraction finds them: one local id per entity.

Names found by the mention finder come first; roles, organizations and nationalities
named inside role phrases join by name, so "MEP" and "European Parliament" in one
article are one organization.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, insort
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from itertools import accumulate

from kg.extract.clusters import Cluster
from kg.extract.lexicon import Lexicon
from kg.model import Entity, EntityKind, Span
from kg.text import normalise_name


@dataclass
class Registry:
    """Builds the document's ``Entity`` tuple; local ids are indices into it."""

    text: str
    lexicon: Lexicon
    acronyms: dict[str, str]
    entities: list[Entity] = field(default_factory=list)
    genders: dict[int, str] = field(default_factory=dict)
    _index: dict[tuple[EntityKind, str], int] = field(default_factory=dict)
    _spans: list[tuple[int, int, int]] = field(default_factory=list)  # start, end, id
    _mentioned: dict[int, set[Span]] = field(default_factory=dict)  # each entity's mentions
    _found: _SpanIndex = field(default_factory=lambda: _SpanIndex([], []))  # _spans[:built]

    def canonical(self, kind: EntityKind, name: str) -> str:
        """The name an organization or place is known by (gazetteer, acronym definition)."""
        if kind is EntityKind.ORGANIZATION:
            name = self.acronyms.get(name, name)
            known = self.lexicon.institution(name)
            return known.name if known else name
        if kind is EntityKind.PLACE:
            return self.lexicon.country(name) or name
        return name

    def add_cluster(self, cluster: Cluster) -> int:
        """Register a cluster of mentions found in the text."""
        local = self.ensure(cluster.kind, cluster.name, cluster.spans, cluster.aliases)
        if cluster.gender:
            self.genders[local] = cluster.gender
        return local

    def ensure(
        self,
        kind: EntityKind,
        name: str,
        spans: tuple[Span, ...] = (),
        aliases: tuple[str, ...] = (),
    ) -> int:
        """The local id of the entity of this kind and name, created if new."""
        name = self.canonical(kind, name)
        key = (kind, normalise_name(name))
        local = self._index.get(key)
        if local is None:
            local = len(self.entities)
            self._index[key] = local
            self.entities.append(Entity(local_id=local, kind=kind, name=name))
        entity = self.entities[local]
        # Only what is new is sorted in: an entity named a thousand times was sorted
        # whole again at each of its mentions, in time the square of its mentions.
        known = self._mentioned.get(local)
        if known is None:
            known = self._mentioned[local] = set(entity.mentions)
        fresh = set(spans) - known
        new_aliases = {a for a in aliases if a != entity.name} - set(entity.aliases)
        if fresh or new_aliases:
            mentions = list(entity.mentions)
            for span in sorted(fresh):
                insort(mentions, span)
            known.update(fresh)
            self.entities[local] = replace(
                entity,
                aliases=tuple(sorted({*entity.aliases, *new_aliases})),
                mentions=tuple(mentions),
            )
        for span in spans:
            self._spans.append((span.start, span.end, local))
        return local

    def update(self, local: int, **changes: object) -> None:
        """Set fields (nationality, start_date, parent) of an entity."""
        self.entities[local] = replace(self.entities[local], **changes)  # type: ignore[arg-type]

    def at(self, start: int, end: int) -> int | None:
        """The entity with a mention overlapping ``[start, end)``, the tightest first
        (of two as tight, the one registered first)."""
        found = min(
            ((e - s, order, local) for s, e, order, local in self._overlapping(start, end)),
            default=None,
        )
        return found[2] if found else None

    def mention_span(self, start: int, end: int) -> Span | None:
        """The mention span overlapping ``[start, end)`` (the one registered first)."""
        found = min(((o, s, e) for s, e, o, _ in self._overlapping(start, end)), default=None)
        return Span(found[1], found[2]) if found else None

    def latest_before(
        self, offset: int, kind: EntityKind = EntityKind.PERSON
    ) -> Iterator[tuple[int, int]]:
        """(mention start, local id) of the mentions of ``kind`` before ``offset``, the
        latest first, read from the end as they are needed."""
        index = self._indexed()
        recent = sorted(
            ((s, local) for s, _e, local in self._spans[index.built :] if s < offset),
            reverse=True,
        )
        return heapq.merge(
            index.before(offset, kind),
            (r for r in recent if self.entities[r[1]].kind is kind),
            reverse=True,
        )

    def _indexed(self) -> _SpanIndex:
        # Indexing again after every few spans added keeps the unindexed tail short; the
        # spans of a document are nearly all added before the first question.
        if len(self._spans) - self._found.built > _UNINDEXED:
            self._found = _SpanIndex(self._spans, self.entities)
        return self._found

    def _overlapping(self, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
        """(start, end, order registered, local id) of every span overlapping the range."""
        index = self._indexed()
        yield from index.overlapping(start, end)
        for order in range(index.built, len(self._spans)):
            s, e, local = self._spans[order]
            if s < end and start < e:
                yield s, e, order, local

    def kind(self, local: int) -> EntityKind:
        """The kind of an entity."""
        return self.entities[local].kind


_UNINDEXED = 32  # spans added since the index was built that a question reads one by one


class _SpanIndex:
    """The mention spans of a registry sorted by start, with the furthest end so far, so
    the spans overlapping a range are found without reading every span."""

    def __init__(self, spans: list[tuple[int, int, int]], entities: list[Entity]) -> None:
        self.built = len(spans)
        self._sorted = sorted((s, e, order, local) for order, (s, e, local) in enumerate(spans))
        self._starts = [t[0] for t in self._sorted]
        self._reach = list(accumulate((t[1] for t in self._sorted), max))
        self._by_kind: dict[EntityKind, list[tuple[int, int]]] = {}
        for s, _e, local in spans:
            self._by_kind.setdefault(entities[local].kind, []).append((s, local))
        for found in self._by_kind.values():
            found.sort()

    def overlapping(self, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
        i = bisect_left(self._starts, end) - 1  # the spans before i + 1 start before end
        while i >= 0 and self._reach[i] > start:  # no span before i reaches start otherwise
            if self._sorted[i][1] > start:
                yield self._sorted[i]
            i -= 1

    def before(self, offset: int, kind: EntityKind) -> Iterator[tuple[int, int]]:
        """(start, local id) of the spans of ``kind`` starting before ``offset``, latest first."""
        found = self._by_kind.get(kind, [])
        for i in range(bisect_left(found, (offset,)) - 1, -1, -1):
            yield found[i]
