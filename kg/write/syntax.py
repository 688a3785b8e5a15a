"""RDF terms as text: Turtle, TriG and N-Quads terms and blocks; JSON written in pieces.

The pieces every writer of newskg shares (:mod:`kg.write.render`, :mod:`kg.write.assemble`),
so that every file is written from sorted terms and the same triples give the same bytes,
whatever order they came in and whatever ``PYTHONHASHSEED`` is (rdflib's serialisers
follow set and insertion order): :class:`TermWriter` renders a term once and
remembers the prefixes it used; :func:`dump_json` writes JSON exactly as
``json.dumps(value, indent=2, ensure_ascii=False)`` does, at any depth, faster (the
standard library's C encoder does not indent). JSON-LD compaction: :mod:`kg.write.jsonld`.
:func:`turtle` writes a whole graph: the validation report, the only graph with blank
nodes.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from kg.graph.vocab import PREFIXES

__all__ = [
    "BAD_IRI",
    "RDF_TYPE",
    "Predicates",
    "TermWriter",
    "Triple",
    "dump_json",
    "prefix_header",
    "turtle",
    "turtle_block",
]

Triple = tuple[Node, Node, Node]

# The report is written with sh:, which no newskg graph uses, so vocab does not bind it.
_PREFIXES: dict[str, str] = dict(PREFIXES) | {"sh": str(SH)}
_PREFIX_OF = {ns: prefix for prefix, ns in _PREFIXES.items()}

# What an IRI may not hold: characters IRIREF forbids, a % not starting a %XX escape.
BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]|%(?![0-9A-Fa-f]{2})')
# A deliberately narrow PN_LOCAL: every Turtle parser reads these the same way.
_LOCAL = re.compile(r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?)?")
# Plain str: comparing rdflib terms runs Python-level __eq__, which shows at 10^6 triples.
RDF_TYPE, _XSD_INTEGER, _XSD_BOOLEAN = str(RDF.type), str(XSD.integer), str(XSD.boolean)
_INTEGER = re.compile(r"0|-?[1-9][0-9]*")
# Canonical N-Triples escaping (RDF 1.2): ECHARs where they exist, UCHAR for other controls.
_ESCAPES = {c: f"\\u{c:04X}" for c in [*range(0x08), 0x0B, *range(0x0E, 0x20), 0x7F]}
_ESCAPES |= {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"}
_ESCAPES |= {0x22: '\\"', 0x5C: "\\\\"}
_NEEDS_ESCAPE = re.compile("[" + "".join(f"\\x{c:02x}" for c in _ESCAPES) + "]")


class TermWriter:
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
            if _NEEDS_ESCAPE.search(lexical):  # most text needs none: skip the slow translate
                lexical = lexical.translate(_ESCAPES)
            if node.language:
                return f'"{lexical}"@{node.language}'
            if node.datatype is None:
                return f'"{lexical}"'
            datatype = str(node.datatype)
            if self.pnames and datatype == _XSD_INTEGER and _INTEGER.fullmatch(lexical):
                return lexical
            if self.pnames and datatype == _XSD_BOOLEAN and lexical in ("true", "false"):
                return lexical
            return f'"{lexical}"^^{self._iri(datatype)}'
        if isinstance(node, BNode) and self.bnodes:
            return f"_:{node}"
        if isinstance(node, BNode):
            raise ValueError(f"found the blank node _:{node}; document graphs must have none")
        raise ValueError(f"cannot serialise {node!r}: not an IRI, literal or blank node")

    def _iri(self, iri: str) -> str:
        if BAD_IRI.search(iri):
            raise ValueError(f"cannot serialise {iri!r}: not a valid IRI (a space, <>, bare % ...)")
        if self.pnames:
            cut = max(iri.rfind("#"), iri.rfind("/")) + 1
            prefix = _PREFIX_OF.get(iri[:cut])
            if prefix is not None and _LOCAL.fullmatch(iri, cut):
                self.used.add(prefix)
                return f"{prefix}:{iri[cut:]}"
        return f"<{iri}>"

    def header(self) -> str:
        return prefix_header(self.used)

    def blocks(self, triples: Iterable[Triple], indent: str = "") -> list[str]:
        """One Turtle block per subject: subjects, predicates and objects sorted."""
        tree = self.subjects(triples)
        return [
            turtle_block(self.term(s), tree[s], indent)
            for s in sorted(tree, key=lambda n: (isinstance(n, BNode), str(n)))
        ]

    def subjects(self, triples: Iterable[Triple]) -> dict[Node, Predicates]:
        """Each subject's predicates in Turtle order, each with its sorted object texts."""
        tree: defaultdict[Node, defaultdict[Node, set[str]]] = defaultdict(lambda: defaultdict(set))
        term = self.term
        for s, p, o in triples:
            tree[s][p].add(term(o))
        out: dict[Node, Predicates] = {}
        for s, by_p in tree.items():
            # rdf:type first, as "a", the way Turtle is usually read.
            preds = sorted(by_p, key=lambda n: (str(n) != RDF_TYPE, str(n)))
            out[s] = tuple(
                (str(p), "a" if str(p) == RDF_TYPE else term(p), tuple(sorted(by_p[p])))
                for p in preds
            )
        return out


def prefix_header(prefixes: Iterable[str]) -> str:
    """The ``@prefix`` lines of a Turtle or TriG file, in prefix order."""
    return "".join(f"@prefix {p}: <{_PREFIXES[p]}> .\n" for p in sorted(prefixes))


# A subject's predicates in Turtle order: (predicate IRI, verb as written, sorted objects).
Predicates = tuple[tuple[str, str, tuple[str, ...]], ...]


def turtle_block(subject: str, predicates: Predicates, indent: str = "") -> str:
    """The Turtle (or TriG, indented) block of one subject: ``s p o, o ; p o .``."""
    obj_sep = f",\n{indent}        "
    pred_sep = f" ;\n{indent}    "
    lines = [f"{verb} {obj_sep.join(objects)}" for _, verb, objects in predicates]
    return f"{indent}{subject} {pred_sep.join(lines)} .\n"


# --- JSON ---------------------------------------------------------------------------

_encode_string: Any = getattr(json.encoder, "c_encode_basestring", None) or (
    json.encoder.py_encode_basestring
)


def dump_json(value: Any, level: int = 0, *, sort_keys: bool = False) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False, sort_keys=...)``, nested ``level`` deep.

    Written ``level`` deep, the text is what ``json.dumps`` writes for ``value`` where it
    sits ``level`` containers down in a larger document, so parts can be written apart
    and joined. Only JSON's own types (dict with str keys, list, str, int, bool, None)
    are written here; anything else goes to ``json.dumps`` itself.
    """
    parts: list[str] = []
    _dump(value, level, sort_keys, parts)
    return "".join(parts)


def _dump(value: Any, level: int, sort_keys: bool, out: list[str]) -> None:
    kind = type(value)
    if kind is str:
        out.append(_encode_string(value))
    elif kind is dict:
        if not value:
            out.append("{}")
            return
        inner = "\n" + "  " * (level + 1)
        items = sorted(value.items()) if sort_keys else value.items()
        first = True
        for key, item in items:
            if type(key) is not str:
                out.append(_fallback(value, level, sort_keys))
                return
            out.append(("{" if first else ",") + inner + _encode_string(key) + ": ")
            first = False
            _dump(item, level + 1, sort_keys, out)
        out.append("\n" + "  " * level + "}")
    elif kind is list:
        if not value:
            out.append("[]")
            return
        inner = "\n" + "  " * (level + 1)
        for index, item in enumerate(value):
            out.append(("[" if index == 0 else ",") + inner)
            _dump(item, level + 1, sort_keys, out)
        out.append("\n" + "  " * level + "]")
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif kind is int:
        out.append(int.__repr__(value))
    else:
        out.append(_fallback(value, level, sort_keys))


def _fallback(value: Any, level: int, sort_keys: bool) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=sort_keys)
    return text.replace("\n", "\n" + "  " * level)


def turtle(graph: Graph) -> bytes:
    """Serialise one graph as Turtle, blank nodes (a SHACL report has them) under their labels.

    A report's labels are canonical already (:mod:`kg.validate.report`).
    """
    writer = TermWriter(pnames=True, bnodes=True)
    blocks = writer.blocks(graph)
    header = writer.header()
    return "\n".join([header, *blocks] if header else blocks).encode()
