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
from itertools import combinations

from pyoxigraph import NamedNode, Quad, Store

from ontology import CG, PROV, RDF
from ontology import iris
from .dataset import query

_LINKS = """
SELECT ?via ?org ?g WHERE {
  GRAPH ?g { ?via ?p ?org }
  VALUES ?p { cg:party cg:partner cg:hostedBy }
  FILTER(?g != <%s>)
}""" % iris.DERIVED_GRAPH

_STATED = """
SELECT ?a ?b ?g WHERE { GRAPH ?g { ?a cg:partnersWith ?b } FILTER(?g != <%s>) }""" % iris.DERIVED_GRAPH


def derived_quads(store: Store) -> list[Quad]:
    """Every quad of the derived graph, computed from the store's other graphs."""
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
    return _to_quads(edges)


def _to_quads(edges) -> list[Quad]:
    graph = NamedNode(iris.DERIVED_GRAPH)
    out = []
    for (a, b), vias in sorted(edges.items()):
        out.append(Quad(NamedNode(a), CG.partnersWith, NamedNode(b), graph))
        for via, sources in sorted(vias.items(), key=lambda kv: kv[0] or ""):
            ev = NamedNode(iris.evidence_iri(a, "partnersWith", b, via or "stated"))
            out += [Quad(ev, RDF.type, CG.Evidence, graph), Quad(ev, RDF.subject, NamedNode(a), graph),
                    Quad(ev, RDF.predicate, CG.partnersWith, graph), Quad(ev, RDF.object, NamedNode(b), graph)]
            if via:
                out.append(Quad(ev, CG.via, NamedNode(via), graph))
            out += [Quad(ev, PROV.wasDerivedFrom, NamedNode(g), graph) for g in sorted(sources)]
    return out
