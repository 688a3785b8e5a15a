"""``kg view``: a build's graph as one self-contained HTML page (no network, no CDN).

The page draws people, organizations, places and events as nodes; memberships,
nationalities, sub-organizations and event places as edges, and positions as edges from
the speaker to what they address, are about or were stated at, one edge per speaker and
target with a count. A search box filters nodes by name; a click on a node lists its
memberships and positions with the evidence marked inside its paragraph.

The graph holds no full texts, only each evidence span with 32 characters either side
(``oa:prefix``/``oa:suffix``). Given the build's inputs (``inputs``), the page shows
the whole paragraph around each evidence (up to blank lines; a document is matched by
``kg:contentSha256``, an evidence only when the text at its offsets is its ``oa:exact``);
otherwise prefix, evidence and suffix, cut at a blank line.

Safety: article text is hostile. The data goes into ``<script type="application/json">``
with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped, the page script inserts it with
``textContent`` only, and a Content-Security-Policy lets only the two shipped scripts run
(by hash) and the page load nothing.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import pyoxigraph

from kg.errors import InputError, KgError
from kg.graph.vocab import DCTERMS, KG, OA, ORG, RDF, SCHEMA, SKOS
from kg.ingest import iter_inputs
from kg.model import Article
from kg.write.files import atomic_write

__all__ = ["GRAPH_FILE", "View", "render", "write_view"]

GRAPH_FILE = "graph.ttl"
_KINDS = (
    ("person", str(KG.Person)),
    ("organization", str(KG.Organization)),
    ("place", str(KG.Place)),
    ("event", str(KG.Event)),
)
_BLANK_LINE = re.compile(r"\r?\n[ \t\r\f\v]*\n")
# A paragraph longer than this is cut around its evidence, at a space.
_MAX_PARAGRAPH = 2400
_AROUND = 700
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028"}
_JSON_ESCAPES["\u2029"] = "\\u2029"
_PLACEHOLDER = re.compile(r"\{\{([A-Z]+)\}\}")


@dataclass(frozen=True)
class View:
    """A rendered page and what it shows."""

    html: bytes
    nodes: int
    edges: int
    positions: int
    evidence_in_paragraph: int  # evidence shown inside its whole paragraph, from the inputs
    evidence: int
    errors: tuple[InputError, ...] = field(default=())


# --- reading the graph --------------------------------------------------------------------


class _Graph:
    """The triples of graph.ttl by subject: IRIs and literal strings apart, for lookups."""

    def __init__(self) -> None:
        self.links: defaultdict[str, defaultdict[str, list[str]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.texts: defaultdict[str, defaultdict[str, list[str]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.typed: defaultdict[str, list[str]] = defaultdict(list)

    def add(self, s: str, p: str, o: Any) -> None:
        if isinstance(o, pyoxigraph.NamedNode):
            if p == _RDF_TYPE:
                self.typed[o.value].append(s)
            self.links[s][p].append(o.value)
        elif isinstance(o, pyoxigraph.Literal):
            self.texts[s][p].append(o.value)

    def iris(self, s: str, p: Any) -> list[str]:
        return sorted(set(self.links[s].get(str(p), ())))

    def iri(self, s: str, p: Any) -> str | None:
        found = self.iris(s, p)
        return found[0] if found else None

    def text(self, s: str, p: Any) -> str | None:
        """A single-valued literal; the least one if a graph holds several."""
        found = self.texts[s].get(str(p))
        return min(found) if found else None


_RDF_TYPE = str(RDF.type)


def _read_graph(build_dir: Path) -> _Graph:
    path = build_dir / GRAPH_FILE
    if not path.is_file():
        raise KgError(
            f"{path}: no such file; give the folder of a build (kg build INPUT... -o DIR)"
        )
    graph = _Graph()
    try:
        for triple in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE):
            if isinstance(triple.subject, pyoxigraph.NamedNode):
                graph.add(triple.subject.value, triple.predicate.value, triple.object)
    except (SyntaxError, OSError, ValueError) as exc:
        why = " ".join(str(exc).split())
        raise KgError(
            f"{path}: cannot be read as Turtle ({why}); rebuild it with kg build"
        ) from exc
    return graph


# --- the data the page shows --------------------------------------------------------------


def _local(iri: str | None) -> str | None:
    """The name after '#' or the last '/': what a user reads for kg:Assert, kg:Favor."""
    if iri is None:
        return None
    return re.split(r"[#/]", iri)[-1] or iri


def _nodes(graph: _Graph) -> list[dict[str, Any]]:
    kind_of: dict[str, str] = {}
    for kind, cls in reversed(_KINDS):  # the first kind listed wins for a node typed twice
        for iri in graph.typed.get(cls, ()):
            kind_of[iri] = kind
    nodes = []
    for iri, kind in kind_of.items():
        nodes.append(
            {
                "id": iri,
                "kind": kind,
                "label": graph.text(iri, SKOS.prefLabel) or _local(iri),
                "aliases": sorted(set(graph.texts[iri].get(str(SKOS.altLabel), ()))),
            }
        )
    nodes.sort(key=lambda n: (n["label"], n["id"]))
    return nodes


@dataclass(frozen=True)
class _Span:
    """One evidence span: where it is and what the graph says it covers."""

    document: str
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def _spans(graph: _Graph, evidence: Iterable[str]) -> list[_Span]:
    spans = []
    for iri in evidence:
        document = graph.iri(iri, OA.hasSource)
        start = end = None
        exact = prefix = suffix = ""
        for selector in graph.iris(iri, OA.hasSelector):
            offsets = graph.text(selector, OA.start), graph.text(selector, OA.end)
            if all(v is not None and v.isdigit() for v in offsets):
                start, end = int(offsets[0] or 0), int(offsets[1] or 0)
            exact = graph.text(selector, OA.exact) or exact
            prefix = graph.text(selector, OA.prefix) or prefix
            suffix = graph.text(selector, OA.suffix) or suffix
        if document is not None and start is not None and end is not None:
            spans.append(_Span(document, start, end, exact, prefix, suffix))
    spans.sort(key=lambda s: (s.document, s.start, s.end))
    return spans


class _Texts:
    """Document texts from the build's inputs, by document IRI, with their blank lines."""

    def __init__(self, graph: _Graph, articles: Iterable[Article]) -> None:
        by_sha = {a.sha256: a.text for a in articles}
        self.text: dict[str, str] = {}
        # Where each blank line starts and ends, in order, for bisection.
        self.breaks: dict[str, tuple[list[int], list[int]]] = {}
        for document in graph.typed.get(str(KG.SourceDocument), ()):
            sha = graph.text(document, KG.contentSha256)
            if sha in by_sha:
                text = by_sha[sha]
                self.text[document] = text
                spans = [m.span() for m in _BLANK_LINE.finditer(text)]
                self.breaks[document] = ([b[0] for b in spans], [b[1] for b in spans])

    def paragraph(self, span: _Span) -> tuple[int, int] | None:
        """The paragraph(s) holding ``span``, or None when the text does not hold it."""
        text = self.text.get(span.document)
        if text is None or text[span.start : span.end] != span.exact:
            return None
        starts, ends = self.breaks[span.document]
        i = bisect.bisect_right(ends, span.start)  # blank lines that end before the span
        begin = ends[i - 1] if i else 0
        j = bisect.bisect_left(starts, span.end)  # the first blank line after it
        stop = starts[j] if j < len(starts) else len(text)
        return begin, stop


def _contexts(spans: list[_Span], texts: _Texts) -> tuple[list[dict[str, Any]], int]:
    """The passages to show for a position's evidence, each as plain and marked parts."""
    passages: list[dict[str, Any]] = []
    whole = 0
    grouped: dict[tuple[str, int, int], list[_Span]] = {}
    for span in spans:
        bounds = texts.paragraph(span)
        if bounds is None:
            passages.append(_snippet(span))
            continue
        whole += 1
        grouped.setdefault((span.document, *bounds), []).append(span)
    for (document, begin, stop), group in grouped.items():
        passages.append(_passage(texts.text[document], begin, stop, group))
    return passages, whole


def _passage(text: str, begin: int, stop: int, spans: list[_Span]) -> dict[str, Any]:
    """A paragraph with its evidence marked; a very long one cut around the evidence."""
    cut_before = cut_after = False
    first, last = min(s.start for s in spans), max(s.end for s in spans)
    if stop - begin > _MAX_PARAGRAPH:
        if first - begin > _AROUND:
            space = text.find(" ", first - _AROUND, first)
            begin, cut_before = (space + 1 if space >= 0 else first - _AROUND), True
        if stop - last > _AROUND:
            space = text.rfind(" ", last, last + _AROUND)
            stop, cut_after = (space if space >= 0 else last + _AROUND), True
    marks: list[list[int]] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if marks and span.start <= marks[-1][1]:
            marks[-1][1] = max(marks[-1][1], span.end)
        else:
            marks.append([span.start, span.end])
    parts, at = [], begin
    for start, end in marks:
        if start > at:
            parts.append(["", text[at:start]])
        parts.append(["mark", text[start:end]])
        at = end
    if stop > at:
        parts.append(["", text[at:stop]])
    return {"parts": parts, "cutBefore": cut_before, "cutAfter": cut_after, "whole": True}


def _snippet(span: _Span) -> dict[str, Any]:
    """Prefix, evidence and suffix from the graph, cut where a blank line ends a paragraph."""
    before = _BLANK_LINE.split(span.prefix)
    after = _BLANK_LINE.split(span.suffix)
    parts = [["", before[-1]], ["mark", span.exact], ["", after[0]]]
    return {
        "parts": [p for p in parts if p[1]],
        "cutBefore": len(before) == 1,
        "cutAfter": len(after) == 1,
        "whole": False,
    }


def _documents(graph: _Graph) -> dict[str, dict[str, str | None]]:
    return {
        iri: {
            "identifier": graph.text(iri, DCTERMS.identifier),
            "title": graph.text(iri, DCTERMS.title),
        }
        for iri in sorted(graph.typed.get(str(KG.SourceDocument), ()))
    }


def _positions(graph: _Graph, texts: _Texts) -> tuple[list[dict[str, Any]], int, int]:
    positions, whole, total = [], 0, 0
    for iri in sorted(set(graph.typed.get(str(KG.StatedPosition), ()))):
        speaker = graph.iri(iri, KG.speaker)
        if speaker is None:
            continue
        spans = _spans(graph, graph.iris(iri, KG.evidence))
        passages, in_paragraph = _contexts(spans, texts)
        whole, total = whole + in_paragraph, total + len(spans)
        positions.append(
            {
                "id": iri,
                "speaker": speaker,
                "proposition": graph.text(iri, KG.proposition),
                "direct": graph.text(iri, KG.isDirect) in ("true", "1"),
                "cue": graph.text(iri, KG.cue),
                "speechAct": _local(graph.iri(iri, KG.speechAct)),
                "stance": _local(graph.iri(iri, KG.stance)),
                "addressee": graph.iris(iri, KG.addressee),
                "about": graph.iris(iri, KG.about),
                "statedAt": graph.iris(iri, KG.statedAt),
                "document": graph.iri(iri, KG.appearsIn),
                "start": spans[0].start if spans else -1,
                "passages": passages,
            }
        )
    positions.sort(key=lambda p: (p["speaker"], p["document"] or "", p["start"], p["id"]))
    return positions, whole, total


def _memberships(graph: _Graph) -> list[dict[str, Any]]:
    found = []
    for iri in sorted(set(graph.typed.get(str(KG.Membership), ()))):
        member, organization = graph.iri(iri, ORG.member), graph.iri(iri, ORG.organization)
        if member is None or organization is None:
            continue
        role = graph.iri(iri, ORG.role)
        spans = _spans(graph, graph.iris(iri, KG.evidence))
        found.append(
            {
                "id": iri,
                "member": member,
                "organization": organization,
                "role": graph.text(role, SKOS.prefLabel) if role else None,
                "roleText": graph.text(iri, KG.roleText),
                "former": graph.text(iri, KG.isFormer) in ("true", "1"),
                "document": spans[0].document if spans else None,
            }
        )
    found.sort(key=lambda m: (m["member"], m["document"] or "", m["id"]))
    return found


def _edges(
    graph: _Graph,
    nodes: list[dict[str, Any]],
    positions: list[dict[str, Any]],
    memberships: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """One edge per source, target and kind, with how many statements it stands for."""
    known = {n["id"] for n in nodes}
    counts: defaultdict[tuple[str, str, str], int] = defaultdict(int)
    for m in memberships:
        counts[(m["member"], m["organization"], "membership")] += 1
    for p in positions:
        for kind in ("addressee", "about", "statedAt"):
            for target in p[kind]:
                counts[(p["speaker"], target, kind)] += 1
    for node in nodes:
        for kind, prop in (
            ("nationality", SCHEMA.nationality),
            ("partOf", ORG.subOrganizationOf),
            ("place", KG.place),
        ):
            for target in graph.iris(node["id"], prop):
                counts[(node["id"], target, kind)] += 1
    edges = []
    for (source, target, kind), count in sorted(counts.items()):
        if source in known and target in known and source != target:
            edges.append({"source": source, "target": target, "kind": kind, "count": count})
    for i, edge in enumerate(edges):
        edge["id"] = f"e{i}"
    return edges


# --- the page -----------------------------------------------------------------------------


def _asset(name: str) -> str:
    return (files("kg.view") / "assets" / name).read_text(encoding="utf-8")


def _json_for_script(data: Any) -> str:
    """JSON that cannot end its <script> element or break a JS parser: <, >, & escaped."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text)


def _script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


def _page(data: dict[str, Any]) -> bytes:
    library, app = _asset("cytoscape.min.js"), _asset("view.js")
    csp = (
        "default-src 'none'; "
        f"script-src {_script_hash(library)} {_script_hash(app)}; "
        # cytoscape adds a <style> element of its own, so inline styles stay allowed.
        "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
    )
    parts = {
        "CSP": csp,
        "STYLE": _asset("view.css"),
        "DATA": _json_for_script(data),
        "LIBRARY": library,
        "APP": app,
    }
    # One pass: text put in is never scanned again, so data cannot name a placeholder.
    page = _PLACEHOLDER.sub(lambda m: parts[m.group(1)], _asset("view.html"))
    return page.encode("utf-8")


def _read_inputs(inputs: Sequence[Path]) -> tuple[list[Article], list[InputError]]:
    articles: list[Article] = []
    errors: list[InputError] = []
    for item in iter_inputs(inputs):
        if isinstance(item, InputError):
            errors.append(item)
        else:
            articles.append(item)
    return articles, errors


def render(build_dir: Path, inputs: Sequence[Path] = ()) -> View:
    """The page of the build in ``build_dir``; ``inputs`` (its input files) give paragraphs."""
    graph = _read_graph(build_dir)
    articles, errors = _read_inputs(inputs) if inputs else ([], [])
    texts = _Texts(graph, articles)
    nodes = _nodes(graph)
    positions, whole, total = _positions(graph, texts)
    memberships = _memberships(graph)
    edges = _edges(graph, nodes, positions, memberships)
    data = {
        "nodes": nodes,
        "edges": edges,
        "positions": positions,
        "memberships": memberships,
        "documents": _documents(graph),
    }
    return View(_page(data), len(nodes), len(edges), len(positions), whole, total, tuple(errors))


def write_view(build_dir: Path, out: Path, inputs: Sequence[Path] = ()) -> View:
    """Render the page of ``build_dir`` and write it to ``out``, whole or not at all."""
    view = render(build_dir, inputs)
    atomic_write(out, view.html)
    return view
