"""Nothing reaches a host the user did not name: SERVICE, LOAD, proxies, hostile endpoints.

Every test here runs a real TCP listener (tests/trust/listeners.py) that counts the
connections it gets, so "nothing was sent" is observed, not inferred:

- a SERVICE clause or a LOAD never runs without ``--allow-network``, whichever way the
  query arrives (text, a .rq file, a shipped query with hostile ``--param`` values) and
  wherever it runs (a build folder, a store, an endpoint); the decision is taken from the
  query's algebra, and a query the checking parser cannot read is refused, not guessed;
- environment proxies and ~/.netrc are not used: the credentials of ``--auth-env`` go to
  the endpoint named and nowhere else;
- a URL's user info is never echoed, and one check refuses the same URLs for both commands;
- an endpoint that answers one byte a second, trickles its headers or sends an endless
  body is cut at ``--timeout`` (the whole exchange) or at the size cap: one line, exit 2.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from tests.sparql.test_query_endpoint import _serve
from tests.trust.listeners import (
    Listener,
    answer,
    endless_body,
    one_byte_a_second,
    trickled_headers,
)

ROOT = Path(__file__).resolve().parents[2]
ASK_TRUE = b'{"head":{},"boolean":true}'


def kg(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)
    return result.exit_code, result.stdout, result.stderr


def one_line(code: int, err: str) -> str:
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1, err
    return err


@pytest.fixture
def target() -> Iterator[Listener]:
    """Where a SERVICE clause or a LOAD would connect to."""
    with Listener() as listener:
        yield listener


@pytest.fixture(scope="module")
def store(examples_out: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    location = tmp_path_factory.mktemp("network-store") / "store"
    code, _, err = kg("load", str(examples_out), "--store", str(location))
    assert code == 0, err
    return location


# -- row 4: SERVICE and LOAD, decided from the query's algebra -----------------------------

SERVICE_QUERIES = [
    # The query of the issue: '.SERVICE' once read as one word, so the clause ran.
    "SELECT * {{ ?a ?b ?c .SERVICE <{url}/x> {{}} }}",
    "select * {{ ?a ?b ?c .service silent <{url}/x> {{ }} }}",
    "ASK {{ ?a ?b ?c .SERVICE <{url}/x> {{}} }}",
    "CONSTRUCT {{ ?a ?b ?c }} WHERE {{ OPTIONAL {{ SERVICE <{url}/x> {{ ?a ?b ?c }} }} }}",
    "SELECT * {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{url}/x> {{}} }} }}",
    "SELECT (COUNT(*) AS ?n) {{ {{ SELECT * {{ MINUS {{ SERVICE <{url}/x> {{}} }} }} }} }}",
    "SELECT * {{ \\u0053ERVICE <{url}/x> {{}} }}",
    "PREFIX e: <{url}/> SELECT * {{ ?a ?b ?c .SERVICE e:x {{}} }}",
]


@pytest.mark.parametrize("template", SERVICE_QUERIES)
@pytest.mark.parametrize("where", ["data", "store", "file"])
def test_a_service_clause_is_refused_on_every_local_path(
    template: str, where: str, examples_out: Path, store: Path, target: Listener, tmp_path: Path
) -> None:
    text = template.format(url=target.url)
    if where == "file":
        (tmp_path / "federated.rq").write_text(text, encoding="utf-8")
        args = [str(tmp_path / "federated.rq"), "--data", str(examples_out)]
    elif where == "store":
        args = [text, "--store", str(store)]
    else:
        args = [text, "--data", str(examples_out)]
    err = one_line(*kg("query", *args)[::2])
    assert "--allow-network" in err
    time.sleep(0.1)  # a connection the query opened would have been accepted by now
    assert target.connections == 0


def test_with_allow_network_the_service_is_called(examples_out: Path, target: Listener) -> None:
    """The listener sees what it is meant to see: the refusals above kept the queries offline."""
    text = SERVICE_QUERIES[0].format(url=target.url)
    kg("query", text, "--data", str(examples_out), "--allow-network")
    assert target.connections >= 1


@pytest.mark.parametrize(
    "template",
    [
        "INSERT {{ ?a ?b ?c }} WHERE {{ ?a ?b ?c .SERVICE <{url}/x> {{}} }}",
        "LOAD <{url}/x.ttl>",
        "CLEAR ALL ; load silent <{url}/x.ttl> into graph <urn:g>",
    ],
)
def test_an_update_that_reaches_the_network_is_refused(
    template: str, examples_out: Path, target: Listener
) -> None:
    text = template.format(url=target.url)
    err = one_line(*kg("query", text, "--data", str(examples_out), "--allow-update")[::2])
    assert "--allow-network" in err
    assert target.connections == 0


@pytest.mark.parametrize(
    "template",
    [
        # SPARQL 1.2 and Oxigraph's LATERAL: Oxigraph runs these, rdflib cannot read them.
        "SELECT * {{ << ?s ?p ?o >> ?q ?r .SERVICE <{url}/x> {{}} }}",
        "SELECT * {{ ?s ?p ?o LATERAL {{ SERVICE <{url}/x> {{}} }} }}",
        "SELECT * {{ ?s ?p <<( ?a ?b ?c )>> }}",
    ],
)
def test_a_query_the_checker_cannot_read_is_refused_not_guessed(
    template: str, examples_out: Path, target: Listener
) -> None:
    err = one_line(*kg("query", template.format(url=target.url), "--data", str(examples_out))[::2])
    assert "--allow-network" in err and "cannot" in err
    assert target.connections == 0


@pytest.fixture(scope="module")
def empty_server() -> Iterator[str]:
    """A real ``oxigraph serve`` (in memory): it would run an injected SERVICE itself."""
    yield from _serve()


INJECTIONS = [
    'x" }} SERVICE <{url}/x> {{ ?a ?b ?c }} #',
    'x") }} .SERVICE <{url}/x> {{}} #',
    "<{url}/x> }} SERVICE <{url}/x> {{",
    "x\\u0022 }} SERVICE <{url}/x> {{}} #",
]


@pytest.mark.parametrize("where", ["data", "store", "endpoint"])
def test_param_values_never_become_a_service_clause(
    where: str, examples_out: Path, store: Path, empty_server: str, target: Listener
) -> None:
    source = {
        "data": ["--data", str(examples_out)],
        "store": ["--store", str(store)],
        "endpoint": ["--endpoint", f"{empty_server}/query"],
    }[where]
    for injection in INJECTIONS:
        value = injection.format(url=target.url)
        for query in ("positions-of-person", "documents-mentioning", "calls-on"):
            param = "to" if query == "calls-on" else "name"
            code, _, err = kg("query", query, *source, "--param", f"{param}={value}")
            assert code == 0, (query, value, err)
    time.sleep(0.1)
    assert target.connections == 0


# -- row 5: credentials go to the named host only ---------------------------------------------


PROXY_VARIABLES = (
    *("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"),
)


def proxied(proxy: Listener, **more: str) -> dict[str, str]:
    env = {name: proxy.url for name in PROXY_VARIABLES}
    env.update({"no_proxy": "", "NO_PROXY": "", **more})
    return env


def test_query_ignores_environment_proxies(tmp_path: Path) -> None:
    ask = answer("200 OK", "application/sparql-results+json", ASK_TRUE)
    with Listener() as proxy, Listener(ask) as endpoint:
        env = proxied(proxy, KG_TEST_TOKEN="tok-proxy-1")
        code, out, err = kg(
            "query", "ASK {}", "--endpoint", f"{endpoint.url}/sparql",
            "--auth-env", "KG_TEST_TOKEN", env=env,
        )  # fmt: skip
        assert code == 0, err
        assert out.strip() == "true"
        assert proxy.connections == 0
        assert endpoint.connections == 1
        assert b"authorization: bearer tok-proxy-1" in endpoint.requests[0].lower()


def test_load_ignores_environment_proxies(examples_out: Path) -> None:
    with Listener() as proxy, Listener(answer("401 Unauthorized", "text/plain", b"no")) as endpoint:
        env = proxied(proxy, KG_TEST_TOKEN="tok-proxy-2")
        code, _, err = kg(
            "load", str(examples_out), "--endpoint", f"{endpoint.url}/store",
            "--auth-env", "KG_TEST_TOKEN", "--retries", "0", env=env,
        )  # fmt: skip
        assert "refused the credentials" in one_line(code, err)
        assert proxy.connections == 0
        assert b"authorization: bearer tok-proxy-2" in endpoint.requests[0].lower()


def test_netrc_is_not_read(tmp_path: Path) -> None:
    with Listener(answer("200 OK", "application/sparql-results+json", ASK_TRUE)) as endpoint:
        netrc = tmp_path / "netrc"
        netrc.write_text("machine 127.0.0.1 login netrc-user password netrc-secret\n")
        netrc.chmod(0o600)
        code, _, err = kg(
            "query", "ASK {}", "--endpoint", f"{endpoint.url}/sparql",
            env={"NETRC": str(netrc), "HOME": str(tmp_path)},
        )  # fmt: skip
        assert code == 0, err
        assert b"authorization" not in endpoint.requests[0].lower()


@pytest.mark.parametrize(
    "url",
    [
        "ftp://user:pw-secret@host.example/x",
        "http://user:pw-secret@host.example/x",
        "gopher://pw-secret@host.example/x",
        "http://user:pw-secret@host.example:99999/x",
        "http://@host.example/x",
        "http://:pw-secret@host.example/x",
    ],
)
def test_user_info_is_refused_by_both_commands_and_never_echoed(
    url: str, examples_out: Path
) -> None:
    load_err = one_line(*kg("load", str(examples_out), "--endpoint", url)[::2])
    query_err = one_line(*kg("query", "ASK {}", "--endpoint", url)[::2])
    for err in (load_err, query_err):
        assert "pw-secret" not in err and "--auth-env" in err


# -- row 6: a total deadline and a size cap on every exchange ---------------------------------


def kg_process(*args: str, limit: float = 30.0) -> tuple[int, str, float]:
    """``kg ARGS`` in a child process: its exit code, stderr and how long it ran."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "kg", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=limit,
        check=False,
    )
    return done.returncode, done.stderr, time.monotonic() - started


def test_a_body_sent_one_byte_a_second_is_cut_at_the_timeout(examples_out: Path) -> None:
    with Listener(one_byte_a_second) as slow:
        code, err, took = kg_process(
            "load", str(examples_out), "--endpoint", f"{slow.url}/store",
            "--timeout", "2", "--retries", "0",
        )  # fmt: skip
    assert "2 s" in one_line(code, err) and "--timeout" in err
    assert took < 8, took  # the child's start-up, then the 2 s deadline


def test_headers_trickled_a_byte_a_second_are_cut_at_the_timeout() -> None:
    with Listener(trickled_headers) as slow:
        code, err, took = kg_process(
            "query", "ASK {}", "--endpoint", f"{slow.url}/sparql", "--timeout", "2"
        )
    assert "--timeout" in one_line(code, err)
    assert took < 8, took


def test_an_endless_body_is_cut_at_the_size_cap() -> None:
    with Listener(endless_body) as endless:
        code, err, took = kg_process("query", "ASK {}", "--endpoint", f"{endless.url}/sparql")
    assert "MiB" in one_line(code, err)
    assert took < 20, took
