"""The library's front door (``import kg``): complete, light to import, and as the README shows."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pyoxigraph as ox
import pytest
from spacy.language import Language

import kg
from kg.graph.vocab import KG
from tests.conftest import EXAMPLES, ROOT

OUTPUTS = ("graph.ttl", "graph.jsonld", "graph.trig", "graph.nq", "validation.ttl", "people.json")
# Written for this test: a speaker, her role and what she said.
ARTICLE = (
    "Ana Lindqvist, MEP from Sweden, spoke in Brussels on Monday.\n\n"
    '"We must protect journalists," Lindqvist said.\n'
)


def test_all_is_sorted_and_names_every_public_member() -> None:
    """As httpx checks its own: what the package offers is exactly what __all__ lists."""
    assert kg.__all__ == sorted(kg.__all__)
    public = {
        name
        for name, value in vars(kg).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    lazy = {"Build", "Report"}  # imported on first use (they need rdflib and spaCy)
    assert public | lazy == set(kg.__all__) - {"__version__"}
    for name in kg.__all__:
        assert getattr(kg, name) is not None, name
    assert set(kg.__all__) <= set(dir(kg))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        kg.nothing  # noqa: B018


def test_importing_kg_loads_neither_spacy_nor_rdflib() -> None:
    heavy = "('spacy', 'rdflib', 'pyshacl')"
    code = f"import sys, kg; print(sorted(m for m in {heavy} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_build_texts_in_memory(pipeline: Language) -> None:
    built = kg.build_texts({"note.txt": ARTICLE}, nlp=pipeline)
    assert isinstance(built, kg.Build) and isinstance(built.report, kg.Report)
    assert built.documents == 1 and not built.errors and built.report.conforms
    assert built.files == ()
    assert built.counts[str(KG.Person)] >= 1 and built.counts[str(KG.StatedPosition)] == 1
    (graph,) = built.graphs.values()
    assert (None, KG.proposition, None) in graph


def test_build_texts_reports_a_bad_text_and_builds_the_rest(pipeline: Language) -> None:
    built = kg.build_texts(
        [kg.Article("good.txt", ARTICLE), kg.Article("empty.txt", "  ")], nlp=pipeline
    )
    assert built.documents == 1
    (error,) = built.errors
    assert isinstance(error, kg.InputError)
    assert str(error) == (
        "the text 'empty.txt': \"text\" is empty or only whitespace; "
        "fix the record, or remove the line"
    )


def test_build_graph_writes_what_kg_build_writes(examples_out: Path, tmp_path: Path) -> None:
    built = kg.build_graph([EXAMPLES], out=tmp_path / "out", use_cache=False)
    assert built.documents == 5 and built.report.conforms
    assert sorted(p.name for p in built.files) == sorted(OUTPUTS)
    for name in OUTPUTS:
        assert (tmp_path / "out" / name).read_bytes() == (examples_out / name).read_bytes(), name


def test_a_bad_base_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="base IRI must be http"):
        kg.build_graph([tmp_path / "missing"], base="urn:x:")


def test_validate_files_and_query(examples_out: Path, tmp_path: Path) -> None:
    assert kg.validate_files([examples_out / "graph.ttl"]).conforms
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(kg.ValidationInputError):
        kg.validate_files([broken])

    names = [s["name"].value for s in kg.query(PEOPLE, examples_out)]  # type: ignore[union-attr]
    assert names == sorted(names) and len(names) == 14
    person = f"<{next(iter(kg.query(ONE_PERSON, examples_out)))['p'].value}>"  # type: ignore[call-overload]
    roles = kg.query("roles-of-person", examples_out, params={"person": person})
    assert isinstance(roles, ox.QuerySolutions)
    with pytest.raises(kg.QueryError, match="read-only"):
        kg.query("DELETE WHERE { ?s ?p ?o }", examples_out)


PEOPLE = "SELECT DISTINCT ?name WHERE { ?p a kg:Person ; skos:prefLabel ?name } ORDER BY ?name"
ONE_PERSON = "SELECT ?p WHERE { ?p a kg:Person } ORDER BY ?p LIMIT 1"


def test_the_readme_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's Python example, run as it is written, in a folder with articles/."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (code,) = re.findall(r"```python\n(.*?)```", readme, re.DOTALL)
    shutil.copytree(EXAMPLES, tmp_path / "articles")
    monkeypatch.chdir(tmp_path)
    printed: list[object] = []

    def shown(*values: object) -> None:
        printed.append(values)

    exec(compile(code, "README.md", "exec"), {"print": shown})
    assert (tmp_path / "out" / "graph.ttl").is_file()
    assert printed
