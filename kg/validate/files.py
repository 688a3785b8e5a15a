"""RDF files read for ``kg validate``: the format by the file's extension, nothing fetched.

Any of newskg's own files (Turtle, TriG, N-Quads, N-Triples, JSON-LD) and anyone else's in
those formats. A JSON-LD file may only carry its contexts inline: a context named by IRI
would have to be fetched, and is refused with a message saying so. Every failure is one
:class:`kg.errors.ValidationInputError` naming the file and what to do.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rdflib import Dataset
from rdflib.plugins.parsers.jsonld import to_rdf

from kg.errors import ValidationInputError
from kg.graph.vocab import bind_prefixes

__all__ = ["FORMATS", "load_rdf"]

# File extension -> (rdflib parser name, what to call the format in messages).
FORMATS: dict[str, tuple[str, str]] = {
    ".ttl": ("turtle", "Turtle"),
    ".trig": ("trig", "TriG"),
    ".nq": ("nquads", "N-Quads"),
    ".nt": ("nt", "N-Triples"),
    ".jsonld": ("json-ld", "JSON-LD"),
    ".json": ("json-ld", "JSON-LD"),
}


def load_rdf(path: Path) -> Dataset:
    """Read one RDF file, chosen by extension, into a dataset; never fetches anything."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(FORMATS)
        raise ValidationInputError(
            f"{path}: unknown RDF file extension {suffix or '(none)'!r}; give a file ending in "
            f"{known}"
        )
    parser, name = FORMATS[suffix]
    dataset = Dataset()
    try:
        with warnings.catch_warnings():
            # rdflib 7.6's own parsers still go through its deprecated ConjunctiveGraph
            # API and warn about it; the warning concerns rdflib's internals, not us.
            warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"rdflib\.")
            if parser == "json-ld":
                _parse_jsonld(path, dataset)
            else:
                with path.open("rb") as file:
                    dataset.parse(file=file, format=parser, publicID=path.resolve().as_uri())
    except ValidationInputError:
        raise
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ValidationInputError(
            f"{path}: cannot read the file ({reason}); check the path and its permissions"
        ) from exc
    except Exception as exc:  # rdflib's parsers raise many unrelated exception types
        raise ValidationInputError(
            f"{path}: not valid {name} ({_first_line(exc)}); fix the syntax or export the "
            "graph again"
        ) from exc
    bind_prefixes(dataset)
    return dataset


def _parse_jsonld(path: Path, dataset: Dataset) -> None:
    """Parse a JSON-LD file whose contexts are all inline into ``dataset``."""
    with path.open(encoding="utf-8") as file:
        data = json.load(file)
    reference = next(_context_references(data), None)
    if reference is not None:
        raise ValidationInputError(
            f"{path}: names the JSON-LD context {reference!r}, which would have to be "
            "fetched; inline the context object in the file (kg build writes graph.jsonld "
            "that way) and validate again"
        )
    to_rdf(data, dataset, base=path.resolve().as_uri(), version=1.1)


def _context_references(value: Any) -> Iterator[str]:
    """Every context the document refers to by IRI (``@context`` strings, ``@import``)."""
    if isinstance(value, list):
        for item in value:
            yield from _context_references(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "@context":
                contexts = item if isinstance(item, list) else [item]
                yield from (context for context in contexts if isinstance(context, str))
            if key == "@import" and isinstance(item, str):
                yield item
            yield from _context_references(item)


def _first_line(exc: BaseException) -> str:
    """The first non-empty line of an exception's message, shortened for one-line errors."""
    for line in str(exc).splitlines():
        if line.strip():
            text = " ".join(line.split())
            return text if len(text) <= 200 else text[:197] + "..."
    return type(exc).__name__
