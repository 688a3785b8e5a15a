"""Every spaCy component newskg registers, listed together with what each reads and writes.

spaCy finds a component by its registered name when a pipeline adds or replaces one, so
these registrations are made when ``kg.nlp`` is imported, and only here; the classes they
build stay beside the code that installs them (:mod:`kg.nlp.fastruler`,
:mod:`kg.nlp.selective_ner`). ``requires`` names the annotations an earlier component must
have set, ``assigns`` those this one sets, as ``nlp.analyze_pipes()`` checks them. What a
component reads of the tokenizer's output alone (a token's text and whitespace, its
LOWER, NORM, IS_SPACE or IS_ALPHA) is no component's annotation, so it is not listed.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.fastruler import FACTORY as FAST_RULER
from kg.nlp.fastruler import FastAttributeRuler
from kg.nlp.selective_ner import FACTORY as SELECTIVE_NER
from kg.nlp.selective_ner import SelectiveNER

NEWLINE_SENTENCES = "newskg_newline_sentences"

__all__ = ["FAST_RULER", "NEWLINE_SENTENCES", "SELECTIVE_NER"]


@Language.component(NEWLINE_SENTENCES, requires=[], assigns=["token.is_sent_start"])
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


# The compiled rules test a token's TAG and DEP (and its LOWER and IS_SPACE) and may set
# any of the attributes in kg.nlp.ruler_rules.SETTABLE. A ruler whose patterns do not
# compile is never replaced by kg.nlp.load, so the declaration is that of the rules.
@Language.factory(
    FAST_RULER,
    requires=["token.tag", "token.dep"],
    assigns=["token.pos", "token.tag", "token.morph", "token.lemma", "token.dep"],
)
def make_fast_attribute_ruler(nlp: Language, name: str) -> FastAttributeRuler:
    return FastAttributeRuler(nlp.vocab, name)


# Which sentences may hold a name is read from the sentence starts and the tags; the
# recognizer it wraps then sets the entities, as spaCy's ner declares.
@Language.factory(
    SELECTIVE_NER,
    requires=["token.is_sent_start", "token.tag"],
    assigns=["doc.ents", "token.ent_iob", "token.ent_type"],
)
def make_selective_ner(nlp: Language, name: str) -> SelectiveNER:
    return SelectiveNER(nlp.vocab, name)
