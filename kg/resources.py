"""The data files shipped inside the package: ontology, shapes and JSON-LD context.

``ontology/`` and ``shapes/`` sit at the top of the repository and are linked into
``kg/``, so they are read through :mod:`importlib.resources` and work the same from a
checkout, an editable install or a wheel.
"""

from __future__ import annotations

import json
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from rdflib import Graph

__all__ = [
    "context",
    "context_path",
    "ontology_graph",
    "ontology_path",
    "shapes_graph",
    "shapes_path",
]


def ontology_path() -> Traversable:
    """The shipped ontology, ``ontology/kg.ttl``."""
    return files("kg") / "ontology" / "kg.ttl"


def shapes_path() -> Traversable:
    """The shipped SHACL shapes, ``shapes/kg.ttl``."""
    return files("kg") / "shapes" / "kg.ttl"


def context_path() -> Traversable:
    """The shipped JSON-LD context document, ``ontology/context.jsonld``."""
    return files("kg") / "ontology" / "context.jsonld"


def ontology_graph() -> Graph:
    """Parse the shipped ontology into a new graph (each call parses; callers cache)."""
    return Graph().parse(data=ontology_path().read_text(encoding="utf-8"), format="turtle")


def shapes_graph() -> Graph:
    """Parse the shipped shapes into a new graph (each call parses; callers cache)."""
    return Graph().parse(data=shapes_path().read_text(encoding="utf-8"), format="turtle")


def context() -> dict[str, Any]:
    """The parsed context document, ``{"@context": {...}}``, as a new dict on each call."""
    document: dict[str, Any] = json.loads(context_path().read_text(encoding="utf-8"))
    return document
