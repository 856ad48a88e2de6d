"""Network analysis of the dataset with networkx: centrality, communities, brokers, paths, ego networks.

The graphs are built from the same SPARQL projection as the property graph
(``graph.property.projection``), so an organisation's partners are the same
here, in Cypher and in SPARQL. Nodes are keyed by IRI.

* ``partnership_graph``: organisations and ``partnersWith`` (undirected), edge
  attributes ``via`` (agreements and programmes) and ``sources``;
* ``entity_graph``: every entity and relation (a MultiDiGraph keyed by
  predicate), for views and for GraphML / GEXF export to Gephi.
"""
from __future__ import annotations

import io

import networkx as nx
from pyoxigraph import Store

from collabgraph.ontology import iris

from .property.projection import Projection, project

LOUVAIN_SEED = 42
#: Exact betweenness runs one breadth-first search per node: nodes x (nodes + edges) steps, over a minute in
#: networkx at 5,000 organisations. Above this many steps (about 10 s) it is estimated from a seeded sample
#: of source nodes (networkx's ``k``) sized to the same work, so it takes a bounded time at any size.
BETWEENNESS_WORK = 5_000_000
BETWEENNESS_MIN_SAMPLE = 32
GRAPH_FORMATS = ("graphml", "gexf")


def partnership_graph(store: Store | Projection) -> nx.Graph:
    """Organisations (attrs iri, id, name, type) joined by partnersWith (attrs via, sources)."""
    p = store if isinstance(store, Projection) else project(store)
    g = nx.Graph()
    for n in p.nodes:
        if n.kind == "Organisation":
            g.add_node(n.iri, iri=n.iri, id=n.props["id"], name=n.props.get("name", n.props["id"]), type=n.type)
    for r in p.relationships:
        if r.predicate == "partnersWith" and r.start in g and r.end in g:
            g.add_edge(r.start, r.end, via=r.props.get("via", []), sources=r.props.get("sources", []))
    return g


def entity_graph(store: Store | Projection) -> nx.MultiDiGraph:
    """Every entity (attrs kind, type, name, aliases, id) and relation (edge key and attr predicate)."""
    p = store if isinstance(store, Projection) else project(store)
    g = nx.MultiDiGraph()
    for n in p.nodes:
        g.add_node(n.iri, iri=n.iri, id=n.props["id"], kind=n.kind, type=n.type,
                   name=n.props.get("name", n.props["id"]), aliases=n.props.get("aliases", []))
    for r in p.relationships:
        g.add_edge(r.start, r.end, key=r.predicate, predicate=r.predicate, **r.props)
    return g


def node_key(g: nx.Graph, node: str) -> str:
    """The graph key of a node given as IRI or local id ('organisation/ror-...'); KeyError naming it if absent."""
    key = iris.from_local_id(node)
    if key not in g:
        raise KeyError(f"{node}: no such organisation or entity in the graph (give an IRI or an id such as "
                       f"organisation/<slug>)")
    return key


def betweenness(g: nx.Graph) -> dict[str, float]:
    """Betweenness centrality of every node: exact up to BETWEENNESS_WORK, else a seeded (repeatable) estimate."""
    simple = nx.Graph(g)
    nodes, size = len(simple), len(simple) + simple.number_of_edges()
    sample = None if nodes * size <= BETWEENNESS_WORK else max(BETWEENNESS_MIN_SAMPLE, BETWEENNESS_WORK // size)
    return nx.betweenness_centrality(simple, k=min(sample, nodes) if sample else None, seed=LOUVAIN_SEED)


def centrality(g: nx.Graph, between: dict[str, float] | None = None) -> list[dict]:
    """Degree and betweenness of every node, most between first (``between`` when it is already known)."""
    simple = nx.Graph(g)
    degree = nx.degree_centrality(simple) if len(simple) > 1 else {n: 0.0 for n in simple}
    between = betweenness(simple) if between is None else between
    rows = [{"iri": n, "id": g.nodes[n].get("id", n), "name": g.nodes[n].get("name", n), "degree": simple.degree(n),
             "degree_centrality": round(degree[n], 6), "betweenness": round(between[n], 6)} for n in simple]
    return sorted(rows, key=lambda r: (-r["betweenness"], -r["degree"], r["iri"]))


def communities(g: nx.Graph, seed: int = LOUVAIN_SEED) -> list[list[str]]:
    """Louvain communities (seeded, so the same graph gives the same answer), largest first, members sorted."""
    found = nx.community.louvain_communities(nx.Graph(g), seed=seed)
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))


def brokers(g: nx.Graph, top: int = 10, between: dict[str, float] | None = None) -> list[dict]:
    """Articulation points (their removal splits the network) and the ``top`` highest-betweenness nodes."""
    simple = nx.Graph(g)
    cut = set(nx.articulation_points(simple))
    between = betweenness(simple) if between is None else between
    ranked = [n for n in sorted(between, key=lambda n: (-between[n], n)) if between[n] > 0][:top]
    chosen = cut | set(ranked)
    rows = [{"iri": n, "id": g.nodes[n].get("id", n), "name": g.nodes[n].get("name", n), "articulation_point": n in cut,
             "betweenness": round(between[n], 6)} for n in chosen]
    return sorted(rows, key=lambda r: (-r["betweenness"], r["iri"]))


def shortest_path(g: nx.Graph, a: str, b: str, max_hops: int = 4) -> list[str] | None:
    """The nodes of a shortest path from a to b of at most ``max_hops`` edges, or None if there is none."""
    source, target = node_key(g, a), node_key(g, b)
    try:
        path = nx.shortest_path(g.to_undirected(as_view=True) if g.is_directed() else g, source, target)
    except nx.NetworkXNoPath:
        return None
    return path if len(path) - 1 <= max_hops else None


def ego_network(g: nx.Graph, node: str, depth: int = 1) -> nx.Graph:
    """The node, everything within ``depth`` hops (either direction) and the edges among them."""
    return nx.ego_graph(g, node_key(g, node), radius=depth, undirected=True)


def export_graph(g: nx.Graph, fmt: str) -> bytes:
    """GraphML (node ids are IRIs) or GEXF (ids are local ids, labels are names) for Gephi; edge ids e0, e1 ...

    List attributes become '; '-joined strings: neither format has lists.
    """
    if fmt not in GRAPH_FORMATS:
        raise ValueError(f"unknown graph format {fmt!r}; choose one of {', '.join(GRAPH_FORMATS)}")
    flat = g.copy()
    for _, attrs in flat.nodes(data=True):
        _flatten(attrs)
        if fmt == "gexf":
            attrs["label"] = attrs.get("name", "")  # Gephi shows the label; GEXF ids are the local ids
    for number, (*_, attrs) in enumerate(flat.edges(data=True)):
        _flatten(attrs)
        attrs["id"] = f"e{number}"  # unique; GraphML would otherwise use the edge key, the predicate, repeated
    buf = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(flat, buf, edge_id_from_attribute="id")
    else:
        nx.write_gexf(flat, buf)
    return buf.getvalue()


def _flatten(attrs: dict) -> None:
    for key, value in list(attrs.items()):
        if value is None:
            del attrs[key]
        elif isinstance(value, (list, tuple, set)):
            attrs[key] = "; ".join(sorted(map(str, value)))
