"""The interactive network views, rendered on the server and fully offline.

pyvis assembles the vis-network nodes, edges and options; the page is our own
template (`templates/network.html`, on the site's `base.html`), not pyvis's, because pyvis's template
loads vis-network and Bootstrap from CDNs whatever `cdn_resources` says,
switches to a raw-HTML popup for titles containing `href`, and renders with a
Jinja environment that does not autoescape. The server's pages load vis-network
and the page script (`static/view.js`) as static files of this server (cached,
`script-src 'self'`); `standalone_page` inlines them instead, for a page that must
stand alone (a notebook's iframe). Text from documents (names, aliases, themes)
never meets an HTML parser: it travels as JSON inside a `<script type="application/json">`
block with `<`, `>` and `&` escaped, is drawn on the canvas, and reaches the DOM only
through `textContent`.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from urllib.parse import quote

import networkx as nx
import pyvis
from markupsafe import Markup
from pyvis.network import Network

from collabgraph.graph.entities import ROUTES
from collabgraph.graph.short_labels import short_labels
from collabgraph.ontology import iris, kind_of, superclasses
from collabgraph.ontology import label as class_label

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
VIS = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"

#: Colour by organisation type, and by kind for everything else.
COLOURS = {
    "University": "#1f77b4", "NHSTrust": "#2ca02c", "LocalAuthority": "#ff7f0e", "GovernmentBody": "#d62728",
    "ResearchNetwork": "#9467bd", "ResearchCentre": "#8c564b", "OrganisationalUnit": "#17becf",
    "OrganisationGroup": "#bcbd22", "Charity": "#e377c2", "Company": "#7f7f7f", "Organisation": "#aec7e8",
    "Person": "#f7b6d2", "Programme": "#ffbb78", "Theme": "#c5b0d5",
    "Agreement": "#98df8a", "MemorandumOfUnderstanding": "#5cb85c", "FormalPartnership": "#b5e7a0",
    "DataSharingAgreement": "#3d8b3d",
}
SHAPES = {"Organisation": "dot", "Person": "triangle", "Programme": "diamond", "Agreement": "square", "Theme": "star"}
#: Relations drawn as edges. A partnership is drawn as a partnersWith edge only when no agreement or programme
#: links the pair (otherwise that node already joins them).
EDGE_COLOURS = {"memberOf": "#d98cb3", "party": "#4c9a4c", "partner": "#e69a3a", "hostedBy": "#b5651d",
                "fundedBy": "#c03030", "partOf": "#6b8fb3", "hasTheme": "#9c87b8", "succeeds": "#888888",
                "broader": "#b0a0c8", "partnersWith": "#333333"}
OPTIONS = {
    "nodes": {"scaling": {"min": 8, "max": 40, "label": {"enabled": True, "min": 11, "max": 18}},
              "font": {"size": 12, "face": "sans-serif"}},
    "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}, "smooth": False,
              "font": {"size": 9, "align": "middle", "color": "#555555", "strokeWidth": 3}},
    "physics": {"solver": "forceAtlas2Based", "stabilization": {"enabled": True, "iterations": 400, "updateInterval": 25},
                "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 110, "avoidOverlap": 0.4}},
    "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False, "keyboard": False},
}


def network_view(graph: nx.MultiDiGraph, limit: int, title: str, focus: str | None = None,
                 theme: str | None = None, types: set[str] | None = None) -> dict:
    """The view's data (its JSON twin): nodes, edges, vis options, legend, themes and the node-limit notice.

    `theme` (an IRI) and `types` (class names) choose the nodes before the limit applies, so a limited
    view can still reach every entity of a theme or type.
    """
    themes = _themes_of(graph)
    candidates = [n for n in graph if (theme is None or theme in themes[n])
                  and (not types or _is_a(graph.nodes[n], types))]
    degree = {n: graph.degree(n) for n in graph}
    ranked = sorted(candidates, key=lambda n: (n != focus, -degree[n], graph.nodes[n].get("name", "").lower(), n))
    shown = ranked[:limit]
    sub = graph.subgraph(shown)
    net = Network(directed=True)
    net.set_options(json.dumps(OPTIONS))
    labels = short_labels({n: graph.nodes[n].get("name") or graph.nodes[n].get("id") for n in shown})
    for n in shown:
        net.add_node(n, **_node(graph.nodes[n], labels[n], degree[n], sorted(themes.get(n, ())), n == focus))
    for a, b, key, data in sorted(sub.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        if key != "partnersWith" or not data.get("via"):
            net.add_edge(a, b, **_edge(key))
    nodes, edges, *_, options = net.get_network_data()
    notice = None
    if len(candidates) > limit:
        notice = (f"Showing the {limit} best-connected of {len(candidates)} entities (the view's node limit). "
                  "Choose a theme or a type to draw the best-connected of those, or open an organisation's "
                  "own network.")
    return {"title": title, "focus": iris.local_id(focus) if focus else None, "theme": theme,
            "types": sorted(types or ()), "total_nodes": len(candidates), "shown_nodes": len(nodes),
            "limited": len(candidates) > limit, "notice": notice,
            "nodes": nodes, "edges": edges, "options": json.loads(options),
            "legend": _legend(graph, shown), "themes": _theme_choices(graph)}


def _classes(data: dict) -> tuple[str, str]:
    """(kind, most specific class) of a node; the kind follows the class, so colour, shape and route agree."""
    cls = data.get("type") or data.get("kind") or "Organisation"
    return kind_of(cls) or data.get("kind") or "Organisation", cls


def _is_a(data: dict, types: set[str]) -> bool:
    cls = _classes(data)[1]
    return bool(types & {cls, *superclasses(cls)})


def _node(data: dict, label: str, degree: int, themes: list[str], focus: bool) -> dict:
    kind, cls = _classes(data)
    name = data.get("name") or data.get("id")
    node = {"label": label, "name": name, "kind": kind, "type": cls,
            "type_label": class_label(cls), "entity_id": data.get("id"), "aliases": list(data.get("aliases") or []),
            "detail_url": f"/{ROUTES[kind]}/{quote(data.get('id'), safe='/')}", "themes": themes, "value": degree + 1,
            "color": COLOURS.get(cls, COLOURS.get(kind, "#97c2fc")), "shape": SHAPES.get(kind, "dot")}
    if focus:
        node.update(borderWidth=4, color={"background": node["color"], "border": "#000000"})
    if kind == "Organisation":
        node["ego_url"] = f"/view/organisations/{quote(data.get('id'), safe='/')}"
    return node


def _edge(relation: str) -> dict:
    return {"label": class_label(relation) if relation != "broader" else "broader", "relation": relation,
            "color": EDGE_COLOURS.get(relation, "#999999")}


def _themes_of(graph: nx.MultiDiGraph) -> dict[str, set[str]]:
    """Each node's themes: its own, those of the agreements and programmes it is linked to, and their broader themes."""
    broader = {a: {b for _, b, k in graph.out_edges(a, keys=True) if k == "broader"} for a in graph}
    own: dict[str, set[str]] = {n: set() for n in graph}
    for a, b, key in graph.edges(keys=True):
        if key == "hasTheme":
            own[a].add(b)
    for n, data in graph.nodes(data=True):
        if data.get("kind") == "Theme":
            own[n].add(n)
    out = {}
    for n in graph:
        found = set(own[n])
        for a, _, key in graph.in_edges(n, keys=True):
            if key in ("party", "partner", "hostedBy", "fundedBy"):
                found |= own[a]
        out[n] = _with_ancestors(found, broader)
    return out


def _with_ancestors(themes: set[str], broader: dict[str, set[str]]) -> set[str]:
    todo, seen = list(themes), set(themes)
    while todo:
        for parent in broader.get(todo.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def _legend(graph: nx.MultiDiGraph, shown: list[str]) -> list[dict]:
    counts: dict[tuple[str, str], int] = {}
    for n in shown:
        key = _classes(graph.nodes[n])
        counts[key] = counts.get(key, 0) + 1
    return [{"kind": kind, "type": cls, "label": class_label(cls), "count": count,
             "color": COLOURS.get(cls, COLOURS.get(kind)), "shape": SHAPES.get(kind, "dot")}
            for (kind, cls), count in sorted(counts.items(), key=lambda kv: (list(SHAPES).index(kv[0][0])
                                                                              if kv[0][0] in SHAPES else 9, kv[0][1]))]


def _theme_choices(graph: nx.MultiDiGraph) -> list[dict]:
    found = [(n, d.get("name") or n) for n, d in graph.nodes(data=True) if d.get("kind") == "Theme"]
    return [{"iri": n, "name": name} for n, name in sorted(found, key=lambda t: t[1].lower())]


# ---------------------------------------------------------------------------- rendering

@cache
def _asset(path: Path, closing: str) -> Markup:
    """A library file to inline; refused if it could end its own <script> or <style> element."""
    text = path.read_text(encoding="utf-8")
    if closing in text.lower() or "<!--" in text:
        raise RuntimeError(f"{path} contains {closing} or <!--, so it cannot be inlined safely")
    return Markup(text)


def json_for_html(value) -> Markup:
    """JSON that is safe inside <script type="application/json">: <, > and & written as \\u escapes."""
    text = json.dumps(value, ensure_ascii=False)
    return Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
                  .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def standalone_page(view: dict) -> str:
    """The network view as one self-contained HTML file (vis-network, the page script and styles inlined)."""
    from .pages import environment  # pages imports this module's TEMPLATES
    inline = {"vis_js": _asset(VIS / "vis-network.min.js", "</script"), "vis_css": _asset(VIS / "vis-network.css", "</style"),
              "page_js": _asset(STATIC / "view.js", "</script"), "network_css": _asset(STATIC / "network.css", "</style")}
    return environment().get_template("network.html").render(view=view, data=view, title=view["title"], json_url="",
                                                             data_json=json_for_html(view), inline=inline)
