"""kg.sparql.reach: SERVICE and LOAD read from the algebra, and texts it cannot read."""

from __future__ import annotations

import pytest

from kg.sparql import DEFAULT_PREFIXES
from kg.sparql.reach import Reach, Unreadable, reach

E = "<http://127.0.0.1:9/sparql>"
SERVICE, LOAD, NONE = Reach(True, False), Reach(False, True), Reach(False, False)


@pytest.mark.parametrize(
    ("text", "update", "found"),
    [
        (f"SELECT * {{ ?a ?b ?c .SERVICE {E} {{}} }}", False, SERVICE),
        (f"ASK {{ OPTIONAL {{ SERVICE SILENT {E} {{ ?s ?p ?o }} }} }}", False, SERVICE),
        (
            f"SELECT * {{ {{ SELECT * {{ MINUS {{ SERVICE {E} {{}} }} }} }} }}",
            False,
            Reach(True, False),
        ),
        ("SELECT * { SERVICE ?where { ?s ?p ?o } }", False, SERVICE),
        (f"SELECT * {{ \\u0053ERVICE {E} {{}} }}", False, SERVICE),
        ('SELECT * { ?s ?p "SERVICE <http://e/> {}" }', False, NONE),
        ("SELECT * { ?s kg:speaker ?o }", False, NONE),  # a newskg prefix
        (f"LOAD {E}", True, LOAD),
        (f"CLEAR ALL ; LOAD SILENT {E} INTO GRAPH <urn:g>", True, LOAD),
        (f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE {E} {{ ?s ?p ?o }} }}", True, SERVICE),
        ("INSERT DATA { <urn:a> <urn:b> 1 }", True, NONE),
    ],
)
def test_reach(text: str, update: bool, found: Reach) -> None:
    assert reach(text, update=update, prefixes=DEFAULT_PREFIXES) == found


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("SELECT * WHERE {\n  ?s ?p }", "line 2, column 3"),
        ("SELECT * { << ?s ?p ?o >> ?q ?r }", "line 1, column 12"),  # SPARQL 1.2: Oxigraph only
        ("SELECT * { ?s ?p ?o } LIMIT", ""),
    ],
)
def test_unreadable_texts_say_where(text: str, where: str) -> None:
    with pytest.raises(Unreadable) as caught:
        reach(text, update=False, prefixes=DEFAULT_PREFIXES)
    assert caught.value.where.startswith(where)
