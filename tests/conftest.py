"""Shared fixtures: the real spaCy pipeline and the gazetteers, loaded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from kg import lexicon, nlp
from kg.lexicon import Lexicon

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/cases/*/expected.ttl from the current extraction",
    )


@pytest.fixture(scope="session")
def pipeline() -> Language:
    return nlp.load()


@pytest.fixture(scope="session")
def words() -> Lexicon:
    return lexicon.load()
