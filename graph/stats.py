"""Counts that describe a dataset: entities by class, relations by predicate, sources."""
from __future__ import annotations

from pyoxigraph import Store

from collabgraph.ontology import KINDS, subclasses

from .dataset import graph_names, query, rows
from .default_graph import quad_count, triple_count


def stats(store: Store) -> dict:
    """Quads count each statement once per source graph that makes it; triples count each statement once."""
    classes = [*KINDS, *subclasses("Organisation"), *subclasses("Agreement")]
    values = " ".join(f"cg:{c}" for c in classes)
    _, by_class = rows(query(store, f"SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a ?c VALUES ?c {{ {values} }} }} GROUP BY ?c"))
    _, by_pred = rows(query(store, "SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o "
                                   "FILTER(STRSTARTS(STR(?p), STR(cg:)) && ?p NOT IN (cg:name, cg:start, cg:end, cg:sentence, "
                                   "cg:checksum, cg:path, cg:sourceKey, cg:roleTitle)) } } GROUP BY ?p"))
    graphs = graph_names(store)
    return {
        "quads": quad_count(store),
        "triples": triple_count(store),
        "graphs": len(graphs),
        "sources": sum(1 for g in graphs if "/graph/source/" in g),
        "entities": {r["c"].rsplit("#", 1)[1]: r["n"] for r in sorted(by_class, key=lambda r: r["c"])},
        "relations": {r["p"].rsplit("#", 1)[1]: r["n"] for r in sorted(by_pred, key=lambda r: r["p"])},
    }
