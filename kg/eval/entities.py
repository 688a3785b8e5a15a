"""Measure entity typing and name clustering against annotated news, next to bare spaCy NER.

The gold format is GUM's as converted for newskg: one JSON object a line with ``id``,
``text`` and ``entities`` (``text``, ``label``, ``span`` as ``[start, end)`` code-point
offsets, ``entity_id``, ``wikipedia``, ``is_pronoun``, ``has_propn``). Only names are
scored: a gold mention is *named* when it has a proper noun and is not a pronoun, and
*scored* when it is named and labelled person, organization or place.

- Matching: in each document, predicted mentions and named gold mentions (of any label)
  are paired one to one when the Dice coefficient of their word tokens (``\\w+``, a token
  identified by its start offset) is at least 0.5, greedily by descending Dice; at equal
  Dice a pair whose kinds agree goes first. Dice >= 0.5 stands in for "overlapping, with
  the same head word".
- Typing: a prediction of kind K is correct when paired with a scored gold mention of
  kind K. Precision of K is correct over predictions of K; recall is correct over scored
  gold mentions of K; micro figures sum the three kinds. A prediction paired with a
  named gold mention of another label (event, time ...) counts against precision. An
  unpaired prediction that covers (Dice >= 0.5) an unnamed gold mention ("the minister",
  "she") is left out of precision: the gold calls it no name, and names are what is scored.
- Confusion: rows are the gold side (person, organization, place; ``other`` a named gold
  mention of another label; ``not named``, left out as above; ``none`` no gold mention),
  columns the predicted kind or ``none``. Rows other, not named and none hold predictions
  only.
- Clustering (newskg only, within a document): a gold mention is *found* when paired with
  a newskg mention of any kind. Merge recall: of the gold person/organization/place
  entities (``entity_id``) with at least two found named mentions, the share whose found
  mentions all lie in one newskg entity. Purity: of the newskg entities with at least two
  mentions paired with scored gold mentions, the share whose paired mentions all belong to
  one gold entity.

The baseline is the same parsed ``Doc``'s ``doc.ents``: PERSON -> person, ORG ->
organization, GPE and LOC -> place, any other label -> other. The scores and their table
are :mod:`kg.eval.entity_scores`; gold lines are read and tokens matched by :mod:`kg.eval.scoring`.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from kg.eval.entity_scores import (
    KINDS,
    NONE,
    NOT_NAMED,
    OTHER,
    Clustering,
    EntityComparison,
    SystemScores,
    Typing,
    format_table,
)
from kg.eval.scoring import THRESHOLD, Pair, dice, gold_record, read_jsonl, token_set, words
from kg.extract import extract
from kg.extract.lexicon import Lexicon
from kg.model import Article, DocExtraction, Span

# kg eval entities reads the gold, evaluates and prints through this module.
__all__ = [
    "Clustering",
    "EntityComparison",
    "GoldDoc",
    "GoldMention",
    "Predicted",
    "align",
    "cluster_counts",
    "evaluate",
    "format_table",
    "from_extraction",
    "from_spacy",
    "match_mentions",
    "read_gold",
    "score",
    "type_counts",
]

SPACY_KINDS = {"PERSON": "person", "ORG": "organization", "GPE": "place", "LOC": "place"}

# -- records ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldMention:
    """One annotated mention: where it is, its GUM label and entity, whether it is a name."""

    span: Span
    label: str
    entity_id: str
    named: bool  # has a proper noun and is not a pronoun

    @property
    def kind(self) -> str:
        """The scored kind of the label, or ``other``."""
        return self.label if self.label in KINDS else OTHER


@dataclass(frozen=True)
class GoldDoc:
    """One annotated document: its text and every entity mention in it."""

    id: str
    text: str
    mentions: tuple[GoldMention, ...]


@dataclass(frozen=True)
class Predicted:
    """One mention a system typed; ``entity`` groups the mentions of one entity (or None)."""

    span: Span
    kind: str
    entity: int | None = None


# -- reading ----------------------------------------------------------------------------


def read_gold(path: Path) -> list[GoldDoc]:
    """Every document of a GUM-style gold JSONL file."""
    return read_jsonl(path, _gold_doc, "id, text and entities")


def _gold_doc(record: Any) -> GoldDoc:
    doc_id, text, items = gold_record(record, "entities")
    return GoldDoc(doc_id, text, tuple(_gold_mention(e, len(text)) for e in items))


def _gold_mention(item: Any, size: int) -> GoldMention:
    if not isinstance(item, dict):
        raise TypeError("an entity mention is not a JSON object")
    span, label, entity_id = item["span"], item["label"], item["entity_id"]
    if not (isinstance(span, list) and len(span) == 2 and all(type(x) is int for x in span)):
        raise TypeError(f"a span must be [start, end], not {span!r}")
    if span[1] > size:
        raise ValueError(f"span {span} runs past the text ({size} characters)")
    if not isinstance(label, str) or not isinstance(entity_id, str | int):
        raise TypeError("label must be a string and entity_id a string or number")
    pronoun, propn = item.get("is_pronoun", False), item.get("has_propn", False)
    if not (isinstance(pronoun, bool) and isinstance(propn, bool)):
        raise TypeError("is_pronoun and has_propn must be true or false")
    return GoldMention(Span(span[0], span[1]), label, str(entity_id), propn and not pronoun)


# -- systems ----------------------------------------------------------------------------


def from_extraction(extraction: DocExtraction) -> list[Predicted]:
    """Every mention of newskg's entities of one document, with its entity's kind and id."""
    return [
        Predicted(span, entity.kind.value, entity.local_id)
        for entity in extraction.entities
        for span in entity.mentions
    ]


def from_spacy(doc: Doc) -> list[Predicted]:
    """The named entities spaCy's recognizer found in one Doc, mapped to the scored kinds."""
    return [
        Predicted(Span(ent.start_char, ent.end_char), SPACY_KINDS.get(ent.label_, OTHER))
        for ent in doc.ents
    ]


# -- scoring ----------------------------------------------------------------------------


def match_mentions(
    pred: Sequence[frozenset[int]],
    gold: Sequence[frozenset[int]],
    agree: Sequence[Sequence[bool]],
    threshold: float = THRESHOLD,
) -> list[Pair]:
    """One-to-one pairs with Dice >= threshold, greedy by descending Dice, agreeing first.

    ``agree[p][g]`` says whether prediction p and gold mention g have the same kind.
    """
    candidates = [
        (-d, not agree[p][g], Pair(p, g, d))
        for p, a in enumerate(pred)
        for g, b in enumerate(gold)
        if a & b and (d := dice(a, b)) >= threshold
    ]
    candidates.sort(key=lambda c: (c[0], c[1], c[2].pred, c[2].gold))
    used_pred: set[int] = set()
    used_gold: set[int] = set()
    pairs = []
    for _, _, c in candidates:
        if c.pred not in used_pred and c.gold not in used_gold:
            used_pred.add(c.pred)
            used_gold.add(c.gold)
            pairs.append(c)
    return sorted(pairs)


@dataclass(frozen=True)
class Alignment:
    """One document's named gold mentions and predictions, and how they pair up."""

    named: tuple[GoldMention, ...]
    pred: tuple[Predicted, ...]
    pairs: tuple[Pair, ...]
    not_named: frozenset[int]  # unpaired predictions covering only unnamed gold mentions


def align(doc: GoldDoc, preds: Sequence[Predicted]) -> Alignment:
    """Pair one document's predictions with its named gold mentions (see the module doc)."""
    tokens = words(doc.text)
    named = tuple(m for m in doc.mentions if m.named)
    unnamed = [token_set(tokens, (m.span,)) for m in doc.mentions if not m.named]
    pred_sets = [token_set(tokens, (p.span,)) for p in preds]
    pairs = match_mentions(
        pred_sets,
        [token_set(tokens, (m.span,)) for m in named],
        [[p.kind == m.kind for m in named] for p in preds],
    )
    paired = {pair.pred for pair in pairs}
    not_named = frozenset(
        i
        for i, a in enumerate(pred_sets)
        if i not in paired and any(a & u and dice(a, u) >= THRESHOLD for u in unnamed)
    )
    return Alignment(named, tuple(preds), tuple(pairs), not_named)


def type_counts(alignments: Iterable[Alignment]) -> Typing:
    """The confusion counts of one system over aligned documents."""
    counts: Counter[tuple[str, str]] = Counter()
    for al in alignments:
        paired_gold = {pair.gold for pair in al.pairs}
        paired_pred = {pair.pred for pair in al.pairs}
        for pair in al.pairs:
            counts[al.named[pair.gold].kind, al.pred[pair.pred].kind] += 1
        for g, mention in enumerate(al.named):
            if g not in paired_gold and mention.kind != OTHER:
                counts[mention.kind, NONE] += 1
        for p, prediction in enumerate(al.pred):
            if p not in paired_pred:
                counts[NOT_NAMED if p in al.not_named else NONE, prediction.kind] += 1
    return Typing.from_counter(counts)


def cluster_counts(alignments: Iterable[Alignment]) -> Clustering:
    """Merge recall and purity counts of one system's entities over aligned documents."""
    n: Counter[str] = Counter()
    for al in alignments:
        # (gold entity, system entity) of every pair whose gold mention is scored
        links = [
            (al.named[pair.gold].entity_id, al.pred[pair.pred].entity)
            for pair in al.pairs
            if al.named[pair.gold].kind != OTHER
        ]
        by_gold: defaultdict[str, list[int | None]] = defaultdict(list)
        by_system: defaultdict[int, list[str]] = defaultdict(list)
        for gold, entity in links:
            by_gold[gold].append(entity)
            if entity is not None:
                by_system[entity].append(gold)
        gold_groups = [set(e) for e in by_gold.values() if len(e) >= 2]
        system_groups = [set(g) for g in by_system.values() if len(g) >= 2]
        n["gold"] += len(gold_groups)
        n["merged"] += sum(len(g) == 1 and None not in g for g in gold_groups)
        n["system"] += len(system_groups)
        n["pure"] += sum(len(g) == 1 for g in system_groups)
    return Clustering(n["gold"], n["merged"], n["system"], n["pure"])


def score(
    name: str, gold_docs: Sequence[GoldDoc], predictions: Sequence[Sequence[Predicted]]
) -> SystemScores:
    """Score one system (one prediction list per gold document); clusters when it has ids."""
    if len(gold_docs) != len(predictions):
        raise ValueError(f"{len(predictions)} prediction lists for {len(gold_docs)} documents")
    alignments = [align(d, p) for d, p in zip(gold_docs, predictions, strict=True)]
    grouped = any(p.entity is not None for preds in predictions for p in preds)
    return SystemScores(
        name, type_counts(alignments), cluster_counts(alignments) if grouped else None
    )


def evaluate(gold_docs: Sequence[GoldDoc], nlp: Language, lexicon: Lexicon) -> EntityComparison:
    """Parse the gold texts once; score newskg's entities and spaCy's NER on the same Docs."""
    started = time.perf_counter()
    docs = list(nlp.pipe(d.text for d in gold_docs))
    parse_seconds = time.perf_counter() - started
    ours = [
        from_extraction(extract(Article(id=g.id, text=g.text), doc, lexicon))
        for g, doc in zip(gold_docs, docs, strict=True)
    ]
    theirs = [from_spacy(doc) for doc in docs]
    return EntityComparison(
        documents=len(gold_docs),
        parse_seconds=parse_seconds,
        runs=(score("newskg", gold_docs, ours), score("spacy", gold_docs, theirs)),
    )
