"""Questions about many spans answered in logarithmic time, so extraction stays linear.

A rule that asks, for each of N tokens or names, "is this inside any of the M quotations
(headings, role phrases ...)?" by looking at every one costs N x M: a paragraph of 50 KB
of quotation marks took minutes. These helpers answer the same questions with a sorted
index, giving the same answers as the plain loops they replace
(``tests/extract/test_intervals.py`` compares them).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate

from kg.model import Span

__all__ = ["Covering", "Disjoint", "Occupied", "contained_elsewhere"]


class Covering:
    """Is an offset inside any of some spans, each widened by ``before`` and ``after``?

    ``at in Covering(spans, 1, 1)`` is ``any(s.start - 1 <= at < s.end + 1 for s in spans)``.
    """

    def __init__(self, spans: Iterable[Span], before: int = 0, after: int = 0) -> None:
        ordered = sorted(spans)
        self._starts = [s.start - before for s in ordered]
        # Every span starting at or before a point reaches at most this far: the
        # furthest end among them says whether any of them covers the point.
        self._reach = list(accumulate((s.end + after for s in ordered), max))

    def __contains__(self, at: int) -> bool:
        last = bisect_right(self._starts, at) - 1
        return last >= 0 and self._reach[last] > at


class Disjoint(tuple[Span, ...]):
    """Spans in text order that do not overlap (the quotations of a paragraph), indexed."""

    def __new__(cls, spans: Iterable[Span]) -> Disjoint:
        return super().__new__(cls, spans)

    def __init__(self, spans: Iterable[Span]) -> None:
        self._starts = [s.start for s in self]
        self._ends = [s.end for s in self]
        self.covering = Covering(self)  # offsets inside a span
        self.padded = Covering(self, 1, 1)  # and the marks either side

    def overlapping(self, start: int, end: int) -> tuple[Span, ...]:
        """The spans that end after ``start`` and begin before ``end``, in order; every
        other one lies wholly outside ``[start, end)``."""
        first = bisect_right(self._ends, start)
        return self[first : bisect_left(self._starts, end, lo=first)]


class Occupied:
    """Disjoint character ranges taken so far: does a new range overlap any of them?"""

    def __init__(self, length: int) -> None:
        self._taken = bytearray(length)

    def overlaps(self, start: int, end: int) -> bool:
        return self._taken.find(1, start, end) != -1

    def take(self, start: int, end: int) -> None:
        self._taken[start:end] = b"\x01" * (end - start)


def contained_elsewhere(spans: Sequence[Span]) -> list[bool]:
    """For each span, whether another span of ``spans`` (not equal to it) contains it.

    The same as ``[any(o != s and o.start <= s.start and s.end <= o.end for o in spans)
    for s in spans]``.
    """
    distinct = sorted(set(spans))
    starts = [s.start for s in distinct]
    reach = list(accumulate((s.end for s in distinct), max))
    furthest: dict[int, int] = {}  # start -> the furthest end of the spans starting there
    for s in distinct:
        furthest[s.start] = max(furthest.get(s.start, s.end), s.end)
    found = []
    for span in spans:
        before = bisect_left(starts, span.start) - 1  # spans starting strictly earlier
        earlier = before >= 0 and reach[before] >= span.end
        found.append(earlier or furthest[span.start] > span.end)
    return found
