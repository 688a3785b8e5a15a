"""Credentials against a real ``oxigraph serve``: used, and then found nowhere.

tests/sparql/test_load.py covers the store faults one by one (no server, a server killed
mid-load, a slow one, 401 and 403 with the secret kept out of the message). What it
cannot show is that a *successful* authenticated load and query leave the secret
nowhere: not on stdout or stderr, not in a log record, not in the build folder, not in
any graph the server holds, not in the server's files. Here a recording proxy in front
of the server proves the secret was really sent, then everything is searched for it.
"""

from __future__ import annotations

import base64
import json
import logging
import shutil
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from tests.oxigraph_server import OxigraphServer, Proxy

USER, PASSWORD = "editor", "pa55-W0rd-9f8e7d"
TOKEN = "tok-1b2c3d4e5f60718293"


def kg(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


class RecordingProxy(Proxy):
    """The tests' proxy, also keeping the Authorization header of every request."""

    def __init__(self, upstream: str) -> None:
        self.authorizations: list[str | None] = []
        super().__init__(upstream)

    def forward(self, handler: BaseHTTPRequestHandler) -> None:
        self.authorizations.append(handler.headers.get("Authorization"))
        super().forward(handler)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[OxigraphServer]:
    server = OxigraphServer(tmp_path / "oxigraph")
    yield server
    server.stop()


def forms_of(secret: str) -> list[str]:
    """Every way the secret could show: as given, its parts, its basic-auth encoding."""
    forms = [secret, base64.b64encode(secret.encode()).decode()]
    if ":" in secret:
        forms.append(secret.split(":", 1)[1])
    return forms


def files_under(folder: Path) -> Iterator[Path]:
    return (p for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    ("secret", "header"),
    [
        (f"{USER}:{PASSWORD}", "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()),
        (TOKEN, f"Bearer {TOKEN}"),
    ],
)
def test_an_authenticated_load_and_query_leave_the_secret_nowhere(
    server: OxigraphServer,
    examples_out: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    secret: str,
    header: str,
) -> None:
    build = tmp_path / "build"
    shutil.copytree(examples_out, build)
    monkeypatch.setenv("KG_TRUST_AUTH", secret)
    proxy = RecordingProxy(server.netloc)
    caplog.set_level(logging.DEBUG)
    try:
        load = kg("load", str(build), "--endpoint", proxy.store, "--auth-env", "KG_TRUST_AUTH")
        query = kg(
            "query",
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
            "--endpoint",
            f"{proxy.url}/query",
            "--auth-env",
            "KG_TRUST_AUTH",
            "--format",
            "json",
        )
    finally:
        proxy.close()
    assert load[0] == 0, load[2]
    assert query[0] == 0, query[2]
    count = json.loads(query[1])["results"]["bindings"][0]["n"]["value"]
    assert int(count) > 1000  # the load arrived whole
    # The secret really went over the wire, on every request and only in the header.
    assert proxy.authorizations and set(proxy.authorizations) == {header}

    held = json.dumps(server.select("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"))
    server.stop()  # flushes the store, so its files are complete on disk
    stored = b"".join(p.read_bytes() for p in files_under(server.location))
    written = {p: p.read_bytes() for p in files_under(build)}
    for form in forms_of(secret):
        for _, out, err in (load, query):
            assert form not in out and form not in err
        assert form not in caplog.text
        assert form not in held
        assert form.encode() not in stored
        for path, data in written.items():
            assert form.encode() not in data, path
    # kg load changed nothing in the build folder either.
    assert written == {
        build / p.relative_to(examples_out): p.read_bytes() for p in files_under(examples_out)
    }


def test_credentials_in_an_endpoint_url_are_refused_without_echoing_it(
    examples_out: Path,
) -> None:
    url = f"http://{USER}:{PASSWORD}@127.0.0.1:9/store"
    code, out, err = kg("load", str(examples_out), "--endpoint", url)
    assert code == 2 and out == ""
    (line,) = err.splitlines()
    assert "holds credentials" in line and "--auth-env" in line
    assert PASSWORD not in err and USER not in err


def test_an_unset_credentials_variable_is_one_line(examples_out: Path) -> None:
    code, _, err = kg(
        "load", str(examples_out), "--endpoint", "http://127.0.0.1:9/store", "--auth-env", "KG_NONE"
    )
    assert code == 2
    (line,) = err.splitlines()
    assert "KG_NONE" in line and "not set" in line
