"""kg query: the shipped competency queries on examples/, parameters, refusals, formats.

Expected rows come from what the articles in examples/ say (read them), so a test fails
when the extraction or the query goes wrong.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from spacy.language import Language

from kg import errors
from kg.build import build
from kg.cli import main
from kg.errors import KgError
from kg.graph.iri import DEFAULT_BASE
from kg.sparql import QueryError, parse_term, query_text, shipped
from tests.conftest import ROOT

KG = "https://w3id.org/newskg/ontology#"
CONFERENCE, HEARING, BRIEFING = (
    "01-press-freedom-conference.txt",
    "02-live-report-sanctions-hearing.txt",
    "03-human-rights-briefing.md",
)
FORUM, WIRE = "04-water-rights-forum.html", "azmeria-journalist-sentenced-2024-05-20"


def kg(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def rows(*args: str) -> list[dict[str, str]]:
    """The solutions of ``kg query ARGS --format json``, each variable to its value."""
    code, out, err = kg("query", *args, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def one_line_error(code: int, err: str) -> str:
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("kg: "), err
    return err


# -- the shipped queries --------------------------------------------------------------------


def test_list_names_each_shipped_query_with_its_description() -> None:
    code, out, _ = kg("query", "--list")
    assert code == 0
    listed = dict(line.split(None, 1) for line in out.splitlines())
    files = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
    assert sorted(listed) == files
    assert {
        "positions-of-person",
        "calls-on",
        "members-of-organization",
        "positions-about",
        "same-position",
        "events-timeline",
        "documents-mentioning",
        "roles-of-person",
    } <= set(listed)
    for name in files:
        first = (ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8").splitlines()[0]
        assert listed[name] == first.lstrip("# ").strip()


@pytest.mark.parametrize("query", [q.name for q in shipped()])
def test_every_shipped_query_runs_and_projects_its_documented_params(
    query: str, examples_out: Path
) -> None:
    (spec,) = [q for q in shipped() if q.name == query]
    assert spec.description and spec.params, "document the query and its parameters"
    assert rows(query, "--data", str(examples_out))
    for param in spec.params:
        # pyoxigraph binds only projected variables: each documented one must be bindable.
        code, _, err = kg("query", query, "--data", str(examples_out), "--param", f"{param.name}=x")
        assert code == 0, err


# The ten positions of Katarina Holmberg in examples/: a phrase of each, by document.
HOLMBERG = {
    (CONFERENCE, "Every journalist in an Azmerian prison"),
    (CONFERENCE, "could not keep negotiating a trade agreement"),
    (CONFERENCE, "Our trade policy cannot be separated"),
    (CONFERENCE, "suspend the trade talks"),
    (CONFERENCE, "send a delegation to Dovran"),
    (BRIEFING, "We have written letters"),
    (BRIEFING, "The Council has every tool it needs"),
    (BRIEFING, "impose sanctions on the judges"),
    (BRIEFING, "conclusions would be sent to the High Representative"),
    (WIRE, "a direct answer to Europe's silence"),
}


def _matched(found: list[dict[str, str]], expected: set[tuple[str, str]], text: str) -> None:
    """Each row matches exactly one expected (document, phrase), and every one is matched."""
    pairs = [
        [(doc, phrase) for doc, phrase in expected if doc == r["document"] and phrase in r[text]]
        for r in found
    ]
    assert all(len(p) == 1 for p in pairs), [
        r[text] for r, p in zip(found, pairs, strict=True) if len(p) != 1
    ]
    assert sorted(p[0] for p in pairs) == sorted(expected)


def test_positions_of_person_by_name_any_case_and_by_iri(examples_out: Path) -> None:
    data = ("--data", str(examples_out))
    by_name = rows("positions-of-person", *data, "--param", "name=Katarina Holmberg")
    _matched(by_name, HOLMBERG, "evidence")
    assert {r["speaker"] for r in by_name} == {"Katarina Holmberg"}
    assert [int(r["start"]) for r in by_name if r["document"] == CONFERENCE] == sorted(
        int(r["start"]) for r in by_name if r["document"] == CONFERENCE
    )
    # An alternative label, in another case, finds the same positions.
    by_alt = rows("positions-of-person", *data, "--param", "name=HOLMBERG")
    assert [r["position"] for r in by_alt] == [r["position"] for r in by_name]
    iri = by_name[0]["person"]
    by_iri = rows("positions-of-person", *data, "--param", f"person=<{iri}>")
    assert [r["position"] for r in by_iri] == [r["position"] for r in by_name]
    # Direct quotations are marked so; "She stressed that ..." is reported speech.
    direct = {r["evidence"][:20]: r["direct"] for r in by_name}
    assert direct["Every journalist in "] == "true"
    assert direct["the European Union c"] == "false"


def test_positions_of_person_tells_the_two_novaks_apart(examples_out: Path) -> None:
    data = ("--data", str(examples_out))
    peter = rows("positions-of-person", *data, "--param", "name=Peter Novak")
    anna = rows("positions-of-person", *data, "--param", "name=Anna Novak")
    assert {r["document"] for r in peter} == {CONFERENCE, BRIEFING, WIRE}
    assert {r["document"] for r in anna} == {HEARING, BRIEFING}
    assert not {r["position"] for r in peter} & {r["position"] for r in anna}


def test_calls_on(examples_out: Path) -> None:
    found = rows("calls-on", "--data", str(examples_out))
    assert {r["act"] for r in found} <= {KG + "CallOn", KG + "Urge", KG + "Demand"}
    # Calls the articles make: "called on the EU to ...", "urged the Commission to ...".
    expected = {
        ("Peter Novak", CONFERENCE, "the EU to add the prosecutors responsible"),
        ("Anna Novak", BRIEFING, "the EU to suspend visa facilitation talks"),
        ("Anna Novak", HEARING, "I call on the Council to publish the name"),
        ("Katarina Holmberg", CONFERENCE, "the Commission to suspend the trade talks"),
        ("Katarina Holmberg", BRIEFING, "the Council to impose sanctions on the judges"),
        ("Paolo Ferrante", FORUM, "European lenders to adopt a binding rule"),
    }
    for speaker, document, what in expected:
        assert any(
            (r["speaker"], r["document"]) == (speaker, document) and r["what"].startswith(what)
            for r in found
        ), (speaker, what)
    to_eu = rows("calls-on", "--data", str(examples_out), "--param", "to=EU")
    assert sorted((r["speaker"], r["addressee"]) for r in to_eu) == [
        ("Anna Novak", "European Union"),
        ("Peter Novak", "European Union"),
    ]
    by_peter = rows("calls-on", "--data", str(examples_out), "--param", "name=peter novak")
    assert [r["what"] for r in by_peter] == [
        "the EU to add the prosecutors responsible for the cases to its human rights sanctions list"
    ]


def test_members_of_organization_include_its_committees(examples_out: Path) -> None:
    found = rows(
        "members-of-organization",
        "--data",
        str(examples_out),
        "--param",
        "name=european parliament",
    )
    assert {r["org_name"] for r in found} == {"European Parliament"}
    # The four MEPs of the articles, and Paolo Ferrante (a former minister) not among them.
    assert {r["member"] for r in found} == {
        "Katarina Holmberg",
        "Aino Rautio",
        "Elena Marín Ruiz",
        "Anna Novak",
    }
    roles = {(r["member"], r["unit"], r.get("role")) for r in found}
    assert {
        ("Katarina Holmberg", "Committee on Foreign Affairs", "Vice-Chair"),
        ("Aino Rautio", "Committee on Budgetary Control", "Vice-Chair"),
        (
            "Elena Marín Ruiz",
            "Committee on Civil Liberties, Justice and Home Affairs",
            "Vice-Chair",
        ),
        ("Anna Novak", "Subcommittee on Human Rights", "Member"),
        ("Katarina Holmberg", "European Parliament", "Member of the European Parliament"),
    } <= roles
    pfa = rows("members-of-organization", "--data", str(examples_out), "--param", "name=PFA")
    assert {(r["member"], r["role"]) for r in pfa} == {("Tomasz Wierzbicki", "Director")}


def test_positions_about_an_event(examples_out: Path) -> None:
    found = rows("positions-about", "--data", str(examples_out), "--param", "name=2009 crackdown")
    # Holmberg urged suspending talks "until every journalist arrested since the 2009
    # crackdown had been released"; the PFA says most journalists are held since it.
    assert sorted((r["speaker"], r["document"]) for r in found) == [
        ("Katarina Holmberg", CONFERENCE),
        ("Press Freedom Alliance", WIRE),
    ]
    event = found[0]["about"]
    by_iri = rows("positions-about", "--data", str(examples_out), "--param", f"about=<{event}>")
    assert [r["proposition"] for r in by_iri] == [r["proposition"] for r in found]


def test_positions_about_the_march_2018_protests(examples_out: Path) -> None:
    found = rows(
        "positions-about", "--data", str(examples_out), "--param", "name=March 2018 protests"
    )
    assert sorted({(r["speaker"], r["document"]) for r in found}) == [
        ("Elena Marín Ruiz", HEARING),
        ("Elena Marín Ruiz", FORUM),
        ("Leyla Haddadi", HEARING),
        ("Peter Novak", BRIEFING),
    ]


def test_same_position_same_act_and_addressee(examples_out: Path) -> None:
    # Peter Novak (01) and Anna Novak (03) both called on the EU.
    found = rows("same-position", "--data", str(examples_out), "--param", "name=Peter Novak")
    assert [(r["other_speaker"], r["other_document"], r["match"]) for r in found] == [
        ("Anna Novak", BRIEFING, "same act and addressee")
    ]
    anna = rows("same-position", "--data", str(examples_out), "--param", "name=Anna Novak")
    position = anna[0]["position"]
    by_iri = rows("same-position", "--data", str(examples_out), "--param", f"position=<{position}>")
    assert [r["other_speaker"] for r in by_iri] == ["Peter Novak"]


SAME_WORDS = """Ministers argue over river treaty

VELMORA — Two ministers met in Velmora on Friday to discuss the river treaty.

Maria Lindqvist, the Foreign Minister of Norland, said: "The treaty must protect the river."

Jonas Berg, the Environment Minister of Sudland, said: "The treaty must protect the river!"

Berg added that talks would continue next month.
"""


def test_same_position_same_words(pipeline: Language, tmp_path: Path) -> None:
    (tmp_path / "same.txt").write_text(SAME_WORDS, encoding="utf-8")
    build([tmp_path / "same.txt"], pipeline, tmp_path / "out", DEFAULT_BASE)
    found = rows("same-position", "--data", str(tmp_path / "out"))
    assert sorted((r["speaker"], r["other_speaker"], r["match"]) for r in found) == [
        ("Jonas Berg", "Maria Lindqvist", "same words"),
        ("Maria Lindqvist", "Jonas Berg", "same words"),
    ]


def test_events_timeline(examples_out: Path) -> None:
    found = rows("events-timeline", "--data", str(examples_out))
    # Dated events first, in date order; the hearing "On June 11" and the conference "on
    # May 14" have no year in their articles, so they come last.
    assert [(r.get("date"), r["event_name"]) for r in found][:3] == [
        ("2009", "2009 crackdown"),
        ("2018-03", "March 2018 protests"),
        ("2024-06-02", "Forum on June 2, 2024"),
    ]
    by_name = {r["event_name"]: r for r in found}
    assert set(by_name) == {
        "2009 crackdown",
        "March 2018 protests",
        "Forum on June 2, 2024",
        "Conference on May 14",
        "Hearing on June 11",
    }
    assert "date" not in by_name["Hearing on June 11"]
    hearing = set(by_name["Hearing on June 11"]["participants"].split("; "))
    assert hearing == {
        "Elena Marín Ruiz",
        "Aino Rautio",
        "Paolo Ferrante",
        "Anna Novak",
        "Leyla Haddadi",
    }
    assert by_name["Conference on May 14"]["places"] == "Brussels"
    assert by_name["March 2018 protests"]["documents"] == "3"
    ferrante = rows("events-timeline", "--data", str(examples_out), "--param", "name=ferrante")
    assert [r["event_name"] for r in ferrante] == ["Forum on June 2, 2024", "Hearing on June 11"]


def test_documents_mentioning(examples_out: Path) -> None:
    found = rows(
        "documents-mentioning", "--data", str(examples_out), "--param", "name=Paolo Ferrante"
    )
    assert [r["document"] for r in found] == [HEARING, FORUM]
    forum = found[1]
    assert forum["kind"] == KG + "Person"
    assert forum["title"].startswith("Water & rights")
    assert forum["issued"] == "2024-06-03T16:45:00+02:00"
    assert forum["url"] == "https://rights-monitor.example.org/2024/06/kesh-dam-water-rights-forum"
    peter = rows("documents-mentioning", "--data", str(examples_out), "--param", "name=Peter Novak")
    assert [r["document"] for r in peter] == [CONFERENCE, BRIEFING, WIRE]


def test_roles_of_person_over_time(examples_out: Path) -> None:
    data = ("--data", str(examples_out))
    ferrante = rows("roles-of-person", *data, "--param", "name=Paolo Ferrante")
    # "Former Italian Foreign Minister" in the dated forum page (04), then in the hearing.
    assert [(r.get("issued"), r["document"]) for r in ferrante] == [
        ("2024-06-03T16:45:00+02:00", FORUM),
        (None, HEARING),
    ]
    assert {(r["role"], r["organization_name"], r["former"]) for r in ferrante} == {
        ("Foreign Minister", "Government of Italy", "true")
    }
    holmberg = rows("roles-of-person", *data, "--param", "name=Katarina Holmberg")
    assert holmberg[0]["document"] == WIRE  # the only dated document naming her role
    assert {(r["role"], r["organization_name"]) for r in holmberg} == {
        ("Member of the European Parliament", "European Parliament"),
        ("Vice-Chair", "Committee on Foreign Affairs"),
    }
    assert {r["document"] for r in holmberg} == {CONFERENCE, BRIEFING, WIRE}
    assert all("former" not in r for r in holmberg)


# -- parameters ------------------------------------------------------------------------------

PAYLOADS = [
    'x" } ; DROP ALL ; #',
    "> } INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }",
    'Lena"\n} ; CLEAR ALL ; SELECT * WHERE { ?s ?p ?o',
    "back\\slash\\",
    '"""',
    "'single'",
    "tab\tand\rreturn",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_param_values_are_values_never_query_text(payload: str, examples_out: Path) -> None:
    before = (examples_out / "graph.nq").read_bytes()
    echoed = rows("SELECT ?v WHERE { }", "--data", str(examples_out), "--param", f"v={payload}")
    # Exactly the value parse_term reads, which is the payload itself unless it is
    # wrapped in double quotes ('"""' is the literal '"').
    assert echoed == [{"v": parse_term(payload).value}]
    if not payload.startswith('"'):
        assert echoed == [{"v": payload}]
    code, out, err = kg(
        "query", "positions-of-person", "--data", str(examples_out), "--param", f"name={payload}"
    )
    assert code == 0, err
    assert out.endswith("(0 rows)\n")
    assert (examples_out / "graph.nq").read_bytes() == before


@pytest.mark.parametrize(
    ("value", "term"),
    [
        ("<https://w3id.org/newskg/id/x>", ox.NamedNode("https://w3id.org/newskg/id/x")),
        ('"Lena Varga"@en', ox.Literal("Lena Varga", language="en")),
        (
            '"2024"^^<http://www.w3.org/2001/XMLSchema#gYear>',
            ox.Literal("2024", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")),
        ),
        ('"quoted"', ox.Literal("quoted")),
        ("Lena Varga", ox.Literal("Lena Varga")),
        ("<not closed", ox.Literal("<not closed")),
    ],
)
def test_param_value_syntax(value: str, term: ox.NamedNode | ox.Literal) -> None:
    assert parse_term(value) == term


def test_param_errors(examples_out: Path) -> None:
    data = ("--data", str(examples_out))
    err = one_line_error(
        *kg("query", "SELECT ?v WHERE {}", *data, "--param", "v=<not an iri>")[::2]
    )
    assert "not a valid RDF term" in err
    err = one_line_error(*kg("query", "calls-on", *data, "--param", "nobody=x")[::2])
    assert "has no ?nobody" in err
    err = one_line_error(*kg("query", "SELECT ?s WHERE { ?s ?p ?v }", *data, "--param", "v=x")[::2])
    assert "SELECT" in err
    err = one_line_error(*kg("query", "calls-on", *data, "--param", "novalue")[::2])
    assert "NAME=VALUE" in err


# -- read-only and offline ---------------------------------------------------------------------

UPDATES = [
    "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "CLEAR ALL",
    "DROP ALL",
    "CREATE GRAPH <http://e/g>",
    "ADD DEFAULT TO <http://e/g>",
    "MOVE DEFAULT TO <http://e/g>",
    "COPY DEFAULT TO <http://e/g>",
    "PREFIX e: <http://e/> WITH e:g DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
]


@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused(update: str, examples_out: Path) -> None:
    err = one_line_error(*kg("query", update, "--data", str(examples_out))[::2])
    assert "--allow-update" in err


def test_an_allowed_update_changes_only_the_loaded_copy(examples_out: Path) -> None:
    before = (examples_out / "graph.nq").read_bytes()
    code, _, err = kg(
        "query", "CLEAR ALL", "--data", str(examples_out), "--allow-update", "--format", "csv"
    )
    assert code == 0, err
    assert "in-memory copy" in err
    assert (examples_out / "graph.nq").read_bytes() == before


def test_an_update_on_a_store_needs_allow_update_and_then_persists(tmp_path: Path) -> None:
    store = ox.Store(str(tmp_path / "store"))
    store.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/b"), ox.Literal("1")))
    store.flush()
    del store
    location = str(tmp_path / "store")
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert rows(count, "--store", location) == [{"n": "1"}]
    insert = "INSERT DATA { <http://e/a> <http://e/b> 2 }"
    one_line_error(*kg("query", insert, "--store", location)[::2])
    assert rows(count, "--store", location) == [{"n": "1"}]
    code, _, err = kg("query", insert, "--store", location, "--allow-update")
    assert code == 0, err
    assert rows(count, "--store", location) == [{"n": "2"}]


def test_load_needs_network_too(examples_out: Path) -> None:
    err = one_line_error(
        *kg(
            "query",
            "LOAD <http://127.0.0.1:9/x.ttl>",
            "--data",
            str(examples_out),
            "--allow-update",
        )[::2]
    )
    assert "--allow-network" in err


def test_service_named_in_a_string_or_comment_runs(examples_out: Path) -> None:
    text = '# SERVICE <http://e/>\nSELECT ?x WHERE { BIND("SERVICE <http://e/> {}" AS ?x) }'
    assert rows(text, "--data", str(examples_out)) == [{"x": "SERVICE <http://e/> {}"}]


# -- errors ----------------------------------------------------------------------------------


def test_syntax_error_is_one_line_with_its_position(examples_out: Path) -> None:
    err = one_line_error(
        *kg("query", "SELECT * WHERE {\n  ?s ?p }", "--data", str(examples_out))[::2]
    )
    assert "line 2, column" in err


def test_missing_build_folder_says_to_build(tmp_path: Path) -> None:
    err = one_line_error(*kg("query", "calls-on", "--data", str(tmp_path / "nowhere"))[::2])
    assert "kg build" in err
    err = one_line_error(*kg("query", "calls-on", "--data", str(tmp_path))[::2])
    assert "kg build" in err


def test_unknown_query_name_suggests_the_list(examples_out: Path) -> None:
    err = one_line_error(*kg("query", "positions-of-persn", "--data", str(examples_out))[::2])
    assert "kg query --list" in err


def test_newskg_prefixes_need_no_declaration(examples_out: Path) -> None:
    text = (
        "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a kg:SourceDocument ; dcterms:identifier ?i }"
    )
    assert rows(text, "--data", str(examples_out)) == [{"n": "5"}]


def test_a_long_one_line_query_is_text_not_a_file_name(examples_out: Path) -> None:
    text = 'SELECT ?x WHERE { BIND("' + "a" * 400 + '" AS ?x) }'
    assert rows(text, "--data", str(examples_out)) == [{"x": "a" * 400}]


def test_query_from_a_file(examples_out: Path, tmp_path: Path) -> None:
    path = tmp_path / "count.rq"
    path.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?d a <" + KG + "SourceDocument> }")
    assert rows(str(path), "--data", str(examples_out)) == [{"n": "5"}]


def test_graph_fallbacks_trig_and_turtle(examples_out: Path, tmp_path: Path) -> None:
    count = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a <" + KG + "StatedPosition> }"
    expected = rows(count, "--data", str(examples_out))
    for name in ("graph.trig", "graph.ttl"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / name).write_bytes((examples_out / name).read_bytes())
        assert rows(count, "--data", str(folder)) == expected


# -- formats --------------------------------------------------------------------------------


def test_table_is_aligned_with_prefixed_names_and_cut_values(examples_out: Path) -> None:
    code, out, _ = kg("query", "calls-on", "--data", str(examples_out), "--param", "to=EU")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == [
        "speaker",
        "act",
        "addressee",
        "what",
        "document",
        "start",
        "name",
        "to",
    ]
    assert set(lines[1]) <= {"-", " "}
    assert lines[-1] == "(2 rows)"
    assert "kg:CallOn" in out and KG not in out
    assert "the EU to add the prosecutors responsib…" in out
    # Columns start where their header does.
    at = lines[0].index("addressee")
    assert all(line[at:].startswith("European Union") for line in lines[2:4])


def test_csv_tsv_json(examples_out: Path) -> None:
    args = ("query", "calls-on", "--data", str(examples_out), "--param", "to=EU")
    _, out, _ = kg(*args, "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert len(table) == 2 and table[0]["act"] == KG + "CallOn"
    assert table[0]["what"].endswith("human rights sanctions list") or table[1]["what"].endswith(
        "human rights sanctions list"
    )
    _, out, _ = kg(*args, "--format", "tsv")
    assert out.splitlines()[0].startswith("?speaker\t?act\t")
    assert f"<{KG}CallOn>" in out
    _, out, _ = kg(*args, "--format", "json")
    assert json.loads(out)["head"]["vars"][:3] == ["speaker", "act", "addressee"]


def test_ask_and_construct(examples_out: Path) -> None:
    data = ("--data", str(examples_out))
    ask = f"ASK {{ ?p a <{KG}StatedPosition> }}"
    assert kg("query", ask, *data)[1] == "true\n"
    assert json.loads(kg("query", ask, *data, "--format", "json")[1])["boolean"] is True
    construct = f"PREFIX kg: <{KG}> CONSTRUCT {{ ?p kg:speaker ?s }} WHERE {{ ?p kg:speaker ?s }}"
    code, turtle, _ = kg("query", construct, *data)
    assert code == 0 and "kg:speaker" in turtle
    triples = list(ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE))
    code, ntriples, _ = kg("query", construct, *data, "--format", "csv")
    assert len(list(ox.parse(ntriples.encode(), format=ox.RdfFormat.N_TRIPLES))) == len(triples)
    # One kg:speaker per position: as many triples as positions.
    count = f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p a <{KG}StatedPosition> }}"
    assert len(triples) == int(rows(count, *data)[0]["n"]) > 0
    # The same query prints the same bytes.
    assert kg("query", construct, *data)[1] == turtle
    # Holmberg is in three document graphs; the union still gives each triple once.
    iri = rows("positions-of-person", *data, "--param", "name=Katarina Holmberg")[0]["person"]
    code, ntriples, _ = kg("query", f"DESCRIBE <{iri}>", *data, "--format", "tsv")
    lines = ntriples.splitlines()
    assert code == 0 and len(lines) == len(set(lines))
    assert sum("core#prefLabel>" in line for line in lines) == 1


def test_options_conflict_one_line(examples_out: Path) -> None:
    code, _, err = kg("query", "calls-on", "--data", str(examples_out), "--store", "x")
    assert code == 2 and "at most one" in err


def test_a_store_loaded_by_kg_load_answers_as_the_build_does(
    examples_out: Path, tmp_path: Path
) -> None:
    store = str(tmp_path / "store")
    code, _, err = kg("load", str(examples_out), "--store", store)
    assert code == 0, err
    for spec in shipped():
        local = rows(spec.name, "--data", str(examples_out))
        stored = rows(spec.name, "--store", store)
        # GROUP_CONCAT joins in the order the engine meets values: compare those as sets.
        for table in (local, stored):
            for row in table:
                for key in ("participants", "places"):
                    if key in row:
                        row[key] = "; ".join(sorted(row[key].split("; ")))
        assert stored == local, spec.name
    one_line_error(*kg("query", "calls-on", "--store", str(tmp_path / "no-store"))[::2])


def test_query_error_is_in_the_one_tree_and_kg_sparql_re_exports_it() -> None:
    assert QueryError is errors.QueryError and issubclass(QueryError, KgError)
    assert errors.__doc__ is not None and "── QueryError" in errors.__doc__
    with pytest.raises(KgError, match="no shipped query is called 'no-such-query'"):
        query_text("no-such-query")
