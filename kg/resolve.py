"""Entities across documents: one node per person, organization, place, event and role.

Each document's entities are matched by kind and normalised name; a lone surname joins
the one full name of the build that ends with it (never when two people share it), and
an acronym joins the organization it stands for wherever it was defined. The result
does not depend on the order of the documents: everything is decided over sorted keys.

Resolution reads only names: :func:`names` keeps what it needs of an extraction (the
kind, name, surface forms and mention count of each entity), so a build can let go of
each extraction once it is cached and resolve tens of thousands of documents in memory.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from kg.model import DocExtraction, EntityKind
from kg.text import normalise_name, one_edit

# A lone surname this long may differ from a full name's by one typo and still join it.
_TYPO_MIN = 5


@dataclass(frozen=True)
class GlobalEntity:
    """An entity of the build: its identity key and its one preferred label."""

    kind: EntityKind
    key: str
    label: str


@dataclass(frozen=True)
class Resolution:
    """Where each document's local entity lands in the build."""

    entities: dict[tuple[str, int], GlobalEntity]  # (document sha256, local id) -> entity

    def of(self, extraction: DocExtraction, local: int) -> GlobalEntity:
        """The build entity a document's local entity resolves to."""
        return self.entities[(extraction.article.sha256, local)]

    def document(self, sha256: str, locals_: Iterable[int]) -> Resolution:
        """The part of the resolution one document needs (to render it elsewhere)."""
        return Resolution({(sha256, n): self.entities[(sha256, n)] for n in locals_})


@dataclass(frozen=True)
class Name:
    """One entity of a document as resolution sees it."""

    local_id: int
    kind: EntityKind
    name: str
    mentions: int
    acronyms: tuple[str, ...] = ()  # an organization's all-capital aliases


@dataclass(frozen=True)
class DocNames:
    """What resolution needs of one document: its hash and its entities' names."""

    sha256: str
    entities: tuple[Name, ...]


def names(extraction: DocExtraction) -> DocNames:
    """The names of an extraction's entities, all resolution reads of it."""
    return DocNames(
        extraction.article.sha256,
        tuple(
            Name(
                e.local_id,
                e.kind,
                e.name,
                len(e.mentions),
                tuple(a for a in e.aliases if a.isupper())
                if e.kind is EntityKind.ORGANIZATION
                else (),
            )
            for e in extraction.entities
        ),
    )


def resolve(extractions: Iterable[DocExtraction]) -> Resolution:
    """Resolve every document's entities to build entities."""
    return resolve_names(names(x) for x in extractions)


def resolve_names(documents: Iterable[DocNames]) -> Resolution:
    """Resolve every document's entities, given their names, to build entities."""
    docs = sorted(documents, key=lambda x: x.sha256)
    keys: dict[tuple[str, int], tuple[EntityKind, str]] = {}
    for doc in docs:
        for entity in doc.entities:
            keys[(doc.sha256, entity.local_id)] = (entity.kind, normalise_name(entity.name))
    merged = _merge_partial_names(set(keys.values()))
    merged.update(_merge_acronyms(docs))
    labels: dict[tuple[EntityKind, str], Counter[str]] = defaultdict(Counter)
    final: dict[tuple[str, int], tuple[EntityKind, str]] = {}
    for doc in docs:
        for entity in doc.entities:
            kind, key = keys[(doc.sha256, entity.local_id)]
            key = merged.get((kind, key), key)
            final[(doc.sha256, entity.local_id)] = (kind, key)
            labels[(kind, key)][entity.name] += max(1, entity.mentions)
    chosen = {ident: _label(counts) for ident, counts in labels.items()}
    return Resolution(
        {
            where: GlobalEntity(kind, key, chosen[(kind, key)])
            for where, (kind, key) in final.items()
        }
    )


def _label(counts: Counter[str]) -> str:
    """The fullest name wins, then the most mentioned, then the first in order."""
    return min(counts, key=lambda name: (-len(name.split()), -counts[name], name))


def _merge_partial_names(
    keys: set[tuple[EntityKind, str]],
) -> dict[tuple[EntityKind, str], str]:
    """A one-word person key joins the only multi-word person key that ends with it."""
    people = sorted(k for kind, k in keys if kind is EntityKind.PERSON)
    by_surname: dict[str, list[str]] = defaultdict(list)
    for key in people:
        words = key.split()
        if len(words) > 1:
            by_surname[words[-1]].append(key)
    merged: dict[tuple[EntityKind, str], str] = {}
    for key in people:
        if len(key.split()) != 1:
            continue
        candidates = by_surname.get(key) or [
            full
            for surname, fulls in by_surname.items()
            if len(key) >= _TYPO_MIN and one_edit(key, surname)
            for full in fulls
        ]
        if len(candidates) == 1:
            merged[(EntityKind.PERSON, key)] = candidates[0]
    return merged


def _merge_acronyms(docs: list[DocNames]) -> dict[tuple[EntityKind, str], str]:
    """An organization named only by an acronym joins the one full name it was defined as."""
    expansions: dict[str, set[str]] = defaultdict(set)
    for doc in docs:
        for entity in doc.entities:
            if entity.kind is EntityKind.ORGANIZATION:
                for alias in entity.acronyms:
                    expansions[normalise_name(alias)].add(normalise_name(entity.name))
    return {
        (EntityKind.ORGANIZATION, acronym): next(iter(full))
        for acronym, full in expansions.items()
        if len(full) == 1 and acronym not in full
    }
