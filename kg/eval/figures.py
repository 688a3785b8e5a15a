"""The arithmetic and formatting of evaluation figures, shared by the ``kg eval`` measures."""

from __future__ import annotations


def pct(value: float) -> str:
    """A share as a percentage with one decimal."""
    return f"{100 * value:.1f}"


def acc(right: int, total: int) -> str:
    """An accuracy with its counts: '91.5 (10/11)'."""
    return f"{100 * right / total:.1f} ({right}/{total})" if total else f"– (0/{total})"


def ratio(part: int, whole: int) -> float:
    """part / whole, 0 when there is no whole (precision and recall)."""
    return part / whole if whole else 0.0


def share(part: int, whole: int) -> float | None:
    """part / whole, None when there is no whole (a figure that does not exist)."""
    return part / whole if whole else None


def f1(p: float, r: float) -> float:
    """The harmonic mean of precision and recall."""
    return 2 * p * r / (p + r) if p + r else 0.0


def rounded(value: float | None) -> float | None:
    """A figure rounded for JSON output."""
    return None if value is None else round(value, 4)
