"""Text rules about names: trimming, titles, display forms, acronyms, capitalised runs.

Pure functions over strings, used by the mention finder; no model, no state.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.text import normalise_name

NAME_WORD = re.compile(r"[A-Z\u00c0-\u024f][\w\u00c0-\u024f'’.-]*")
CONNECTORS = frozenset({"of", "for", "on", "and", "the", "in", "to", "de", "du", "des", "la"})
# Two to four capitalised words right before a comma: a name an apposition may follow.
_CAPITALISED = r"[A-Z\u00c0-\u024f][\w\u00c0-\u024f’'-]+"
PERSON_BEFORE_COMMA = re.compile(rf"(?<![\w’'-]){_CAPITALISED}(?:\s+{_CAPITALISED}){{1,3}}(?=, )")
# Words run together by a scraper ('HomeIran News'): a capital deep inside a word.
JUNK = re.compile(r"\b[A-Z]?[a-z]{3,}[A-Z][a-z]")
# A lone generic word names no particular body: 'the Union', 'the Court'.
GENERIC = frozenset(
    [
        "union",
        "court",
        "commission",
        "council",
        "parliament",
        "assembly",
        "committee",
        "government",
        "ministry",
        "agency",
        "regime",
        "state",
        "republic",
        "senate",
        "house",
        "army",
        "police",
    ]
)
# Last words that make a capitalised name a thing, never a person ('Magnitsky Law').
THINGS = frozenset(
    {"law", "act", "treaty", "day", "plan", "program", "programme", "regime", "prize", "award"}
)
_TRIM = " \t\r\n.,;:!?\"'“”‘’()[]"


def clean(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim punctuation, a leading article and a trailing possessive from a name."""
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    for suffix in ("'s", "’s"):
        if text.endswith(suffix, start, end):
            end -= len(suffix)
    lowered = text[start:end].lower()
    if lowered.startswith(("the ", "a ", "an ")):
        start += lowered.index(" ") + 1
    return start, end


def display_name(text: str) -> str:
    """A name as a label: upper-case surnames ('LÓPEZ AGUILAR') in title case."""
    words = []
    for word in text.split():
        letters = [c for c in word if c.isalpha()]
        if len(letters) > 1 and all(c.isupper() for c in letters) and len(letters) > 3:
            word = word[0] + word[1:].lower()
        words.append(word)
    return " ".join(words)


def strip_titles(text: str) -> str:
    words = text.split()
    while len(words) > 1 and words[0].rstrip(".").lower() in {
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "prof",
        "madam",
        "madame",
        "sir",
        "dame",
        "lord",
        "lady",
    }:
        words = words[1:]
    return " ".join(words)


def name_words(text: str) -> list[str]:
    return normalise_name(strip_titles(text)).split()


def initials_match(long_name: str, acronym: str) -> bool:
    """Do the capitalised words of a name spell the acronym (in order)?"""
    letters = "".join(
        w[0] for w in re.findall(r"[\w\u00c0-\u024f’']+", long_name) if w[0].isupper()
    )
    target = re.sub(r"[^A-Z]", "", acronym)
    if len(target) < 2:
        return False
    it = iter(letters)
    return all(ch in it for ch in target) and letters[:1] == target[:1]


def capitalised_runs(text: str) -> Iterator[tuple[int, int]]:
    """Runs of capitalised words, joined by 'of', 'the', 'and' (candidate proper names)."""
    pattern = re.compile(r"[A-Z][\w'’.-]*(?:\s+(?:(?:of|the|and|for|on)\s+)*[A-Z][\w'’.-]*)*")
    for match in pattern.finditer(text):
        yield match.start(), match.end()


def sub_runs(name: str) -> Iterator[tuple[int, int]]:
    """Every contiguous word range of a run, longest first (the gazetteer picks)."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", name)]
    for size in range(min(len(words), 8), 0, -1):
        for i in range(len(words) - size + 1):
            yield words[i][0], words[i + size - 1][1]
