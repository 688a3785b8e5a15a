"""Named historical events with dates as precise as the text allows.

"the 1988 massacre", "the November 2019 uprising", "the March 2018 protests": a year,
optionally a month, then an event noun. The date becomes ``xsd:gYear`` or
``xsd:gYearMonth``; the label is the phrase without its article.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

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


_GATHERINGS = (
    "conference|hearing|summit|forum|briefing|meeting|session|debate|rally|symposium|"
    "webinar|seminar|roundtable|round table|panel|gathering|event"
)
_GATHERING = re.compile(rf"\b(?P<noun>{_GATHERINGS})\b", re.I)
_DAY = re.compile(
    r"\b(?P<eve>eve of\b[^.]{0,80}?)?"
    rf"\b(?P<month>{_MONTH})\s+(?P<day>[0-3]?\d)\b(?:,?\s+(?P<year>(?:19|20)\d\d))?"
)
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAY = re.compile(rf"\bon\s+(?P<day>{'|'.join(d.capitalize() for d in _WEEKDAYS)})\b")
_FIRST_PARAGRAPHS = 3


@dataclass(frozen=True)
class ReportedEvent:
    """The gathering an article reports on: 'a conference held on December 7'."""

    span: Span  # the word that names it
    label: str
    date: str | None  # YYYY-MM-DD when the year is known
    sentence: Span | None = None  # the sentence that names it (its place may be there)


def _event_date(match: re.Match[str], published: str | None) -> tuple[str, str | None]:
    """'December 7' as a label part, and as an ISO date when a year is known.

    'On the eve of ... December 10' is the day before. Without a year in the text, the
    publication date's year is used, a year earlier when the month is later than it.
    """
    month = MONTHS.index(match["month"].lower()) + 1
    day = int(match["day"])
    year = int(match["year"]) if match["year"] else None
    if year is None and published and re.match(r"\d{4}-\d{2}", published):
        year = int(published[:4]) - (1 if month > int(published[5:7]) else 0)
    try:
        when = date(year or 2001, month, day)  # 2001: any non-leap year, for arithmetic
    except ValueError:
        return f"{match['month']} {day}", None
    if match["eve"]:
        when -= timedelta(days=1)
    label = f"{MONTHS[when.month - 1].capitalize()} {when.day}"
    if year is None:
        return label, None
    return f"{label}, {when.year}", when.isoformat()


def dateline(text: str, paragraphs: list[Span]) -> str | None:
    """The ISO date of a dateline: a line of the first paragraphs that is only a date
    ('Thursday, February 9, 2023').

    It dates the page, not the event, but it tells which year an undated 'December 7'
    falls in, as a publication date does.
    """
    lines = (
        line.strip()
        for para in paragraphs[:_FIRST_PARAGRAPHS]
        for line in text[para.start : para.end].split("\n")
    )
    for line in lines:
        match = _DATELINE.fullmatch(line)
        if match is None:
            continue
        try:
            when = date(
                int(match["year"]), MONTHS.index(match["month"].lower()) + 1, int(match["day"])
            )
        except ValueError:
            continue
        return when.isoformat()
    return None


def reported_event(
    text: str, paragraphs: list[Span], published: str | None
) -> ReportedEvent | None:
    """The dated gathering named in the first paragraphs, if any."""
    for para in paragraphs[:_FIRST_PARAGRAPHS]:
        chunk = text[para.start : para.end]
        for sentence in re.finditer(r"[^.!?\n]+[.!?]?", chunk):
            noun = _GATHERING.search(sentence.group())
            if noun is None:
                continue
            when = _DAY.search(sentence.group())
            if when is not None:
                day, iso = _event_date(when, published)
            else:
                weekday = _WEEKDAY.search(sentence.group())
                dated = _weekday_date(weekday["day"], published) if weekday else None
                if dated is None:
                    continue
                day, iso = dated
            start = para.start + sentence.start() + noun.start()
            label = f"{noun['noun'].capitalize()} on {day}"
            whole = Span(para.start + sentence.start(), para.start + sentence.end())
            return ReportedEvent(Span(start, start + len(noun["noun"])), label, iso, whole)
    return None


_DATELINE = re.compile(
    r"(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+)?"
    r"(?P<month>" + "|".join(m.capitalize() for m in MONTHS) + r")\s+(?P<day>\d{1,2}),?\s+"
    r"(?P<year>\d{4})\.?",
)


def _weekday_date(weekday: str, published: str | None) -> tuple[str, str] | None:
    """'on Tuesday' in an article published on a known date: the last such day up to it."""
    if not published or not re.match(r"\d{4}-\d{2}-\d{2}", published):
        return None
    issued = date.fromisoformat(published[:10])
    back = (issued.weekday() - _WEEKDAYS.index(weekday.lower())) % 7
    when = issued - timedelta(days=back)
    return f"{MONTHS[when.month - 1].capitalize()} {when.day}, {when.year}", when.isoformat()
