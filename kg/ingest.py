"""Reading the inputs: files and directories of .txt, .md, .html/.htm, .jsonl -> Articles.

``iter_inputs`` yields one :class:`~kg.model.Article` per document and one
:class:`~kg.errors.InputError` per input that cannot be read. It never raises for a bad
input, so a caller can build every good document and report every bad one.

An article's ``text`` is what the contract's offsets count in: a .txt or .md file decoded
(UTF-8 unless ``--encoding`` says otherwise) with only a leading byte order mark dropped
(CRLF kept), the paragraphs extracted from an HTML page joined by a blank line, or a
JSONL record's ``text`` field (JSON Lines are always UTF-8, as RFC 8259 asks). The ``id``
is the path relative to the input root the file was found under (POSIX separators), or
the JSONL record's ``id``; ids are unique across one call of ``iter_inputs``. A file
larger than :attr:`Reading.max_bytes` is refused before it is read. :func:`distinct`
keeps one article per text and says which names it merged.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from kg.errors import InputError
from kg.model import Article

SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl")
_SUFFIX_LIST = ".txt, .md, .html, .htm or .jsonl"
_BOM = b"\xef\xbb\xbf"
# A NUL byte marks a file as binary: looked for in the leading bytes before decoding (so
# a binary file is called binary, not badly encoded), then anywhere in the decoded text.
_SNIFF = 8192
_RECORD_HINT = 'give one JSON object a line: {"id": "...", "text": "..."}'
# Far above any news article (a long one is 50 kB as HTML), low enough that a stray
# video or database dump is refused before it is read into memory.
DEFAULT_MAX_BYTES = 20_000_000
# The encodings in which a NUL byte is ordinary text, not a sign of a binary file.
_WIDE = ("utf-16", "utf-32")
# An HTML page may name its own encoding in its first 1024 bytes (the HTML standard's
# prescan); it is used when no --encoding is given and the page is not valid UTF-8.
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)

# A ``(source, item)`` pair: ``source`` names where the item came from (path or path:line).
_Sourced = tuple[str, Article | InputError]


@dataclass(frozen=True)
class Reading:
    """How input files are read: the text encoding and the largest file accepted.

    ``encoding`` None means UTF-8, except that an HTML page that is not valid UTF-8
    may name its encoding in a ``<meta charset>``. JSON Lines are always UTF-8.
    """

    encoding: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES

    def __post_init__(self) -> None:
        if self.encoding is not None:
            object.__setattr__(self, "encoding", text_encoding(self.encoding))
        if self.max_bytes < 1:
            raise ValueError(f"the size limit must be at least 1 byte, not {self.max_bytes}")


DEFAULT_READING = Reading()


def text_encoding(name: str) -> str:
    """The codec name of a text encoding (``latin-1`` -> ``iso8859-1``), else ValueError."""
    try:
        codec = codecs.lookup(name)
        # Refuses codecs that are not text encodings (base64, rot13); b"" would not.
        with contextlib.suppress(UnicodeError, ValueError):
            b"a".decode(codec.name)
    except LookupError as err:
        raise ValueError(
            f"{name!r} is not a text encoding Python knows; give one such as cp1252 or latin-1"
        ) from err
    return codec.name


@dataclass(frozen=True)
class Merged:
    """Two inputs holding the same text: one document, named by the first id in order."""

    kept: str
    dropped: str

    def __str__(self) -> str:
        return (
            f"{self.dropped}: the same text as {self.kept}; built once, as {self.kept} "
            "(a note, not an error)"
        )


def distinct(articles: Iterable[Article]) -> tuple[list[Article], list[Merged]]:
    """One article per text, in the given order; which ids were merged, in id order.

    The same text under two names is one document (the contract's identity is the text's
    hash); the id that sorts first names it, so the choice does not depend on input order.
    """
    given = list(articles)
    first: dict[str, Article] = {}
    merged: list[Merged] = []
    for article in sorted(given, key=lambda a: a.id):
        kept = first.setdefault(article.sha256, article)
        if kept is not article:
            merged.append(Merged(kept.id, article.id))
    return [a for a in given if first[a.sha256] is a], merged


def iter_inputs(
    paths: Sequence[Path], reading: Reading = DEFAULT_READING
) -> Iterator[Article | InputError]:
    """Yield every document of ``paths`` in order, and an error for every bad input."""
    seen: dict[str, str] = {}
    for path in paths:
        for source, item in _read_input(Path(path), reading):
            if isinstance(item, Article):
                if item.id in seen:
                    yield InputError(
                        source,
                        f"duplicate id {item.id!r}, first seen at {seen[item.id]}",
                        "give every document a unique id, and each file only once",
                    )
                    continue
                seen[item.id] = source
            yield item


def read_file(
    path: Path, root: Path, reading: Reading = DEFAULT_READING
) -> Iterator[Article | InputError]:
    """Yield the article(s) of one file, or one error per bad file or JSONL line.

    The id of a .txt, .md or .html file is its path relative to ``root`` (which must
    contain it). Duplicate ids are not checked here; ``iter_inputs`` does that.
    """
    for _, item in _read(path, root, reading):
        yield item


# -- files and directories ---------------------------------------------------------------


def _read_input(path: Path, reading: Reading) -> Iterator[_Sourced]:
    """Yield the documents of one input as given: a file (root: its folder) or a folder."""
    source = _show(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        yield source, InputError(source, "no such file or directory", "check the path")
        return
    except ValueError:  # a NUL character in the path
        yield source, InputError(source, "not a valid path", "check the path")
        return
    except OSError as err:
        yield source, _os_error(source, err)
        return
    if stat.S_ISDIR(mode):
        yield from _read_dir(path, reading)
    else:
        yield from _read(path, path.parent, reading)


def _read_dir(root: Path, reading: Reading) -> Iterator[_Sourced]:
    """Yield the documents under ``root``, in sorted order of their relative paths."""
    found = sorted(_walk(root), key=lambda pair: pair[0])
    if not found:
        source = _show(root)
        hint = f"give a directory that holds {_SUFFIX_LIST} files"
        yield source, InputError(source, "the directory holds no input files", hint)
    for _, item in found:
        if isinstance(item, InputError):
            yield item.source, item
        else:
            yield from _read(item, root, reading)


def _walk(root: Path) -> Iterator[tuple[str, Path | InputError]]:
    """Yield ``(relative POSIX path, file or error)`` under ``root``, skipping hidden names.

    Iterative, so depth is no problem; a directory reached twice through symbolic links
    is walked once.
    """
    visited: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            info = folder.stat()
            if (info.st_dev, info.st_ino) in visited:
                continue
            visited.add((info.st_dev, info.st_ino))
            with os.scandir(folder) as entries:
                listed = [(entry.name, entry.is_dir()) for entry in entries]
        except OSError as err:
            yield _rel(folder, root), _os_error(_show(folder), err)
            continue
        for name, is_dir in listed:
            if name.startswith("."):
                continue
            if is_dir:
                stack.append(folder / name)
            else:
                yield _rel(folder / name, root), folder / name


def _read(path: Path, root: Path, reading: Reading) -> Iterator[_Sourced]:
    """Yield the article(s) of one file with their sources, or the reason it is refused."""
    source = _show(path)
    kind = path.suffix.lower()
    if kind not in SUFFIXES:
        shown = f"'{kind}'" if kind else "(no extension)"
        hint = f"give {_SUFFIX_LIST} files"
        yield source, InputError(source, f"unsupported file type {shown}", hint)
        return
    data = _read_bytes(path, source, reading.max_bytes)
    if isinstance(data, InputError):
        yield source, data
        return
    wide = kind != ".jsonl" and (reading.encoding or "").startswith(_WIDE)
    if not wide and b"\0" in data[:_SNIFF]:
        yield source, _binary(source)
        return
    if kind == ".jsonl":
        yield from _read_jsonl(source, data)
        return
    article_id = _rel(path, root)
    if not _encodable(article_id):
        yield source, InputError(source, "the file name is not valid UTF-8", "rename the file")
        return
    yield source, _read_text(source, article_id, kind, data, reading.encoding)


def _binary(source: str) -> InputError:
    hint = f"give text files ({_SUFFIX_LIST})"
    return InputError(source, "a binary file (it holds NUL bytes)", hint)


def _read_bytes(path: Path, source: str, limit: int) -> bytes | InputError:
    """The bytes of a regular file, or why they cannot be read (too large among them)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return InputError(source, "not a regular file", "give a file or a directory")
        if info.st_size > limit:
            return _too_large(source, info.st_size, limit)
        with path.open("rb") as file:
            data = file.read(limit + 1)  # a file that grew since stat() is still cut off
    except OSError as err:
        return _os_error(source, err)
    return _too_large(source, len(data), limit) if len(data) > limit else data


def _too_large(source: str, size: int, limit: int) -> InputError:
    problem = f"the file holds {size:,} bytes, more than the limit of {limit:,}"
    return InputError(source, problem, f"give --max-bytes {size} (or more) to read it")


def _read_text(
    source: str, article_id: str, kind: str, data: bytes, encoding: str | None
) -> Article | InputError:
    """The article of a .txt, .md or .html/.htm file, given its bytes."""
    html = kind in (".html", ".htm")
    text = _decode(source, data, encoding)
    if isinstance(text, InputError) and html and encoding is None:
        declared = _declared_charset(data)
        if declared is not None:  # the page's own word; the UTF-8 error if it is wrong too
            second = _decode(source, data, declared)
            text = text if isinstance(second, InputError) else second
    if isinstance(text, InputError):
        return text
    if "\0" in text:  # past the sniffed bytes, or hidden in a wide encoding
        return _binary(source)
    if html:
        return _html_article(source, article_id, text)
    if not text.strip():
        problem = "the file is empty" if not text else "the file holds only whitespace"
        return InputError(source, problem, "give a file with the article's text")
    title = _markdown_title(text) if kind == ".md" else None
    return Article(id=article_id, text=text, title=title)


def _decode(source: str, data: bytes, encoding: str | None) -> str | InputError:
    """The text without a leading byte order mark, or an error naming the first bad byte.

    The mark is not part of the text (it says how the bytes are encoded), so offsets
    count from the first character after it; everything else, CRLF included, is kept.
    """
    try:
        text = data.decode(encoding or "utf-8")
    except UnicodeDecodeError as err:
        name = "UTF-8" if encoding is None else encoding
        problem = f"not {name} text (first bad byte at offset {err.start})"
        hint = "give its encoding with --encoding NAME (e.g. cp1252), or save it as UTF-8"
        return InputError(source, problem, hint)
    except (UnicodeError, ValueError) as err:  # odd codecs (idna, punycode) fail otherwise
        problem = f"cannot be decoded as {encoding} ({' '.join(str(err).split())})"
        return InputError(source, problem, "give the file's encoding with --encoding NAME")
    return text.removeprefix("\ufeff")


def _declared_charset(page: bytes) -> str | None:
    """The encoding an HTML page names in its first 1024 bytes, if Python knows it."""
    match = _META_CHARSET.search(page[:1024])
    if match is None:
        return None
    try:
        return text_encoding(match.group(1).decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        return None


_MD_TITLE = re.compile(r"\s*#[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*\r?$", re.MULTILINE)


def _markdown_title(text: str) -> str | None:
    """The text of a leading ``# `` heading line, if the first non-blank line is one."""
    match = _MD_TITLE.match(text)
    if not match:
        return None
    return match.group(1).strip() or None


# -- JSONL --------------------------------------------------------------------------------


def _read_jsonl(source: str, data: bytes) -> Iterator[_Sourced]:
    """Yield one article or error per non-blank line; a bad line spoils only itself."""
    start = len(_BOM) if data.startswith(_BOM) else 0
    records = 0
    for lineno, raw in enumerate(data[start:].split(b"\n"), 1):
        offset, start = start, start + len(raw) + 1
        if not raw.strip():
            continue
        records += 1
        where = f"{source}:{lineno}"
        yield where, _jsonl_line(where, raw, offset)
    if not records:
        yield source, InputError(source, "the file holds no records", _RECORD_HINT)


def _jsonl_line(where: str, raw: bytes, offset: int) -> Article | InputError:
    """The article of one JSONL line; ``offset`` is the line's first byte in the file."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        problem = f"not UTF-8 text (first bad byte at offset {offset + err.start})"
        hint = "JSON Lines must be UTF-8 (--encoding does not apply): convert the file"
        return InputError(where, problem, hint)
    try:
        record: object = json.loads(line)
    except json.JSONDecodeError as err:
        return InputError(where, f"not valid JSON ({err.msg} at column {err.colno})", _RECORD_HINT)
    except (ValueError, RecursionError) as err:
        return InputError(where, f"not valid JSON ({err})", _RECORD_HINT)
    return _record_article(where, record)


def _record_article(where: str, record: object) -> Article | InputError:
    """The article of one parsed JSONL record, or what is wrong with it."""
    if not isinstance(record, dict):
        return InputError(where, f"{_json_type(record)} is not a JSON object", _RECORD_HINT)
    fields = {key: record.get(key) for key in ("id", "text", "title", "url", "published")}
    if isinstance(fields["id"], int) and not isinstance(fields["id"], bool):
        fields["id"] = str(fields["id"])  # a number is a fine id; the graph holds it as text
    problem = _record_problem(fields)
    if problem:
        return InputError(where, problem, "fix the record, or remove the line")
    return Article(
        id=str(fields["id"]),
        text=str(fields["text"]),
        title=_optional(fields["title"]),
        url=_optional(fields["url"]),
        published=_optional(fields["published"]),
    )


def _record_problem(fields: dict[str, object]) -> str | None:
    """What is wrong with a record's fields (the first thing found), or None."""
    for key, value in fields.items():
        required = key in ("id", "text")
        if value is None and required:
            return f'the record has no "{key}" (or it is null)'
        if value is not None and not isinstance(value, str):
            return f'"{key}" must be a string, not {_json_type(value)}'
        if isinstance(value, str) and not _encodable(value):
            return f'"{key}" holds an unpaired surrogate escape'
        if required and isinstance(value, str) and not value.strip():
            return f'"{key}" is empty or only whitespace'
    published, url = _optional(fields["published"]), _optional(fields["url"])
    if published and not _iso_date(published):
        return f'"published" is not an ISO 8601 date or date-time: {published!r}'
    if url and not _absolute_url(url):
        return f'"url" is not an absolute http(s) URL: {url!r}'
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


def _html_article(source: str, article_id: str, page: str) -> Article | InputError:
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
    published = [_iso_date(meta.get(key, "")) for key in ("article:published_time", "time")]
    urls = [meta.get(key, "").strip() for key in ("canonical", "og:url")]
    return Article(
        id=article_id,
        text=text,
        title=" ".join("".join(parser.title_parts).split()) or None,
        url=next((url for url in urls if _absolute_url(url)), None),
        published=next((date for date in published if date), None),
    )


# -- small helpers ------------------------------------------------------------------------

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_URL_FORBIDDEN = re.compile(r"[\s<>\"{}|\\^`]")


def _iso_date(value: str) -> str | None:
    """``value`` stripped if it is an ISO 8601 date or date-time, else None."""
    value = value.strip()
    if not _ISO_DATE.match(value):
        return None
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return None
    return value


def _absolute_url(value: str) -> bool:
    """Whether ``value`` is an absolute http(s) URL usable as an IRI."""
    if _URL_FORBIDDEN.search(value) or not _encodable(value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:  # an unbalanced or malformed [IPv6] host: not a usable URL
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _rel(path: Path, root: Path) -> str:
    """``path`` relative to ``root``, POSIX separators."""
    return path.relative_to(root).as_posix()


def _encodable(value: str) -> bool:
    """Whether ``value`` encodes as UTF-8 (no surrogates from undecodable names or JSON)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _show(path: Path) -> str:
    """A path for a one-line message: control and undecodable characters escaped."""
    text = str(path)
    return text if text.isprintable() else repr(text)[1:-1]


def _os_error(source: str, err: OSError) -> InputError:
    """An error for a file or directory the operating system will not let us read."""
    reason = (err.strerror or str(err)).lower()
    return InputError(source, f"cannot read it: {reason}", "check that it exists and is readable")
