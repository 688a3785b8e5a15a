"""Tests for shapes/kg.ttl and kg.validate: fixtures that must conform or fail, RDF loading."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pyoxigraph
import pyshacl
import pytest
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH

import kg.validate
from kg import resources
from kg.errors import ValidationInputError
from kg.validate import FORMATS, Report, load_rdf, validate, validate_files

HERE = Path(__file__).parent / "shapes"
CONFORMING = sorted((HERE / "conforming").glob("*.ttl"))
NONCONFORMING = sorted((HERE / "nonconforming").glob("*.ttl"))
MINIMAL = HERE / "conforming" / "minimal.ttl"


def _ids(paths: list[Path]) -> list[str]:
    return [path.stem for path in paths]


@pytest.mark.parametrize("path", CONFORMING, ids=_ids(CONFORMING))
def test_conforming_fixture_conforms(path: Path) -> None:
    report = validate_files([path])
    assert report.conforms, report.summary()
    assert report.results == ()


def _expectation(path: Path) -> tuple[str | None, str]:
    """The ``# expect: <path> <component>`` of a fixture, the path expanded to an IRI."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name}: first line must be '# expect: ...'"
    result_path, component = first.removeprefix("# expect: ").split()
    if result_path == "-":
        return None, component
    if result_path.startswith("<"):
        return result_path.strip("<>"), component
    # bind_namespaces="none": rdflib's default schema: is https and would shadow the file's.
    graph = Graph(bind_namespaces="none").parse(path)
    return str(graph.namespace_manager.expand_curie(result_path)), component


@pytest.mark.parametrize("path", NONCONFORMING, ids=_ids(NONCONFORMING))
def test_nonconforming_fixture_fails_for_its_reason(path: Path) -> None:
    expected_path, component = _expectation(path)
    report = validate_files([path])
    assert not report.conforms
    found = {(result.path, result.component.removeprefix(str(SH))) for result in report.results}
    assert (expected_path, component) in found, report.summary()


def _outcomes(report: Graph) -> set[tuple[str, ...]]:
    """(focus, path, shape, component, value) of every result, blank nodes as ``_:``."""
    predicates = (
        SH.focusNode,
        SH.resultPath,
        SH.sourceShape,
        SH.sourceConstraintComponent,
        SH.value,
    )
    return {
        tuple(
            "_:" if isinstance(value, BNode) else str(value)
            for value in (report.value(node, predicate) for predicate in predicates)
        )
        for node in report.subjects(RDF.type, SH.ValidationResult)
    }


@pytest.mark.parametrize("path", NONCONFORMING + CONFORMING, ids=_ids(NONCONFORMING + CONFORMING))
def test_validate_agrees_with_plain_pyshacl(path: Path) -> None:
    # validate() runs the SPARQL constraints itself, over the whole graph; pySHACL run
    # on the same data with the same shapes must find exactly the same results.
    data = Graph().parse(path)
    conforms, expected, _ = pyshacl.validate(
        data, shacl_graph=resources.shapes_graph(), inference="none", advanced=True
    )
    report = validate(data)
    assert report.conforms == conforms
    assert _outcomes(report.graph) == _outcomes(expected)


def test_there_are_enough_fixtures() -> None:
    assert len(CONFORMING) >= 3
    assert len(NONCONFORMING) >= 12


def _shape_nodes(shapes: Graph) -> set[URIRef]:
    kinds = (SH.NodeShape, SH.PropertyShape, SH.SPARQLConstraint)
    nodes = {node for kind in kinds for node in shapes.subjects(RDF.type, kind)}
    assert all(isinstance(node, URIRef) for node in nodes), "every declared shape has an IRI"
    return {node for node in nodes if isinstance(node, URIRef)}


def test_every_shape_tells_the_user_what_to_do() -> None:
    shapes = resources.shapes_graph()
    nodes = _shape_nodes(shapes)
    assert len(nodes) > 40
    for node in nodes:
        has_text = (node, SH.message, None) in shapes or (node, RDFS.comment, None) in shapes
        assert has_text, f"{node} has neither sh:message nor rdfs:comment"
    # Every constraint that can fail reports a message written for users, not pyshacl's.
    for node in shapes.subjects(SH.path, None):
        assert (node, SH.message, None) in shapes, f"{node} has no sh:message"


def test_every_kg_class_is_a_target() -> None:
    shapes = resources.shapes_graph()
    targets = set(shapes.objects(None, SH.targetClass))
    for name in (
        "SourceDocument",
        "Person",
        "Organization",
        "Place",
        "Event",
        "Role",
        "Membership",
        "StatedPosition",
        "Evidence",
    ):
        assert URIRef(f"https://w3id.org/newskg/ontology#{name}") in targets


def test_shapes_are_valid_shacl() -> None:
    # meta_shacl validates the shapes graph against the SHACL-SHACL shapes first.
    conforms, _, text = pyshacl.validate(
        Graph(), shacl_graph=resources.shapes_graph(), meta_shacl=True, inference="none"
    )
    assert conforms, text


def test_summary_names_shapes_and_paths_with_prefixes() -> None:
    report = validate_files(NONCONFORMING)
    text = report.summary(limit=3)
    assert text.startswith("The graph does not conform to the shapes:")
    assert "kgsh:prefLabel" in text
    assert "By shape:" in text
    assert f"First 3 of {len(report.results)} results:" in text
    assert validate_files([MINIMAL]).summary() == "The graph conforms to the shapes."


def test_results_are_sorted_and_report_is_deterministic() -> None:
    paths = [HERE / "nonconforming" / "evidence-blank-node.ttl", *NONCONFORMING]
    first, second = validate_files(paths), validate_files(paths)
    assert list(first.results) == sorted(first.results, key=lambda r: r.sort_key())
    assert first.results == second.results
    turtle = first.graph.serialize(format="turtle")
    assert turtle == second.graph.serialize(format="turtle")
    assert "@prefix kg: <https://w3id.org/newskg/ontology#>" in turtle


def test_validate_merges_named_graphs_of_a_dataset() -> None:
    dataset = Dataset()
    graph = Graph().parse(MINIMAL)
    documents = dataset.graph(URIRef("https://example.org/graph/doc"))
    rest = dataset.graph(URIRef("https://example.org/graph/rest"))
    doc = URIRef("https://w3id.org/newskg/id/doc-1")
    for triple in graph:
        (documents if triple[0] == doc else rest).add(triple)
    # Each named graph alone is incomplete (mentions of an untyped document).
    assert not validate(rest).conforms
    assert validate(dataset).conforms


def _quads(path: Path, graph: str | None) -> list[pyoxigraph.Quad]:
    """The triples of a Turtle file, read by pyoxigraph, as quads in ``graph``."""
    name = pyoxigraph.NamedNode(graph) if graph else pyoxigraph.DefaultGraph()
    return [
        pyoxigraph.Quad(quad.subject, quad.predicate, quad.object, name)
        for quad in pyoxigraph.parse(path=path, format=pyoxigraph.RdfFormat.TURTLE)
    ]


def _write(path: Path, quads: list[pyoxigraph.Quad]) -> Path:
    """Write quads with pyoxigraph (rdflib 7.6 warns when it writes datasets)."""
    pyoxigraph.serialize(quads, path, format=pyoxigraph.RdfFormat.from_extension(path.suffix[1:]))
    return path


def _write_all_formats(tmp_path: Path) -> dict[str, Path]:
    """The minimal fixture written in every supported format, named graphs included."""
    named = _quads(MINIMAL, "https://w3id.org/newskg/id/doc-1")
    default = _quads(MINIMAL, None)
    context = resources.context()["@context"]
    jsonld = Graph().parse(MINIMAL).serialize(format="json-ld", context=context)
    paths = {
        ".ttl": _write(tmp_path / "graph.ttl", default),
        ".nt": _write(tmp_path / "graph.nt", default),
        ".trig": _write(tmp_path / "graph.trig", named),
        ".nq": _write(tmp_path / "graph.nq", named),
    }
    for suffix in (".jsonld", ".json"):
        paths[suffix] = tmp_path / f"graph{suffix}"
        paths[suffix].write_text(jsonld, encoding="utf-8")
    assert set(paths) == set(FORMATS)
    return paths


def test_load_rdf_reads_every_format(tmp_path: Path) -> None:
    expected = len(Graph().parse(MINIMAL))
    for suffix, path in _write_all_formats(tmp_path).items():
        dataset = load_rdf(path)
        assert len(list(dataset.quads((None, None, None, None)))) == expected, suffix
        report = validate_files([path])
        assert report.conforms, f"{suffix}: {report.summary()}"


def test_load_rdf_keeps_named_graphs(tmp_path: Path) -> None:
    path = _write(tmp_path / "graph.trig", _quads(MINIMAL, "https://example.org/g"))
    names = {str(graph.identifier) for graph in load_rdf(path).graphs()}
    assert "https://example.org/g" in names


def test_validate_files_takes_the_union_of_all_files(tmp_path: Path) -> None:
    doc = pyoxigraph.NamedNode("https://w3id.org/newskg/id/doc-1")
    quads = _quads(MINIMAL, None)
    about_doc = [quad for quad in quads if quad.subject == doc]
    rest = [q for q in _quads(MINIMAL, "https://example.org/g") if q.subject != doc]
    _write(tmp_path / "doc.nt", about_doc)
    _write(tmp_path / "rest.trig", rest)
    assert not validate_files([tmp_path / "rest.trig"]).conforms
    assert validate_files([tmp_path / "doc.nt", tmp_path / "rest.trig"]).conforms


BROKEN = {
    ".ttl": "<https://example.org/a> <https://example.org/b> .",
    ".trig": "<https://example.org/g> { <https://example.org/a> <https://example.org/b> ",
    ".nq": "<https://example.org/a> <https://example.org/b> <https://example.org/c> <g> <h> .",
    ".nt": "<https://example.org/a> <https://example.org/b> 'c' .",
    ".jsonld": '{"@id": "https://example.org/a", ',
    ".json": "[1, 2,",
}


@pytest.mark.parametrize("suffix", sorted(BROKEN))
def test_broken_file_raises_one_line_naming_it(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"broken{suffix}"
    path.write_text(BROKEN[suffix], encoding="utf-8")
    with pytest.raises(ValidationInputError) as info:
        load_rdf(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message


def test_unknown_extension_and_missing_file_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "graph.rdf"
    path.write_text("<rdf:RDF/>", encoding="utf-8")
    with pytest.raises(ValidationInputError, match=r"graph\.rdf: unknown RDF file extension"):
        load_rdf(path)
    with pytest.raises(ValidationInputError, match="cannot read the file"):
        load_rdf(tmp_path / "missing.ttl")


@pytest.mark.parametrize(
    "document",
    [
        {"@context": "https://w3id.org/newskg/context.jsonld", "@id": "https://example.org/a"},
        {"@context": ["context.jsonld", {"kg": "https://w3id.org/newskg/ontology#"}]},
        {"@context": {"@import": "https://example.org/context.jsonld"}},
        {"@graph": [{"@context": "https://example.org/scoped.jsonld", "@id": "_:a"}]},
        {"@context": {"p": {"@id": "https://example.org/p", "@context": "https://ex.org/c"}}},
    ],
)
def test_jsonld_with_a_remote_context_is_refused(tmp_path: Path, document: object) -> None:
    path = tmp_path / "graph.jsonld"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ValidationInputError, match="inline the context"):
        load_rdf(path)


def test_report_type() -> None:
    report = validate(Graph())
    assert isinstance(report, Report)
    assert report.conforms
    assert (None, RDF.type, SH.ValidationReport) in report.graph


# The engine's modules, lowest first: each may import only those before it. The engine
# composes the checks, the SPARQL constraints and the index; none of them imports it.
_LAYERS = ["index", "expressions", "minisparql", "checks", "sparql", "engine"]


def _validate_imports(module: str) -> set[str]:
    """The kg.validate modules a module imports, under TYPE_CHECKING or not."""
    tree = ast.parse((Path(kg.validate.__file__).parent / f"{module}.py").read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "kg.validate":
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kg.validate."):
            found.add((node.module or "").split(".")[2])
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.startswith("kg.validate.")]
            found.update(name.split(".")[2] for name in names)
    return found


@pytest.mark.parametrize("module", _LAYERS)
def test_the_engine_modules_import_no_circle(module: str) -> None:
    below = set(_LAYERS[: _LAYERS.index(module)])
    imported = _validate_imports(module)
    assert imported <= below, f"kg.validate.{module} imports {sorted(imported - below)}"
