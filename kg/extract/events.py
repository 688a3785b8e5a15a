"""Named historical events with dates as precise as the text allows.

"the 1988 massacre", "the November 2019 uprising", "the March 2018 protests": a year,
optionally a month, then an event noun. The date becomes ``xsd:gYear`` or
``xsd:gYearMonth``; the label is the phrase without its article.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from kg.model import Span

MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
EVENT_NOUNS = [
    "massacre",
    "massacres",
    "uprising",
    "uprisings",
    "protest",
    "protests",
    "revolution",
    "war",
    "crackdown",
    "election",
    "elections",
    "referendum",
    "coup",
    "attack",
    "attacks",
    "bombing",
    "bombings",
    "invasion",
    "genocide",
    "killings",
    "executions",
    "earthquake",
    "famine",
    "riots",
    "riot",
    "strike",
    "strikes",
    "ceasefire",
    "summit",
    "agreement",
    "accord",
    "treaty",
    "deal",
    "crisis",
    "conflict",
    "occupation",
    "siege",
    "raid",
    "purge",
]
_MONTH = "|".join(m.capitalize() for m in MONTHS)
_NOUN = "|".join(EVENT_NOUNS)
_BEFORE = re.compile(
    rf"\b(?:(?P<month>{_MONTH})\s+)?(?P<year>1[5-9]\d\d|20\d\d)\s+(?P<noun>(?:{_NOUN}))\b"
)
_AFTER = re.compile(
    rf"\b(?P<noun>{_NOUN})\s+(?:of|in)\s+(?:(?P<month>{_MONTH})\s+)?(?P<year>1[5-9]\d\d|20\d\d)\b",
    re.I,
)


@dataclass(frozen=True)
class EventMention:
    """An event phrase: its span, label and ISO date (YYYY or YYYY-MM)."""

    span: Span
    label: str
    date: str


def _date(year: str, month: str | None) -> str:
    if month:
        return f"{year}-{MONTHS.index(month.lower()) + 1:02d}"
    return year


def find_events(text: str) -> Iterator[EventMention]:
    """Every dated event phrase, in text order; labels read 'November 2019 uprising'."""
    found: list[EventMention] = []
    for match in _BEFORE.finditer(text):
        found.append(
            EventMention(
                Span(match.start(), match.end()),
                match.group(0),
                _date(match["year"], match["month"]),
            )
        )
    for match in _AFTER.finditer(text):
        month = match["month"]
        label = " ".join(p for p in (month, match["year"], match["noun"].lower()) if p)
        found.append(
            EventMention(Span(match.start(), match.end()), label, _date(match["year"], month))
        )
    yield from sorted(found, key=lambda e: e.span)
