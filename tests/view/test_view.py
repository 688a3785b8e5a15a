"""kg view: the page, opened from disk in a real headless Chromium (Debian's /usr/bin/chromium).

The browser tests skip with the reason when chromium or playwright is missing, except under
CI (CI=true), where they fail: a green CI must have run them. ``make browser`` installs
chromium; no browser is ever downloaded by playwright. KG_CHROMIUM names another binary.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from spacy.language import Language

from kg import view as view_module
from kg.build import build
from kg.cli import main
from kg.graph.iri import DEFAULT_BASE
from kg.graph.vocab import KG, RDF, SKOS
from kg.ingest import iter_inputs
from kg.model import Article
from kg.view.passages import Span, paragraph_passage, snippet_passage
from tests.conftest import EXAMPLES

HOSTILE_NAME = "Ana </script><img src=x onerror=alert(1)>"
HOSTILE_ALIAS = "Ana\u2028\"'</SCRIPT >&amp;<!--"
HOSTILE_ARTICLE = """Brussels hearing on press freedom

Ana Petrova, MEP from Austria, opened the hearing on Tuesday.

"Nobody should have to write </script><script>alert(2)</script> to be heard," Ana Petrova said.

She urged the Commission to protect reporters & "<b>bloggers</b>" alike.
"""
HOSTILE_FILE = "report <img src=x onerror=alert(4)>.txt"
KINDS = (KG.Person, KG.Organization, KG.Place, KG.Event)
QUERY_PREFIXES = "PREFIX kg: <https://w3id.org/newskg/ontology#>\n"


def kg(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stderr


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _missing(why: str) -> None:
    if _ci():
        pytest.fail(f"{why} (CI=true: the browser tests must run)", pytrace=False)
    pytest.skip(why)


def _chromium() -> str | None:
    """KG_CHROMIUM when set (and only it), else chromium on PATH, else /usr/bin/chromium."""
    chosen = os.environ.get("KG_CHROMIUM")
    candidates = [chosen] if chosen is not None else [shutil.which("chromium"), "/usr/bin/chromium"]
    return next((c for c in candidates if c and Path(c).is_file()), None)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed: pip install -e '.[test]'")
    path = _chromium()
    if path is None:
        _missing("chromium is not installed: run `make browser` (apt-get install chromium)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=path)
        yield chromium
        chromium.close()


@dataclass
class Opened:
    """A page opened from disk, with everything it did on the way."""

    page: Any
    url: str
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def console_errors(self) -> list[tuple[str, str]]:
        return [m for m in self.console if m[0] == "error"]


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[[Path], Opened]]:
    contexts = []

    def opener(path: Path) -> Opened:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(context)
        page = context.new_page()
        opened = Opened(page, path.resolve().as_uri())

        def route(r: Any) -> None:
            if r.request.url == opened.url:
                r.continue_()
            else:  # anything else would be the network (or another file): never allowed
                opened.blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("request", lambda r: opened.requests.append(r.url))
        page.on("console", lambda m: opened.console.append((m.type, m.text)))
        page.on("pageerror", lambda e: opened.errors.append(str(e)))

        def dialog(d: Any) -> None:
            opened.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)
        page.goto(opened.url)
        page.wait_for_function("window.kgView && window.kgView.ready", timeout=60_000)
        return opened

    yield opener
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def graph(examples_out: Path) -> Graph:
    return Graph().parse(examples_out / "graph.ttl")


@pytest.fixture(scope="module")
def examples_page(examples_out: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("view") / "graph.html"
    code, err = kg("view", str(examples_out), "-o", str(out), "--input", str(EXAMPLES))
    assert code == 0, err
    return out


def embedded(page: Path) -> dict[str, Any]:
    """The data of a page, read back from its <script type="application/json">."""
    html = page.read_text("utf-8")
    found = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S)
    assert found
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def node_count(graph: Graph) -> int:
    return len({s for cls in KINDS for s in graph.subjects(RDF.type, cls)})


def positions_by_speaker(graph: Graph) -> dict[str, list[tuple[str, str]]]:
    """Each speaker's positions as (position IRI, evidence exact), from the graph."""
    rows = graph.query(
        QUERY_PREFIXES
        + """PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?speaker ?pos ?exact WHERE {
          ?pos a kg:StatedPosition ; kg:speaker ?speaker ;
               kg:evidence/oa:hasSelector/oa:exact ?exact .
        }"""
    )
    found: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        found.setdefault(str(row.speaker), []).append((str(row.pos), str(row.exact)))  # type: ignore[union-attr]
    return found


def click_node(opened: Opened, iri: str) -> None:
    """A real mouse click on the node's centre on the canvas."""
    x, y = opened.page.evaluate(
        """iri => {
          const n = window.kgView.cy.getElementById(iri);
          const box = document.getElementById('graph').getBoundingClientRect();
          const p = n.renderedPosition();
          return [box.left + p.x, box.top + p.y];
        }""",
        iri,
    )
    opened.page.mouse.click(x, y)


# --- the page without a browser -------------------------------------------------------------


def test_the_page_is_self_contained(examples_page: Path) -> None:
    html = examples_page.read_text("utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)
    assert "cytoscape" in html and "Content-Security-Policy" in html
    assert (Path(view_module.__file__).parent / "assets" / "cytoscape.LICENSE").is_file()


def test_same_bytes_on_every_render(examples_out: Path, examples_page: Path) -> None:
    again = view_module.render(examples_out, [EXAMPLES])
    assert again.html == examples_page.read_bytes()
    assert not [p for p in examples_page.parent.iterdir() if p.name.startswith(".")]


def test_paragraphs_come_from_the_inputs(examples_page: Path) -> None:
    """With --input, each evidence is shown inside its paragraph of the article."""
    texts = {a.text for a in iter_inputs([EXAMPLES]) if isinstance(a, Article)}
    paragraphs = {p for t in texts for p in re.split(r"\r?\n[ \t\r\f\v]*\n", t)}
    data = embedded(examples_page)
    passages = [x for p in data["positions"] for x in p["passages"]]
    assert passages and all(x["whole"] for x in passages)
    for passage in passages:
        text = "".join(part[1] for part in passage["parts"])
        assert text in paragraphs
        assert any(kind == "mark" for kind, _ in passage["parts"])


def test_without_inputs_the_graph_snippet_is_shown(examples_out: Path, tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    code, err = kg("view", str(examples_out), "-o", str(out))
    assert code == 0
    assert "in paragraph   0 of" in err
    graph = Graph().parse(examples_out / "graph.ttl")
    data = embedded(out)
    for position in data["positions"]:
        for passage in position["passages"]:
            assert not passage["whole"]
            marked = [text for kind, text in passage["parts"] if kind == "mark"]
            assert len(marked) == 1
            assert (None, URIRef("http://www.w3.org/ns/oa#exact"), Literal(marked[0])) in graph


def test_a_long_paragraph_is_cut_around_its_evidence() -> None:
    words = " ".join(f"w{i}" for i in range(2000))
    text = words + " QUOTE HERE " + words
    start = text.index("QUOTE")
    span = Span("d", start, start + 10, "QUOTE HERE", "", "")
    passage = paragraph_passage(text, 0, len(text), [span])
    kinds = [kind for kind, _ in passage["parts"]]
    assert kinds == ["", "mark", ""] and passage["parts"][1][1] == "QUOTE HERE"
    assert passage["cutBefore"] and passage["cutAfter"]
    shown = "".join(t for _, t in passage["parts"])
    assert len(shown) < 2 * 700 + 20 and shown in text


def test_the_graph_snippet_stops_at_a_blank_line() -> None:
    span = Span("d", 40, 45, "Quote", "end of one.\n\nStart of two: ", " more\r\n\r\nNext")
    snippet = snippet_passage(span)
    assert snippet["parts"] == [["", "Start of two: "], ["mark", "Quote"], ["", " more"]]
    assert not snippet["cutBefore"] and not snippet["cutAfter"]


def test_a_missing_build_is_exit_code_2(tmp_path: Path) -> None:
    code, err = kg("view", str(tmp_path / "nowhere"))
    assert code == 2
    assert err.startswith("kg: ") and "graph.ttl" in err and err.count("\n") == 1


def test_an_unreadable_input_is_reported_and_the_page_still_written(
    examples_out: Path, tmp_path: Path
) -> None:
    out = tmp_path / "page.html"
    code, err = kg("view", str(examples_out), "-o", str(out), "-i", str(tmp_path / "gone.txt"))
    assert code == 2
    assert err.startswith("kg: ") and "gone.txt" in err.splitlines()[0]
    assert out.is_file()


def test_default_output_is_graph_html_in_the_build(examples_out: Path, tmp_path: Path) -> None:
    build_dir = tmp_path / "b"
    build_dir.mkdir()
    shutil.copy(examples_out / "graph.ttl", build_dir / "graph.ttl")
    code, _ = kg("view", str(build_dir))
    assert code == 0 and (build_dir / "graph.html").is_file()


# --- in Chromium ----------------------------------------------------------------------------


def test_loads_offline_without_errors(
    open_page: Callable[[Path], Opened], examples_page: Path
) -> None:
    opened = open_page(examples_page)
    assert opened.requests == [opened.url]
    assert opened.blocked == []
    assert opened.errors == []
    assert opened.console_errors() == []


def test_shows_every_person_organization_place_and_event(
    open_page: Callable[[Path], Opened], examples_page: Path, graph: Graph
) -> None:
    opened = open_page(examples_page)
    expected = node_count(graph)
    assert expected > 20
    assert opened.page.evaluate("window.kgView.cy.nodes().length") == expected
    assert opened.page.text_content("#search-status") == f"{expected} nodes"
    memberships = len(set(graph.subjects(RDF.type, KG.Membership)))
    drawn = opened.page.evaluate(
        "window.kgView.cy.edges('[kind = \"membership\"]').map(e => e.data('count'))"
    )
    assert sum(drawn) == memberships


def test_a_click_on_a_speaker_lists_their_positions(
    open_page: Callable[[Path], Opened], examples_page: Path, graph: Graph
) -> None:
    speakers = positions_by_speaker(graph)
    speaker = max(sorted(speakers), key=lambda s: len({p for p, _ in speakers[s]}))
    want = len({p for p, _ in speakers[speaker]})
    assert want >= 5
    opened = open_page(examples_page)
    click_node(opened, speaker)
    name = str(graph.value(URIRef(speaker), SKOS.prefLabel))
    assert opened.page.text_content("#details h2") == name
    items = opened.page.locator("#positions > li.position")
    assert items.count() == want
    marks = opened.page.locator("#positions mark").all_text_contents()
    for _, exact in speakers[speaker]:
        assert any(exact in mark for mark in marks), exact
    # The mark sits inside more text than itself: its paragraph.
    first = opened.page.locator("#positions blockquote.passage").first
    assert len(first.text_content() or "") > len(marks[0])
    assert opened.console_errors() == [] and opened.errors == []


def test_search_filters_nodes_by_name(
    open_page: Callable[[Path], Opened], examples_page: Path, graph: Graph
) -> None:
    query = "novak"
    labelled = {
        s
        for cls in KINDS
        for s in graph.subjects(RDF.type, cls)
        if any(
            query in str(label).lower()
            for p in (SKOS.prefLabel, SKOS.altLabel)
            for label in graph.objects(s, p)
        )
    }
    assert len(labelled) >= 2  # two different people share the surname
    opened = open_page(examples_page)
    opened.page.fill("#search", "Novak")
    visible = opened.page.evaluate("window.kgView.cy.nodes(':visible').map(n => n.id())")
    assert set(visible) == {str(s) for s in labelled}
    results = opened.page.locator("#results button").all_text_contents()
    assert sorted(results) == sorted(str(graph.value(s, SKOS.prefLabel)) for s in labelled)
    assert (
        opened.page.text_content("#search-status")
        == f"{len(labelled)} of {node_count(graph)} nodes match"
    )
    opened.page.locator("#results button").first.click()
    assert opened.page.text_content("#details h2") == results[0]
    opened.page.fill("#search", "")
    assert opened.page.evaluate("window.kgView.cy.nodes(':visible').length") == node_count(graph)


def test_hostile_text_is_shown_not_run(
    pipeline: Language,
    open_page: Callable[[Path], Opened],
    tmp_path: Path,
) -> None:
    """Names, quotes and file names from articles go into the page as text, never markup."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / HOSTILE_FILE).write_text(HOSTILE_ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    result = build([inputs], pipeline, out, DEFAULT_BASE)
    assert not result.errors
    graph = Graph().parse(out / "graph.ttl")
    # The extractor may name the speaker anything ("Petrova"); give them the hostile name.
    quoted = [p for p, text in graph.subject_objects(KG.proposition) if "alert(2)" in text]
    assert quoted, "the quotation with </script> in it was not extracted"
    person = graph.value(quoted[0], KG.speaker)
    assert isinstance(person, URIRef)
    graph.set((person, SKOS.prefLabel, Literal(HOSTILE_NAME)))
    graph.add((person, SKOS.altLabel, Literal(HOSTILE_ALIAS)))
    graph.serialize(out / "graph.ttl", format="turtle")
    page = tmp_path / "hostile.html"
    code, err = kg("view", str(out), "-o", str(page), "--input", str(inputs))
    assert code == 0, err

    html = page.read_bytes()
    for raw in (HOSTILE_NAME, "<img src=x", "<script>alert(2)", "<b>bloggers", "\u2028"):
        assert raw.encode() not in html
    assert html.count(b"</script>") == 3  # the data, cytoscape and the page script

    opened = open_page(page)
    assert opened.dialogs == []
    assert opened.errors == [] and opened.console_errors() == []
    assert (
        opened.page.evaluate("document.querySelectorAll('img, b, script:not([type])').length") == 2
    )
    click_node(opened, str(person))
    assert opened.page.text_content("#details h2") == HOSTILE_NAME
    assert HOSTILE_ALIAS in (opened.page.text_content("#details .aliases") or "")
    details = opened.page.text_content("#details") or ""
    assert "</script><script>alert(2)</script>" in details
    assert HOSTILE_FILE in details
    assert (
        opened.page.evaluate(
            "document.querySelectorAll("
            "'#details *:not(div, h2, h3, ul, li, blockquote, mark, span)').length"
        )
        == 0
    )
    assert opened.dialogs == [] and opened.requests == [opened.url]
