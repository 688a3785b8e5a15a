"""JSON-LD compaction with a context's term definitions, for graph.jsonld and people.json.

:class:`JsonLdContext` reads a context once (prefixes, ``@id``/``@vocab``/datatype
coercion, ``@language``, ``@set`` containers, ``@id``/``@type`` aliases) and compacts
IRIs and values with it the way JSON-LD compaction does, choosing only terms every
processor reads back alike. Nothing is ever fetched: a context that imports or names
another one is refused.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.graph.terms import is_type
from kg.write.syntax import BAD_IRI, Triple, dump_json

__all__ = ["JsonLdContext", "JsonNode", "object_key"]


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
            if len(self._cache) >= _CACHE_LIMIT:
                # Bounded: a build compacts every node's IRI, millions at 10,000 articles,
                # and all but the vocabulary's are asked of one document only.
                self._cache.clear()
            found = self._cache[key] = self._compact(iri, vocab, terms)
        return found

    def _compact(self, iri: str, vocab: bool, terms: bool) -> str:
        if BAD_IRI.search(iri):
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


_CACHE_LIMIT = 1 << 15  # compacted IRIs kept (JsonLdContext.iri)

# A JSON-LD node being built: compacted types; per key, @set-ness and values by sort key.
JsonNode = tuple[list[str], dict[str, tuple[bool, dict[tuple[str, str, str, str], Any]]]]


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


def node_text(context: JsonLdContext, subject: str, node: JsonNode) -> str:
    """A (merged) JSON-LD node as graph.jsonld writes it."""
    return dump_json(context.node_object(subject, node), 2, sort_keys=True)


def jsonld_frame(context: JsonLdContext) -> tuple[str, str, str]:
    """graph.jsonld around its nodes: (head, separator, tail); the empty file is head+tail
    with ``[]``, see :func:`jsonld_chunks`."""
    probe: dict[str, Any] = {"@context": context.raw, "@graph": []}
    text = dump_json(probe, 0, sort_keys=True)
    head = text[: -len("[]\n}")]
    return head, ",\n    ", "\n  ]\n}\n"


def jsonld_chunks(context: JsonLdContext, texts: Iterable[str]) -> Iterable[str]:
    """graph.jsonld in pieces, from its node texts in order."""
    head, separator, tail = jsonld_frame(context)
    first = True
    for text in texts:
        yield (head + "[\n    " if first else separator) + text
        first = False
    yield head + "[]\n}\n" if first else tail
