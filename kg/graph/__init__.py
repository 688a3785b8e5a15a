"""Extractions -> RDF: the triples of one source document, as a list or an rdflib ``Graph``.

Each document's graph holds everything that document supports: its own node, the
entities it mentions (with their build-wide preferred label and the surface forms this
document used), memberships, positions and evidence. The union of the document graphs
is the build's graph; replacing one document's graph updates the build.

A document graph is self-contained: every node it points at is typed (and, for an
entity, labelled) in the same graph, and every node other than an entity is minted from
the document's hash, so it appears in no other document. Validation and the writers of
a streamed build (:mod:`kg.write.render`) rely on both.

:func:`document_triples` is the fast path a build uses: plain tuples of rdflib terms,
no ``Graph`` (whose indexes cost more than everything else here).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kg.graph.iri import Minter
from kg.graph.terms import DCTERMS, KG, OA, ORG, RDF, SCHEMA, SKOS, XSD
from kg.graph.vocab import bind_prefixes
from kg.ingest.urls import is_iri
from kg.model import DocExtraction, Entity, EntityKind, Membership, Position, Span
from kg.resolve import GlobalEntity, Resolution

Triple = tuple[URIRef, URIRef, Node]

_CLASS = {
    EntityKind.PERSON: KG.Person,
    EntityKind.ORGANIZATION: KG.Organization,
    EntityKind.PLACE: KG.Place,
    EntityKind.EVENT: KG.Event,
    EntityKind.ROLE: KG.Role,
}
_CONTEXT = 32  # characters of oa:prefix / oa:suffix around an evidence
_TRUE, _FALSE = Literal(True), Literal(False)


def _date(value: str) -> Literal | None:
    """An ISO date as precise as it is: xsd:gYear, xsd:gYearMonth or xsd:date."""
    if re.fullmatch(r"\d{4}", value):
        return Literal(value, datatype=XSD.gYear)
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return Literal(value, datatype=XSD.gYearMonth)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return Literal(value, datatype=XSD.date)
    return None


def _issued(value: str) -> Literal | None:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return Literal(value, datatype=XSD.date)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?", value):
        return Literal(value, datatype=XSD.dateTime)
    return None


@functools.lru_cache(maxsize=1 << 16)
def _integer(value: int) -> Literal:
    """An xsd:integer literal, made once per process: every document's offsets are small
    integers, and rdflib builds a literal from a Python value slowly."""
    return Literal(value)


class _DocumentGraph:
    """Writes one document's triples, each once, in the order they are found."""

    def __init__(self, extraction: DocExtraction, resolution: Resolution, minter: Minter) -> None:
        self.x = extraction
        self.resolution = resolution
        self.minter = minter
        self.sha = extraction.article.sha256
        self.doc = minter.document(self.sha)
        # A dict is an ordered set; rdflib's Graph.add costs ten times more.
        self.triples: dict[Triple, None] = {}
        self._iris: dict[int, URIRef] = {}
        self._evidence: dict[Span, URIRef] = {}

    def add(self, s: URIRef, p: URIRef, o: Node) -> None:
        self.triples[(s, p, o)] = None

    def entity_iri(self, local: int) -> URIRef:
        iri = self._iris.get(local)
        if iri is None:
            found: GlobalEntity = self.resolution.of(self.x, local)
            iri = self._iris[local] = self.minter.entity(found.kind, found.key, found.label)
        return iri

    def build(self) -> list[Triple]:
        self.document()
        for entity in self.x.entities:
            self.entity(entity)
        memberships = [self.membership(m) for m in self.x.memberships]
        for position in self.x.positions:
            self.position(position, memberships)
        return list(self.triples)

    def document(self) -> None:
        article = self.x.article
        self.add(self.doc, RDF.type, KG.SourceDocument)
        self.add(self.doc, DCTERMS.identifier, Literal(article.id))
        self.add(self.doc, KG.contentSha256, Literal(self.sha))
        if article.title:
            self.add(self.doc, DCTERMS.title, Literal(article.title))
        if article.url and is_iri(article.url):  # ingest made it one; in memory, maybe not
            self.add(self.doc, SCHEMA.url, URIRef(article.url))
        issued = _issued(article.published) if article.published else None
        if issued is not None:
            self.add(self.doc, DCTERMS.issued, issued)

    def entity(self, entity: Entity) -> None:
        node = self.entity_iri(entity.local_id)
        found = self.resolution.of(self.x, entity.local_id)
        self.add(node, RDF.type, _CLASS[entity.kind])
        self.add(node, SKOS.prefLabel, Literal(found.label))
        if entity.kind is EntityKind.ROLE:
            return
        self.add(node, KG.mentionedIn, self.doc)
        for alias in sorted({entity.name, *entity.aliases} - {found.label}):
            self.add(node, SKOS.altLabel, Literal(alias))
        if entity.nationality is not None:
            self.add(node, SCHEMA.nationality, self.entity_iri(entity.nationality))
        if entity.parent is not None:
            self.add(node, ORG.subOrganizationOf, self.entity_iri(entity.parent))
        if entity.start_date and (date := _date(entity.start_date)) is not None:
            self.add(node, SCHEMA.startDate, date)
        if entity.place is not None:
            self.add(node, KG.place, self.entity_iri(entity.place))

    def evidence(self, span: Span) -> URIRef:
        """An evidence node with both selectors over a span of this document."""
        node = self._evidence.get(span)
        if node is None:
            node = self._evidence[span] = self._new_evidence(span)
        return node

    def _new_evidence(self, span: Span) -> URIRef:
        text = self.x.article.text
        node = self.minter.evidence(self.sha, span)
        position = self.minter.position_selector(self.sha, span)
        quote = self.minter.quote_selector(self.sha, span)
        self.add(node, RDF.type, KG.Evidence)
        self.add(node, OA.hasSource, self.doc)
        self.add(node, OA.hasSelector, position)
        self.add(node, OA.hasSelector, quote)
        self.add(position, RDF.type, OA.TextPositionSelector)
        self.add(position, OA.start, _integer(span.start))
        self.add(position, OA.end, _integer(span.end))
        self.add(quote, RDF.type, OA.TextQuoteSelector)
        self.add(quote, OA.exact, Literal(text[span.start : span.end]))
        if span.start > 0:
            self.add(quote, OA.prefix, Literal(text[max(0, span.start - _CONTEXT) : span.start]))
        if span.end < len(text):
            self.add(quote, OA.suffix, Literal(text[span.end : span.end + _CONTEXT]))
        return node

    def membership(self, membership: Membership) -> URIRef:
        member = self.resolution.of(self.x, membership.member)
        org = self.resolution.of(self.x, membership.organization)
        node = self.minter.membership(self.sha, membership.evidence, member.key, org.key)
        member_iri = self.entity_iri(membership.member)
        org_iri = self.entity_iri(membership.organization)
        self.add(node, RDF.type, KG.Membership)
        self.add(node, ORG.member, member_iri)
        self.add(node, ORG.organization, org_iri)
        self.add(node, KG.roleText, Literal(membership.role_text))
        self.add(node, KG.evidence, self.evidence(membership.evidence))
        if membership.role is not None:
            self.add(node, ORG.role, self.entity_iri(membership.role))
        if membership.is_former:
            self.add(node, KG.isFormer, _TRUE)
        else:
            self.add(member_iri, ORG.memberOf, org_iri)
        return node

    def position(self, position: Position, memberships: list[URIRef]) -> None:
        speaker = self.resolution.of(self.x, position.speaker)
        node = self.minter.position(self.sha, position.evidence, speaker.key)
        self.add(node, RDF.type, KG.StatedPosition)
        self.add(node, KG.speaker, self.entity_iri(position.speaker))
        self.add(node, KG.appearsIn, self.doc)
        self.add(node, KG.proposition, Literal(position.proposition))
        self.add(node, KG.isDirect, _TRUE if position.is_direct else _FALSE)
        self.add(node, KG.evidence, self.evidence(position.evidence))
        if position.speaker_evidence is not None:
            self.add(node, KG.speakerEvidence, self.evidence(position.speaker_evidence))
        if position.cue:
            self.add(node, KG.cue, Literal(position.cue))
        if position.speech_act:
            self.add(node, KG.speechAct, KG[position.speech_act])
        if position.stance is not None:
            self.add(node, KG.stance, KG[position.stance.value])
        if position.addressee is not None:
            self.add(node, KG.addressee, self.entity_iri(position.addressee))
        for local in position.about:
            self.add(node, KG.about, self.entity_iri(local))
        if position.membership is not None:
            self.add(node, KG.speakerRole, memberships[position.membership])
        if position.stated_at is not None:
            event = self.entity_iri(position.stated_at)
            self.add(node, KG.statedAt, event)
            self.add(event, KG.participant, self.entity_iri(position.speaker))


def document_triples(
    extraction: DocExtraction, resolution: Resolution, minter: Minter
) -> list[Triple]:
    """The triples one document supports, each once."""
    return _DocumentGraph(extraction, resolution, minter).build()


def document_graph(extraction: DocExtraction, resolution: Resolution, minter: Minter) -> Graph:
    """The triples one document supports, as a Graph with newskg's prefixes bound."""
    graph = Graph(bind_namespaces="none")
    bind_prefixes(graph)
    for triple in document_triples(extraction, resolution, minter):
        graph.add(triple)
    return graph


def build_graphs(
    extractions: Iterable[DocExtraction], resolution: Resolution, minter: Minter
) -> dict[URIRef, Graph]:
    """One named graph per document, keyed by the document's IRI."""
    graphs: dict[URIRef, Graph] = {}
    for extraction in extractions:
        name = minter.document(extraction.article.sha256)
        graph = document_graph(extraction, resolution, minter)
        if name in graphs:
            graphs[name] += graph  # the same text under two names is one document
        else:
            graphs[name] = graph
    return graphs
