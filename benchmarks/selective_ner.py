"""The entity recognizer on name sentences only, against it on every sentence.

``python benchmarks/selective_ner.py [SOURCE] [--docs N] [--repeat R] [--model NAME] [--seed S]``

SOURCE is a ``.jsonl`` file with a ``text`` field a line (``../shared/eval/polnear/dev.jsonl``,
``../shared/eval/gum_news/dev.jsonl``) or a folder of ``.txt`` articles; without it, N
generated articles (``generate.py``, default 300). Runs newskg's pipeline twice over the
same texts, with ``kg.nlp.selective_ner`` and with the recognizer on every sentence, and prints:

- the share of words in the sentences the recognizer skipped;
- the entities newskg reads (PERSON, ORG, GPE, LOC) that both runs found, and those only
  one of them found, with a few examples;
- the share of tokens the recognizer read (the name sentences and their margins);
- the entity recognizer's own seconds in each run, and the whole pipeline's: the fastest
  of R interleaved runs of each (default 3), after a warm-up.

A benchmark prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

import components
import generate

from kg import nlp as nlp_module
from kg.nlp.selective_ner import NER, name_sentences, with_margins

READ = frozenset({"PERSON", "ORG", "GPE", "LOC"})  # the labels kg.extract.mentions reads
SHOW = 30


def read_texts(source: str | None, docs: int, seed: int) -> list[str]:
    if source is None:
        return [article.text for article in generate.generate(docs, seed)]
    path = Path(source)
    if path.is_dir():
        return [p.read_text(encoding="utf-8") for p in sorted(path.glob("*.txt"))][:docs]
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line)["text"] for line in lines if line.strip()][:docs]


def annotate(nlp: Any, texts: list[str]) -> tuple[list[Any], float, float]:
    """The Docs, the whole pipeline's seconds and the recognizer's own."""
    docs, seconds = components.annotate(nlp, texts)
    return docs, sum(seconds.values()), seconds[NER]


def entities(doc: Any) -> set[tuple[int, int, str]]:
    return {(e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ in READ}


def compare(
    texts: list[str], every: list[Any], selective: list[Any]
) -> tuple[Counter[str], list[str]]:
    """Words and tokens skipped and read, entities both runs found or one of them only, and
    the first ``SHOW`` differences."""
    counts: Counter[str] = Counter()
    shown: list[str] = []
    for text, full, part in zip(texts, every, selective, strict=True):
        keep = name_sentences(part)
        counts["tokens"] += len(part)
        counts["read"] += int(with_margins(keep).sum())
        for t in part:
            if not t.is_space and not t.is_punct:
                counts["words"] += 1
                counts["skipped"] += not keep[t.i]
        a, b = entities(full), entities(part)
        counts["both"] += len(a & b)
        counts["only_all"] += len(a - b)
        counts["only_sel"] += len(b - a)
        token_at = {t.idx: t.i for t in part}  # both runs tokenize alike
        counts["in_skipped"] += sum(1 for start, _, _ in a - b if not keep[token_at[start]])
        for start, end, label in sorted(a ^ b)[: SHOW - len(shown)]:
            side = "every sentence only" if (start, end, label) in a else "selective only"
            shown.append(f"  {side}: {label} {text[start:end]!r}")
    return counts, shown


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", default=None, help=".jsonl file or .txt folder")
    parser.add_argument("--docs", type=int, default=300, help="at most this many articles")
    parser.add_argument("--model", default=None, help="spaCy pipeline (as kg build --model)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="interleaved runs of each")
    args = parser.parse_args(argv)
    texts = read_texts(args.source, args.docs, args.seed)
    selective = nlp_module.load(args.model)
    every = nlp_module.load(args.model, names_only_ner=False)
    annotate(selective, texts[:20])  # warm both up (not counted)
    annotate(every, texts[:20])
    all_runs, sel_runs = [], []
    for _ in range(args.repeat):
        all_docs, *seconds = annotate(every, texts)
        all_runs.append(seconds)
        sel_docs, *seconds = annotate(selective, texts)
        sel_runs.append(seconds)
    c, shown = compare(texts, all_docs, sel_docs)
    found = c["both"] + c["only_all"]
    print(
        f"{len(texts)} articles, {c['words']:,} words; skipped {c['skipped']:,} "
        f"({c['skipped'] / c['words']:.1%})"
    )
    print(f"entities read (PERSON, ORG, GPE, LOC) on every sentence: {found:,}")
    print(f"  also found by the selective run: {c['both']:,} ({c['both'] / max(found, 1):.2%})")
    print(
        f"  missed by the selective run:     {c['only_all']:,} "
        f"({c['in_skipped']:,} in skipped sentences)"
    )
    print(f"  found only by the selective run: {c['only_sel']:,}")
    print(*shown, sep="\n")
    print(f"tokens the recognizer read: {c['read'] / c['tokens']:.1%} (margins included)")
    for label, column in (("recognizer", 1), ("pipeline  ", 0)):
        full, part = (min(r[column] for r in runs) for runs in (all_runs, sel_runs))
        print(
            f"{label}: every sentence {full:.2f} s, selective {part:.2f} s "
            f"({part / full - 1:+.1%}; fastest of {args.repeat})"
        )


if __name__ == "__main__":
    main()
