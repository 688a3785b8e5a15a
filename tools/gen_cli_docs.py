"""Generate docs/cli.md, the reference of every ``kg`` command, from the commands' own --help.

Run ``python tools/gen_cli_docs.py`` after changing a command; ``--check`` exits 1 when
docs/cli.md is out of date (tests/cli/test_cli_docs.py runs the same comparison). The text
comes from click itself, walking the ``kg`` group recursively (``kg eval attribution``
...), so each section is exactly what ``kg COMMAND --help`` prints. The width is fixed
to what click uses on a terminal of 80 columns or more, rather than read from the
terminal, so every machine writes the same bytes.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "cli.md"
PROG = "kg"
# The width click wraps help to on any terminal of 80 columns or more (it caps the
# terminal's width at 80 and keeps 2 free); given as terminal_width, click asks no terminal.
WIDTH = 78

HEADER = """\
# Command reference

Generated from the commands' own `--help` by `tools/gen_cli_docs.py`: do not edit by hand.
After changing a command, run `python tools/gen_cli_docs.py` (`--check` tells whether this
file is up to date). Exit codes and examples: [README.md](../README.md#command-line).
"""


def _main_group() -> click.Group:
    """The ``kg`` group, imported from the repository this tool belongs to."""
    # The checkout's kg, not whichever newskg happens to be installed.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from kg.cli import main

    return main


def root_context(group: click.Group) -> click.Context:
    """The context ``kg`` runs in, with the width fixed instead of taken from the terminal."""
    settings = {**group.context_settings, "terminal_width": WIDTH}
    return click.Context(group, info_name=PROG, **settings)


def walk(ctx: click.Context) -> Iterator[click.Context]:
    """``ctx`` and the context of every visible command below it, depth first, by name."""
    yield ctx
    command = ctx.command
    if not isinstance(command, click.Group):
        return
    for name in command.list_commands(ctx):
        sub = command.get_command(ctx, name)
        if sub is None or sub.hidden:
            continue
        # As click's make_context does, minus parsing: a child inherits the width and
        # help option names from its parent and adds its own context_settings.
        yield from walk(click.Context(sub, info_name=name, parent=ctx, **sub.context_settings))


def anchor(heading: str) -> str:
    """The fragment GitHub gives a heading: lower case, punctuation dropped, spaces as -."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def sections() -> list[tuple[str, str]]:
    """(command path, help text) for ``kg`` and each of its commands and sub-commands."""
    found = [(ctx.command_path, ctx.get_help()) for ctx in walk(root_context(_main_group()))]
    for path, text in found:
        if "```" in text:
            # It would close the fenced block early and garble the rest of the page.
            raise ValueError(f"the help of {path} holds ```; use other quotes")
    return found


def render() -> str:
    """The full text of docs/cli.md for the ``kg`` command as it is now."""
    found = sections()
    contents = [f"{'  ' * path.count(' ')}- [`{path}`](#{anchor(path)})" for path, _ in found]
    body = [f"## `{path}`\n\n```text\n{text}\n```\n" for path, text in found]
    return "\n".join([HEADER, "## Contents\n", "\n".join(contents) + "\n", *body])


def main(argv: list[str] | None = None) -> int:
    """Write docs/cli.md, or with --check report whether it is up to date."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/cli.md is stale")
    args = parser.parse_args(argv)
    text = render()
    current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
    if args.check:
        if text != current:
            print(f"{TARGET} is out of date: run python tools/gen_cli_docs.py", file=sys.stderr)
            return 1
        return 0
    if text != current:
        TARGET.write_text(text, encoding="utf-8")
        print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
