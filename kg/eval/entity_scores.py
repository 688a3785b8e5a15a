"""Entity scores: one system's typing confusion and name clustering counts, the measures
they give, a comparison of systems on the same documents, and the table
``kg eval entities`` prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kg.eval.figures import acc, f1, pct, ratio, rounded, share
from kg.eval.scoring import THRESHOLD

__all__ = [
    "GOLD_ROWS",
    "KINDS",
    "NONE",
    "NOT_NAMED",
    "OTHER",
    "Clustering",
    "EntityComparison",
    "SystemScores",
    "Typing",
    "format_table",
]

KINDS = ("person", "organization", "place")  # scored kinds: GUM labels and newskg kinds alike
OTHER, NONE, NOT_NAMED = "other", "none", "not named"
GOLD_ROWS = (*KINDS, OTHER, NOT_NAMED, NONE)
# Column order of the confusion table; kinds a system never predicts are left out.
_COLUMN_ORDER = (*KINDS, "event", "role", OTHER, NONE)


@dataclass(frozen=True)
class Typing:
    """The confusion counts of one system: (gold row, predicted column) -> mentions."""

    cells: tuple[tuple[str, str, int], ...]

    @classmethod
    def from_counter(cls, counts: Mapping[tuple[str, str], int]) -> Typing:
        """Typing from a mapping of (gold, predicted) to a count, zeros dropped."""
        return cls(tuple(sorted((g, p, n) for (g, p), n in counts.items() if n)))

    def count(self, gold: str, predicted: str) -> int:
        """Mentions with this gold row and predicted column."""
        return sum(n for g, p, n in self.cells if g == gold and p == predicted)

    def correct(self, kind: str) -> int:
        """Predictions of ``kind`` paired with a scored gold mention of ``kind``."""
        return self.count(kind, kind)

    def predicted(self, kind: str) -> int:
        """Predictions of ``kind`` that are scored (all but the not-named ones)."""
        return sum(n for g, p, n in self.cells if p == kind and g != NOT_NAMED)

    def gold(self, kind: str) -> int:
        """Scored gold mentions of ``kind``."""
        return sum(n for g, _, n in self.cells if g == kind)

    def not_named(self) -> int:
        """Predictions of the scored kinds left out: they only cover unnamed gold mentions."""
        return sum(n for g, p, n in self.cells if g == NOT_NAMED and p in KINDS)

    def precision(self, kind: str | None = None) -> float:
        """Precision of one kind, or micro-averaged over the scored kinds when None."""
        kinds = KINDS if kind is None else (kind,)
        return ratio(sum(map(self.correct, kinds)), sum(map(self.predicted, kinds)))

    def recall(self, kind: str | None = None) -> float:
        """Recall of one kind, or micro-averaged over the scored kinds when None."""
        kinds = KINDS if kind is None else (kind,)
        return ratio(sum(map(self.correct, kinds)), sum(map(self.gold, kinds)))

    def f1(self, kind: str | None = None) -> float:
        """Harmonic mean of precision and recall of one kind, or micro when None."""
        return f1(self.precision(kind), self.recall(kind))

    def columns(self) -> tuple[str, ...]:
        """The predicted columns that occur, in a fixed order (``none`` always last)."""
        seen = {p for _, p, _ in self.cells}
        extra = sorted(seen - set(_COLUMN_ORDER))
        return (*(c for c in _COLUMN_ORDER[:-1] if c in seen), *extra, NONE)


@dataclass(frozen=True)
class Clustering:
    """Counts of within-document name clustering, and the two shares they give."""

    gold_entities: int  # gold entities with >= 2 found named mentions
    merged: int  # ... whose found mentions all lie in one system entity
    system_entities: int  # system entities with >= 2 mentions paired with scored gold
    pure: int  # ... whose paired mentions all belong to one gold entity

    @property
    def merge_recall(self) -> float | None:
        """Share of eligible gold entities kept whole (None when none is eligible)."""
        return share(self.merged, self.gold_entities)

    @property
    def purity(self) -> float | None:
        """Share of eligible system entities that hold one gold entity (None when none)."""
        return share(self.pure, self.system_entities)


@dataclass(frozen=True)
class SystemScores:
    """One system's typing counts and, when it groups mentions, its clustering counts."""

    name: str
    typing: Typing
    clustering: Clustering | None = None


@dataclass(frozen=True)
class EntityComparison:
    """newskg and the spaCy baseline scored on the same documents parsed once."""

    documents: int
    parse_seconds: float
    runs: tuple[SystemScores, ...]

    def as_dict(self) -> dict[str, Any]:
        """The figures as plain JSON-ready values."""
        typing = self.runs[0].typing if self.runs else Typing(())
        return {
            "documents": self.documents,
            "gold_named": {k: typing.gold(k) for k in KINDS},
            "parse_seconds": round(self.parse_seconds, 3),
            "matching": (
                f"one to one by word-token Dice >= {THRESHOLD}, greedy by descending Dice, "
                "ties to agreeing kinds"
            ),
            "systems": {run.name: _run_dict(run) for run in self.runs},
        }


def format_table(comparison: EntityComparison) -> str:
    """The comparison as readable tables: typing side by side, confusion, clustering."""
    runs = comparison.runs
    first = runs[0].typing if runs else Typing(())
    gold = ", ".join(f"{k} {first.gold(k)}" for k in KINDS)
    lines = [
        f"Entity typing on {comparison.documents} documents: "
        f"{sum(first.gold(k) for k in KINDS)} gold named mentions ({gold}); "
        f"parsed once in {comparison.parse_seconds:.1f} s",
        "",
    ]
    rows: list[tuple[str, list[str]]] = [("", [r.name for r in runs])]
    for kind in (*KINDS, None):
        label = kind or "micro"
        rows += [
            (f"{label} precision", [pct(r.typing.precision(kind)) for r in runs]),
            (f"{label} recall", [pct(r.typing.recall(kind)) for r in runs]),
            (f"{label} F1", [pct(r.typing.f1(kind)) for r in runs]),
            ("  correct/predicted/gold", [_counts(r.typing, kind) for r in runs]),
        ]
    rows.append(("predictions left out (not named)", [str(r.typing.not_named()) for r in runs]))
    lines += _columns(rows, 18)
    for run in runs:
        lines += ["", f"Confusion, {run.name}: rows gold, columns predicted", *_confusion(run)]
    for run in runs:
        if run.clustering is not None:
            c = run.clustering
            lines += [
                "",
                f"Name clustering within a document, {run.name}",
                f"  merge recall {acc(c.merged, c.gold_entities)}: gold entities with >= 2 "
                "found named mentions, all found in one entity",
                f"  purity       {acc(c.pure, c.system_entities)}: entities with >= 2 "
                "mentions paired with gold names, all one gold entity",
            ]
    lines += [
        "",
        f"Matching: one to one by word-token Dice >= {THRESHOLD}, greedy by descending Dice, "
        "ties to agreeing kinds.",
    ]
    return "\n".join(lines)


def _confusion(run: SystemScores) -> list[str]:
    t = run.typing
    columns = t.columns()
    rows: list[tuple[str, list[str]]] = [("", list(columns))]
    rows += [
        (row, [str(t.count(row, c)) if t.count(row, c) else "." for c in columns])
        for row in GOLD_ROWS
        if any(t.count(row, c) for c in columns)
    ]
    return _columns(rows, 14)


def _columns(rows: list[tuple[str, list[str]]], width: int) -> list[str]:
    label_width = max(len(label) for label, _ in rows) + 2
    return [
        label.ljust(label_width) + "".join(cell.rjust(width) for cell in cells)
        for label, cells in rows
    ]


def _run_dict(run: SystemScores) -> dict[str, Any]:
    t = run.typing
    figures: dict[str, Any] = {
        label: {
            "correct": sum(map(t.correct, kinds)),
            "predicted": sum(map(t.predicted, kinds)),
            "gold": sum(map(t.gold, kinds)),
            "precision": round(t.precision(kind), 4),
            "recall": round(t.recall(kind), 4),
            "f1": round(t.f1(kind), 4),
        }
        for kind, label, kinds in [*((k, k, (k,)) for k in KINDS), (None, "micro", KINDS)]
    }
    figures["not_named_left_out"] = t.not_named()
    figures["confusion"] = {row: {c: t.count(row, c) for c in t.columns()} for row in GOLD_ROWS}
    if run.clustering is not None:
        c = run.clustering
        figures["clustering"] = {
            "gold_entities": c.gold_entities,
            "merged": c.merged,
            "merge_recall": rounded(c.merge_recall),
            "system_entities": c.system_entities,
            "pure": c.pure,
            "purity": rounded(c.purity),
        }
    return figures


def _counts(t: Typing, kind: str | None) -> str:
    kinds = KINDS if kind is None else (kind,)
    parts = (sum(map(t.correct, kinds)), sum(map(t.predicted, kinds)), sum(map(t.gold, kinds)))
    return "/".join(map(str, parts))
