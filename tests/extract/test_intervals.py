"""Issue 15 row 3: the sorted indexes that replaced quadratic loops answer as the loops did."""

from __future__ import annotations

import random

import pytest

from kg.extract.content import _INTRODUCER, _lead
from kg.extract.intervals import Covering, Disjoint, Occupied, contained_elsewhere
from kg.extract.lexicon import Lexicon
from kg.extract.registry import Registry
from kg.model import EntityKind, Span


def _spans(seed: int, count: int, disjoint: bool) -> list[Span]:
    rng = random.Random(seed)
    found: list[Span] = []
    at = 0
    for _ in range(count):
        start = at + rng.randint(0 if disjoint else -8, 6)
        start = max(start, 0)
        end = start + rng.randint(1, 9)
        found.append(Span(start, end))
        at = end if disjoint else start + rng.randint(0, 4)
    return found


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize(("before", "after"), [(0, 0), (1, 1)])
def test_covering_is_any_span_around(seed: int, before: int, after: int) -> None:
    spans = _spans(seed, 12, disjoint=seed % 2 == 0)
    covering = Covering(spans, before, after)
    for at in range(-2, 120):
        assert (at in covering) == any(s.start - before <= at < s.end + after for s in spans)


@pytest.mark.parametrize("seed", range(20))
def test_disjoint_overlapping_holds_every_span_that_reaches_in(seed: int) -> None:
    spans = Disjoint(_spans(seed, 12, disjoint=True))
    for start in range(0, 100, 3):
        for end in range(start + 1, start + 30, 4):
            wanted = [s for s in spans if s.end > start and s.start < end]
            assert list(spans.overlapping(start, end)) == wanted


@pytest.mark.parametrize("seed", range(20))
def test_contained_elsewhere_is_the_nested_loop(seed: int) -> None:
    spans = _spans(seed, 15, disjoint=False)
    spans += spans[:3]  # equal spans contain each other only if another differs
    expected = [any(o != s and o.start <= s.start and s.end <= o.end for o in spans) for s in spans]
    assert contained_elsewhere(spans) == expected


def test_occupied_is_overlap_with_what_was_taken() -> None:
    taken: list[tuple[int, int]] = []
    occupied = Occupied(100)
    for start, end in [(5, 9), (7, 12), (12, 15), (0, 5), (20, 40), (30, 31), (40, 41)]:
        overlaps = any(start < e and s < end for s, e in taken)
        assert occupied.overlaps(start, end) == overlaps
        if not overlaps:
            taken.append((start, end))
            occupied.take(start, end)


def _old_lead(text: str, start: int, end: int) -> tuple[bool, bool]:
    lead = text[start:end].rstrip()
    woven = lead.lower().rstrip(",") in ("that", "")
    introduced = lead.endswith((",", ":", ";")) or _INTRODUCER.search(lead) is not None
    return woven, introduced


@pytest.mark.parametrize(
    "lead",
    [
        "",
        "  ",
        "that",
        "That ",
        "that,, ",
        "said that",
        "he said,",
        "she put it:",
        "warned the minister, saying",
        "unsaying",
        "x saying",
        "declaring  ",
        "insisting",
        "a long clause before, and then insisting",
        "words; ",
        "THAT",
        "thats",
    ],
)
def test_lead_reads_as_the_whole_lead_did(lead: str) -> None:
    text = "He said " + lead + " “quoted words here”"
    start = len("He said ")
    end = text.index("“")
    assert _lead(text, start, end) == _old_lead(text, start, end)
    assert _lead(lead, 0, len(lead)) == _old_lead(lead, 0, len(lead))


def _registry(seed: int, words: Lexicon) -> Registry:
    rng = random.Random(seed)
    registry = Registry("x" * 400, words, {})
    kinds = [EntityKind.PERSON, EntityKind.ORGANIZATION, EntityKind.PLACE]
    for i in range(rng.randint(5, 120)):  # past the unindexed tail, and within it
        start = rng.randint(0, 380)
        spans = (Span(start, start + rng.randint(1, 15)),)
        registry.ensure(kinds[i % 3], f"Name{rng.randint(0, 30)}", spans)
    return registry


@pytest.mark.parametrize("seed", range(25))
def test_registry_questions_answer_as_reading_every_span(seed: int, words: Lexicon) -> None:
    registry = _registry(seed, words)
    spans = list(registry._spans)

    def old_at(start: int, end: int) -> int | None:
        best: tuple[int, int] | None = None
        for s, e, local in spans:
            if s < end and start < e and (best is None or e - s < best[0]):
                best = (e - s, local)
        return best[1] if best else None

    def old_span(start: int, end: int) -> Span | None:
        return next((Span(s, e) for s, e, _ in spans if s < end and start < e), None)

    for start in range(0, 400, 7):
        end = start + 1 + start % 9
        assert registry.at(start, end) == old_at(start, end)
        assert registry.mention_span(start, end) == old_span(start, end)
        for kind in (EntityKind.PERSON, EntityKind.ORGANIZATION):
            old = sorted(
                (s, local) for s, _e, local in spans if s < start and registry.kind(local) is kind
            )
            assert list(registry.latest_before(start, kind)) == old[::-1]


@pytest.mark.parametrize("seed", range(10))
def test_ensure_gathers_mentions_and_aliases_as_sorting_them_whole(
    seed: int, words: Lexicon
) -> None:
    rng = random.Random(seed)
    registry = Registry("x" * 400, words, {})
    mentions: set[Span] = set()
    aliases: set[str] = set()
    for _ in range(60):
        start = rng.randint(0, 380)
        spans = tuple(Span(start, start + rng.randint(1, 9)) for _ in range(rng.randint(0, 2)))
        names = tuple(rng.choice(["Berg", "Anna Berg", "A. Berg", "Doctor Berg"]) for _ in "ab")
        registry.ensure(EntityKind.PERSON, "Anna Berg", spans, names)
        mentions |= set(spans)
        aliases |= {a for a in names if a != "Anna Berg"}
    (entity,) = registry.entities
    assert entity.mentions == tuple(sorted(mentions))
    assert entity.aliases == tuple(sorted(aliases))
