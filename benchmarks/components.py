"""Where parsing time goes: each component of newskg's pipeline, timed on its own.

``python benchmarks/components.py [N] [--model NAME] [--seed S]``

Generates N synthetic articles (``generate.py``, default 300), then runs the pipeline one
component at a time over all of them (the tokenizer, then each component's ``pipe`` with
the build's batch size) and prints each component's seconds and share. The tokenizer runs
with its cache warm, as it does in a build after its first articles (see
``kg.build.work._zone``). A benchmark prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
from time import perf_counter
from typing import Any

import generate

from kg import nlp as nlp_module
from kg.build.work import BATCH_SIZE


def timings(nlp: Any, texts: list[str]) -> dict[str, float]:
    """Seconds of the tokenizer and of each pipeline component over ``texts``."""
    for text in texts:  # fills the tokenizer's cache (not timed)
        nlp.make_doc(text)
    return annotate(nlp, texts)[1]


def annotate(nlp: Any, texts: list[str]) -> tuple[list[Any], dict[str, float]]:
    """The Docs of ``texts``, and the seconds of the tokenizer and of each component."""
    start = perf_counter()
    docs = [nlp.make_doc(text) for text in texts]
    found = {"tokenizer": perf_counter() - start}
    for name, component in nlp.pipeline:
        start = perf_counter()
        if hasattr(component, "pipe"):
            docs = list(component.pipe(docs, batch_size=BATCH_SIZE))
        else:
            docs = [component(doc) for doc in docs]
        found[name] = perf_counter() - start
    return docs, found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("docs", type=int, nargs="?", default=300, help="articles")
    parser.add_argument("--model", default=None, help="spaCy pipeline (as kg build --model)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    nlp = nlp_module.load(args.model)
    articles = generate.generate(args.docs, args.seed)
    texts = [article.text for article in articles]
    found = timings(nlp, texts)
    total = sum(found.values())
    words = sum(len(text.split()) for text in texts)
    print(f"{len(texts)} articles, {words:,} words, {total:.2f} s in all")
    for name, seconds in found.items():
        print(f"{name:26s} {seconds:7.2f} s {100 * seconds / total:5.1f}%")


if __name__ == "__main__":
    main()
