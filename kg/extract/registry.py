"""The entities of one document as extraction finds them: one local id per entity.

Names found by the mention finder come first; roles, organizations and nationalities
named inside role phrases join by name, so "MEP" and "European Parliament" in one
article are one organization.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

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
        new_aliases = set(entity.aliases) | {a for a in aliases if a != entity.name}
        self.entities[local] = replace(
            entity,
            aliases=tuple(sorted(new_aliases)),
            mentions=tuple(sorted(set(entity.mentions) | set(spans))),
        )
        for span in spans:
            self._spans.append((span.start, span.end, local))
        return local

    def update(self, local: int, **changes: object) -> None:
        """Set fields (nationality, start_date, parent) of an entity."""
        self.entities[local] = replace(self.entities[local], **changes)  # type: ignore[arg-type]

    def at(self, start: int, end: int) -> int | None:
        """The entity with a mention overlapping ``[start, end)``, the tightest first."""
        best: tuple[int, int] | None = None
        for s, e, local in self._spans:
            if s < end and start < e and (best is None or e - s < best[0]):
                best = (e - s, local)
        return best[1] if best else None

    def mention_span(self, start: int, end: int) -> Span | None:
        """The mention span overlapping ``[start, end)``."""
        for s, e, _ in self._spans:
            if s < end and start < e:
                return Span(s, e)
        return None

    def people_before(
        self, offset: int, kind: EntityKind = EntityKind.PERSON
    ) -> list[tuple[int, int]]:
        """(mention start, local id) of the mentions of one kind before an offset."""
        return sorted(
            (s, local)
            for s, _e, local in self._spans
            if s < offset and self.entities[local].kind is kind
        )

    def kind(self, local: int) -> EntityKind:
        """The kind of an entity."""
        return self.entities[local].kind
