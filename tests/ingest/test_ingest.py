"""Behaviour of kg.ingest: files, directories, HTML and JSONL -> Article or InputError."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.ingest import Merged, Note, Reading, distinct, iter_inputs, read_file
from kg.model import Article
from tests.conftest import EXAMPLES

BOM = b"\xef\xbb\xbf"


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.write_bytes(data)
    return path


def split(items: Iterable[Article | InputError]) -> tuple[list[Article], list[InputError]]:
    articles: list[Article] = []
    errors: list[InputError] = []
    for item in items:
        if isinstance(item, Article):
            articles.append(item)
        else:
            errors.append(item)
    return articles, errors


def only_article(items: Iterable[Article | InputError]) -> Article:
    articles, errors = split(items)
    assert errors == []
    assert len(articles) == 1
    return articles[0]


def assert_one_line(err: InputError) -> None:
    assert "\n" not in str(err) and "\r" not in str(err)
    assert err.hint, "every error says what to do"


# -- formats ---------------------------------------------------------------------------

JSONL_RECORD = {
    "id": "wire-1",
    "text": "Anna Berg said the vote was close.",
    "title": "A close vote",
    "url": "https://news.example.org/a",
    "published": "2024-05-14",
}


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.txt", "Anna Berg said so.\n", Article("a.txt", "Anna Berg said so.\n")),
        ("b.md", "# Head\n\nBody text.\n", Article("b.md", "# Head\n\nBody text.\n", "Head")),
        (
            "c.html",
            "<html><head><title>T</title></head><body><p>One.</p><p>Two.</p></body></html>",
            Article("c.html", "One.\n\nTwo.", "T"),
        ),
        ("d.htm", "<p>Only &amp; this</p>", Article("d.htm", "Only & this")),
        ("e.TXT", "Upper-case suffix.", Article("e.TXT", "Upper-case suffix.")),
        (
            "f.jsonl",
            json.dumps(JSONL_RECORD) + "\n",
            Article(
                "wire-1",
                "Anna Berg said the vote was close.",
                "A close vote",
                "https://news.example.org/a",
                "2024-05-14",
            ),
        ),
    ],
)
def test_each_format_gives_its_article(
    tmp_path: Path, name: str, content: str, expected: Article
) -> None:
    assert only_article(iter_inputs([write(tmp_path / name, content)])) == expected


def test_ids_are_relative_to_the_root_they_were_found_under(tmp_path: Path) -> None:
    root = tmp_path / "news"
    write(root / "a.txt", "A.")
    write(root / "sub" / "b.md", "B.")
    write(root / "sub" / "deeper" / "c.html", "<p>C.</p>")
    articles, errors = split(iter_inputs([root]))
    assert errors == []
    assert [a.id for a in articles] == ["a.txt", "sub/b.md", "sub/deeper/c.html"]


def test_a_file_named_directly_has_its_name_as_id(tmp_path: Path) -> None:
    path = write(tmp_path / "news" / "sub" / "b.md", "B.")
    assert only_article(iter_inputs([path])).id == "b.md"
    assert only_article(read_file(path, tmp_path / "news")).id == "sub/b.md"


def test_directories_are_walked_in_sorted_order_of_relative_paths(tmp_path: Path) -> None:
    names = ["b.txt", "a/z.txt", "a.txt", "a b.txt", "Z.txt", "a/b/c.txt", "a-b.txt"]
    for name in names:
        write(tmp_path / name, name)
    articles, errors = split(iter_inputs([tmp_path]))
    assert errors == []
    expected = ["Z.txt", "a b.txt", "a-b.txt", "a.txt", "a/b/c.txt", "a/z.txt", "b.txt"]
    assert [a.id for a in articles] == expected
    assert [a.text for a in articles] == expected


def test_inputs_come_in_the_order_given(tmp_path: Path) -> None:
    second, first = write(tmp_path / "b.txt", "B."), write(tmp_path / "a.txt", "A.")
    articles, _ = split(iter_inputs([second, first]))
    assert [a.id for a in articles] == ["b.txt", "a.txt"]


def test_hidden_files_and_directories_are_skipped(tmp_path: Path) -> None:
    write(tmp_path / "visible.txt", "Seen.")
    write(tmp_path / ".hidden.txt", "Unseen.")
    write(tmp_path / ".git" / "x.txt", "Unseen.")
    write(tmp_path / "sub" / ".cache" / "y.pdf", b"%PDF")
    articles, errors = split(iter_inputs([tmp_path]))
    assert errors == []
    assert [a.id for a in articles] == ["visible.txt"]


def test_bom_is_dropped_and_crlf_kept_so_offsets_count_what_was_read(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", BOM + b"Alpha said\r\nBravo\r\n")
    text = only_article(iter_inputs([path])).text
    assert text == "Alpha said\r\nBravo\r\n"
    assert text[12:17] == "Bravo"


def test_text_is_not_normalised(tmp_path: Path) -> None:
    original = "  Caf\u00e9 \u201cquoted\u201d\tand e\u0301 decomposed\n\n\n"
    assert only_article(iter_inputs([write(tmp_path / "a.txt", original)])).text == original


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("# Title\n\nBody.", "Title"),
        ("\n\n# Spaced  title #\r\nBody.", "Spaced  title"),
        ("## Sub-heading\nBody.", None),
        ("Body.\n# Late heading", None),
        ("#NoSpace\nBody.", None),
    ],
)
def test_markdown_title_is_a_leading_heading_and_text_stays_unchanged(
    tmp_path: Path, text: str, title: str | None
) -> None:
    article = only_article(iter_inputs([write(tmp_path / "a.md", text)]))
    assert (article.title, article.text) == (title, text)


def test_txt_has_no_title(tmp_path: Path) -> None:
    assert only_article(iter_inputs([write(tmp_path / "a.txt", "# Looks like one")])).title is None


# -- HTML ------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>  MEPs &amp; NGOs
     meet </title>
  <meta property="article:published_time" content="2024-06-03T09:30:00+02:00">
  <meta property="og:url" content="https://news.example.org/og">
  <link rel="canonical" href="https://news.example.org/canonical">
  <style>p { color: red }</style>
  <script>var ignored = "<p>not text</p>";</script>
</head>
<body>
  <nav><a href="/">Home</a> | <a href="/world">World</a></nav>
  <article>
    <h1>Forum   on water</h1>
    <p>Dr. Vos said, &ldquo;Water is a right.&rdquo;</p>
    <p>Line one<br>line two &nbsp; with <b>bold</b>text.</p>
    <script>document.write("no")</script><noscript>Enable scripts</noscript>
    <ul><li>First</li><li>Second</li></ul>
    <table><tr><td>a</td><td>b</td></tr></table>
    <div>Outer <div>inner</div> tail</div>
  </article>
  <footer>&copy; 2024 Example News</footer>
</body>
</html>
"""

PAGE_TEXT = "\n\n".join(
    [
        "Forum on water",
        "Dr. Vos said, \u201cWater is a right.\u201d",
        "Line one",
        "line two with boldtext.",
        "First",
        "Second",
        "a b",
        "Outer",
        "inner",
        "tail",
        "\u00a9 2024 Example News",
    ]
)


def test_html_paragraphs_entities_metadata_and_dropped_code(tmp_path: Path) -> None:
    article = only_article(iter_inputs([write(tmp_path / "page.html", PAGE)]))
    assert article.text == PAGE_TEXT
    assert article.title == "MEPs & NGOs meet"
    assert article.url == "https://news.example.org/canonical"
    assert article.published == "2024-06-03T09:30:00+02:00"


@pytest.mark.parametrize(
    ("head", "body", "url", "published"),
    [
        ("", "<p>x</p>", None, None),
        (
            '<link rel="canonical" href="/relative"><meta property="og:url" '
            'content="https://e.org/og">',
            '<article><time datetime="2024-05-14">May 14</time><p>x</p></article>',
            "https://e.org/og",
            "2024-05-14",
        ),
        ("", '<time datetime="2024-01-01">outside</time><article><p>x</p></article>', None, None),
        ('<meta property="article:published_time" content="yesterday">', "<p>x</p>", None, None),
    ],
)
def test_html_url_and_published_fall_back_or_are_left_out(
    tmp_path: Path, head: str, body: str, url: str | None, published: str | None
) -> None:
    page = f"<html><head>{head}</head><body>{body}</body></html>"
    article = only_article(iter_inputs([write(tmp_path / "p.html", page)]))
    assert (article.url, article.published) == (url, published)


@pytest.mark.parametrize(
    "page",
    [
        "<div>" * 5000 + "deep" + "</div>" * 5000,
        "<div>" * 5000 + "never closed",
        "</p></div></article>stray ends<p>",
        "<![if !IE]>odd<![endif]><p>text</p>",
        "<![unknown[ marked section ]]><p>text</p>",
        "<p>unclosed <b>bold <i>italic <script>var x",
    ],
)
def test_broken_or_deeply_nested_html_never_raises(tmp_path: Path, page: str) -> None:
    items = list(iter_inputs([write(tmp_path / "p.html", page)]))
    assert len(items) == 1


@pytest.mark.parametrize(
    ("page", "text"),
    [
        ("<div>" * 5000 + "deep &amp; down" + "</div>" * 5000, "deep & down"),
        ("<![unknown[ marked ]]><p>kept</p>", "kept"),
        ("<p>a</p><![if !IE]><p>b</p><![endif]>", "a\n\nb"),
        ("<p>a<!-- comment <p>not</p> -->b</p>", "ab"),
    ],
)
def test_odd_html_keeps_its_text(tmp_path: Path, page: str, text: str) -> None:
    assert only_article(iter_inputs([write(tmp_path / "p.html", page)])).text == text


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(page=st.text(alphabet=st.sampled_from("<>/!-[]&;#=\"' abcdiptvx\n")))
def test_any_html_gives_one_article_or_one_error(tmp_path: Path, page: str) -> None:
    items = list(iter_inputs([write(tmp_path / "p.html", page)]))
    assert len(items) == 1


# -- errors: one InputError naming the file, the good inputs still come -------------------


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("report.pdf", b"%PDF-1.4", "unsupported file type '.pdf'"),
        ("NOTES", b"text", "unsupported file type (no extension)"),
        ("empty.txt", b"", "the file is empty"),
        ("blank.md", b" \n\t\r\n", "only whitespace"),
        ("bom-only.txt", BOM, "the file is empty"),
        ("image.txt", b"GIF89a\x00\x01", "binary"),
        ("latin1.txt", b"caf\xe9 au lait", "first bad byte at offset 3"),
        ("latin1-bom.md", BOM + b"caf\xe9", "first bad byte at offset 6"),
        ("nothing.html", b"<html><head><title>T</title></head><body> </body></html>", "no text"),
        ("empty.jsonl", b"\n\n", "no records"),
        ("binary.jsonl", b'{"id": "x"}\x00', "binary"),
    ],
)
def test_each_bad_file_gives_one_error_naming_it(
    tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    write(tmp_path / "a-good.txt", "Good.")
    bad = write(tmp_path / name, content)
    write(tmp_path / "z-good.txt", "Good too.")
    articles, errors = split(iter_inputs([tmp_path]))
    assert [a.id for a in articles] == ["a-good.txt", "z-good.txt"]
    assert len(errors) == 1
    (err,) = errors
    assert err.source == str(bad)
    assert problem in err.problem
    assert str(bad) in str(err)
    assert_one_line(err)


def test_a_missing_path_gives_an_error_and_the_rest_still_comes(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    good = write(tmp_path / "good.txt", "Good.")
    items = list(iter_inputs([missing, good]))
    assert isinstance(items[0], InputError) and items[0].source == str(missing)
    assert "no such file" in items[0].problem
    assert_one_line(items[0])
    assert isinstance(items[1], Article) and items[1].id == "good.txt"


def test_an_empty_directory_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    write(tmp_path / "empty" / ".hidden.txt", "Unseen.")
    (err,) = list(iter_inputs([tmp_path / "empty"]))
    assert isinstance(err, InputError) and "no input files" in err.problem


def test_a_directory_given_as_a_file_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    (err,) = list(read_file(folder, tmp_path))
    assert isinstance(err, InputError) and err.source == str(folder)
    assert_one_line(err)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    write(tmp_path / "good.txt", "Good.")
    os.mkfifo(tmp_path / "pipe.txt")
    articles, errors = split(iter_inputs([tmp_path]))
    assert [a.id for a in articles] == ["good.txt"]
    assert [e.problem for e in errors] == ["not a regular file"]


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="root reads any file; needs POSIX"
)
def test_an_unreadable_file_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "secret.txt", "Secret.")
    path.chmod(0)
    try:
        (err,) = list(iter_inputs([path]))
    finally:
        path.chmod(0o600)
    assert isinstance(err, InputError) and "permission denied" in err.problem


def test_a_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    write(tmp_path / "a" / "doc.txt", "Doc.")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a", target_is_directory=True)
    articles, errors = split(iter_inputs([tmp_path / "a"]))
    assert [a.id for a in articles] == ["doc.txt"]
    assert errors == []


def test_a_file_name_with_a_newline_gives_a_one_line_error(tmp_path: Path) -> None:
    (err,) = list(iter_inputs([write(tmp_path / "bad\nname.pdf", b"x")]))
    assert isinstance(err, InputError)
    assert_one_line(err)
    assert "bad\\nname.pdf" in str(err)


# -- JSONL -----------------------------------------------------------------------------

GOOD_1 = json.dumps({"id": "one", "text": "First."})
GOOD_3 = json.dumps({"id": "three", "text": "Third."})


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (b'{"id": "two", "text": ', "not valid JSON"),
        (b'["id", "text"]', "an array is not a JSON object"),
        (b'"just a string"', "a string is not a JSON object"),
        (b'{"text": "No id."}', 'no "id"'),
        (b'{"id": null, "text": "Null id."}', 'no "id"'),
        (b'{"id": ["x"], "text": "List id."}', '"id" must be a string, not an array'),
        (b'{"id": true, "text": "Bool id."}', '"id" must be a string, not a boolean'),
        (b'{"id": "", "text": "Empty id."}', '"id" is empty'),
        (b'{"id": "two"}', 'no "text"'),
        (b'{"id": "two", "text": 5}', '"text" must be a string, not a number'),
        (b'{"id": "two", "text": " \\n "}', '"text" is empty'),
        (b'{"id": "two", "text": "T.", "title": 3}', '"title" must be a string'),
        (b'{"id": "two", "text": "T.", "published": "May 14"}', '"published" is not an ISO'),
        (b'{"id": "two", "text": "\\ud800"}', "unpaired surrogate"),
        (b'{"id": "two", "text": "caf\xe9"}', "first bad byte at offset"),
        (b"[" * 100_000, "not valid JSON"),
    ],
)
def test_a_bad_jsonl_line_spoils_only_itself(tmp_path: Path, line: bytes, problem: str) -> None:
    path = write(tmp_path / "wire.jsonl", GOOD_1.encode() + b"\n" + line + b"\n" + GOOD_3.encode())
    articles, errors = split(iter_inputs([path]))
    assert [a.id for a in articles] == ["one", "three"]
    assert len(errors) == 1
    (err,) = errors
    assert err.source == f"{path}:2"
    assert problem in err.problem
    assert f"{path}:2" in str(err)
    assert_one_line(err)


def test_jsonl_bad_byte_offset_counts_from_the_start_of_the_file(tmp_path: Path) -> None:
    first = GOOD_1.encode() + b"\n"
    path = write(tmp_path / "w.jsonl", first + b'{"id": "x", "text": "\xff"}')
    (err,) = split(iter_inputs([path]))[1]
    assert f"offset {len(first) + 21}" in err.problem


def test_jsonl_blank_lines_bom_crlf_and_numeric_ids(tmp_path: Path) -> None:
    lines = [
        BOM + GOOD_1.encode(),
        b"",
        b"   ",
        json.dumps({"id": 42, "text": "Numbered.", "title": " "}).encode(),
        GOOD_3.encode(),
    ]
    path = write(tmp_path / "w.jsonl", b"\r\n".join(lines) + b"\r\n")
    articles, errors = split(iter_inputs([path]))
    assert errors == []
    assert [(a.id, a.text, a.title) for a in articles] == [
        ("one", "First.", None),
        ("42", "Numbered.", None),
        ("three", "Third.", None),
    ]


def test_jsonl_text_is_kept_exactly(tmp_path: Path) -> None:
    text = "  Line one\r\nline \u201ctwo\u201d\n\n"
    path = write(tmp_path / "w.jsonl", json.dumps({"id": "x", "text": text}))
    assert only_article(iter_inputs([path])).text == text


def test_duplicate_jsonl_ids_name_both_places(tmp_path: Path) -> None:
    path = write(tmp_path / "w.jsonl", "\n".join([GOOD_1, GOOD_3, GOOD_1]))
    articles, errors = split(iter_inputs([path]))
    assert [a.id for a in articles] == ["one", "three"]
    (err,) = errors
    assert err.source == f"{path}:3"
    assert "duplicate id 'one'" in err.problem and f"first seen at {path}:1" in err.problem
    assert_one_line(err)


def test_duplicate_ids_are_tracked_across_inputs(tmp_path: Path) -> None:
    doc = write(tmp_path / "a" / "doc.txt", "From a file.")
    write(tmp_path / "b" / "doc.txt", "Same id, other folder.")
    wire = write(tmp_path / "w.jsonl", json.dumps({"id": "doc.txt", "text": "Clash."}))
    articles, errors = split(iter_inputs([tmp_path / "a", tmp_path / "b", wire]))
    assert [a.text for a in articles] == ["From a file."]
    assert [e.source for e in errors] == [str(tmp_path / "b" / "doc.txt"), f"{wire}:1"]
    assert all(f"first seen at {doc}" in e.problem for e in errors)


def test_the_same_file_given_twice_is_a_duplicate(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "A.")
    articles, errors = split(iter_inputs([path, path]))
    assert len(articles) == 1 and len(errors) == 1


def test_read_file_does_not_check_duplicates(tmp_path: Path) -> None:
    path = write(tmp_path / "w.jsonl", "\n".join([GOOD_1, GOOD_1]))
    articles, errors = split(read_file(path, tmp_path))
    assert [a.id for a in articles] == ["one", "one"] and errors == []


# -- properties ------------------------------------------------------------------------

# Any text a UTF-8 file can hold, minus NUL (binary) and blank text (refused).
texts = st.text(st.characters(codec="utf-8", exclude_characters="\x00")).filter(str.strip)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts)
def test_any_utf8_text_file_reads_back_exactly(tmp_path: Path, text: str) -> None:
    expected = text.removeprefix("\ufeff")  # a leading BOM is the one thing dropped
    path = write(tmp_path / "a.txt", text)
    items = list(iter_inputs([path]))
    if not expected.strip():
        assert len(items) == 1 and isinstance(items[0], InputError)
        return
    assert items == [Article("a.txt", expected)]


# -- the shipped examples --------------------------------------------------------------


def test_the_examples_read_without_errors() -> None:
    articles, errors = split(iter_inputs([EXAMPLES]))
    assert errors == []
    by_id = {a.id: a for a in articles}
    assert set(by_id) >= {
        "01-press-freedom-conference.txt",
        "02-live-report-sanctions-hearing.txt",
        "03-human-rights-briefing.md",
        "04-water-rights-forum.html",
        "azmeria-journalist-sentenced-2024-05-20",
    }
    html = by_id["04-water-rights-forum.html"]
    assert html.title and html.url and html.published == "2024-06-03T16:45:00+02:00"
    assert "<" not in html.text and "Home" not in html.text
    wire = by_id["azmeria-journalist-sentenced-2024-05-20"]
    assert wire.title and wire.url and wire.published
    assert by_id["03-human-rights-briefing.md"].title
    for article in articles:
        assert 250 <= len(article.text.split()) <= 600 or article.id == "README.md"


def test_a_read_failure_is_an_error_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "secret.txt", "Secret.")
    real_open = os.open

    def refuse(name: object, *args: Any, **kwargs: Any) -> int:
        if str(name) == str(path):  # root reads any file: the refusal is simulated
            raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse)
    (err,) = list(iter_inputs([path]))
    assert isinstance(err, InputError) and err.source == str(path)
    assert err.problem == "cannot read it: permission denied"
    assert_one_line(err)


# -- reading options: --encoding, --max-bytes ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "codec"),
    [("UTF8", "utf-8"), ("latin-1", "iso8859-1"), ("cp1252", "cp1252"), ("utf_16", "utf-16")],
)
def test_encoding_names_are_normalised(name: str, codec: str) -> None:
    assert Reading(name).encoding == codec


@pytest.mark.parametrize("name", ["no-such-codec", "base64", "rot13", "zlib", ""])
def test_encodings_that_are_not_text_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a text encoding"):
        Reading(name)


def test_a_size_limit_below_one_byte_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1 byte"):
        Reading(max_bytes=0)


@pytest.mark.parametrize("codec", ["cp1252", "latin-1", "utf-16", "utf-16-le", "utf-32"])
def test_an_encoding_given_reads_the_text_exactly(tmp_path: Path, codec: str) -> None:
    text = "Zo\u00eb M\u00fcller said: \u201cCaf\u00e9 \u2014 na\u00efve.\u201d\r\n"
    if codec == "latin-1":
        text = "Zo\u00eb M\u00fcller said: Caf\u00e9, na\u00efve.\r\n"
    path = write(tmp_path / "a.txt", text.encode(codec))
    assert only_article(iter_inputs([path], Reading(codec))).text == text


def test_a_wide_encoding_still_finds_binary_files(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "text\0more".encode("utf-16"))
    (err,) = list(iter_inputs([path], Reading("utf-16")))
    assert isinstance(err, InputError) and "binary" in err.problem


def test_an_encoding_error_names_the_encoding_and_the_offset(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", b"plain \x81 ascii")
    (err,) = list(iter_inputs([path], Reading("cp1252")))  # 0x81 is undefined in cp1252
    assert isinstance(err, InputError)
    assert err.problem == "not cp1252 text (first bad byte at offset 6)"
    assert "--encoding" in err.hint
    assert_one_line(err)


def test_a_utf8_error_says_how_to_name_the_encoding(tmp_path: Path) -> None:
    (err,) = list(iter_inputs([write(tmp_path / "a.txt", b"caf\xe9")]))
    assert isinstance(err, InputError) and "--encoding NAME" in err.hint


def test_a_byte_order_mark_is_dropped_in_any_encoding(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "\ufeffText.".encode("utf-16-le"))
    assert only_article(iter_inputs([path], Reading("utf-16-le"))).text == "Text."


@pytest.mark.parametrize(
    ("head", "encoding", "text"),
    [
        ('<meta charset="windows-1252">', None, "Caf\u00e9 \u201cquoted\u201d"),
        ("<meta http-equiv=Content-Type content='text/html; charset=latin-1'>", None, "Caf\u00e9"),
        ('<meta charset="utf-8">', "cp1252", "Caf\u00e9 \u201cquoted\u201d"),  # --encoding wins
    ],
)
def test_an_html_page_that_is_not_utf8_may_name_its_encoding(
    tmp_path: Path, head: str, encoding: str | None, text: str
) -> None:
    page = f"<html><head>{head}</head><body><p>{text}</p></body></html>"
    path = write(tmp_path / "p.html", page.encode("cp1252"))
    assert only_article(iter_inputs([path], Reading(encoding))).text == text


def test_a_wrong_or_unknown_declared_charset_gives_the_utf8_error(tmp_path: Path) -> None:
    for charset in ("utf-8", "no-such-charset"):
        page = f'<meta charset="{charset}"><p>caf\u00e9</p>'.encode("latin-1")
        (err,) = list(iter_inputs([write(tmp_path / "p.html", page)]))
        assert isinstance(err, InputError) and "not UTF-8 text" in err.problem


def test_jsonl_ignores_the_encoding(tmp_path: Path) -> None:
    record = json.dumps({"id": "x", "text": "Caf\u00e9 \u2014 ok"}, ensure_ascii=False)
    path = write(tmp_path / "w.jsonl", record)
    assert only_article(iter_inputs([path], Reading("cp1252"))).text == "Caf\u00e9 \u2014 ok"
    (err,) = list(iter_inputs([write(tmp_path / "w.jsonl", record.encode("cp1252"))]))
    assert isinstance(err, InputError) and "must be UTF-8" in err.hint


@pytest.mark.parametrize("kind", [".txt", ".md", ".html", ".jsonl"])
def test_files_over_the_size_limit_are_refused_and_the_rest_read(tmp_path: Path, kind: str) -> None:
    write(tmp_path / "a-small.txt", "Small.")
    big = write(tmp_path / f"big{kind}", b"x" * 101)
    items = list(iter_inputs([tmp_path], Reading(max_bytes=100)))
    articles, errors = split(items)
    assert [a.id for a in articles] == ["a-small.txt"]
    (err,) = errors
    assert err.source == str(big)
    assert err.problem == "the file holds 101 bytes, more than the limit of 100"
    assert err.hint == "give --max-bytes 101 (or more) to read it"
    assert only_article(
        iter_inputs([write(tmp_path / "ok.txt", b"y" * 100)], Reading(max_bytes=100))
    )


def test_the_limit_is_checked_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "a.txt", b"x" * 200)

    def never(self: Path, *args: object, **kwargs: object) -> object:
        raise AssertionError(f"{self} was opened")

    monkeypatch.setattr(Path, "open", never)
    (err,) = list(iter_inputs([path], Reading(max_bytes=100)))
    assert isinstance(err, InputError) and "limit" in err.problem


# -- the same text under two names ------------------------------------------------------------


def test_distinct_keeps_the_first_id_in_sorted_order_whatever_the_input_order() -> None:
    a, b, c = Article("b.txt", "Same."), Article("a.txt", "Same."), Article("c.txt", "Other.")
    for order in ([a, b, c], [c, b, a], [b, c, a]):
        kept, merged = distinct(order)
        assert [x.id for x in kept] == [x.id for x in order if x.id != "b.txt"]
        assert merged == [Merged(kept="a.txt", dropped="b.txt")]


def test_three_copies_are_two_notes_in_id_order() -> None:
    copies = [Article(name, "Same.") for name in ("z", "m", "a")]
    kept, merged = distinct(copies)
    assert [x.id for x in kept] == ["a"]
    assert [str(m) for m in merged] == [
        "m: the same text as a; built once, as a (a note, not an error)",
        "z: the same text as a; built once, as a (a note, not an error)",
    ]


def test_texts_that_differ_by_a_byte_are_not_merged() -> None:
    kept, merged = distinct([Article("a", "Same."), Article("b", "Same.\n")])
    assert len(kept) == 2 and merged == []


def test_a_nul_byte_past_the_sniffed_bytes_still_marks_a_binary_file(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", b"x" * 9000 + b"\x00tail")
    (err,) = list(iter_inputs([path]))
    assert isinstance(err, InputError) and "binary" in err.problem


# Found by `make fuzz` (tests/fuzz_regressions/ingest-ab75a0f11ecc.jsonl): urlsplit raised
# on a malformed [IPv6] host, which crashed the whole build. A URL that cannot be an IRI
# is now left out with a note, and the record is built (issue 15, row 14).
@pytest.mark.parametrize(
    "url", ["https://[wire.example.org/a", "http://[zz]/a", "http://a]b/", "news/page"]
)
def test_a_malformed_url_is_left_out_with_a_note_not_a_crash(tmp_path: Path, url: str) -> None:
    record = json.dumps({"id": "x", "text": "Text.", "url": url})
    notes: list[Note] = []
    (article,) = list(iter_inputs([write(tmp_path / "w.jsonl", record)], notes=notes))
    assert isinstance(article, Article) and article.url is None
    (note,) = notes
    assert "the \"url\" of 'x' was left out" in str(note) and url not in str(note)
    page = f'<link rel="canonical" href="{url}"><meta property="og:url" content="{url}"><p>x</p>'
    assert only_article(iter_inputs([write(tmp_path / "p.html", page)])).url is None
