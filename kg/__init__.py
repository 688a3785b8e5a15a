"""newskg: read news articles and build a knowledge graph of who said what.

The library API; the ``kg`` command is a thin client of it. Stages: ``ingest`` ->
``nlp`` -> ``extract`` -> ``resolve`` -> ``graph`` -> ``validate`` -> ``export``,
composed in ``pipeline``.
"""

from kg.errors import InputError, KgError, ModelError, OutputError, ValidationInputError
from kg.model import (
    Article,
    DocExtraction,
    Entity,
    EntityKind,
    Membership,
    Position,
    Span,
    Stance,
)

__version__ = "0.1.0"

__all__ = [
    "Article",
    "DocExtraction",
    "Entity",
    "EntityKind",
    "InputError",
    "KgError",
    "Membership",
    "ModelError",
    "OutputError",
    "Position",
    "Span",
    "Stance",
    "ValidationInputError",
    "__version__",
]
