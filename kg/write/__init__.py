"""The files of a build: each document graph rendered apart, then assembled into six files.

:mod:`kg.write.render` turns one document graph into its :class:`kg.write.parts.DocParts`
(Turtle blocks, JSON-LD nodes, N-Quads and TriG pieces, people, validation findings);
:mod:`kg.write.assemble` merges the parts of all documents in bounded memory into
graph.ttl, graph.jsonld, graph.trig, graph.nq, validation.ttl and people.json, written
whole or not at all by :mod:`kg.write.files`. The text of terms and blocks is
:mod:`kg.write.syntax`, JSON-LD compaction :mod:`kg.write.jsonld`, people.json
:mod:`kg.write.people`. Nothing here fetches anything or depends on the order triples came in.
"""
