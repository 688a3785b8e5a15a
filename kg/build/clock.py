"""What a build measures of itself: seconds and peak memory by stage; fewer GC passes.

:class:`Clock` times the stages one after another (``lap`` ends one) and reads the
process's peak resident memory after each; the figures are ``Build.seconds`` and
``Build.peak_mib``, which ``benchmarks/run.py`` prints.
"""

from __future__ import annotations

import contextlib
import gc
import resource
import sys
from collections.abc import Iterator
from time import perf_counter

__all__ = ["STAGES", "Clock", "fewer_collections", "peak_mib"]

STAGES = ("ingest", "extract", "resolve", "render", "validate", "write")


class Clock:
    """Seconds spent in each stage, and the peak RSS when each ended."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(STAGES, 0.0)
        self.peak_mib: dict[str, float] = {}
        self._last = perf_counter()

    def lap(self, stage: str) -> None:
        """End ``stage``: the time since the last lap is its own."""
        now = perf_counter()
        self.seconds[stage] += now - self._last
        self._last = now
        self.peak_mib[stage] = peak_mib()


def peak_mib() -> float:
    """This process's peak resident memory so far, in MiB.

    Linux's VmHWM where there is one: unlike ``ru_maxrss`` it starts afresh at ``exec``,
    so a process started by a large one does not report its parent's size.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    found = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return found / (1024 * 1024) if sys.platform == "darwin" else found / 1024


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Python's cyclic collector, run less often for the length of a build.

    A build allocates millions of short-lived objects (spaCy tokens, RDF terms) while it
    holds a loaded model and the extractions it has made; every full collection walks
    all of them. The objects alive at the start (the model) are frozen out of the
    collector's view and the youngest generation collected ten times less often: about
    3% of a build's time at 100 articles, more at 1,000. Both are restored at the end.
    """
    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(old[0], 7000), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()
