"""Consistency checks for the general-purpose gazetteers shipped in ``kg/gazetteers``.

Conventions checked here (and relied on by the loaders):

* UTF-8, tab-separated, the first line is a ``#`` header naming the columns, every later
  line has exactly that many cells (an empty last cell leaves the line ending in a tab).
* Rows are sorted by their first column, compared case-insensitively (``str.casefold``),
  ties broken by the exact string.
* Multi-valued cells use ``|``; no value is empty and no cell has surrounding spaces.
* An alias written entirely in upper case (``WHO``, ``US``, ``U.S.``) is meant to be
  matched case-sensitively; any other alias must not be a common English word.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.conftest import ROOT

GAZ_DIR = ROOT / "kg" / "gazetteers"

COLUMNS: dict[str, list[str]] = {
    "countries.tsv": ["name", "iso2", "demonyms", "aliases"],
    "places.tsv": ["name", "kind", "aliases"],
    "institutions.tsv": ["name", "aliases", "parent", "kind"],
    "titles.tsv": ["title", "kind", "canonical", "organization", "gender"],
}

# Cells that hold several values separated by "|".
MULTI = {"demonyms", "aliases"}

EU_MEMBERS = {
    "Austria", "Belgium", "Bulgaria", "Croatia", "Cyprus", "Czechia", "Denmark", "Estonia",
    "Finland", "France", "Germany", "Greece", "Hungary", "Ireland", "Italy", "Latvia",
    "Lithuania", "Luxembourg", "Malta", "Netherlands", "Poland", "Portugal", "Romania",
    "Slovakia", "Slovenia", "Spain", "Sweden",
}  # fmt: skip

G20_MEMBERS = {
    "Argentina", "Australia", "Brazil", "Canada", "China", "France", "Germany", "India",
    "Indonesia", "Italy", "Japan", "Mexico", "Russia", "Saudi Arabia", "South Africa",
    "South Korea", "Turkey", "United Kingdom", "United States",
}  # fmt: skip

NON_UN_STATES = {"Kosovo", "Palestine", "Taiwan", "Vatican City"}

# Demonyms that genuinely belong to two countries; a loader must treat them as ambiguous.
SHARED_DEMONYMS = {"Congolese", "Dominican"}


def _words(text: str) -> list[str]:
    return text.split()


# Common English words (function words and the generic nouns institution names are made
# of). An alias that is not all upper case must not be one of these, whatever its case.
COMMON_WORDS = frozenset(
    _words(
        """
    a about after all also am an and any are as at be been but by can could did do does
    for from had has have he her him his how i if in into is it its may me might more most
    my no not now of on one only or other our out over said say she should so some such
    than that the their them then there these they this those to two up upon us was we
    were what when where which who whom why will with would you your
    academy administration agency alliance assembly association authority bank board
    body bureau cabinet capitol centre center chamber church commission committee
    congress convention corporation council court courts crown democrats department
    embassy federation foundation fund government group house institute judiciary
    justice league left legislature ministry movement nation nations network office
    organisation organization parliament party police presidency press republic
    republicans right senate service society state states supreme treasury tribunal
    union unions world
    amnesty bar car chair china fall field guinea hope jordan pace patriots reform renew
    turkey
    """
    )
)

# The key column of a file is unique, compared case-insensitively.
KEY = {name: cols[0] for name, cols in COLUMNS.items()}


def _sort_key(value: str) -> tuple[str, str]:
    return (value.casefold(), value)


def _read_raw(name: str) -> tuple[list[str], list[list[str]]]:
    path = GAZ_DIR / name
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        lines = list(reader)
    assert lines, f"{name} is empty"
    return lines[0], lines[1:]


def _read(name: str) -> list[dict[str, str]]:
    _, body = _read_raw(name)
    return [dict(zip(COLUMNS[name], cells, strict=True)) for cells in body]


def _values(cell: str) -> list[str]:
    return cell.split("|") if cell else []


def _names(name: str, row: dict[str, str]) -> Iterator[str]:
    """The key and every alias of a row: the strings that identify it in text."""
    yield row[KEY[name]]
    if "aliases" in row:
        yield from _values(row["aliases"])


@pytest.fixture(params=sorted(COLUMNS))
def gazetteer(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def test_header(gazetteer: str) -> None:
    header, _ = _read_raw(gazetteer)
    assert header[0].startswith("#")
    assert [header[0].lstrip("#").strip(), *header[1:]] == COLUMNS[gazetteer]


def test_text_layout(gazetteer: str) -> None:
    raw = (GAZ_DIR / gazetteer).read_bytes()
    text = raw.decode("utf-8")
    assert not text.startswith("\ufeff"), "no byte-order mark"
    assert "\r" not in text, "Unix line endings only"
    assert text.endswith("\n") and not text.endswith("\n\n")
    for number, line in enumerate(text.split("\n")[:-1], start=1):
        assert line, f"{gazetteer}:{number}: blank line"
        assert line == line.rstrip(" "), f"{gazetteer}:{number}: trailing space"
        assert '"' not in line, f"{gazetteer}:{number}: quotes are not allowed (QUOTE_NONE)"


def test_column_count_and_cells(gazetteer: str) -> None:
    _, body = _read_raw(gazetteer)
    width = len(COLUMNS[gazetteer])
    assert body, f"{gazetteer} has no rows"
    for number, cells in enumerate(body, start=2):
        assert len(cells) == width, f"{gazetteer}:{number}: {len(cells)} cells, want {width}"
        for column, cell in zip(COLUMNS[gazetteer], cells, strict=True):
            assert cell == cell.strip(), f"{gazetteer}:{number}: spaces around {column!r}"
            if column in MULTI:
                for value in _values(cell):
                    assert value and value == value.strip(), (
                        f"{gazetteer}:{number}: empty or padded value in {column!r}"
                    )
            else:
                assert "|" not in cell, f"{gazetteer}:{number}: '|' in single-valued {column!r}"


def test_keys_present_unique_and_sorted(gazetteer: str) -> None:
    keys = [row[KEY[gazetteer]] for row in _read(gazetteer)]
    assert all(keys), f"{gazetteer}: empty key"
    counts = Counter(key.casefold() for key in keys)
    assert not [k for k, n in counts.items() if n > 1], f"{gazetteer}: duplicate keys"
    assert keys == sorted(keys, key=_sort_key), f"{gazetteer}: rows are not sorted"


def test_no_alias_shared_between_rows(gazetteer: str) -> None:
    owner: dict[str, str] = {}
    for row in _read(gazetteer):
        key = row[KEY[gazetteer]]
        names = list(_names(gazetteer, row))
        assert len(names) == len(set(names)), f"{gazetteer}: repeated alias in {key!r}"
        for alias in {n.casefold() for n in names}:
            assert alias not in owner, (
                f"{gazetteer}: {alias!r} names both {owner[alias]!r} and {key!r}"
            )
            owner[alias] = key


def test_aliases_are_not_common_words(gazetteer: str) -> None:
    for row in _read(gazetteer):
        for alias in _values(row.get("aliases", "")):
            assert any(ch.isupper() for ch in alias), f"{gazetteer}: lower-case alias {alias!r}"
            if alias.isupper():
                continue  # matched case-sensitively, like "WHO" or "US"
            assert alias.casefold() not in COMMON_WORDS, (
                f"{gazetteer}: alias {alias!r} of {row[KEY[gazetteer]]!r} is a common word"
            )


# --- countries -----------------------------------------------------------------------------


def test_countries_count_and_codes() -> None:
    rows = _read("countries.tsv")
    assert len(rows) == 193 + len(NON_UN_STATES)
    names = {row["name"] for row in rows}
    assert names >= NON_UN_STATES
    codes = [row["iso2"] for row in rows]
    assert all(len(c) == 2 and c.isascii() and c.isalpha() and c.isupper() for c in codes)
    assert len(set(codes)) == len(codes), "duplicate iso2 code"


@pytest.mark.parametrize("country", sorted(EU_MEMBERS | G20_MEMBERS))
def test_eu_and_g20_countries_have_demonyms(country: str) -> None:
    rows = {row["name"]: row for row in _read("countries.tsv")}
    assert country in rows, f"{country} missing"
    assert _values(rows[country]["demonyms"]), f"{country} has no demonym"


def test_demonyms_are_capitalised_and_not_names_of_other_rows() -> None:
    rows = _read("countries.tsv")
    owners: dict[str, set[str]] = {}
    for row in rows:
        for name in _names("countries.tsv", row):
            owners.setdefault(name.casefold(), set()).add(row["name"])
    seen: dict[str, set[str]] = {}
    for row in rows:
        for demonym in _values(row["demonyms"]):
            assert demonym[0].isupper(), f"demonym {demonym!r} is not capitalised"
            other = owners.get(demonym.casefold(), set()) - {row["name"]}
            assert not other, f"demonym {demonym!r} of {row['name']!r} names {other}"
            seen.setdefault(demonym, set()).add(row["name"])
    shared = {d: len(countries) for d, countries in seen.items() if len(countries) > 1}
    assert shared == dict.fromkeys(SHARED_DEMONYMS, 2)


def test_key_spellings() -> None:
    rows = {row["name"]: row for row in _read("countries.tsv")}
    uk = set(_values(rows["United Kingdom"]["aliases"]))
    us = set(_values(rows["United States"]["aliases"]))
    assert {"UK", "U.K.", "Britain", "Great Britain"} <= uk
    assert {"US", "U.S.", "USA", "America"} <= us
    assert "Czech Republic" in _values(rows["Czechia"]["aliases"])
    assert "Slovene" in _values(rows["Slovenia"]["demonyms"])
    assert "Luxembourger" in _values(rows["Luxembourg"]["demonyms"])


# --- places ------------------------------------------------------------------------------


def test_place_kinds_and_no_overlap_with_countries() -> None:
    country_names = {
        n.casefold() for row in _read("countries.tsv") for n in _names("countries.tsv", row)
    }
    for row in _read("places.tsv"):
        assert row["kind"] in {"continent", "region"}
        for name in _names("places.tsv", row):
            assert name.casefold() not in country_names, f"{name!r} is also a country name"


# --- institutions ------------------------------------------------------------------------

INSTITUTION_KINDS = {
    "intergovernmental", "eu-body", "un-body", "ngo", "court", "legislature", "government",
    "party",
}  # fmt: skip


def test_institution_kinds_and_parents() -> None:
    rows = _read("institutions.tsv")
    by_name = {row["name"]: row for row in rows}
    for row in rows:
        assert row["kind"] in INSTITUTION_KINDS, f"{row['name']}: kind {row['kind']!r}"
        parent = row["parent"]
        if parent:
            assert parent in by_name, f"{row['name']}: unknown parent {parent!r}"
            assert parent != row["name"]
    for row in rows:  # no cycles
        seen = {row["name"]}
        parent = row["parent"]
        while parent:
            assert parent not in seen, f"parent cycle through {row['name']!r}"
            seen.add(parent)
            parent = by_name[parent]["parent"]


def test_institution_names_do_not_collide_with_countries_or_places() -> None:
    other = {
        n.casefold()
        for name in ("countries.tsv", "places.tsv")
        for row in _read(name)
        for n in _names(name, row)
    }
    for row in _read("institutions.tsv"):
        for name in _names("institutions.tsv", row):
            assert name.casefold() not in other, f"{name!r} is also a place name"


def test_required_institutions_present() -> None:
    names = {row["name"] for row in _read("institutions.tsv")}
    for required in (
        "European Union", "European Parliament", "European Commission", "United Nations",
        "UN General Assembly", "NATO", "World Health Organization", "Republican Party",
    ):  # fmt: skip
        assert required in names


# --- titles ------------------------------------------------------------------------------


def test_titles_columns() -> None:
    rows = _read("titles.tsv")
    institutions = {row["name"] for row in _read("institutions.tsv")}
    canonicals = {row["canonical"] for row in rows if row["kind"] == "role"}
    titles = {row["title"] for row in rows}
    for row in rows:
        assert row["kind"] in {"honorific", "role"}, row
        assert row["canonical"], f"{row['title']}: empty canonical"
        assert row["gender"] in {"", "m", "f"}, row
        if row["organization"]:
            assert row["organization"] in institutions, f"{row['title']}: unknown organization"
        if row["kind"] == "honorific":
            assert not row["organization"], f"honorific {row['title']!r} names an organization"
    # Every canonical role label is itself a listed title, so labels are reachable.
    assert canonicals <= titles, sorted(canonicals - titles)


def test_title_samples() -> None:
    rows = {row["title"]: row for row in _read("titles.tsv")}
    assert rows["MEP"]["canonical"] == "Member of the European Parliament"
    assert rows["MEP"]["organization"] == "European Parliament"
    assert rows["Vice Chair"]["canonical"] == "Vice-Chair"
    assert rows["Mrs."]["gender"] == "f"
    assert rows["Sir"]["gender"] == "m"
    assert rows["Spokesman"]["gender"] == "m"
    assert rows["President"]["gender"] == ""
