"""What a build reads: nothing when no input could be read, never its own outputs."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from click.testing import CliRunner

from kg.cli import main
from tests.conftest import EXAMPLES

FILES = ("graph.ttl", "graph.jsonld", "graph.trig", "graph.nq", "validation.ttl", "people.json")


def kg(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stderr


def digests(folder: Path) -> dict[str, str]:
    return {n: hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in FILES}


def test_a_typo_in_the_only_input_keeps_the_previous_build(tmp_path: Path, wire_out: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(wire_out, out)
    before = digests(out)
    code, err = kg("build", str(tmp_path / "exampels"), "-o", str(out))
    assert code == 2
    assert err.count("\n") == 1 and "exampels" in err and "no such file" in err, err
    assert digests(out) == before


def test_a_typo_writes_no_output_folder(tmp_path: Path) -> None:
    code, _ = kg("build", str(tmp_path / "exampels"), "-o", str(tmp_path / "new"))
    assert code == 2 and not (tmp_path / "new").exists()


def test_two_bad_inputs_one_line_each_and_nothing_written(tmp_path: Path, wire_out: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(wire_out, out)
    before = digests(out)
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    code, err = kg("build", str(tmp_path / "a.pdf"), str(tmp_path / "missing"), "-o", str(out))
    assert code == 2 and err.count("\n") == 2, err
    assert digests(out) == before


def test_a_good_input_beside_a_bad_one_is_still_built(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, err = kg("build", str(EXAMPLES / "05-wire.jsonl"), str(tmp_path / "nope"), "-o", str(out))
    assert code == 2 and "documents      1" in err
    assert digests(out)  # all six written


# -- row 9: the outputs are never inputs --------------------------------------------------


def articles(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLES / "01-press-freedom-conference.txt", folder / "one.txt")
    shutil.copy(EXAMPLES / "03-human-rights-briefing.md", folder / "two.md")
    return folder


def test_building_into_the_input_folder_twice_reads_only_the_articles(tmp_path: Path) -> None:
    folder = articles(tmp_path / "in")
    first, err = kg("build", str(folder), "-o", str(folder))
    assert first == 0, err
    kg("view", str(folder))  # graph.html in the folder too
    assert (folder / "graph.html").is_file()
    again, err = kg("build", str(folder), "-o", str(folder))
    assert again == 0, err
    assert "documents      2" in err and "input errors   0" in err


def test_an_output_folder_below_the_inputs_is_skipped(tmp_path: Path) -> None:
    folder = articles(tmp_path / "in")
    for out in ("out", "old"):
        code, err = kg("build", str(folder), "-o", str(folder / out))
        assert code == 0, err
        kg("view", str(folder / out))
    # "old" is an earlier build's folder: recognised by what newskg left in it.
    code, err = kg("build", str(folder), "-o", str(folder / "out"))
    assert code == 0 and "documents      2" in err and "input errors   0" in err, err


def test_a_store_inside_the_inputs_is_skipped_and_deleted_articles_leave_it(
    tmp_path: Path,
) -> None:
    folder = articles(tmp_path)
    store, out = tmp_path / "S", tmp_path / "o"
    code, err = kg("build", str(folder), "-o", str(out), "--store", str(store))
    assert code == 0, err
    (folder / "two.md").unlink()
    code, err = kg("build", str(folder), "-o", str(out), "--store", str(store))
    assert code == 0 and "documents      1" in err, err
    assert "1 removed" in err, err
    # A store given without --store (an earlier build's) is skipped too.
    code, err = kg("build", str(folder), "-o", str(tmp_path / "p"))
    assert code == 0 and "input errors   0" in err, err
