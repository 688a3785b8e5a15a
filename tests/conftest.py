"""Shared fixtures: the real spaCy pipeline and the gazetteers, loaded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings
from spacy.language import Language

from kg import nlp
from kg.extract import lexicon
from kg.extract.lexicon import Lexicon

# Property tests run the same examples every time (a CI run cannot flake on a new draw)
# and have no per-example deadline (a loaded machine is slow, not wrong).
settings.register_profile("newskg", derandomize=True, deadline=None)
settings.load_profile("newskg")

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


@pytest.fixture(scope="session")
def examples_out(pipeline: Language, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/ built once per session (graph files, validation.ttl) into a tmp folder."""
    from kg.build import build
    from kg.graph.iri import DEFAULT_BASE

    out = tmp_path_factory.mktemp("examples-out")
    result = build([EXAMPLES], pipeline, out, DEFAULT_BASE)
    assert not result.errors and result.report.conforms
    return out


@pytest.fixture(scope="session")
def wire_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/05-wire.jsonl built once per session by `kg build` (copy it to change it)."""
    from click.testing import CliRunner

    from kg.cli import main

    out = tmp_path_factory.mktemp("wire-out")
    args = ["build", str(EXAMPLES / "05-wire.jsonl"), "-o", str(out)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return out
