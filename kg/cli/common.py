"""What every ``kg`` command shares: the exit codes and the one line that says what failed.

Exit codes (every command): 0 done and the graph conforms; 1 the graph does not
conform (the report is written and summarised); 2 a usage or input error, one line
on stderr saying what is wrong and what to do; 130 interrupted (Ctrl-C, as shells
count it: 128 + SIGINT), one line.
"""

from __future__ import annotations

import click

__all__ = ["EXIT_INPUT", "EXIT_INTERRUPTED", "EXIT_NONCONFORMING", "EXIT_OK", "fail"]

EXIT_OK, EXIT_NONCONFORMING, EXIT_INPUT = 0, 1, 2
EXIT_INTERRUPTED = 130


def fail(message: str) -> None:
    click.echo(f"kg: {message}", err=True)
