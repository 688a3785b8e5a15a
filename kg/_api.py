"""The library functions the front door offers: build, validate, query (see :mod:`kg`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kg.model import Article

if TYPE_CHECKING:
    from spacy.language import Language

    from kg.build import Build
    from kg.sparql import Answer, Term
    from kg.validate import Report

__all__ = ["build_graph", "build_texts", "query", "validate_files"]


def build_graph(
    inputs: Iterable[str | Path],
    out: str | Path | None = None,
    *,
    base: str | None = None,
    model: str | None = None,
    nlp: Language | None = None,
    store: str | Path | None = None,
    jobs: int = 1,
    cache: str | Path | None = None,
    use_cache: bool = True,
) -> Build:
    """Build the graph of files and folders (.txt .md .html .htm .jsonl), as ``kg build``.

    With ``out`` the six files are written there (and the build cache kept in
    ``out/.cache`` unless ``cache`` names another folder); without it the build stays in
    memory (``Build.graphs``). ``base`` is the base IRI of minted resources (default
    ``https://w3id.org/newskg/id/``). ``nlp`` is a spaCy pipeline already loaded, else ``model``
    names an installed one (default: ``en_core_web_sm``, else its pinned re-upload).
    Bad inputs do not raise: they are in ``Build.errors``, and the rest is built.
    """
    return _build([Path(p) for p in inputs], out, base, model, nlp, store, jobs, cache, use_cache)


def build_texts(
    texts: Mapping[str, str] | Iterable[Article],
    out: str | Path | None = None,
    *,
    base: str | None = None,
    model: str | None = None,
    nlp: Language | None = None,
    store: str | Path | None = None,
) -> Build:
    """Build the graph of articles given in memory: ``{id: text}``, or :class:`Article` s.

    Each is checked as a JSONL record is (a non-empty id and text; a bad one is in
    ``Build.errors``); its id is the document's ``dcterms:identifier``. Without ``out``
    nothing is written and nothing cached on disk.
    """
    if isinstance(texts, Mapping):
        articles = [Article(id=key, text=value) for key, value in texts.items()]
    else:
        articles = list(texts)
    return _build(articles, out, base, model, nlp, store, 1, None, out is not None)


def _build(
    inputs: Sequence[Path | Article],
    out: str | Path | None,
    base: str | None,
    model: str | None,
    nlp: Language | None,
    store: str | Path | None,
    jobs: int,
    cache: str | Path | None,
    use_cache: bool,
) -> Build:
    from kg.build import build
    from kg.graph.iri import DEFAULT_BASE, Minter
    from kg.nlp import Model

    minter = Minter(base or DEFAULT_BASE)  # a bad base: ValueError before anything is read
    return build(
        inputs,
        Model(model, nlp),
        None if out is None else Path(out),
        minter.base,
        store=None if store is None else Path(store),
        jobs=jobs,
        cache=None if cache is None else Path(cache),
        use_cache=use_cache,
    )


def validate_files(paths: Iterable[str | Path]) -> Report:
    """Validate the union of RDF files (Turtle, TriG, N-Quads, JSON-LD) against the shapes."""
    from kg.validate import validate_files as validate

    return validate([Path(p) for p in paths])


def query(
    text: str,
    build: str | Path = "out",
    *,
    store: str | Path | None = None,
    params: Mapping[str, Term | str] | None = None,
) -> Answer:
    """Run a read-only SPARQL query on a build folder (or an on-disk ``store``), as ``kg query``.

    ``text`` is a query, a file of one, or the name of a shipped query
    (``positions-of-person`` ...); newskg's prefixes need no declaration. ``params`` bind
    variables to RDF terms (pyoxigraph terms, or text as ``--param`` reads it:
    ``<IRI>``, ``"text"@lang``, ``"text"^^<datatype>``, else a plain string). Returns pyoxigraph's
    solutions for a SELECT, a boolean for an ASK, sorted triples for a CONSTRUCT.
    """
    from kg import sparql

    bound = {
        k: sparql.parse_term(v) if isinstance(v, str) else v for k, v in (params or {}).items()
    }
    query = sparql.query_text(text)[0]
    checked = sparql.check(query, bound, allow_update=False, allow_network=False)  # first
    source = sparql.open_data(Path(build)) if store is None else sparql.open_store(Path(store))
    return sparql.run_checked(query, checked, source, bound)
