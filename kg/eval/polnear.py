"""Gold attributions in PolNeAR's format as converted for newskg, read and checked.

One JSON object a line with ``id``, ``text`` and ``attributions``; an attribution's spans
are ``[start, end)`` code-point offsets, its exact fragments when given, else the covering
span. A malformed line is one :class:`kg.errors.InputError` naming the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.eval.scoring import gold_record, read_jsonl
from kg.model import Span

__all__ = ["GoldAttribution", "GoldDoc", "read_gold"]


@dataclass(frozen=True)
class GoldAttribution:
    """One annotated attribution; ``content`` and ``speaker_spans`` are the exact pieces."""

    content: tuple[Span, ...]
    speaker: str | None
    speaker_spans: tuple[Span, ...]
    has_source: bool
    quote_type: str  # direct, indirect or mixed (derived from quotation marks)
    cue: str | None = None


@dataclass(frozen=True)
class GoldDoc:
    """One annotated article: its text and every attribution in it."""

    id: str
    text: str
    attributions: tuple[GoldAttribution, ...]


def read_gold(path: Path) -> list[GoldDoc]:
    """Every document of a PolNeAR-style gold JSONL file."""
    return read_jsonl(path, _gold_doc, "id, text and attributions")


def _gold_doc(record: Any) -> GoldDoc:
    doc_id, text, items = gold_record(record, "attributions")
    return GoldDoc(doc_id, text, tuple(_gold_attribution(a, len(text)) for a in items))


def _gold_attribution(item: Any, size: int) -> GoldAttribution:
    if not isinstance(item, dict):
        raise TypeError("an attribution is not a JSON object")
    speaker = item.get("speaker")
    quote_type = item.get("quote_type") or ("direct" if item.get("direct") else "indirect")
    if not (speaker is None or isinstance(speaker, str)) or not isinstance(quote_type, str):
        raise TypeError("speaker and quote_type must be strings")
    speaker_spans = _spans(item.get("speaker_fragments"), item.get("speaker_span"), size)
    return GoldAttribution(
        content=_spans(item.get("content_fragments"), item.get("content_span"), size),
        speaker=speaker,
        speaker_spans=speaker_spans,
        has_source=bool(item.get("has_source", speaker_spans != ())),
        quote_type=quote_type,
        cue=item.get("cue") if isinstance(item.get("cue"), str) else None,
    )


def _spans(fragments: Any, cover: Any, size: int) -> tuple[Span, ...]:
    """The exact fragments when given, else the covering span, else nothing."""
    raw = fragments if fragments else ([cover] if cover is not None else [])
    if not isinstance(raw, list):
        raise TypeError("spans must be lists of [start, end]")
    spans = []
    for pair in raw:
        if not (isinstance(pair, list) and len(pair) == 2 and all(type(x) is int for x in pair)):
            raise TypeError(f"a span must be [start, end], not {pair!r}")
        if pair[1] > size:
            raise ValueError(f"span {pair} runs past the text ({size} characters)")
        spans.append(Span(pair[0], pair[1]))
    return tuple(spans)
