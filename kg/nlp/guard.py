"""spaCy's tokenizer kept linear: a run of text without spaces is tokenized in short chunks.

spaCy's tokenizer takes each run of non-space characters whole and strips its prefixes
and suffixes one at a time; every step searches the rest of the run again (its suffix
pattern is anchored at the end, so each search scans the whole rest), and a run of
punctuation ("!!!!...", '""...', "((((...") costs time in the square of its length:
10,000 "!" took 8 s, 50 KB of them minutes. No run in news is long (none in the example
articles, the generated corpus or the evaluation sets is over 150 characters), so a
run longer than ``LONGEST`` characters is cut into chunks of ``CHUNK`` characters, each
tokenized on its own, and the pieces joined into one Doc over exactly the same text. A
text without such a run is tokenized as spaCy always does, token for token.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

__all__ = ["CHUNK", "LONGEST", "GuardedTokenizer", "install"]

LONGEST = 200  # characters: a run of non-space characters tokenized whole
CHUNK = 50  # characters: the chunks a longer run is tokenized in


class GuardedTokenizer:
    """spaCy's tokenizer, with runs of non-space characters over ``longest`` chunked."""

    def __init__(self, inner: Any, longest: int = LONGEST, chunk: int = CHUNK) -> None:
        self.inner = inner
        self.longest = longest
        self.chunk = chunk
        self._long = re.compile(rf"\S{{{longest + 1},}}")

    def __call__(self, text: str) -> Doc:
        cuts = list(self._cuts(text))
        if not cuts:
            return self.inner(text)  # type: ignore[no-any-return]
        bounds = [0, *cuts, len(text)]
        docs = [self.inner(text[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
        # Every cut stands between two non-space characters: no whitespace to re-add.
        return Doc.from_docs(docs, ensure_whitespace=False, exclude=["spans", "tensor", "user_data"])

    def _cuts(self, text: str) -> Iterator[int]:
        """Where the text is cut: every ``chunk`` characters inside each long run."""
        for run in self._long.finditer(text):
            yield from range(run.start() + self.chunk, run.end(), self.chunk)

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    def __getattr__(self, name: str) -> Any:
        # Everything else (vocab, rules, serialisation) is the wrapped tokenizer's own.
        if name == "inner":
            raise AttributeError(name)  # not set yet (a copy being made)
        return getattr(self.inner, name)


def install(nlp: Language) -> None:
    """Wrap ``nlp``'s tokenizer in the guard (once)."""
    if not isinstance(nlp.tokenizer, GuardedTokenizer):
        nlp.tokenizer = GuardedTokenizer(nlp.tokenizer)  # type: ignore[assignment]
