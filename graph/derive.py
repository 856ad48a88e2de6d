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

from .dataset import table

_LINKS = """
SELECT ?via ?p ?org ?g WHERE {
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


#: (agreement or programme, cg: predicate IRI, organisation, source graph): what makes an organisation a party to
#: an agreement or a host or partner of a programme.
Link = tuple[str, str, str, str]


def asserted_links(store: Store) -> list[Link]:
    """Every link the partnerships are computed from, as the source graphs state it."""
    return [(via, p, org, g) for via, p, org, g in table(store, _LINKS)]


def partnership_edges(store: Store, links: list[Link] | None = None) -> Edges:
    """The partnerships the derived graph holds, computed from the asserted links (``links``, when the caller
    has read them already).

    The property-graph projection reads them from here rather than from the derived
    graph: the few asserted links are far quicker to read than the evidence built on them.
    """
    members: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for via, _, org, g in (links if links is not None else table(store, _LINKS)):
        members[via][org].add(g)
    edges: dict[tuple[str, str], dict[str | None, set[str]]] = defaultdict(lambda: defaultdict(set))
    for via, orgs in members.items():
        for a, b in combinations(sorted(orgs), 2):
            support = orgs[a] | orgs[b]
            edges[(a, b)][via] |= support
            edges[(b, a)][via] |= support
    for a, b, g in table(store, _STATED):
        if a != b:
            edges[(a, b)][None].add(g)
            edges[(b, a)][None].add(g)
    return edges


def _to_quads(edges) -> Iterator[Quad]:
    graph = NamedNode(iris.DERIVED_GRAPH)
    nodes: dict[str, NamedNode] = {}  # one NamedNode per IRI: an organisation is in thousands of these quads

    def node(iri: str) -> NamedNode:
        found = nodes.get(iri)
        if found is None:
            found = nodes[iri] = NamedNode(iri)
        return found

    partners_with, evidence, subject, predicate, obj = CG.partnersWith, CG.Evidence, RDF.subject, RDF.predicate, RDF.object
    via_p, derived_from, rdf_type = CG.via, PROV.wasDerivedFrom, RDF.type
    for (a, b), vias in sorted(edges.items()):
        na, nb = node(a), node(b)
        yield Quad(na, partners_with, nb, graph)
        for via, sources in sorted(vias.items(), key=lambda kv: kv[0] or ""):
            ev = NamedNode(iris.evidence_iri(a, "partnersWith", b, via or "stated"))
            yield Quad(ev, rdf_type, evidence, graph)
            yield Quad(ev, subject, na, graph)
            yield Quad(ev, predicate, partners_with, graph)
            yield Quad(ev, obj, nb, graph)
            if via:
                yield Quad(ev, via_p, node(via), graph)
            for g in sorted(sources):
                yield Quad(ev, derived_from, node(g), graph)
