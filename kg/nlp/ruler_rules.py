"""An attribute_ruler's patterns and attributes compiled into rules on four token integers.

Each pattern token becomes a conjunction of :class:`TokenTest` s on the TAG, LOWER, DEP and
IS_SPACE of one token, exactly as spaCy's ``Matcher`` compares them; each rule remembers the
ruler's pattern number, so :mod:`kg.nlp.fastruler` can apply the matches in the ruler's
order. A pattern or an attribute of any other form is refused: :func:`compile_rules` then
returns ``None`` and the original ruler stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, POS, TAG
from spacy.pipeline import AttributeRuler
from spacy.strings import get_string_id
from spacy.vocab import Vocab

# The token features a compiled test may read, as columns of ``Doc.to_array``. TAG, LOWER
# and DEP are string hashes; IS_SPACE is the lexeme flag (0 or 1).
FEATURES: list[int | str] = [TAG, LOWER, DEP, IS_SPACE]
_COLUMN = {"TAG": 0, "LOWER": 1, "DEP": 2, "IS_SPACE": 3}
LOWER_COLUMN, TAG_COLUMN = 1, 0
# The attributes a compiled rule may set: all of them are plain fields of the token struct
# that ``set_token_attrs`` overwrites (and ignores on the lexeme). Anything else (NORM,
# extension attributes, entity fields, lexeme flags) is refused.
SETTABLE: tuple[int, ...] = (POS, TAG, MORPH, LEMMA, DEP)
_MAX_PATTERN = 2

Features = tuple[int, int, int, int]


@dataclass(frozen=True)
class TokenTest:
    """One attribute test of a pattern token: ``column`` must be in ``allowed`` (equality
    or IN), not in ``excluded`` (NOT_IN), and its string must contain ``regex`` (REGEX,
    ``re.search`` exactly as the Matcher does)."""

    column: int
    allowed: frozenset[int] | None = None
    excluded: frozenset[int] | None = None
    regex: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Rule:
    order: int  # the ruler's pattern number: matches are applied in this order
    tokens: tuple[tuple[TokenTest, ...], ...]  # one conjunction of tests per pattern token
    target: int  # the pattern token that receives the attributes (index made non-negative)


class _Unsupported(Exception):
    """A pattern or attribute this compiler does not handle: keep the original ruler."""


def _strings(values: Any) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise _Unsupported(f"set operands must be a list of strings, not {values!r}")
    return values


def _compile_test(vocab: Vocab, key: Any, value: Any) -> list[TokenTest]:
    if not isinstance(key, str) or key.upper() not in _COLUMN:
        raise _Unsupported(f"attribute {key!r}")
    column = _COLUMN[key.upper()]
    if column == _COLUMN["IS_SPACE"]:
        # A flag: the Matcher compares it with int(value); only plain booleans are compiled.
        if not isinstance(value, bool):
            raise _Unsupported(f"IS_SPACE value {value!r}")
        return [TokenTest(column, allowed=frozenset({int(value)}))]
    if isinstance(value, str):
        # Equality: the Matcher compares the token's hash with ``strings.add(value)``.
        return [TokenTest(column, allowed=frozenset({vocab.strings.add(value)}))]
    if not isinstance(value, dict) or not value:
        raise _Unsupported(f"{key} value {value!r}")
    tests = []
    for operator, operand in value.items():
        name = operator.upper() if isinstance(operator, str) else operator
        # IN and NOT_IN hash their operands with get_string_id, as _SetPredicate does.
        if name == "IN":
            allowed = frozenset(get_string_id(v) for v in _strings(operand))
            tests.append(TokenTest(column, allowed=allowed))
        elif name == "NOT_IN":
            excluded = frozenset(get_string_id(v) for v in _strings(operand))
            tests.append(TokenTest(column, excluded=excluded))
        elif name == "REGEX" and isinstance(operand, str):
            tests.append(TokenTest(column, regex=re.compile(operand)))
        else:
            raise _Unsupported(f"operator {operator!r} with {operand!r}")
    return tests


def _compile_pattern(vocab: Vocab, pattern: Any) -> tuple[tuple[TokenTest, ...], ...]:
    if not isinstance(pattern, list) or not 1 <= len(pattern) <= _MAX_PATTERN:
        raise _Unsupported(f"pattern {pattern!r}")
    tokens = []
    for spec in pattern:
        # An empty spec (any token) and an OP key (quantifiers) are refused: OP is not a
        # column, and a quantified pattern has no fixed length for the index.
        if not isinstance(spec, dict) or not spec:
            raise _Unsupported(f"token spec {spec!r}")
        tests: list[TokenTest] = []
        for key, value in spec.items():
            tests.extend(_compile_test(vocab, key, value))
        tokens.append(tuple(tests))
    return tuple(tokens)


def _compile_attrs(attrs: Any) -> Assigns:
    """The ruler's normalized attributes (ids to ints) as (attribute id, value) pairs."""
    if not isinstance(attrs, dict):
        raise _Unsupported(f"attrs {attrs!r}")
    pairs = []
    for attr, value in attrs.items():
        if attr not in SETTABLE or isinstance(value, bool) or not isinstance(value, int):
            raise _Unsupported(f"attribute {attr!r} = {value!r}")
        pairs.append((attr, value))
    return tuple(pairs)


Assigns = tuple[tuple[int, int], ...]  # (attribute id, value) pairs a rule sets


def compile_rules(ruler: Any) -> tuple[list[Rule], list[Assigns]] | None:
    """The rules of an ``AttributeRuler`` and the attributes each pattern number sets, or
    ``None`` if any of its patterns or attributes is of a form not compiled here (the
    original must then stay)."""
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
                rules.append(Rule(order, tokens, index % len(tokens)))
    except _Unsupported:
        return None
    return rules, assigns


def passes(tests: tuple[TokenTest, ...], features: Features, vocab: Vocab) -> bool:
    """Do a token's features pass every test of one pattern token?"""
    for test in tests:
        value = features[test.column]
        if test.allowed is not None and value not in test.allowed:
            return False
        if test.excluded is not None and value in test.excluded:
            return False
        if test.regex is not None and not test.regex.search(vocab.strings[value]):
            return False
    return True
