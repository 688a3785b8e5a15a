"""Input URLs become valid IRIs (RFC 3987, as pyoxigraph and rdflib read them) or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph, URIRef

from kg.ingest import Note, iter_inputs
from kg.ingest.formats import record_with_note
from kg.model import Article

ISSUE = "https://user@host.org:secret@www.site.com/article/"


def readable(iri: str) -> bool:
    """pyoxigraph accepts it, and rdflib writes and reads it back as N-Triples and Turtle."""
    pyoxigraph.NamedNode(iri)
    for fmt in ("nt", "turtle"):
        g = Graph()
        g.add((URIRef("https://example.org/s"), URIRef("http://schema.org/url"), URIRef(iri)))
        again = Graph().parse(data=g.serialize(format=fmt), format=fmt)
        assert {o for o in again.objects()} == {URIRef(iri)}
        list(pyoxigraph.parse(g.serialize(format=fmt), format=pyoxigraph.RdfFormat.TURTLE))
    return True


def url_of(value: str) -> str | None:
    article, _ = record_with_note("w.jsonl:1", {"id": "x", "text": "Text.", "url": value})
    assert isinstance(article, Article), article
    return article.url


@pytest.mark.parametrize(
    ("given_url", "kept"),
    [
        ("https://news.example.org/a", "https://news.example.org/a"),
        ("https://news.example.org/a?b=c#d", "https://news.example.org/a?b=c#d"),
        ("https://news.example.org/a?", "https://news.example.org/a?"),
        ("http://例え.jp/記事", "http://例え.jp/記事"),
        (ISSUE, "https://www.site.com/article/"),
        ("https://user:pw@news.example.org/a", "https://news.example.org/a"),
        ("https://news.example.org/a b", "https://news.example.org/a%20b"),
        ("https://news.example.org/100%", "https://news.example.org/100%25"),
        ("https://news.example.org:8080/a", "https://news.example.org:8080/a"),
        ("https://[::1]:80/a", "https://[::1]:80/a"),
        ("https://news.example.org:99999/a", None),
        ("https://news.example.org:secret/a", None),
        ("https://exa mple.org/a", None),
        ("news/page", None),
        ("ftp://news.example.org/a", None),
        ("https:///a", None),
        ("https://[zz]/a", None),
    ],
)
def test_urls_cleaned_or_left_out(given_url: str, kept: str | None) -> None:
    assert url_of(given_url) == kept
    if kept is not None:
        assert readable(kept)


@given(st.text())
def test_any_string_as_a_url_gives_a_valid_iri_or_none(value: str) -> None:
    url = url_of(value) if value.strip() else None
    assert url is None or readable(url)


@given(st.from_regex(r"https?://[^/?#]{0,12}[/?#].{0,20}", fullmatch=True))
def test_any_web_looking_string_gives_a_valid_iri_or_none(value: str) -> None:
    url = url_of(value)
    assert url is None or readable(url)
    assert url is None or "@" not in url.split("/")[2]


def test_a_bad_url_is_a_note_and_the_record_is_built(tmp_path: Path) -> None:
    lines = [
        {"id": "good", "text": "Text one.", "url": "https://news.example.org/1"},
        {"id": "bad", "text": "Text two.", "url": "https://news.example.org:port/2"},
    ]
    path = tmp_path / "w.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines))
    notes: list[Note] = []
    items = list(iter_inputs([path], notes=notes))
    assert [(a.id, a.url) for a in items if isinstance(a, Article)] == [
        ("good", "https://news.example.org/1"),
        ("bad", None),
    ]
    assert len(items) == 2
    (note,) = notes
    assert note.source == f"{path}:2" and "url" in str(note) and "left out" in str(note)
