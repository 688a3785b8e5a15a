"""What must hold for any input: the invariants the fuzzer and the regression cases check.

Ingest (any bytes, under any supported or unsupported suffix): reading never raises; it
yields articles and input errors only; every error is one line that names the file and
says what to do; every article has a non-blank text and an id that encodes as UTF-8;
reading twice gives the same result.

Extraction (any text read from a .txt file, whole pipeline): the build never raises;
every span of every extraction lies inside the text; every ``oa:exact`` is the text at
its offsets; the graph conforms to the shapes; the output files parse in pyoxigraph and
hold the same triples.

The strategies build inputs the way hostile or broken sources look: mutated example
files, tag soup, JSON Lines of any JSON, news-like text with hostile fragments.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
from hypothesis import strategies as st
from spacy.language import Language

from kg.build import build
from kg.errors import InputError
from kg.graph.iri import DEFAULT_BASE
from kg.ingest import SUFFIXES, iter_inputs
from kg.model import Article, DocExtraction, Span

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
REGRESSIONS = ROOT / "tests" / "fuzz_regressions"


class Broken(AssertionError):
    """An invariant does not hold."""


def expect(condition: bool, what: str) -> None:
    if not condition:
        raise Broken(what)


# -- ingest ---------------------------------------------------------------------------------


def check_ingest(data: bytes, suffix: str) -> None:
    """Read ``data`` as a file ending in ``suffix``; raise Broken if an invariant fails."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        first = list(iter_inputs([path]))
        second = list(iter_inputs([path]))
        shown = [[str(i) if isinstance(i, InputError) else i for i in r] for r in (first, second)]
        expect(shown[0] == shown[1], "reading twice gave different results")
        for item in first:
            if isinstance(item, InputError):
                message = str(item)
                expect(len(message.splitlines()) == 1, f"not one line: {message!r}")
                expect(message.startswith(str(path)), f"does not name the file: {message!r}")
                expect(bool(item.hint), f"says not what to do: {message!r}")
            else:
                expect(isinstance(item, Article), f"neither article nor error: {item!r}")
                expect(bool(item.text.strip()), "an article with blank text")
                expect(bool(item.id.strip()), "an article with a blank id")
                item.id.encode("utf-8")  # raises on a lone surrogate
                item.text.encode("utf-8")


# -- extraction ------------------------------------------------------------------------------


def _spans(extraction: DocExtraction) -> Iterator[tuple[str, Span]]:
    for entity in extraction.entities:
        for span in entity.mentions:
            yield f"mention of {entity.name!r}", span
    for membership in extraction.memberships:
        yield "membership evidence", membership.evidence
    for position in extraction.positions:
        yield "position evidence", position.evidence
        if position.speaker_evidence is not None:
            yield "speaker evidence", position.speaker_evidence
    for attribution in extraction.attributions:
        yield "attribution content", attribution.content
        for span in (attribution.speaker_span, attribution.cue_span):
            if span is not None:
                yield "attribution span", span


def check_extraction(text: str, nlp: Language) -> None:
    """Build ``text`` as one .txt article end to end; raise Broken if an invariant fails."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        (folder / "article.txt").write_text(text, encoding="utf-8", newline="")
        out = Path(tmp) / "out"
        result = build([folder], nlp, out, DEFAULT_BASE)
        if result.errors:  # ingest refused it (blank text): nothing to extract
            return
        (extraction,) = result.extractions
        size = len(extraction.article.text)
        for what, span in _spans(extraction):
            expect(0 <= span.start < span.end <= size, f"{what} {span} outside the text")
        local_ids = {entity.local_id for entity in extraction.entities}
        for position in extraction.positions:
            expect(position.speaker in local_ids, f"speaker {position.speaker} is no entity")
        expect(result.report.conforms, "the graph does not conform:\n" + result.report.summary())
        triples = None
        for name, fmt in (
            ("graph.ttl", ox.RdfFormat.TURTLE),
            ("graph.nq", ox.RdfFormat.N_QUADS),
            ("graph.trig", ox.RdfFormat.TRIG),
            ("graph.jsonld", ox.RdfFormat.JSON_LD),
        ):
            found = {q.triple for q in ox.parse(path=out / name, format=fmt)}
            expect(triples is None or found == triples, f"{name} holds other triples")
            triples = found
        json.loads((out / "people.json").read_bytes())
        _check_exacts(extraction.article.text, out)


def _check_exacts(text: str, out: Path) -> None:
    store = ox.Store()
    store.load(path=out / "graph.nq", format=ox.RdfFormat.N_QUADS)
    rows = store.query(
        "PREFIX oa: <http://www.w3.org/ns/oa#> SELECT ?start ?end ?exact WHERE { "
        "?e oa:hasSelector ?p, ?q . ?p oa:start ?start ; oa:end ?end . ?q oa:exact ?exact }",
        use_default_graph_as_union=True,
    )
    for row in rows:
        start, end = int(row["start"].value), int(row["end"].value)  # type: ignore[index, union-attr]
        exact = row["exact"].value  # type: ignore[index, union-attr]
        expect(text[start:end] == exact, f"oa:exact {exact!r} is not the text at {start}-{end}")


# -- strategies --------------------------------------------------------------------------------

_EXAMPLE_FILES = sorted(p for p in EXAMPLES.iterdir() if p.suffix in SUFFIXES)
SUFFIX_CHOICES = [*SUFFIXES, ".HTML", ".Txt", ".pdf", ""]


@st.composite
def mutated_example(draw: st.DrawFn) -> tuple[bytes, str]:
    """An example file with bytes flipped, inserted, deleted or cut off."""
    path = draw(st.sampled_from(_EXAMPLE_FILES))
    data = bytearray(path.read_bytes())
    for _ in range(draw(st.integers(0, 8))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["flip", "insert", "delete", "cut"]))
        if action == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        elif action == "cut":
            del data[at:]
    return bytes(data), path.suffix


_TAGS = [
    "<div>", "</div>", "<p>", "</p>", "<br>", "<br/>", "<script>", "</script>", "<style>",
    "</style>", "<title>", "</title>", "<head>", "</head>", "<body>", "<article>",
    "</article>", "<svg>", "</svg>", "<template>", "<td>", "<tr>", "<!--", "-->", "<!",
    "<![CDATA[", "]]>", "<![if !IE]>", "<![endif]>", "<?xml?>", "<!DOCTYPE html>",
    "&amp;", "&#0;", "&#x110000;", "&#xD800;", "&nbsp", "&", "<", ">", "\"", "'", "=",
    '<meta charset="cp1252">', '<meta charset="utf-16">', '<meta property="og:url" content="',
    '<link rel="canonical" href="', '<time datetime="', "\x00", "\r", "\n", " ", "\ufeff",
]  # fmt: skip


tag_soup = st.lists(st.one_of(st.sampled_from(_TAGS), st.text(max_size=12)), max_size=60).map(
    lambda parts: "".join(parts).encode("utf-8", "surrogatepass")
)

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)
_records = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=10), _json_values),
        "text": st.one_of(st.text(max_size=60), _json_values),
        "title": _json_values,
        "url": st.one_of(st.sampled_from(["https://e.org/a", "e.org", "http://"]), st.text()),
        "published": st.one_of(
            st.sampled_from(["2024-05-14", "2024-13-01", "2024-05-14T25:00"]), st.text()
        ),
    },
)
jsonl = st.lists(
    st.one_of(
        _records.map(lambda r: json.dumps(r).encode()),
        _records.map(lambda r: json.dumps(r, ensure_ascii=False).encode()),
        st.binary(max_size=30),
        _json_values.map(lambda v: json.dumps(v).encode()),
    ),
    max_size=8,
).map(lambda lines: b"\n".join(lines))

ingest_inputs = st.one_of(
    mutated_example(),
    st.tuples(st.binary(max_size=300), st.sampled_from(SUFFIX_CHOICES)),
    st.tuples(tag_soup, st.sampled_from([".html", ".htm"])),
    st.tuples(jsonl, st.just(".jsonl")),
)

_FRAGMENTS = [
    "“", "”", '"', "‘", "’", "'", "«", "»", " said", " says", " told reporters",
    " according to ", ", a member of the European Parliament,", " MEP", " (PLN)",
    " the Press Liberty Network", " on May 14", " in March 2018", " former minister",
    "\n", "\n\n", "\r\n", ":", ",", ".", " — ", "-", "(", ")", "\t", "\u200b", "🎉",
    "Dr.", " Mr", " Ms.", "Katarina Holmberg", "Holmberg", "Lena Varga", "she", " He",
    " urged", " condemned", " called on the Council to", " denied", " Brussels",
]  # fmt: skip
_NAMES = ["Anna Berg", "Jan Novák", "Omar Haddad", "Zoë Müller", "Ivo Lind", "Hana Yasin"]
news_text = st.lists(
    st.one_of(st.sampled_from(_FRAGMENTS), st.sampled_from(_NAMES), st.text(max_size=10)),
    min_size=1,
    max_size=50,
).map(lambda parts: "".join(parts).replace("\x00", ""))
extraction_inputs = st.one_of(news_text, st.text(max_size=200).map(lambda t: t.replace("\0", "")))
