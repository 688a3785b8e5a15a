"""Progress bars: drawn on a terminal, silent everywhere else.

Library functions that take a while accept a :class:`Tracker` and default to
:func:`quiet`; only the CLI asks for :func:`for_stream` on stderr. A bar is drawn only
when the stream is a terminal, so pipes, log files, CI and tests see no progress noise.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol, TextIO, TypeVar

import click

__all__ = ["Tracker", "for_stream", "quiet"]

T = TypeVar("T")


class Tracker(Protocol):
    """Yields ``items`` unchanged while showing (or not) how far through ``total`` it is."""

    def __call__(self, items: Iterable[T], *, total: int, label: str) -> Iterator[T]: ...


def quiet(items: Iterable[T], *, total: int, label: str) -> Iterator[T]:
    """Show nothing: for pipes, logs, tests and library callers."""
    yield from items


def for_stream(stream: TextIO) -> Tracker:
    """A bar on ``stream`` when it is a terminal, else :func:`quiet`."""
    if not stream.isatty():
        return quiet

    def bar(items: Iterable[T], *, total: int, label: str) -> Iterator[T]:
        with click.progressbar(items, length=total, label=label, file=stream) as shown:
            yield from shown

    return bar
