"""What a SPARQL text asks for, read from its tokens before anything runs.

pyoxigraph parses and runs a query in one call, and running a ``SERVICE`` clause or a
``LOAD`` opens an HTTP connection, so whether a text writes or reaches the network must
be known before it is handed over. A regular expression over the raw text cannot tell:
``"SERVICE"`` in a string literal, ``# SERVICE`` in a comment, ``<http://x/SERVICE>``
or ``?service`` are harmless, and a ``#`` inside a string or an IRI does not start a
comment. This module splits the text into SPARQL 1.1 tokens (strings, IRIs, comments,
variables, prefixed names, keywords) with the grammar's own terminal rules and looks
only at keyword tokens. Whether a text reaches the network is decided from its algebra
(:mod:`kg.sparql.reach`); the SERVICE and LOAD keywords seen here are a second look.

The same tokens locate the outer ``WHERE`` group, into which :func:`bind_values` puts a
``VALUES`` block for an endpoint that cannot take pyoxigraph's substitutions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum

__all__ = ["Form", "Text", "Token", "bind_values", "read", "tokens", "undeclared_prefixes"]


class Form(Enum):
    """The kind of SPARQL operation a text is."""

    SELECT = "SELECT"
    CONSTRUCT = "CONSTRUCT"
    DESCRIBE = "DESCRIBE"
    ASK = "ASK"
    UPDATE = "UPDATE"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class Token:
    """One SPARQL token: its kind, its text and where it starts in the query."""

    kind: str  # word | pname | var | iri | string | bnode | langtag | punct
    text: str
    start: int

    def is_keyword(self, *words: str) -> bool:
        """True when this is a bare word equal (any case) to one of ``words``."""
        return self.kind == "word" and self.text.upper() in words


@dataclass(frozen=True)
class Text:
    """What a query text is: its form, the updates it makes, whether it goes online."""

    form: Form
    updates: tuple[str, ...]  # update operations named, upper case, in order met
    services: bool  # a SERVICE clause
    loads: bool  # a LOAD operation (fetches a URL)
    variables: frozenset[str]  # every variable name, without ? or $

    @property
    def is_update(self) -> bool:
        return self.form is Form.UPDATE


QUERY_FORMS = {form.value: form for form in (Form.SELECT, Form.CONSTRUCT, Form.DESCRIBE, Form.ASK)}
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY")
# WITH opens DELETE/INSERT ... WHERE; it is an update too.
_UPDATE_STARTS = (*UPDATE_WORDS, "WITH")

# IRIREF: '<' ([^<>"{}|^`\]-[#x00-#x20])* '>'. A '<' that does not start one is an operator.
_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_VAR = re.compile(r"[?$]([0-9A-Za-z_\u00B7\u00C0-\uFFFF]+)")
_LANGTAG = re.compile(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*")
_BNODE = re.compile(
    r"_:[0-9A-Za-z_\u00C0-\uFFFF](?:[0-9A-Za-z_\-.\u00B7\u00C0-\uFFFF]*[0-9A-Za-z_\-\u00B7\u00C0-\uFFFF])?"
)
# A keyword, a prefixed name or a number: PN_CHARS, ':', '%XX' and PN_LOCAL_ESC. Wider than
# the grammar on purpose: whatever it swallows is one word, and words are never strings.
# It never starts with '.': in '?c .SERVICE' the dot ends a triple and SERVICE is a keyword.
_WORD = re.compile(
    r"(?![.])(?:[0-9A-Za-z_:\u00B7\u00C0-\uFFFF]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]|[.\-](?=[0-9A-Za-z_:\u00B7\u00C0-\uFFFF%\\]))+"
)
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def tokens(text: str) -> Iterator[Token]:
    """The SPARQL tokens of ``text``, comments and white space dropped.

    Lenient where the text is wrong (an unterminated string runs to its line's end or
    the text's end): the parser rejects such a text anyway, before anything runs.
    """
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "#":
            i = _line_end(text, i)
        elif c in "\"'":
            end = _string_end(text, i)
            yield Token("string", text[i:end], i)
            i = end
        elif c == "<" and (m := _IRIREF.match(text, i)):
            yield Token("iri", m.group(), i)
            i = m.end()
        elif c in "?$" and (m := _VAR.match(text, i)):
            yield Token("var", m.group(1), i)
            i = m.end()
        elif c == "@" and (m := _LANGTAG.match(text, i)):
            yield Token("langtag", m.group(), i)
            i = m.end()
        elif c == "_" and (m := _BNODE.match(text, i)):
            yield Token("bnode", m.group(), i)
            i = m.end()
        elif m := _WORD.match(text, i):
            word = m.group()
            yield Token("pname" if ":" in word else "word", word, i)
            i = m.end()
        else:
            yield Token("punct", c, i)
            i += 1


def _line_end(text: str, i: int) -> int:
    """Where the comment starting at ``i`` ends: the next line break (or the end)."""
    ends = [p for p in (text.find("\n", i), text.find("\r", i)) if p >= 0]
    return min(ends) if ends else len(text)


def _string_end(text: str, i: int) -> int:
    """Just past the string literal that opens at ``i`` (short or long form)."""
    quote = text[i]
    long_quote = quote * 3
    if text.startswith(long_quote, i):
        j = i + 3
        while j < len(text):
            if text[j] == "\\":
                j += 2
            elif text.startswith(long_quote, j):
                return j + 3
            else:
                j += 1
        return len(text)
    j = i + 1
    while j < len(text):
        ch = text[j]
        if ch == "\\":
            j += 2
        elif ch == quote:
            return j + 1
        elif ch in "\n\r":  # a short string cannot hold a line break
            return j
        else:
            j += 1
    return len(text)


def _unescape(text: str) -> str:
    r"""``text`` with ``\uXXXX`` / ``\UXXXXXXXX`` replaced, as SPARQL 1.1 allows before parsing.

    pyoxigraph decodes these only inside strings and IRIs, but the SPARQL 1.1 text lets
    an engine decode them anywhere first (``\u0053ERVICE`` would then be SERVICE), and a
    remote endpoint may do so.
    """

    def char(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group()

    return _UCHAR.sub(char, text)


def read(text: str) -> Text:
    """Classify ``text``: its form, update operations, SERVICE and LOAD, its variables.

    The text is read twice, as written and with code point escapes decoded, and a
    SERVICE or an update word found in either counts: a harmless query can only be
    refused here if it spells a keyword with ``\\u`` escapes inside a string.
    """
    raw, decoded = list(tokens(text)), list(tokens(_unescape(text)))
    words = [t.text.upper() for toks in (raw, decoded) for t in toks if t.kind == "word"]
    form = _form(raw)
    if form is not Form.UPDATE and _form(decoded) is Form.UPDATE:
        form = Form.UPDATE
    updates = tuple(dict.fromkeys(w for w in words if w in UPDATE_WORDS))
    if form is Form.UPDATE or form is Form.UNKNOWN:
        loads = "LOAD" in words
    else:  # in a query, LOAD cannot be a keyword: the parser refuses the text
        loads, updates = False, ()
    return Text(
        form=form,
        updates=updates,
        services="SERVICE" in words,
        loads=loads,
        variables=frozenset(t.text for t in raw if t.kind == "var"),
    )


def _form(toks: list[Token]) -> Form:
    """The operation named by the first keyword after the prologue (BASE, PREFIX)."""
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok.is_keyword("BASE"):
            i += 2
        elif tok.is_keyword("PREFIX"):
            i += 3
        elif tok.kind == "word" and tok.text.upper() in QUERY_FORMS:
            return QUERY_FORMS[tok.text.upper()]
        elif tok.is_keyword(*_UPDATE_STARTS):
            return Form.UPDATE
        else:
            return Form.UNKNOWN
    return Form.UNKNOWN


class BindError(ValueError):
    """The text has no place where a VALUES block can bind the parameters."""


def bind_values(text: str, values: Mapping[str, str]) -> str:
    """``text`` with ``VALUES (?a ?b) { (t1 t2) }`` opening its outer WHERE group.

    ``values`` maps variable names to terms already serialised in N-Triples syntax
    (``str()`` of a pyoxigraph term), which escapes every quote, backslash and line
    break, so a value cannot end its literal and change the query. Inside the group,
    unlike a trailing VALUES clause (joined only after the group's FILTERs ran), the
    binding is seen by the group's FILTERs, as pyoxigraph's substitutions are.
    """
    if not values:
        return text
    for name in values:
        if not _VAR.fullmatch("?" + name):
            raise BindError(f"?{name} is not a SPARQL variable name")
    toks = list(tokens(text))
    open_at = _where_group(toks)
    names = " ".join(f"?{name}" for name in values)
    row = " ".join(values.values())
    block = f" VALUES ({names}) {{ ({row}) }} "
    brace = toks[open_at].start + 1
    following = toks[open_at + 1] if open_at + 1 < len(toks) else None
    if following is not None and following.is_keyword("SELECT"):
        # '{ SELECT ... }' is a sub-select alone in its group: keep it in its own group.
        close = toks[_matching(toks, open_at)].start
        return f"{text[:brace]}{block}{{ {text[brace:close]} }}{text[close:]}"
    return f"{text[:brace]}{block}{text[brace:]}"


def _where_group(toks: list[Token]) -> int:
    """The index of the '{' that opens the query's WHERE group."""
    form_at = next(
        (i for i, t in enumerate(toks) if t.kind == "word" and t.text.upper() in QUERY_FORMS),
        None,
    )
    if form_at is None:
        raise BindError("parameters can only be bound in a SELECT, ASK, CONSTRUCT or DESCRIBE")
    i = form_at + 1
    if toks[form_at].is_keyword("CONSTRUCT"):
        if i < len(toks) and toks[i].is_keyword("WHERE"):
            raise BindError("a short 'CONSTRUCT WHERE' takes no parameters; write the template")
        if i < len(toks) and toks[i].text == "{":
            i = _matching(toks, i) + 1  # past the template
    for j in range(i, len(toks)):
        if toks[j].kind == "punct" and toks[j].text == "{":
            return j
    raise BindError("the query has no WHERE clause to bind parameters in")


def _matching(toks: list[Token], open_at: int) -> int:
    """The index of the '}' closing the '{' at ``open_at``."""
    depth = 0
    for j in range(open_at, len(toks)):
        if toks[j].kind == "punct" and toks[j].text == "{":
            depth += 1
        elif toks[j].kind == "punct" and toks[j].text == "}":
            depth -= 1
            if depth == 0:
                return j
    raise BindError("the query's braces are not balanced")


def undeclared_prefixes(text: str) -> frozenset[str]:
    """The prefixes ``text`` uses in prefixed names without a PREFIX declaration."""
    toks = list(tokens(text))
    declared = {
        toks[i + 1].text.removesuffix(":")
        for i, t in enumerate(toks[:-1])
        if t.is_keyword("PREFIX") and toks[i + 1].kind == "pname"
    }
    used = {t.text.split(":", 1)[0] for t in toks if t.kind == "pname"}
    return frozenset(used - declared)
