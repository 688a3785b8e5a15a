"""The build's own writers, driven on given document graphs.

A build writes its files from the parts of its documents: each document graph is
rendered apart (:func:`kg.write.render.render`) and the parts are merged by an
:class:`kg.write.assemble.Assembler` into the six files. :func:`write` goes that same way
for graphs a test made, so a test of a format reads what a build would write. It is not
a writer of whole graphs: nothing here turns RDF into text.

The order the documents come in, where the assembler cuts its runs (``run_bytes``) and
which subjects count as shared by several documents are choices of the caller; none of
them may change the bytes written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.term import Node

from kg import resources
from kg.write.assemble import FILES, RUN_BYTES, Assembler
from kg.write.jsonld import JsonLdContext
from kg.write.render import render

__all__ = ["FILES", "Written", "everything", "shared_across", "write"]

Shared = Callable[[Node], bool]


def everything(node: Node) -> bool:
    """Any subject may be described by several of the given graphs: all are shared."""
    return True


def shared_across(graphs: Mapping[URIRef, Graph]) -> Shared:
    """Shared only what more than one graph describes, as a build shares its entities.

    Every other subject is then written by its one document (its Turtle block and JSON-LD
    node go through the assembler's runs) rather than once at the end.
    """
    seen: dict[Node, int] = {}
    for g in graphs.values():
        for s in set(g.subjects()):
            seen[s] = seen.get(s, 0) + 1
    shared = frozenset(s for s, n in seen.items() if n > 1)
    return shared.__contains__


@dataclass(frozen=True)
class Written:
    """The six files of one build, by name, in the order the assembler wrote them."""

    paths: list[Path]
    spilled: int  # files the assembler had spilled to disk before it wrote

    def __getitem__(self, name: str) -> bytes:
        return self.path(name).read_bytes()

    def path(self, name: str) -> Path:
        (found,) = [p for p in self.paths if p.name == name]
        return found

    def files(self) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in self.paths}


def write(
    out_dir: Path,
    graphs: Mapping[URIRef, Graph],
    context: dict[str, Any] | None = None,
    *,
    report: bytes = b"",
    run_bytes: int = RUN_BYTES,
    order: Iterable[URIRef] | None = None,
    shared: Shared = everything,
) -> Written:
    """Write the six files of a build of ``graphs`` into ``out_dir``.

    ``context`` is the JSON-LD context (the shipped one by default), ``report`` the bytes
    of validation.ttl. The documents are rendered and added in ``order`` (their IRIs'
    order by default); every one is rendered before anything is written, as a build does,
    so a graph that cannot be written leaves no file new. The runs the assembler spills
    go into a temporary folder of their own, which must be empty once the assembler is
    closed.
    """
    context = resources.context() if context is None else context
    names = sorted(graphs, key=str) if order is None else list(order)
    assert sorted(names) == sorted(graphs), "order must name each graph once"
    with tempfile.TemporaryDirectory(prefix="runs-") as spill:
        ctx = JsonLdContext(context)
        with Assembler(context, Path(spill), run_bytes=run_bytes) as assembler:
            for name in names:
                assembler.add(render(name, list(graphs[name]), ctx, shared))
            spilled = sum(len(files) for _, _, files in os.walk(spill))
            paths, _ = assembler.write(out_dir, report)
        assert not os.listdir(spill), "the assembler left its runs behind"
    return Written(paths, spilled)
