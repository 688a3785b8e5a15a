"""Articles from the two structured inputs: JSON Lines records and HTML pages.

:mod:`kg.ingest` finds, reads and decodes the files; this module turns a JSONL file's
bytes into one article (or one error) per line, and an HTML page into the article a
reader sees: its paragraphs, title, canonical URL and publication date.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser

from kg.errors import InputError
from kg.ingest.urls import web_iri
from kg.model import Article

__all__ = [
    "Note",
    "Sourced",
    "encodable",
    "html_article",
    "iso_date",
    "read_jsonl",
]

_BOM = b"\xef\xbb\xbf"
_RECORD_HINT = 'give one JSON object a line: {"id": "...", "text": "..."}'


@dataclass(frozen=True)
class Note:
    """Something an input held that the build changed or left out, while building it."""

    source: str
    text: str

    def __str__(self) -> str:
        return f"{self.source}: {self.text} (a note, not an error)"


# A ``(source, item)`` pair: ``source`` names where the item came from (path or path:line).
Sourced = tuple[str, Article | InputError | Note]


# -- JSONL --------------------------------------------------------------------------------


def read_jsonl(source: str, data: bytes) -> Iterator[Sourced]:
    """Yield one article or error per non-blank line; a bad line spoils only itself."""
    start = len(_BOM) if data.startswith(_BOM) else 0
    records = 0
    for lineno, raw in enumerate(data[start:].split(b"\n"), 1):
        offset, start = start, start + len(raw) + 1
        if not raw.strip():
            continue
        records += 1
        where = f"{source}:{lineno}"
        article, note = _jsonl_line(where, raw, offset)
        yield where, article
        if note is not None:
            yield where, note
    if not records:
        yield source, InputError(source, "the file holds no records", _RECORD_HINT)


def _jsonl_line(where: str, raw: bytes, offset: int) -> tuple[Article | InputError, Note | None]:
    """The article of one JSONL line; ``offset`` is the line's first byte in the file."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        problem = f"not UTF-8 text (first bad byte at offset {offset + err.start})"
        hint = "JSON Lines must be UTF-8 (--encoding does not apply): convert the file"
        return InputError(where, problem, hint), None
    try:
        record: object = json.loads(line)
    except json.JSONDecodeError as err:
        problem = f"not valid JSON ({err.msg} at column {err.colno})"
        return InputError(where, problem, _RECORD_HINT), None
    except (ValueError, RecursionError) as err:
        return InputError(where, f"not valid JSON ({err})", _RECORD_HINT), None
    return record_with_note(where, record)


def record_with_note(where: str, record: object) -> tuple[Article | InputError, Note | None]:
    """The article of one parsed JSONL record (or a text given in memory), or what is
    wrong with it; and a note when its ``url`` was changed or left out."""
    if not isinstance(record, dict):
        not_object = f"{_json_type(record)} is not a JSON object"
        return InputError(where, not_object, _RECORD_HINT), None
    fields = {key: record.get(key) for key in ("id", "text", "title", "url", "published")}
    if isinstance(fields["id"], int) and not isinstance(fields["id"], bool):
        fields["id"] = str(fields["id"])  # a number is a fine id; the graph holds it as text
    problem = _record_problem(fields)
    if problem:
        return InputError(where, problem, "fix the record, or remove the line"), None
    article_id, url, note = str(fields["id"]), _optional(fields["url"]), None
    if url is not None:
        found = web_iri(url)
        url = found.iri
        # The note never repeats the URL: what is wrong with it may be a password.
        if found.iri is None:
            note = Note(where, f'the "url" of {article_id!r} was left out: {found.problem}')
        elif found.dropped_user_info:
            note = Note(where, f'the user info in the "url" of {article_id!r} was left out')
    article = Article(
        id=article_id,
        text=str(fields["text"]),
        title=_optional(fields["title"]),
        url=url,
        published=_optional(fields["published"]),
    )
    return article, note


def _record_problem(fields: dict[str, object]) -> str | None:
    """What is wrong with a record's fields (the first thing found), or None."""
    for key, value in fields.items():
        required = key in ("id", "text")
        if value is None and required:
            return f'the record has no "{key}" (or it is null)'
        if value is not None and not isinstance(value, str):
            return f'"{key}" must be a string, not {_json_type(value)}'
        if isinstance(value, str) and not encodable(value):
            return f'"{key}" holds an unpaired surrogate escape'
        if required and isinstance(value, str) and not value.strip():
            return f'"{key}" is empty or only whitespace'
    published = _optional(fields["published"])
    if published and not iso_date(published):
        return f'"published" is not an ISO 8601 date or date-time: {published!r}'
    return None


def _json_type(value: object) -> str:
    """The JSON name of a parsed value's type, for messages."""
    if value is None:
        return "null"
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    return names.get(type(value), "an array" if isinstance(value, list) else "an object")


def _optional(value: object) -> str | None:
    """A stripped optional string field; None for missing or blank."""
    if not isinstance(value, str):
        return None
    return value.strip() or None


# -- HTML ---------------------------------------------------------------------------------

# fmt: off
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1",
    "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "legend", "li", "main", "menu",
    "ol", "p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
})
# What a reader does not see as the article: code, navigation, embedded documents.
_SKIPPED = frozenset({
    "script", "style", "noscript", "template", "nav", "svg", "math", "iframe", "object",
    "select",
})
# fmt: on
_CELLS = frozenset({"td", "th"})  # a space between the cells of a row


class _PageText(HTMLParser):
    """Collects the paragraphs, title, canonical URL and publication date of a page.

    Counters instead of an element stack: no recursion, and unclosed or stray tags
    cannot push the parser into a state it never leaves.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.title_parts: list[str] = []
        self.meta: dict[str, str] = {}  # first value of each property we read
        self._words: list[str] = []
        self._in_head = False
        self._in_title = False
        self._title_done = False
        self._skipped = 0
        self._articles = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "head":
            self._in_head = True
        elif tag == "body":
            self._in_head = self._in_title = False
        elif tag == "title" and not self._skipped and not self._title_done:
            self._in_title = True
        elif tag in ("meta", "link", "time"):
            self._read_metadata(tag, values)
        if tag == "article":
            self._articles += 1
        if tag in _SKIPPED:
            self._skipped += 1
        self._boundary(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = self._in_title = False
        elif tag == "title" and self._in_title:
            self._in_title, self._title_done = False, True
        elif tag == "article":
            self._articles = max(0, self._articles - 1)
        elif tag in _SKIPPED:
            self._skipped = max(0, self._skipped - 1)
        self._boundary(tag)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        elif not (self._in_head or self._skipped):
            self._words.append(data)

    def close(self) -> None:
        super().close()
        self._flush()

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        """Skip a ``<![keyword[ ... ]]>`` section html.parser does not know, not fail."""
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            end = self.rawdata.find(">", i)
            return -1 if end < 0 else end + 1

    def _read_metadata(self, tag: str, values: dict[str, str]) -> None:
        """Remember the first published time, canonical link and og:url."""
        if tag == "meta":
            key = values.get("property") or values.get("name") or ""
            if key in ("article:published_time", "og:url"):
                self.meta.setdefault(key, values.get("content", ""))
        elif tag == "link" and "canonical" in values.get("rel", "").lower().split():
            self.meta.setdefault("canonical", values.get("href", ""))
        elif tag == "time" and self._articles and values.get("datetime"):
            self.meta.setdefault("time", values["datetime"])

    def _boundary(self, tag: str) -> None:
        if tag in _CELLS:
            self._words.append(" ")
        if tag in _BLOCKS:
            self._flush()

    def _flush(self) -> None:
        paragraph = " ".join("".join(self._words).split())
        if paragraph:
            self.paragraphs.append(paragraph)
        self._words = []


def html_article(source: str, article_id: str, page: str) -> Article | InputError:
    """The article of an HTML page: its text, title, canonical URL and publication date."""
    parser = _PageText()
    try:
        parser.feed(page)
        parser.close()
    except (AssertionError, ValueError) as err:  # html.parser's refusals of odd markup
        return InputError(source, f"cannot parse the HTML ({err})", "check the page's markup")
    text = "\n\n".join(parser.paragraphs)
    if not text:
        return InputError(source, "no text found in the page", "give a page with the article")
    meta = parser.meta
    published = [iso_date(meta.get(key, "")) for key in ("article:published_time", "time")]
    urls = [meta.get(key, "").strip() for key in ("canonical", "og:url")]
    return Article(
        id=article_id,
        text=text,
        title=" ".join("".join(parser.title_parts).split()) or None,
        url=next((iri for url in urls if (iri := web_iri(url).iri) is not None), None),
        published=next((date for date in published if date), None),
    )


# -- dates, text -------------------------------------------------------------------

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_date(value: str) -> str | None:
    """``value`` stripped if it is an ISO 8601 date or date-time, else None."""
    value = value.strip()
    if not _ISO_DATE.match(value):
        return None
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return None
    return value


def encodable(value: str) -> bool:
    """Whether ``value`` encodes as UTF-8 (no surrogates from undecodable names or JSON)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
