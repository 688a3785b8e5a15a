"""kg load --endpoint against a real `oxigraph serve`: resumable, per-graph, fault-tolerant."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from spacy.language import Language

from kg.cli import main
from kg.sparql.store import payloads_from_folder
from tests.oxigraph_server import OxigraphServer, Proxy, Refusing, free_port
from tests.sparql.test_store import MANIFEST, Variants, build_variants, changes


def kg(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory, pipeline: Language) -> Variants:
    return build_variants(tmp_path_factory.mktemp("variants"), pipeline)


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph"))
    yield server
    server.stop()


@pytest.fixture
def server(oxigraph: OxigraphServer) -> OxigraphServer:
    """The module's server, emptied for each test."""
    oxigraph.update("CLEAR ALL")
    return oxigraph


@pytest.fixture
def proxies() -> Iterator[list[Proxy]]:
    made: list[Proxy] = []
    yield made
    for proxy in made:
        proxy.close()


def sizes(folder: Path) -> dict[str, int]:
    """What the server must hold for a build: triples in each document graph."""
    return {name: p.triples for name, p in payloads_from_folder(folder).items()}


def documents_on(server: OxigraphServer) -> dict[str, int]:
    return {g: n for g, n in server.graph_sizes().items() if g != MANIFEST}


def test_a_load_puts_every_document_graph(server: OxigraphServer, variants: Variants) -> None:
    code, out, err = kg("load", str(variants.a), "--endpoint", server.store)
    assert code == 0 and out == "", err
    expected = sizes(variants.a)
    assert f"{server.store}: {len(expected)} added, 0 replaced, 0 removed, 0 unchanged" in err
    assert documents_on(server) == expected
    assert server.graph_sizes()[MANIFEST] == 2 * len(expected)  # hasPart + hasVersion each


def test_a_rerun_skips_every_graph(
    server: OxigraphServer, variants: Variants, proxies: list[Proxy]
) -> None:
    assert kg("load", str(variants.a), "--endpoint", server.store)[0] == 0
    proxy = Proxy(server.netloc)
    proxies.append(proxy)
    code, _, err = kg("load", str(variants.a), "--endpoint", proxy.store)
    assert code == 0
    n = len(sizes(variants.a))
    assert f"0 added, 0 replaced, 0 removed, {n} unchanged" in err
    assert proxy.log == [("GET", MANIFEST)]  # the manifest read, nothing written


@pytest.mark.parametrize("variant", ["b", "c"])
def test_a_changed_build_touches_only_its_graphs(
    server: OxigraphServer, variants: Variants, proxies: list[Proxy], variant: str
) -> None:
    assert kg("load", str(variants.a), "--endpoint", server.store)[0] == 0
    proxy = Proxy(server.netloc)
    proxies.append(proxy)
    new = getattr(variants, variant)
    code, _, err = kg("load", str(new), "--endpoint", proxy.store)
    assert code == 0, err
    before, after = payloads_from_folder(variants.a), payloads_from_folder(new)
    put = {graph for method, graph in proxy.log if method == "PUT" and graph != MANIFEST}
    deleted = {graph for method, graph in proxy.log if method == "DELETE"}
    assert put == changes(before, after)
    assert len(put) == (1 if variant == "b" else 0)
    assert deleted == before.keys() - after.keys() and len(deleted) == 1
    assert documents_on(server) == sizes(new)


def test_a_server_killed_mid_load_leaves_whole_graphs_and_the_rerun_completes(
    tmp_path: Path, variants: Variants, proxies: list[Proxy]
) -> None:
    location = tmp_path / "oxigraph"
    first = OxigraphServer(location)
    puts: list[str] = []

    def third_document_put(method: str, graph: str) -> bool:
        if method == "PUT" and graph != MANIFEST:
            puts.append(graph)
        return len(puts) == 3

    proxy = Proxy(first.netloc, cut=third_document_put, on_cut=first.kill)
    proxies.append(proxy)
    try:
        code, _, err = kg("load", str(variants.a), "--endpoint", proxy.store, "--retries", "1")
    finally:
        first.stop()
    assert first.process.returncode == -9  # it was SIGKILLed, mid-PUT
    assert code == 2
    assert err.startswith("kg: ") and len(err.strip().splitlines()) == 1
    assert "connection was lost" in err and "rerun kg load" in err

    second = OxigraphServer(location)
    try:
        expected = sizes(variants.a)
        held = documents_on(second)
        assert all(held.get(name, 0) in (0, n) for name, n in expected.items()), held
        whole = {name for name, n in expected.items() if held.get(name) == n}
        assert whole == set(puts[:2])  # the two PUTs that were answered, not the cut one

        code, _, err = kg("load", str(variants.a), "--endpoint", second.store)
        assert code == 0, err
        assert f"{len(expected) - 2} added, 0 replaced, 0 removed, 2 unchanged" in err
        assert documents_on(second) == expected
    finally:
        second.stop()


def test_a_slow_server_is_waited_for_and_retried(
    server: OxigraphServer, variants: Variants, proxies: list[Proxy]
) -> None:
    proxy = Proxy(server.netloc, delay=4.0, delayed=2)  # the first two answers come late
    proxies.append(proxy)
    code, _, err = kg(
        "load", str(variants.a), "--endpoint", proxy.store, "--timeout", "2", "--retries", "3"
    )
    assert code == 0, err
    assert proxy.log[:3] == [("GET", MANIFEST)] * 3  # two timeouts, then an answer
    assert documents_on(server) == sizes(variants.a)


def test_a_server_slower_than_the_timeout_is_one_line(
    server: OxigraphServer, variants: Variants, proxies: list[Proxy]
) -> None:
    proxy = Proxy(server.netloc, delay=4.0, delayed=1000)
    proxies.append(proxy)
    code, _, err = kg(
        "load", str(variants.a), "--endpoint", proxy.store, "--timeout", "2", "--retries", "1"
    )
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "no answer within 2 s" in err and "--timeout" in err and "2 tries" in err


SECRET_USER, SECRET_PASSWORD, TOKEN = "editor", "s3cret-Passw0rd", "tok-9f8e7d6c5b4a"


@pytest.mark.parametrize(
    ("status", "secret"),
    [(401, f"{SECRET_USER}:{SECRET_PASSWORD}"), (403, TOKEN)],
)
def test_refused_credentials_are_one_line_without_the_secret(
    variants: Variants, monkeypatch: pytest.MonkeyPatch, status: int, secret: str
) -> None:
    refusing = Refusing(status)
    monkeypatch.setenv("KG_TEST_AUTH", secret)
    try:
        code, out, err = kg(
            "load",
            str(variants.a),
            "--endpoint",
            f"{refusing.url}/store",
            "--auth-env",
            "KG_TEST_AUTH",
        )
    finally:
        refusing.close()
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "refused the credentials in $KG_TEST_AUTH" in err and f"HTTP {status}" in err
    for part in (SECRET_PASSWORD, TOKEN, base64.b64encode(secret.encode()).decode()):
        assert part not in err and part not in out
    # The credentials were sent, once: a refusal is not retried.
    expected = (
        f"Basic {base64.b64encode(secret.encode()).decode()}"
        if ":" in secret
        else f"Bearer {secret}"
    )
    assert refusing.authorizations == [expected]


def test_credentials_asked_for_but_not_given(variants: Variants) -> None:
    refusing = Refusing(401)
    try:
        code, _, err = kg("load", str(variants.a), "--endpoint", f"{refusing.url}/store")
    finally:
        refusing.close()
    assert code == 2 and "requires credentials" in err and "--auth-env" in err
    assert refusing.authorizations == [None]


def test_no_server_at_the_address_is_one_line_exit_2(variants: Variants) -> None:
    url = f"http://127.0.0.1:{free_port()}/store"
    code, _, err = kg("load", str(variants.a), "--endpoint", url, "--retries", "1")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "connection refused" in err and url in err


def test_a_url_that_is_not_a_graph_store_says_so(
    server: OxigraphServer, variants: Variants
) -> None:
    code, _, err = kg("load", str(variants.a), "--endpoint", f"{server.url}/query")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "Graph Store Protocol endpoint" in err


def test_a_failing_server_is_retried_then_one_line(variants: Variants) -> None:
    failing = Refusing(503)
    try:
        code, _, err = kg(
            "load", str(variants.a), "--endpoint", f"{failing.url}/store", "--retries", "2"
        )
    finally:
        failing.close()
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "HTTP 503" in err and "3 tries" in err and "rerun kg load" in err
    assert len(failing.authorizations) == 3  # the first try and two retries


def test_a_redirect_is_not_followed_with_the_credentials(
    variants: Variants, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = Refusing(401)
    redirecting = Refusing(302, location=f"{elsewhere.url}/store")
    monkeypatch.setenv("KG_TEST_AUTH", TOKEN)
    try:
        code, _, err = kg(
            "load",
            str(variants.a),
            "--endpoint",
            f"{redirecting.url}/store",
            "--auth-env",
            "KG_TEST_AUTH",
        )
    finally:
        redirecting.close()
        elsewhere.close()
    assert code == 2 and "HTTP 302" in err and TOKEN not in err
    assert redirecting.authorizations == [f"Bearer {TOKEN}"]
    assert elsewhere.authorizations == []  # the token never went to where the redirect points
