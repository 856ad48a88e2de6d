"""The derived graph: facts computed from the asserted ones at every build.

``partnersWith`` holds between two organisations that are parties to the same
agreement, partners in the same programme, or host and partner of a programme
(a funder is not a partner by funding alone), and in both directions of every
partnership a source states directly. Each derived edge has a cg:Evidence node
naming the agreement or programme it goes through (cg:via) and the sources
that support it (prov:wasDerivedFrom).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from itertools import combinations

from pyoxigraph import NamedNode, Quad, Store

from collabgraph.ontology import CG, PROV, RDF, iris

from .dataset import query

_LINKS = """
SELECT ?via ?org ?g WHERE {
  GRAPH ?g { ?via ?p ?org }
  VALUES ?p { cg:party cg:partner cg:hostedBy }
  FILTER(?g != <%s>)
}""" % iris.DERIVED_GRAPH

_STATED = """
SELECT ?a ?b ?g WHERE { GRAPH ?g { ?a cg:partnersWith ?b } FILTER(?g != <%s>) }""" % iris.DERIVED_GRAPH


#: {(a, b): {agreement or programme IRI, or None when stated: the source graphs that support it}}, both directions.
Edges = dict[tuple[str, str], dict[str | None, set[str]]]


def derived_quads(store: Store) -> Iterator[Quad]:
    """Every quad of the derived graph, computed from the store's other graphs (streamed: there can be millions)."""
    return _to_quads(partnership_edges(store))


def partnership_edges(store: Store) -> Edges:
    """The partnerships the derived graph holds, computed from the asserted links.

    The property-graph projection reads them from here rather than from the derived
    graph: the few asserted links are far quicker to read than the evidence built on them.
    """
    members: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for s in query(store, _LINKS):
        members[s["via"].value][s["org"].value].add(s["g"].value)
    edges: dict[tuple[str, str], dict[str | None, set[str]]] = defaultdict(lambda: defaultdict(set))
    for via, orgs in members.items():
        for a, b in combinations(sorted(orgs), 2):
            support = orgs[a] | orgs[b]
            edges[(a, b)][via] |= support
            edges[(b, a)][via] |= support
    for s in query(store, _STATED):
        a, b, g = s["a"].value, s["b"].value, s["g"].value
        if a != b:
            edges[(a, b)][None].add(g)
            edges[(b, a)][None].add(g)
    return edges


def _to_quads(edges) -> Iterator[Quad]:
    graph = NamedNode(iris.DERIVED_GRAPH)
    for (a, b), vias in sorted(edges.items()):
        yield Quad(NamedNode(a), CG.partnersWith, NamedNode(b), graph)
        for via, sources in sorted(vias.items(), key=lambda kv: kv[0] or ""):
            ev = NamedNode(iris.evidence_iri(a, "partnersWith", b, via or "stated"))
            yield from (Quad(ev, RDF.type, CG.Evidence, graph), Quad(ev, RDF.subject, NamedNode(a), graph),
                        Quad(ev, RDF.predicate, CG.partnersWith, graph), Quad(ev, RDF.object, NamedNode(b), graph))
            if via:
                yield Quad(ev, CG.via, NamedNode(via), graph)
            yield from (Quad(ev, PROV.wasDerivedFrom, NamedNode(g), graph) for g in sorted(sources))
