"""Measure attribution (who said what) against annotated news, next to a peer baseline.

The gold format is PolNeAR's as converted for newskg: one JSON object a line with ``id``,
``text`` and ``attributions`` whose spans are ``[start, end)`` code-point offsets.
Scoring follows the corpus README:

- content: predicted and gold attributions are matched one to one when the Dice
  coefficient of their word tokens (regex ``\\w+``, a token identified by its start
  offset so repeated words stay apart) is at least 0.5; the matching is greedy by
  descending Dice. Gold items are those with a source and a content span.
- speaker: a matched pair's speaker is right when the predicted speaker (its words, or
  the entity it resolved to) shares a name word with the gold source, or its mention
  overlaps the gold source span. Pronoun sources are counted apart.
- attributed: a prediction counts only when it matched and its speaker is right.

The baseline is textacy's ``direct_quotations`` over the same parsed ``Doc``s; it is
optional (``pip install newskg[eval]``). Timing is the only impure part, in ``evaluate``.
"""

from __future__ import annotations

import importlib
import json
import re
import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import InputError
from kg.extract import extract
from kg.figures import acc, f1, pct, ratio, rounded, share
from kg.lexicon import Lexicon
from kg.model import Article, DocExtraction, Span

THRESHOLD = 0.5
QUOTE_TYPES = ("direct", "indirect", "mixed")
PRONOUNS = frozenset(
    {"he", "she", "they", "it", "i", "we", "you", "him", "her", "them", "his", "its", "their"}
)
# Words that name nobody: sharing one of them does not make two speakers the same.
# Pronouns are here too, so a pronoun source can only be right by its span.
_NOT_NAMES = PRONOUNS | frozenset(
    {"the", "a", "an", "of", "and", "s", "mr", "mrs", "ms", "dr", "said", "says"}
)
_WORD = re.compile(r"\w+")
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
INSTALL_HINT = "textacy is not installed: `pip install newskg[eval]` enables the baseline"


_T = TypeVar("_T")

# -- records ----------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Prediction:
    """One attribution a system found, reduced to what scoring reads."""

    content: Span
    speaker_text: str | None = None
    speaker_span: Span | None = None
    entity_name: str | None = None  # the resolved speaker entity's name, if any
    entity_mentions: tuple[Span, ...] = ()  # every mention of that entity
    is_direct: bool = False


class Pair(NamedTuple):
    """A matched (prediction index, gold index) with the Dice of their contents."""

    pred: int
    gold: int
    dice: float


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


# -- reading ----------------------------------------------------------------------------


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


def read_gold(path: Path) -> list[GoldDoc]:
    """Every document of a PolNeAR-style gold JSONL file."""
    return read_jsonl(path, _gold_doc, "id, text and attributions")


def _gold_doc(record: Any) -> GoldDoc:
    if not isinstance(record, dict):
        raise TypeError("the line is not a JSON object")
    text, doc_id = record["text"], record["id"]
    if not isinstance(text, str) or not isinstance(doc_id, str | int):
        raise TypeError("id must be a string and text a string")
    items = record["attributions"]
    if not isinstance(items, list):
        raise TypeError("attributions must be a list")
    return GoldDoc(str(doc_id), text, tuple(_gold_attribution(a, len(text)) for a in items))


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


# -- scoring ----------------------------------------------------------------------------


def words(text: str) -> tuple[tuple[int, int], ...]:
    """The ``[start, end)`` of every word token (regex ``\\w+``) of ``text``."""
    return tuple(m.span() for m in _WORD.finditer(text))


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


def name_words(text: str | None) -> frozenset[str]:
    """The lower-cased words of a speaker's text that can name someone."""
    return frozenset(w for w in _WORD.findall((text or "").lower()) if w not in _NOT_NAMES)


def is_pronoun(speaker: str | None) -> bool:
    """Whether a gold source is written as a bare personal pronoun."""
    return (speaker or "").strip().lower() in PRONOUNS


def speaker_right(pred: Prediction, gold: GoldAttribution) -> bool:
    """Whether the predicted speaker names the gold source (by a name word or by place)."""
    gold_words = name_words(gold.speaker)
    if gold_words & (name_words(pred.speaker_text) | name_words(pred.entity_name)):
        return True
    mentions = (pred.speaker_span, *pred.entity_mentions)
    return any(_overlap(m, s) for m in mentions if m is not None for s in gold.speaker_spans)


def score(gold_docs: Sequence[GoldDoc], predictions: Sequence[Sequence[Prediction]]) -> Scores:
    """Score one system's predictions (one sequence per gold document) against the gold."""
    if len(gold_docs) != len(predictions):
        raise ValueError(f"{len(predictions)} prediction lists for {len(gold_docs)} documents")
    n: Counter[str] = Counter()
    by_type: Counter[tuple[str, str]] = Counter()
    for doc, preds in zip(gold_docs, predictions, strict=True):
        tokens = words(doc.text)
        gold = [g for g in doc.attributions if g.has_source and g.content]
        pairs = match(
            [token_set(tokens, (p.content,)) for p in preds],
            [token_set(tokens, g.content) for g in gold],
        )
        n["predicted"] += len(preds)
        n["gold"] += len(gold)
        for g in gold:
            by_type[g.quote_type, "gold"] += 1
        for pair in pairs:
            g = gold[pair.gold]
            right = speaker_right(preds[pair.pred], g)
            pronoun = is_pronoun(g.speaker)
            n["matched"] += 1
            n["right"] += right
            n["pronoun_matched"] += pronoun
            n["pronoun_right"] += pronoun and right
            by_type[g.quote_type, "matched"] += 1
            by_type[g.quote_type, "attributed"] += right
    types = [*QUOTE_TYPES, *sorted({t for t, _ in by_type} - set(QUOTE_TYPES))]
    return Scores(
        predicted=n["predicted"],
        gold=n["gold"],
        matched=n["matched"],
        speaker_right=n["right"],
        pronoun_matched=n["pronoun_matched"],
        pronoun_right=n["pronoun_right"],
        by_quote_type=tuple(
            QuoteTypeCounts(t, by_type[t, "gold"], by_type[t, "matched"], by_type[t, "attributed"])
            for t in types
        ),
    )


# -- systems ----------------------------------------------------------------------------


def from_extraction(extraction: DocExtraction) -> list[Prediction]:
    """newskg's attributions of one document as predictions, with their resolved speakers."""
    entities = {e.local_id: e for e in extraction.entities}
    predictions = []
    for a in extraction.attributions:
        entity = entities.get(a.speaker) if a.speaker is not None else None
        predictions.append(
            Prediction(
                content=a.content,
                speaker_text=a.speaker_text,
                speaker_span=a.speaker_span,
                entity_name=entity.name if entity else None,
                entity_mentions=entity.mentions if entity else (),
                is_direct=a.is_direct,
            )
        )
    return predictions


def _from_textacy(doc: Doc, direct_quotations: Callable[[Doc], Iterable[Any]]) -> list[Prediction]:
    """textacy's (speaker, cue, content) triples of one Doc as predictions."""
    predictions = []
    for triple in direct_quotations(doc):
        speaker = sorted(triple.speaker, key=lambda t: t.i)
        speaker_span = None
        if speaker:
            end = max(t.idx + len(t.text) for t in speaker)
            speaker_span = Span(speaker[0].idx, end)
        predictions.append(
            Prediction(
                content=Span(triple.content.start_char, triple.content.end_char),
                speaker_text=" ".join(t.text for t in speaker) or None,
                speaker_span=speaker_span,
                is_direct=True,
            )
        )
    return predictions


def textacy_quotations() -> Callable[[Doc], Iterable[Any]] | None:
    """textacy's ``direct_quotations`` when textacy is installed, else None."""
    try:
        module = importlib.import_module("textacy.extract.triples")
    except ImportError:
        return None
    found: Callable[[Doc], Iterable[Any]] = module.direct_quotations
    return found


def evaluate(
    gold_docs: Sequence[GoldDoc], nlp: Language, lexicon: Lexicon, *, baseline: bool = True
) -> Comparison:
    """Parse the gold texts once, run newskg (and textacy) on the same Docs and score both."""
    started = time.perf_counter()
    docs = list(nlp.pipe(d.text for d in gold_docs))
    parse_seconds = time.perf_counter() - started

    started = time.perf_counter()
    ours = [
        from_extraction(extract(Article(id=g.id, text=g.text), doc, lexicon))
        for g, doc in zip(gold_docs, docs, strict=True)
    ]
    runs = [SystemRun("newskg", score(gold_docs, ours), time.perf_counter() - started)]
    notes = []

    quotations = textacy_quotations() if baseline else None
    if quotations is not None:
        started = time.perf_counter()
        theirs, skipped = [], 0
        for doc in docs:
            try:
                theirs.append(_from_textacy(doc, quotations))
            except ValueError:  # textacy bails out on an odd number of quotation marks
                theirs.append([])
                skipped += 1
        elapsed = time.perf_counter() - started
        runs.append(SystemRun("textacy", score(gold_docs, theirs), elapsed, skipped))
        if skipped:
            notes.append(
                f"textacy declined {skipped} document(s) with unbalanced quotation marks "
                "(scored as finding nothing)"
            )
    elif baseline:
        notes.append(INSTALL_HINT)
    return Comparison(
        documents=len(gold_docs),
        gold_all=sum(len(d.attributions) for d in gold_docs),
        parse_seconds=parse_seconds,
        runs=tuple(runs),
        notes=tuple(notes),
    )


# -- report -----------------------------------------------------------------------------


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


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end
