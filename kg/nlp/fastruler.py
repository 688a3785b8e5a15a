"""An exact, compiled replacement for spaCy's ``attribute_ruler``.

spaCy's :class:`~spacy.pipeline.AttributeRuler` runs a ``Matcher`` of all its patterns
(179 in ``en_core_web_sm``) over every token, about 20 µs a token. Nearly all of those
patterns are one-token equality tests on TAG, LOWER, DEP and IS_SPACE, and a few are
two-token patterns with an index, so their outcome for a token depends on a handful of
integers. :func:`compile_ruler` turns a loaded ruler's own patterns into rules indexed by
TAG and LOWER, and :class:`FastRuler` caches which rules fire for each combination of
those integers, then writes the merged attributes for the whole document at once.

The semantics reproduced are the ruler's (spaCy 3.8): every pattern is matched on the
document as it was before the ruler set anything; the matches are applied in the order
the patterns were added, each with ``set_token_attrs``, so a later pattern overrides an
earlier one attribute by attribute (MORPH is replaced whole). A pattern or an attribute
outside what is compiled here makes :func:`compile_ruler` return ``None``, and
:func:`install` then leaves the original component in place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, POS, TAG
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.vocab import Vocab

FACTORY = "newskg_fast_attribute_ruler"
RULER = "attribute_ruler"

# The token features a compiled test may read, as columns of ``Doc.to_array``. TAG, LOWER
# and DEP are string hashes; IS_SPACE is the lexeme flag (0 or 1).
_FEATURES: list[int | str] = [TAG, LOWER, DEP, IS_SPACE]
_COLUMN = {"TAG": 0, "LOWER": 1, "DEP": 2, "IS_SPACE": 3}
_LOWER_COLUMN, _TAG_COLUMN = 1, 0
# The attributes a compiled rule may set: all of them are plain fields of the token struct
# that ``set_token_attrs`` overwrites (and ignores on the lexeme). Anything else (NORM,
# extension attributes, entity fields, lexeme flags) is refused.
_SETTABLE: tuple[int, ...] = (POS, TAG, MORPH, LEMMA, DEP)
_MAX_PATTERN = 2
# The feature cache is cleared when it grows past this many entries, so a long build with
# an open vocabulary cannot grow it without bound (a refill costs one miss per entry).
_MAX_CACHE = 200_000

Features = tuple[int, int, int, int]


@dataclass(frozen=True)
class _Test:
    """One attribute test of a pattern token: ``column`` must be in ``allowed`` (equality
    or IN), not in ``excluded`` (NOT_IN), and its string must contain ``regex`` (REGEX,
    ``re.search`` exactly as the Matcher does)."""

    column: int
    allowed: frozenset[int] | None = None
    excluded: frozenset[int] | None = None
    regex: re.Pattern[str] | None = None


@dataclass(frozen=True)
class _Rule:
    order: int  # the ruler's pattern number: matches are applied in this order
    tokens: tuple[tuple[_Test, ...], ...]  # one conjunction of tests per pattern token
    target: int  # the pattern token that receives the attributes (index made non-negative)


class _PairIndex:
    """Two-token rules indexed on the LOWER or TAG of the token at ``position`` of their
    pattern, with the indexed values as arrays for ``numpy.isin``."""

    def __init__(
        self, position: int, by_lower: dict[int, list[_Rule]], by_tag: dict[int, list[_Rule]]
    ) -> None:
        self.position = position
        self.by_lower = by_lower
        self.by_tag = by_tag
        self.lowers = numpy.array(list(by_lower), dtype=numpy.uint64)
        self.tags = numpy.array(list(by_tag), dtype=numpy.uint64)


class _Unsupported(Exception):
    """A pattern or attribute this compiler does not handle: keep the original ruler."""


def _strings(values: Any) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise _Unsupported(f"set operands must be a list of strings, not {values!r}")
    return values


def _compile_test(vocab: Vocab, key: Any, value: Any) -> list[_Test]:
    if not isinstance(key, str) or key.upper() not in _COLUMN:
        raise _Unsupported(f"attribute {key!r}")
    column = _COLUMN[key.upper()]
    if column == _COLUMN["IS_SPACE"]:
        # A flag: the Matcher compares it with int(value); only plain booleans are compiled.
        if not isinstance(value, bool):
            raise _Unsupported(f"IS_SPACE value {value!r}")
        return [_Test(column, allowed=frozenset({int(value)}))]
    if isinstance(value, str):
        # Equality: the Matcher compares the token's hash with ``strings.add(value)``.
        return [_Test(column, allowed=frozenset({vocab.strings.add(value)}))]
    if not isinstance(value, dict) or not value:
        raise _Unsupported(f"{key} value {value!r}")
    tests = []
    for operator, operand in value.items():
        name = operator.upper() if isinstance(operator, str) else operator
        # IN and NOT_IN hash their operands with get_string_id, as _SetPredicate does.
        if name == "IN":
            allowed = frozenset(get_string_id(v) for v in _strings(operand))
            tests.append(_Test(column, allowed=allowed))
        elif name == "NOT_IN":
            excluded = frozenset(get_string_id(v) for v in _strings(operand))
            tests.append(_Test(column, excluded=excluded))
        elif name == "REGEX" and isinstance(operand, str):
            tests.append(_Test(column, regex=re.compile(operand)))
        else:
            raise _Unsupported(f"operator {operator!r} with {operand!r}")
    return tests


def _compile_pattern(vocab: Vocab, pattern: Any) -> tuple[tuple[_Test, ...], ...]:
    if not isinstance(pattern, list) or not 1 <= len(pattern) <= _MAX_PATTERN:
        raise _Unsupported(f"pattern {pattern!r}")
    tokens = []
    for spec in pattern:
        # An empty spec (any token) and an OP key (quantifiers) are refused: OP is not a
        # column, and a quantified pattern has no fixed length for the index.
        if not isinstance(spec, dict) or not spec:
            raise _Unsupported(f"token spec {spec!r}")
        tests: list[_Test] = []
        for key, value in spec.items():
            tests.extend(_compile_test(vocab, key, value))
        tokens.append(tuple(tests))
    return tuple(tokens)


def _compile_attrs(attrs: Any) -> tuple[tuple[int, int], ...]:
    """The ruler's normalized attributes (ids to ints) as (attribute id, value) pairs."""
    if not isinstance(attrs, dict):
        raise _Unsupported(f"attrs {attrs!r}")
    pairs = []
    for attr, value in attrs.items():
        if attr not in _SETTABLE or isinstance(value, bool) or not isinstance(value, int):
            raise _Unsupported(f"attribute {attr!r} = {value!r}")
        pairs.append((attr, value))
    return tuple(pairs)


def compile_ruler(ruler: Any) -> FastRuler | None:
    """The compiled rules of an ``AttributeRuler``, or ``None`` if any of its patterns or
    attributes is of a form not compiled here (the original must then stay)."""
    if type(ruler) is not AttributeRuler:  # a subclass may match or apply differently
        return None
    try:
        assigns = [_compile_attrs(attrs) for attrs in ruler.attrs]
        if len(ruler.indices) != len(assigns) or len(ruler.matcher) != len(assigns):
            raise _Unsupported("the ruler's matcher and attributes disagree")
        rules = []
        for order, index in enumerate(ruler.indices):
            found = ruler.matcher.get(str(order))
            if found is None:
                raise _Unsupported(f"no patterns for rule {order}")
            on_match, patterns = found
            if on_match is not None:
                raise _Unsupported("a match callback")
            for pattern in patterns:
                tokens = _compile_pattern(ruler.vocab, pattern)
                if not isinstance(index, int) or not -len(tokens) <= index < len(tokens):
                    # spaCy raises E1001 on such a match; keep that behaviour.
                    raise _Unsupported(f"index {index!r} for {pattern!r}")
                rules.append(_Rule(order, tokens, index % len(tokens)))
    except _Unsupported:
        return None
    return FastRuler(ruler.vocab, rules, assigns)


def _passes(tests: tuple[_Test, ...], features: Features, vocab: Vocab) -> bool:
    for test in tests:
        value = features[test.column]
        if test.allowed is not None and value not in test.allowed:
            return False
        if test.excluded is not None and value in test.excluded:
            return False
        if test.regex is not None and not test.regex.search(vocab.strings[value]):
            return False
    return True


def _index(
    rules: Iterable[_Rule], position: int
) -> tuple[dict[int, list[_Rule]], dict[int, list[_Rule]], list[_Rule]]:
    """Rules by the LOWER values, else the TAG values, their ``position`` token allows,
    and the rules with neither (always checked). LOWER is preferred: it is the more
    selective of the two."""
    by_lower: dict[int, list[_Rule]] = {}
    by_tag: dict[int, list[_Rule]] = {}
    always: list[_Rule] = []
    for rule in rules:
        tests = rule.tokens[position]
        lower = [t.allowed for t in tests if t.column == _LOWER_COLUMN and t.allowed]
        tag = [t.allowed for t in tests if t.column == _TAG_COLUMN and t.allowed]
        index, values = (by_lower, lower[0]) if lower else (by_tag, tag[0]) if tag else ({}, None)
        if values is None:
            always.append(rule)
        for value in values or ():
            index.setdefault(value, []).append(rule)
    return by_lower, by_tag, always


class FastRuler:
    """Compiled attribute-ruler rules, applied to a parsed ``Doc`` in place."""

    def __init__(
        self, vocab: Vocab, rules: Sequence[_Rule], assigns: Sequence[tuple[tuple[int, int], ...]]
    ) -> None:
        self.vocab = vocab
        self.assigns = list(assigns)
        single = [r for r in rules if len(r.tokens) == 1]
        self._by_lower, self._by_tag, self._always = _index(single, 0)
        # Two-token rules are indexed on their second token when it has a LOWER set (the
        # patterns of en_core_web_sm mostly test a word there: "gon na", "there 's"), else
        # on the first; a rule with no set at either end is checked at every position.
        pairs = [r for r in rules if len(r.tokens) == 2]
        self._pairs: list[_PairIndex] = []
        self._pairs_always: list[_Rule] = []
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
        # Action id -> which of _SETTABLE it sets (mask) and to what (values); numpy tables
        # rebuilt when actions are added, so a document is merged with one gather.
        self._masks: list[tuple[bool, ...]] = []
        self._values: list[tuple[int, ...]] = []
        self._mask_table = numpy.zeros((0, len(_SETTABLE)), dtype=bool)
        self._value_table = numpy.zeros((0, len(_SETTABLE)), dtype=numpy.uint64)

    # -- matching -------------------------------------------------------------------------

    def _single_fired(self, features: Features) -> tuple[int, ...]:
        tag, lower = features[_TAG_COLUMN], features[_LOWER_COLUMN]
        candidates = self._by_lower.get(lower, []) + self._by_tag.get(tag, []) + self._always
        return tuple(
            sorted({r.order for r in candidates if _passes(r.tokens[0], features, self.vocab)})
        )

    def _action(self, fired: tuple[int, ...]) -> int:
        """The id of the merged attributes of ``fired`` (ascending pattern numbers): a later
        pattern's value for an attribute replaces an earlier one's, as in the ruler."""
        action = self._merged.get(fired)
        if action is None:
            merged: dict[int, int] = {}
            for order in fired:
                merged.update(self.assigns[order])
            self._masks.append(tuple(attr in merged for attr in _SETTABLE))
            self._values.append(tuple(merged.get(attr, 0) for attr in _SETTABLE))
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
            hits = numpy.isin(features[:, _LOWER_COLUMN], index.lowers)
            hits |= numpy.isin(features[:, _TAG_COLUMN], index.tags)
            for i in numpy.flatnonzero(hits).tolist():
                start = i - index.position
                if start < 0 or start >= last:
                    continue
                row = rows[i]
                candidates = index.by_lower.get(row[_LOWER_COLUMN], []) + index.by_tag.get(
                    row[_TAG_COLUMN], []
                )
                for rule in candidates:
                    if self._pair_passes(rule, rows, start):
                        extra.setdefault(start + rule.target, set()).add(rule.order)
        for rule in self._pairs_always:
            for start in range(last):
                if self._pair_passes(rule, rows, start):
                    extra.setdefault(start + rule.target, set()).add(rule.order)
        return extra

    def _pair_passes(self, rule: _Rule, rows: list[Features], start: int) -> bool:
        return _passes(rule.tokens[0], rows[start], self.vocab) and _passes(
            rule.tokens[1], rows[start + 1], self.vocab
        )

    # -- applying -------------------------------------------------------------------------

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        features = doc.to_array(_FEATURES)
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
        columns = [j for j in range(len(_SETTABLE)) if masks[:, j].any()]
        if not columns:
            return doc
        attrs: list[int | str] = [_SETTABLE[j] for j in columns]
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


@Language.factory(FACTORY)
def make_fast_attribute_ruler(nlp: Language, name: str) -> FastAttributeRuler:
    return FastAttributeRuler(nlp.vocab, name)


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
