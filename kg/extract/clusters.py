"""Mentions grouped into a document's entities: people by full name, a lone surname with
the one full name it can mean; organizations and places by normalised name."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from kg.extract.lexicon import Lexicon
from kg.extract.names import display_name, name_words, strip_titles
from kg.model import EntityKind, Span
from kg.text import normalise_name


@dataclass
class Mention:
    """A surface form at a place in the text, with the votes for its kind."""

    start: int
    end: int
    text: str
    votes: Counter[EntityKind] = field(default_factory=Counter)
    gender: str | None = None
    canonical: str | None = None  # a gazetteer or acronym definition's full name


@dataclass(frozen=True)
class Cluster:
    """One entity of a document: its kind, display name, surface forms and mentions."""

    kind: EntityKind
    name: str
    aliases: tuple[str, ...]
    spans: tuple[Span, ...]
    gender: str | None


def named_clusters(
    kind: EntityKind, mentions: list[Mention], name_of: Callable[[Mention], str]
) -> list[Cluster]:
    """Organizations and places: one cluster per normalised name."""
    groups: dict[str, list[Mention]] = defaultdict(list)
    names: dict[str, str] = {}
    for mention in mentions:
        name = name_of(mention)
        key = normalise_name(name)
        groups[key].append(mention)
        names.setdefault(key, name)
    return [_cluster(kind, names[key], ms) for key, ms in groups.items()]


def people_clusters(mentions: list[Mention], lexicon: Lexicon) -> list[Cluster]:
    """Full names cluster by name; a partial name joins the one full name it fits."""
    full: dict[str, list[Mention]] = defaultdict(list)
    partial: list[Mention] = []
    for mention in mentions:
        words = name_words(mention.text)
        (full[" ".join(words)] if len(words) > 1 else partial).append(mention)
    for mention in partial[:]:
        key = _attach(mention, full)
        if key is not None:
            full[key].append(mention)
            partial.remove(mention)
    # Multi-word names that are the tail of a longer name ('LÓPEZ AGUILAR') join it.
    for key in sorted(full, key=len):
        longer = [k for k in full if k != key and k.endswith(" " + key)]
        if len(longer) == 1:
            full[longer[0]].extend(full.pop(key))
    for mention in partial:
        full[" ".join(name_words(mention.text))].append(mention)
    clusters = []
    for group in full.values():
        group.sort(key=lambda m: m.start)
        best = max(group, key=lambda m: (len(strip_titles(m.text).split()), -m.start))
        name = display_name(_strip_roles(strip_titles(best.text), lexicon))
        clusters.append(_cluster(EntityKind.PERSON, name, group))
    return clusters


def _strip_roles(name: str, lexicon: Lexicon) -> str:
    """'High Representative Borrel' is Borrel: a role title is not part of a name."""
    words = name.split()
    for size in range(min(4, len(words) - 1), 0, -1):
        title = lexicon.title(" ".join(words[:size]))
        if title is not None and not title.is_honorific:
            return " ".join(words[size:])
    return name


def _attach(mention: Mention, full: dict[str, list[Mention]]) -> str | None:
    """The full name a lone surname means: gender first, then how often, then nearest."""
    surname = name_words(mention.text)[0]
    candidates = [k for k in full if k.split()[-1] == surname or k.split()[0] == surname]
    if not candidates:
        return None
    if mention.gender:
        same = [k for k in candidates if _gender(full[k]) in (mention.gender, None)]
        candidates = same or candidates
    if len(candidates) == 1:
        return candidates[0]
    before = [k for k in candidates if full[k][0].start < mention.start]
    ranked = sorted(
        before or candidates,
        key=lambda k: (
            -len(full[k]),
            -max(m.start for m in full[k] if m.start < mention.start)
            if any(m.start < mention.start for m in full[k])
            else 0,
        ),
    )
    return ranked[0]


def _gender(mentions: list[Mention]) -> str | None:
    genders = {m.gender for m in mentions if m.gender}
    return genders.pop() if len(genders) == 1 else None


def _cluster(kind: EntityKind, name: str, mentions: list[Mention]) -> Cluster:
    forms = sorted({strip_titles(m.text) for m in mentions} - {name})
    genders = {m.gender for m in mentions if m.gender}
    return Cluster(
        kind=kind,
        name=name,
        aliases=tuple(forms),
        spans=tuple(sorted(Span(m.start, m.end) for m in mentions)),
        gender=genders.pop() if len(genders) == 1 else None,
    )
