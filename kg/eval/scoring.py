"""What both evaluations share: gold JSONL read a record a line, and spans matched one to
one by the Dice coefficient of their word tokens.

A word token is a regex ``\\w+`` match, identified by its start offset so that repeated
words stay apart. :mod:`kg.eval.attribution` scores attributions with it, :mod:`kg.eval.entities`
names.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from kg.errors import InputError
from kg.model import Span

__all__ = [
    "THRESHOLD",
    "WORD",
    "Pair",
    "dice",
    "gold_record",
    "match",
    "read_jsonl",
    "token_set",
    "words",
]

THRESHOLD = 0.5
WORD = re.compile(r"\w+")

_T = TypeVar("_T")


class Pair(NamedTuple):
    """A matched (prediction index, gold index) with the Dice of their contents."""

    pred: int
    gold: int
    dice: float


def read_jsonl(path: Path, parse: Callable[[Any], _T], fields: str) -> list[_T]:
    """Every record of a gold JSONL file, parsed; InputError names the file and line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read the gold file ({exc})") from exc
    docs = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                docs.append(parse(json.loads(line)))
            except (ValueError, TypeError, KeyError) as exc:
                raise InputError(
                    f"{path}:{number}",
                    f"not a gold document ({exc})",
                    f"expected one JSON object a line with {fields}",
                ) from exc
    if not docs:
        raise InputError(str(path), "no documents", "expected one JSON object a line")
    return docs


def gold_record(record: Any, items: str) -> tuple[str, str, list[Any]]:
    """A gold line's id, text and list of annotations (under ``items``), checked."""
    if not isinstance(record, dict):
        raise TypeError("the line is not a JSON object")
    text, doc_id, found = record["text"], record["id"], record[items]
    if not isinstance(text, str) or not isinstance(doc_id, str | int):
        raise TypeError("id must be a string and text a string")
    if not isinstance(found, list):
        raise TypeError(f"{items} must be a list")
    return str(doc_id), text, found


def words(text: str) -> tuple[tuple[int, int], ...]:
    """The ``[start, end)`` of every word token (regex ``\\w+``) of ``text``."""
    return tuple(m.span() for m in WORD.finditer(text))


def token_set(tokens: Sequence[tuple[int, int]], spans: Iterable[Span]) -> frozenset[int]:
    """Start offsets of the word tokens overlapping any of ``spans`` (sorted ``tokens``)."""
    ends = [end for _, end in tokens]
    found = set()
    for span in spans:
        i = bisect_right(ends, span.start)  # the first token ending after the span starts
        while i < len(tokens) and tokens[i][0] < span.end:
            found.add(tokens[i][0])
            i += 1
    return frozenset(found)


def dice(a: frozenset[int], b: frozenset[int]) -> float:
    """Dice coefficient 2|A∩B| / (|A|+|B|) of two token sets; 0 when both are empty."""
    total = len(a) + len(b)
    return 2 * len(a & b) / total if total else 0.0


def match(
    pred: Sequence[frozenset[int]], gold: Sequence[frozenset[int]], threshold: float = THRESHOLD
) -> list[Pair]:
    """One-to-one pairs with Dice >= threshold, taken greedily by descending Dice."""
    candidates = [
        Pair(p, g, d)
        for p, a in enumerate(pred)
        for g, b in enumerate(gold)
        if a & b and (d := dice(a, b)) >= threshold
    ]
    candidates.sort(key=lambda c: (-c.dice, c.pred, c.gold))
    used_pred: set[int] = set()
    used_gold: set[int] = set()
    pairs = []
    for c in candidates:
        if c.pred not in used_pred and c.gold not in used_gold:
            used_pred.add(c.pred)
            used_gold.add(c.gold)
            pairs.append(c)
    return sorted(pairs)
