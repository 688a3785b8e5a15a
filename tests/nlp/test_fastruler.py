"""kg.nlp.fastruler: the compiled attribute_ruler annotates exactly as spaCy's own."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

from kg import nlp
from kg.nlp import fastruler
from tests.conftest import ROOT

Annotation = tuple[int, int, int, int, int, int]


@pytest.fixture(scope="module")
def stock() -> Language:
    """The pipeline kg.nlp.load() starts from, with spaCy's own attribute_ruler."""
    pipeline = spacy.load(nlp.default_model())
    pipeline.add_pipe(nlp.NEWLINE_SENTENCES, before="parser")
    return pipeline


def annotations(doc: Doc) -> list[Annotation]:
    # Hashes, not strings: the two pipelines have their own vocabularies.
    return [(t.tag, t.pos, t.morph.key, t.lemma, t.dep, t.head.i) for t in doc]


def assert_same(stock: Language, fast: Language, texts: list[str]) -> int:
    compared = 0
    for text, a, b in zip(texts, stock.pipe(texts), fast.pipe(texts), strict=True):
        assert [t.text for t in a] == [t.text for t in b]
        for token, x, y in zip(a, annotations(a), annotations(b), strict=True):
            assert x == y, (text, token.i, token.text, x, y)
        compared += len(a)
    return compared


SUBJECTS = [
    "The minister",
    "Ms. Novak, the UN special rapporteur,",
    "Dr. Jan Kowalski",
    "They",
    "I",
    "We",
    "She",
    "The committee's chair",
    "Amnesty International",
    "The prime minister's spokesman",
    "You",
    "It",
]
PREDICATES = [
    "said the talks would resume on 12 March 2024.",
    "didn't comment on the report.",
    "is gonna vote against the bill, aides say.",
    "has been detained since Tuesday.",
    "told reporters: \u201cWe're not going to give up.\u201d",
    'warned that "the situation is getting worse".',
    "was being questioned by police at 3:45 p.m.",
    "ain't done yet, she said.",
    "had had enough of the delays.",
    "does what it says, and did so in 2019.",
    "won't attend, but sent 1,200 pages of notes.",
    "can't confirm whether it's true.",
    "got ta leave before the vote.",
    "may've misread the figures (about 4.5%).",
]
OPENINGS = ["", "On Monday, ", "\u201cNo,\u201d "]
HANDWRITTEN = [
    "I'm not sure, said Mr. Smith.",
    "Let's wait and see what happens.",
    "There's no evidence, and there are no witnesses.",
    "There were 300 protesters; there was one arrest.",
    "C'mon, y'all know that's ol' news.",
    "Don't you think they'd have told us?",
    "\u201cWe've done nothin' wrong,\u201d he said.\n\nThe court disagreed.",
    "Headline: Parliament votes on press law\n\nBRUSSELS (Reuters) - Lawmakers voted 412-87.",
    "He gave it to me, not to her; she gave hers to them.",
    "Ourselves, we'd rather the EU's rules apply to itself too.",
    "It's gotta be done by Friday, the CEO's office said.",
    "Whether or not the bill passes, unless it's amended, won't matter.",
    "'Em? I'll ask 'em myself, he said, somethin' about doin' it right.",
    "Once upon a time, since 1999, though rarely, till now.",
    "The U.S. and the U.K. signed it at 10 a.m. on Jan. 5.",
    "   Leading spaces and\ttabs\t\tand  double  spaces.",
    "Numbers: 1, 2.5, 3/4, 1990s, $5bn, \u20ac10m, 50,000 people.",
    "She asked: 'Is it yours or theirs?' Nobody answered.",
    "What did he do? Which one did they choose? That was it.",
    "Him and me went; he and I stayed; it was us who left.",
    "Gon na happen, got ta happen, wan na see.",
    "Do they do it? Have they had it? Has she had hers?",
    "\n\nA paragraph after blank lines.\n\n\nAnother one.\n",
    "The Rt. Hon. Lord Smith KC, Minister of State, said no.",
    "\u2014 \u201cIt is what it is,\u201d \u2014 said the spokesperson.",
    "ALL CAPS HEADLINE: MINISTER RESIGNS AFTER SCANDAL",
    "e-mail us at press@example.org or call +32 2 555 01 23.",
    "The 5th and 21st amendments weren't mentioned.",
]


def sentences() -> list[str]:
    triples = itertools.product(OPENINGS, SUBJECTS, PREDICATES)
    return [f"{a}{subject} {predicate}" for a, subject, predicate in triples] + HANDWRITTEN


def test_load_replaces_the_ruler_in_place(pipeline: Language, stock: Language) -> None:
    assert pipeline.pipe_names == stock.pipe_names
    component = pipeline.get_pipe(fastruler.RULER)
    assert isinstance(component, fastruler.FastAttributeRuler)
    assert component.fast is not None


def test_sentences_identical(pipeline: Language, stock: Language) -> None:
    texts = sentences()
    assert len(texts) > 500
    assert assert_same(stock, pipeline, texts) > 7000


def test_examples_identical(pipeline: Language, stock: Language) -> None:
    texts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "examples").glob("*.txt"))]
    assert texts
    assert assert_same(stock, pipeline, texts) > 500


WORDS = [
    "gon", "na", "got", "ta", "let", "'s", "c'm", "on", "y'", "y", "all", "ai", "n't", "nt",
    "not", "i", "I", "me", "you", "it", "It", "he", "her", "hers", "his", "its", "they",
    "them", "there", "is", "are", "was", "were", "'re", "'m", "'d", "'ll", "'ve", "'em",
    "be", "been", "being", "do", "does", "did", "have", "has", "had", "gets", "ca", "wo",
    "sha", "doin'", "goin'", "nothin'", "nuthin'", "ol'", "'nuff", "that", "if", "but",
    "will", "the", "a", "which", "minister", "said", "report", "Brussels", "vote", ".",
    ",", '"', "\u201c", "?", "\n\n", " ", "\n", "2024", "5.5",
]  # fmt: skip


@settings(max_examples=60)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12))
def test_random_words_identical(pipeline: Language, stock: Language, words: list[str]) -> None:
    # Words as tokens (no tokenizer), so "gon" "na" and friends are always adjacent tokens.
    a = stock(Doc(stock.vocab, words=words))
    b = pipeline(Doc(pipeline.vocab, words=words))
    assert annotations(a) == annotations(b)


def before_ruler(stock: Language, words: list[str], tags: list[str], deps: list[str]) -> Doc:
    doc = Doc(stock.vocab, words=words)
    for token, tag, dep in zip(doc, tags, deps, strict=True):
        token.tag_ = tag
        token.dep_ = dep
    return doc


@st.composite
def tagged(draw: Any, stock: Language) -> tuple[list[str], list[str], list[str]]:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=10))
    labels = [*stock.get_pipe("tagger").labels, "", "_SP"]
    deps = [*stock.get_pipe("parser").labels, ""]
    size = len(words)
    tags = draw(st.lists(st.sampled_from(labels), min_size=size, max_size=size))
    arcs = draw(st.lists(st.sampled_from(deps), min_size=size, max_size=size))
    return words, tags, arcs


def test_compiled_rules_on_any_tags_and_deps(stock: Language) -> None:
    """The two rulers on the same input with tags and arcs drawn at random (the model
    rarely produces many of the combinations the patterns test, e.g. a non-space _SP)."""
    original = stock.get_pipe(fastruler.RULER)
    compiled = fastruler.compile_ruler(original)
    assert compiled is not None

    @settings(max_examples=1000)
    @given(tagged(stock))
    def check(drawn: tuple[list[str], list[str], list[str]]) -> None:
        a = original(before_ruler(stock, *drawn))
        b = compiled(before_ruler(stock, *drawn))
        assert annotations(a) == annotations(b)

    check()


UNSUPPORTED: list[dict[str, Any]] = [
    {"patterns": [[{"LOWER": "gon", "OP": "?"}, {"LOWER": "na"}]], "attrs": {"LEMMA": "go"}},
    {"patterns": [[{"TEXT": {"REGEX": "^na$"}}]], "attrs": {"LEMMA": "to"}},
    {"patterns": [[{"LOWER": {"FUZZY": "gonna"}}]], "attrs": {"LEMMA": "go"}},
    {"patterns": [[{"LOWER": "a"}, {"LOWER": "b"}, {"LOWER": "c"}]], "attrs": {"LEMMA": "x"}},
    {"patterns": [[{"ORTH": "na"}]], "attrs": {"LEMMA": "to"}},
    {"patterns": [[{}]], "attrs": {"LEMMA": "to"}},
    {"patterns": [[{"LOWER": "na"}]], "attrs": {"NORM": "to"}},
    {"patterns": [[{"LOWER": "na", "LENGTH": 2}]], "attrs": {"LEMMA": "to"}},
]


@pytest.mark.parametrize("pattern", UNSUPPORTED, ids=lambda p: repr(p["patterns"])[:40])
def test_compiler_refuses(stock: Language, pattern: dict[str, Any]) -> None:
    ruler = AttributeRuler(stock.vocab)
    ruler.add_patterns(stock.get_pipe(fastruler.RULER).patterns)
    assert fastruler.compile_ruler(ruler) is not None
    ruler.add_patterns([pattern])
    assert fastruler.compile_ruler(ruler) is None


def test_load_keeps_a_ruler_that_does_not_compile(
    monkeypatch: pytest.MonkeyPatch, stock: Language
) -> None:
    real_load = spacy.load

    def load_with_op(name: str) -> Language:
        pipeline = real_load(name)
        pipeline.get_pipe(fastruler.RULER).add_patterns([UNSUPPORTED[0]])
        return pipeline

    monkeypatch.setattr(nlp.spacy, "load", load_with_op)
    pipeline = nlp.load()
    assert type(pipeline.get_pipe(fastruler.RULER)) is AttributeRuler
    assert pipeline.pipe_names == stock.pipe_names
    assert pipeline("Gon na happen.")[0].lemma_ == "go"
