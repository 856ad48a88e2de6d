"""Serialising the dataset: N-Quads (sorted, so two builds compare byte for byte),
TriG and JSON-LD with every named graph, Turtle as the union of all graphs."""
from __future__ import annotations

from pyoxigraph import NamedNode, Quad, RdfFormat, Store, Triple, serialize

from ontology import PREFIXES

RDF_FORMATS = {"nquads": RdfFormat.N_QUADS, "trig": RdfFormat.TRIG, "turtle": RdfFormat.TURTLE,
               "jsonld": RdfFormat.JSON_LD}


def export_rdf(store: Store, fmt: str) -> bytes:
    if fmt == "nquads":
        lines = store.dump(format=RdfFormat.N_QUADS).splitlines(keepends=True)
        return b"".join(sorted(lines))
    if fmt == "turtle":
        union = sorted({(q.subject, q.predicate, q.object) for q in store}, key=str)
        return serialize((Triple(s, p, o) for s, p, o in union), format=RdfFormat.TURTLE, prefixes=PREFIXES)
    if fmt in RDF_FORMATS:
        return store.dump(format=RDF_FORMATS[fmt], prefixes=PREFIXES if fmt == "trig" else None)
    raise ValueError(f"unknown RDF format {fmt!r}; choose one of {', '.join(RDF_FORMATS)}")


def graph_quads(store: Store, graph: str) -> list[Quad]:
    return list(store.quads_for_pattern(None, None, None, NamedNode(graph)))
