"""Only regular files are read and written: devices, FIFOs and procfs files are refused."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build.outdir import LOCK_FILE, claim
from kg.cli import main
from kg.errors import InputError, OutputError
from kg.ingest import iter_inputs
from kg.write.files import atomic_write, write_files
from tests.conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.skipif(os.name != "posix", reason="FIFOs and devices are POSIX")


def kg(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stderr


# -- writing: only regular files are replaced ----------------------------------------------


def test_kg_view_refuses_to_replace_a_fifo(tmp_path: Path, wire_out: Path) -> None:
    fifo = tmp_path / "page.html"
    os.mkfifo(fifo)
    code, err = kg("view", str(wire_out), "-o", str(fifo))
    assert code == 2 and err.count("\n") == 1 and "not a regular file" in err, err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_symbolic_link_is_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text("kept")
    link = tmp_path / "page.html"
    link.symlink_to(target)
    with pytest.raises(OutputError, match="not a regular file"):
        atomic_write(link, b"page")
    assert link.is_symlink() and target.read_text() == "kept"


def test_a_device_is_not_replaced_by_a_build(tmp_path: Path) -> None:
    # A device node cannot be made without privileges; a FIFO stands for every
    # non-regular file in write_files' check, a device for the same check in atomic_write.
    os.mkfifo(tmp_path / "graph.ttl")
    with pytest.raises(OutputError, match=r"graph\.ttl.*not a regular file"):
        write_files(tmp_path, [("people.json", lambda: ["{}"]), ("graph.ttl", lambda: [""])])
    assert stat.S_ISFIFO(os.lstat(tmp_path / "graph.ttl").st_mode)
    assert not (tmp_path / "people.json").exists()


def test_kg_view_refuses_a_character_device(tmp_path: Path, wire_out: Path) -> None:
    # A private device node (never a real /dev entry: the bug would replace it).
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("device nodes cannot be made here")
    code, err = kg("view", str(wire_out), "-o", str(null))
    assert code == 2 and "not a regular file" in err, err
    assert stat.S_ISCHR(os.lstat(null).st_mode)


def test_a_planted_lock_symlink_is_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_FILE).symlink_to(victim)
    with pytest.raises(OutputError, match="not a regular file"), claim(out):
        pass
    assert not victim.exists()


# -- reading: only regular files, bounded while reading, never blocking --------------------


def test_a_fifo_among_the_inputs_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "a.txt").write_text("Anna Berg said it.")
    items = list(iter_inputs([tmp_path]))
    errors = [i for i in items if isinstance(i, InputError)]
    assert [e.source for e in errors] == [str(tmp_path / "pipe.txt")]
    assert "not a regular file" in errors[0].problem


def _build_in_a_subprocess(inputs: list[Path], out: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "kg", "build", *map(str, inputs), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,  # the bug: it never ended
        env=env,
        check=False,
    )


@pytest.mark.skipif(not os.path.exists("/proc/kmsg"), reason="no /proc/kmsg here")
def test_a_symlink_to_proc_kmsg_does_not_hang_the_build(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(EXAMPLES / "05-wire.jsonl", folder / "wire.jsonl")
    (folder / "kmsg.txt").symlink_to("/proc/kmsg")
    done = _build_in_a_subprocess([folder], tmp_path / "out")
    assert done.returncode == 2, done.stderr
    assert "kmsg.txt" in done.stderr and "documents      1" in done.stderr


def test_a_procfs_file_whose_size_lies_is_read_within_the_limit(tmp_path: Path) -> None:
    # /proc/self/maps says 0 bytes and holds more: the limit applies to what is read.
    if not os.path.exists("/proc/self/maps"):
        pytest.skip("no procfs here")
    (tmp_path / "maps.txt").symlink_to("/proc/self/maps")
    from kg.ingest import Reading

    items = list(iter_inputs([tmp_path / "maps.txt"], Reading(max_bytes=10)))
    assert len(items) == 1 and isinstance(items[0], InputError)
