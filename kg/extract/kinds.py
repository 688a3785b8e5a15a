"""What kind of entity a name is: general knowledge's prior, and one vote across its mentions.

The small model's entity labels are a vote, not a verdict: every mention of a surface
form gets the same kind, decided by the votes of all of them (the model's label, title
cues, headings, gazetteers; :class:`kg.extract.mentions.MentionFinder` casts them) and by
what the gazetteers and the words of the name say it is.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping

from kg.extract.clusters import Mention
from kg.extract.lexicon import Lexicon
from kg.extract.names import GENERIC, NAME_WORD, name_words, strip_titles
from kg.extract.roles import is_role_phrase
from kg.model import EntityKind
from kg.text import fold, normalise_name

# Words that make a capitalised name an organization, not a person.
_ORG_WORDS = frozenset(
    [
        "agency",
        "alliance",
        "assembly",
        "association",
        "authority",
        "bank",
        "board",
        "bureau",
        "centre",
        "center",
        "coalition",
        "commission",
        "committee",
        "community",
        "company",
        "corporation",
        "council",
        "court",
        "delegation",
        "department",
        "foundation",
        "front",
        "government",
        "group",
        "guard",
        "guards",
        "institute",
        "league",
        "ministry",
        "movement",
        "network",
        "office",
        "organisation",
        "organization",
        "parliament",
        "party",
        "resistance",
        "senate",
        "service",
        "society",
        "union",
        "university",
    ]
)


def vote(mentions: Collection[Mention], lexicon: Lexicon, acronyms: Mapping[str, str]) -> None:
    """Give every mention of a surface form the same kind, decided across mentions."""
    by_key: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        by_key[normalise_name(mention.text)].append(mention)
    for same in by_key.values():
        total: Counter[EntityKind] = Counter()
        for mention in same:
            total.update(mention.votes)
        text = same[0].text
        total.update(prior(text, lexicon, acronyms))
        kind = max(total, key=lambda k: (total[k], -list(EntityKind).index(k)), default=None)
        for mention in same:
            mention.votes = Counter({kind: 1}) if kind and total[kind] > 0 else Counter()


def surnames(mentions: Collection[Mention]) -> None:
    """A lone word that ends a person's full name is that person ('Raisi', 'Rajavi')."""
    people = {
        normalise_name(strip_titles(m.text)).split()[-1]
        for m in mentions
        if kind_of(m) is EntityKind.PERSON and len(name_words(m.text)) > 1
    }
    for mention in mentions:
        words = name_words(mention.text)
        if len(words) == 1 and words[0] in people and kind_of(mention) is not None:
            mention.votes = Counter({EntityKind.PERSON: 1})
    # A full name whose surname alone is titled as a person ('Mrs. Rajavi') is a person.
    titled = {name_words(m.text)[0] for m in mentions if m.gender and len(name_words(m.text)) == 1}
    for mention in mentions:
        words = name_words(mention.text)
        if len(words) > 1 and words[-1] in titled and kind_of(mention) is not None:
            mention.votes = Counter({EntityKind.PERSON: 1})


def prior(text: str, lexicon: Lexicon, acronyms: Mapping[str, str]) -> Counter[EntityKind]:
    """What general knowledge says a surface form is, whatever the model said."""
    found: Counter[EntityKind] = Counter()
    words = text.split()
    folded = fold(text)
    if lexicon.institution(text) is not None or text in acronyms:
        found[EntityKind.ORGANIZATION] += 5
    if lexicon.countries.get(folded) or lexicon.regions.get(folded):
        found[EntityKind.PLACE] += 5
    if (
        lexicon.demonyms.get(folded)
        or lexicon.title(text) is not None
        or is_role_phrase(text, lexicon)
        or (len(words) == 1 and words[0].lower() in GENERIC)
    ):
        # A demonym ('Finnish') or a role word ('MEP') names no entity at all.
        found.update({k: -50 for k in EntityKind})
    if any(w.lower().strip(".,") in _ORG_WORDS for w in words):
        found[EntityKind.ORGANIZATION] += 2
        found[EntityKind.PERSON] -= 3
    elif 2 <= len(words) <= 4 and all(NAME_WORD.fullmatch(w) for w in words):
        found[EntityKind.PERSON] += 1
    if any(c.isdigit() for c in text):
        found[EntityKind.PERSON] -= 5
    return found


def kind_of(mention: Mention) -> EntityKind | None:
    """The kind a mention was given, once voted (None: no entity)."""
    return next(iter(mention.votes), None)
