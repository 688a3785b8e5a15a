"""Input faults end to end: each bad input is one line on stderr and the rest is built.

One ``kg build`` runs over a folder holding every kind of bad input next to two good
articles; each test then checks its own line and that nothing good was lost. Separate
builds show the cases that must end with exit code 0: a byte order mark with CRLF line
ends, the same article under two names, deeply nested HTML, and ``--encoding``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal

from kg.cli import main
from kg.graph.vocab import DCTERMS, KG, OA, RDF
from kg.ingest import DEFAULT_MAX_BYTES
from tests.conftest import EXAMPLES
from tests.trust.test_hostile import quoted_span

CONFERENCE = (EXAMPLES / "01-press-freedom-conference.txt").read_text(encoding="utf-8")
HEARING = (EXAMPLES / "02-live-report-sanctions-hearing.txt").read_text(encoding="utf-8")
BOM = b"\xef\xbb\xbf"


def kg(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def kg_lines(err: str) -> list[str]:
    """The one-line messages of a run (errors and notes), not the summary."""
    return [line for line in err.splitlines() if line.startswith("kg: ")]


def documents(out: Path) -> dict[str, str]:
    """dcterms:identifier -> kg:contentSha256 of every document in graph.ttl."""
    graph = Graph().parse(out / "graph.ttl", format="turtle")
    return {
        str(graph.value(doc, DCTERMS.identifier)): str(graph.value(doc, KG.contentSha256))
        for doc in graph.subjects(RDF.type, KG.SourceDocument)
    }


# -- one build over every bad input --------------------------------------------------------

SHORT = (
    "STOCKHOLM, June 2 (Example Wire) - Maria Lind, a member of the Riksdag, criticised the "
    "bill on Monday. \u201cWe will vote against it,\u201d Lind said.\n"
)
GOOD_JSONL = [
    {"id": "wire-good-1", "text": HEARING},
    {"id": "wire-good-2", "text": SHORT},
]
# (line number in faults.jsonl, what it holds, what its message says)
JSONL_FAULTS = [
    (2, b'{"id": "broken", "text": "unterminated', "not valid JSON"),
    (3, json.dumps({"text": "No id here."}).encode(), 'no "id"'),
    (4, json.dumps({"id": "no-text"}).encode(), 'no "text"'),
    (5, json.dumps({"id": "wire-good-1", "text": "Another text."}).encode(), "duplicate id"),
]


def _faults_jsonl() -> bytes:
    lines = [json.dumps(GOOD_JSONL[0]).encode()]
    lines += [content for _, content, _ in JSONL_FAULTS]
    lines.append(json.dumps(GOOD_JSONL[1]).encode())
    return b"\n".join(lines) + b"\n"


# file name -> (content, what its one line says)
BAD_FILES: dict[str, tuple[bytes, str]] = {
    "empty.txt": (b"", "the file is empty"),
    "blank.md": (b"  \n\t\r\n   \n", "only whitespace"),
    "image.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    "cp1252.txt": (
        CONFERENCE.encode("cp1252"),
        f"not UTF-8 text (first bad byte at offset {CONFERENCE.index('—')})",
    ),
    "too-large.txt": (b"x" * 6_001, "more than the limit of 6,000"),
    "no-text.html": (b"<html><body><script>var a = 1;</script></body></html>", "no text"),
    "slides.pptx": (b"PK\x03\x04", "unsupported file type '.pptx'"),
}


@dataclass(frozen=True)
class Run:
    code: int
    err: str
    folder: Path
    out: Path


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = tmp_path_factory.mktemp("faulty")
    shutil.copy(EXAMPLES / "01-press-freedom-conference.txt", folder / "good-conference.txt")
    shutil.copy(EXAMPLES / "03-human-rights-briefing.md", folder / "good-briefing.md")
    for name, (content, _) in BAD_FILES.items():
        (folder / name).write_bytes(content)
    (folder / "faults.jsonl").write_bytes(_faults_jsonl())
    out = tmp_path_factory.mktemp("faulty-out")
    # --max-bytes 6000: the good articles (about 2.5 kB) pass, too-large.txt does not.
    code, _, err = kg("build", str(folder), "-o", str(out), "--max-bytes", "6000")
    return Run(code, err, folder, out)


def test_input_errors_exit_2_with_one_line_each(faulty: Run) -> None:
    assert faulty.code == 2
    assert len(kg_lines(faulty.err)) == len(BAD_FILES) + len(JSONL_FAULTS)
    assert f"input errors   {len(BAD_FILES) + len(JSONL_FAULTS)}" in faulty.err


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_each_bad_file_is_one_line_naming_it(faulty: Run, name: str) -> None:
    says = BAD_FILES[name][1]
    (line,) = [line for line in kg_lines(faulty.err) if f"/{name}:" in line]
    assert line.startswith(f"kg: {faulty.folder / name}: ")
    assert says in line
    assert "; " in line  # and what to do about it


@pytest.mark.parametrize(("lineno", "content", "says"), JSONL_FAULTS)
def test_each_bad_jsonl_line_is_one_line_naming_file_and_line(
    faulty: Run, lineno: int, content: bytes, says: str
) -> None:
    where = f"{faulty.folder / 'faults.jsonl'}:{lineno}"
    (line,) = [line for line in kg_lines(faulty.err) if f"{where}:" in line]
    assert says in line


def test_the_duplicate_id_names_where_it_was_first_seen(faulty: Run) -> None:
    (line,) = [line for line in kg_lines(faulty.err) if "duplicate id" in line]
    assert f"first seen at {faulty.folder / 'faults.jsonl'}:1" in line


def test_everything_good_is_built(faulty: Run) -> None:
    built = documents(faulty.out)
    assert set(built) == {"good-briefing.md", "good-conference.txt", "wire-good-1", "wire-good-2"}
    graph = Graph().parse(faulty.out / "graph.ttl", format="turtle")
    assert len(set(graph.subjects(RDF.type, KG.StatedPosition))) > 20


def test_the_size_limit_message_names_the_option(faulty: Run) -> None:
    (line,) = [line for line in kg_lines(faulty.err) if "too-large.txt" in line]
    assert "--max-bytes 6001" in line


def test_the_default_size_limit_is_documented_and_refuses_before_reading(tmp_path: Path) -> None:
    assert DEFAULT_MAX_BYTES == 20_000_000
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as file:  # sparse: 20 MB + 1 that take no disk space
        file.truncate(DEFAULT_MAX_BYTES + 1)
    code, _, err = kg("build", str(huge), "-o", str(tmp_path / "out"))
    assert code == 2
    (line,) = kg_lines(err)
    assert str(huge) in line and "20,000,001 bytes" in line and "--max-bytes 20000001" in line


def test_raising_the_limit_reads_the_file(tmp_path: Path) -> None:
    article = tmp_path / "conference.txt"
    shutil.copy(EXAMPLES / "01-press-freedom-conference.txt", article)
    size = article.stat().st_size
    code, _, err = kg("build", str(article), "-o", str(tmp_path / "a"), "--max-bytes", "1000")
    assert code == 2 and f"--max-bytes {size}" in err
    code, _, err = kg("build", str(article), "-o", str(tmp_path / "b"), "--max-bytes", str(size))
    assert code == 0, err
    assert set(documents(tmp_path / "b")) == {"conference.txt"}


# -- builds that succeed: BOM and CRLF, the same article twice, deep HTML ------------------


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = tmp_path_factory.mktemp("clean")
    crlf = BOM + HEARING.replace("\n", "\r\n").encode("utf-8")
    (folder / "bom-crlf.txt").write_bytes(crlf)
    shutil.copy(EXAMPLES / "01-press-freedom-conference.txt", folder / "a-original.txt")
    shutil.copy(EXAMPLES / "01-press-freedom-conference.txt", folder / "z-copy.txt")
    paragraphs = "".join(f"<p>{p}</p>" for p in CONFERENCE.split("\n\n") if p.strip())
    deep = "<html><body>" + "<div>" * 10_000 + paragraphs + "</div>" * 10_000 + "</body></html>"
    (folder / "deep.html").write_text(deep, encoding="utf-8")
    broken = "<html><body><p>" + HEARING.replace("\n\n", "<p><div><span>") + "<table><tr><td>"
    (folder / "broken.htm").write_text(broken, encoding="utf-8")
    out = tmp_path_factory.mktemp("clean-out")
    code, _, err = kg("build", str(folder), "-o", str(out))
    return Run(code, err, folder, out)


def test_a_merge_is_a_note_and_the_build_exits_0(clean: Run) -> None:
    assert clean.code == 0, clean.err
    assert "input errors   0" in clean.err
    (line,) = kg_lines(clean.err)
    assert line == (
        "kg: z-copy.txt: the same text as a-original.txt; built once, as a-original.txt "
        "(a note, not an error)"
    )


def test_the_same_article_twice_is_one_document_node(clean: Run) -> None:
    built = documents(clean.out)
    assert "a-original.txt" in built and "z-copy.txt" not in built
    graph = Graph().parse(clean.out / "graph.ttl", format="turtle")
    sha = built["a-original.txt"]
    assert len(set(graph.subjects(KG.contentSha256, Literal(sha)))) == 1


def test_deeply_nested_and_broken_html_are_built(clean: Run) -> None:
    built = documents(clean.out)
    assert {"deep.html", "broken.htm"} <= set(built)
    graph = Graph().parse(clean.out / "graph.ttl", format="turtle")
    for name in ("deep.html", "broken.htm"):
        doc = graph.value(predicate=DCTERMS.identifier, object=Literal(name))
        positions = set(graph.subjects(KG.appearsIn, doc))
        assert len(positions) > 5, name  # the article inside was read, not just survived


def test_bom_is_dropped_crlf_kept_and_every_exact_is_the_text_at_its_offsets(clean: Run) -> None:
    raw = (clean.folder / "bom-crlf.txt").read_bytes()
    text = raw.decode("utf-8").removeprefix("\ufeff")  # what the tool read: BOM gone, CRLF kept
    assert "\r\n" in text
    graph = Graph().parse(clean.out / "graph.ttl", format="turtle")
    doc = graph.value(predicate=DCTERMS.identifier, object=Literal("bom-crlf.txt"))
    assert doc is not None
    checked = 0
    for evidence in graph.subjects(OA.hasSource, doc):
        start, end, exact = quoted_span(graph, evidence)
        assert text[start:end] == exact
        checked += 1
    assert checked > 10
    # Offsets count the CRs: the last evidence starts later than in the LF-only text.
    assert max(int(o) for o in graph.objects(None, OA.end)) > len(HEARING) // 2


# -- --encoding ------------------------------------------------------------------------------


def test_encoding_reads_a_cp1252_file_exactly(tmp_path: Path) -> None:
    article = tmp_path / "cp1252.txt"
    article.write_bytes(CONFERENCE.encode("cp1252"))
    code, _, err = kg("build", str(article), "-o", str(tmp_path / "out"), "--encoding", "cp1252")
    assert code == 0, err
    # The text read is the article's, to the character: its hash is the UTF-8 file's.
    expected = hashlib.sha256(CONFERENCE.encode("utf-8")).hexdigest()
    assert documents(tmp_path / "out") == {"cp1252.txt": expected}
    graph = Graph().parse(tmp_path / "out" / "graph.ttl", format="turtle")
    exacts = [str(o) for o in graph.objects(None, OA.exact)]
    assert exacts and all(e in CONFERENCE for e in exacts)


def test_encoding_must_be_a_text_encoding(tmp_path: Path) -> None:
    for name in ("no-such-codec", "base64"):
        code, _, err = kg("build", str(EXAMPLES), "-o", str(tmp_path), "--encoding", name)
        assert code == 2 and "--encoding" in err and name in err
    assert not (tmp_path / "graph.ttl").exists()


def test_jsonl_stays_utf8_whatever_encoding_says(tmp_path: Path) -> None:
    wire = tmp_path / "w.jsonl"
    wire.write_bytes(json.dumps({"id": "x", "text": CONFERENCE}, ensure_ascii=False).encode())
    code, _, err = kg("build", str(wire), "-o", str(tmp_path / "out"), "--encoding", "cp1252")
    assert code == 0, err
    assert set(documents(tmp_path / "out")) == {"x"}
