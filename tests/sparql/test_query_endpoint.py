"""kg query --endpoint against a real `oxigraph serve`, and what goes over the wire.

The shipped queries must answer the same over HTTP (parameters bound by a VALUES block)
as on the local store (parameters bound by pyoxigraph's substitutions). A small
recording server stands in only where oxigraph cannot show what it received: the
headers sent, a SERVICE call, a slow answer, a redirect.
"""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.sparql import shipped

KG = "https://w3id.org/newskg/ontology#"
OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
    "oxigraph"
)


def kg(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)
    return result.exit_code, result.stdout, result.stderr


def rows(*args: str) -> list[dict[str, str]]:
    code, out, err = kg("query", *args, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _serve(*args: str) -> Iterator[str]:
    """Run `oxigraph serve ARGS` on a free port until the generator is closed."""
    assert OXIGRAPH, "the oxigraph server is missing: pip install -e '.[test]'"
    base = f"http://127.0.0.1:{_free_port()}"
    process = subprocess.Popen(
        [OXIGRAPH, "serve", "--bind", base.removeprefix("http://"), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(examples_out: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The examples build in an oxigraph server whose default graph is the union."""
    assert OXIGRAPH, "the oxigraph server is missing: pip install -e '.[test]'"
    location = tmp_path_factory.mktemp("oxigraph")
    subprocess.run(
        [OXIGRAPH, "load", "--location", str(location), "--file", str(examples_out / "graph.nq")],
        check=True,
        capture_output=True,
    )
    yield from _serve("--location", str(location), "--union-default-graph")


def _key(row: dict[str, str]) -> str:
    # GROUP_CONCAT joins in whatever order an engine meets the values: compare them as sets.
    joined = {"participants", "places"}
    row = {k: "; ".join(sorted(v.split("; "))) if k in joined else v for k, v in row.items()}
    return json.dumps(row, sort_keys=True)


PARAMS = {
    "positions-of-person": "name=katarina holmberg",
    "calls-on": "to=EU",
    "members-of-organization": "name=European Parliament",
    "positions-about": "name=Dovran",
    "same-position": "name=Anna Novak",
    "events-timeline": "name=Paolo Ferrante",
    "documents-mentioning": "name=Novak",
    "roles-of-person": "name=Aino Rautio",
}


@pytest.mark.parametrize("query", [q.name for q in shipped()])
def test_shipped_queries_answer_the_same_over_http(
    query: str, server: str, examples_out: Path
) -> None:
    for extra in ((), ("--param", PARAMS[query])):
        local = rows(query, "--data", str(examples_out), *extra)
        remote = rows(query, "--endpoint", f"{server}/query", *extra)
        assert local, (query, extra)
        assert sorted(map(_key, remote)) == sorted(map(_key, local)), (query, extra)
    bound = rows(query, "--endpoint", f"{server}/query", "--param", PARAMS[query])
    unbound = rows(query, "--endpoint", f"{server}/query")
    assert len(bound) < len(unbound)  # the parameter filtered


INJECTIONS = [
    'x" } ; DROP ALL ; #',
    "> } INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }",
    'Lena"\n} ; CLEAR ALL ; SELECT * WHERE { ?s ?p ?o',
    "back\\slash\\",
    "tab\tand\rreturn",
]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_param_values_stay_values_over_http(payload: str, server: str) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = rows(count, "--endpoint", f"{server}/query")
    echoed = rows("SELECT ?v WHERE { }", "--endpoint", f"{server}/query", "--param", f"v={payload}")
    assert echoed == [{"v": payload}]
    found = rows("calls-on", "--endpoint", f"{server}/query", "--param", f"name={payload}")
    assert found == []
    assert rows(count, "--endpoint", f"{server}/query") == before


def test_newskg_prefixes_need_no_declaration_over_http(server: str) -> None:
    text = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a kg:SourceDocument }"
    assert rows(text, "--endpoint", f"{server}/query") == [{"n": "5"}]


def test_update_over_http_only_when_allowed() -> None:
    base = _serve()  # an empty in-memory server of its own
    url = next(base)
    try:
        insert = "INSERT DATA { <http://e/a> <http://e/b> 1 }"
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        code, _, err = kg("query", insert, "--endpoint", f"{url}/update")
        assert code == 2 and "--allow-update" in err
        assert rows(count, "--endpoint", f"{url}/query") == [{"n": "0"}]
        code, _, err = kg("query", insert, "--endpoint", f"{url}/update", "--allow-update")
        assert code == 0, err
        assert rows(count, "--endpoint", f"{url}/query") == [{"n": "1"}]
    finally:
        base.close()


def test_endpoint_errors_are_one_line(server: str) -> None:
    # rdflib reads this one (a variable projected but not grouped), Oxigraph refuses it.
    grouped = "SELECT ?o WHERE { ?s ?p ?o } GROUP BY ?s"
    code, _, err = kg("query", grouped, "--endpoint", f"{server}/query")
    assert code == 2 and err.count("\n") == 1 and "HTTP 400" in err
    # What cannot be read cannot be checked for SERVICE: refused before it is sent.
    code, _, err = kg("query", "SELECT * WHERE { ?s ?p }", "--endpoint", f"{server}/query")
    assert code == 2 and err.count("\n") == 1 and "line 1, column 18" in err
    code, _, err = kg("query", "calls-on", "--endpoint", f"http://127.0.0.1:{_free_port()}/q")
    assert code == 2 and err.startswith("kg: cannot reach")
    code, _, err = kg("query", "calls-on", "--endpoint", "ftp://example.org/sparql")
    assert code == 2 and "http" in err
    for url in ("http://user:secret@127.0.0.1:9/q", "ftp://user:secret@127.0.0.1:9/q"):
        code, _, err = kg("query", "calls-on", "--endpoint", url)
        assert code == 2 and "--auth-env" in err and "secret" not in err


# -- what is sent: a recording endpoint --------------------------------------------------------

ANSWER = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"literal","value":"ok"}}]}}'


class _Recorder(BaseHTTPRequestHandler):
    """Answers every POST with one solution (or a set status), recording the requests."""

    requests: list[tuple[str, dict[str, str], bytes]]
    status = 200
    delay = 0.0
    location = ""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.requests.append((self.path, dict(self.headers.items()), self.rfile.read(length)))
        if self.delay:
            time.sleep(self.delay)
        body = ANSWER if self.status == 200 else b"no entry here"
        self.send_response(self.status)
        if self.location:
            self.send_header("Location", self.location)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up waiting (the timeout test) is expected


@pytest.fixture
def recorder() -> Iterator[tuple[str, type[_Recorder]]]:
    handler = type("Handler", (_Recorder,), {"requests": []})
    httpd = _QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/sparql", handler
    httpd.shutdown()
    httpd.server_close()


def test_protocol_and_credentials(recorder: tuple[str, type[_Recorder]]) -> None:
    url, handler = recorder
    env = {"KG_TEST_BASIC": "reader:s3cret", "KG_TEST_TOKEN": "tok-123"}
    code, out, err = kg(
        "query", "SELECT ?s WHERE { ?s ?p ?o }", "--endpoint", url, "--auth-env", "KG_TEST_BASIC",
        env=env,
    )  # fmt: skip
    assert code == 0, err
    assert "ok" in out and "s3cret" not in out + err
    kg("query", "ASK {}", "--endpoint", url, "--auth-env", "KG_TEST_TOKEN", env=env)
    (_, basic, body), (_, bearer, _) = handler.requests
    assert basic["Content-Type"].startswith("application/sparql-query")
    assert basic["Accept"] == "application/sparql-results+json"
    assert body == b"SELECT ?s WHERE { ?s ?p ?o }"
    assert basic["Authorization"] == "Basic " + base64.b64encode(b"reader:s3cret").decode()
    assert bearer["Authorization"] == "Bearer tok-123"


def test_credentials_never_printed_on_failure(recorder: tuple[str, type[_Recorder]]) -> None:
    url, handler = recorder
    handler.status = 401
    env = {"KG_TEST_BASIC": "reader:s3cret"}
    code, out, err = kg(
        "query", "ASK {}", "--endpoint", url, "--auth-env", "KG_TEST_BASIC", env=env
    )
    assert code == 2 and "HTTP 401" in err
    assert "s3cret" not in out + err
    assert base64.b64encode(b"reader:s3cret").decode() not in out + err
    code, _, err = kg("query", "ASK {}", "--endpoint", url, "--auth-env", "KG_TEST_UNSET")
    assert code == 2 and "KG_TEST_UNSET" in err


def test_timeout(recorder: tuple[str, type[_Recorder]]) -> None:
    url, handler = recorder
    handler.delay = 3.0
    code, _, err = kg("query", "ASK {}", "--endpoint", url, "--timeout", "0.5")
    assert code == 2 and "--timeout" in err


def test_redirects_are_not_followed(recorder: tuple[str, type[_Recorder]]) -> None:
    url, handler = recorder
    handler.status, handler.location = 307, "http://elsewhere.invalid/sparql"
    env = {"KG_TEST_BASIC": "reader:s3cret"}
    code, _, err = kg("query", "ASK {}", "--endpoint", url, "--auth-env", "KG_TEST_BASIC", env=env)
    assert code == 2 and "redirects" in err
    assert "redirects to http://elsewhere.invalid/sparql;" in err and "s3cret" not in err
    assert len(handler.requests) == 1


def test_service_is_refused_before_anything_is_sent(
    examples_out: Path, recorder: tuple[str, type[_Recorder]]
) -> None:
    url, handler = recorder
    text = f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
    code, _, err = kg("query", text, "--data", str(examples_out))
    assert code == 2 and "--allow-network" in err and err.count("\n") == 1
    code, _, err = kg("query", text, "--endpoint", url)
    assert code == 2 and "--allow-network" in err
    assert handler.requests == []
    # With --allow-network pyoxigraph federates: the server is asked and its answer comes
    # back, so the refusal above is what kept the query offline.
    code, out, err = kg("query", text, "--data", str(examples_out), "--allow-network")
    assert code == 0, err
    assert len(handler.requests) == 1 and "ok" in out


def test_service_federates_to_a_real_endpoint(examples_out: Path, server: str) -> None:
    text = (
        f"PREFIX kg: <{KG}> SELECT (COUNT(DISTINCT ?p) AS ?n) "
        f"WHERE {{ SERVICE <{server}/query> {{ ?p a kg:Person }} }}"
    )
    local = f"PREFIX kg: <{KG}> SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p a kg:Person }}"
    assert rows(text, "--data", str(examples_out), "--allow-network") == rows(
        local, "--data", str(examples_out)
    )
