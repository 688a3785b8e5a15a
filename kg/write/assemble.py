"""The files of a build, merged from the parts of its documents in bounded memory.

:class:`Assembler` takes :class:`kg.write.parts.DocParts` in any order. It keeps a run of
them in memory and, when the run grows past ``run_bytes``, writes it sorted to a spill folder.
The subjects several documents describe (entities) are not merged document by document:
their triples are kept once each, and :meth:`Assembler.write` writes their Turtle blocks
and JSON-LD nodes from all of them at the end. It then merges the runs and those (a k-way
merge, one pass) into graph.ttl, graph.jsonld and people.json. graph.nq and graph.trig
hold one named graph per document, so there each document's text is one piece, and the
pieces are written in the order of the graphs' IRIs (:class:`_Chunks`); they stay
readable for ``--store`` (:meth:`Assembler.document_nquads`) until the assembler is
closed. validation.ttl comes last; every file is written whole or not at all, all of them
or none (:func:`kg.write.files.write_files`).

The bytes do not depend on the order the parts arrive in nor on where runs were cut:
every file is sorted, and merging is a union. Memory is bounded by ``run_bytes`` and by
what is kept for all documents: the findings, the entities' triples, a key per person.
"""

from __future__ import annotations

import heapq
import itertools
import os
import pickle
import shutil
import tempfile
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import pyoxigraph as ox
from rdflib import URIRef

from kg.errors import OutputError
from kg.validate.engine import Finding
from kg.write import people as people_module
from kg.write.files import write_files
from kg.write.jsonld import JsonLdContext, jsonld_chunks
from kg.write.parts import DocParts, decode_triple
from kg.write.people import PersonPart
from kg.write.render import shared_parts
from kg.write.syntax import prefix_header

__all__ = ["FILES", "Assembler", "reads_back"]

FILES = ("graph.ttl", "graph.jsonld", "graph.trig", "graph.nq", "validation.ttl", "people.json")
RUN_BYTES = 128 * 1024 * 1024  # of rendered text held before a run is spilled
# A spilled run is read back a chunk at a time while every run is merged, so a chunk is
# capped in text as well as in items: a person is one item with every position of the run
# (when runs held each document's TriG as an item, 2,000 of them made a chunk of 1 GB).
_CHUNK = 2000  # items per pickle in a spilled run, at most
_CHUNK_CHARS = 1 << 20  # characters of text per pickle, about

T = TypeVar("T")
Triple = tuple[Any, Any, Any]


class AssemblyError(ValueError):
    """Two documents describe a subject that only one may: the graphs are not per document."""


@dataclass
class _Run:
    """Parts held in memory: own subjects' blocks and nodes, people by IRI."""

    blocks: list[tuple[str, str]] = field(default_factory=list)
    nodes: list[tuple[str, str]] = field(default_factory=list)
    people: dict[str, list[PersonPart]] = field(default_factory=dict)
    size: int = 0

    def persons(self) -> list[PersonPart]:
        """Each person once (its parts from this run's documents merged), by IRI."""
        return [people_module.merge(self.people[k]) for k in sorted(self.people)]


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
        # A document's N-Quads and TriG are one piece each, held up to a quarter of a run.
        self._nquads = _Chunks(self._spill_folder, ".nq", run_bytes // 4)
        self._trig = _Chunks(self._spill_folder, ".trig", run_bytes // 4)
        self.turtle_prefixes: set[str] = set()
        self.trig_prefixes: set[str] = set()
        self.counts: Counter[str] = Counter()  # own subjects; shared ones when written
        self.findings: list[Finding] = []
        # What the documents say about shared subjects, and the types of what those point
        # at: encoded triples (kg.write.parts.encode_triple), each once.
        self.shared: set[str] = set()
        self.targets: set[str] = set()
        self._shared_triples: list[Triple] | None = None
        self._iris: dict[str, URIRef] = {}
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
        self.targets.update(parts.targets)
        self._nquads.add(parts.name, parts.nquads)
        self._trig.add(parts.name, parts.trig)
        run.blocks.extend(parts.blocks)
        run.nodes.extend(parts.nodes)
        for person in parts.people:
            run.people.setdefault(person.id, []).append(person)
        run.size += (
            sum(len(t) for _, t in parts.blocks)
            + sum(len(t) for _, t in parts.nodes)
            + sum(len(e[2]) for p in parts.people for e in p.positions + p.memberships)
        )
        if run.size > self.run_bytes:
            self._spill_run()

    def shared_triples(self) -> list[Triple]:
        """The triples about shared subjects, as terms, each once, in order."""
        if self._shared_triples is None:
            # One object per IRI: an entity is the subject of thousands of these.
            self._shared_triples = [decode_triple(t, self._iris) for t in sorted(self.shared)]
            self.shared = set()  # the text is no longer needed
        return self._shared_triples

    def target_types(self) -> list[Triple]:
        return [decode_triple(t, self._iris) for t in sorted(self.targets)]

    def _spill_folder(self) -> Path:
        if self._spill is None:
            self._spill = Path(tempfile.mkdtemp(prefix=".kg-runs-", dir=self._spill_root))
        return self._spill

    def _spill_run(self) -> None:
        run = self._run
        path = self._spill_folder() / f"run-{len(self._runs):05d}"
        _dump(path.with_suffix(".ttl"), sorted(run.blocks))
        _dump(path.with_suffix(".jsonld"), sorted(run.nodes))
        _dump(path.with_suffix(".people"), run.persons())
        self._runs.append(path)
        self._run = _Run()

    def __enter__(self) -> Assembler:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the spill folder."""
        self._nquads.close()
        self._trig.close()
        if self._spill is not None:
            shutil.rmtree(self._spill, ignore_errors=True)
            self._spill = None

    # -- merging ------------------------------------------------------------------------

    def _streams(self, suffix: str, memory: list[T]) -> list[Iterator[T]]:
        streams: list[Iterator[T]] = [_load(path.with_suffix(suffix)) for path in self._runs]
        streams.append(iter(memory))
        return streams

    def nquads(self) -> Iterator[bytes]:
        return (piece for _, piece in self._nquads.ordered())

    def document_nquads(self) -> Iterator[tuple[str, bytes]]:
        """Each document graph's IRI and N-Quads, in IRI order (for ``--store``)."""
        return self._nquads.ordered()

    def trig(self) -> Iterator[str | bytes]:
        header = prefix_header(self.trig_prefixes)
        if header:
            yield header
        yield from (piece for _, piece in self._trig.ordered())

    def _shared(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """The shared subjects' blocks and nodes, written once from all their triples."""
        blocks, nodes, counts, prefixes = shared_parts(self.shared_triples(), self.context)
        self._shared_triples = None  # checked and written: what is left is text
        self.counts.update(counts)
        self.turtle_prefixes |= prefixes
        return blocks, nodes

    def _merged(
        self, suffix: str, memory: list[tuple[str, str]], shared: list[tuple[str, str]]
    ) -> Iterator[str]:
        """Texts in key order from the runs and the shared subjects; each key once."""
        streams = [*self._streams(suffix, sorted(memory)), iter(shared)]
        merged = heapq.merge(*streams, key=lambda x: x[0])
        previous = None
        for key, text in merged:
            if key == previous:
                raise AssemblyError(f"two documents describe {key}, which is not shared")
            previous = key
            yield text

    def turtle(self, shared_blocks: list[tuple[str, str]]) -> Iterator[str]:
        header = prefix_header(self.turtle_prefixes)
        first = not header
        if header:
            yield header
        for block in self._merged(".ttl", self._run.blocks, shared_blocks):
            yield block if first else "\n" + block
            first = False

    def jsonld(self, shared_nodes: list[tuple[str, str]]) -> Iterator[str]:
        texts = self._merged(".jsonld", self._run.nodes, shared_nodes)
        return iter(jsonld_chunks(self.context, texts))

    def people(self) -> Iterator[str]:
        """people.json in pieces: persons merged by IRI, then ordered by name and IRI."""
        merged = heapq.merge(*self._streams(".people", self._run.persons()), key=lambda p: p.id)
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
        """Write the six files into ``out_dir`` (or only count, without it), once.

        The document graphs' N-Quads stay readable (:meth:`document_nquads`) until
        :meth:`close`.
        """
        blocks, nodes = self._shared()
        if out_dir is None:
            return [], self.counts
        outputs: list[tuple[str, Callable[[], Iterable[str | bytes]]]] = [
            ("graph.ttl", lambda: self.turtle(blocks)),
            ("graph.jsonld", lambda: self.jsonld(nodes)),
            ("graph.trig", self.trig),
            ("graph.nq", self.nquads),
            ("validation.ttl", lambda: [report]),
            ("people.json", self.people),
        ]
        return write_files(out_dir, outputs, check=reads_back), self.counts


# The files read back before they replace the old ones: the ones kg load, query and view
# read (graph.trig and graph.jsonld hold the same terms, from the same TermWriter). It
# costs about 1.5% of a build; pyoxigraph refuses a whole file for one bad IRI.
_READ_BACK = {"graph.nq": ox.RdfFormat.N_QUADS, "graph.ttl": ox.RdfFormat.TURTLE}


def reads_back(name: str, path: Path) -> None:
    """Raise OutputError unless pyoxigraph reads the file written as ``name`` at ``path``."""
    fmt = _READ_BACK.get(name)
    if fmt is None:
        return
    try:
        deque(ox.parse(path=path, format=fmt), maxlen=0)
    except (SyntaxError, ValueError) as exc:
        why = " ".join(str(exc).split())
        raise OutputError(
            f"the {name} this build wrote does not read back ({why}): a bug in newskg, "
            "please report it; the previous outputs are kept"
        ) from exc


class _Chunks:
    """Each document's text in one file (its N-Quads, its TriG graph), in the order of the
    documents' IRIs.

    A document's text is one piece, so the file is its documents' pieces in that order:
    no line is sorted or merged, and a piece is copied as the bytes it came as. Pieces are
    held in memory up to ``held`` bytes, then appended to a file in the spill folder and
    read back by their offsets when the file is written.
    """

    def __init__(self, folder: Callable[[], Path], suffix: str, held: int) -> None:
        self._folder = folder
        self._suffix = suffix
        self._held = held
        self._memory: list[tuple[str, bytes]] = []
        self._size = 0
        self._spilled: list[tuple[str, int, int]] = []  # name, offset, length
        self._file: BinaryIO | None = None

    def add(self, name: str, text: bytes) -> None:
        if text:  # an empty graph has no piece, in either file
            self._memory.append((name, text))
            self._size += len(text)
            if self._size > self._held:
                self._spill()

    def _spill(self) -> None:
        if self._file is None:
            self._file = open(self._folder() / f"chunks{self._suffix}", "w+b")  # noqa: SIM115
        offset = self._file.seek(0, os.SEEK_END)
        for name, text in self._memory:
            self._spilled.append((name, offset, len(text)))
            offset += len(text)
        self._file.write(b"".join(text for _, text in self._memory))
        self._memory, self._size = [], 0

    def ordered(self) -> Iterator[tuple[str, bytes]]:
        held: list[tuple[str, bytes | tuple[int, int]]] = list(self._memory)
        held.extend((name, (offset, length)) for name, offset, length in self._spilled)
        held.sort(key=lambda item: item[0])
        if self._file is not None:
            self._file.flush()
        for name, piece in held:
            if isinstance(piece, bytes):
                yield name, piece
            else:
                assert self._file is not None
                yield name, os.pread(self._file.fileno(), piece[1], piece[0])

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _dump(path: Path, items: list[Any]) -> None:
    with open(path, "wb") as file:
        chunk: list[Any] = []
        chars = 0
        for item in items:
            chunk.append(item)
            chars += _chars(item)
            if len(chunk) >= _CHUNK or chars >= _CHUNK_CHARS:
                pickle.dump(chunk, file, protocol=pickle.HIGHEST_PROTOCOL)
                chunk, chars = [], 0
        if chunk:
            pickle.dump(chunk, file, protocol=pickle.HIGHEST_PROTOCOL)


def _chars(item: Any) -> int:
    """About how much text an item of a run holds: a (key, text) pair or a person."""
    if isinstance(item, PersonPart):
        return 100 + sum(len(e[2]) for e in (*item.memberships, *item.positions))
    return len(item[0]) + len(item[1])


def _load(path: Path) -> Iterator[Any]:
    # Our own files, written moments ago by this process into a private folder.
    with open(path, "rb") as file:
        while True:
            try:
                chunk = pickle.load(file)
            except EOFError:
                return
            yield from chunk
