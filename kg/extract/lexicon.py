"""The gazetteers newskg's rules consult: small, general data files shipped in the package.

Loaded once per build into a frozen ``Lexicon`` and passed to the extractor; nothing
here is specific to any article. Each file is tab-separated with a ``#`` header line.
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
from collections.abc import Iterator
from dataclasses import dataclass, field

from kg.text import fold, one_edit

_TYPO_MIN = 6  # names this long may carry one typo and still be recognised


@dataclass(frozen=True)
class Institution:
    """A well-known organization: its name, aliases and parent body."""

    name: str
    aliases: tuple[str, ...]
    parent: str | None


@dataclass(frozen=True)
class Title:
    """A word that names a role or an honorific (Mrs., MEP, Vice-Chair)."""

    text: str
    is_honorific: bool
    canonical: str
    organization: str | None
    gender: str | None  # "m", "f" or None


@dataclass(frozen=True)
class Verb:
    """A reporting, belief or intention verb and the speech act it performs."""

    lemma: str
    speech_act: str
    kind: str


@dataclass(frozen=True)
class Lexicon:
    """Every gazetteer, keyed for lookup by folded text."""

    countries: dict[str, str]  # folded name or alias -> country name
    demonyms: dict[str, str]  # folded demonym -> country name
    regions: dict[str, str]  # folded region name or alias -> region name
    institutions: dict[str, Institution]  # folded name or alias -> institution
    upper_aliases: dict[str, Institution]  # acronyms matched case-sensitively
    titles: dict[str, Title]  # folded title -> title
    verbs: dict[str, Verb]  # lemma -> verb
    # Typo lookups already made: each scans every country, and a corpus repeats its words.
    _typos: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)

    def country(self, text: str) -> str | None:
        """The country a name, alias or demonym names, if any; one typo allowed when only
        one country is that close ('Slovania', 'Italiam')."""
        key = fold(text.strip())
        found = self.countries.get(key) or self.demonyms.get(key)
        if found or len(key) < _TYPO_MIN or not text.strip()[:1].isupper():
            return found
        if key in self._typos:
            return self._typos[key]
        close = {
            country
            for table in (self.countries, self.demonyms)
            for name, country in table.items()
            if one_edit(key, name)
        }
        found = self._typos[key] = close.pop() if len(close) == 1 else None
        return found

    def institution(self, text: str) -> Institution | None:
        """The institution a name or alias names (acronyms only in upper case)."""
        stripped = text.strip()
        return self.upper_aliases.get(stripped) or self.institutions.get(fold(stripped))

    def title(self, text: str) -> Title | None:
        """The title or honorific a word or phrase is, if any."""
        return self.titles.get(title_key(text))


@functools.lru_cache(maxsize=1 << 16)  # asked of every capitalised word, again and again
def title_key(text: str) -> str:
    """Titles match folded, with hyphens as spaces: 'Vice-Chair' is 'vice chair'."""
    return " ".join(fold(text).replace("-", " ").replace(".", "").split())


def _rows(name: str) -> Iterator[list[str]]:
    resource = importlib.resources.files("kg") / "gazetteers" / name
    with resource.open(encoding="utf-8") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if row and not row[0].startswith("#"):
                # An editor may trim the tabs of empty trailing cells: pad them back.
                yield [cell.strip() for cell in row] + [""] * 6


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split("|") if part.strip())


def _is_acronym(alias: str) -> bool:
    letters = [c for c in alias if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def load() -> Lexicon:
    """Read every gazetteer shipped in the package."""
    countries: dict[str, str] = {}
    demonyms: dict[str, str] = {}
    for name, _iso2, demonym_cell, alias_cell, *_ in _rows("countries.tsv"):
        for alias in (name, *_split(alias_cell)):
            countries[fold(alias)] = name
        for demonym in _split(demonym_cell):
            demonyms[fold(demonym)] = name
    regions: dict[str, str] = {}
    for name, _kind, alias_cell, *_ in _rows("places.tsv"):
        for alias in (name, *_split(alias_cell)):
            regions[fold(alias)] = name
    institutions: dict[str, Institution] = {}
    upper: dict[str, Institution] = {}
    for name, alias_cell, parent, *_ in _rows("institutions.tsv"):
        inst = Institution(name, _split(alias_cell), parent or None)
        institutions[fold(name)] = inst
        for alias in inst.aliases:
            if _is_acronym(alias):
                upper[alias] = inst
            else:
                institutions[fold(alias)] = inst
    titles: dict[str, Title] = {}
    for text, kind, canonical, organization, gender, *_ in _rows("titles.tsv"):
        titles[title_key(text)] = Title(
            text, kind == "honorific", canonical or text, organization or None, gender or None
        )
    verbs = {lemma: Verb(lemma, act, kind) for lemma, act, kind, *_ in _rows("reporting_verbs.tsv")}
    return Lexicon(countries, demonyms, regions, institutions, upper, titles, verbs)
