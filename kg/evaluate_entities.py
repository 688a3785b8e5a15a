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
organization, GPE and LOC -> place, any other label -> other.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from kg.evaluate import THRESHOLD, Pair, dice, read_jsonl, token_set, words
from kg.extract import extract
from kg.figures import acc, f1, pct, ratio, rounded, share
from kg.lexicon import Lexicon
from kg.model import Article, DocExtraction, Span

KINDS = ("person", "organization", "place")  # scored kinds: GUM labels and newskg kinds alike
OTHER, NONE, NOT_NAMED = "other", "none", "not named"
GOLD_ROWS = (*KINDS, OTHER, NOT_NAMED, NONE)
SPACY_KINDS = {"PERSON": "person", "ORG": "organization", "GPE": "place", "LOC": "place"}
# Column order of the confusion table; kinds a system never predicts are left out.
_COLUMN_ORDER = (*KINDS, "event", "role", OTHER, NONE)


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


# -- reading ----------------------------------------------------------------------------


def read_gold(path: Path) -> list[GoldDoc]:
    """Every document of a GUM-style gold JSONL file."""
    return read_jsonl(path, _gold_doc, "id, text and entities")


def _gold_doc(record: Any) -> GoldDoc:
    if not isinstance(record, dict):
        raise TypeError("the line is not a JSON object")
    text, doc_id, items = record["text"], record["id"], record["entities"]
    if not isinstance(text, str) or not isinstance(doc_id, str | int):
        raise TypeError("id must be a string and text a string")
    if not isinstance(items, list):
        raise TypeError("entities must be a list")
    return GoldDoc(str(doc_id), text, tuple(_gold_mention(e, len(text)) for e in items))


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


# -- report -----------------------------------------------------------------------------


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
