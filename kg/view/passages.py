"""Evidence passages for the page: its paragraph of the article, or the graph's snippet.

The graph holds no full texts, only each evidence span with 32 characters either side
(``oa:prefix``/``oa:suffix``). Given the build's inputs, the page shows the whole
paragraph around each evidence (up to blank lines; a document is matched by
``kg:contentSha256``, an evidence only when the text at its offsets is its ``oa:exact``);
otherwise prefix, evidence and suffix, cut at a blank line. A passage is a list of
``[kind, text]`` parts, ``"mark"`` for the evidence and ``""`` for the text around it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kg.graph.vocab import KG, OA
from kg.model import Article
from kg.view.index import Index

__all__ = ["Span", "Texts", "contexts", "paragraph_passage", "snippet_passage", "spans"]

_BLANK_LINE = re.compile(r"\r?\n[ \t\r\f\v]*\n")
# A paragraph longer than this is cut around its evidence, at a space.
_MAX_PARAGRAPH = 2400
_AROUND = 700


@dataclass(frozen=True)
class Span:
    """One evidence span: where it is and what the graph says it covers."""

    document: str
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def spans(graph: Index, evidence: Iterable[str]) -> list[Span]:
    """The spans of the ``evidence`` IRIs that have a document and offsets, in text order."""
    found = []
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
            found.append(Span(document, start, end, exact, prefix, suffix))
    found.sort(key=lambda s: (s.document, s.start, s.end))
    return found


class Texts:
    """Document texts from the build's inputs, by document IRI, with their blank lines."""

    def __init__(self, graph: Index, articles: Iterable[Article]) -> None:
        by_sha = {a.sha256: a.text for a in articles}
        self.text: dict[str, str] = {}
        # Where each blank line starts and ends, in order, for bisection.
        self.breaks: dict[str, tuple[list[int], list[int]]] = {}
        for document in graph.typed.get(str(KG.SourceDocument), ()):
            sha = graph.text(document, KG.contentSha256)
            if sha in by_sha:
                text = by_sha[sha]
                self.text[document] = text
                blanks = [m.span() for m in _BLANK_LINE.finditer(text)]
                self.breaks[document] = ([b[0] for b in blanks], [b[1] for b in blanks])

    def paragraph(self, span: Span) -> tuple[int, int] | None:
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


def contexts(found: list[Span], texts: Texts) -> tuple[list[dict[str, Any]], int]:
    """The passages to show for a position's evidence, and how many spans are in a paragraph.

    Spans in the same paragraph share one passage, so a paragraph is shown once with all
    its evidence marked.
    """
    passages: list[dict[str, Any]] = []
    whole = 0
    grouped: dict[tuple[str, int, int], list[Span]] = {}
    for span in found:
        bounds = texts.paragraph(span)
        if bounds is None:
            passages.append(snippet_passage(span))
            continue
        whole += 1
        grouped.setdefault((span.document, *bounds), []).append(span)
    for (document, begin, stop), group in grouped.items():
        passages.append(paragraph_passage(texts.text[document], begin, stop, group))
    return passages, whole


def paragraph_passage(text: str, begin: int, stop: int, marked: list[Span]) -> dict[str, Any]:
    """A paragraph with its evidence marked; a very long one cut around the evidence."""
    cut_before = cut_after = False
    first, last = min(s.start for s in marked), max(s.end for s in marked)
    if stop - begin > _MAX_PARAGRAPH:
        if first - begin > _AROUND:
            space = text.find(" ", first - _AROUND, first)
            begin, cut_before = (space + 1 if space >= 0 else first - _AROUND), True
        if stop - last > _AROUND:
            space = text.rfind(" ", last, last + _AROUND)
            stop, cut_after = (space if space >= 0 else last + _AROUND), True
    parts, at = [], begin
    for start, end in _merged(marked):
        if start > at:
            parts.append(["", text[at:start]])
        parts.append(["mark", text[start:end]])
        at = end
    if stop > at:
        parts.append(["", text[at:stop]])
    return {"parts": parts, "cutBefore": cut_before, "cutAfter": cut_after, "whole": True}


def _merged(marked: list[Span]) -> list[list[int]]:
    """The spans' [start, end] in order, overlapping or touching ones merged into one mark."""
    marks: list[list[int]] = []
    for span in sorted(marked, key=lambda s: (s.start, s.end)):
        if marks and span.start <= marks[-1][1]:
            marks[-1][1] = max(marks[-1][1], span.end)
        else:
            marks.append([span.start, span.end])
    return marks


def snippet_passage(span: Span) -> dict[str, Any]:
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
