"""The output files of a build: Turtle, JSON-LD, TriG and N-Quads, each written atomically.

Every serialiser here is deterministic: the same triples give the same bytes whatever
the order they were added in and whatever ``PYTHONHASHSEED`` is. rdflib's serialisers
are not (its Turtle numbers generated prefixes ``ns1``, ``ns2`` in set order, its
N-Triples/N-Quads follow set order, its JSON-LD node order follows insertion order), so
the text is written here from sorted terms (:mod:`kg.write.syntax`). That is simple because
there are no blank nodes: the contract gives evidence and selectors IRIs. Only the
validation report may hold blank nodes; :func:`turtle` relabels them canonically.

JSON-LD is a flat compaction over the triples with the context's term definitions
(prefixes, ``@id``/``@vocab``/datatype coercion, ``@language``, ``@set`` containers,
``@id``/``@type`` aliases); nothing is ever fetched.

A build does not hold its graph in memory: it writes its files from document parts
(:mod:`kg.write.render`, :mod:`kg.write.assemble`) with :func:`write_files`, streaming each file and
renaming all six only when all are written. :func:`write_build` takes the document graphs
of a small build and goes the same way, so both give the same bytes.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from rdflib import BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

from kg.errors import OutputError
from kg.write.jsonld import JsonLdContext
from kg.write.syntax import TermWriter, Triple

__all__ = [
    "atomic_write",
    "jsonld",
    "nquads",
    "trig",
    "turtle",
    "write_build",
    "write_files",
]

_Triple = Triple


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` whole or not at all (temporary file, fsync, rename)."""
    tmp_name: str | None = None
    try:
        mode = _file_mode(path)
        with tempfile.NamedTemporaryFile(
            delete=False, dir=path.parent, prefix=f".{path.name}."
        ) as tmp:
            tmp_name = tmp.name
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        # NamedTemporaryFile creates 0600; the output should look like any other file.
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
        tmp_name = None
        _fsync_dir(path.parent)
    except BaseException as exc:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
        if not isinstance(exc, Exception):
            raise  # KeyboardInterrupt and friends stay what they are
        why = (exc.strerror if isinstance(exc, OSError) else None) or str(exc) or type(exc).__name__
        raise OutputError(
            f"cannot write {path}: {' '.join(why.split())}; "
            "check that its folder exists, is writable and has free space"
        ) from exc


def _file_mode(path: Path) -> int:
    """Keep the mode of the file being replaced, else what ``open`` would give it."""
    with contextlib.suppress(FileNotFoundError):
        return path.stat().st_mode & 0o7777
    # The umask can only be read by setting it; the window is two system calls.
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable: the directory entry lives in the folder."""
    if os.name == "nt":  # Windows cannot open a directory; its rename is durable enough
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_files(
    out_dir: Path, outputs: list[tuple[str, Callable[[], Iterable[str | bytes]]]]
) -> list[Path]:
    """Write files in ``out_dir`` from their pieces: all of them, or none replaced.

    Each file is streamed into a temporary file in ``out_dir`` (so its size does not
    count against memory) and synced; only when every one is complete are they renamed
    over the old files, one after another, and the folder synced. A failure while
    writing leaves the old files as they were.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the output folder {out_dir}: {exc.strerror or exc}; "
            "choose another folder with -o or fix its permissions"
        ) from exc
    written: list[tuple[str, Path]] = []
    try:
        for name, pieces in outputs:
            path = out_dir / name
            tmp = _stream_to_temporary(path, pieces())
            written.append((tmp, path))
        for tmp, path in written:
            os.replace(tmp, path)
        _fsync_dir(out_dir)
    except BaseException as exc:
        for tmp, _ in written:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if not isinstance(exc, OSError):
            raise  # a bug or an interrupt stays what it is
        raise OutputError(
            f"cannot write into {out_dir}: {' '.join((exc.strerror or str(exc)).split())}; "
            "check that the folder is writable and has free space"
        ) from exc
    return [path for _, path in written]


def _stream_to_temporary(path: Path, pieces: Iterable[str | bytes]) -> str:
    """Write pieces into a new temporary file next to ``path``; return its name."""
    mode = _file_mode(path)
    with tempfile.NamedTemporaryFile(delete=False, dir=path.parent, prefix=f".{path.name}.") as tmp:
        try:
            _write_pieces(tmp, pieces)
            tmp.flush()
            os.fsync(tmp.fileno())
        except BaseException:
            tmp.close()
            with contextlib.suppress(OSError):
                os.unlink(tmp.name)
            raise
    os.chmod(tmp.name, mode)
    return tmp.name


def _write_pieces(file: IO[bytes], pieces: Iterable[str | bytes]) -> None:
    buffer: list[str] = []
    size = 0
    for piece in pieces:
        if isinstance(piece, bytes):
            file.write("".join(buffer).encode())
            buffer, size = [], 0
            file.write(piece)
            continue
        buffer.append(piece)
        size += len(piece)
        if size > 1 << 20:  # about a megabyte a write
            file.write("".join(buffer).encode())
            buffer, size = [], 0
    file.write("".join(buffer).encode())


def write_build(
    out_dir: Path, graphs: Mapping[URIRef, Graph], report: Graph, context: dict[str, Any]
) -> list[Path]:
    """Write the six files of a build of these document graphs into ``out_dir``."""
    # Imported here: kg.write.assemble writes with write_files, above.
    from kg.write.assemble import Assembler
    from kg.write.render import render

    # Render everything before writing anything: a graph that cannot be written (a
    # blank node, a bad IRI) must not leave a build with some files new, some old.
    ctx = JsonLdContext(context)
    assembler = Assembler(context)
    for name in sorted(graphs, key=str):
        assembler.add(render(name, list(graphs[name]), ctx, _everything))
    return assembler.write(out_dir, turtle(report))[0]


def _everything(node: Node) -> bool:
    """Any subject may be in several graphs given to write_build."""
    return True


# --- whole graphs at once -----------------------------------------------------------------


def turtle(graph: Graph) -> bytes:
    """Serialise one graph as Turtle; blank nodes (a SHACL report has them) are relabelled."""
    triples: list[_Triple] = list(graph)
    if any(isinstance(n, BNode) for t in triples for n in t):
        triples = _canonical_bnodes(graph)
    writer = TermWriter(pnames=True, bnodes=True)
    blocks = writer.blocks(triples)
    header = writer.header()
    return "\n".join([header, *blocks] if header else blocks).encode()


def _canonical_bnodes(graph: Graph) -> list[_Triple]:
    """Relabel blank nodes ``b0``, ``b1`` ... in the order of their canonical hashes."""
    canonical = list(to_canonical_graph(graph))
    hashes = sorted({str(n) for t in canonical for n in t if isinstance(n, BNode)})
    label = {h: BNode(f"b{i}") for i, h in enumerate(hashes)}

    def relabel(n: Node) -> Node:
        return label[str(n)] if isinstance(n, BNode) else n

    return [(relabel(s), p, relabel(o)) for s, p, o in canonical]


def trig(graphs: Mapping[URIRef, Graph]) -> bytes:
    """Serialise one named graph per document as TriG, graphs in IRI order."""
    writer = TermWriter(pnames=True)
    parts = []
    for name in sorted(graphs, key=str):
        blocks = writer.blocks(graphs[name], indent="    ")
        if blocks:  # an empty graph cannot be told apart in N-Quads either
            body = "\n".join(blocks)
            parts.append(f"\n{writer.term(name)} {{\n{body}}}\n")
    return (writer.header() + "".join(parts)).encode()


def nquads(graphs: Mapping[URIRef, Graph]) -> bytes:
    """Serialise one named graph per document as N-Quads: graphs in IRI order, as in TriG,
    and each graph's lines sorted (code point order is UTF-8 byte order)."""
    writer = TermWriter(pnames=False)
    term = writer.term
    pieces: list[str] = []
    for name in sorted(graphs, key=str):
        g = term(name)
        lines = [f"{term(s)} {term(p)} {term(o)} {g} .\n" for s, p, o in graphs[name]]
        pieces.extend(sorted(lines))
    return "".join(pieces).encode()


def jsonld(graph: Graph, context: dict[str, Any]) -> bytes:
    """Serialise a graph as compacted JSON-LD with ``context`` embedded inline."""
    from kg.write.render import jsonld_chunks, node_text

    ctx = JsonLdContext(context)
    nodes = ctx.nodes(graph)
    ordered = sorted(nodes, key=lambda s: ctx.iri(str(s), vocab=False))
    texts = (node_text(ctx, str(s), nodes[s]) for s in ordered)
    return "".join(jsonld_chunks(ctx, texts)).encode()
