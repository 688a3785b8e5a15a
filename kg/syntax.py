"""RDF terms as text: Turtle, TriG and N-Quads terms and blocks, compacted JSON-LD, JSON.

The pieces every writer of newskg shares, so that a whole graph written at once
(:mod:`kg.export`) and a build assembled from document parts (:mod:`kg.render`,
:mod:`kg.assemble`) give the same bytes: :class:`TermWriter` renders a term once and
remembers the prefixes it used; :class:`JsonLdContext` compacts IRIs and values with a
context's term definitions (nothing is ever fetched); :func:`dump_json` writes JSON
exactly as ``json.dumps(value, indent=2, ensure_ascii=False)`` does, at any depth, about
five times faster (the standard library's C encoder does not indent).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from kg.terms import is_type
from kg.vocab import PREFIXES

__all__ = [
    "RDF_TYPE",
    "JsonLdContext",
    "JsonNode",
    "Predicates",
    "TermWriter",
    "dump_json",
    "merge_nodes",
    "merge_predicates",
    "object_key",
    "prefix_header",
    "turtle_block",
]

Triple = tuple[Node, Node, Node]

# The report is written with sh:, which no newskg graph uses, so vocab does not bind it.
_PREFIXES: dict[str, str] = dict(PREFIXES) | {"sh": str(SH)}
_PREFIX_OF = {ns: prefix for prefix, ns in _PREFIXES.items()}

# What an IRI may not hold: characters IRIREF forbids, a % not starting a %XX escape.
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]|%(?![0-9A-Fa-f]{2})')
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


def merge_predicates(parts: Iterable[Predicates]) -> Predicates:
    """One subject's predicates from several documents: objects united, order kept."""
    merged: dict[str, tuple[str, set[str]]] = {}
    for predicates in parts:
        for p, verb, objects in predicates:
            found = merged.get(p)
            if found is None:
                merged[p] = (verb, set(objects))
            else:
                found[1].update(objects)
    order = sorted(merged, key=lambda p: (p != RDF_TYPE, p))
    return tuple((p, merged[p][0], tuple(sorted(merged[p][1]))) for p in order)


_GEN_DELIMS = (":", "/", "?", "#", "[", "]", "@")


@dataclass(frozen=True)
class _Term:
    """A context term usable as a property key, and how it reads a bare string."""

    name: str
    coerce: str | None  # "@id", "@vocab", a datatype IRI, or None
    language: str | None  # the language a bare string gets under this term
    as_set: bool


class JsonLdContext:
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
        self._how: dict[tuple[str, int, str | None, str | None], tuple[str, bool, int, Any]] = {}

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
        if isinstance(o, URIRef):
            signature: tuple[str, int, str | None, str | None] = (p, 0, None, None)
        elif isinstance(o, Literal):
            datatype = o.datatype
            signature = (p, 1, None if datatype is None else str(datatype), o.language)
        else:
            raise ValueError(f"cannot write {o!r} as JSON-LD: the graph must hold no blank nodes")
        how = self._how.get(signature)
        if how is None:
            how = self._how[signature] = self._decide(p, o)
        key, as_set, mode, arg = how
        if mode == _COERCED:
            return key, self.iri(str(o), arg == "@vocab"), as_set
        if mode == _BARE:
            return key, str(o), as_set
        if mode == _ID:
            return key, {"@id": self.iri(str(o), vocab=False)}, as_set
        if mode == _LANGUAGE:
            return key, {"@value": str(o), "@language": arg}, as_set
        if mode == _PLAIN:
            return key, {"@value": str(o)}, as_set
        return key, {"@value": str(o), "@type": arg}, as_set

    def _decide(self, p: str, o: Node) -> tuple[str, bool, int, Any]:
        """How values like ``o`` (its kind, datatype and language) compact under ``p``."""
        terms = self.props.get(p, [])
        for term in terms:  # a term that reads a bare string back as exactly ``o``
            if isinstance(o, URIRef) and term.coerce in ("@id", "@vocab"):
                return term.name, term.as_set, _COERCED, term.coerce
            if isinstance(o, Literal) and _bare(o, term.coerce, term.language):
                return term.name, term.as_set, _BARE, None
        for term in terms:
            if term.coerce is None:
                return (term.name, term.as_set, *self._value(o, term.language))
        default = self.raw.get("@language")
        return (self.iri(p, vocab=True, terms=False), False, *self._value(o, default))

    def _value(self, o: Node, language: str | None) -> tuple[int, Any]:
        if isinstance(o, URIRef):
            return _ID, None
        assert isinstance(o, Literal)
        if _bare(o, None, language):
            return _BARE, None
        if o.language:
            return _LANGUAGE, o.language
        if o.datatype is None:
            return _PLAIN, None
        return _TYPED, self.iri(str(o.datatype), vocab=True)

    def nodes(self, triples: Iterable[Triple]) -> dict[URIRef, JsonNode]:
        """Each subject's node: its compacted types and, per key, its values by sort key."""
        nodes: dict[URIRef, JsonNode] = {}
        for s, p, o in triples:
            if not isinstance(s, URIRef):
                raise ValueError(
                    f"cannot write {s!r} as JSON-LD: the graph must hold no blank nodes"
                )
            node = nodes.get(s)
            if node is None:
                node = nodes[s] = ([], {})
            if is_type(p) and isinstance(o, URIRef):
                node[0].append(self.iri(str(o), vocab=True))
                continue
            key, value, as_set = self.entry(str(p), o)
            found = node[1].get(key)
            if found is None:
                node[1][key] = (as_set, {object_key(o): value})
            else:
                found[1][object_key(o)] = value
        return nodes

    def grouped_nodes(self, by_s: dict[Node, dict[Node, list[Node]]]) -> dict[URIRef, JsonNode]:
        """:meth:`nodes` of triples already grouped by subject and predicate."""
        nodes: dict[URIRef, JsonNode] = {}
        for s, by_p in by_s.items():
            if not isinstance(s, URIRef):
                raise ValueError(
                    f"cannot write {s!r} as JSON-LD: the graph must hold no blank nodes"
                )
            types: list[str] = []
            props: dict[str, tuple[bool, dict[tuple[str, str, str, str], Any]]] = {}
            for p, objects in by_p.items():
                ps = str(p)
                typed = is_type(p)
                for o in objects:
                    if typed and isinstance(o, URIRef):
                        types.append(self.iri(str(o), vocab=True))
                        continue
                    key, value, as_set = self.entry(ps, o)
                    found = props.get(key)
                    if found is None:
                        props[key] = (as_set, {object_key(o): value})
                    else:
                        found[1][object_key(o)] = value
            nodes[s] = (types, props)
        return nodes

    def node_object(self, subject: str, node: JsonNode) -> dict[str, Any]:
        """The compacted node as JSON: one value bare, several (or a ``@set``) as a list."""
        types, props = node
        found: dict[str, Any] = {self.alias["@id"]: self.iri(subject, vocab=False)}
        if types:
            ordered = sorted(set(types))
            found[self.alias["@type"]] = (
                ordered if len(ordered) > 1 or self.type_set else ordered[0]
            )
        for key, (as_set, values) in props.items():
            listed = [values[k] for k in sorted(values)]
            found[key] = listed if len(listed) > 1 or as_set else listed[0]
        return found


# A JSON-LD node being built: compacted types; per key, @set-ness and values by sort key.
JsonNode = tuple[list[str], dict[str, tuple[bool, dict[tuple[str, str, str, str], Any]]]]


def merge_nodes(parts: Iterable[JsonNode]) -> JsonNode:
    """One subject's JSON-LD node from several documents: types and values united."""
    types: list[str] = []
    props: dict[str, tuple[bool, dict[tuple[str, str, str, str], Any]]] = {}
    for part_types, part_props in parts:
        types.extend(part_types)
        for key, (as_set, values) in part_props.items():
            found = props.get(key)
            if found is None:
                props[key] = (as_set, dict(values))
            else:
                found[1].update(values)
    return types, props


# How a value compacts (JsonLdContext.entry): a bare compacted IRI, a bare string, or an
# {"@id"}, {"@value", "@language"}, {"@value"}, {"@value", "@type"} object.
_COERCED, _BARE, _ID, _LANGUAGE, _PLAIN, _TYPED = range(6)


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


def object_key(o: Node) -> tuple[str, str, str, str]:
    if isinstance(o, Literal):
        return ("1", str(o), str(o.datatype or ""), o.language or "")
    return ("0", str(o), "", "")


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
