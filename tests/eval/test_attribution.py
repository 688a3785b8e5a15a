"""Attribution scoring: tokens, Dice, one-to-one matching, speaker rules, F1, the CLI."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from spacy.language import Language

from kg.cli import main
from kg.errors import InputError
from kg.eval import attribution as ev
from kg.eval import scoring
from kg.eval.attribution import GoldAttribution, GoldDoc, Prediction
from kg.extract.lexicon import Lexicon
from kg.model import Article, Attribution, DocExtraction, Entity, EntityKind, Span

TEXT = (
    '"We will act now," said Anna Berg, the mayor of Lindholm. '
    "Olaf Dahl said the budget was late. "
    "She added that the bridge would open in May. "
    "Rain is expected, forecasts suggest."
)


def at(piece: str, text: str = TEXT, nth: int = 0) -> Span:
    """The span of the nth occurrence of ``piece`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(piece, start + 1)
    return Span(start, start + len(piece))


def gold(content: str, speaker: str | None, quote_type: str = "indirect") -> GoldAttribution:
    return GoldAttribution(
        content=(at(content),),
        speaker=speaker,
        speaker_spans=(at(speaker),) if speaker else (),
        has_source=speaker is not None,
        quote_type=quote_type,
    )


def pred(content: str, speaker: str | None = None, nth: int = 0) -> Prediction:
    return Prediction(
        content=at(content),
        speaker_text=speaker,
        speaker_span=at(speaker, nth=nth) if speaker else None,
    )


# -- tokens and Dice --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "spans", "expected"),
    [
        ("Go, go now.", [(4, 10)], {4, 7}),  # the second "go" is not the first
        ("Go, go now.", [(5, 8)], {4, 7}),  # a span cutting words takes them whole
        ("Go, go now.", [(0, 2), (7, 10)], {0, 7}),  # fragments are united
        ("Go, go now.", [(2, 4)], set()),  # punctuation only
        ("“Yes.”", [(0, 6)], {1}),
    ],
)
def test_token_set(text: str, spans: list[tuple[int, int]], expected: set[int]) -> None:
    assert scoring.token_set(scoring.words(text), [Span(*s) for s in spans]) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ({1, 2, 3}, {1, 2, 3}, 1.0),
        ({1, 2}, {3, 4}, 0.0),
        ({1, 2, 3, 4}, {3, 4}, 2 * 2 / 6),
        ({1}, {1, 2, 3}, 0.5),
        (set(), set(), 0.0),
    ],
)
def test_dice(a: set[int], b: set[int], expected: float) -> None:
    assert scoring.dice(frozenset(a), frozenset(b)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("preds", "golds", "expected"),
    [
        # two predictions compete for one gold item: the better one wins, the other is unmatched
        ([{1, 2, 3, 4}, {1, 2, 3, 4, 5}], [{1, 2, 3, 4}], [(0, 0, 1.0)]),
        ([{1, 2, 3, 4, 5}, {1, 2, 3, 4}], [{1, 2, 3, 4}], [(1, 0, 1.0)]),
        # one prediction overlaps two gold items: it takes the closer; the other is free
        (
            [{1, 2, 3, 4, 5}, {5, 6}],
            [{1, 2, 3, 4}, {3, 4, 5, 6}],
            [(0, 0, 8 / 9), (1, 1, 4 / 6)],
        ),
        # greedy by descending Dice, not by order of appearance
        ([{1, 2, 3}], [{1, 2, 3, 4}, {1, 2, 3}], [(0, 1, 1.0)]),
        ([{1, 2, 3}], [{3, 4, 5, 6, 7}], []),  # Dice 0.25 is below the threshold
        ([{1}], [{1, 2, 3}], [(0, 0, 0.5)]),  # exactly 0.5 matches
        ([set()], [set()], []),
    ],
)
def test_match_is_one_to_one(
    preds: list[set[int]], golds: list[set[int]], expected: list[tuple[int, int, float]]
) -> None:
    pairs = scoring.match([frozenset(p) for p in preds], [frozenset(g) for g in golds])
    assert [(p.pred, p.gold) for p in pairs] == [(p, g) for p, g, _ in expected]
    assert [p.dice for p in pairs] == pytest.approx([d for _, _, d in expected])


# -- speakers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gold_speaker", "prediction", "right"),
    [
        # a shared name word, wherever the predicted mention is
        ("Anna Berg", Prediction(at("Rain"), "Ms. Berg", at("Olaf Dahl")), True),
        ("Anna Berg", Prediction(at("Rain"), "Berg", None), True),
        # function words and honorifics name nobody
        ("the mayor", Prediction(at("Rain"), "the minister", at("Olaf Dahl")), False),
        ("Anna Berg", Prediction(at("Rain"), "Mr. Anders", at("Olaf Dahl")), False),
        # the predicted mention overlaps the gold source
        ("the mayor", Prediction(at("Rain"), "Anna Berg", Span(24, 44)), True),
        ("She", Prediction(at("Rain"), "She", at("She")), True),
        # a pronoun is not a name: another "she" elsewhere is not the source
        ("She", Prediction(at("Rain"), "she", Span(0, 2)), False),
        # the resolved entity: its name, or any of its mentions
        ("Anna Berg", Prediction(at("Rain"), "She", at("She"), entity_name="Anna Berg"), True),
        (
            "She",
            Prediction(
                at("Rain"),
                "Anna Berg",
                at("Anna Berg"),
                entity_name="Anna Berg",
                entity_mentions=(at("Anna Berg"), at("She")),
            ),
            True,
        ),
        ("Olaf Dahl", Prediction(at("Rain"), "Anna Berg", at("Anna Berg")), False),
        ("Olaf Dahl", Prediction(at("Rain"), None, None), False),
    ],
)
def test_speaker_right(gold_speaker: str, prediction: Prediction, right: bool) -> None:
    assert ev.speaker_right(prediction, gold("Rain is expected", gold_speaker)) is right


@pytest.mark.parametrize(
    ("speaker", "expected"),
    [("He", True), (" they ", True), ("I", True), ("He and she", False), ("Anna", False)],
)
def test_is_pronoun(speaker: str, expected: bool) -> None:
    assert ev.is_pronoun(speaker) is expected


def test_name_words_drop_honorifics_and_possessives() -> None:
    assert ev.name_words("Mr. Dahl’s office said") == {"dahl", "office"}


# -- scores -----------------------------------------------------------------------------

GOLD = GoldDoc(
    "d1",
    TEXT,
    (
        gold('"We will act now,"', "Anna Berg", "direct"),
        gold("the budget was late", "Olaf Dahl"),
        gold("that the bridge would open in May", "She", "mixed"),
        gold("Rain is expected", None),  # no source: not scored
    ),
)
PREDICTIONS = [
    pred("We will act now", "Anna Berg, the mayor"),  # matched, speaker right
    pred("the budget was late", "the mayor"),  # matched, speaker wrong
    pred("the bridge would open in May", "She"),  # matched, pronoun right by span
    pred("Rain is expected", "forecasts"),  # matches only a sourceless item: a false positive
]


def test_score_arithmetic() -> None:
    s = ev.score([GOLD], [PREDICTIONS])
    assert (s.predicted, s.gold, s.matched, s.speaker_right) == (4, 3, 3, 2)
    assert (s.pronoun_matched, s.pronoun_right) == (1, 1)
    assert s.content_precision == pytest.approx(3 / 4)
    assert s.content_recall == pytest.approx(1.0)
    assert s.content_f1 == pytest.approx(6 / 7)
    assert s.speaker_accuracy == pytest.approx(2 / 3)
    assert s.pronoun_accuracy == pytest.approx(1.0)
    assert s.named_accuracy == pytest.approx(1 / 2)
    assert s.attributed_precision == pytest.approx(2 / 4)
    assert s.attributed_recall == pytest.approx(2 / 3)
    assert s.attributed_f1 == pytest.approx(4 / 7)
    by_type = {q.quote_type: (q.gold, q.matched, q.attributed) for q in s.by_quote_type}
    assert by_type == {"direct": (1, 1, 1), "indirect": (1, 1, 0), "mixed": (1, 1, 1)}


def test_score_without_predictions_is_zero_not_an_error() -> None:
    s = ev.score([GOLD], [[]])
    assert (s.content_f1, s.attributed_f1, s.speaker_accuracy) == (0.0, 0.0, None)
    with pytest.raises(ValueError):
        ev.score([GOLD], [])


def test_from_extraction_carries_the_resolved_speaker() -> None:
    anna = Entity(0, EntityKind.PERSON, "Anna Berg", mentions=(at("Anna Berg"), at("She")))
    found = Attribution(at("the bridge would open in May"), False, "She", at("She"), speaker=0)
    extraction = DocExtraction(Article("d1", TEXT), entities=(anna,), attributions=(found,))
    (p,) = ev.from_extraction(extraction)
    assert (p.entity_name, p.entity_mentions, p.speaker_text) == ("Anna Berg", anna.mentions, "She")


def test_ratio_and_table() -> None:
    ours = ev.score([GOLD], [PREDICTIONS])
    theirs = ev.score([GOLD], [PREDICTIONS[:1]])
    comparison = ev.Comparison(
        1, 4, 0.1, (ev.SystemRun("newskg", ours, 0.1), ev.SystemRun("textacy", theirs, 0.1))
    )
    assert comparison.ratio == pytest.approx(ours.attributed_f1 / theirs.attributed_f1)
    table = ev.format_table(comparison)
    assert "newskg" in table and "textacy" in table and "newskg / textacy" in table


# -- reading gold -----------------------------------------------------------------------


def _record(doc_id: str, text: str, items: list[tuple[str, str, str]]) -> dict[str, Any]:
    """A PolNeAR-style record: (speaker, cue, content) found in ``text``."""

    def span(piece: str) -> list[int]:
        s = at(piece, text)
        return [s.start, s.end]

    return {
        "id": doc_id,
        "text": text,
        "attributions": [
            {
                "speaker": speaker,
                "speaker_span": span(speaker),
                "speaker_fragments": [span(speaker)],
                "cue": cue,
                "cue_span": span(cue),
                "content": content,
                "content_span": span(content),
                "content_fragments": [span(content)],
                "has_source": True,
                "direct": content.startswith('"'),
                "quote_type": "direct" if content.startswith('"') else "indirect",
            }
            for speaker, cue, content in items
        ],
    }


DOCS = [
    _record(
        "one",
        '"We will act now," said Anna Berg, the mayor of Lindholm. '
        "Olaf Dahl said the budget was late.\n",
        [
            ("Anna Berg", "said", '"We will act now,"'),
            ("Olaf Dahl", "said", "the budget was late"),
        ],
    ),
    _record(
        "two",
        "The council met on Monday. Its chair, Nora Lind, said that the bridge would open "
        'in May. "We are ready for the crowds," she told reporters.\n',
        [
            ("Nora Lind", "said", "that the bridge would open in May"),
            ("she", "told", '"We are ready for the crowds,"'),
        ],
    ),
]


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_read_gold(tmp_path: Path) -> None:
    docs = ev.read_gold(_write(tmp_path / "gold.jsonl", [json.dumps(d) for d in DOCS]))
    assert [d.id for d in docs] == ["one", "two"]
    first = docs[0].attributions[0]
    assert (first.speaker, first.quote_type, first.has_source) == ("Anna Berg", "direct", True)
    assert first.content == (at('"We will act now,"', DOCS[0]["text"]),)


@pytest.mark.parametrize(
    "bad",
    [
        "not json",
        "[1, 2]",
        json.dumps({"id": "x", "attributions": []}),  # no text
        json.dumps({**DOCS[0], "attributions": [{"content_span": [0, 999]}]}),  # past the end
        json.dumps({**DOCS[0], "attributions": [{"content_span": [3]}]}),
    ],
)
def test_malformed_gold_names_file_and_line(tmp_path: Path, bad: str) -> None:
    path = _write(tmp_path / "gold.jsonl", [json.dumps(DOCS[0]), bad])
    with pytest.raises(InputError, match=r"gold\.jsonl:2: "):
        ev.read_gold(path)


def test_missing_or_empty_gold(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nowhere\.jsonl"):
        ev.read_gold(tmp_path / "nowhere.jsonl")
    with pytest.raises(InputError, match="no documents"):
        ev.read_gold(_write(tmp_path / "empty.jsonl", [""]))


# -- with the model ---------------------------------------------------------------------


def _gold_docs(tmp_path: Path) -> list[GoldDoc]:
    return ev.read_gold(_write(tmp_path / "gold.jsonl", [json.dumps(d) for d in DOCS]))


def test_evaluate_runs_both_systems_on_the_same_docs(
    tmp_path: Path, pipeline: Language, words: Lexicon
) -> None:
    comparison = ev.evaluate(_gold_docs(tmp_path), pipeline, words)
    ours = comparison.run("newskg")
    assert ours is not None and ours.scores.gold == 4
    # '"We will act now," said Anna Berg.' is the plainest attribution there is.
    assert ours.scores.speaker_right >= 1
    theirs = comparison.run("textacy")
    if ev.textacy_quotations() is None:
        assert theirs is None and ev.INSTALL_HINT in comparison.notes
    else:
        assert theirs is not None and theirs.scores.speaker_right >= 1


def _kg(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _fractions(system: dict[str, Any]) -> list[float | None]:
    values = [v for k, v in system.items() if k.endswith(("precision", "recall", "f1", "accuracy"))]
    for q in system["by_quote_type"].values():
        values += [q["recall"], q["attributed_recall"]]
    return values


def test_cli_json(tmp_path: Path) -> None:
    path = _write(tmp_path / "gold.jsonl", [json.dumps(d) for d in DOCS])
    code, out, err = _kg("eval", "attribution", str(path), "--json")
    assert code == 0, err
    figures = json.loads(out)
    assert (figures["documents"], figures["gold_attributions"], figures["gold_all"]) == (2, 4, 4)
    assert set(figures["systems"]) == ({"newskg", "textacy"} if figures["textacy"] else {"newskg"})
    for system in figures["systems"].values():
        assert system["gold"] == 4
        assert system["matched"] <= min(system["predicted"], system["gold"])
        assert system["speaker_right"] <= system["matched"]
        assert system["named_matched"] + system["pronoun_matched"] == system["matched"]
        assert sum(q["gold"] for q in system["by_quote_type"].values()) == 4
        assert all(v is None or 0 <= v <= 1 for v in _fractions(system))
        assert system["docs_per_second"] > 0
    assert figures["systems"]["newskg"]["matched"] >= 1


def test_cli_table_without_textacy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "textacy.extract.triples", None)  # as if not installed
    path = _write(tmp_path / "gold.jsonl", [json.dumps(d) for d in DOCS])
    code, out, err = _kg("eval", "attribution", str(path), "--limit", "1")
    assert code == 0, err
    assert "Attribution on 1 documents" in out and "attributed F1" in out
    assert "pip install newskg[eval]" in out
    assert all("textacy" not in line for line in out.splitlines() if "pip install" not in line)


@pytest.mark.parametrize("content", ["not json\n", ""])
def test_cli_malformed_gold_is_exit_2(tmp_path: Path, content: str) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text(content, encoding="utf-8")
    code, out, err = _kg("eval", "attribution", str(path))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "broken.jsonl" in err


def test_cli_missing_gold_is_exit_2(tmp_path: Path) -> None:
    code, _, err = _kg("eval", "attribution", str(tmp_path / "absent.jsonl"))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "absent.jsonl" in err


@pytest.mark.parametrize("command", [["eval"], ["eval", "attribution"]])
def test_eval_commands_have_help(command: list[str]) -> None:
    code, out, _ = _kg(*command, "--help")
    assert code == 0 and "Usage:" in out
