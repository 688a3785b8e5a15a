"""SHACL validation of newskg graphs: RDF files in, the shapes checked, a deterministic Report out.

The shipped shapes (``shapes/kg.ttl``) are used unless others are given. :mod:`kg.shacl`
checks them (the SHACL Core components newskg's shapes use, reported as pySHACL
reports them); shapes using anything else go to pySHACL, whose SPARQL constraints on a
target class then run once over the whole graph in pyoxigraph instead (pySHACL's
per-node queries take minutes on a few hundred positions). Validation never touches the
network: no inference, no ``owl:imports``, and a JSON-LD file may only carry its context
inline. The report graph gets stable blank node labels, so the same data always gives
the same report, triple for triple and in order.

A build validates each document graph apart and then, in one small cross-document check,
the nodes several documents describe (entities): see :func:`report` and
:mod:`kg.pipeline`.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph
import pyshacl
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import ConjunctiveGraph
from rdflib.namespace import RDF, SH, XSD
from rdflib.plugins.parsers.jsonld import to_rdf
from rdflib.term import Node

from kg import resources
from kg.errors import ValidationInputError
from kg.shacl import Finding, Shapes, Unsupported
from kg.shacl_sparql import from_oxigraph
from kg.vocab import bind_prefixes

__all__ = [
    "FORMATS",
    "Report",
    "Result",
    "cross_document",
    "engine",
    "load_rdf",
    "report",
    "validate",
    "validate_files",
]

# File extension -> (rdflib parser name, what to call the format in messages).
FORMATS: dict[str, tuple[str, str]] = {
    ".ttl": ("turtle", "Turtle"),
    ".trig": ("trig", "TriG"),
    ".nq": ("nquads", "N-Quads"),
    ".nt": ("nt", "N-Triples"),
    ".jsonld": ("json-ld", "JSON-LD"),
    ".json": ("json-ld", "JSON-LD"),
}

SHAPES_NS = "https://w3id.org/newskg/shapes#"

# Results are listed most severe first.
_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class Result:
    """One validation result, its nodes given as full IRIs (``_:label`` for blank nodes).

    ``path`` is None for a constraint on the focus node itself (for example "must be an
    IRI"); ``severity`` is ``Violation``, ``Warning`` or ``Info``; ``shape`` is the shape
    that failed and ``component`` the SHACL constraint component's IRI.
    """

    focus: str
    path: str | None
    message: str
    severity: str
    shape: str
    component: str = ""

    def sort_key(self) -> tuple[int, str, str, str, str, str]:
        """Severity first, then shape, focus node, path, component and message."""
        return (
            _SEVERITY_ORDER.get(self.severity, len(_SEVERITY_ORDER)),
            self.shape,
            self.focus,
            self.path or "",
            self.component,
            self.message,
        )


@dataclass(frozen=True)
class Report:
    """The outcome of one validation: the verdict, the report graph and its results."""

    conforms: bool
    graph: Graph
    results: tuple[Result, ...]

    def summary(self, limit: int = 20) -> str:
        """A readable multi-line text: the verdict, counts by shape, the first results."""
        if not self.results:
            return "The graph conforms to the shapes."
        severities = Counter(result.severity for result in self.results)
        counts = ", ".join(
            f"{severities[name]} {name.lower()}{'' if severities[name] == 1 else 's'}"
            for name in sorted(severities, key=lambda s: _SEVERITY_ORDER.get(s, 9))
        )
        verdict = "conforms to" if self.conforms else "does not conform to"
        lines = [f"The graph {verdict} the shapes: {counts}.", "", "By shape:"]
        by_shape = Counter(result.shape for result in self.results)
        first_message: dict[str, str] = {}
        for result in self.results:
            first_message.setdefault(result.shape, result.message)
        width = len(str(max(by_shape.values())))
        for shape, count in sorted(by_shape.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"  {count:>{width}}  {self._name(shape)}: {first_message[shape]}")
        shown = self.results[: max(limit, 0)]
        lines += ["", f"First {len(shown)} of {len(self.results)} results:"]
        for result in shown:
            where = self._name(result.focus)
            if result.path is not None:
                where += f" {self._name(result.path)}"
            lines.append(f"  {result.severity}: {where}")
            lines.append(f"      {result.message}")
        return "\n".join(lines)

    def _name(self, value: str) -> str:
        """An IRI as a prefixed name where a prefix is bound, else as ``<IRI>``."""
        if value.startswith(("_:", "<", "(", "^")) or " " in value:
            return value  # a blank node or a rendered path: already readable
        return URIRef(value).n3(self.graph.namespace_manager)


def validate(data: Graph, shapes: Graph | None = None) -> Report:
    """Validate ``data`` (all its triples, named graphs merged) against the shapes."""
    checker = engine(shapes)
    if checker is None:
        return _validate_with_pyshacl(data, shapes)
    if isinstance(data, ConjunctiveGraph):
        triples = [(s, p, o) for s, p, o, _ in data.quads((None, None, None, None))]
    else:
        triples = list(data)
    return report(checker.check(triples), triples, checker.graph)


def engine(shapes: Graph | None = None) -> Shapes | None:
    """The shapes compiled for :mod:`kg.shacl`, or None when they need pySHACL."""
    if shapes is None:
        return _shipped_engine()
    try:
        return Shapes(shapes)
    except Unsupported:
        return None


@cache
def _shipped_engine() -> Shapes | None:
    try:
        return Shapes(_shipped_shapes())
    except Unsupported:
        return None


def report(
    findings: Iterable[Finding], data: Iterable[Triple] = (), shapes: Graph | None = None
) -> Report:
    """The report of a validation's findings: the graph pySHACL would write, relabelled.

    The data conforms unless a finding is a violation (warnings and infos are listed
    but allowed, as ``kg build`` always allowed them). A blank node the report names is
    copied into it with what ``data`` (or, for a shape, ``shapes``) says about it, as
    pySHACL copies it; document graphs have none.
    """
    graph = Graph()
    root = BNode()
    conforms = True
    findings = list(findings)
    blanks = _BlankCopier(graph, data, shapes)
    for finding in findings:
        blanks.copy(finding.focus, finding.value, data=True)
        blanks.copy(finding.shape, finding.constraint, data=False)
        result = BNode()
        graph.add((root, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.focusNode, finding.focus))
        graph.add((result, SH.resultSeverity, finding.severity))
        graph.add((result, SH.sourceShape, finding.shape))
        graph.add((result, SH.sourceConstraintComponent, finding.component))
        if finding.path is not None:
            graph.add((result, SH.resultPath, finding.path))
        if finding.value is not None:
            graph.add((result, SH.value, finding.value))
        if finding.constraint is not None:
            graph.add((result, SH.sourceConstraint, finding.constraint))
        for message in finding.messages:
            graph.add((result, SH.resultMessage, message))
        conforms = conforms and finding.severity != SH.Violation
    graph.add((root, RDF.type, SH.ValidationReport))
    graph.add((root, SH.conforms, Literal(conforms)))
    canonical = _canonical(graph)
    results = tuple(sorted(_results(canonical), key=Result.sort_key))
    return Report(conforms=conforms, graph=canonical, results=results)


Triple = tuple[Node, Node, Node]


class _BlankCopier:
    """Copies blank nodes of the data or the shapes into a report, deep, as pySHACL does."""

    _DEPTH = 10  # pySHACL's limit

    def __init__(self, report: Graph, data: Iterable[Triple], shapes: Graph | None) -> None:
        self.report = report
        self.data = data
        self.shapes = shapes
        self._index: dict[Node, list[tuple[Node, Node]]] | None = None
        self._done: set[tuple[bool, Node]] = set()

    def copy(self, *nodes: Node | None, data: bool) -> None:
        for node in nodes:
            if isinstance(node, BNode):
                self._copy(node, data, 0)

    def _outgoing(self, node: Node, data: bool) -> list[tuple[Node, Node]]:
        if not data:
            return [] if self.shapes is None else list(self.shapes.predicate_objects(node))
        if self._index is None:
            self._index = {}
            for s, p, o in self.data:
                if isinstance(s, BNode):
                    self._index.setdefault(s, []).append((p, o))
        return self._index.get(node, [])

    def _copy(self, node: BNode, data: bool, depth: int) -> None:
        if (data, node) in self._done or depth >= self._DEPTH:
            return
        self._done.add((data, node))
        for p, o in self._outgoing(node, data):
            self.report.add((node, p, o))
            if isinstance(o, BNode):
                self._copy(o, data, depth + 1)


def cross_document(
    shapes: Shapes, triples: Iterable[Triple], shared: Callable[[Node], bool]
) -> list[Finding]:
    """The check across documents of a build: each shared node (an entity several
    documents describe) on everything all documents say about it.

    Each document graph was checked apart, its own nodes only (:func:`kg.render.render`);
    ``triples`` are those the documents said about shared nodes, and the types of the
    nodes those point at (:attr:`kg.render.DocParts.shared` and ``targets``). Together
    the two checks find what checking the union of the document graphs finds, because
    every other node lives in one document graph, with the types of what it points at.
    """
    return shapes.check(triples, shared)


def _validate_with_pyshacl(data: Graph, shapes: Graph | None) -> Report:
    merged = _merged(data)
    core, whole = _split_sparql(shapes if shapes is not None else _shipped_shapes())
    conforms, report_graph, _ = pyshacl.validate(
        merged,
        shacl_graph=core,
        inference="none",
        abort_on_first=False,
        allow_infos=True,
        allow_warnings=True,
        advanced=True,
        meta_shacl=False,
        do_owl_imports=False,
        js=False,
        debug=False,
    )
    if _add_whole_graph_results(merged, whole, report_graph):
        conforms = False
    graph = _canonical(report_graph)
    results = tuple(sorted(_results(graph), key=Result.sort_key))
    return Report(conforms=bool(conforms), graph=graph, results=results)


def _to_oxigraph(term: Node) -> Any:
    """An rdflib term as a pyoxigraph term (data graphs have no blank nodes to speak of)."""
    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(str(term))
    if isinstance(term, BNode):
        return pyoxigraph.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return pyoxigraph.Literal(str(term), language=term.language)
        datatype = term.datatype or XSD.string
        return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(str(datatype)))
    raise TypeError(f"unexpected RDF term {term!r}")


def _oxigraph_store(data: Graph) -> Any:
    """An in-memory pyoxigraph store of the data: its SPARQL engine plans joins well."""
    store = pyoxigraph.Store()
    store.extend(
        pyoxigraph.Quad(_to_oxigraph(s), _to_oxigraph(p), _to_oxigraph(o)) for s, p, o in data
    )
    return store


@dataclass(frozen=True)
class _WholeGraphConstraint:
    """A SPARQL constraint run once over the whole data graph, not once per focus node."""

    shape: Node
    constraint: Node
    query: str
    message: str
    severity: Node


def _split_sparql(shapes: Graph) -> tuple[Graph, tuple[_WholeGraphConstraint, ...]]:
    """The shapes without their SPARQL constraints, and those constraints as whole-graph queries.

    pySHACL evaluates a SPARQL constraint once per focus node, which costs seconds per
    hundred nodes; the same SELECT with ``$this`` left free, restricted to the shape's
    target class, finds every violation in one query with the same results.
    """
    whole: list[_WholeGraphConstraint] = []
    core = Graph()
    for triple in shapes:
        core.add(triple)
    for shape, constraint in shapes.subject_objects(SH.sparql):
        select = shapes.value(constraint, SH.select)
        targets = list(shapes.objects(shape, SH.targetClass))
        if select is None or len(targets) != 1:
            continue  # leave anything unusual to pySHACL
        prefixes = "".join(
            f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
            for source in shapes.objects(constraint, SH.prefixes)
            for d in shapes.objects(source, SH.declare)
        )
        body = str(select).replace("$this", "?this")
        where = body.index("{", body.upper().index("WHERE")) + 1
        body = f"{body[:where]} ?this a <{targets[0]}> . {body[where:]}"
        message = shapes.value(constraint, SH.message) or shapes.value(shape, SH.message)
        severity = shapes.value(shape, SH.severity) or SH.Violation
        whole.append(
            _WholeGraphConstraint(shape, constraint, prefixes + body, str(message or ""), severity)
        )
        core.remove((shape, SH.sparql, constraint))
    return core, tuple(whole)


def _add_whole_graph_results(
    data: Graph, constraints: tuple[_WholeGraphConstraint, ...], report: Graph
) -> bool:
    """Run each whole-graph constraint, add its results to the report; True on a violation."""
    found = False
    root = report.value(None, RDF.type, SH.ValidationReport, any=False) if constraints else None
    store = _oxigraph_store(data) if constraints else None
    for constraint in constraints:
        assert store is not None
        solutions = store.query(constraint.query)
        for solution in solutions:
            bindings = {
                name: from_oxigraph(solution[name])
                for name in (v.value for v in solutions.variables)
                if solution[name] is not None
            }
            result = BNode()
            report.add((result, RDF.type, SH.ValidationResult))
            report.add((result, SH.focusNode, bindings["this"]))
            report.add((result, SH.resultSeverity, constraint.severity))
            report.add((result, SH.sourceShape, constraint.shape))
            report.add((result, SH.sourceConstraint, constraint.constraint))
            report.add((result, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
            if "path" in bindings:
                report.add((result, SH.resultPath, bindings["path"]))
            # As SHACL-SPARQL says: ?value if the query binds it, else the focus node.
            report.add((result, SH.value, bindings.get("value", bindings["this"])))
            message = constraint.message
            for name, value in bindings.items():
                message = message.replace(f"{{?{name}}}", str(value))
            message = message.replace("{$this}", str(bindings["this"]))
            report.add((result, SH.resultMessage, Literal(message)))
            if root is not None:
                report.add((root, SH.result, result))
            found = found or constraint.severity == SH.Violation
    if found and root is not None:
        report.set((root, SH.conforms, Literal(False)))
    return found


def validate_files(paths: Iterable[Path], shapes: Graph | None = None) -> Report:
    """Validate the union of all triples of all files (every named graph merged)."""
    union = Graph()
    for path in paths:
        for s, p, o, _ in load_rdf(Path(path)).quads((None, None, None, None)):
            union.add((s, p, o))
    return validate(union, shapes)


def load_rdf(path: Path) -> Dataset:
    """Read one RDF file, chosen by extension, into a dataset; never fetches anything."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(FORMATS)
        raise ValidationInputError(
            f"{path}: unknown RDF file extension {suffix or '(none)'!r}; give a file ending in "
            f"{known}"
        )
    parser, name = FORMATS[suffix]
    dataset = Dataset()
    try:
        with warnings.catch_warnings():
            # rdflib 7.6's own parsers still go through its deprecated ConjunctiveGraph
            # API and warn about it; the warning concerns rdflib's internals, not us.
            warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"rdflib\.")
            if parser == "json-ld":
                _parse_jsonld(path, dataset)
            else:
                with path.open("rb") as file:
                    dataset.parse(file=file, format=parser, publicID=path.resolve().as_uri())
    except ValidationInputError:
        raise
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ValidationInputError(
            f"{path}: cannot read the file ({reason}); check the path and its permissions"
        ) from exc
    except Exception as exc:  # rdflib's parsers raise many unrelated exception types
        raise ValidationInputError(
            f"{path}: not valid {name} ({_first_line(exc)}); fix the syntax or export the "
            "graph again"
        ) from exc
    bind_prefixes(dataset)
    return dataset


def _parse_jsonld(path: Path, dataset: Dataset) -> None:
    """Parse a JSON-LD file whose contexts are all inline into ``dataset``."""
    with path.open(encoding="utf-8") as file:
        data = json.load(file)
    reference = next(_context_references(data), None)
    if reference is not None:
        raise ValidationInputError(
            f"{path}: names the JSON-LD context {reference!r}, which would have to be "
            "fetched; inline the context object in the file (kg build writes graph.jsonld "
            "that way) and validate again"
        )
    to_rdf(data, dataset, base=path.resolve().as_uri(), version=1.1)


def _context_references(value: Any) -> Iterator[str]:
    """Every context the document refers to by IRI (``@context`` strings, ``@import``)."""
    if isinstance(value, list):
        for item in value:
            yield from _context_references(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "@context":
                contexts = item if isinstance(item, list) else [item]
                yield from (context for context in contexts if isinstance(context, str))
            if key == "@import" and isinstance(item, str):
                yield item
            yield from _context_references(item)


@cache
def _shipped_shapes() -> Graph:
    """The shipped shapes, parsed once per process (pyshacl does not modify them)."""
    return resources.shapes_graph()


def _merged(data: Graph) -> Graph:
    """A plain graph of all triples: pyshacl would validate each named graph apart."""
    if not isinstance(data, ConjunctiveGraph):
        return data
    union = Graph()
    for s, p, o, _ in data.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


def _canonical(report: Graph) -> Graph:
    """The report with stable blank node labels and the project's prefixes bound."""
    colours = _bnode_colours(report)
    order = sorted(colours, key=colours.__getitem__)
    width = len(str(len(order)))
    labels = {node: BNode(f"r{index:0{width}d}") for index, node in enumerate(order)}

    def relabel(term: Node) -> Node:
        return labels[term] if isinstance(term, BNode) else term

    graph = Graph(bind_namespaces="none")
    for s, p, o in report:
        graph.add((relabel(s), relabel(p), relabel(o)))
    bind_prefixes(graph)
    graph.bind("sh", SH, override=True, replace=True)
    graph.bind("kgsh", SHAPES_NS, override=True, replace=True)
    return graph


def _bnode_colours(graph: Graph) -> dict[BNode, str]:
    """A distinct hash of each blank node's surroundings, the same on every run.

    Blank node labels from pyshacl and from parsers change from run to run. Each node's
    hash is refined from its neighbours' until the partition is stable; nodes still
    alike are interchangeable (alike results about alike blank nodes of the data), so
    they are numbered in any order and refined again. rdflib's exact canonicalisation
    would do the same job, but takes minutes on reports of many alike results.
    """
    nodes = sorted(
        {term for triple in graph for term in triple if isinstance(term, BNode)}, key=str
    )
    edges = {
        node: (
            [(p.n3(), o) for p, o in graph.predicate_objects(node)],
            [(s, p.n3()) for s, p in graph.subject_predicates(node)],
        )
        for node in nodes
    }
    colours = _refine(edges, dict.fromkeys(nodes, ""))
    while True:
        classes: dict[str, list[BNode]] = {}
        for node in nodes:
            classes.setdefault(colours[node], []).append(node)
        alike = sorted(colour for colour, members in classes.items() if len(members) > 1)
        if not alike:
            return colours
        for index, node in enumerate(classes[alike[0]]):
            colours[node] = _digest(f"{alike[0]}#{index}")
        colours = _refine(edges, colours)


def _refine(
    edges: dict[BNode, tuple[list[tuple[str, Node]], list[tuple[Node, str]]]],
    colours: dict[BNode, str],
) -> dict[BNode, str]:
    """Hash each node with its neighbours' hashes until no class splits any more."""

    def key(term: Node) -> str:
        return f"_:{colours[term]}" if isinstance(term, BNode) else term.n3()

    count = len(set(colours.values()))
    while True:
        refined = {}
        for node, (outgoing, incoming) in edges.items():
            lines = [f"> {p} {key(o)}" for p, o in outgoing]
            lines += [f"< {key(s)} {p}" for s, p in incoming]
            refined[node] = _digest(colours[node] + "\n" + "\n".join(sorted(lines)))
        colours = refined
        new_count = len(set(colours.values()))
        if new_count == count:
            return colours
        count = new_count


def _digest(text: str) -> str:
    """SHA-256 of a text, in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _results(graph: Graph) -> Iterator[Result]:
    """The results of a report graph, in no particular order."""
    for node in graph.subjects(RDF.type, SH.ValidationResult):
        messages = sorted(str(m) for m in graph.objects(node, SH.resultMessage))
        severity = graph.value(node, SH.resultSeverity)
        path = graph.value(node, SH.resultPath)
        yield Result(
            focus=_text(graph.value(node, SH.focusNode)),
            path=None if path is None else _path_text(graph, path),
            message=messages[0] if messages else "",
            severity=str(severity).removeprefix(str(SH)) if severity is not None else "",
            shape=_text(graph.value(node, SH.sourceShape)),
            component=_text(graph.value(node, SH.sourceConstraintComponent)),
        )


def _text(node: Node | None) -> str:
    """An IRI as itself; a blank node as ``_:label``; a literal in N-Triples form."""
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return str(node)
    if isinstance(node, (BNode, Literal)):
        return node.n3()
    return str(node)


def _path_text(graph: Graph, path: Node) -> str:
    """A SHACL property path as text: an IRI, or SPARQL-like syntax for complex paths."""
    if isinstance(path, URIRef):
        return str(path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return f"^{_path_part(graph, inverse)}"
    for predicate, suffix in (
        (SH.zeroOrMorePath, "*"),
        (SH.oneOrMorePath, "+"),
        (SH.zeroOrOnePath, "?"),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            return f"{_path_part(graph, inner)}{suffix}"
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        items = graph.items(alternatives)
        return "(" + " | ".join(_path_part(graph, item) for item in items) + ")"
    if graph.value(path, RDF.first) is not None:
        return "(" + " / ".join(_path_part(graph, item) for item in graph.items(path)) + ")"
    return _text(path)


def _path_part(graph: Graph, path: Node) -> str:
    """A path inside a complex path, with IRIs in angle brackets."""
    text = _path_text(graph, path)
    return f"<{text}>" if isinstance(path, URIRef) else text


def _first_line(exc: BaseException) -> str:
    """The first non-empty line of an exception's message, shortened for one-line errors."""
    for line in str(exc).splitlines():
        if line.strip():
            text = " ".join(line.split())
            return text if len(text) <= 200 else text[:197] + "..."
    return type(exc).__name__
