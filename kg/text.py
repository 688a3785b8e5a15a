"""Names folded and normalised for matching and identity (stdlib only).

Extraction matches names with these (a surname to its full name, 'LÓPEZ' to 'Lopez'),
resolution groups them, and the IRI minter hashes the normalised name: one definition,
so that a name matched in one stage is the same name in the next.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "normalise_name", "one_edit"]

_SPACE = re.compile(r"\s+")
# Invisible format characters (Unicode category Cf): zero-width space and joiners, word
# joiner, soft hyphen, byte order mark, bidi marks and embeddings. A name that holds one
# looks the same as one that does not, so identity ignores them; labels keep them.
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]"
)
# Only what a name never needs: keeps letters, digits, spaces, hyphens and apostrophes.
_NAME_PUNCT = re.compile(r"[^\w\s'-]+")


def fold(text: str) -> str:
    """Casefold, strip diacritics and invisible marks: 'LÓPEZ' and 'Lo\u200bpez' fold
    like 'Lopez'."""
    if text.isascii():  # most words; NFKD would leave them as they are
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", _INVISIBLE.sub("", text))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold()


def normalise_name(name: str) -> str:
    """The identity key of a name: folded, curly apostrophes straightened, spaces collapsed."""
    text = fold(name).replace("\u2019", "'").replace("\u2018", "'")
    text = _NAME_PUNCT.sub(" ", text)
    return _SPACE.sub(" ", text).strip(" -'")


def one_edit(a: str, b: str) -> bool:
    """Are two words one insertion, deletion or substitution apart ('Borrel', 'Borrell')?"""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :] or (len(a) == len(b) and a[i + 1 :] == b[i + 1 :])
