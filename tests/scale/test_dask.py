"""kg build --executor dask on a real (local) Dask cluster: the same bytes as a local build."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from spacy.language import Language

from kg.build import build, work
from kg.build.dask import DaskExecutor
from kg.graph.iri import DEFAULT_BASE
from kg.write.assemble import FILES
from tests.conftest import EXAMPLES

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster(pipeline: Language) -> Iterator[object]:
    """One in-process worker with one thread; it uses the session's loaded pipeline."""
    work._LOADED[None] = pipeline  # what the worker would load by name
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address="127.0.0.1:0"
        ) as local,
        distributed.Client(local) as client,
    ):
        yield client
    work._LOADED.clear()


def test_a_dask_build_writes_the_same_bytes_and_shards(
    pipeline: Language, cluster: object, tmp_path: Path
) -> None:
    local = build([EXAMPLES], pipeline, tmp_path / "local", DEFAULT_BASE, use_cache=False)
    executor = DaskExecutor(client=cluster, window=2)
    try:
        remote = build(
            [EXAMPLES],
            pipeline,
            tmp_path / "dask",
            DEFAULT_BASE,
            executor=executor,
            use_cache=False,
            shards=tmp_path / "dask" / "shards",
        )
    finally:
        executor.close()
    assert remote.documents == local.documents == 5
    for name in FILES:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()

    # The shards hold graph.nq's quads between them, and load into a store as they are.
    shards = sorted((tmp_path / "dask" / "shards").glob("part-*.nq"))
    assert shards
    lines = sorted(line for s in shards for line in s.read_text("utf-8").splitlines())
    assert lines == sorted((tmp_path / "local" / "graph.nq").read_text("utf-8").splitlines())
    store = ox.Store()
    for shard in shards:
        store.bulk_load(path=shard, format=ox.RdfFormat.N_QUADS)
    assert len(store) == len(lines)


def test_the_cluster_only_gets_what_the_cache_lacks(
    pipeline: Language, cluster: object, tmp_path: Path
) -> None:
    executor = DaskExecutor(client=cluster)
    try:
        first = build([EXAMPLES], pipeline, tmp_path, DEFAULT_BASE, executor=executor)
        again = build([EXAMPLES], pipeline, tmp_path, DEFAULT_BASE, executor=executor)
    finally:
        executor.close()
    assert first.cached == {"extractions": 0, "parts": 0}
    assert again.cached == {"extractions": 5, "parts": 5}


def test_an_unreachable_scheduler_is_one_clear_error() -> None:
    from kg.errors import KgError

    with pytest.raises(KgError, match="dask scheduler"):
        DaskExecutor("tcp://127.0.0.1:9", timeout="1s")


def test_the_local_cluster_listens_on_this_machine_only() -> None:
    """--executor dask without --scheduler: worker processes, every socket on 127.0.0.1."""
    import psutil

    def listening(process: psutil.Process) -> set[tuple[str, int]]:
        found = process.net_connections(kind="inet")
        return {(c.laddr.ip, c.laddr.port) for c in found if c.status == psutil.CONN_LISTEN}

    me = psutil.Process()
    before = listening(me)  # other tests' clusters in this process are not this one's
    executor = DaskExecutor(None, workers=1)
    try:
        workers = me.children(recursive=True)
        opened = listening(me) - before
        for worker in workers:
            opened |= listening(worker)
    finally:
        executor.close()
    assert workers  # the workers are processes of their own
    listening_at = sorted(opened)
    assert listening_at, "the cluster should listen somewhere"
    assert {ip for ip, _ in listening_at} == {"127.0.0.1"}, listening_at
