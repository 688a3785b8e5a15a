"""Attribution scores: one system's counts and the measures they give, a comparison of
systems on the same documents, and the table ``kg eval attribution`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg.eval.figures import acc, f1, pct, ratio, rounded, share
from kg.eval.scoring import THRESHOLD

__all__ = ["Comparison", "QuoteTypeCounts", "Scores", "SystemRun", "format_table"]

# The measures of Scores, in the order --json gives them.
_MEASURES = (
    "content_precision",
    "content_recall",
    "content_f1",
    "speaker_accuracy",
    "named_accuracy",
    "pronoun_accuracy",
    "attributed_precision",
    "attributed_recall",
    "attributed_f1",
)


@dataclass(frozen=True)
class QuoteTypeCounts:
    """Gold items of one quote type, and how many were matched and attributed."""

    quote_type: str
    gold: int
    matched: int
    attributed: int

    @property
    def recall(self) -> float:
        """Content recall within this quote type."""
        return ratio(self.matched, self.gold)

    @property
    def attributed_recall(self) -> float:
        """Recall of content and speaker both right within this quote type."""
        return ratio(self.attributed, self.gold)


@dataclass(frozen=True)
class Scores:
    """Counts of one system over a set of documents, and the measures they give."""

    predicted: int
    gold: int
    matched: int
    speaker_right: int
    pronoun_matched: int
    pronoun_right: int
    by_quote_type: tuple[QuoteTypeCounts, ...] = ()

    @property
    def content_precision(self) -> float:
        """Matched predictions over all predictions."""
        return ratio(self.matched, self.predicted)

    @property
    def content_recall(self) -> float:
        """Matched gold items over all gold items."""
        return ratio(self.matched, self.gold)

    @property
    def content_f1(self) -> float:
        """Harmonic mean of content precision and recall."""
        return f1(self.content_precision, self.content_recall)

    @property
    def speaker_accuracy(self) -> float | None:
        """Share of matched pairs whose speaker is right (None without pairs)."""
        return share(self.speaker_right, self.matched)

    @property
    def pronoun_accuracy(self) -> float | None:
        """Speaker accuracy over matched pairs whose gold source is a pronoun."""
        return share(self.pronoun_right, self.pronoun_matched)

    @property
    def named_accuracy(self) -> float | None:
        """Speaker accuracy over matched pairs whose gold source is not a pronoun."""
        return share(self.speaker_right - self.pronoun_right, self.matched - self.pronoun_matched)

    @property
    def attributed_precision(self) -> float:
        """Predictions matched with the right speaker over all predictions."""
        return ratio(self.speaker_right, self.predicted)

    @property
    def attributed_recall(self) -> float:
        """Gold items matched with the right speaker over all gold items."""
        return ratio(self.speaker_right, self.gold)

    @property
    def attributed_f1(self) -> float:
        """Harmonic mean of attributed precision and recall: the end-to-end measure."""
        return f1(self.attributed_precision, self.attributed_recall)


@dataclass(frozen=True)
class SystemRun:
    """One system's scores and the seconds it spent extracting (parsing excluded)."""

    name: str
    scores: Scores
    extract_seconds: float
    skipped: int = 0  # documents the system declined (textacy: unbalanced quotation marks)


@dataclass(frozen=True)
class Comparison:
    """Every system scored on the same documents parsed once by the same pipeline."""

    documents: int
    gold_all: int  # every gold attribution, with a source or not
    parse_seconds: float
    runs: tuple[SystemRun, ...]
    notes: tuple[str, ...] = ()

    def run(self, name: str) -> SystemRun | None:
        """The run of the system called ``name``, if it ran."""
        return next((r for r in self.runs if r.name == name), None)

    def docs_per_second(self, run: SystemRun) -> float:
        """Throughput of one system: documents over parsing plus its extraction."""
        seconds = self.parse_seconds + run.extract_seconds
        return self.documents / seconds if seconds > 0 else 0.0

    @property
    def ratio(self) -> float | None:
        """Attributed F1 of newskg over textacy's (None without a non-zero baseline)."""
        ours, theirs = self.run("newskg"), self.run("textacy")
        if ours is None or theirs is None or theirs.scores.attributed_f1 == 0:
            return None
        return ours.scores.attributed_f1 / theirs.scores.attributed_f1

    def as_dict(self) -> dict[str, Any]:
        """The figures as plain JSON-ready values."""
        return {
            "documents": self.documents,
            "gold_attributions": self.runs[0].scores.gold if self.runs else 0,
            "gold_all": self.gold_all,
            "parse_seconds": round(self.parse_seconds, 3),
            "matching": f"one to one, greedy by descending Dice >= {THRESHOLD}",
            "systems": {r.name: self._run_dict(r) for r in self.runs},
            "textacy": self.run("textacy") is not None,
            "ratio_attributed_f1": rounded(self.ratio),
            "notes": list(self.notes),
        }

    def _run_dict(self, run: SystemRun) -> dict[str, Any]:
        s = run.scores
        named_matched = s.matched - s.pronoun_matched
        return {
            "predicted": s.predicted,
            "gold": s.gold,
            "matched": s.matched,
            "speaker_right": s.speaker_right,
            "named_matched": named_matched,
            "pronoun_matched": s.pronoun_matched,
            **{name: rounded(getattr(s, name)) for name in _MEASURES},
            "by_quote_type": {
                q.quote_type: {
                    "gold": q.gold,
                    "matched": q.matched,
                    "recall": rounded(q.recall),
                    "attributed_recall": rounded(q.attributed_recall),
                }
                for q in s.by_quote_type
            },
            "extract_seconds": round(run.extract_seconds, 3),
            "docs_per_second": round(self.docs_per_second(run), 2),
            "skipped_documents": run.skipped,
        }


def format_table(comparison: Comparison) -> str:
    """The comparison as a readable table, one column per system."""
    runs = comparison.runs
    gold = runs[0].scores.gold if runs else 0
    head = (
        f"Attribution on {comparison.documents} documents: {gold} gold attributions with a "
        f"source ({comparison.gold_all} in all); parsed once in {comparison.parse_seconds:.1f} s"
    )
    rows: list[tuple[str, list[str]]] = [
        ("", [r.name for r in runs]),
        ("predicted", [str(r.scores.predicted) for r in runs]),
        (f"matched (Dice >= {THRESHOLD})", [str(r.scores.matched) for r in runs]),
        ("content precision", [pct(r.scores.content_precision) for r in runs]),
        ("content recall", [pct(r.scores.content_recall) for r in runs]),
        ("content F1", [pct(r.scores.content_f1) for r in runs]),
        ("speaker accuracy", [acc(r.scores.speaker_right, r.scores.matched) for r in runs]),
        ("  named sources", [acc(*_named(r.scores)) for r in runs]),
        (
            "  pronoun sources",
            [acc(r.scores.pronoun_right, r.scores.pronoun_matched) for r in runs],
        ),
        ("attributed precision", [pct(r.scores.attributed_precision) for r in runs]),
        ("attributed recall", [pct(r.scores.attributed_recall) for r in runs]),
        ("attributed F1", [pct(r.scores.attributed_f1) for r in runs]),
    ]
    for i, counts in enumerate(runs[0].scores.by_quote_type if runs else ()):
        label = f"{counts.quote_type} ({counts.gold} gold)"
        cells = [pct(r.scores.by_quote_type[i].recall) for r in runs]
        attributed = [pct(r.scores.by_quote_type[i].attributed_recall) for r in runs]
        rows += [(f"recall, {label}", cells), ("  attributed recall", attributed)]
    rows += [
        ("extraction seconds", [f"{r.extract_seconds:.2f}" for r in runs]),
        ("docs/s, parse + extraction", [f"{comparison.docs_per_second(r):.2f}" for r in runs]),
    ]
    if any(r.skipped for r in runs):
        rows.append(("documents declined", [str(r.skipped) for r in runs]))
    width = max(len(label) for label, _ in rows) + 2
    lines = [head, ""] + [
        label.ljust(width) + "".join(cell.rjust(18) for cell in cells) for label, cells in rows
    ]
    versus = comparison.ratio
    if versus is not None:
        lines.append(f"\nattributed F1, newskg / textacy: {versus:.2f}")
    lines.append(f"Matching: one to one, greedy by descending Dice >= {THRESHOLD}.")
    lines += list(comparison.notes)
    return "\n".join(lines)


def _named(s: Scores) -> tuple[int, int]:
    return s.speaker_right - s.pronoun_right, s.matched - s.pronoun_matched
