"""Entity scoring: reading GUM-style gold, matching, typing counts, clustering, the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import spacy
from click.testing import CliRunner
from spacy.tokens import Doc

from kg.cli import main
from kg.errors import InputError
from kg.eval import entities as ee
from kg.eval.entities import GoldDoc, GoldMention, Predicted
from kg.model import Article, DocExtraction, Entity, EntityKind, Span

TEXT = (
    "Mara Lind met the mayor of Oskarby on Monday. "
    "Lind said the Harbour Board would meet in Oskarby. She left."
)


def at(piece: str, nth: int = 0, text: str = TEXT) -> Span:
    """The span of the nth occurrence of ``piece`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(piece, start + 1)
    return Span(start, start + len(piece))


def gm(piece: str, label: str, entity: str, nth: int = 0, named: bool = True) -> GoldMention:
    return GoldMention(at(piece, nth), label, entity, named)


GOLD = GoldDoc(
    "d1",
    TEXT,
    (
        gm("Mara Lind", "person", "e1"),
        gm("the mayor of Oskarby", "person", "e2"),  # a name inside a description
        gm("Oskarby", "place", "e3"),
        gm("Monday", "time", "e4"),
        gm("Lind", "person", "e1", nth=1),
        gm("the Harbour Board", "organization", "e5"),
        gm("Oskarby", "place", "e3", nth=1),
        gm("She", "person", "e1", named=False),
    ),
)

PREDICTED = [
    Predicted(at("Mara Lind"), "person", 1),  # right
    Predicted(at("Lind", 1), "person", 1),  # right, same entity
    Predicted(at("Oskarby"), "place", 2),  # right (Dice 0.4 with the mayor: no pair)
    Predicted(at("Harbour Board"), "organization", 3),  # right (Dice 0.8)
    Predicted(at("Oskarby", 1), "organization", 3),  # a place typed organization
    Predicted(at("Monday"), "person", 5),  # a named time typed person
    Predicted(at("She"), "person", 1),  # a pronoun: not a name, left out
    Predicted(at("meet"), "place", 6),  # nothing there
]


# -- reading ----------------------------------------------------------------------------


def _record(**overrides: Any) -> dict[str, Any]:
    mention = {
        "text": "Mara Lind",
        "label": "person",
        "span": [0, 9],
        "entity_id": 1,
        "wikipedia": None,
        "is_pronoun": False,
        "has_propn": True,
    }
    return {"id": "d1", "text": TEXT, "entities": [mention | overrides]}


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_read_gold(tmp_path: Path) -> None:
    she = at("She")
    pronoun = _record(span=[she.start, she.end], is_pronoun=True, has_propn=False)["entities"][0]
    record = _record()
    record["entities"].append(pronoun)
    (doc,) = ee.read_gold(_write(tmp_path / "g.jsonl", [json.dumps(record), ""]))
    assert doc.id == "d1" and doc.text == TEXT
    assert doc.mentions == (
        GoldMention(Span(0, 9), "person", "1", True),
        GoldMention(she, "person", "1", False),
    )


@pytest.mark.parametrize(
    "line",
    [
        "not json",
        "[1, 2]",
        json.dumps({"id": "d1", "text": TEXT}),  # no entities
        json.dumps(_record(span=[0])),
        json.dumps(_record(span=[5, 5])),  # empty
        json.dumps(_record(span=[0, 999])),  # past the text
        json.dumps(_record(has_propn="yes")),
        json.dumps(_record(label=None)),
    ],
)
def test_malformed_gold_names_file_and_line(tmp_path: Path, line: str) -> None:
    path = _write(tmp_path / "bad.jsonl", [json.dumps(_record()), line])
    with pytest.raises(InputError, match=r"bad\.jsonl:2: not a gold document"):
        ee.read_gold(path)


def test_missing_or_empty_gold(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"absent\.jsonl: cannot read"):
        ee.read_gold(tmp_path / "absent.jsonl")
    with pytest.raises(InputError, match="no documents"):
        ee.read_gold(_write(tmp_path / "empty.jsonl", [""]))


# -- matching ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pred", "gold", "agree", "expected"),
    [
        # one to one: the better Dice wins, the other prediction stays unpaired
        ([{1, 2}, {1}], [{1, 2}], [[True], [True]], [(0, 0, 1.0)]),
        # equal Dice: the pair whose kinds agree goes first
        ([{1}, {2}], [{1, 2}], [[False], [True]], [(1, 0, 2 / 3)]),
        ([{1}, {2}], [{1, 2}], [[True], [True]], [(0, 0, 2 / 3)]),
        # below 0.5: a name inside a long description is no pair
        ([{4}], [{1, 2, 3, 4}], [[True]], []),
        ([{4}], [{3, 4, 5}], [[True]], [(0, 0, 0.5)]),
        # a nested exact mention beats the long one that contains it
        ([{2, 3}], [{1, 2, 3, 4, 5}, {2, 3}], [[True, True]], [(0, 1, 1.0)]),
    ],
)
def test_match_mentions(
    pred: list[set[int]],
    gold: list[set[int]],
    agree: list[list[bool]],
    expected: list[tuple[int, int, float]],
) -> None:
    pairs = ee.match_mentions([frozenset(p) for p in pred], [frozenset(g) for g in gold], agree)
    assert [(p.pred, p.gold, pytest.approx(p.dice)) for p in pairs] == expected


def test_align_pairs_names_and_sets_aside_pronouns() -> None:
    al = ee.align(GOLD, PREDICTED)
    assert len(al.named) == 7  # "She" is not a name
    paired = {(PREDICTED[p.pred].span, al.named[p.gold].label) for p in al.pairs}
    assert paired == {
        (at("Mara Lind"), "person"),
        (at("Lind", 1), "person"),
        (at("Oskarby"), "place"),
        (at("Harbour Board"), "organization"),
        (at("Oskarby", 1), "place"),
        (at("Monday"), "time"),
    }
    assert al.not_named == {6}


# -- typing -----------------------------------------------------------------------------


def test_type_counts_arithmetic() -> None:
    t = ee.type_counts([ee.align(GOLD, PREDICTED)])
    assert dict(((g, p), n) for g, p, n in t.cells) == {
        ("person", "person"): 2,
        ("person", "none"): 1,  # the mayor of Oskarby
        ("place", "place"): 1,
        ("place", "organization"): 1,
        ("organization", "organization"): 1,
        ("other", "person"): 1,
        ("not named", "person"): 1,
        ("none", "place"): 1,
    }
    expected = {  # kind: (correct, predicted, gold)
        "person": (2, 3, 3),  # "She" is left out of the predictions
        "place": (1, 2, 2),
        "organization": (1, 2, 1),
    }
    for kind, (correct, predicted, gold) in expected.items():
        assert (t.correct(kind), t.predicted(kind), t.gold(kind)) == (correct, predicted, gold)
        assert t.precision(kind) == pytest.approx(correct / predicted)
        assert t.recall(kind) == pytest.approx(correct / gold)
    assert t.precision() == pytest.approx(4 / 7)
    assert t.recall() == pytest.approx(4 / 6)
    assert t.f1() == pytest.approx(2 * (4 / 7) * (4 / 6) / (4 / 7 + 4 / 6))
    assert t.not_named() == 1
    assert t.columns() == ("person", "organization", "place", "none")


def test_type_counts_without_predictions_is_zero_not_an_error() -> None:
    t = ee.type_counts([ee.align(GOLD, [])])
    assert (t.precision(), t.recall(), t.f1()) == (0.0, 0.0, 0.0)
    assert t.gold("person") == 3 and t.count("person", "none") == 3


# -- clustering -------------------------------------------------------------------------


def test_cluster_counts() -> None:
    c = ee.cluster_counts([ee.align(GOLD, PREDICTED)])
    # gold e1 (Mara Lind, Lind) is in entity 1; e3 (Oskarby twice) is split over 2 and 3
    assert (c.gold_entities, c.merged) == (2, 1)
    # entity 1 holds e1 only; entity 3 holds e5 and e3; "Monday" (a time) does not count
    assert (c.system_entities, c.pure) == (2, 1)
    assert (c.merge_recall, c.purity) == (0.5, 0.5)


def test_cluster_counts_need_two_found_mentions() -> None:
    c = ee.cluster_counts([ee.align(GOLD, PREDICTED[:1])])
    assert c == ee.Clustering(0, 0, 0, 0)
    assert c.merge_recall is None and c.purity is None


# -- systems ----------------------------------------------------------------------------


def test_from_extraction_gives_every_mention_its_entity() -> None:
    person = Entity(0, EntityKind.PERSON, "Mara Lind", mentions=(at("Mara Lind"), at("Lind", 1)))
    board = Entity(1, EntityKind.ORGANIZATION, "Harbour Board", mentions=(at("Harbour Board"),))
    extraction = DocExtraction(Article("d1", TEXT), entities=(person, board))
    assert ee.from_extraction(extraction) == [
        Predicted(at("Mara Lind"), "person", 0),
        Predicted(at("Lind", 1), "person", 0),
        Predicted(at("Harbour Board"), "organization", 1),
    ]


def test_from_spacy_maps_labels() -> None:
    nlp = spacy.blank("en")
    doc = nlp.make_doc("Ola Berg of Acme flew from Norway to the Alps, a Swede.")
    labels = [("Ola Berg", "PERSON"), ("Acme", "ORG"), ("Norway", "GPE")]
    labels += [("Alps", "LOC"), ("Swede", "NORP")]
    doc.ents = [_char_span(doc, piece, label) for piece, label in labels]
    assert [p.kind for p in ee.from_spacy(doc)] == [
        "person",
        "organization",
        "place",
        "place",
        "other",
    ]
    assert all(p.entity is None for p in ee.from_spacy(doc))


def _char_span(doc: Doc, piece: str, label: str) -> Any:
    start = doc.text.index(piece)
    return doc.char_span(start, start + len(piece), label=label)


def test_score_clusters_only_systems_with_entities() -> None:
    ours = ee.score("newskg", [GOLD], [PREDICTED])
    theirs = ee.score("spacy", [GOLD], [[Predicted(p.span, p.kind) for p in PREDICTED]])
    assert ours.clustering is not None and theirs.clustering is None
    assert ours.typing == theirs.typing
    with pytest.raises(ValueError, match="prediction lists"):
        ee.score("x", [GOLD], [])


def test_table_and_dict() -> None:
    comparison = ee.EntityComparison(
        1,
        0.5,
        (
            ee.score("newskg", [GOLD], [PREDICTED]),
            ee.score("spacy", [GOLD], [[Predicted(at("Mara Lind"), "person")]]),
        ),
    )
    table = ee.format_table(comparison)
    assert "6 gold named mentions (person 3, organization 1, place 2)" in table
    assert "Confusion, newskg" in table and "Confusion, spacy" in table
    assert "merge recall 50.0 (1/2)" in table
    figures = comparison.as_dict()
    assert figures["gold_named"] == {"person": 3, "organization": 1, "place": 2}
    ours = figures["systems"]["newskg"]
    assert ours["micro"] == {
        "correct": 4,
        "predicted": 7,
        "gold": 6,
        "precision": round(4 / 7, 4),
        "recall": round(4 / 6, 4),
        "f1": round(2 * 4 / (7 + 6), 4),
    }
    assert ours["clustering"]["purity"] == 0.5
    assert "clustering" not in figures["systems"]["spacy"]


# -- the command ------------------------------------------------------------------------

CLI_TEXT = (
    "Anna Berg, the mayor of Lindholm, visited Stockholm on Monday.\n\n"
    "Berg met officials from the Swedish Transport Agency in Stockholm. "
    "She said the Swedish Transport Agency had promised a new bridge."
)
CLI_GOLD = [  # (text, label, entity, nth, pronoun, propn)
    ("Anna Berg", "person", 1, 0, False, True),
    ("the mayor of Lindholm", "person", 1, 0, False, True),
    ("Lindholm", "place", 2, 0, False, True),
    ("Stockholm", "place", 3, 0, False, True),
    ("Monday", "time", 4, 0, False, True),
    ("Berg", "person", 1, 1, False, True),
    ("officials from the Swedish Transport Agency", "person", 5, 0, False, True),
    ("the Swedish Transport Agency", "organization", 6, 0, False, True),
    ("Stockholm", "place", 3, 1, False, True),
    ("She", "person", 1, 0, True, False),
    ("the Swedish Transport Agency", "organization", 6, 1, False, True),
    ("a new bridge", "object", 7, 0, False, False),
]


def _cli_gold(tmp_path: Path) -> Path:
    entities = []
    for piece, label, entity, nth, pronoun, propn in CLI_GOLD:
        span = at(piece, nth, CLI_TEXT)
        entities.append(
            {
                "text": piece,
                "label": label,
                "span": [span.start, span.end],
                "entity_id": entity,
                "wikipedia": None,
                "is_pronoun": pronoun,
                "has_propn": propn,
            }
        )
    record = {"id": "cli", "text": CLI_TEXT, "entities": entities}
    return _write(tmp_path / "gold.jsonl", [json.dumps(record)])


def _kg(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_cli_json(tmp_path: Path) -> None:
    code, out, err = _kg("eval", "entities", str(_cli_gold(tmp_path)), "--json")
    assert code == 0, err
    figures = json.loads(out)
    assert figures["documents"] == 1
    assert figures["gold_named"] == {"person": 4, "organization": 2, "place": 3}
    assert set(figures["systems"]) == {"newskg", "spacy"}
    for system in figures["systems"].values():
        confusion = system["confusion"]
        for kind in ("person", "organization", "place"):
            row = system[kind]
            assert 0 <= row["correct"] <= min(row["predicted"], row["gold"])
            assert all(0 <= row[m] <= 1 for m in ("precision", "recall", "f1"))
            assert sum(confusion[kind].values()) == row["gold"]
            scored_rows = [r for r in confusion if r != "not named"]
            assert sum(confusion[r].get(kind, 0) for r in scored_rows) == row["predicted"]
            assert confusion[kind].get(kind, 0) == row["correct"]
        assert system["micro"]["gold"] == 9
    clustering = figures["systems"]["newskg"]["clustering"]
    assert clustering["merged"] <= clustering["gold_entities"]
    assert clustering["pure"] <= clustering["system_entities"]
    assert figures["systems"]["newskg"]["micro"]["correct"] >= 3


def test_cli_table(tmp_path: Path) -> None:
    code, out, err = _kg("eval", "entities", str(_cli_gold(tmp_path)), "--limit", "1")
    assert code == 0, err
    assert out.startswith("Entity typing on 1 documents: 9 gold named mentions")
    assert "micro F1" in out and "Name clustering" in out


@pytest.mark.parametrize("content", ["not json\n", "", '{"id": "x", "text": "y"}\n'])
def test_cli_malformed_gold_is_exit_2(tmp_path: Path, content: str) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text(content, encoding="utf-8")
    code, out, err = _kg("eval", "entities", str(path))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "broken.jsonl" in err


def test_cli_missing_gold_is_exit_2(tmp_path: Path) -> None:
    code, _, err = _kg("eval", "entities", str(tmp_path / "absent.jsonl"))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "absent.jsonl" in err


def test_eval_entities_has_help() -> None:
    code, out, _ = _kg("eval", "entities", "--help")
    assert code == 0 and "Usage:" in out and "GOLD" in out
