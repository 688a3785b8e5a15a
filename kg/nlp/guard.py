"""spaCy's tokenizer kept linear: a run of text without spaces is tokenized in short chunks.

spaCy's tokenizer takes each run of non-space characters whole and strips its prefixes
and suffixes one at a time; every step searches the rest of the run again (its suffix
pattern is anchored at the end, so each search scans the whole rest), and a run of
punctuation ("!!!!...", '""...', "((((...") costs time in the square of its length:
10,000 "!" took 8 s, 50 KB of them minutes. No run in news is long (none in the example
articles, the generated corpus or the evaluation sets is over 150 characters), so a
run longer than ``LONGEST`` characters becomes tokens of ``CHUNK`` characters (the last
chunk, with what follows, left to spaCy), joined into one Doc over exactly the same text.
Such a run is no word, and as chunks it costs the parser 50 times fewer tokens than as
one token a character. A text without such a run is tokenized as spaCy always does,
token for token.
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
        self.vocab = inner.vocab

    def __call__(self, text: str) -> Doc:
        runs = list(self._long.finditer(text))
        if not runs:
            return self.inner(text)  # type: ignore[no-any-return]
        docs: list[Doc] = []
        at = 0
        for run in runs:
            # The run's last chunk goes to spaCy with the text after it, so every cut
            # stands between two non-space characters: no whitespace is lost or added.
            tail = run.end() - self.chunk
            if at < run.start():
                docs.append(self.inner(text[at : run.start()]))
            chunks = [
                text[i : min(i + self.chunk, tail)] for i in range(run.start(), tail, self.chunk)
            ]
            docs.append(Doc(self.vocab, words=chunks, spaces=[False] * len(chunks)))
            at = tail
        docs.append(self.inner(text[at:]))
        return Doc.from_docs(  # type: ignore[call-arg]  # spaCy's stubs lack exclude
            docs, ensure_whitespace=False, exclude=["spans", "tensor", "user_data"]
        )

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
        nlp.tokenizer = GuardedTokenizer(nlp.tokenizer)
