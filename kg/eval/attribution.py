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
The gold is read by :mod:`kg.eval.polnear`, tokens matched by :mod:`kg.eval.scoring`, and the
scores and their table are :mod:`kg.eval.attribution_scores`.
"""

from __future__ import annotations

import importlib
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from kg.eval.attribution_scores import Comparison, QuoteTypeCounts, Scores, SystemRun, format_table
from kg.eval.polnear import GoldAttribution, GoldDoc, read_gold
from kg.eval.scoring import WORD, match, token_set, words
from kg.extract import extract
from kg.extract.lexicon import Lexicon
from kg.model import Article, DocExtraction, Span

# kg eval attribution reads the gold, evaluates and prints through this module.
__all__ = [
    "INSTALL_HINT",
    "Comparison",
    "GoldAttribution",
    "GoldDoc",
    "Prediction",
    "SystemRun",
    "evaluate",
    "format_table",
    "from_extraction",
    "is_pronoun",
    "name_words",
    "read_gold",
    "score",
    "speaker_right",
    "textacy_quotations",
]

QUOTE_TYPES = ("direct", "indirect", "mixed")
PRONOUNS = frozenset(
    {"he", "she", "they", "it", "i", "we", "you", "him", "her", "them", "his", "its", "their"}
)
# Words that name nobody: sharing one of them does not make two speakers the same.
# Pronouns are here too, so a pronoun source can only be right by its span.
_NOT_NAMES = PRONOUNS | frozenset(
    {"the", "a", "an", "of", "and", "s", "mr", "mrs", "ms", "dr", "said", "says"}
)
INSTALL_HINT = "textacy is not installed: `pip install newskg[eval]` enables the baseline"


# -- records ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Prediction:
    """One attribution a system found, reduced to what scoring reads."""

    content: Span
    speaker_text: str | None = None
    speaker_span: Span | None = None
    entity_name: str | None = None  # the resolved speaker entity's name, if any
    entity_mentions: tuple[Span, ...] = ()  # every mention of that entity
    is_direct: bool = False


# -- scoring ----------------------------------------------------------------------------


def name_words(text: str | None) -> frozenset[str]:
    """The lower-cased words of a speaker's text that can name someone."""
    return frozenset(w for w in WORD.findall((text or "").lower()) if w not in _NOT_NAMES)


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


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end
