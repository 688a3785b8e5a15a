"""The commands that read a build: ``kg load``, ``kg query``, ``kg stats`` and ``kg view``.

Each imports its library module when it runs, so that ``kg --help`` stays quick.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli.common import EXIT_INPUT, EXIT_NONCONFORMING, EXIT_OK, fail
from kg.errors import KgError
from kg.graph.iri import DEFAULT_BASE, Minter

__all__ = ["load", "query_command", "stats", "view"]


# -- kg load: a build into an on-disk store or a Graph Store Protocol endpoint -----------


@click.command()
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
    help="Seconds each exchange with the endpoint may take, the whole answer included.",
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
    from kg.progress import for_stream
    from kg.sparql import remote, store

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
        fail(str(exc))
        sys.exit(EXIT_INPUT)
    click.echo(f"loaded {len(payloads)} document graphs into {synced.summary()}", err=True)
    sys.exit(EXIT_OK)


# -- kg query and kg stats: SPARQL over a build (added with kg/query.py, kg/stats.py) ------


@click.command(name="query")
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
    help="Seconds the whole query may take, locally or over --endpoint (time spent "
    "waiting for the reader of the output does not count).",
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
    from kg import sparql as q
    from kg.sparql.deadline import Sink, within
    from kg.sparql.results import write

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
        checked = q.check(text, bound, allow_update=allow_update, allow_network=allow_network)
        source: q.Source
        if endpoint is not None:
            from kg.sparql.http import Endpoint

            source = Endpoint.connect(endpoint, timeout, auth_env)
        elif store_dir is not None:
            source = q.open_store(store_dir, writable=allow_update)
        else:
            source = q.open_data(data_dir or Path("out"))
        sink = Sink(sys.stdout.buffer)

        def answer_and_print() -> bool:
            answer = q.run_checked(text, checked, source, bound)
            write(answer, fmt, sink)
            sink.flush()
            return answer is None

        # In a worker thread: a query pyoxigraph computes for hours stops at the
        # deadline, and Ctrl-C stops it within a second.
        updated = within(timeout, answer_and_print, sink)
    except KgError as exc:
        fail(str(exc))
        sys.exit(EXIT_INPUT)
    if updated and isinstance(source, q.Local) and store_dir is None:
        click.echo(
            f"kg: the update changed only the in-memory copy; {source.label} is unchanged", err=True
        )
    sys.exit(EXIT_OK)


@click.command()
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

    from kg.sparql import stats as stats_module

    try:
        figures = stats_module.compute(build_dir)
    except KgError as exc:
        fail(str(exc))
        sys.exit(EXIT_INPUT)
    if as_json:
        click.echo(json.dumps(figures.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(stats_module.format_text(figures), nl=False)
    conforms = figures.validation is None or figures.validation.conforms
    sys.exit(EXIT_OK if conforms else EXIT_NONCONFORMING)


# -- kg view: the graph as one self-contained HTML page (kg/view/) ------------------------


@click.command()
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
        fail(str(exc))
        sys.exit(EXIT_INPUT)
    for error in result.errors:
        fail(str(error))
    click.echo(
        f"nodes          {result.nodes}\n"
        f"edges          {result.edges}\n"
        f"positions      {result.positions}\n"
        f"in paragraph   {result.evidence_in_paragraph} of {result.evidence} evidence spans\n"
        f"written to     {out}",
        err=True,
    )
    sys.exit(EXIT_INPUT if result.errors else EXIT_OK)
