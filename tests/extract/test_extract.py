"""Extraction rules on short texts: (text, expected) tables run through the real model."""

from __future__ import annotations

import pytest
from spacy.language import Language

from kg.extract import extract
from kg.extract.lexicon import Lexicon
from kg.model import Article, DocExtraction, EntityKind


def run(text: str, pipeline: Language, words: Lexicon) -> DocExtraction:
    return extract(Article(id="t.txt", text=text), pipeline(text), words)


def said(x: DocExtraction) -> list[tuple[str, str, bool]]:
    return [(x.entities[p.speaker].name, p.proposition, p.is_direct) for p in x.positions]


# text -> [(speaker, proposition, is_direct)]
ATTRIBUTIONS = [
    (
        "“We will not stay silent about these arrests,” said Ana Ruiz, an MEP from Spain.",
        [("Ana Ruiz", "We will not stay silent about these arrests", True)],
    ),
    (
        "Ana Ruiz spoke first. She said, “The sanctions must come now and they must be targeted.”",
        [("Ana Ruiz", "The sanctions must come now and they must be targeted.", True)],
    ),
    (
        "Marta Nowak said that the report on the prisons was accurate.",
        [("Marta Nowak", "the report on the prisons was accurate", False)],
    ),
    (
        "Jan Kowal called on the European Union to recognise the killings as genocide.",
        [("Jan Kowal", "the European Union to recognise the killings as genocide", False)],
    ),
    (
        "Jan Kowal, Polish MEP, stressed that the elections were neither free nor fair.",
        [("Jan Kowal", "the elections were neither free nor fair", False)],
    ),
    ("The weather was fine and the hall was full.", []),
    (
        "“Nobody in this room believes the official figures.” ― Marta Nowak",
        [("Marta Nowak", "Nobody in this room believes the official figures.", True)],
    ),
    (
        "Marta Nowak added: the figures were invented by the ministry.",
        [("Marta Nowak", "the figures were invented by the ministry", False)],
    ),
    (
        "Marta Nowak spoke to reporters. Marta Nowak added:\n\nThe figures were invented.",
        [("Marta Nowak", "The figures were invented.", False)],
    ),
    (
        "The figures are simply wrong, Marta Nowak says.",
        [("Marta Nowak", "The figures are simply wrong", False)],
    ),
    (
        "Several MEPs condemned the arrests. Jan Kowal echoed their concerns.",
        [("Jan Kowal", "their concerns", False)],
    ),
    (
        "Jan Kowal visited Vilnius.\n\nKOWAL: We cannot wait for another report on the prisons.",
        [("Jan Kowal", "We cannot wait for another report on the prisons.", True)],
    ),
    (
        "Kowal: Europe must stop the executions now\n\n"
        "Mr. Jan Kowal, a Polish MEP, spoke in Vilnius.",
        [("Jan Kowal", "Europe must stop the executions now", False)],
    ),
    (
        "Marta Nowak wrote to the board.\n\n"
        "”The figures were invented by the ministry.” ― Marta Nowak",
        [("Marta Nowak", "The figures were invented by the ministry.", True)],
    ),
    ("Note: the figures were updated on Monday.", []),
    ("Marta Nowak told the assembled reporters.", []),
    ("Marta Nowak found the missing files.", []),
    (
        "Marta Nowak spoke after the vote. She continued, “We will take this case to court.”",
        [("Marta Nowak", "We will take this case to court.", True)],
    ),
    (
        "According to Marta Nowak, “the ministry invented every one of these figures.”",
        [("Marta Nowak", "the ministry invented every one of these figures.", True)],
    ),
    (
        "Marta Nowak said the figures were wrong, arguing that the ministry had lied.",
        [
            ("Marta Nowak", "the figures were wrong", False),
            ("Marta Nowak", "the ministry had lied", False),
        ],
    ),
    (
        "Marta Nowak said that “the figures are invented” in every report of the ministry.",
        [("Marta Nowak", "“the figures are invented” in every report of the ministry", False)],
    ),
    (
        "Marta Nowak spoke out about the arrests of the farmers.",
        [("Marta Nowak", "the arrests of the farmers", False)],
    ),
    (
        "Marta Nowak began by saying that the figures were wrong.",
        [("Marta Nowak", "the figures were wrong", False)],
    ),
    (
        "The ministry's plan to close the prisons was rejected by Marta Nowak.",
        [("Marta Nowak", "The ministry's plan to close the prisons", False)],
    ),
    (
        "Marta Nowak said after the vote she would not accept the result.",
        [("Marta Nowak", "she would not accept the result", False)],
    ),
    (
        # One paragraph a line, as many sites write them: the second quotation has no cue of
        # its own in its paragraph and continues the speaker before it.
        "Jan Kowal, a Polish MEP, spoke in Vilnius on the first day of the long conference "
        "on the prisons of the region.\n"
        "“Europe must stop the executions now,” Jan Kowal said.\n"
        "“Nobody can say that we did not know what happens in the prisons.”",
        [
            ("Jan Kowal", "Europe must stop the executions now", True),
            ("Jan Kowal", "Nobody can say that we did not know what happens in the prisons.", True),
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), ATTRIBUTIONS)
def test_attribution(text: str, expected: list[object], pipeline: Language, words: Lexicon) -> None:
    assert said(run(text, pipeline, words)) == expected


def test_evidence_offsets_are_exact(pipeline: Language, words: Lexicon) -> None:
    text = "Intro line.\n\nMarta Nowak said that the report on the prisons was accurate."
    x = run(text, pipeline, words)
    (position,) = x.positions
    assert text[position.evidence.start : position.evidence.end] == position.proposition
    assert position.speaker_evidence is not None
    assert text[position.speaker_evidence.start : position.speaker_evidence.end] == "Marta Nowak"


def test_call_on_has_addressee_and_speech_act(pipeline: Language, words: Lexicon) -> None:
    x = run("Jan Kowal called on the European Union to act.\n", pipeline, words)
    x = run(
        "Jan Kowal called on the European Union to recognise the killings as genocide.",
        pipeline,
        words,
    )
    (position,) = x.positions
    assert position.speech_act == "CallOn"
    assert position.addressee is not None
    assert x.entities[position.addressee].name == "European Union"


LIVE = """Delegates met in Brussels on Monday to discuss the trials.

Ana Ruiz, MEP from Spain, Vice-Chair of the Committee on Foreign Affairs

We cannot accept these verdicts. The prisoners must be released at once.

Freedom cannot wait

I urge the Council to act before the summer.

Jan Kowal, Former Polish Foreign Minister

Our governments have looked away for too long.
"""


def test_live_report_sections(pipeline: Language, words: Lexicon) -> None:
    x = run(LIVE, pipeline, words)
    by_speaker: dict[str, list[str]] = {}
    for name, proposition, direct in said(x):
        assert direct
        by_speaker.setdefault(name, []).append(proposition)
    assert by_speaker == {
        "Ana Ruiz": [
            "We cannot accept these verdicts.",
            "The prisoners must be released at once.",
            "I urge the Council to act before the summer.",
        ],
        "Jan Kowal": ["Our governments have looked away for too long."],
    }
    roles = {
        (x.entities[m.member].name, x.entities[m.organization].name, m.is_former)
        for m in x.memberships
    }
    assert roles == {
        ("Ana Ruiz", "European Parliament", False),
        ("Ana Ruiz", "Committee on Foreign Affairs", False),
        ("Jan Kowal", "Government of Poland", True),
    }
    ruiz = next(e for e in x.entities if e.name == "Ana Ruiz")
    assert ruiz.nationality is not None and x.entities[ruiz.nationality].name == "Spain"


def test_a_live_speaker_addresses_whom_they_call_on(pipeline: Language, words: Lexicon) -> None:
    text = (
        "Delegates met in Brussels on Monday.\n\n"
        "Ana Ruiz, MEP from Spain\n\n"
        "I call on the European Commission to suspend the talks at once."
    )
    x = run(text, pipeline, words)
    (position,) = x.positions
    assert position.addressee is not None
    assert x.entities[position.addressee].name == "European Commission"


def test_people_sharing_a_surname_stay_apart(pipeline: Language, words: Lexicon) -> None:
    text = (
        "Anna Novak, MEP from Slovenia, met Peter Novak, a lawyer, in Ljubljana. "
        "Peter Novak said that the charges were invented."
    )
    people = {e.name for e in run(text, pipeline, words).entities if e.kind is EntityKind.PERSON}
    assert {"Anna Novak", "Peter Novak"} <= people


def test_acronym_defined_in_parentheses(pipeline: Language, words: Lexicon) -> None:
    text = (
        "The Press Freedom Alliance (PFA) counted the arrests. "
        "The PFA said that at least forty journalists were in prison."
    )
    x = run(text, pipeline, words)
    org = next(e for e in x.entities if e.name == "Press Freedom Alliance")
    assert org.kind is EntityKind.ORGANIZATION and "PFA" in org.aliases
    assert [x.entities[p.speaker].name for p in x.positions] == ["Press Freedom Alliance"]


@pytest.mark.parametrize(
    ("text", "label", "date"),
    [
        ("They remembered the 1988 massacre.", "1988 massacre", "1988"),
        ("Since the November 2019 uprising, nothing changed.", "November 2019 uprising", "2019-11"),
    ],
)
def test_dated_events(text: str, label: str, date: str, pipeline: Language, words: Lexicon) -> None:
    events = [e for e in run(text, pipeline, words).entities if e.kind is EntityKind.EVENT]
    assert [(e.name, e.start_date) for e in events] == [(label, date)]


@pytest.mark.parametrize("word", ["MEP", "Finnish"])
def test_role_words_and_demonyms_are_not_entities(
    word: str, pipeline: Language, words: Lexicon
) -> None:
    text = f"The {word} delegation arrived. Ana Ruiz, Finnish MEP, said that talks had begun."
    names = {e.name for e in run(text, pipeline, words).entities if e.kind is not EntityKind.ROLE}
    assert word not in names and "Finnish MEP" not in names


def test_an_event_is_never_an_addressee(pipeline: Language, words: Lexicon) -> None:
    x = run("Jan Kowal urged the 2019 protests to continue peacefully.", pipeline, words)
    (position,) = x.positions
    assert position.addressee is None


def test_a_role_title_is_not_part_of_a_name(pipeline: Language, words: Lexicon) -> None:
    text = "We expect High Representative Borrel to act, said Jan Kowal, Polish MEP."
    names = {e.name for e in run(text, pipeline, words).entities if e.kind is EntityKind.PERSON}
    assert "High Representative Borrel" not in names


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (
            "The Press Freedom Alliance published its report on Monday. "
            "It said that forty journalists were in prison.",
            "Press Freedom Alliance",
        ),
        (
            "The Press Freedom Alliance met Ana Ruiz on Monday. "
            "She said that forty journalists were in prison.",
            "Ana Ruiz",
        ),
    ],
)
def test_pronoun_speakers_resolve_by_kind(
    text: str, speaker: str, pipeline: Language, words: Lexicon
) -> None:
    x = run(text, pipeline, words)
    assert [x.entities[p.speaker].name for p in x.positions] == [speaker]


@pytest.mark.parametrize(
    "text",
    [
        "Ana Ruiz said the Council must use the Global Magnitsky Law against the judges.",
        "Ana Ruiz urged the Union and its Member States to act.",
        "Ana Ruiz chairs the Committee on Interference in all Democratic Processes now.",
        "Ana Ruiz visited the Kesh river dam. The Kesh evictions left the Kesh valley empty.",
    ],
)
def test_capitalised_things_are_not_people(text: str, pipeline: Language, words: Lexicon) -> None:
    people = {e.name for e in run(text, pipeline, words).entities if e.kind is EntityKind.PERSON}
    assert people <= {"Ana Ruiz"}


def test_a_role_word_before_an_unknown_name_makes_a_person(
    pipeline: Language, words: Lexicon
) -> None:
    text = "Spanish MEP Elena Marín Ruiz called on the European Commission to raise the issue."
    x = run(text, pipeline, words)
    assert said(x) == [("Elena Marín Ruiz", "the European Commission to raise the issue", False)]


def test_subjectless_cue_inside_a_reported_clause_keeps_the_outer_speaker(
    pipeline: Language, words: Lexicon
) -> None:
    text = (
        "Prime Minister Hanna Vale said the country would leave the pact by March "
        "and suggested that the talks could resume later."
    )
    x = run(text, pipeline, words)
    speakers = {a.speaker_text for a in x.attributions}
    assert "the country" not in speakers


def test_a_claim_noun_with_its_owner(pipeline: Language, words: Lexicon) -> None:
    text = "Reporters doubted Marta Nowak's claim that the prisons were half empty."
    x = run(text, pipeline, words)
    found = {(a.speaker_text, text[a.content.start : a.content.end]) for a in x.attributions}
    assert ("Marta Nowak", "the prisons were half empty") in found


def test_a_quotation_after_a_participle_cue_is_its_own_statement(
    pipeline: Language, words: Lexicon
) -> None:
    text = (
        "Ana Ruiz called on the European Union to act against the judges, "
        "stating “I urge you to freeze their assets before the summer.”"
    )
    x = run(text, pipeline, words)
    assert ("Ana Ruiz", "I urge you to freeze their assets before the summer.", True) in said(x)


def test_where_and_when_are_not_what_was_said(pipeline: Language, words: Lexicon) -> None:
    text = "In Brussels, Ana Ruiz criticised the new surveillance law during the debate."
    assert [p for _, p, _ in said(run(text, pipeline, words))] == ["the new surveillance law"]


@pytest.mark.parametrize(
    ("text", "published", "label", "date"),
    [
        (
            "A conference held in Brussels on May 14 heard from Ana Ruiz.",
            "2024-06-01",
            "Conference on May 14, 2024",
            "2024-05-14",
        ),
        (
            "On the eve of Human Rights Day on December 10, MEPs held a hearing in Vienna.",
            None,
            "Hearing on December 9",
            None,
        ),
        (
            "A hearing in Vienna on Tuesday heard from Ana Ruiz.",
            "2024-06-07",
            "Hearing on June 4, 2024",
            "2024-06-04",
        ),
        (
            # A dateline (the page's date, not the event's) tells the year of 'December 7'.
            "Thursday, February 9, 2023\n\nA conference held in Brussels on December 7 heard MEPs.",
            None,
            "Conference on December 7, 2022",
            "2022-12-07",
        ),
    ],
)
def test_the_reported_gathering(
    text: str,
    published: str | None,
    label: str,
    date: str | None,
    pipeline: Language,
    words: Lexicon,
) -> None:
    article = Article(id="t.txt", text=text, published=published)
    x = extract(article, pipeline(text), words)
    (event,) = [e for e in x.entities if e.kind is EntityKind.EVENT]
    assert (event.name, event.start_date) == (label, date)
    assert event.place is not None
    assert x.entities[event.place].name in ("Brussels", "Vienna")
