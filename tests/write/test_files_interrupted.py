"""Ctrl-C while a build's files are written: all of them old, or all of them new."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.write import files
from kg.write.files import write_files

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGINT sent to this process")


def ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)


def test_ctrl_c_while_streaming_replaces_no_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("old a")
    (tmp_path / "b.txt").write_text("old b")

    def interrupted() -> Iterator[str]:
        yield "new b, half"
        ctrl_c()
        yield " and the rest"

    with pytest.raises(KeyboardInterrupt):
        write_files(tmp_path, [("a.txt", lambda: ["new a"]), ("b.txt", interrupted)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]
    assert (tmp_path / "a.txt").read_text() == "old a"
    assert (tmp_path / "b.txt").read_text() == "old b"


def test_ctrl_c_while_renaming_is_held_until_every_file_is_in_place() -> None:
    done = []
    with pytest.raises(KeyboardInterrupt), files._interrupt_after():
        ctrl_c()  # between two renames
        done.append("the renames after it")
    assert done == ["the renames after it"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
