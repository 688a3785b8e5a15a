"""The build cache survives damage: every value checked, a bad one recomputed, a bad file set aside.

Each test damages a real cache the way a disk, a crash or another program would (a file
that is no database, a garbled or missing page, a table of another layout, one flipped
bit inside a stored value), then builds again: the outputs are the bytes of a build from
nothing, the build says so in one note, and the build after it finds a healthy cache.
Builds sharing one ``--cache`` run as real processes at once; a full disk is a real
small tmpfs (where this process may mount one), else a file size limit (RLIMIT_FSIZE).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from spacy.language import Language

from kg.build import Build, build
from kg.build import cache as cache_module
from kg.cli import main
from kg.graph.iri import DEFAULT_BASE
from tests.conftest import EXAMPLES, ROOT

OUTPUTS = ("graph.ttl", "graph.jsonld", "graph.trig", "graph.nq", "validation.ttl", "people.json")


def files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in OUTPUTS}


@pytest.fixture(scope="module")
def cold(pipeline: Language, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/ built from nothing, without a cache: the bytes every build must give."""
    out = tmp_path_factory.mktemp("cold")
    build([EXAMPLES], pipeline, out, DEFAULT_BASE, use_cache=False)
    return out


@pytest.fixture()
def cached(pipeline: Language, cold: Path, tmp_path: Path) -> Path:
    """An output folder with a complete, healthy cache of examples/ in it."""
    out = tmp_path / "out"
    build([EXAMPLES], pipeline, out, DEFAULT_BASE)
    return out


def database(out: Path) -> Path:
    return out / ".cache" / "cache.sqlite"


def again(pipeline: Language, out: Path, cold: Path) -> Build:
    """Build examples/ into ``out`` once more: the same bytes as ``cold``, whatever the cache."""
    result = build([EXAMPLES], pipeline, out, DEFAULT_BASE)
    assert files(out) == files(cold)
    json.loads((out / "people.json").read_bytes())
    return result


def healthy(pipeline: Language, out: Path, cold: Path) -> None:
    """The build after the damaged one takes everything from the cache, with no note."""
    result = again(pipeline, out, cold)
    assert result.cache_notes == ()
    assert result.cached == {"extractions": 5, "parts": 5}


def counted(path: Path) -> dict[str, int]:
    """The entries of the cache at ``path``, by kind."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        return dict(db.execute("SELECT kind, count(*) FROM entries GROUP BY kind").fetchall())


def set_aside(out: Path) -> list[Path]:
    return sorted((out / ".cache").glob("cache.sqlite.aside-*"))


def test_a_file_that_is_not_a_database_is_set_aside_with_one_note(
    pipeline: Language, cold: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    database(out).parent.mkdir(parents=True)
    garbage = os.urandom(20_000)
    database(out).write_bytes(garbage)
    result = again(pipeline, out, cold)
    [aside] = set_aside(out)
    assert aside.read_bytes() == garbage  # renamed, not deleted
    [note] = result.cache_notes
    assert "is not a database" in note and str(aside) in note
    healthy(pipeline, out, cold)


OTHER_LAYOUTS = {
    "another table": ["CREATE TABLE entries (kind TEXT, payload BLOB)"],
    # newskg's layout before values carried checksums: readable, but not to be trusted.
    "no checksums": [
        "CREATE TABLE entries (kind TEXT, key TEXT, data BLOB, build INTEGER, "
        "PRIMARY KEY (kind, key))",
        "CREATE TABLE builds (n INTEGER)",
    ],
}


@pytest.mark.parametrize("layout", sorted(OTHER_LAYOUTS))
def test_a_cache_of_another_layout_is_set_aside(
    pipeline: Language, cold: Path, tmp_path: Path, layout: str
) -> None:
    out = tmp_path / "out"
    database(out).parent.mkdir(parents=True)
    with contextlib.closing(sqlite3.connect(database(out))) as db, db:
        for statement in OTHER_LAYOUTS[layout]:
            db.execute(statement)
    result = again(pipeline, out, cold)
    [aside] = set_aside(out)
    [note] = result.cache_notes
    assert "another layout" in note and str(aside) in note
    healthy(pipeline, out, cold)


def test_changing_the_layout_changes_the_version_and_the_fingerprints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kg.build import cachedb

    version, render = cachedb.layout_version(), cache_module.render_fingerprint()
    extraction = cache_module.extraction_fingerprint({"name": "x"})
    monkeypatch.setattr(cachedb, "SCHEMA", cachedb.SCHEMA.replace("build INTEGER", "n INTEGER"))
    cache_module.render_fingerprint.cache_clear()
    try:
        assert cachedb.layout_version() != version
        assert cache_module.render_fingerprint() != render
        assert cache_module.extraction_fingerprint({"name": "x"}) != extraction
    finally:
        cache_module.render_fingerprint.cache_clear()


@pytest.mark.parametrize("how", ["garbled page", "truncated"])
def test_a_damaged_database_file_is_rebuilt_with_one_note(
    pipeline: Language, cold: Path, cached: Path, how: str
) -> None:
    path = database(cached)
    raw = bytearray(path.read_bytes())
    page = 4096
    assert len(raw) >= 8 * page
    if how == "garbled page":
        middle = (len(raw) // page // 2) * page
        raw[middle : middle + page] = os.urandom(page)
    else:
        del raw[len(raw) // 2 :]
    path.write_bytes(bytes(raw))
    result = again(pipeline, cached, cold)
    [note] = result.cache_notes
    assert str(path) in note
    healthy(pipeline, cached, cold)


def flip_a_bit(path: Path, kind: str) -> None:
    """Flip one bit inside the stored value of the first entry of ``kind``, in the file."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        [data] = db.execute("SELECT data FROM entries WHERE kind = ? LIMIT 1", (kind,)).fetchone()
    raw = bytearray(path.read_bytes())
    # A run of the value's bytes found in the file: it is there as SQLite stored it.
    middle = len(data) // 2
    piece = data[middle : middle + 48] if len(data) < 3000 else data[1000:1048]
    at = raw.find(piece)
    assert at > 0 and raw.find(piece, at + 1) < 0
    raw[at + 20] ^= 0x04
    path.write_bytes(bytes(raw))
    with contextlib.closing(sqlite3.connect(path)) as db:  # SQLite itself sees nothing wrong
        assert db.execute("PRAGMA quick_check").fetchone() == ("ok",)


@pytest.mark.parametrize("kind", ["parts", "extraction", "names"])
def test_a_flipped_bit_in_a_stored_value_is_found_and_recomputed(
    pipeline: Language, cold: Path, cached: Path, kind: str
) -> None:
    flip_a_bit(database(cached), kind)
    result = again(pipeline, cached, cold)
    [note] = result.cache_notes
    assert "1 entry" in note and "recomputed" in note
    assert result.cached["parts"] + result.cached["extractions"] >= 8  # the rest reused
    healthy(pipeline, cached, cold)


def test_one_warning_line_on_the_command_line(cold: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = ["build", str(EXAMPLES), "-o", str(out)]
    assert CliRunner().invoke(main, command).exit_code == 0  # the cache, as kg build keys it
    flip_a_bit(database(out), "parts")
    flip_a_bit(database(out), "extraction")
    run = CliRunner().invoke(main, command)
    assert run.exit_code == 0, run.output
    lines = [line for line in run.stderr.splitlines() if line.startswith("kg:")]
    assert len(lines) == 1 and "2 entries" in lines[0], run.stderr
    assert files(out) == files(cold)


def finish(run: subprocess.Popen[str]) -> tuple[int, str]:
    """Wait for a build started by :func:`kg_build`: its exit code and its stderr."""
    _, err = run.communicate(timeout=600)
    return run.returncode, err


def kg_build(*args: str, **kwargs: object) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "kg", "build", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        **kwargs,  # type: ignore[call-overload]
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Forty generated articles: a build long enough for two to overlap."""
    folder = tmp_path_factory.mktemp("corpus")
    script = ROOT / "benchmarks" / "generate.py"
    subprocess.run(
        [sys.executable, str(script), "40", str(folder)], check=True, capture_output=True
    )
    return folder


def test_builds_sharing_one_cache_wait_for_each_other(corpus: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    runs = [
        kg_build(str(corpus), "-o", str(tmp_path / f"o{i}"), "--cache", str(cache))
        for i in (1, 2, 3)
    ]
    results = [finish(run) for run in runs]
    for code, err in results:
        assert code == 0, err
        assert "Traceback" not in err and "locked" not in err and "kg:" not in err, err
    assert files(tmp_path / "o1") == files(tmp_path / "o2") == files(tmp_path / "o3")
    assert counted(cache / "cache.sqlite") == {"extraction": 40, "names": 40, "parts": 40}


def small_disk(folder: Path, size: str) -> bool:
    """Mount a tmpfs of ``size`` on ``folder``; False where this process may not."""
    folder.mkdir(parents=True, exist_ok=True)
    if not sys.platform.startswith("linux") or shutil.which("mount") is None:
        return False
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True
    )
    return done.returncode == 0


@pytest.fixture()
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A folder on a file system of 4 MB (a tmpfs), unmounted after the test."""
    disk = tmp_path / "disk"
    if not small_disk(disk, "4m"):
        pytest.skip("cannot mount a tmpfs here (not root?): see the RLIMIT_FSIZE test")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "--lazy", str(disk)], check=True)


def fill(disk: Path, leave: int) -> None:
    """Fill ``disk`` up to ``leave`` bytes free."""
    free = shutil.disk_usage(disk).free
    with open(disk / "filler", "wb") as f:
        f.write(b"\0" * max(0, free - leave))


@pytest.mark.parametrize(
    ("free", "said"),
    [(0, "cannot be used now"), (96 * 1024, "could not be written")],
    ids=["no byte free", "full while committing"],
)
def test_a_full_disk_under_the_cache_gives_one_line_and_keeps_it(
    pipeline: Language, cold: Path, full_disk: Path, tmp_path: Path, free: int, said: str
) -> None:
    """The cache on a full disk, the outputs elsewhere: the outputs are written, exit 0.

    With no byte free the cache cannot even be opened for writing (its write-ahead log);
    with a little free it opens, and the commit of the new work fails.
    """
    cache = full_disk / "cache"
    first = kg_build(str(EXAMPLES), "-o", str(tmp_path / "one"), "--cache", str(cache))
    assert finish(first)[0] == 0
    held = (cache / "cache.sqlite").read_bytes()
    fill(full_disk, free)
    inputs = tmp_path / "in"
    shutil.copytree(EXAMPLES, inputs)
    (inputs / "06-new.txt").write_text(
        'Anna Berg, a member of the Lesovian parliament, said: "We will not wait."\n'
    )
    second = kg_build(str(inputs), "-o", str(tmp_path / "two"), "--cache", str(cache))
    code, err = finish(second)
    assert code == 0, err
    lines = [line for line in err.splitlines() if line.startswith("kg:")]
    assert len(lines) == 1 and said in lines[0] and "Traceback" not in err, err
    assert json.loads((tmp_path / "two" / "people.json").read_bytes())["people"]
    assert list((tmp_path / "two").glob(".*.*")) == []  # no temporary file left
    if free == 0:
        assert (cache / "cache.sqlite").read_bytes() == held
    # The cache keeps what it held: a build of the first inputs takes it all from there.
    (full_disk / "filler").unlink()
    again = kg_build(str(EXAMPLES), "-o", str(tmp_path / "three"), "--cache", str(cache))
    code, err = finish(again)
    assert code == 0 and "kg:" not in err, err
    assert files(tmp_path / "three") == files(cold)
    assert counted(cache / "cache.sqlite")["parts"] >= 5


def test_a_full_disk_under_the_cache_and_the_outputs_is_one_line_and_exit_2(
    cold: Path, full_disk: Path
) -> None:
    """Everything on one full disk: the outputs cannot be written either (one line, exit
    2); the previous outputs stay as they were and the cache keeps what it held."""
    out = full_disk / "out"
    shutil.copytree(cold, out)  # a previous build's outputs, 0.4 MB
    fill(full_disk, 0)
    run = kg_build(str(EXAMPLES), "-o", str(out))
    code, err = finish(run)
    assert code == 2, err
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if line.startswith("kg:")], err
    assert files(out) == files(cold)


def test_a_file_size_limit_on_every_write_is_one_line_and_exit_2(
    cold: Path, tmp_path: Path
) -> None:
    """Where no tmpfs can be mounted: writes past RLIMIT_FSIZE fail (EFBIG) as on a full
    disk, the cache's and the outputs' alike. One line, exit 2, the old outputs intact."""
    limit = 100 * 1024  # above the extractions' commit, below the parts' and the outputs

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    out = tmp_path / "out"
    shutil.copytree(cold, out)
    run = kg_build(str(EXAMPLES), "-o", str(out), preexec_fn=limited)
    code, err = finish(run)
    assert code == 2, err
    assert "Traceback" not in err, err
    assert len([line for line in err.splitlines() if line.startswith("kg:")]) == 1, err
    assert files(out) == files(cold)
