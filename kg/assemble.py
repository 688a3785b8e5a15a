"""The files of a build, merged from the parts of its documents in bounded memory.

:class:`Assembler` takes :class:`kg.render.DocParts` in any order. It keeps a run of them
in memory, merging the subjects several documents describe, and when the run grows past
``run_bytes`` writes it, sorted, to a spill folder. :meth:`Assembler.write` then merges
the runs (a k-way merge, one pass, nothing re-rendered but the merged subjects) into
graph.ttl, graph.jsonld, graph.trig, graph.nq and people.json, and writes validation.ttl;
every file is written whole or not at all, all of them or none (:func:`kg.export.write_files`).

The bytes do not depend on the order the parts arrive in nor on where runs were cut:
every file is sorted, and merging is a union. Memory is bounded by ``run_bytes`` and by
what is kept for all documents: the findings and the cross-document triples
(:mod:`kg.render`), and a key per person.
"""

from __future__ import annotations

import heapq
import itertools
import pickle
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from kg import people as people_module
from kg.export import write_files
from kg.people import PersonPart
from kg.render import DocParts, NodePart, SubjectPart, jsonld_chunks, node_text
from kg.shacl import Finding
from kg.syntax import JsonLdContext, merge_nodes, merge_predicates, prefix_header, turtle_block

__all__ = ["FILES", "Assembler"]

FILES = ("graph.ttl", "graph.jsonld", "graph.trig", "graph.nq", "validation.ttl", "people.json")
RUN_BYTES = 192 * 1024 * 1024  # of rendered text held before a run is spilled
_CHUNK = 2000  # items per pickle in a spilled run

T = TypeVar("T")
Triple = tuple[Any, Any, Any]


class AssemblyError(ValueError):
    """Two documents describe a subject that only one may: the graphs are not per document."""


@dataclass
class _Run:
    """Parts held in memory: lines, TriG graphs, own subjects and nodes, merged shared ones."""

    nquads: list[str] = field(default_factory=list)
    trig: list[tuple[str, str]] = field(default_factory=list)
    blocks: list[tuple[str, str]] = field(default_factory=list)
    nodes: list[tuple[str, str]] = field(default_factory=list)
    shared_subjects: dict[str, SubjectPart] = field(default_factory=dict)
    shared_nodes: dict[str, NodePart] = field(default_factory=dict)
    people: dict[str, PersonPart] = field(default_factory=dict)
    size: int = 0

    def subjects(self) -> list[tuple[str, str, SubjectPart | None]]:
        """(key, block, parsed shared subject or None), sorted by key."""
        own = [(k, b, None) for k, b in sorted(self.blocks)]
        shared = [(k, "", p) for k, p in sorted(self.shared_subjects.items())]
        return list(heapq.merge(own, shared, key=lambda x: x[0]))

    def json_nodes(self) -> list[tuple[str, str, NodePart | None]]:
        own = [(k, t, None) for k, t in sorted(self.nodes)]
        shared = [(k, "", p) for k, p in sorted(self.shared_nodes.items())]
        return list(heapq.merge(own, shared, key=lambda x: x[0]))


class Assembler:
    """Collects document parts; writes the build's files from them."""

    def __init__(
        self, context: dict[str, Any], spill: Path | None = None, run_bytes: int = RUN_BYTES
    ) -> None:
        self.context = JsonLdContext(context)
        self._spill_root = spill
        self._spill: Path | None = None
        self._runs: list[Path] = []
        self._run = _Run()
        self.run_bytes = run_bytes
        self.turtle_prefixes: set[str] = set()
        self.trig_prefixes: set[str] = set()
        self.counts: Counter[str] = Counter()  # own subjects; shared ones when written
        self.findings: list[Finding] = []
        self.shared: set[str] = set()  # encoded triples (kg.render.encode_triple)
        self.documents = 0
        self.triples = 0

    # -- collecting --------------------------------------------------------------------

    def add(self, parts: DocParts) -> None:
        run = self._run
        self.documents += 1
        self.triples += parts.triples
        self.turtle_prefixes |= parts.turtle_prefixes
        self.trig_prefixes |= parts.trig_prefixes
        self.counts.update(parts.counts)
        self.findings.extend(parts.findings)
        self.shared.update(parts.shared)
        run.nquads.extend(parts.nquads)
        if parts.trig:
            run.trig.append((parts.name, parts.trig))
        run.blocks.extend(parts.blocks)
        run.nodes.extend(parts.nodes)
        for subject in parts.shared_subjects:
            found = run.shared_subjects.get(subject.key)
            run.shared_subjects[subject.key] = (
                subject if found is None else _merge_subjects([found, subject])
            )
        for node in parts.shared_nodes:
            other = run.shared_nodes.get(node.key)
            run.shared_nodes[node.key] = node if other is None else self._merge_nodes([other, node])
        for person in parts.people:
            other_person = run.people.get(person.id)
            run.people[person.id] = (
                person if other_person is None else people_module.merge([other_person, person])
            )
        run.size += (
            sum(map(len, parts.nquads))
            + 2 * len(parts.trig)
            + sum(len(t) for _, t in parts.nodes)
            + sum(len(e[2]) for p in parts.people for e in p.positions + p.memberships)
        )
        if run.size > self.run_bytes:
            self._spill_run()

    def _merge_nodes(self, parts: list[NodePart]) -> NodePart:
        merged = merge_nodes(part.node for part in parts)
        return NodePart(parts[0].key, parts[0].subject, merged)

    def _spill_run(self) -> None:
        run = self._run
        if self._spill is None:
            self._spill = Path(tempfile.mkdtemp(prefix=".kg-runs-", dir=self._spill_root))
        path = self._spill / f"run-{len(self._runs):05d}"
        with open(path.with_suffix(".nq"), "w", encoding="utf-8") as file:
            file.writelines(sorted(run.nquads))
        _dump(path.with_suffix(".trig"), sorted(run.trig))
        _dump(path.with_suffix(".ttl"), run.subjects())
        _dump(path.with_suffix(".jsonld"), run.json_nodes())
        _dump(path.with_suffix(".people"), [run.people[k] for k in sorted(run.people)])
        self._runs.append(path)
        self._run = _Run()

    def close(self) -> None:
        """Remove the spill folder (also done by :meth:`write`)."""
        if self._spill is not None:
            shutil.rmtree(self._spill, ignore_errors=True)
            self._spill = None

    # -- merging ------------------------------------------------------------------------

    def _streams(self, suffix: str, memory: list[T]) -> list[Iterator[T]]:
        streams: list[Iterator[T]] = [_load(path.with_suffix(suffix)) for path in self._runs]
        streams.append(iter(memory))
        return streams

    def nquads(self) -> Iterator[str]:
        run = self._run
        streams: list[Iterator[str]] = [_lines(path.with_suffix(".nq")) for path in self._runs]
        streams.append(iter(sorted(run.nquads)))
        return heapq.merge(*streams)

    def trig(self) -> Iterator[str]:
        header = prefix_header(self.trig_prefixes)
        if header:
            yield header
        merged = heapq.merge(*self._streams(".trig", sorted(self._run.trig)))
        for _, text in merged:
            yield text

    def subjects(self) -> Iterator[tuple[str, SubjectPart | None]]:
        """Each subject's block once, merged across runs; the parsed form when shared."""
        merged = heapq.merge(*self._streams(".ttl", self._run.subjects()), key=lambda x: x[0])
        for key, group in itertools.groupby(merged, key=lambda x: x[0]):
            items = list(group)
            if len(items) == 1 and items[0][2] is None:
                yield items[0][1], None
                continue
            shared = [part for _, _, part in items if part is not None]
            if len(shared) != len(items):
                raise AssemblyError(f"two documents describe {key}, which is not shared")
            part = _merge_subjects(shared) if len(shared) > 1 else shared[0]
            yield turtle_block(part.term, part.predicates), part

    def turtle(self) -> Iterator[str]:
        """graph.ttl in pieces; counts the shared subjects' classes on the way."""
        header = prefix_header(self.turtle_prefixes)
        first = not header
        if header:
            yield header
        for block, part in self.subjects():
            if part is not None:
                self.counts.update(part.types)
            yield block if first else "\n" + block
            first = False

    def jsonld(self) -> Iterator[str]:
        merged = heapq.merge(*self._streams(".jsonld", self._run.json_nodes()), key=lambda x: x[0])

        def texts() -> Iterator[str]:
            for key, group in itertools.groupby(merged, key=lambda x: x[0]):
                items = list(group)
                if len(items) == 1 and items[0][2] is None:
                    yield items[0][1]
                    continue
                shared = [part for _, _, part in items if part is not None]
                if len(shared) != len(items):
                    raise AssemblyError(f"two documents describe {key}, which is not shared")
                part = self._merge_nodes(shared) if len(shared) > 1 else shared[0]
                yield node_text(self.context, part.subject, part.node)

        return iter(jsonld_chunks(self.context, texts()))

    def people(self) -> Iterator[str]:
        """people.json in pieces: persons merged by IRI, then ordered by name and IRI."""
        run = self._run
        memory = [run.people[k] for k in sorted(run.people)]
        merged = heapq.merge(*self._streams(".people", memory), key=lambda p: p.id)
        persons = (people_module.merge(g) for _, g in itertools.groupby(merged, key=lambda p: p.id))
        if not self._runs:
            ordered = sorted(persons, key=lambda p: (p.name or "", p.id))
            return people_module.document(people_module.person_text(p) for p in ordered)
        return people_module.document(self._ordered_people(persons))

    def _ordered_people(self, persons: Iterable[PersonPart]) -> Iterator[str]:
        """Person texts in (name, IRI) order, through a file: they may not fit in memory."""
        assert self._spill is not None
        path = self._spill / "people.txt"
        index = []
        with open(path, "wb") as file:
            for person in persons:
                data = people_module.person_text(person).encode()
                index.append(((person.name or "", person.id), file.tell(), len(data)))
                file.write(data)
        index.sort()
        with open(path, "rb") as file:
            for _, offset, length in index:
                file.seek(offset)
                yield file.read(length).decode()

    def write(self, out_dir: Path | None, report: bytes) -> tuple[list[Path], Counter[str]]:
        """Write the six files into ``out_dir`` (or only count, without it); the spill goes."""
        try:
            if out_dir is None:
                for _ in self.turtle():
                    pass
                return [], self.counts
            outputs: list[tuple[str, Callable[[], Iterable[str | bytes]]]] = [
                ("graph.ttl", self.turtle),
                ("graph.jsonld", self.jsonld),
                ("graph.trig", self.trig),
                ("graph.nq", self.nquads),
                ("validation.ttl", lambda: [report]),
                ("people.json", self.people),
            ]
            return write_files(out_dir, outputs), self.counts
        finally:
            self.close()


def _merge_subjects(parts: list[SubjectPart]) -> SubjectPart:
    merged = merge_predicates(part.predicates for part in parts)
    types = tuple(sorted({t for part in parts for t in part.types}))
    return SubjectPart(parts[0].key, parts[0].term, merged, types)


def _dump(path: Path, items: list[Any]) -> None:
    with open(path, "wb") as file:
        for start in range(0, len(items), _CHUNK):
            pickle.dump(items[start : start + _CHUNK], file, protocol=pickle.HIGHEST_PROTOCOL)


def _load(path: Path) -> Iterator[Any]:
    # Our own files, written moments ago by this process into a private folder.
    with open(path, "rb") as file:
        while True:
            try:
                chunk = pickle.load(file)
            except EOFError:
                return
            yield from chunk


def _lines(path: Path) -> Iterator[str]:
    with open(path, encoding="utf-8", newline="") as file:
        yield from file
