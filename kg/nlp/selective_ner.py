"""The entity recognizer, run only on the sentences that can hold a name.

Entity recognition is most of the small English model's time (59% of it in
``benchmarks/components.py``), and the extraction reads only its PERSON, ORG, GPE and
LOC entities (``kg.extract.mentions``). English writes those names with capitals, so a
sentence is taken to name none when no word after its first has a capital and its first
word is neither tagged a proper noun, nor capitalised inside ('McCain'), nor written with
a capital elsewhere in the document ('He said the talks would resume.'). In news a sixth
to a fifth of the words are in such sentences.

:class:`SelectiveNER` takes the place of the pipeline's ``ner`` (same name and place; its
factory, ``FACTORY``, is registered in :mod:`kg.nlp.components`).
For each document it packs the sentences that may hold a name, with ``MARGIN`` tokens of
context either side of each run of them, into one shorter ``Doc``: the same words, spaces,
norms and sentence starts, from which the recognizer computes all its features. It runs
the pipeline's recognizer on those in batches and copies the entities back by token
offset, cut back to the kept sentences. Every token of a skipped sentence is outside any
entity; an entity across a cut is dropped. ``benchmarks/selective_ner.py`` measures how
close this stays to the recognizer on whole documents: on the benchmark's generated
articles it finds the same person, organization and place entities, and on PolNeAR dev
all but the 10 of 4,309 that lie in skipped sentences.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice, pairwise
from typing import Any

import numpy
from numpy.typing import NDArray
from spacy.attrs import IS_ALPHA, LOWER, NORM, ORTH, SENT_START, TAG
from spacy.language import Language
from spacy.pipeline import EntityRecognizer
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan
from spacy.vocab import Vocab

FACTORY = "newskg_selective_ner"
NER = "ner"
# String hashes, computed rather than looked up: nothing is added to the vocabulary.
_PROPER = frozenset({get_string_id("NNP"), get_string_id("NNPS")})
_PRONOUN_I = get_string_id("I")  # a capital that names no one
MARGIN = 4  # tokens of context kept either side of a run of name sentences


def name_sentences(doc: Doc) -> NDArray[numpy.bool_]:
    """A mask of the tokens in sentences that may hold a name (all, if unsegmented).

    A sentence may hold one if a word other than its first has a capital ('U.S.' before
    the first word counts), or if its first word is tagged a proper noun, has a capital
    after its first letter ('NATO', 'McCain'), or is written with a capital elsewhere in
    the document where no sentence begins ('Trump declined.', which the tagger may take
    for a noun).
    """
    keep = numpy.ones(len(doc), dtype=bool)
    if not len(doc) or not doc.has_annotation("SENT_START"):
        return keep
    rows = numpy.asarray(doc.to_array([SENT_START, ORTH, LOWER, TAG, IS_ALPHA]), numpy.uint64)
    capital = (rows[:, 1] != rows[:, 2]) & (rows[:, 1] != _PRONOUN_I)
    starts = [*numpy.flatnonzero(rows[:, 0] == 1).tolist(), len(doc)]
    if starts[0] != 0:
        starts.insert(0, 0)
    sentences = list(pairwise(starts))
    firsts = [_first_word(rows, start, end) for start, end in sentences]
    inner = capital.copy()
    inner[[f for f in firsts if f is not None]] = False
    named = set(rows[inner, 1].tolist())
    for (start, end), first in zip(sentences, firsts, strict=True):
        keep[start:end] = bool(inner[start:end].any()) or (
            first is not None and capital[first] and _names(doc, rows, first, named)
        )
    return keep


def _first_word(rows: NDArray[numpy.uint64], start: int, end: int) -> int | None:
    alpha = numpy.flatnonzero(rows[start:end, 4])
    return start + int(alpha[0]) if len(alpha) else None


def _names(doc: Doc, rows: NDArray[numpy.uint64], first: int, named: set[int]) -> bool:
    """May a sentence's capitalised first word be (part of) a name?"""
    if int(rows[first, 3]) in _PROPER or int(rows[first, 1]) in named:
        return True
    return any(c.isupper() for c in doc[first].text[1:])


@dataclass
class _Plan:
    """One document's run of the recognizer: the Doc it reads and the tokens it stands for."""

    doc: Doc
    packed: Doc | None  # what the recognizer reads; None: nothing to read
    index: NDArray[numpy.intp] | None = None  # packed token -> doc token; None: packed is doc
    keep: NDArray[numpy.bool_] | None = None  # with index: the doc tokens of name sentences

    def apply(self) -> None:
        if self.packed is None:
            self.doc.set_ents([], default="outside")
        elif self.index is not None and self.keep is not None:
            spans = _spans(self.doc, self.packed, self.index, self.keep)
            self.doc.set_ents(list(spans), default="outside")


def _spans(
    doc: Doc, packed: Doc, index: NDArray[numpy.intp], keep: NDArray[numpy.bool_]
) -> Iterator[SpacySpan]:
    """The packed Doc's entities on ``doc``: cut back to the name sentences (margin tokens
    are context, not text), dropped when across a cut or wholly in a margin."""
    for ent in packed.ents:
        start, last = int(index[ent.start]), int(index[ent.end - 1])
        if last - start != ent.end - 1 - ent.start:
            continue  # across a cut
        kept = numpy.flatnonzero(keep[start : last + 1])
        if len(kept):
            yield SpacySpan(doc, start + int(kept[0]), start + int(kept[-1]) + 1, label=ent.label)


def _plan(doc: Doc) -> _Plan:
    keep = name_sentences(doc)
    if keep.all():
        return _Plan(doc, doc)
    if not keep.any():
        return _Plan(doc, None)
    index = numpy.flatnonzero(with_margins(keep))
    tokens = [doc[i] for i in index.tolist()]
    packed = Doc(
        doc.vocab,
        words=[t.text for t in tokens],
        spaces=[bool(t.whitespace_) for t in tokens],
    )
    # Norms set by the tokenizer's exceptions ("n't" -> "not") are token attributes, and
    # the recognizer embeds NORM; it also keeps each entity inside a sentence.
    columns: Any = doc.to_array([NORM, SENT_START])[index]
    packed.from_array([NORM, SENT_START], columns)
    return _Plan(doc, packed, index, keep)


def with_margins(keep: NDArray[numpy.bool_]) -> NDArray[numpy.bool_]:
    """The kept tokens and up to ``MARGIN`` tokens either side of each kept run.

    The recognizer's encoder sees four tokens either side of each token, so with its
    neighbours beside it a kept token is embedded as in the whole document: without them
    'the Committee on Development' ran on into the next kept sentence's first word.
    """
    wide = keep.copy()
    for shift in range(1, MARGIN + 1):
        wide[shift:] |= keep[:-shift]
        wide[:-shift] |= keep[shift:]
    return wide


class SelectiveNER:
    """The ``ner`` component: the pipeline's own recognizer, on the sentences that may
    hold a name. Serialization goes through the original component."""

    def __init__(self, vocab: Vocab, name: str = NER) -> None:
        self.name = name
        self.vocab = vocab
        self.ner: Any = None

    def use(self, ner: EntityRecognizer) -> None:
        self.ner = ner

    def _recognizer(self) -> Any:
        if self.ner is None:
            raise ValueError(
                f"{FACTORY} wraps the recognizer of a loaded pipeline; "
                "load the pipeline with kg.nlp.load instead"
            )
        return self.ner

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self._recognizer().labels)

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 256) -> Iterator[Doc]:
        docs = iter(stream)
        while batch := list(islice(docs, batch_size)):
            plans = [_plan(doc) for doc in batch]
            readable = [p.packed for p in plans if p.packed is not None]
            for _ in self._recognizer().pipe(readable, batch_size=batch_size):
                pass  # the recognizer annotates the Docs in place
            for plan in plans:
                plan.apply()
            yield from batch

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        data: bytes = self._recognizer().to_bytes(exclude=exclude)
        return data

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> SelectiveNER:
        self._recognizer().from_bytes(data, exclude=exclude)
        return self

    def to_disk(self, path: Any, *, exclude: Iterable[str] = ()) -> None:
        self._recognizer().to_disk(path, exclude=exclude)

    def from_disk(self, path: Any, *, exclude: Iterable[str] = ()) -> SelectiveNER:
        self._recognizer().from_disk(path, exclude=exclude)
        return self


def install(nlp: Language) -> bool:
    """Put :class:`SelectiveNER` in the place of the pipeline's ``ner`` when the
    recognizer computes its own features from the words; whether it did.

    A recognizer that listens to a shared embedding layer (a ``tok2vec`` or transformer
    the pipeline runs before it) would read nothing in a packed Doc, so such pipelines
    keep their recognizer as it is.
    """
    if NER not in nlp.pipe_names:
        return False
    ner = nlp.get_pipe(NER)
    listened = any(
        NER in getattr(component, "listening_components", ()) for _, component in nlp.pipeline
    )
    if listened or not isinstance(ner, EntityRecognizer):
        return False
    component = nlp.replace_pipe(NER, FACTORY)
    assert isinstance(component, SelectiveNER)
    component.use(ner)
    return True
