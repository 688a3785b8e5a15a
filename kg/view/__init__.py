"""``kg view``: a build's graph as one self-contained HTML page (no network, no CDN).

The page draws people, organizations, places and events as nodes; memberships,
nationalities, sub-organizations and event places as edges, and positions as edges from
the speaker to what they address, are about or were stated at, one edge per speaker and
target with a count. A search box filters nodes by name; a click on a node lists its
memberships and positions with the evidence marked inside its paragraph.

:func:`render` reads the build's graph.ttl (:mod:`kg.view.index`), turns it and the
build's inputs, when given, into the page's data (:mod:`kg.view.data`, the evidence
passages in :mod:`kg.view.passages`) and fills the page with it (:mod:`kg.view.page`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.ingest import iter_inputs
from kg.model import Article
from kg.view.data import page_data
from kg.view.index import GRAPH_FILE, read_index
from kg.view.page import page_html
from kg.write.files import atomic_write

__all__ = ["GRAPH_FILE", "View", "render", "write_view"]


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


def render(build_dir: Path, inputs: Sequence[Path] = ()) -> View:
    """The page of the build in ``build_dir``; ``inputs`` (its input files) give paragraphs."""
    graph = read_index(build_dir)
    articles, errors = _read_inputs(inputs) if inputs else ([], [])
    data, whole, total = page_data(graph, articles)
    return View(
        html=page_html(data),
        nodes=len(data["nodes"]),
        edges=len(data["edges"]),
        positions=len(data["positions"]),
        evidence_in_paragraph=whole,
        evidence=total,
        errors=tuple(errors),
    )


def write_view(build_dir: Path, out: Path, inputs: Sequence[Path] = ()) -> View:
    """Render the page of ``build_dir`` and write it to ``out``, whole or not at all."""
    view = render(build_dir, inputs)
    atomic_write(out, view.html)
    return view


def _read_inputs(inputs: Sequence[Path]) -> tuple[list[Article], list[InputError]]:
    """The articles of ``inputs``, and the inputs that could not be read."""
    articles: list[Article] = []
    errors: list[InputError] = []
    for item in iter_inputs(inputs):
        if isinstance(item, InputError):
            errors.append(item)
        else:
            articles.append(item)
    return articles, errors
