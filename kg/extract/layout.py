"""The layout of an article: paragraphs, headings, and live-report speaker sections.

A live report heads each speaker's paragraphs with a line "Name, role, role" and no
verb; every paragraph up to the next such line is that speaker's speech. A short line
without a final stop that names no person is a sub-heading inside the speech, not a new
speaker.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from kg.extract.lexicon import Lexicon
from kg.extract.roles import role_words
from kg.model import Span

_WRAPPED = 100  # characters: no hard-wrapped line is longer
_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?![ \t]*\n)[^\n]+)*")
_NAME_WORD = r"[A-Z\u00c0-\u024f][\w\u00c0-\u024f'’.-]*"
_PARTICLE = r"(?:de|da|del|della|di|van|von|der|den|bin|al|el|le|la|du|dos)"
_HONORIFIC = r"(?:(?:Mr|Mrs|Ms|Dr|Prof|Madam|Madame|Sir|Dame|Lord|Lady)\.?\s+)?"
_HEADING = re.compile(
    rf"^{_HONORIFIC}(?P<name>{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_NAME_WORD}){{1,4}}),\s+(?P<role>.+?)\.?\s*$"
)
_MAX_HEADING = 260
_MAX_SUBHEADING = 120


@dataclass(frozen=True)
class Heading:
    """A speaker heading: where the name and the role phrase stand."""

    paragraph: Span
    name: Span
    role: Span


@dataclass(frozen=True)
class Section:
    """A live-report section: its heading and the speech paragraphs under it."""

    heading: Heading
    paragraphs: tuple[Span, ...]


def paragraphs(text: str) -> list[Span]:
    """Paragraphs: runs of non-blank lines, trimmed of surrounding spaces.

    A run whose lines are not hard-wrapped (one is longer than any wrapped line would be)
    holds one paragraph per line: many sites separate paragraphs by a single newline.
    """
    found = []
    for match in _PARAGRAPH.finditer(text):
        lines = match.group().split("\n")
        if max(len(line) for line in lines) <= _WRAPPED:
            pieces = [(match.start(), match.end())]
        else:
            pieces = []
            at = match.start()
            for line in lines:
                pieces.append((at, at + len(line)))
                at += len(line) + 1
        for start, end in pieces:
            start, end = _strip(text, start, end)
            if start < end:
                found.append(Span(start, end))
    return found


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def heading(text: str, para: Span, lexicon: Lexicon, verbal: frozenset[Span]) -> Heading | None:
    """A 'Name, role' heading line, or None; ``verbal`` paragraphs hold a finite verb."""
    line = text[para.start : para.end]
    if (
        para in verbal
        or "\n" in line
        or len(line) > _MAX_HEADING
        or line.endswith(("?", "!", ":", "”", '"'))
    ):
        return None
    match = _HEADING.match(line)
    if match is None or not role_words(match["role"], lexicon):
        return None
    name_words = match["name"].split()
    if any(lexicon.title(w) is not None or lexicon.country(w) for w in name_words):
        return None
    return Heading(
        paragraph=para,
        name=Span(para.start + match.start("name"), para.start + match.end("name")),
        role=Span(para.start + match.start("role"), para.start + match.end("role")),
    )


def is_subheading(text: str, para: Span) -> bool:
    """A short single line without a final stop: a title inside a speech."""
    line = text[para.start : para.end]
    return (
        "\n" not in line
        and len(line) <= _MAX_SUBHEADING
        and not line.rstrip().endswith((".", "!", "?", ":", ";", "”", '"', "’"))
    )


def sections(
    text: str, paras: list[Span], lexicon: Lexicon, verbal: frozenset[Span]
) -> Iterator[Section]:
    """Live-report sections, each from its heading up to the next heading."""
    current: Heading | None = None
    body: list[Span] = []
    for para in paras:
        found = heading(text, para, lexicon, verbal)
        if found is not None:
            if current is not None:
                yield Section(current, tuple(body))
            current, body = found, []
        elif current is not None and not is_subheading(text, para):
            body.append(para)
    if current is not None:
        yield Section(current, tuple(body))
