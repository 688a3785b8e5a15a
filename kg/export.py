"""The output files of a build: Turtle, JSON-LD, TriG and N-Quads, each written atomically.

Every serialiser here is deterministic: the same triples give the same bytes whatever
the order they were added in and whatever ``PYTHONHASHSEED`` is. rdflib's serialisers
are not (its Turtle numbers generated prefixes ``ns1``, ``ns2`` in set order, its
N-Triples/N-Quads follow set order, its JSON-LD node order follows insertion order), so
the text is written here from sorted terms. That is simple because there are no blank
nodes: the contract gives evidence and selectors IRIs. Only the validation report may
hold blank nodes; :func:`turtle` relabels them canonically.

JSON-LD is a flat compaction done here over the triples with the context's term
definitions (prefixes, ``@id``/``@vocab``/datatype coercion, ``@language``, ``@set``
containers, ``@id``/``@type`` aliases); nothing is ever fetched.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from kg.errors import OutputError
from kg.people import people_json
from kg.vocab import PREFIXES

__all__ = ["atomic_write", "jsonld", "nquads", "trig", "turtle", "write_build"]

_Triple = tuple[Node, Node, Node]

# The report is written with sh:, which no newskg graph uses, so vocab does not bind it.
_PREFIXES: dict[str, str] = dict(PREFIXES) | {"sh": str(SH)}
_PREFIX_OF = {ns: prefix for prefix, ns in _PREFIXES.items()}

# What an IRI may not hold: characters IRIREF forbids, a % not starting a %XX escape.
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]|%(?![0-9A-Fa-f]{2})')
# A deliberately narrow PN_LOCAL: every Turtle parser reads these the same way.
_LOCAL = re.compile(r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?)?")
# Plain str: comparing rdflib terms runs Python-level __eq__, which shows at 10^6 triples.
_RDF_TYPE, _XSD_INTEGER, _XSD_BOOLEAN = str(RDF.type), str(XSD.integer), str(XSD.boolean)
_INTEGER = re.compile(r"0|-?[1-9][0-9]*")
# Canonical N-Triples escaping (RDF 1.2): ECHARs where they exist, UCHAR for other controls.
_ESCAPES = {c: f"\\u{c:04X}" for c in [*range(0x08), 0x0B, *range(0x0E, 0x20), 0x7F]}
_ESCAPES |= {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"}
_ESCAPES |= {0x22: '\\"', 0x5C: "\\\\"}


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


def write_build(
    out_dir: Path, graphs: Mapping[URIRef, Graph], report: Graph, context: dict[str, Any]
) -> list[Path]:
    """Write the six files of a build into ``out_dir``; return their paths in order."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the output folder {out_dir}: {exc.strerror or exc}; "
            "choose another folder with -o or fix its permissions"
        ) from exc
    union = _union(graphs)
    # Serialise everything before writing anything: a graph that cannot be written
    # (a blank node, a bad IRI) must not leave a build with some files new, some old.
    outputs = [
        ("graph.ttl", _turtle(union)),
        ("graph.jsonld", _jsonld(union, context)),
        ("graph.trig", trig(graphs)),
        ("graph.nq", nquads(graphs)),
        ("validation.ttl", turtle(report)),
        ("people.json", people_json(union)),  # the nested view, kg/people.py
    ]
    paths = []
    for name, data in outputs:
        path = out_dir / name
        atomic_write(path, data)
        paths.append(path)
    return paths


def _union(graphs: Mapping[URIRef, Graph]) -> list[_Triple]:
    """All triples of all documents, each once, without copying them into a new Graph."""
    seen: set[_Triple] = set()
    for graph in graphs.values():
        seen.update(graph)
    return list(seen)


# --- Turtle, TriG, N-Quads ------------------------------------------------------------


class _Writer:
    """Renders terms as Turtle/N-Quads text and remembers which prefixes it used."""

    def __init__(self, pnames: bool, bnodes: bool = False) -> None:
        self.pnames = pnames
        self.bnodes = bnodes
        self.used: set[str] = set()
        self._cache: dict[Node, str] = {}

    def term(self, node: Node) -> str:
        text = self._cache.get(node)
        if text is None:
            text = self._cache[node] = self._render(node)
        return text

    def _render(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return self._iri(str(node))
        if isinstance(node, Literal):
            lexical = str(node)
            if node.language:
                return f'"{lexical.translate(_ESCAPES)}"@{node.language}'
            if node.datatype is None:
                return f'"{lexical.translate(_ESCAPES)}"'
            datatype = str(node.datatype)
            if self.pnames and datatype == _XSD_INTEGER and _INTEGER.fullmatch(lexical):
                return lexical
            if self.pnames and datatype == _XSD_BOOLEAN and lexical in ("true", "false"):
                return lexical
            return f'"{lexical.translate(_ESCAPES)}"^^{self._iri(datatype)}'
        if isinstance(node, BNode) and self.bnodes:
            return f"_:{node}"
        if isinstance(node, BNode):
            raise ValueError(f"found the blank node _:{node}; document graphs must have none")
        raise ValueError(f"cannot serialise {node!r}: not an IRI, literal or blank node")

    def _iri(self, iri: str) -> str:
        if _BAD_IRI.search(iri):
            raise ValueError(f"cannot serialise {iri!r}: not a valid IRI (a space, <>, bare % ...)")
        if self.pnames:
            cut = max(iri.rfind("#"), iri.rfind("/")) + 1
            prefix = _PREFIX_OF.get(iri[:cut])
            if prefix is not None and _LOCAL.fullmatch(iri, cut):
                self.used.add(prefix)
                return f"{prefix}:{iri[cut:]}"
        return f"<{iri}>"

    def header(self) -> str:
        return "".join(f"@prefix {p}: <{_PREFIXES[p]}> .\n" for p in sorted(self.used))

    def blocks(self, triples: Iterable[_Triple], indent: str = "") -> list[str]:
        """One Turtle block per subject: subjects, predicates and objects sorted."""
        tree: defaultdict[Node, defaultdict[Node, list[Node]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for s, p, o in triples:
            tree[s][p].append(o)
        obj_sep = f",\n{indent}        "
        pred_sep = f" ;\n{indent}    "
        out = []
        for s in sorted(tree, key=lambda n: (isinstance(n, BNode), str(n))):
            by_p = tree[s]
            # rdf:type first, as "a", the way Turtle is usually read.
            preds = sorted(by_p, key=lambda n: (str(n) != _RDF_TYPE, str(n)))
            lines = []
            for p in preds:
                verb = "a" if str(p) == _RDF_TYPE else self.term(p)
                objects = sorted({self.term(o) for o in by_p[p]})
                lines.append(f"{verb} {obj_sep.join(objects)}")
            out.append(f"{indent}{self.term(s)} {pred_sep.join(lines)} .\n")
        return out


def turtle(graph: Graph) -> bytes:
    """Serialise one graph as Turtle; blank nodes (a SHACL report has them) are relabelled."""
    triples: list[_Triple] = list(graph)
    if any(isinstance(n, BNode) for t in triples for n in t):
        triples = _canonical_bnodes(graph)
    return _turtle(triples)


def _turtle(triples: Iterable[_Triple]) -> bytes:
    writer = _Writer(pnames=True, bnodes=True)
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
    writer = _Writer(pnames=True)
    parts = []
    for name in sorted(graphs, key=str):
        blocks = writer.blocks(graphs[name], indent="    ")
        if blocks:  # an empty graph cannot be told apart in N-Quads either
            body = "\n".join(blocks)
            parts.append(f"\n{writer.term(name)} {{\n{body}}}\n")
    return (writer.header() + "".join(parts)).encode()


def nquads(graphs: Mapping[URIRef, Graph]) -> bytes:
    """Serialise one named graph per document as N-Quads, lines sorted."""
    writer = _Writer(pnames=False)
    lines: list[str] = []
    for name, graph in graphs.items():
        g = writer.term(name)
        lines.extend(
            f"{writer.term(s)} {writer.term(p)} {writer.term(o)} {g} .\n" for s, p, o in graph
        )
    lines.sort()  # code point order is UTF-8 byte order
    return "".join(lines).encode()


# --- JSON-LD ----------------------------------------------------------------------------

_GEN_DELIMS = (":", "/", "?", "#", "[", "]", "@")


@dataclass(frozen=True)
class _Term:
    """A context term usable as a property key, and how it reads a bare string."""

    name: str
    coerce: str | None  # "@id", "@vocab", a datatype IRI, or None
    language: str | None  # the language a bare string gets under this term
    as_set: bool


class _Context:
    """The parts of a JSON-LD context compaction needs, computed once."""

    def __init__(self, context: dict[str, Any]) -> None:
        if "@context" in context:  # a context document rather than the context itself
            context = context["@context"]
        if not isinstance(context, dict):
            raise ValueError("pass the JSON-LD context as one object; nothing is fetched")
        _offline(context)
        self.raw = context
        self.defs: dict[str, Any] = {k: v for k, v in context.items() if not k.startswith("@")}
        vocab = context.get("@vocab")
        self.vocab = self._expand(vocab, set()) if isinstance(vocab, str) else None
        default = context.get("@language")
        self.prefixes: list[tuple[str, str]] = []
        self.props: defaultdict[str, list[_Term]] = defaultdict(list)
        self.types: dict[str, str] = {}  # IRI -> term, for vocab-relative values
        self.alias = {"@id": "@id", "@type": "@type"}
        keyword = context.get("@type")  # JSON-LD 1.1: "@type": {"@container": "@set"}
        self.type_set = isinstance(keyword, dict) and "@set" in _containers(keyword)
        for name in sorted(self.defs, key=lambda n: (len(n), n)):  # shortest term wins
            self._define(name, self.defs[name], default)
        self._cache: dict[tuple[str, bool, bool], str] = {}

    def _define(self, name: str, value: Any, default: Any) -> None:
        spec = {"@id": value} if isinstance(value, str) else value
        if not isinstance(spec, dict):
            return  # null: the term is defined (to nothing) and never used
        iri = spec.get("@id", name)
        iri = self._expand(iri, {name}) if isinstance(iri, str) else None
        if iri in self.alias:
            if self.alias[iri] == iri:
                self.alias[iri] = name
                self.type_set |= iri == "@type" and "@set" in _containers(spec)
            return
        if iri is None or iri.startswith("@"):
            return
        simple = isinstance(value, str) and ":" not in name and "/" not in name
        if (simple and iri.endswith(_GEN_DELIMS)) or (spec.get("@prefix") is True):
            self.prefixes.append((name, iri))
        if {"@reverse", "@context", "@nest", "@direction"} & set(spec):
            return  # these change how values read; never chosen, so never misread
        self.types.setdefault(iri, name)
        coerce = spec.get("@type")
        if isinstance(coerce, str) and coerce not in ("@id", "@vocab"):
            coerce = self._expand(coerce, set())
            if coerce is None or coerce in ("@json", "@none"):
                return
        if not _containers(spec) <= {"@set"}:
            return
        language = spec.get("@language", default) if coerce is None else None
        self.props[iri].append(_Term(name, coerce, language, "@set" in _containers(spec)))

    def _expand(self, value: str, seen: set[str]) -> str | None:
        """An IRI from a context value; None where processors might read it differently."""
        if value.startswith("@"):
            return value
        prefix, colon, suffix = value.partition(":")
        if colon:
            if prefix == "_":
                return None
            if suffix.startswith("//") or prefix not in self.defs:
                return value
            spec = self.defs[prefix]
            # JSON-LD 1.1 only lets simple terms ending in a gen-delim act as prefixes;
            # rdflib and pyoxigraph let any term. Use no term on which they disagree.
            if prefix in seen or not isinstance(spec, str) or not spec.endswith(_GEN_DELIMS):
                return None
            base = self._expand(spec, seen | {prefix})
            return None if base is None else base + suffix
        if value in self.defs and value not in seen:
            spec = self.defs[value]
            target = spec.get("@id", value) if isinstance(spec, dict) else spec
            return self._expand(target, seen | {value}) if isinstance(target, str) else None
        return self.vocab + value if self.vocab else None

    def iri(self, iri: str, vocab: bool, terms: bool = True) -> str:
        """Compact an IRI: a term, a vocab-relative name, a CURIE, else the IRI itself."""
        key = (iri, vocab, terms)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._compact(iri, vocab, terms)
        return found

    def _compact(self, iri: str, vocab: bool, terms: bool) -> str:
        if _BAD_IRI.search(iri):
            raise ValueError(f"cannot serialise {iri!r}: not a valid IRI (a space, <>, bare % ...)")
        if vocab:
            if terms and iri in self.types:
                return self.types[iri]
            if self.vocab and iri.startswith(self.vocab):
                rest = iri[len(self.vocab) :]
                if rest and ":" not in rest and not rest.startswith("@") and rest not in self.defs:
                    return rest
        best = None
        for prefix, ns in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns) :].startswith("//"):
                curie = f"{prefix}:{iri[len(ns) :]}"
                if curie not in self.defs and (best is None or (len(curie), curie) < best):
                    best = (len(curie), curie)
        if best is not None:
            return best[1]
        scheme, _, rest = iri.partition(":")
        if (scheme in self.defs and not rest.startswith("//")) or (vocab and iri in self.defs):
            raise ValueError(f"the IRI {iri} would be read as a term of the JSON-LD context")
        return iri

    def entry(self, p: str, o: Node) -> tuple[str, Any, bool]:
        """The key, compacted value and @set-ness for one property value."""
        terms = self.props.get(p, [])
        for term in terms:  # a term that reads a bare string back as exactly ``o``
            if isinstance(o, URIRef) and term.coerce in ("@id", "@vocab"):
                return term.name, self.iri(str(o), term.coerce == "@vocab"), term.as_set
            if isinstance(o, Literal) and _bare(o, term.coerce, term.language):
                return term.name, str(o), term.as_set
        for term in terms:
            if term.coerce is None:
                return term.name, self._value(o, term.language), term.as_set
        default = self.raw.get("@language")
        return self.iri(p, vocab=True, terms=False), self._value(o, default), False

    def _value(self, o: Node, language: str | None) -> Any:
        if isinstance(o, URIRef):
            return {"@id": self.iri(str(o), vocab=False)}
        if not isinstance(o, Literal):
            raise ValueError(f"cannot write {o!r} as JSON-LD: the graph must hold no blank nodes")
        if _bare(o, None, language):
            return str(o)
        if o.language:
            return {"@value": str(o), "@language": o.language}
        if o.datatype is None:
            return {"@value": str(o)}
        return {"@value": str(o), "@type": self.iri(str(o.datatype), vocab=True)}


def _containers(spec: dict[str, Any]) -> set[str]:
    found = spec.get("@container")
    return set(found) if isinstance(found, list) else {found} if found else set()


def _bare(o: Literal, coerce: str | None, language: str | None) -> bool:
    """Whether a bare string under a term with this coercion and language reads as ``o``."""
    if coerce is not None:
        return o.datatype is not None and str(o.datatype) == coerce
    return o.datatype is None and (o.language or None) == language


def _offline(value: Any) -> None:
    """Refuse contexts that would make a JSON-LD processor fetch something."""
    if isinstance(value, dict):
        if "@import" in value:
            raise ValueError("the JSON-LD context uses @import; inline the imported context")
        for key, inner in value.items():
            if key == "@context" and not isinstance(inner, dict | None):
                raise ValueError("the JSON-LD context refers to another one; inline it")
            _offline(inner)
    elif isinstance(value, list):
        for inner in value:
            _offline(inner)


def jsonld(graph: Graph, context: dict[str, Any]) -> bytes:
    """Serialise a graph as compacted JSON-LD with ``context`` embedded inline."""
    return _jsonld(graph, context)


def _jsonld(triples: Iterable[_Triple], context: dict[str, Any]) -> bytes:
    ctx = _Context(context)
    nodes: dict[Node, tuple[list[str], defaultdict[str, list[tuple[Any, Any]]]]] = {}
    sets: set[str] = set()
    for s, p, o in triples:
        if not isinstance(s, URIRef):
            raise ValueError(f"cannot write {s!r} as JSON-LD: the graph must hold no blank nodes")
        if s not in nodes:
            nodes[s] = ([], defaultdict(list))
        if str(p) == _RDF_TYPE and isinstance(o, URIRef):
            nodes[s][0].append(ctx.iri(str(o), vocab=True))
            continue
        key, value, as_set = ctx.entry(str(p), o)
        nodes[s][1][key].append((_sort_key(o), value))
        if as_set:
            sets.add(key)
    graph = []
    for s, (types, props) in nodes.items():
        node: dict[str, Any] = {ctx.alias["@id"]: ctx.iri(str(s), vocab=False)}
        if types:
            types.sort()
            node[ctx.alias["@type"]] = types if len(types) > 1 or ctx.type_set else types[0]
        for key, values in props.items():
            values.sort(key=lambda kv: kv[0])
            listed = [v for _, v in values]
            node[key] = listed if len(listed) > 1 or key in sets else listed[0]
        graph.append(node)
    graph.sort(key=lambda n: str(n[ctx.alias["@id"]]))
    doc = {"@context": ctx.raw, "@graph": graph}
    return (json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def _sort_key(o: Node) -> tuple[str, str, str, str]:
    if isinstance(o, Literal):
        return ("1", str(o), str(o.datatype or ""), o.language or "")
    return ("0", str(o), "", "")
