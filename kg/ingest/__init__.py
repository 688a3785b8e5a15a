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
import re
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError
from kg.ingest.files import (
    NO_OUTPUTS,
    OUTPUT_MARKER,
    Outputs,
    Walker,
    os_error,
    read_bytes,
    rel,
    show,
)
from kg.ingest.formats import (
    Note,
    Sourced,
    encodable,
    html_article,
    read_jsonl,
    record_with_note,
)
from kg.model import Article

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_READING",
    "OUTPUT_MARKER",
    "SUFFIXES",
    "Merged",
    "Note",
    "Outputs",
    "Reading",
    "distinct",
    "iter_inputs",
    "read_file",
    "text_encoding",
]

SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl")
_SUFFIX_LIST = ".txt, .md, .html, .htm or .jsonl"
# A NUL byte marks a file as binary: looked for in the leading bytes before decoding (so
# a binary file is called binary, not badly encoded), then anywhere in the decoded text.
_SNIFF = 8192
# Far above any news article (a long one is 50 kB as HTML), low enough that a stray
# video or database dump is refused before it is read into memory.
DEFAULT_MAX_BYTES = 20_000_000
# The encodings in which a NUL byte is ordinary text, not a sign of a binary file.
_WIDE = ("utf-16", "utf-32")
# An HTML page may name its own encoding in its first 1024 bytes (the HTML standard's
# prescan); it is used when no --encoding is given and the page is not valid UTF-8.
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)


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
    paths: Sequence[Path | Article],
    reading: Reading = DEFAULT_READING,
    *,
    notes: list[Note] | None = None,
    outputs: Outputs = NO_OUTPUTS,
) -> Iterator[Article | InputError]:
    """Yield every document of ``paths`` in order, and an error for every bad input.

    An :class:`~kg.model.Article` among them is a text given in memory: it is checked as
    a JSONL record is (a non-empty id and text, an ISO date; its URL made a valid IRI or
    left out). What was changed or left out of a document that is built anyway (a URL's
    user info, a URL that cannot be an IRI) is appended to ``notes``. Folders are walked
    around what newskg wrote (``outputs``).
    """
    seen: dict[str, str] = {}
    walker = Walker(outputs)
    for path in paths:
        found = (
            _given(path) if isinstance(path, Article) else _read_input(Path(path), reading, walker)
        )
        for source, item in found:
            if isinstance(item, Note):
                if notes is not None:
                    notes.append(item)
                continue
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


def _given(article: Article) -> Iterator[Sourced]:
    where = f"the text {article.id!r}"
    fields = ("id", "text", "title", "url", "published")
    checked, note = record_with_note(where, {key: getattr(article, key) for key in fields})
    yield where, checked
    if note is not None:
        yield where, note


def read_file(
    path: Path, root: Path, reading: Reading = DEFAULT_READING
) -> Iterator[Article | InputError]:
    """Yield the article(s) of one file, or one error per bad file or JSONL line.

    The id of a .txt, .md or .html file is its path relative to ``root`` (which must
    contain it). Duplicate ids are not checked here; ``iter_inputs`` does that.
    """
    for _, item in _read(path, root, reading):
        if not isinstance(item, Note):
            yield item


# -- files and directories ---------------------------------------------------------------


def _read_input(path: Path, reading: Reading, walker: Walker) -> Iterator[Sourced]:
    """Yield the documents of one input as given: a file (root: its folder) or a folder."""
    source = show(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        yield source, InputError(source, "no such file or directory", "check the path")
        return
    except ValueError:  # a NUL character in the path
        yield source, InputError(source, "not a valid path", "check the path")
        return
    except OSError as err:
        yield source, os_error(source, err)
        return
    if stat.S_ISDIR(mode):
        yield from _read_dir(path, reading, walker)
    else:
        yield from _read(path, path.parent, reading)


def _read_dir(root: Path, reading: Reading, walker: Walker) -> Iterator[Sourced]:
    """Yield the documents under ``root``, in sorted order of their relative paths."""
    found = sorted(walker.files(root), key=lambda pair: pair[0])
    if not found:
        source = show(root)
        hint = f"give a directory that holds {_SUFFIX_LIST} files"
        yield source, InputError(source, "the directory holds no input files", hint)
    for _, item in found:
        if isinstance(item, InputError):
            yield item.source, item
        else:
            yield from _read(item, root, reading)


def _read(path: Path, root: Path, reading: Reading) -> Iterator[Sourced]:
    """Yield the article(s) of one file with their sources, or the reason it is refused."""
    source = show(path)
    kind = path.suffix.lower()
    if kind not in SUFFIXES:
        shown = f"'{kind}'" if kind else "(no extension)"
        hint = f"give {_SUFFIX_LIST} files"
        yield source, InputError(source, f"unsupported file type {shown}", hint)
        return
    data = read_bytes(path, source, reading.max_bytes)
    if isinstance(data, InputError):
        yield source, data
        return
    wide = kind != ".jsonl" and (reading.encoding or "").startswith(_WIDE)
    if not wide and b"\0" in data[:_SNIFF]:
        yield source, _binary(source)
        return
    if kind == ".jsonl":
        yield from read_jsonl(source, data)
        return
    article_id = rel(path, root)
    if not encodable(article_id):
        yield source, InputError(source, "the file name is not valid UTF-8", "rename the file")
        return
    yield source, _read_text(source, article_id, kind, data, reading.encoding)


def _binary(source: str) -> InputError:
    hint = f"give text files ({_SUFFIX_LIST})"
    return InputError(source, "a binary file (it holds NUL bytes)", hint)


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
        return html_article(source, article_id, text)
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
