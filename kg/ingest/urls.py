"""An input's URL as an IRI every RDF reader accepts (RFC 3987), or a reason it cannot be.

A URL taken from an input (a JSONL record's ``url``, an HTML page's canonical link) ends
up as an IRI in every output file, and pyoxigraph refuses a whole file for one bad IRI.
So :func:`web_iri` rebuilds the URL from its parts, each checked against RFC 3987's
grammar: the user info is dropped (it may be a password, and is never published), a
character a part may not hold is percent-encoded, and a URL whose scheme, host or port
cannot be made valid is refused with the reason. :func:`is_iri` is the check itself, for
the IRIs newskg mints too. Standard library only.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

__all__ = ["WebIri", "is_iri", "web_iri"]

# RFC 3987's ucschar and iprivate, as character-class ranges.
_UCS = (
    "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"
    "\U00010000-\U0001fffd\U00020000-\U0002fffd\U00030000-\U0003fffd"
    "\U00040000-\U0004fffd\U00050000-\U0005fffd\U00060000-\U0006fffd"
    "\U00070000-\U0007fffd\U00080000-\U0008fffd\U00090000-\U0009fffd"
    "\U000a0000-\U000afffd\U000b0000-\U000bfffd\U000c0000-\U000cfffd"
    "\U000d0000-\U000dfffd\U000e1000-\U000efffd"
)
_PRIVATE = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
_UNRESERVED = rf"A-Za-z0-9\-._~{_UCS}"
_SUB_DELIMS = "!$&'()*+,;="
_PCT = "%[0-9A-Fa-f]{2}"
# RFC 3987 4.1: bidirectional formatting characters must not appear in an IRI.
_BIDI = "\u200e\u200f\u202a-\u202e\u2066-\u2069"

_PCHAR = rf"(?:[{_UNRESERVED}{re.escape(_SUB_DELIMS)}:@]|{_PCT})"
_PATH = re.compile(rf"(?:{_PCHAR}|/)*")
_QUERY = re.compile(rf"(?:{_PCHAR}|[/?{_PRIVATE}])*")
_FRAGMENT = re.compile(rf"(?:{_PCHAR}|[/?])*")
_REG_NAME = re.compile(rf"[{_UNRESERVED}{re.escape(_SUB_DELIMS)}]+")
# RFC 3986 appendix B: splits any string into the five parts, keeping an empty query.
_PARTS = re.compile(r"(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?", re.S)


@dataclass(frozen=True)
class WebIri:
    """What became of an input URL: the IRI (None if it cannot be one) and what changed."""

    iri: str | None
    problem: str = ""  # why there is no IRI
    dropped_user_info: bool = False


def web_iri(value: str) -> WebIri:
    """``value`` as an absolute http(s) IRI without user info, or why it cannot be one."""
    match = _PARTS.fullmatch(value.strip())
    assert match is not None  # the pattern matches every string
    scheme, authority, path, query, fragment = match.groups()
    if scheme is None or scheme.lower() not in ("http", "https"):
        return WebIri(None, "it is not an absolute http(s) URL")
    if authority is None:
        return WebIri(None, "it names no host")
    user_info, _, host_port = authority.rpartition("@")
    host, problem = _host_port(host_port)
    if host is None:
        return WebIri(None, problem)
    iri = f"{scheme}://{host}{_encoded(path, _PATH)}"
    if query is not None:
        iri += "?" + _encoded(query, _QUERY)
    if fragment is not None:
        iri += "#" + _encoded(fragment, _FRAGMENT)
    return WebIri(iri, dropped_user_info=bool(user_info) or "@" in authority)


def _host_port(text: str) -> tuple[str | None, str]:
    """The host and port, checked (``host:port``), or None and what is wrong with them."""
    host, port = text, ""
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            return None, "its [IPv6] host is not closed"
        host, rest = text[: end + 1], text[end + 1 :]
        if rest and not rest.startswith(":"):
            return None, "something follows its [IPv6] host"
        port = rest[1:]
        try:
            if not re.fullmatch(r"[0-9A-Fa-f:.]+", host[1:-1]):  # no zone id (%eth0)
                raise ValueError(host)
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return None, "its [IPv6] host is not an IPv6 address"
    elif ":" in text:
        host, _, port = text.rpartition(":")
        if not host:
            return None, "it names no host"
        if not _REG_NAME.fullmatch(host):
            return None, "its host holds characters a host name cannot"
    elif not text or not _REG_NAME.fullmatch(text):
        return None, "its host holds characters a host name cannot" if text else "it names no host"
    if port and not (port.isascii() and port.isdigit() and int(port) <= 65535):
        return None, "its port is not a number from 0 to 65535"
    return host + (f":{port}" if port else ""), ""


def _encoded(part: str, allowed: re.Pattern[str]) -> str:
    """``part`` with every character it may not hold percent-encoded (UTF-8)."""
    if allowed.fullmatch(part) and not re.search(f"[{_BIDI}]", part):
        return part  # the common case: nothing to change
    out: list[str] = []
    i = 0
    while i < len(part):
        if re.match(_PCT, part[i : i + 3]):
            out.append(part[i : i + 3])
            i += 3
            continue
        char = part[i]
        keep = char != "%" and allowed.fullmatch(char) and not re.match(f"[{_BIDI}]", char)
        out.append(char if keep else "".join(f"%{b:02X}" for b in _utf8(char)))
        i += 1
    return "".join(out)


def _utf8(char: str) -> bytes:
    try:
        return char.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate has no UTF-8 form: U+FFFD stands for it
        return "\ufffd".encode()


_IRI = re.compile(
    rf"(?i:https?)://(?:\[[0-9A-Fa-f:.]+\]|[{_UNRESERVED}{re.escape(_SUB_DELIMS)}]+)(?::[0-9]*)?"
    rf"(?:/{_PATH.pattern})?(?:\?{_QUERY.pattern})?(?:#{_FRAGMENT.pattern})?"
)


def is_iri(value: str) -> bool:
    """Whether ``value`` is an absolute http(s) IRI without user info (RFC 3987)."""
    return bool(_IRI.fullmatch(value)) and not re.search(f"[{_BIDI}]", value)
