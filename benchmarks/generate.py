"""Synthetic news articles for benchmarks: conference reports, live reports and wire copy.

``python benchmarks/generate.py N OUT_DIR [--seed S] [--jsonl]`` writes N articles in the
genre of ``examples/``: named speakers with roles in appositions, direct quotes with cues,
reported speech, acronyms defined in parentheses, dated events and live-report layouts
with "Name, role" heading lines. Everything is composed from the templates and word lists
below (all fictional), so the corpus is free to share and identical for a given seed:
``generate(n, seed)[:k] == generate(k, seed)``.

A fixed cast of people (built from the seed) speaks across many articles, some of them
sharing a surname, so resolution across documents has real work to do.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

MIN_WORDS, MAX_WORDS = 300, 700
CAST_SIZE = 90

# -- word lists ----------------------------------------------------------------------------

FIRST_NAMES = {
    "f": [
        "Ingrid",
        "Marta",
        "Sofia",
        "Helena",
        "Agnieszka",
        "Lucia",
        "Elina",
        "Katrin",
        "Zuzana",
        "Ana",
        "Chiara",
        "Margit",
        "Veronika",
        "Leonie",
        "Birte",
        "Ilona",
        "Dagny",
        "Renata",
        "Ines",
        "Mirela",
        "Saskia",
        "Liis",
    ],
    "m": [
        "Jonas",
        "Piotr",
        "Matteo",
        "Henrik",
        "Tomas",
        "Andrei",
        "Luis",
        "Stefan",
        "Mikael",
        "Dario",
        "Pavel",
        "Jan",
        "Emil",
        "Karel",
        "Bruno",
        "Oskar",
        "Rui",
        "Lorenz",
        "Marek",
        "Tiago",
        "Sven",
        "Aurel",
    ],
}
SURNAMES = [
    "Lindqvist",
    "Kowalczyk",
    "Bianchi",
    "Vermeulen",
    "Halonen",
    "Dufresne",
    "Krause",
    "Navarro",
    "Horvat",
    "Petrescu",
    "Oliveira",
    "Novotny",
    "Andersen",
    "Kalnins",
    "Papadakis",
    "Brennan",
    "Weiss",
    "Moreau",
    "Sandberg",
    "Marchetti",
    "Kovacs",
    "Jansen",
    "Ferreira",
    "Zielinski",
    "Eriksen",
    "Dumitru",
    "Keller",
    "Vidal",
    "Tamm",
    "Hofer",
    "Sorensen",
    "Costa",
    "Lefebvre",
    "Hartmann",
    "Virtanen",
    "Gallo",
    "Mertens",
    "Blazek",
    "Rautavaara",
    "Quintero",
    "Ostrowski",
    "Lambrecht",
    "Fontaine",
    "Sirola",
    "Varga",
    "Castellano",
    "Nyberg",
    "Albescu",
]

# Member states whose MEPs speak: (country, demonym).
MEMBER_STATES = (
    ("Sweden", "Swedish"),
    ("Finland", "Finnish"),
    ("Poland", "Polish"),
    ("Spain", "Spanish"),
    ("Italy", "Italian"),
    ("Germany", "German"),
    ("France", "French"),
    ("the Netherlands", "Dutch"),
    ("Belgium", "Belgian"),
    ("the Czech Republic", "Czech"),
    ("Portugal", "Portuguese"),
    ("Ireland", "Irish"),
    ("Lithuania", "Lithuanian"),
    ("Estonia", "Estonian"),
    ("Greece", "Greek"),
    ("Austria", "Austrian"),
    ("Denmark", "Danish"),
    ("Slovenia", "Slovenian"),
    ("Croatia", "Croatian"),
    ("Romania", "Romanian"),
)

# Fictional countries the articles are about: (name, demonym, capital).
TARGETS = (
    ("Velmora", "Velmoran", "Sarvik"),
    ("Ardestan", "Ardestani", "Qalmir"),
    ("Tazhir", "Tazhiri", "Mirabad"),
    ("Lesovia", "Lesovian", "Kradno"),
    ("Norvasta", "Norvastan", "Peleny"),
    ("Kaldoria", "Kaldorian", "Vostrel"),
)

COMMITTEES = (
    "Committee on Foreign Affairs",
    "Subcommittee on Human Rights",
    "Committee on Civil Liberties, Justice and Home Affairs",
    "Committee on Budgetary Control",
    "Committee on International Trade",
    "Committee on Development",
    "Committee on Culture and Education",
    "Committee on Environment, Public Health and Food Safety",
)
COMMITTEE_ROLES = ("Chair", "Vice-Chair", "Vice-Chair", "Member", "Member", "Member")

# Fictional organisations, each with the acronym the articles define in parentheses.
NGOS = (
    ("Press Liberty Network", "PLN"),
    ("Centre for Democratic Transition", "CDT"),
    ("Observatory for Judicial Independence", "OJI"),
    ("Water Justice Coalition", "WJC"),
    ("Refugee Rights Forum", "RRF"),
    ("Institute for Electoral Integrity", "IEI"),
    ("Minority Rights Observatory", "MRO"),
    ("Association of Exiled Lawyers", "AEL"),
)
NGO_ROLES = ("Director", "President", "Secretary-General", "Head of Advocacy", "Programme Director")

# Real EU institutions (the gazetteer knows them), with the acronyms used in the text.
INSTITUTIONS = (
    ("European Commission", None),
    ("Council of the European Union", None),
    ("European External Action Service", "EEAS"),
    ("European Parliament", "EP"),
)
OFFICIAL_ROLES = (
    ("Special Representative for Human Rights", "European External Action Service"),
    ("Spokesperson", "European Commission"),
    ("Head of Division", "European External Action Service"),
    ("Commissioner for International Partnerships", "European Commission"),
)
UNIVERSITIES = ("Leiden", "Uppsala", "Bologna", "Ghent", "Tartu", "Coimbra", "Graz")
CITIES = ("Brussels", "Strasbourg", "Geneva", "Vienna", "Luxembourg", "The Hague")
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True)
class Topic:
    """What an article is about: the words its templates are filled with."""

    headline: str  # noun phrase for headlines: "jailed journalists"
    issue: str  # "the arrests of journalists"
    victims: str  # plural noun
    activity: str  # what the victims are jailed for
    event: str  # an event noun the extractor knows ("crackdown")
    law: str  # the law used against them


TOPICS = (
    Topic(
        "jailed journalists",
        "the arrests of journalists",
        "journalists",
        "writing an article",
        "crackdown",
        "public order",
    ),
    Topic(
        "political prisoners",
        "the detention of political prisoners",
        "political prisoners",
        "organising a peaceful protest",
        "protests",
        "national security",
    ),
    Topic(
        "the silenced opposition",
        "the exclusion of opposition candidates",
        "opposition candidates",
        "standing in an election",
        "elections",
        "anti-extremism",
    ),
    Topic(
        "water rights",
        "the forced relocation of farming villages",
        "farmers",
        "refusing to leave their land",
        "crisis",
        "land registration",
    ),
    Topic(
        "persecuted lawyers",
        "the disbarment of human rights lawyers",
        "lawyers",
        "defending a client",
        "purge",
        "foreign agents",
    ),
    Topic(
        "striking workers",
        "the prosecution of trade unionists",
        "trade unionists",
        "calling a strike",
        "strike",
        "public order",
    ),
)

# -- reported speech, quotes and demands (slots filled from the article's context) --------

CLAUSES = (
    "the number of {victims} in detention had {grown} since {year}",
    "most of them were being held without trial under a broadly worded {law} law",
    "the authorities in {capital} had ignored every recommendation of the {inst}",
    "European funds had been used to equip the {demonym} security services",
    "lawyers were routinely denied access to their clients for weeks after an arrest",
    "the {inst} had been far too slow to react to the {year} {event}",
    "at least {num} {victims} had left the country since the {month} {year} {event}",
    "the trade agreement with {target} should be frozen until all {victims} were released",
    "{victims} in {target} faced harassment, travel bans and the seizure of their savings",
    "the {acr} had documented {num} cases of ill-treatment in the past twelve months",
    "dialogue alone would not change the behaviour of the {demonym} authorities",
    "the courts in {target} had become an instrument of the ruling party",
    "the situation in {capital} had worsened sharply since {month}",
    "families of the detained were afraid to speak to foreign diplomats",
    "the {law} law had been drafted so that almost anyone could be charged under it",
    "the {inst} had received detailed evidence of abuses more than a year ago",
    "several of the detained {victims} had been moved to prisons far from their families",
    "the verdicts had been written before the trials began",
    "the {demonym} embassy in {city} had refused to answer written questions",
    "international observers had been denied visas for the past {num} days",
)
QUOTES = (
    "We cannot keep signing agreements with {capital} while {victims} are sitting in cells.",
    "The evidence is on the table. What is missing is the political will to act on it.",
    "I have met the families. They do not want our sympathy, they want us to keep our word.",
    "This is not an internal matter. When European money is involved, it is our business.",
    "Silence is also a decision, and it is the wrong one.",
    "Every month we wait, the list of {victims} behind bars gets longer.",
    "Sanctions work when they are enforced. So far they have only been announced.",
    "The people of {target} are watching what we do, not what we say.",
    "Nobody should go to prison for {activity}.",
    "We have the tools. The {inst} has to decide whether it wants to use them.",
    "I will table an amendment next month, and I expect every group in this house to back it.",
    "Our credibility in the region depends on what we decide in the coming weeks.",
    "More than {num} people are in prison today for the same reason. That should shame us.",
    "If we say nothing now, the next {event} will be even worse.",
    "The {law} law was written to be vague, so that anyone can be accused of anything.",
    "I was in {capital} in {month}. The fear in people's voices was impossible to miss.",
    "We know the names of the officials responsible. So does the {inst}.",
    "Every report we publish is met with the same answer from {capital}: denial.",
    "The {victims} I spoke to were not asking for help. They were asking for witnesses.",
    "Quiet diplomacy has had {months} months to work, and it has failed.",
    "There is no contradiction between our interests and our values here.",
    "The {year} {event} should have been a warning. We treated it as an episode.",
    "I want to thank the families who travelled to {city} to be with us today.",
)
ACTIONS = (
    "suspend the trade talks with {capital}",
    "add the officials responsible to its human rights sanctions list",
    "freeze the assets of the judges who signed the verdicts",
    "send an observation mission to {target} before the end of the year",
    "review every EU-funded programme in {target}",
    "raise the cases of detained {victims} at the next summit",
    "publish the names of every official placed under sanctions",
    "grant emergency visas to {victims} at risk",
    "make budget support conditional on the release of all {victims}",
)
SAY_VERBS = ("said", "argued", "warned", "stressed", "claimed", "noted", "insisted", "added")
URGE_TARGETS = ("Council", "Commission", "EU", "European Commission", "member states")


@dataclass(frozen=True)
class Person:
    """A member of the cast: name, pronoun and the role they speak in."""

    first: str
    last: str
    gender: str  # "f" or "m"
    kind: str  # "mep", "ngo", "lawyer", "official", "minister", "academic"
    country: str
    demonym: str
    role: str  # "Vice-Chair", "Director", ...
    body: str  # committee, organisation or institution the role is in
    acronym: str | None = None
    doctor: bool = False

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def he(self) -> str:
        return "She" if self.gender == "f" else "He"

    @property
    def his(self) -> str:
        return "her" if self.gender == "f" else "his"


@dataclass(frozen=True)
class Synthetic:
    """One generated article: what a .txt file or a JSONL record holds."""

    id: str
    title: str
    text: str
    published: str
    url: str

    @property
    def words(self) -> int:
        return len(self.text.split())


# -- the cast ------------------------------------------------------------------------------


def make_cast(rng: random.Random, size: int = CAST_SIZE) -> list[Person]:
    """A cast of distinct full names; surnames are drawn with replacement, so some repeat."""
    kinds = ("mep",) * 5 + ("ngo",) * 3 + ("lawyer", "official", "minister", "academic")
    cast: list[Person] = []
    names: set[str] = set()
    while len(cast) < size:
        gender = rng.choice("fm")
        first, last = rng.choice(FIRST_NAMES[gender]), rng.choice(SURNAMES)
        if f"{first} {last}" in names:
            continue
        names.add(f"{first} {last}")
        country, demonym = rng.choice(MEMBER_STATES)
        kind = rng.choice(kinds)
        acronym = None
        if kind == "mep":
            role, body = rng.choice(COMMITTEE_ROLES), rng.choice(COMMITTEES)
        elif kind == "ngo":
            (body, acronym), role = rng.choice(NGOS), rng.choice(NGO_ROLES)
        elif kind == "official":
            role, body = rng.choice(OFFICIAL_ROLES)
        elif kind == "minister":
            role, body = "Former Foreign Minister", country
        elif kind == "academic":
            role, body = (
                "Professor of International Law",
                f"University of {rng.choice(UNIVERSITIES)}",
            )
        else:
            role, body = "lawyer", country
        doctor = kind in ("ngo", "academic") and rng.random() < 0.4
        cast.append(
            Person(first, last, gender, kind, country, demonym, role, body, acronym, doctor)
        )
    return cast


def _speakers(rng: random.Random, cast: Sequence[Person]) -> Iterator[Person]:
    """Speakers for one article, the first of the cast more often (some are always quoted).

    No two speakers of one article share a surname, as a reporter would avoid it.
    """
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(cast))]
    surnames: set[str] = set()
    while True:
        person = rng.choices(cast, weights)[0]
        if person.last not in surnames:
            surnames.add(person.last)
            yield person


# -- one article ---------------------------------------------------------------------------


class _Writer:
    """Fills the templates of one article; remembers what the article has already said."""

    def __init__(self, rng: random.Random, topic: Topic, day: date, openings: Sequence[str]):
        self.rng = rng
        self.topic = topic
        self.day = day
        self.openings = openings
        self.target, self.demonym, self.capital = rng.choice(TARGETS)
        self.city = rng.choice(CITIES)
        self.year = rng.randint(2008, day.year - 1)
        self.event_month = rng.choice(MONTHS)
        self.committee = rng.choice(COMMITTEES)
        self.ngo, self.acr = rng.choice(NGOS)
        self.defined: set[str] = set()  # acronyms already spelt out
        self.decks: dict[str, list[str]] = {}
        self.closed = False  # someone has made closing remarks

    def deal(self, name: str, templates: Sequence[str]) -> str:
        """The next template of a shuffled deck: no repeats until the deck is used up."""
        deck = self.decks.get(name)
        if not deck:
            deck = self.decks[name] = list(templates)
            self.rng.shuffle(deck)
        return deck.pop()

    def fill(self, template: str) -> str:
        r = self.rng
        acr = ""
        if "{acr}" in template:
            acr = self.acr if self.acr in self.defined else self.org(self.ngo, self.acr)
        return template.format(
            victims=self.topic.victims,
            activity=self.topic.activity,
            event=self.topic.event,
            law=self.topic.law,
            target=self.target,
            demonym=self.demonym,
            capital=self.capital,
            city=self.city,
            year=self.year,
            month=self.event_month,
            num=r.choice((38, 54, 120, 212, 400, 17, 73)),
            months=r.choice((6, 9, 18, 30)),
            grown=r.choice(("tripled", "doubled", "risen steadily")),
            inst=r.choice(("European Commission", "Council of Europe", "European Union")),
            acr=acr,
        )

    def clause(self) -> str:
        return self.fill(self.deal("clauses", CLAUSES))

    def quote(self) -> str:
        return self.fill(self.deal("quotes", QUOTES))

    def quotes(self, k: int) -> str:
        return " ".join(self.quote() for _ in range(k))

    def action(self) -> str:
        return self.fill(self.deal("actions", ACTIONS))

    def org(self, name: str, acronym: str | None) -> str:
        """The organisation's name, with its acronym in parentheses the first time."""
        if acronym is None or acronym in self.defined:
            return name
        self.defined.add(acronym)
        return f"{name} ({acronym})"

    def appositive(self, p: Person, heading: bool = False) -> str:
        """The role after a name: 'MEP from Sweden, Vice-Chair of the Committee on ...'."""
        if p.kind == "mep":
            lead = self.rng.choice((f"MEP from {p.country}", f"{p.demonym} MEP"))
            return f"{lead}, {p.role} of the {p.body}"
        if p.kind == "ngo":
            return f"{p.role} of the {self.org(p.body, p.acronym)}"
        if p.kind == "official":
            return f"{p.role} of the {self.org(p.body, 'EEAS' if 'Action' in p.body else None)}"
        if p.kind == "minister":
            return (
                f"Former {p.demonym} Foreign Minister"
                if heading
                else f"a former {p.demonym} foreign minister"
            )
        if p.kind == "academic":
            return f"{p.role} at the {p.body}"
        if heading:
            return f"{p.demonym} Human Rights Lawyer"
        return f"a {p.demonym} lawyer who represents several of the detained {self.topic.victims}"

    def full(self, p: Person) -> str:
        return ("Dr. " if p.doctor else "") + p.name

    def when(self) -> str:
        return f"{MONTHS[self.day.month - 1]} {self.day.day}"

    # A paragraph introducing a speaker, then paragraphs for a speaker already introduced.

    def introduce(self, p: Person) -> str:
        r = self.rng
        pick = r.randrange(5)
        if pick == 0 or p.kind == "lawyer":
            return (
                f"{self.full(p)}, {self.appositive(p)}, {r.choice(self.openings)}. "
                f"{p.last} said that {self.clause()}. {p.he} called on the "
                f"{r.choice(URGE_TARGETS)} to {self.action()}."
            )
        if pick == 1 and p.kind == "mep":
            return (
                f"{p.demonym} MEP and {p.role} of the {p.body}, {p.name}, "
                f"{r.choice(('claimed', 'argued', 'said'))} that {self.clause()}."
            )
        if pick == 2:
            return (
                f"{self.full(p)}, {self.appositive(p)}, presented new figures on {self.target}. "
                f"{p.he} said that {self.clause()}. {p.he} added that {self.clause()}."
            )
        if pick == 3:
            return f"{self.full(p)}, {self.appositive(p)}, said, “{self.quote()}”"
        return (
            f"“{self.quote()[:-1]},” said {self.full(p)}, {self.appositive(p)}. "
            f"{p.last} {r.choice(SAY_VERBS)} that {self.clause()}."
        )

    def follow_up(self, p: Person, named: bool = False) -> str:
        """Another paragraph for ``p``; ``named`` when another speaker came in between."""
        r = self.rng
        pick = r.randrange(5 if named else 6)
        if pick == 0:
            return f"“{self.quote()} {self.quote()[:-1]},” {p.last} said."
        if pick == 1:
            return (
                f"{p.last} urged the {r.choice(URGE_TARGETS)} to {self.action()}. “{self.quote()}”"
            )
        if pick == 2:
            return f"{p.last} {r.choice(SAY_VERBS)} that {self.clause()}."
        if pick == 3:
            return f"According to {p.last}, {self.clause()}."
        if pick == 4 and not self.closed:
            self.closed = True
            return (
                f"In {p.his} closing remarks, {p.last} urged the {r.choice(URGE_TARGETS)} to "
                f"{self.action()}. {p.he} said the {self.org(self.ngo, self.acr)} would "
                f"follow the cases of all {self.topic.victims} closely."
            )
        return f"“{self.quote()[:-1]},” {p.he.lower()} said."

    def section(self, p: Person) -> str:
        """A live-report section: a 'Name, role' heading line, then first-person paragraphs."""
        r = self.rng
        role = self.appositive(p, heading=True)
        lines = [f"{self.full(p)}, {role[0].upper()}{role[1:]}", "", self.quotes(r.randint(2, 3))]
        if r.random() < 0.3:
            lines += ["", r.choice(_SUBHEADINGS)]
        lines += ["", self.quotes(r.randint(1, 3))]
        if r.random() < 0.5:
            lines += ["", f"I call on the {r.choice(URGE_TARGETS)} to {self.action()}."]
        return "\n".join(lines)


_OPENINGS = {
    "conference": (
        "opened the conference",
        "chaired the first panel",
        "spoke first",
        "hosted the debate",
        "described the situation on the ground",
    ),
    "wire": (
        "spoke to reporters outside the court",
        "issued a statement within an hour of the verdict",
        "commented on the sentences on social media",
    ),
}
_SUBHEADINGS = (
    "Sanctions must follow the money",
    "A question of credibility",
    "What the families ask for",
    "No business as usual",
)
_WHEN_NEXT = ("next month", "before the summer", "in the autumn")
_CRACKDOWNS = (
    "closed eleven independent newspapers in a single week",
    "declared a state of emergency and banned all public gatherings",
    "arrested more than two hundred people in three days",
    "dissolved the bar association and the largest trade union",
)
_CLOSING_WORDS = 25  # room kept for the closing paragraph, written last


def _blocks(w: _Writer, speakers: Iterator[Person], live: bool) -> Iterator[str]:
    """Endless paragraphs (live: sections), a new speaker at a time, some quoted again."""
    r = w.rng
    heard: list[Person] = []
    while True:
        if heard and not live and r.random() < 0.25:
            yield w.follow_up(r.choice(heard), named=True)
        p = next(speakers)
        heard.append(p)
        if live:
            yield w.section(p)
            continue
        yield w.introduce(p)
        for _ in range(r.choice((0, 1, 1, 2))):
            yield w.follow_up(p)


def _fit(blocks: Iterator[str], fixed: int, target: int) -> list[str]:
    """Blocks in order until the article reaches ``target`` words, never over MAX_WORDS."""
    body: list[str] = []
    words = fixed
    while words < target:
        block = next(blocks)
        body.append(block)
        words += len(block.split())
    while words > MAX_WORDS:
        words -= len(body.pop().split())
    return body


def _words(*parts: str) -> int:
    return sum(len(p.split()) for p in parts)


def _conference(w: _Writer, speakers: Iterator[Person], target: int) -> tuple[str, str]:
    r = w.rng
    title = r.choice(
        (
            f"MEPs call for action on {w.topic.headline} in {w.target}",
            f"Conference in {w.city} examines {w.topic.issue} in {w.target}",
            f"Rights groups urge EU to act on {w.topic.headline} in {w.target}",
        )
    )
    lead = (
        f"{w.city.upper()} — Members of the European Parliament, lawyers and rights "
        f"advocates met in {w.city} on {w.when()} to discuss {w.topic.issue} in {w.target}, "
        f"where {w.clause()}."
    )
    background = (
        f"The event, hosted by the {w.committee}, brought together speakers from "
        f"{r.choice(('four', 'five', 'six', 'seven'))} countries. Several of them have followed "
        f"{w.target} since the {w.event_month} {w.year} {w.topic.event}, when the government "
        f"in {w.capital} {r.choice(_CRACKDOWNS)}."
    )
    fixed = _words(title, lead, background) + _CLOSING_WORDS
    body = _fit(_blocks(w, speakers, live=False), fixed, target)
    closing = (
        f"The {w.org(w.ngo, w.acr)} said it would publish a full list of the detained "
        f"{w.topic.victims} {r.choice(_WHEN_NEXT)}."
    )
    return title, "\n\n".join([title, lead, background, *body, closing]) + "\n"


def _live(w: _Writer, speakers: Iterator[Person], target: int) -> tuple[str, str]:
    title = f"Live report: European Parliament hearing on {w.topic.issue} in {w.target}"
    lead = (
        f"On {w.when()}, the {w.committee} of the European Parliament held a public hearing on "
        f"{w.topic.issue} in {w.target} since the {w.event_month} {w.year} {w.topic.event}."
    )
    intro = "This page presents the main statements in the order in which they were delivered."
    body = _fit(_blocks(w, speakers, live=True), _words(title, lead, intro), target)
    return title, "\n\n\n".join(["\n\n".join([title, lead, intro]), *body]) + "\n"


def _wire(w: _Writer, speakers: Iterator[Person], target: int) -> tuple[str, str]:
    r = w.rng
    title = f"{w.demonym} court jails {w.topic.victims}; European lawmakers protest"
    lead = (
        f"{w.capital.upper()}, {w.when()} (Example Wire) - A court in the {w.demonym} capital on "
        f"{w.day.strftime('%A')} sentenced {r.choice(('three', 'four', 'seven', 'nine'))} "
        f"{w.topic.victims} to prison under the {w.topic.law} law, drawing condemnation "
        f"from rights groups and members of the European Parliament."
    )
    closing = (
        f"A spokesman for the {w.demonym} Ministry of Justice said the verdicts were "
        f"a matter for the courts and declined to comment further."
    )
    body = _fit(_blocks(w, speakers, live=False), _words(lead, closing), target)
    return title, "\n\n".join([lead, *body, closing]) + "\n"


_Layout = Callable[[_Writer, Iterator[Person], int], tuple[str, str]]
_LAYOUTS: dict[str, tuple[_Layout, int]] = {
    "conference": (_conference, 11),
    "live": (_live, 5),
    "wire": (_wire, 4),
}


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]


def generate(n: int, seed: int = 0) -> list[Synthetic]:
    """``n`` articles of MIN_WORDS to MAX_WORDS words each, the same for the same seed."""
    rng = random.Random(seed)
    cast = make_cast(rng)
    names = list(_LAYOUTS)
    weights = [_LAYOUTS[name][1] for name in names]
    articles = []
    for i in range(n):
        day = date(2022, 1, 3) + timedelta(days=rng.randrange(3 * 365))
        name = rng.choices(names, weights)[0]
        openings = _OPENINGS["wire" if name == "wire" else "conference"]
        writer = _Writer(rng, rng.choice(TOPICS), day, openings)
        layout = _LAYOUTS[name][0]
        title, text = layout(writer, _speakers(rng, cast), rng.randint(MIN_WORDS, MAX_WORDS))
        slug = f"{i + 1:05d}-{_slug(title)}"
        url = f"https://news.example.org/{day:%Y/%m/%d}/{slug}"
        articles.append(Synthetic(slug, title, text, day.isoformat(), url))
    return articles


def write(articles: Sequence[Synthetic], out_dir: Path, jsonl: bool = False) -> list[Path]:
    """Write one .txt file per article, or all of them into ``out_dir/articles.jsonl``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if jsonl:
        path = out_dir / "articles.jsonl"
        records = (
            json.dumps(
                {
                    "id": a.id,
                    "title": a.title,
                    "url": a.url,
                    "published": a.published,
                    "text": a.text,
                },
                ensure_ascii=False,
            )
            for a in articles
        )
        path.write_text("".join(r + "\n" for r in records), encoding="utf-8")
        return [path]
    paths = []
    for a in articles:
        path = out_dir / f"{a.id}.txt"
        path.write_text(a.text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("out_dir", type=Path, help="folder to write them into")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--jsonl", action="store_true", help="write one articles.jsonl file")
    args = parser.parse_args(argv)
    articles = generate(args.n, args.seed)
    paths = write(articles, args.out_dir, args.jsonl)
    words = sum(a.words for a in articles)
    print(
        f"wrote {len(articles)} articles ({words} words) to {len(paths)} file(s) in {args.out_dir}"
    )


if __name__ == "__main__":
    main()
