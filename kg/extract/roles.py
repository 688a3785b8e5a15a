"""Role phrases as written ("MEP from Spain, Vice-Chair of the Committee on ...") -> claims.

Pure text rules over a phrase that names what a person is: a role, the organization it
is held in, a nationality, and whether it is a former role. The extractor finds the
phrases (headings, appositions); this module reads them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from kg.extract.lexicon import Lexicon, Title

__all__ = ["RoleClaim", "is_role_phrase", "parse_roles", "role_after", "role_before", "role_words"]

_FORMER = re.compile(r"^(?:former|ex-|ex\s)\s*", re.I)
_LEADING = re.compile(r"^(?:and|the|a|an|as|also)\s+", re.I)
_YEARS = re.compile(r"\s*\(?\b(1[89]\d\d|20\d\d)\s*[-–]\s*(1[89]\d\d|20\d\d)\b\)?\s*$")
_FROM = re.compile(r"\s+from\s+(?:the\s+)?(?P<place>[^,]+?)\s*$", re.I)
_OF = re.compile(r"^(?:of|at|for|in|to|on)\s+(?:the\s+)?", re.I)
_ACRONYM = re.compile(r"\s*\(([^()]{1,20})\)\s*$")
_COMMITTEE = re.compile(r"\b(?:sub-?committee|committee|delegation)\b", re.I)
# 'a lawyer who represents ...': a relative clause describes, it names no organization.
_RELATIVE = re.compile(r"\s+(?:who|whom|whose|which|that)\s+", re.I)
_MINISTER = re.compile(r"\bminister\b|\bsecretary\b", re.I)


@dataclass(frozen=True)
class RoleClaim:
    """One role a phrase names; offsets are relative to the phrase."""

    start: int
    end: int
    text: str
    role: str | None
    organization: str | None
    acronym: str | None
    nationality: str | None
    is_former: bool
    parent: str | None = None  # the organization a committee belongs to


def _segments(text: str) -> Iterator[tuple[int, int]]:
    """Comma-separated pieces of a phrase, with their offsets."""
    start = 0
    for match in re.finditer(r",|\s+and\s+(?=(?:the\s+)?[A-Z])", text):
        yield start, match.start()
        start = match.end()
    yield start, len(text)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t\n.;:":
        start += 1
    while end > start and text[end - 1] in " \t\n.;:":
        end -= 1
    return start, end


def _match_title(words: list[str], lexicon: Lexicon) -> tuple[Title, int] | None:
    """The longest role title at the start of ``words``, and how many words it takes."""
    for size in range(min(6, len(words)), 0, -1):
        if any(word.endswith(",") for word in words[: size - 1]):
            continue  # a title does not run across a comma
        title = lexicon.title(" ".join(words[:size]).rstrip(","))
        if title is not None and not title.is_honorific:
            return title, size
    return None


def _starts_role(piece: str, lexicon: Lexicon) -> bool:
    """Does a comma piece open a new role, rather than continue the previous name?"""
    body = _LEADING.sub("", _FORMER.sub("", piece.strip()))
    words = body.split()
    if not words:
        return False
    if _match_title(words, lexicon) is not None:
        return True
    if len(words) > 1 and (lexicon.demonyms.get(words[0].casefold()) or words[0][0].isupper()):
        # 'Finnish MEP', and a misspelt demonym too ('Italiam MEP'): a qualifier, then a role.
        found = _match_title(words[1:], lexicon)
        return found is not None and (
            bool(lexicon.demonyms.get(words[0].casefold())) or found[1] == len(words) - 1
        )
    return bool(_FORMER.match(piece.strip()))


def _organization_piece(piece: str) -> bool:
    return bool(_COMMITTEE.search(_LEADING.sub("", piece.strip())))


def _pieces(text: str, lexicon: Lexicon) -> list[tuple[int, int]]:
    """Segments merged so that an organization's own commas stay inside it."""
    merged: list[tuple[int, int]] = []
    bare_role = False
    for start, end in _segments(text):
        start, end = _strip(text, start, end)
        if start >= end:
            continue
        piece = text[start:end]
        if not merged or _starts_role(piece, lexicon):
            merged.append((start, end))
            bare_role = _is_bare_role(piece, lexicon)
        elif bare_role and _organization_piece(piece):
            # "Vice-Chair, Committee on Industry": the committee is the role's organization.
            merged[-1] = (merged[-1][0], end)
            bare_role = False
        else:
            merged[-1] = (merged[-1][0], end)
    return merged


def _is_bare_role(piece: str, lexicon: Lexicon) -> bool:
    words = _LEADING.sub("", _FORMER.sub("", piece)).split()
    found = _match_title(words, lexicon)
    return found is not None and found[1] == len(words)


def _claim(
    text: str, start: int, end: int, lexicon: Lexicon, phrase_nationality: str | None
) -> RoleClaim | None:
    piece = text[start:end]
    body = _RELATIVE.split(_LEADING.sub("", piece), maxsplit=1)[0]
    is_former = bool(_FORMER.match(body))
    body = _LEADING.sub("", _FORMER.sub("", body))
    years = _YEARS.search(body)
    if years:
        is_former = True  # a closed range of years is a role held in the past
        body = body[: years.start()]
    nationality = None
    place = _FROM.search(body)
    if place and lexicon.country(place["place"]):
        nationality = lexicon.country(place["place"])
        body = body[: place.start()]
    words = body.split()
    if words and len(words) > 1 and lexicon.demonyms.get(words[0].casefold()):
        nationality = nationality or lexicon.demonyms[words[0].casefold()]
        words = words[1:]
    found = _match_title(words, lexicon)
    if found is None and len(words) > 1 and words[0][:1].isupper():
        # An unknown qualifier before a role ('Italiam MEP'): the role still stands, and a
        # demonym one typo away is still a nationality.
        found = _match_title(words[1:], lexicon)
        if found is not None and _match_title(words[:1], lexicon) is None:
            nationality = nationality or lexicon.country(words[0])
        words = words[1:]
    if found is None:
        return None
    title, size = found
    rest = " ".join(words[size:])
    rest = re.sub(r"^[,\s]+", "", rest)
    if rest.lower().startswith("from ") or (rest and not _OF.sub("", rest)[:1].isupper()):
        rest = ""  # 'from <a place we do not know>': a nationality, not an organization
    organization = _OF.sub("", rest).strip() if rest else None
    acronym = None
    if organization:
        bracket = _ACRONYM.search(organization)
        if bracket:
            acronym = bracket.group(1)
            organization = organization[: bracket.start()].strip()
    organization = organization or title.organization
    country = nationality or phrase_nationality
    if organization is None and country and _MINISTER.search(title.canonical):
        # A minister with no named organization serves the government of the country.
        organization = f"Government of {country}"
    return RoleClaim(
        start=start,
        end=end,
        text=piece,
        role=title.canonical,
        organization=organization or None,
        acronym=acronym,
        nationality=nationality,
        is_former=is_former,
    )


def parse_roles(text: str, lexicon: Lexicon) -> list[RoleClaim]:
    """Every role a phrase names, in order; committees get their parliament as parent."""
    pieces = _pieces(text, lexicon)
    claims = [
        claim
        for start, end in pieces
        if (claim := _claim(text, start, end, lexicon, None)) is not None
    ]
    countries = {c.nationality for c in claims if c.nationality}
    if len(countries) == 1:
        claims = [
            claim
            for start, end in pieces
            if (claim := _claim(text, start, end, lexicon, next(iter(countries)))) is not None
        ]
    parliaments = [
        c.organization for c in claims if c.organization and "parliament" in c.organization.lower()
    ]
    if not parliaments:
        return claims
    return [
        RoleClaim(**{**c.__dict__, "parent": parliaments[0]})
        if c.organization and _COMMITTEE.search(c.organization)
        else c
        for c in claims
    ]


def role_words(text: str, lexicon: Lexicon) -> bool:
    """Does a phrase name any role (so it is a role phrase, not a name or an aside)?"""
    return any(_starts_role(text[s:e], lexicon) for s, e in _segments(text))


_CLAUSE_BREAK = re.compile(
    r"(?:^|[.;:!?]\s+|\n|,\s+and\s+|\s+(?:were|was|are|is|by|with|including|among|as|from|"
    r"said|told|joined)\s+)",
)


_LOOKBACK = 400  # characters before a name that role_before reads


def role_before(text: str, name_start: int, lexicon: Lexicon) -> tuple[int, int] | None:
    """The role phrase that ends just before a name.

    Either 'Role of Org, Name' (a comma before the name, the phrase running back to the
    clause start) or 'Former Italian Foreign Minister Name' (capitalised role words
    directly before it).
    """
    # Only the last _LOOKBACK characters of the line are read: a role phrase is shorter
    # than 200 and its capitalised words fewer than 8, and reading whole lines made a
    # line of many names cost time in its square. Where the window is not the line start,
    # a chunk reaching back to it is too long to be a role phrase, as the line's was.
    line_start = text.rfind("\n", max(0, name_start - _LOOKBACK), name_start) + 1
    if line_start == 0:
        line_start = max(0, name_start - _LOOKBACK)
    before = text[line_start:name_start]
    if before.endswith(", "):
        chunk_end = len(before) - 2
        starts = [m.end() for m in _CLAUSE_BREAK.finditer(before, 0, chunk_end)]
        chunk_start = max(starts, default=0)
        chunk = before[chunk_start:chunk_end]
        if len(chunk) < 200 and chunk.strip() and role_words(chunk, lexicon):
            return _span(text, line_start + chunk_start, line_start + chunk_end)
        return None
    # 'Former Italian Foreign Minister Name': capitalised role words directly before.
    run = re.search(r"(?:(?:[Ff]ormer|[A-Z][\w'’.-]*)\s+){1,7}$", before)
    if run is None:
        return None
    words = list(re.finditer(r"\S+", before[run.start() :]))
    for word in words:
        phrase = before[run.start() + word.start() :].strip()
        if _is_role_only(phrase, lexicon):
            return _span(text, line_start + run.start() + word.start(), name_start)
    return None


def is_role_phrase(phrase: str, lexicon: Lexicon) -> bool:
    """Is a phrase nothing but a role ('Finnish MEP', 'Former Minister')?"""
    return _is_role_only(phrase, lexicon)


def _is_role_only(phrase: str, lexicon: Lexicon) -> bool:
    """'Former Italian Foreign Minister': nothing but a role and its qualifiers."""
    body = _LEADING.sub("", _FORMER.sub("", phrase)).split()
    if len(body) > 1 and (lexicon.demonyms.get(body[0].casefold()) or body[0][0].isupper()):
        rest = _match_title(body[1:], lexicon)
        if rest is not None and rest[1] == len(body) - 1:
            return True
    found = _match_title(body, lexicon)
    return found is not None and found[1] == len(body)


def role_after(text: str, name_end: int, lexicon: Lexicon) -> bool:
    """Does a role phrase follow a name ('Name, an MEP from Italy, ...')?"""
    if not text.startswith(", ", name_end):
        return False
    rest = text[name_end + 2 : name_end + 160].split("\n", 1)[0]
    first = rest.split(",", 1)[0]
    return _starts_role(first, lexicon)


def _span(text: str, start: int, end: int) -> tuple[int, int] | None:
    start, end = _strip(text, start, end)
    return (start, end) if start < end else None
