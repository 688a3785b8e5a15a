"""One build at a time in an output folder; what killed builds left there is removed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build.outdir import LOCK_FILE, claim, leftovers
from kg.cli import main
from kg.errors import OutputError
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.skipif(os.name != "posix", reason="output folders are locked on POSIX")

# Another process holding the folder's lock, as a second kg build would.
HOLDER = r"""
import fcntl, sys, time
handle = open(sys.argv[1], "a+b")
fcntl.lockf(handle.fileno(), fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(600)
"""


def leave(folder: Path) -> None:
    """What builds killed while writing leave behind, and what is not theirs."""
    (folder / ".graph.ttl.k3jx9a").write_text("half a graph")
    (folder / ".people.json.0q1w2e").write_text("{")
    (folder / ".validation.ttl.zz").write_text("")
    (folder / ".kg-build-abc").mkdir()
    (folder / ".kg-build-abc" / "run-0.pickle").write_bytes(b"\x80")
    (folder / ".cache").mkdir()  # the build cache: kept
    (folder / ".graph.html.notes").write_text("a user's file: not a build output's")
    (folder / ".notes").write_text("a user's file")
    (folder / "graph.ttl").write_text("the last complete graph")


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path / LOCK_FILE)], stdout=subprocess.PIPE
    ) as process:
        assert process.stdout is not None
        assert process.stdout.readline() == b"held\n"
        yield process
        process.kill()


def test_leftovers_are_the_killed_builds_files_only(tmp_path: Path) -> None:
    leave(tmp_path)
    assert [p.name for p in leftovers(tmp_path)] == [
        ".graph.ttl.k3jx9a",
        ".kg-build-abc",
        ".people.json.0q1w2e",
        ".validation.ttl.zz",
    ]


def test_a_claim_removes_the_leftovers_and_then_its_lock(tmp_path: Path) -> None:
    leave(tmp_path)
    with claim(tmp_path):
        assert leftovers(tmp_path) == []
        assert (tmp_path / LOCK_FILE).exists()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [".cache", ".graph.html.notes", ".notes", "graph.ttl"]
    assert (tmp_path / "graph.ttl").read_text() == "the last complete graph"


def test_a_held_folder_is_refused_and_nothing_in_it_touched(
    tmp_path: Path, holder: subprocess.Popen[bytes]
) -> None:
    leave(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(OutputError, match="another kg build is writing to"), claim(tmp_path):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_dead_holder_leaves_the_folder_free(
    tmp_path: Path, holder: subprocess.Popen[bytes]
) -> None:
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with claim(tmp_path):
        pass
    assert not (tmp_path / LOCK_FILE).exists()


def test_kg_build_into_a_held_folder_is_one_line_exit_2(
    tmp_path: Path, holder: subprocess.Popen[bytes]
) -> None:
    result = CliRunner().invoke(main, ["build", str(EXAMPLES), "-o", str(tmp_path)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "another kg build is writing to" in lines[0] and "-o" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == [LOCK_FILE]


def test_kg_build_clears_leftovers_and_leaves_only_outputs(tmp_path: Path) -> None:
    leave(tmp_path)
    result = CliRunner().invoke(
        main, ["build", str(EXAMPLES / "05-wire.jsonl"), "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.stderr
    hidden = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))
    assert hidden == [".cache", ".graph.html.notes", ".kg-output", ".notes"]
    assert (tmp_path / "graph.ttl").read_text() != "the last complete graph"
