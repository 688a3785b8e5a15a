"""Offline, provably: every command runs under an audit hook that fails on any network use.

``sys.addaudithook`` sees every socket created, every name looked up, every connection
and every ``urllib.request.Request`` made in the process, whichever library asks. A hook
cannot be removed, so the run happens in a child Python that installs the hook first
and then calls ``kg.cli.main`` in-process for each command: build (with a store, and
inputs that name remote resources), validate (the four graph files, a JSON-LD file that
names a remote context, RDF/XML with an external entity), query (every shipped query,
SERVICE and LOAD), stats, view and load. people.json is written by the build, framed by
pyld with its offline document loader.

A last command (``kg query --endpoint``) does reach for the network, and the hook must
catch it: the harness is shown to see what it is meant to see.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from kg.sparql import shipped
from tests.conftest import EXAMPLES

HARNESS = textwrap.dedent(
    """
    import json, sys

    NETWORK = ("socket.", "urllib.Request", "http.client.", "ftplib.", "smtplib.",
               "imaplib.", "poplib.", "nntplib.", "telnetlib.", "webbrowser.")
    SECRET_FILE = sys.argv[2]
    seen = []

    probes = []

    def urllib3_ipv6_probe():
        # Importing spaCy imports requests, whose urllib3 opens one IPv6 socket and binds
        # it to ::1 port 0 to learn whether the host has IPv6 (util/connection.py,
        # _has_ipv6). Nothing is sent, looked up or connected; it is recorded apart.
        frame = sys._getframe(2)
        while frame is not None:
            code = frame.f_code
            if code.co_name == "_has_ipv6" and code.co_filename.endswith(
                "urllib3/util/connection.py"
            ):
                return True
            frame = frame.f_back
        return False

    def hook(event, args):
        if event.startswith(NETWORK):
            if event in ("socket.__new__", "socket.bind") and urllib3_ipv6_probe():
                probes.append(f"{event} {args[1:]!r}")
                return
            seen.append(f"{event} {args!r}"[:200])
            raise RuntimeError(f"network use refused by the test: {event}")
        if event == "open" and args and str(args[0]) == SECRET_FILE:
            seen.append(f"open {args[0]}")
            raise RuntimeError("an entity tried to read a local file")

    sys.addaudithook(hook)

    from kg.cli import main

    runs = []
    for argv in json.loads(sys.argv[1]):
        before = len(seen)
        try:
            main(argv, prog_name="kg")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        except Exception as exc:  # a crash is reported as such, not as an exit code
            code = f"crashed: {type(exc).__name__}: {exc}"
        runs.append({"argv": argv, "code": code, "events": seen[before:]})
    runs.append({"probes": probes})
    print(json.dumps(runs))
    """
)

XXE_RDF = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "file://{secret}"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dcterms="http://purl.org/dc/terms/">
  <rdf:Description rdf:about="https://w3id.org/newskg/id/document/x">
    <dcterms:title>&secret;</dcterms:title>
  </rdf:Description>
</rdf:RDF>
"""

# A scraped page that names remote things everywhere a browser would fetch them.
REMOTE_PAGE = """<!DOCTYPE html [ <!ENTITY secret SYSTEM "file://{secret}"> ]>
<html><head>
<title>Remote &secret;</title>
<link rel="stylesheet" href="https://cdn.example.org/site.css">
<script src="https://cdn.example.org/app.js"></script>
<meta property="og:url" content="https://news.example.org/remote">
<base href="https://news.example.org/">
</head><body>
<img src="https://images.example.org/a.png">
<iframe src="https://ads.example.org/"></iframe>
<p>Katarina Holmberg, MEP from Sweden, said: “Nothing here is fetched.” &secret;</p>
<object data="https://example.org/x.swf"></object>
</body></html>
"""


def run_harness(argvs: list[list[str]], secret: Path) -> list[dict[str, Any]]:
    process = subprocess.run(
        [sys.executable, "-c", HARNESS, json.dumps(argvs), str(secret)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert process.returncode == 0, process.stderr[-3000:]
    runs: list[dict[str, Any]] = json.loads(process.stdout.splitlines()[-1])
    return runs


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    root = tmp_path_factory.mktemp("offline")
    secret = root / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT\n", encoding="utf-8")
    inputs = root / "in"
    shutil.copytree(EXAMPLES, inputs)
    (inputs / "remote.html").write_text(REMOTE_PAGE.format(secret=secret), encoding="utf-8")
    out, store = root / "out", root / "store"
    remote_context = root / "remote-context.jsonld"
    remote_context.write_text(
        json.dumps({"@context": "https://example.org/context.jsonld", "@id": "urn:x"}),
        encoding="utf-8",
    )
    imported = root / "imported.jsonld"
    imported.write_text(
        json.dumps({"@context": {"@import": "https://example.org/c.jsonld"}, "@id": "urn:x"}),
        encoding="utf-8",
    )
    rdfxml = {}
    for suffix in (".rdf", ".xml", ".owl"):
        rdfxml[suffix] = root / f"entity{suffix}"
        rdfxml[suffix].write_text(XXE_RDF.format(secret=secret), encoding="utf-8")
    commands: dict[str, list[str]] = {
        "build": ["build", str(inputs), "-o", str(out), "--store", str(store)],
        "validate": ["validate", *(str(out / n) for n in ("graph.ttl", "graph.jsonld"))],
        "validate-quads": ["validate", str(out / "graph.trig"), str(out / "graph.nq")],
        "validate-remote-context": ["validate", str(remote_context)],
        "validate-import": ["validate", str(imported)],
        **{f"validate{s}": ["validate", str(path)] for s, path in rdfxml.items()},
        **{f"query {q.name}": ["query", q.name, "--data", str(out)] for q in shipped()},
        "query-store": ["query", "positions-of-person", "--store", str(store)],
        "query-service": [
            "query",
            "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }",
            "--data",
            str(out),
        ],
        "query-load": ["query", "LOAD <https://example.org/data.ttl>", "--data", str(out)],
        "stats": ["stats", str(out)],
        "view": ["view", str(out), "--input", str(inputs)],
        "load": ["load", str(out), "--store", str(root / "store2")],
        # The control: this one does reach for the network, and the hook must see it.
        "control": ["query", "ASK {}", "--endpoint", "http://127.0.0.1:9/sparql", "--timeout", "2"],
    }
    *found, probes = run_harness(list(commands.values()), secret)
    by_name = dict(zip(commands, found, strict=True))
    by_name["_probes"] = probes
    by_name["_root"] = {"root": str(root), "secret": str(secret)}
    return by_name


def test_the_harness_catches_network_use(runs: dict[str, dict[str, Any]]) -> None:
    control = runs["control"]
    # httpx's first step towards the server: looking its name up.
    assert control["events"] and control["events"][0].startswith("socket.getaddrinfo"), control
    assert "network use refused by the test" in str(control["code"])  # stopped right there


def test_the_only_socket_is_urllib3s_ipv6_probe_on_loopback(
    runs: dict[str, dict[str, Any]],
) -> None:
    """spaCy imports requests; urllib3 checks IPv6 by binding a socket to ::1, port 0."""
    assert runs["_probes"]["probes"] == ["socket.__new__ (10, 1, 0)", "socket.bind (('::1', 0),)"]


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("build", 0),
        ("validate", 0),
        ("validate-quads", 0),
        ("validate-remote-context", 2),
        ("validate-import", 2),
        ("validate.rdf", 2),
        ("validate.xml", 2),
        ("validate.owl", 2),
        *((f"query {q.name}", 0) for q in shipped()),
        ("query-store", 0),
        ("query-service", 2),
        ("query-load", 2),
        ("stats", 0),
        ("view", 0),
        ("load", 0),
    ],
)
def test_no_command_touches_the_network(
    runs: dict[str, dict[str, Any]], name: str, code: int
) -> None:
    run = runs[name]
    assert run["events"] == [], run
    assert run["code"] == code, run


def test_outputs_hold_no_fetched_or_local_secret(runs: dict[str, dict[str, Any]]) -> None:
    root = Path(runs["_root"]["root"])
    out = root / "out"
    for name in ("graph.ttl", "graph.jsonld", "graph.trig", "graph.nq", "people.json"):
        data = (out / name).read_text(encoding="utf-8")
        assert "TOP-SECRET" not in data, name
    assert "TOP-SECRET" not in (out / "graph.html").read_text(encoding="utf-8")
    # The page was built, remote references and all: its text is there, nothing it named.
    ttl = (out / "graph.ttl").read_text(encoding="utf-8")
    assert "Nothing here is fetched." in ttl
    assert "cdn.example.org" not in ttl and "images.example.org" not in ttl
    context = json.loads((out / "graph.jsonld").read_text(encoding="utf-8"))["@context"]
    assert isinstance(context, dict)  # inline, never a URL


def test_rdfxml_is_refused_with_one_line_and_the_entity_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT\n", encoding="utf-8")
    path = tmp_path / "entity.rdf"
    path.write_text(XXE_RDF.format(secret=secret), encoding="utf-8")
    process = subprocess.run(
        [sys.executable, "-m", "kg", "validate", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 2
    assert process.stdout == ""
    (line,) = process.stderr.splitlines()
    assert line.startswith(f"kg: {path}: unknown RDF file extension '.rdf'")
    assert "TOP-SECRET" not in process.stderr
