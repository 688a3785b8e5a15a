"""kg.nlp.selective_ner: the recognizer runs on the sentences that may hold a name, and finds
there what it finds on whole documents."""

from __future__ import annotations

import numpy
import pytest
import spacy
from spacy.language import Language
from spacy.pipeline import EntityRecognizer
from spacy.tokens import Doc
from spacy.vocab import Vocab

from kg import nlp
from kg.nlp import selective_ner
from kg.nlp.selective_ner import SelectiveNER, _Plan, name_sentences

READ = {"PERSON", "ORG", "GPE", "LOC"}


@pytest.fixture(scope="module")
def every() -> Language:
    """newskg's pipeline with the recognizer on every sentence."""
    return nlp.load(names_only_ner=False)


# (sentence, may it hold a name?)
GATE = [
    ("He said the talks would resume next week.", False),
    ("The minister said the vote was delayed.", False),
    ("I think the plan will fail, she said.", False),
    ("“We will not give up,” they added.", False),
    ("Critics say the law goes too far.", False),
    ("Obama said the talks would resume.", True),
    ("NATO met on Tuesday.", True),
    ("McCain spoke first.", True),
    ("They met the delegation in Paris.", True),
    ("U.S. officials declined to comment.", True),
    ("The deal was signed by eBay and its partners.", True),
    ("He joined the party in 2016 after the vote on the Treaty.", True),
]


@pytest.mark.parametrize(("sentence", "expected"), GATE)
def test_which_sentences_may_hold_a_name(pipeline: Language, sentence: str, expected: bool) -> None:
    doc = pipeline(sentence)
    assert len(list(doc.sents)) == 1
    assert bool(name_sentences(doc).all()) is expected


ARTICLE = """Maria Lopez, MEP from Spain, opened the hearing in Brussels on Tuesday.

She said the talks would resume next week. The vote was delayed again.

"We will not give up," she added. The European Commission and Amnesty International \
did not comment, and the minister said nothing either.

It was the third delay this year. Officials in Madrid said they expected a decision soon.
"""


def test_the_pipeline_skips_sentences_without_a_capital(pipeline: Language) -> None:
    doc = pipeline(ARTICLE)
    keep = name_sentences(doc)
    skipped = {s.text.strip() for s in doc.sents if not keep[s.start]}
    assert skipped == {
        "She said the talks would resume next week.",
        "The vote was delayed again.",
        '"We will not give up," she added.',
        "It was the third delay this year.",
    }
    assert all(t.ent_iob_ == "O" for s in doc.sents if not keep[s.start] for t in s)


def test_a_first_word_written_as_a_name_elsewhere_keeps_its_sentence(
    pipeline: Language,
) -> None:
    text = "The minister met Anna Dufresne in Lyon.\n\nDufresne declined to comment."
    doc = pipeline(text)
    last = list(doc.sents)[-1]
    assert last.text.startswith("Dufresne")
    assert name_sentences(doc)[last.start]
    alone = pipeline("Harsh words followed from the floor.")
    assert not name_sentences(alone).any()


def test_the_entities_are_those_of_the_recognizer_on_every_sentence(
    pipeline: Language, every: Language
) -> None:
    selective, whole = pipeline(ARTICLE), every(ARTICLE)
    found = {(e.start_char, e.end_char, e.label_) for e in selective.ents}
    expected = {(e.start_char, e.end_char, e.label_) for e in whole.ents}
    assert {e for e in expected if e[2] in READ} <= found
    assert found <= expected
    assert {ARTICLE[s:e] for s, e, label in found if label == "PERSON"} == {"Maria Lopez"}


def test_batches_annotate_as_single_documents(pipeline: Language) -> None:
    texts = [ARTICLE, "He left.", "Anna Berg met Jan Kowalski in Warsaw.", ARTICLE[:200]]
    piped = [[(e.start_char, e.label_) for e in d.ents] for d in pipeline.pipe(texts)]
    single = [[(e.start_char, e.label_) for e in pipeline(t).ents] for t in texts]
    assert piped == single
    assert piped[1] == []
    assert pipeline("He left.").has_annotation("ENT_IOB")


def test_the_component_takes_the_recognizers_name_and_place(
    pipeline: Language, every: Language
) -> None:
    assert pipeline.pipe_names == every.pipe_names
    assert isinstance(pipeline.get_pipe("ner"), SelectiveNER)
    assert isinstance(every.get_pipe("ner"), EntityRecognizer)
    assert pipeline.get_pipe("ner").labels == every.get_pipe("ner").labels


def test_an_entity_across_a_cut_is_dropped_and_the_others_move_back() -> None:
    vocab = Vocab()
    words = ["Ann", "Lee", "left", ".", "It", "rained", ".", "Bob", "Day", "came", "."]
    doc = Doc(vocab, words=words)
    # The packed Doc holds sentences 1 and 3: tokens 0-3 and 7-10.
    index = numpy.array([0, 1, 2, 3, 7, 8, 9, 10], dtype=numpy.intp)
    packed = Doc(vocab, words=[words[i] for i in index])
    packed.set_ents(
        [
            spacy.tokens.Span(packed, 0, 2, label="PERSON"),  # Ann Lee
            spacy.tokens.Span(packed, 3, 5, label="ORG"),  # '. Bob': across the cut
            spacy.tokens.Span(packed, 5, 6, label="PERSON"),  # Day
        ]
    )
    keep = numpy.zeros(len(doc), dtype=bool)
    keep[index] = True
    _Plan(doc, packed, index, keep).apply()
    assert [(e.text, e.label_) for e in doc.ents] == [("Ann Lee", "PERSON"), ("Day", "PERSON")]
    assert doc[4].ent_iob_ == "O"


def test_a_recognizer_that_listens_to_a_shared_layer_is_left_alone() -> None:
    listener = {
        "@architectures": "spacy.TransitionBasedParser.v2",
        "state_type": "ner",
        "extra_state_tokens": False,
        "hidden_width": 32,
        "maxout_pieces": 2,
        "use_upper": True,
        "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1", "width": 96, "upstream": "*"},
    }
    shared = spacy.blank("en")
    shared.add_pipe("tok2vec")
    shared.add_pipe("ner", config={"model": listener}).add_label("PERSON")
    shared.initialize()
    assert not selective_ner.install(shared)
    assert isinstance(shared.get_pipe("ner"), EntityRecognizer)
    own = spacy.blank("en")
    own.add_pipe("ner").add_label("PERSON")
    own.initialize()
    assert selective_ner.install(own)
    assert not selective_ner.install(spacy.blank("en"))


def test_a_component_without_a_recognizer_says_how_to_get_one() -> None:
    component = SelectiveNER(Vocab())
    with pytest.raises(ValueError, match=r"kg\.nlp\.load"):
        component(Doc(component.vocab, words=["Hello"]))
