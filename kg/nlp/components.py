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

from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.fastruler import FACTORY as FAST_RULER
from kg.nlp.fastruler import FastAttributeRuler
from kg.nlp.selective_ner import FACTORY as SELECTIVE_NER
from kg.nlp.selective_ner import SelectiveNER

NEWLINE_SENTENCES = "newskg_newline_sentences"
# Tokens a sentence may run without a line break or a '.', '!' or '?': the longest such
# run in the example articles, the generated corpus and the evaluation sets (2,327 texts)
# is 221 tokens. Past it a sentence is cut, because the extractor reads each sentence of
# a cue whole and a text without stops would be one sentence read once per cue.
LONGEST_SENTENCE = 400
_STOPS = frozenset({".", "!", "?"})

__all__ = ["FAST_RULER", "NEWLINE_SENTENCES", "SELECTIVE_NER"]


@Language.component(NEWLINE_SENTENCES, requires=[], assigns=["token.is_sent_start"])
def newline_sentences(doc: Doc) -> Doc:
    """Start a sentence after every line break.

    The small model merges a heading line or a paragraph without a final stop into the
    next sentence; in news a line break always ends a sentence. A run of more than
    ``LONGEST_SENTENCE`` tokens without a line break or a stop (no news sentence is so
    long) is cut there too.
    """
    # Set through an array: setting Token.is_sent_start checks the whole Doc for a
    # parse each time, which made a text of many lines cost time in its square.
    starts = doc.to_array([SENT_START])
    run = 0
    for token in doc[1:]:
        previous = doc[token.i - 1]
        run = 0 if previous.text in _STOPS else run + 1
        if "\n" in previous.whitespace_ or (previous.is_space and "\n" in previous.text):
            starts[token.i] = -1 if token.is_space else 1
            run = 0
        elif run >= LONGEST_SENTENCE and not token.is_space:
            starts[token.i] = 1
            run = 0
    doc.from_array([SENT_START], starts)  # type: ignore[arg-type]  # an int array
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
