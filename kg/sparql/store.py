"""The on-disk store a build grows into: one named graph per document, replaced whole.

``kg build --store DIR`` and ``kg load BUILD --store DIR`` keep an Oxigraph store
(RocksDB, on disk) in step with a build. Each source document is one named graph, named
by the document's IRI; a graph is rewritten only when its triples changed and removed
when its document left the build. Graphs the manifest does not name are never touched.

What changed is decided by a graph's *version*: the SHA-256 of its triples as sorted
N-Triples lines (document graphs hold no blank nodes, so that text is canonical), written
as an RFC 6920 ``ni:`` IRI. Versions are over triples rather than over the article text
because cross-document resolution can change an unchanged article's triples: a fuller
name arriving in another article becomes a person's label everywhere. The versions live
in the manifest, the named graph ``{base}store/manifest``::

    <{base}store/manifest> dcterms:hasPart <document graph> .
    <document graph> dcterms:hasVersion <ni:///sha-256;...> .

Entity triples (a person's type, label, ``kg:mentionedIn``) are repeated in every
document graph that mentions the entity (see :mod:`kg.graph`), so the union of the
graphs stays right when one graph is replaced or removed: a person survives while one
document still mentions them and disappears with the last one.

Each document's replacement and its manifest entry are one SPARQL update, which Oxigraph
applies in one transaction: after a crash a document's graph is its old or its new
version, never a mixture, and the manifest says which. :mod:`kg.sparql.remote` does the same
over HTTP with the same manifest.
"""

from __future__ import annotations

import base64
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kg.errors import InputError, OutputError
from kg.graph.iri import Minter
from kg.graph.vocab import DCTERMS
from kg.progress import Tracker, quiet

__all__ = [
    "GraphPayload",
    "Plan",
    "Sync",
    "manifest_iri",
    "manifest_payload",
    "payloads_from_folder",
    "payloads_from_graphs",
    "payloads_from_nquads",
    "plan",
    "read_manifest",
    "store_failed",
    "sync_store",
]

HAS_PART = ox.NamedNode(str(DCTERMS.hasPart))
HAS_VERSION = ox.NamedNode(str(DCTERMS.hasVersion))
# RocksDB writes this file first in every database folder; it tells a store from a
# folder of other files, which a store must not be created inside.
_ROCKSDB_MARKER = "CURRENT"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


@dataclass(frozen=True)
class GraphPayload:
    """One named graph ready to write: its IRI and its triples as canonical N-Triples."""

    name: str
    ntriples: bytes  # sorted lines, each ending in " .\n"
    triples: int

    @cached_property
    def version(self) -> str:
        """The graph's version: an RFC 6920 ``ni:`` IRI of the SHA-256 of ``ntriples``."""
        digest = base64.urlsafe_b64encode(hashlib.sha256(self.ntriples).digest())
        return "ni:///sha-256;" + digest.rstrip(b"=").decode("ascii")


def _payload(name: str, triples: Iterable[ox.Triple]) -> GraphPayload:
    lines = sorted({f"{triple} .\n" for triple in triples})  # code point order
    return GraphPayload(name, "".join(lines).encode("utf-8"), len(lines))


def _ox_iri(node: Node) -> ox.NamedNode:
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    raise ValueError(f"cannot store {node!r}: subjects and predicates here are IRIs")


def _ox_term(node: Node) -> ox.NamedNode | ox.Literal:
    """The pyoxigraph term of an rdflib IRI or literal, lexical form unchanged."""
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype is not None:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise ValueError(f"cannot store {node!r}: document graphs hold only IRIs and literals")


def payloads_from_graphs(graphs: Mapping[URIRef, Graph]) -> dict[str, GraphPayload]:
    """The payloads of a build's document graphs (``Build.graphs``), by graph IRI."""
    payloads = {}
    for name, graph in graphs.items():
        triples = (ox.Triple(_ox_iri(s), _ox_iri(p), _ox_term(o)) for s, p, o in graph)
        payloads[str(name)] = _payload(str(name), triples)
    return payloads


def payloads_from_folder(folder: Path) -> dict[str, GraphPayload]:
    """The payloads of a build folder, read from its ``graph.nq``, by graph IRI."""
    path = folder / "graph.nq"
    if not path.is_file():
        raise InputError(
            str(folder), "has no graph.nq", "give the output folder of kg build (its -o)"
        )
    by_graph: defaultdict[str, list[ox.Triple]] = defaultdict(list)
    try:
        for quad in ox.parse(path=path, format=ox.RdfFormat.N_QUADS):
            graph = quad.graph_name
            if not isinstance(graph, ox.NamedNode):
                raise InputError(
                    str(path),
                    "holds a triple outside a named graph",
                    "kg load takes the folder of a kg build, one named graph per document",
                )
            if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
                raise InputError(
                    str(path),
                    "holds a blank node",
                    "kg load takes the folder of a kg build, which has none",
                )
            by_graph[graph.value].append(quad.triple)
    except SyntaxError as exc:
        raise InputError(
            str(path), f"is not valid N-Quads ({_one_line(exc)})", "rebuild it with kg build"
        ) from exc
    except OSError as exc:
        raise InputError(str(path), f"cannot be read ({_one_line(exc)})", "check it") from exc
    return {name: _payload(name, triples) for name, triples in by_graph.items()}


def payloads_from_nquads(pieces: Iterable[tuple[str, bytes]]) -> dict[str, GraphPayload]:
    """The payloads of a build's document graphs, from each one's N-Quads as the build
    wrote them (:meth:`kg.write.assemble.Assembler.document_nquads`), by graph IRI."""
    payloads = {}
    for name, nquads in pieces:
        quads = ox.parse(input=nquads, format=ox.RdfFormat.N_QUADS)
        payloads[name] = _payload(name, (quad.triple for quad in quads))
    return payloads


def manifest_iri(base: str) -> str:
    """The named graph that records the versions of the store's graphs."""
    return str(Minter(base).store_manifest())


def read_manifest(triples: Iterable[ox.Triple], manifest: str) -> dict[str, frozenset[str]]:
    """Each graph the manifest names, with the versions it records for it (none or one)."""
    parts: set[str] = set()
    versions: defaultdict[str, set[str]] = defaultdict(set)
    for t in triples:
        if not isinstance(t.subject, ox.NamedNode) or not isinstance(t.object, ox.NamedNode):
            continue
        if t.predicate == HAS_PART and t.subject.value == manifest:
            parts.add(t.object.value)
        elif t.predicate == HAS_VERSION:
            versions[t.subject.value].add(t.object.value)
    return {name: frozenset(versions.get(name, ())) for name in parts | set(versions)}


def manifest_payload(
    manifest: str, parts: Iterable[str], versions: Mapping[str, str]
) -> GraphPayload:
    """Manifest triples naming ``parts`` and recording ``versions`` (graph -> version)."""
    m = ox.NamedNode(manifest)
    triples = [ox.Triple(m, HAS_PART, ox.NamedNode(name)) for name in parts]
    triples += [
        ox.Triple(ox.NamedNode(g), HAS_VERSION, ox.NamedNode(v)) for g, v in versions.items()
    ]
    return _payload(manifest, triples)


@dataclass(frozen=True)
class Plan:
    """What a sync does: graphs to add, to replace, to remove, to leave alone."""

    added: tuple[GraphPayload, ...]
    replaced: tuple[GraphPayload, ...]
    removed: tuple[str, ...]
    unchanged: tuple[str, ...]
    kept: tuple[str, ...] = ()  # not in the build, kept because some input failed

    @property
    def writes(self) -> tuple[GraphPayload, ...]:
        """The graphs to write, in IRI order."""
        return tuple(sorted(self.added + self.replaced, key=lambda p: p.name))

    @property
    def empty(self) -> bool:
        return not (self.added or self.replaced or self.removed)


def plan(
    payloads: Mapping[str, GraphPayload],
    manifest: Mapping[str, frozenset[str]],
    prune: bool = True,
) -> Plan:
    """Compare a build with a manifest: a graph is unchanged only at exactly its version.

    Without ``prune`` no graph is removed: a build whose inputs could not all be read
    cannot tell a removed article from one it failed to read, and must lose nothing.
    """
    added, replaced, unchanged = [], [], []
    for name in sorted(payloads):
        payload = payloads[name]
        known = manifest.get(name)
        if known is None:
            added.append(payload)
        elif known == {payload.version}:
            unchanged.append(name)
        else:
            replaced.append(payload)
    missing = sorted(set(manifest) - set(payloads))
    removed, kept = (missing, []) if prune else ([], missing)
    return Plan(tuple(added), tuple(replaced), tuple(removed), tuple(unchanged), tuple(kept))


@dataclass(frozen=True)
class Sync:
    """What a sync did, and where."""

    target: str
    plan: Plan

    def summary(self) -> str:
        p = self.plan
        kept = f", {len(p.kept)} kept (some inputs failed)" if p.kept else ""
        return (
            f"{self.target}: {len(p.added)} added, {len(p.replaced)} replaced, "
            f"{len(p.removed)} removed, {len(p.unchanged)} unchanged{kept}"
        )


def _check_names(payloads: Mapping[str, GraphPayload], manifest: str) -> None:
    if manifest in payloads:
        raise InputError(
            manifest, "is the store's manifest graph and a graph of the build", "use another --base"
        )


def store_failed(path: Path, exc: BaseException) -> str:
    """One line on why the store at ``path`` failed to open or to be read, and what to do.

    RocksDB checks its files as it reads them: a garbled table, a CURRENT file naming a
    manifest that is gone, a table cut short are ``Corruption`` (RuntimeError) or a
    missing file, when the store opens or only when the damaged part is read. Such a
    store cannot be mended; it is rebuilt from a build. Another program holding the store
    is a lock error, and anything else (permissions, a full disk) is said as it is.
    """
    why = _one_line(exc)
    if isinstance(exc, OSError) and "LOCK" in why:
        return (
            f"cannot open the store {path}: {why}; "
            "check that no other program (kg, oxigraph serve) has it open"
        )
    if isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError):
        return f"cannot use the store {path}: {why}; check its permissions and free space"
    shown = why if len(why) <= 160 else why[:159] + "…"
    return (
        f"the store {path} is damaged ({shown}); it cannot be mended: move it away and "
        f"rebuild it with `kg load BUILD --store {path}` (or `kg build INPUT --store {path}`)"
    )


def _was_a_store(path: Path) -> bool:
    """Whether a folder without CURRENT holds what only a RocksDB database writes."""
    return any(path.glob("MANIFEST-*")) or any(path.glob("*.sst"))


def open_store(path: Path) -> ox.Store:
    """Open (or create) the on-disk store at ``path``; refuse a folder of other files."""
    if path.exists() and not path.is_dir():
        raise OutputError(f"cannot use {path} as a store: it is a file; give a folder")
    if path.is_dir() and any(path.iterdir()) and not (path / _ROCKSDB_MARKER).is_file():
        if _was_a_store(path):
            raise OutputError(store_failed(path, RuntimeError("it has no CURRENT file")))
        raise OutputError(
            f"cannot use {path} as a store: the folder holds other files; "
            "give a new folder, or one made by kg build --store"
        )
    try:
        return ox.Store(str(path))
    except (OSError, RuntimeError) as exc:
        raise OutputError(store_failed(path, exc)) from exc


def _replace(payload: GraphPayload, manifest: ox.NamedNode) -> str:
    """One SPARQL update: the graph's new triples and its manifest entry, nothing else."""
    g = ox.NamedNode(payload.name)
    return (
        f"DROP SILENT GRAPH {g} ;\n"
        f"DELETE WHERE {{ GRAPH {manifest} {{ {g} {HAS_VERSION} ?v }} }} ;\n"
        f"INSERT DATA {{\n GRAPH {g} {{\n{payload.ntriples.decode('utf-8')} }}\n"
        f" GRAPH {manifest} {{ {manifest} {HAS_PART} {g} . "
        f"{g} {HAS_VERSION} {ox.NamedNode(payload.version)} . }}\n}}"
    )


def _remove(name: str, manifest: ox.NamedNode) -> str:
    """One SPARQL update: the graph and its manifest entry gone."""
    g = ox.NamedNode(name)
    return (
        f"DROP SILENT GRAPH {g} ;\n"
        f"DELETE WHERE {{ GRAPH {manifest} {{ {g} {HAS_VERSION} ?v }} }} ;\n"
        f"DELETE DATA {{ GRAPH {manifest} {{ {manifest} {HAS_PART} {g} }} }}"
    )


def sync_store(
    path: Path,
    payloads: Mapping[str, GraphPayload],
    base: str,
    progress: Tracker = quiet,
    prune: bool = True,
) -> Sync:
    """Make the store at ``path`` hold exactly the build's document graphs.

    With ``prune`` false (a build with input errors) graphs the build lacks are kept.
    """
    manifest = manifest_iri(base)
    _check_names(payloads, manifest)
    store = open_store(path)
    m = ox.NamedNode(manifest)
    try:
        current = read_manifest(
            (q.triple for q in store.quads_for_pattern(None, None, None, m)), manifest
        )
        todo = plan(payloads, current, prune)
        for payload in progress(todo.writes, total=len(todo.writes), label="store"):
            store.update(_replace(payload, m))
        for name in todo.removed:
            store.update(_remove(name, m))
        store.flush()
    except RuntimeError as exc:  # a part of the store found damaged as it was read
        raise OutputError(store_failed(path, exc)) from exc
    except OSError as exc:
        raise OutputError(
            f"cannot write the store {path}: {_one_line(exc)}; "
            "check free space and permissions, then rerun (finished documents are kept)"
        ) from exc
    return Sync(str(path), todo)
