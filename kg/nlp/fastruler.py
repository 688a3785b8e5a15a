"""An exact, compiled replacement for spaCy's ``attribute_ruler``.

spaCy's :class:`~spacy.pipeline.AttributeRuler` runs a ``Matcher`` of all its patterns
(179 in ``en_core_web_sm``) over every token, about 20 µs a token. Nearly all of those
patterns are one-token equality tests on TAG, LOWER, DEP and IS_SPACE, and a few are
two-token patterns with an index, so their outcome for a token depends on a handful of
integers. :func:`compile_ruler` turns a loaded ruler's own patterns into rules
(:mod:`kg.nlp.ruler_rules`), and :class:`FastRuler` indexes them by TAG and LOWER, caches
which rules fire for each combination of those integers, then writes the merged
attributes for the whole document at once.

The semantics reproduced are the ruler's (spaCy 3.8): every pattern is matched on the
document as it was before the ruler set anything; the matches are applied in the order
the patterns were added, each with ``set_token_attrs``, so a later pattern overrides an
earlier one attribute by attribute (MORPH is replaced whole). A pattern or an attribute
outside what is compiled makes :func:`compile_ruler` return ``None``, and :func:`install`
then leaves the original component in place. The component's factory, ``FACTORY``, is
registered with the others in :mod:`kg.nlp.components`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc
from spacy.vocab import Vocab

from kg.nlp.ruler_rules import (
    FEATURES,
    LOWER_COLUMN,
    SETTABLE,
    TAG_COLUMN,
    Assigns,
    Features,
    Rule,
    compile_rules,
    passes,
)

FACTORY = "newskg_fast_attribute_ruler"
RULER = "attribute_ruler"
# The feature cache is cleared when it grows past this many entries, so a long build with
# an open vocabulary cannot grow it without bound (a refill costs one miss per entry).
_MAX_CACHE = 200_000


def compile_ruler(ruler: Any) -> FastRuler | None:
    """The compiled rules of an ``AttributeRuler``, or ``None`` if any of its patterns or
    attributes is of a form not compiled (the original must then stay)."""
    compiled = compile_rules(ruler)
    return None if compiled is None else FastRuler(ruler.vocab, *compiled)


class _PairIndex:
    """Two-token rules indexed on the LOWER or TAG of the token at ``position`` of their
    pattern, with the indexed values as arrays for ``numpy.isin``."""

    def __init__(
        self, position: int, by_lower: dict[int, list[Rule]], by_tag: dict[int, list[Rule]]
    ) -> None:
        self.position = position
        self.by_lower = by_lower
        self.by_tag = by_tag
        self.lowers = numpy.array(list(by_lower), dtype=numpy.uint64)
        self.tags = numpy.array(list(by_tag), dtype=numpy.uint64)


def _index(
    rules: Iterable[Rule], position: int
) -> tuple[dict[int, list[Rule]], dict[int, list[Rule]], list[Rule]]:
    """Rules by the LOWER values, else the TAG values, their ``position`` token allows,
    and the rules with neither (always checked). LOWER is preferred: it is the more
    selective of the two."""
    by_lower: dict[int, list[Rule]] = {}
    by_tag: dict[int, list[Rule]] = {}
    always: list[Rule] = []
    for rule in rules:
        tests = rule.tokens[position]
        lower = [t.allowed for t in tests if t.column == LOWER_COLUMN and t.allowed]
        tag = [t.allowed for t in tests if t.column == TAG_COLUMN and t.allowed]
        index, values = (by_lower, lower[0]) if lower else (by_tag, tag[0]) if tag else ({}, None)
        if values is None:
            always.append(rule)
        for value in values or ():
            index.setdefault(value, []).append(rule)
    return by_lower, by_tag, always


class FastRuler:
    """Compiled attribute-ruler rules, applied to a parsed ``Doc`` in place."""

    def __init__(self, vocab: Vocab, rules: Sequence[Rule], assigns: Sequence[Assigns]) -> None:
        self.vocab = vocab
        self.assigns = list(assigns)
        single = [r for r in rules if len(r.tokens) == 1]
        self._by_lower, self._by_tag, self._always = _index(single, 0)
        # Two-token rules are indexed on their second token when it has a LOWER set (the
        # patterns of en_core_web_sm mostly test a word there: "gon na", "there 's"), else
        # on the first; a rule with no set at either end is checked at every position.
        pairs = [r for r in rules if len(r.tokens) == 2]
        self._pairs: list[_PairIndex] = []
        self._pairs_always: list[Rule] = []
        second = [r for r in pairs if any(t.allowed for t in r.tokens[1] if t.column < 2)]
        first = [r for r in pairs if r not in second]
        for position, group in ((1, second), (0, first)):
            by_lower, by_tag, always = _index(group, position)
            if by_lower or by_tag:
                self._pairs.append(_PairIndex(position, by_lower, by_tag))
            self._pairs_always.extend(always)
        # Features -> action id, and features -> the pattern numbers of the one-token rules
        # that fire. Sound because a one-token rule reads nothing but these four integers of
        # its token (a REGEX reads the string of one of them).
        self._single: dict[Features, int] = {}
        self._fired: dict[Features, tuple[int, ...]] = {}
        # Fired pattern numbers (sorted) -> action id: the merged attributes they set.
        self._merged: dict[tuple[int, ...], int] = {}
        # Action id -> which of SETTABLE it sets (mask) and to what (values); numpy tables
        # rebuilt when actions are added, so a document is merged with one gather.
        self._masks: list[tuple[bool, ...]] = []
        self._values: list[tuple[int, ...]] = []
        self._mask_table = numpy.zeros((0, len(SETTABLE)), dtype=bool)
        self._value_table = numpy.zeros((0, len(SETTABLE)), dtype=numpy.uint64)

    # -- matching -------------------------------------------------------------------------

    def _single_fired(self, features: Features) -> tuple[int, ...]:
        tag, lower = features[TAG_COLUMN], features[LOWER_COLUMN]
        candidates = self._by_lower.get(lower, []) + self._by_tag.get(tag, []) + self._always
        return tuple(
            sorted({r.order for r in candidates if passes(r.tokens[0], features, self.vocab)})
        )

    def _action(self, fired: tuple[int, ...]) -> int:
        """The id of the merged attributes of ``fired`` (ascending pattern numbers): a later
        pattern's value for an attribute replaces an earlier one's, as in the ruler."""
        action = self._merged.get(fired)
        if action is None:
            merged: dict[int, int] = {}
            for order in fired:
                merged.update(self.assigns[order])
            self._masks.append(tuple(attr in merged for attr in SETTABLE))
            self._values.append(tuple(merged.get(attr, 0) for attr in SETTABLE))
            action = self._merged[fired] = len(self._masks) - 1
        return action

    def _lookup(self, features: Features) -> int:
        if len(self._single) >= _MAX_CACHE:
            self._single.clear()
            self._fired.clear()
        fired = self._fired[features] = self._single_fired(features)
        action = self._single[features] = self._action(fired)
        return action

    def _pair_matches(self, features: Any, rows: list[Features]) -> dict[int, set[int]]:
        """Token position -> pattern numbers of the two-token rules that target it."""
        extra: dict[int, set[int]] = {}
        last = len(rows) - 1
        for index in self._pairs:
            # The positions whose LOWER or TAG is in the index, found by numpy: a Python
            # loop over every token cost more than the rest of the ruler.
            hits = numpy.isin(features[:, LOWER_COLUMN], index.lowers)
            hits |= numpy.isin(features[:, TAG_COLUMN], index.tags)
            for i in numpy.flatnonzero(hits).tolist():
                start = i - index.position
                if start < 0 or start >= last:
                    continue
                row = rows[i]
                candidates = index.by_lower.get(row[LOWER_COLUMN], []) + index.by_tag.get(
                    row[TAG_COLUMN], []
                )
                for rule in candidates:
                    if self._pair_passes(rule, rows, start):
                        extra.setdefault(start + rule.target, set()).add(rule.order)
        for rule in self._pairs_always:
            for start in range(last):
                if self._pair_passes(rule, rows, start):
                    extra.setdefault(start + rule.target, set()).add(rule.order)
        return extra

    def _pair_passes(self, rule: Rule, rows: list[Features], start: int) -> bool:
        return passes(rule.tokens[0], rows[start], self.vocab) and passes(
            rule.tokens[1], rows[start + 1], self.vocab
        )

    # -- applying -------------------------------------------------------------------------

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        features = doc.to_array(FEATURES)
        # Rows as tuples of Python ints: hashable cache keys, read in one C call.
        rows: list[Features] = list(zip(*features.T.tolist(), strict=True))
        lookup = self._single.get
        actions = [lookup(row, -1) for row in rows]
        if -1 in actions:
            for i, action in enumerate(actions):
                if action < 0:
                    actions[i] = self._lookup(rows[i])
        if self._pairs or self._pairs_always:
            for i, orders in self._pair_matches(features, rows).items():
                fired = self._fired.get(rows[i])
                if fired is None:  # the cache was cleared in this document
                    fired = self._single_fired(rows[i])
                actions[i] = self._action(tuple(sorted(orders.union(fired))))
        if len(self._masks) != len(self._mask_table):
            self._mask_table = numpy.array(self._masks, dtype=bool)
            self._value_table = numpy.array(self._values, dtype=numpy.uint64)
        ids = numpy.array(actions, dtype=numpy.intp)
        masks = self._mask_table[ids]
        # Only the attributes some token gets are written back: ``from_array`` visits every
        # token for each column, and TAG and DEP are rarely set.
        columns = [j for j in range(len(SETTABLE)) if masks[:, j].any()]
        if not columns:
            return doc
        attrs: list[int | str] = [SETTABLE[j] for j in columns]
        current = doc.to_array(attrs)
        merged: Any = numpy.where(masks[:, columns], self._value_table[ids][:, columns], current)
        doc.from_array(attrs, merged)
        return doc


class FastAttributeRuler:
    """The ``attribute_ruler`` component: the original ruler, applied by its compiled
    rules when it compiles. Serialization goes through the original, so a pipeline saved
    with this component loads its patterns back (and recompiles them)."""

    def __init__(self, vocab: Vocab, name: str = RULER) -> None:
        self.name = name
        self.ruler = AttributeRuler(vocab, name)
        self.fast: FastRuler | None = None

    def use(self, ruler: AttributeRuler, fast: FastRuler | None = None) -> None:
        self.ruler = ruler
        self.fast = fast if fast is not None else compile_ruler(ruler)

    def __call__(self, doc: Doc) -> Doc:
        if self.fast is None:
            return self.ruler(doc)
        return self.fast(doc)

    @property
    def patterns(self) -> list[dict[str, Any]]:
        return self.ruler.patterns

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return self.ruler.to_bytes(exclude=exclude)

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> FastAttributeRuler:
        self.ruler.from_bytes(data, exclude=exclude)
        self.use(self.ruler)
        return self

    def to_disk(self, path: Any, *, exclude: Iterable[str] = ()) -> None:
        self.ruler.to_disk(path, exclude=exclude)

    def from_disk(self, path: Any, *, exclude: Iterable[str] = ()) -> FastAttributeRuler:
        self.ruler.from_disk(path, exclude=exclude)
        self.use(self.ruler)
        return self


def install(nlp: Language) -> bool:
    """Replace the pipeline's ``attribute_ruler`` (same name and place) by the compiled one
    when its patterns compile; otherwise leave it. Whether it was replaced."""
    if RULER not in nlp.pipe_names:
        return False
    ruler = nlp.get_pipe(RULER)
    fast = compile_ruler(ruler)
    if fast is None or not isinstance(ruler, AttributeRuler):
        return False
    component = nlp.replace_pipe(RULER, FACTORY)
    assert isinstance(component, FastAttributeRuler)
    component.use(ruler, fast)
    return True
