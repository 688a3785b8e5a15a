"""docs/cli.md against the kg command: generated from it, complete, and what --help prints."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import click
import pytest

from kg.cli import main
from tests.conftest import ROOT

DOCS = ROOT / "docs" / "cli.md"
REGENERATE = "run python tools/gen_cli_docs.py"
# A section of docs/cli.md: its heading names the command, its fenced block is the help.
SECTION = re.compile(r"^## `(kg[^`]*)`\n\n```text\n(.*?)\n```\n", re.MULTILINE | re.DOTALL)


def _gen_cli_docs() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_cli_docs", ROOT / "tools" / "gen_cli_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every visible command under ``group``, read from click's tables, not the generator."""
    paths = [prefix]
    for name, command in sorted(group.commands.items()):
        if command.hidden:
            continue
        if isinstance(command, click.Group):
            paths += _command_paths(command, (*prefix, name))
        else:
            paths.append((*prefix, name))
    return paths


COMMANDS = _command_paths(main)


def _documented() -> dict[str, str]:
    return dict(SECTION.findall(DOCS.read_text(encoding="utf-8")))


def test_docs_are_generated_from_the_current_commands() -> None:
    expected = _gen_cli_docs().render()
    actual = DOCS.read_text(encoding="utf-8")
    assert actual == expected, f"docs/cli.md is stale: {REGENERATE}"


def test_every_command_is_documented() -> None:
    assert ("eval", "attribution") in COMMANDS  # the walk reaches sub-commands
    expected = [" ".join(("kg", *path)) for path in COMMANDS]
    assert list(_documented()) == expected, f"docs/cli.md lacks a command: {REGENERATE}"
    contents = DOCS.read_text(encoding="utf-8").split("\n## ", 2)[1]
    for heading in expected:
        assert f"[`{heading}`](#{heading.replace(' ', '-')})" in contents, heading


@pytest.mark.parametrize("path", COMMANDS, ids=lambda path: " ".join(("kg", *path)))
def test_each_section_is_what_help_prints(path: tuple[str, ...]) -> None:
    # A real process on a terminal of 80 columns: click's test runner would force its own
    # width, and python -m kg would call itself "python -m kg".
    env = {**os.environ, "COLUMNS": "80", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", "from kg.cli import main; main(prog_name='kg')", *path, "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert _documented()[" ".join(("kg", *path))] + "\n" == result.stdout


def test_output_does_not_depend_on_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    tool = _gen_cli_docs()
    monkeypatch.setenv("COLUMNS", "40")
    narrow = tool.render()
    monkeypatch.setenv("COLUMNS", "200")
    assert tool.render() == narrow


def test_check_fails_on_stale_docs_and_names_the_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tool = _gen_cli_docs()
    target = tmp_path / "cli.md"
    target.write_text("# stale\n", encoding="utf-8")
    monkeypatch.setattr(tool, "TARGET", target)
    assert tool.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and REGENERATE in err
    assert tool.main([]) == 0
    assert tool.main(["--check"]) == 0
    assert target.read_text(encoding="utf-8") == tool.render()
