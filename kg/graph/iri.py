"""The only place an IRI is minted: entities, documents, per-document nodes, the store manifest.

Entity IRIs are ``{base}{kind}/{slug}-{hash}``, the hash over the kind and the
normalised canonical name, so the same person gets the same IRI in every build.
Per-document nodes derive from the document's content hash and a character span.
Local names use only ``[a-z0-9-]`` whatever the text holds.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from rdflib import URIRef

from kg.ingest.urls import is_iri
from kg.model import EntityKind, Span
from kg.text import fold

DEFAULT_BASE = "https://w3id.org/newskg/id/"

_NON_SLUG = re.compile(r"[^a-z0-9]+")
_SLUG_MAX = 48
_ENTITY_HASH = 10  # hex digits: 40 bits, plus the slug, keeps collisions out of reach
_DOC_HASH = 16


def slug(text: str) -> str:
    """A readable ``[a-z0-9-]`` fragment of a name, never empty."""
    ascii_text = fold(text).encode("ascii", "ignore").decode("ascii")
    result = _NON_SLUG.sub("-", ascii_text).strip("-")[:_SLUG_MAX].strip("-")
    return result or "x"


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Minter:
    """Mints every IRI of a build under one base."""

    base: str = DEFAULT_BASE

    def __post_init__(self) -> None:
        if not (re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+[/#]", self.base) and is_iri(self.base)):
            raise ValueError(f"base IRI must be http(s) and end with '/' or '#': {self.base!r}")

    def entity(self, kind: EntityKind, key: str, label: str) -> URIRef:
        """An entity: the slug reads like the label, the hash decides identity."""
        digest = _digest(kind.value, key)[:_ENTITY_HASH]
        return URIRef(f"{self.base}{kind.value}/{slug(label)}-{digest}")

    def document(self, sha256: str) -> URIRef:
        """A source document, by the hash of its content (also its named graph)."""
        return URIRef(f"{self.base}document/{self._doc(sha256)}")

    def _doc(self, sha256: str) -> str:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return sha256[:_DOC_HASH]

    def _local(self, kind: str, sha256: str, span: Span, *extra: str) -> URIRef:
        tail = f"-{_digest(*extra)[:8]}" if extra else ""
        return URIRef(f"{self.base}{kind}/{self._doc(sha256)}-{span.start}-{span.end}{tail}")

    def position(self, sha256: str, span: Span, speaker_key: str) -> URIRef:
        """A stated position: its evidence span, and its speaker when one span has two."""
        return self._local("position", sha256, span, speaker_key)

    def evidence(self, sha256: str, span: Span) -> URIRef:
        """The evidence over a span of a document."""
        return self._local("evidence", sha256, span)

    def position_selector(self, sha256: str, span: Span) -> URIRef:
        """The oa:TextPositionSelector of an evidence."""
        return URIRef(f"{self._local('selector', sha256, span)}-position")

    def quote_selector(self, sha256: str, span: Span) -> URIRef:
        """The oa:TextQuoteSelector of an evidence."""
        return URIRef(f"{self._local('selector', sha256, span)}-quote")

    def membership(self, sha256: str, span: Span, member_key: str, org_key: str) -> URIRef:
        """A membership stated over a span, for one member in one organization."""
        return self._local("membership", sha256, span, member_key, org_key)

    def store_manifest(self) -> URIRef:
        """The named graph where a store records the version of each document graph."""
        return URIRef(f"{self.base}store/manifest")
