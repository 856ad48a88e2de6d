"""The organisation network page's data: organisations joined directly by their partnerships.

Built on the partnership graph (`network.partnership_graph`: an edge per partner pair, with the agreements
and programmes behind it), so a partnership through an agreement or programme is one edge between the two
organisations, labelled with what links them, rather than two edges through a hidden node. Plain data
only (dicts of lists); the web layer renders it.

Readable at any size: a network larger than the node limit is drawn either as its Louvain communities
(seeded, so stable; one node per community, opened on demand with `cluster_members`) or as the top
organisations by a centrality. Filters on theme (narrower themes included), period, organisation type and
region decide the node set; positions are computed here (a seeded spring layout), so the browser draws
without running a physics simulation and a redrawn or re-shown node comes back where it was.
"""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from math import sqrt
from typing import Literal

import networkx as nx
from pyoxigraph import Store

from collabgraph.ontology import iris, superclasses
from collabgraph.ontology import label as class_label

from . import label_space, network
from .dataset import query, rows
from .derive import partnership_edges
from .short_labels import short_labels

#: Above the node limit: communities, or the top organisations by a centrality (one of MEASURES).
ModeName = Literal["clusters", "top"]
MeasureName = Literal["degree", "betweenness", "eigenvector"]
#: Edges list at most this many agreements and programmes each (their count is always given).
LINKS_PER_EDGE = 12
#: A community opened on the page draws at most this many members (the best connected).
MAX_MEMBERS = 2000
#: Filtered graphs (and their communities and centralities) kept per build, and drawings kept per graph.
CACHED_FILTERS = 16
CACHED_DRAWINGS = 8
ISOLATED = "no partnerships in this selection"
#: Parts up to this many nodes get one spring layout; larger ones are laid out community by community.
DIRECT_LAYOUT = 300
#: Room between the parts of a disconnected drawing, and around a lone node.
GAP = 60.0
#: Node radius and label size (canvas units) of organisations by partners, communities by members.
ORG_STYLE = label_space.Style(radius=(7.0, 28.0), font=(12.0, 18.0))
CLUSTER_STYLE = label_space.Style(radius=(9.0, 48.0), font=(12.0, 26.0))
#: Communities of at most SMALL_GROUP organisations partnering only among themselves are drawn as one
#: node when there are at least MIN_SMALL_GROUPS of them.
SMALL_GROUP = 5
#: A community's label: its best-connected member's name, shortened to this many characters.
CLUSTER_LABEL = 26
MIN_SMALL_GROUPS = 4
#: Drawings up to this many organisations are pushed apart until no node or label covers another.
SEPARATED = 150


@dataclass(frozen=True)
class Filters:
    """What decides the node set: a theme IRI (narrower themes count), organisation classes (subclasses
    count), a region, and a period on the agreements' and programmes' dates (YYYY, YYYY-MM or YYYY-MM-DD)."""

    theme: str | None = None
    types: frozenset[str] = frozenset()
    region: str | None = None
    since: str | None = None
    until: str | None = None

    @property
    def on_links(self) -> bool:
        return bool(self.theme or self.since or self.until)


@dataclass
class Selection:
    """A filtered graph with what the page may ask of it, each computed at most once."""

    graph: nx.Graph
    _communities: list[list[str]] | None = None
    _scores: dict[str, dict[str, float]] = field(default_factory=dict)
    #: Drawings made (positions are the slow part), by (limit, mode, measure) or opened community.
    drawings: dict[tuple, dict] = field(default_factory=dict)

    lock: threading.Lock = field(default_factory=threading.Lock)

    def drawing(self, key: tuple, draw) -> dict:
        """The drawing under `key`, made once (requests for the same selection wait for each other)."""
        with self.lock:
            return self._drawing(key, draw)

    def _drawing(self, key: tuple, draw) -> dict:
        if key not in self.drawings:
            if len(self.drawings) >= CACHED_DRAWINGS:
                self.drawings.pop(next(iter(self.drawings)))
            self.drawings[key] = draw()
        return self.drawings[key]

    def communities(self) -> list[list[str]]:
        """Louvain communities, largest first; then the small groups partnering only among themselves as
        one group (dozens of them would each be a node too small to read), and the organisations with no
        partnership here as one group."""
        if self._communities is None:
            g = self.graph
            alone = sorted(n for n in g if g.degree(n) == 0)
            linked = network.communities(g.subgraph(n for n in g if g.degree(n)))
            small = [c for c in linked if len(c) <= SMALL_GROUP and _separate_group(g, c)]
            if len(small) < MIN_SMALL_GROUPS:
                small = []
            kept = [c for c in linked if c not in small]
            merged = sorted(n for c in small for n in c)
            self._communities = kept + [c for c in (merged, alone) if c]
        return self._communities

    def scores(self, measure: str) -> dict[str, float]:
        if measure not in self._scores:
            self._scores[measure] = _centrality(self.graph, measure)
        return self._scores[measure]


class OrgNetwork:
    """The partnership graph of one build with the facts its filters and labels need (made once per build)."""

    def __init__(self, store: Store, graph: nx.Graph) -> None:
        self.graph = graph
        self.vias = _via_facts(store)
        self.stated = _stated_pairs(store)
        self.regions = _regions(store)
        self.themes = _theme_choices(store)
        self.labels = short_labels({n: d["name"] for n, d in graph.nodes(data=True)})
        self.cluster_labels = short_labels({n: d["name"] for n, d in graph.nodes(data=True)}, CLUSTER_LABEL)
        self.via_labels = short_labels({v: f["name"] for v, f in self.vias.items()})
        self._selections: dict[tuple, Selection] = {}
        self._lock = threading.Lock()

    # --- choosing the node set -------------------------------------------------------------------------

    def select(self, filters: Filters, ego: str | None = None, depth: int = 1) -> Selection:
        """The organisations and partnerships that pass the filters (within `depth` of `ego` when given)."""
        key = (filters, ego, depth)
        with self._lock:
            return self._select(key)

    def _select(self, key: tuple) -> Selection:
        filters, ego, depth = key
        if key not in self._selections:
            if len(self._selections) >= CACHED_FILTERS:
                self._selections.pop(next(iter(self._selections)))
            self._selections[key] = Selection(self._filtered(filters, ego, depth))
        return self._selections[key]

    def _filtered(self, filters: Filters, ego: str | None, depth: int) -> nx.Graph:
        g = self.graph
        keep = {n for n in g if n == ego or self._passes(n, filters)}
        out = nx.Graph()
        for a, b, data in g.subgraph(keep).edges(data=True):
            vias = [v for v in data.get("via") or () if self._via_passes(v, filters)]
            stated = frozenset((a, b)) in self.stated and not filters.on_links
            if vias or stated:
                out.add_edge(a, b, via=vias, stated=stated)
        if not filters.on_links:  # a filter on links keeps only the organisations it links
            out.add_nodes_from(keep)
        if ego is not None:
            out.add_node(ego)
            out = nx.ego_graph(out, ego, radius=depth)
        for n in out:
            out.nodes[n].update(g.nodes[n])
        return out

    def _passes(self, org: str, f: Filters) -> bool:
        cls = self.graph.nodes[org].get("type") or "Organisation"
        return ((not f.types or bool(f.types & {cls, *superclasses(cls)}))
                and (f.region is None or self.regions.get(org) == f.region))

    def _via_passes(self, via: str, f: Filters) -> bool:
        facts = self.vias.get(via)
        if facts is None:
            return not f.on_links
        date = facts["date"]
        return ((f.theme is None or f.theme in facts["themes"])
                and (f.since is None or (date is not None and _upper(date) >= _lower(f.since)))
                and (f.until is None or (date is not None and _lower(date) <= _upper(f.until))))

    # --- the page ----------------------------------------------------------------------------------------

    def view(self, filters: Filters, limit: int, mode: str = "clusters", measure: str = "degree",
             ego: str | None = None, depth: int = 1) -> dict:
        """Nodes (organisations, or communities), edges, legend and counts of the selection, drawable as is."""
        sel = self.select(filters, ego, depth)
        return sel.drawing(("view", limit, mode, measure), lambda: self._view(sel, limit, mode, measure, ego, depth))

    def _view(self, sel: Selection, limit: int, mode: str, measure: str, ego: str | None, depth: int) -> dict:
        g = sel.graph
        base = {"limit": limit, "mode": mode, "measure": measure, "total_nodes": len(g),
                "total_edges": g.number_of_edges(), "ego": self._summary(ego, g) if ego else None, "depth": depth}
        if len(g) <= limit:
            return {**base, "drawn": "organisations", "notice": None, **self._organisations(g, list(g), ego)}
        if mode == "top":
            scores = sel.scores(measure)
            chosen = sorted(g, key=lambda n: (n != ego, -scores[n], self.labels[n].lower(), n))[:limit]
            notice = (f"{len(g)} organisations match: showing the {limit} with the highest {measure} "
                      "(the node limit). Raise the limit, filter, or choose communities.")
            return {**base, "drawn": "top", "notice": notice, **self._organisations(g, chosen, ego)}
        notice = (f"{len(g)} organisations match, more than the node limit of {limit}: each node is a community "
                  "of organisations that partner mostly with each other. Click one to open it.")
        return {**base, "drawn": "clusters", "notice": notice, **self._clusters(sel)}

    def cluster_members(self, filters: Filters, index: int, ego: str | None = None, depth: int = 1) -> dict:
        """One community opened: its members (positions around 0, 0), their partnerships among themselves,
        and each partnership leaving it (to an organisation and the community that holds it)."""
        sel = self.select(filters, ego, depth)
        groups = sel.communities()
        if not 0 <= index < len(groups):
            raise IndexError(f"cluster {index}: there are {len(groups)} communities in this selection (0 to "
                             f"{len(groups) - 1}); take the numbers from the page's cluster nodes")
        return sel.drawing(("cluster", index), lambda: self._cluster(sel, index, ego))

    def _cluster(self, sel: Selection, index: int, ego: str | None) -> dict:
        groups = sel.communities()
        g, members = sel.graph, groups[index]
        shown = sorted(members, key=lambda n: (-g.degree(n), n))[:MAX_MEMBERS]
        drawn = self._organisations(g, shown, ego)
        group_of = {m: i for i, group in enumerate(groups) for m in group}
        inside = set(shown)
        leaving = [self._edge(a, b, g.edges[a, b]) | {"to_cluster": group_of[b]}
                   for a in shown for b in g[a] if b not in inside and group_of[b] != index]
        return {"cluster": index, "size": len(members), "drawn": len(shown),
                "notice": None if len(shown) == len(members) else
                f"showing the {len(shown)} best-connected of its {len(members)} members",
                "nodes": drawn["nodes"], "edges": drawn["edges"], "leaving": leaving}

    def partners(self, org: str) -> list[dict]:
        """The organisation's partners in the whole network, best connected first, with what links them."""
        g = self.graph
        return [{**self._org_summary(b), "links": self._links(g.edges[org, b].get("via") or [],
                                                              frozenset((org, b)) in self.stated)}
                for b in sorted(g[org], key=lambda b: (-g.degree(b), self.labels[b].lower()))]

    def choices(self) -> dict:
        """What the page's filters offer: themes, regions and organisation types present."""
        types = Counter(d.get("type") or "Organisation" for _, d in self.graph.nodes(data=True))
        return {"themes": self.themes, "regions": sorted(set(self.regions.values())),
                "types": _legend(types)}

    # --- drawing -----------------------------------------------------------------------------------------

    def _organisations(self, g: nx.Graph, chosen: list[str], ego: str | None) -> dict:
        sub = g.subgraph(chosen)
        style = ORG_STYLE.of({n: g.degree(n) + 1 for n in chosen})
        boxes = {n: label_space.box(self.labels[n], *style[n]) for n in chosen} if len(chosen) <= SEPARATED else None
        pos = _layout(sub, center=ego, boxes=boxes)
        nodes = [self._node(n, g, pos[n], n == ego) | _drawn(*style[n]) for n in sorted(chosen)]
        edges = [self._edge(a, b, data) for a, b, data in sorted(sub.edges(data=True))]
        return {"nodes": nodes, "edges": edges, "legend": _legend(Counter(n["type"] for n in nodes))}

    def _node(self, n: str, g: nx.Graph, xy, focus: bool) -> dict:
        cls = g.nodes[n].get("type") or "Organisation"
        node = {**self._org_summary(n), "kind": "organisation", "type_label": class_label(cls),
                "degree": g.degree(n), "value": g.degree(n) + 1, "x": round(float(xy[0]), 1),
                "y": round(float(xy[1]), 1), "group": cls}  # vis-network group: colour by type
        if focus:
            node["focus"] = True
        return node

    def _org_summary(self, n: str) -> dict:
        data = self.graph.nodes[n]
        return {"id": n, "entity_id": data["id"], "name": data["name"], "label": self.labels[n],
                "type": data.get("type") or "Organisation", "region": self.regions.get(n)}

    def _summary(self, n: str, g: nx.Graph) -> dict:
        return {**self._org_summary(n), "partners": g.degree(n)}

    def _edge(self, a: str, b: str, data: dict) -> dict:
        links = self._links(data.get("via") or [], data["stated"])
        return {"from": a, "to": b, "value": len(links),
                "link_count": len(links), "links": links[:LINKS_PER_EDGE]}

    def _links(self, vias: list[str], stated: bool) -> list[dict]:
        """The agreements and programmes behind a partnership in name order, then `stated` if a source says so."""
        found = [{"kind": self.vias[v]["kind"], "id": iris.local_id(v), "name": self.vias[v]["name"],
                  "label": self.via_labels[v], "date": self.vias[v]["date"]} for v in vias if v in self.vias]
        found.sort(key=lambda x: (x["name"].lower(), x["id"]))
        if stated:
            found.append({"kind": "stated", "id": None, "name": "stated by a source", "label": "stated", "date": None})
        return found

    def _clusters(self, sel: Selection) -> dict:
        g, groups = sel.graph, sel.communities()
        group_of = {m: i for i, group in enumerate(groups) for m in group}
        weights: Counter = Counter()
        for a, b in g.edges():
            if group_of[a] != group_of[b]:
                weights[tuple(sorted((group_of[a], group_of[b])))] += 1
        quotient = nx.Graph()
        quotient.add_nodes_from(range(len(groups)))
        quotient.add_weighted_edges_from((a, b, w) for (a, b), w in weights.items())
        nodes = [self._cluster_node(i, members, g) for i, members in enumerate(groups)]
        # The groups of isolated organisations and of small separate groups are drawn no larger than the
        # largest community: hundreds of unlinked organisations would otherwise dwarf every community.
        linked = [len(group) for group in groups if nx.is_connected(g.subgraph(group))]
        cap = max(linked, default=max(map(len, groups), default=1))
        style = CLUSTER_STYLE.of({i: min(len(group), cap) for i, group in enumerate(groups)})
        pos = _cluster_layout(quotient, {i: label_space.box(nodes[i]["label"], *style[i]) for i in quotient})
        for i, node in enumerate(nodes):
            node.update(x=round(pos[i][0], 1), y=round(pos[i][1], 1), **_drawn(*style[i]))
        edges = [{"from": f"cluster:{a}", "to": f"cluster:{b}", "value": w,
                  "pairs": w} for (a, b), w in sorted(weights.items())]
        return {"nodes": nodes, "edges": edges, "legend": _legend(Counter(d.get("type") or "Organisation"
                                                                          for _, d in g.nodes(data=True)))}

    def _cluster_node(self, i: int, members: list[str], g: nx.Graph) -> dict:
        best = sorted(members, key=lambda n: (-g.degree(n), self.labels[n].lower(), n))
        alone = all(g.degree(m) == 0 for m in members)
        parts = nx.number_connected_components(g.subgraph(members))
        # The best-connected member's name, shortened further (a narrower label packs tighter).
        name = self.cluster_labels[best[0]]
        label = (f"{len(members)} organisations\nwith {ISOLATED}" if alone and len(members) > 1
                 else f"{len(members)} organisations\nin {parts} small separate groups" if parts > 1
                 else name + (f"\n+{len(members) - 1} more" if len(members) > 1 else ""))
        return {"id": f"cluster:{i}", "kind": "cluster", "cluster": i, "type": "cluster", "label": label,
                "name": f"community of {len(members)}: " + ", ".join(g.nodes[n]["name"] for n in best[:5])
                        + (" …" if len(members) > 5 else ""),
                "size": len(members), "members": [iris.local_id(m) for m in best], "value": len(members),
                "group": "cluster"}


# ----------------------------------------------------------------------------------- helpers

def _spread(n: int) -> float:
    """Layout radius that keeps about the same room per node at any size."""
    return 80.0 * sqrt(max(n, 1))


def _drawn(radius: float, font: float) -> dict:
    """A node's drawn size: its radius and label size in canvas units (the browser draws them as given)."""
    return {"radius": radius, "font_size": font}


def _ordered(g: nx.Graph, nodes) -> nx.Graph:
    """The subgraph on `nodes` with nodes and edges in sorted order: a seeded layout depends on the order it
    meets them, and a graph's order follows the store's answers and set iteration, which vary between runs."""
    sub = nx.Graph()
    sub.add_nodes_from(sorted(nodes))
    sub.add_edges_from(sorted((min(a, b), max(a, b), d) for a, b, d in g.subgraph(nodes).edges(data=True)))
    return sub


def _layout(g: nx.Graph, center: str | None = None, boxes: dict | None = None) -> dict:
    """Seeded positions (the same graph is drawn the same way): each connected part by a spring layout, the
    parts packed in rows, largest first (one spring layout of a disconnected graph leaves the big parts in a
    clump and flings the small ones to a far ring). `boxes` (label_space.box of each node): the nodes of each part
    are then pushed apart until no node or label covers another. The ego, if any, at the centre."""
    parts = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c[0]))
    placed = []
    for part in parts:
        radius = _spread(len(part)) if len(part) > 1 else 0.0
        pos = _part_layout(g, part, radius)
        if boxes is not None:
            pos = label_space.separate(pos, boxes)
            left, top, right, bottom = label_space.extent(pos, boxes)
            radius = max(right - left, bottom - top) / 2
            pos = {n: (x - (left + right) / 2, y - (top + bottom) / 2) for n, (x, y) in pos.items()}
        placed.append((pos, radius))
    width = sqrt(sum((2 * r + GAP) ** 2 for _, r in placed)) * 1.2
    out: dict = {}
    x = y = row = 0.0
    for pos, radius in placed:
        size = 2 * radius + GAP
        if x and x + size > width:
            x, y, row = 0.0, y + row, 0.0
        out.update({n: (px + x + size / 2, py + y + size / 2) for n, (px, py) in pos.items()})
        x, row = x + size, max(row, size)
    cx, cy = out[center] if center in out else (width / 2, (y + row) / 2)
    return {n: (px - cx, py - cy) for n, (px, py) in out.items()}


def _cluster_layout(quotient: nx.Graph, boxes: dict) -> dict:
    """Communities as compact as their labels allow: those linked to the largest linked group by a spring
    layout weighted by the partnerships between them, pushed apart until no label covers another; the rest
    (small separate groups, the organisations with no partnership) in rows under it, largest first, no wider
    than it (a long row of them, or one far away, would make fitting the drawing shrink it to ticks)."""
    linked: set = max(nx.connected_components(quotient), key=len, default=set())
    main = sorted(linked) if len(linked) > 1 else []
    pos: dict = {}
    left = bottom = 0.0
    width = sqrt(sum(boxes[n][0] * boxes[n][1] for n in quotient))
    if main:
        # Started stretched by the boxes' shape (labels are wider than tall), so pushing them apart keeps
        # the drawing about as wide as tall instead of stacking it in a column.
        side = sqrt(len(main)) / 2
        wide = side * sum(boxes[n][0] for n in main) / len(main)
        tall = side * sum(boxes[n][1] for n in main) / len(main)
        start = nx.spring_layout(_ordered(quotient, main), weight="weight", seed=network.LOUVAIN_SEED)
        pos = label_space.separate({n: (x * wide, y * tall) for n, (x, y) in start.items()}, boxes)
        left, top, right, bottom = label_space.extent(pos, boxes)
        width = max(right - left, width * 0.8)
    rest = sorted((n for n in quotient if n not in linked or not main), key=lambda n: (-boxes[n][1], n))
    pos.update(label_space.rows(rest, boxes, width, left, bottom + (GAP if main else 0.0)))
    return pos


def _part_layout(g: nx.Graph, part: list[str], radius: float) -> dict:
    """A connected part: a spring layout when small; else its communities placed by a spring layout of the
    graph between them, each laid out around its place (networkx's spring layout needs scipy, which this
    project does not install, above 500 nodes, and takes seconds there)."""
    if len(part) == 1:
        return {part[0]: (0.0, 0.0)}
    if len(part) <= DIRECT_LAYOUT:
        return nx.spring_layout(_ordered(g, part), seed=network.LOUVAIN_SEED, scale=radius)
    groups = network.communities(g.subgraph(part))
    if len(groups) == 1 or len(groups) > DIRECT_LAYOUT:
        return nx.circular_layout(_ordered(g, part), scale=radius)
    group_of = {m: i for i, group in enumerate(groups) for m in group}
    between = nx.Graph()
    between.add_nodes_from(range(len(groups)))
    between.add_edges_from((group_of[a], group_of[b]) for a, b in g.subgraph(part).edges() if group_of[a] != group_of[b])
    centres = nx.spring_layout(between, seed=network.LOUVAIN_SEED, scale=radius)
    out = {}
    for i, group in enumerate(groups):
        cx, cy = centres[i]
        inner = _part_layout(g, group, _spread(len(group)) / 2) if len(group) > 1 else {group[0]: (0.0, 0.0)}
        out.update({n: (cx + x, cy + y) for n, (x, y) in inner.items()})
    return out


def _separate_group(g: nx.Graph, members: list[str]) -> bool:
    """Whether no partnership leaves the group."""
    inside = set(members)
    return all(b in inside for a in members for b in g[a])


def _centrality(g: nx.Graph, measure: str) -> dict[str, float]:
    if measure == "betweenness":
        return network.betweenness(g)
    if measure == "eigenvector":
        try:
            return nx.eigenvector_centrality(g, max_iter=500, tol=1e-6)
        except nx.PowerIterationFailedConvergence:  # pathological graphs: degree is the honest fallback
            return {n: float(d) for n, d in g.degree()}
    return {n: float(d) for n, d in g.degree()}


def _legend(counts: Counter) -> list[dict]:
    return [{"type": t, "label": class_label(t), "count": n} for t, n in sorted(counts.items())]


def _lower(date: str) -> str:
    """The first day of a date's period: 2024 -> 2024-01-01, 2024-10 -> 2024-10-01."""
    return date + "-01-01"[len(date) - 4:] if len(date) < 10 else date


def _upper(date: str) -> str:
    """The last day (as text, for comparison) of a date's period: 2024 -> 2024-12-31, 2024-10 -> 2024-10-31."""
    return date + "-12-31"[len(date) - 4:] if len(date) < 10 else date


def _via_facts(store: Store) -> dict[str, dict]:
    """Every agreement and programme: name, kind, earliest signed or start date, themes with their broader ones."""
    _, found = rows(query(store, """SELECT ?v ?kind (MIN(STR(?n)) AS ?name) WHERE {
        { ?v a cg:Agreement BIND("agreement" AS ?kind) } UNION { ?v a cg:Programme BIND("programme" AS ?kind) }
        OPTIONAL { ?v cg:name ?n } } GROUP BY ?v ?kind"""))
    facts = {r["v"]: {"kind": r["kind"], "name": r.get("name") or iris.local_id(r["v"]), "date": None, "themes": set()}
             for r in found}
    _, dates = rows(query(store, "SELECT ?v (MIN(STR(?d)) AS ?date) WHERE { ?v cg:signedDate|cg:startDate ?d } GROUP BY ?v"))
    for r in dates:
        if r["v"] in facts:
            facts[r["v"]]["date"] = r["date"]
    _, themes = rows(query(store, "SELECT DISTINCT ?v ?t WHERE { ?v cg:hasTheme ?x . ?x skos:broader* ?t }"))
    for r in themes:
        if r["v"] in facts:
            facts[r["v"]]["themes"].add(r["t"])
    return facts


def _stated_pairs(store: Store) -> set[frozenset]:
    """The partner pairs a source states directly (the partnership graph keeps only the agreements and
    programmes behind an edge)."""
    return {frozenset(pair) for pair, vias in partnership_edges(store).items() if None in vias}


def _regions(store: Store) -> dict[str, str]:
    _, found = rows(query(store, "SELECT ?o (MIN(STR(?r)) AS ?region) WHERE { ?o a cg:Organisation ; cg:region ?r } GROUP BY ?o"))
    return {r["o"]: r["region"] for r in found}


def _theme_choices(store: Store) -> list[dict]:
    _, found = rows(query(store, "SELECT ?t (MIN(STR(?n)) AS ?name) WHERE { ?t a cg:Theme ; cg:name ?n } GROUP BY ?t"))
    return sorted(({"id": iris.local_id(r["t"]), "iri": r["t"], "name": r["name"]} for r in found),
                  key=lambda t: t["name"].lower())

