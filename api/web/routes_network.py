"""The organisation network: `/network` (HTML) and `/network.json` (the same data), datasette style.

    /network?ego=organisation/x&depth=2&theme=theme/y&type=University&region=North%20West&since=2020&until=2024
    /network?mode=top&measure=betweenness&limit=200
    /network.json?cluster=3&...same filters...      one community opened (the page asks for it on click)
"""
from __future__ import annotations

from enum import Enum
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import HTMLResponse

from collabgraph.graph.entities import NotFound
from collabgraph.graph.org_network import Filters, MeasureName, ModeName
from collabgraph.ontology import subclasses

from .context import Context, get_ctx
from .pages import html_page
from .views import COLOURS, json_for_html

router = APIRouter(tags=["views"])
#: The most organisations a page may ask to draw (browsers slow down well before the graph does).
MAX_LIMIT = 2000
CLUSTER_COLOUR = "#d9d2c3"
DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
OrgType = Enum("OrgType", {c: c for c in ("Organisation", *subclasses("Organisation"))}, type=str)  # type: ignore[misc]
Ego = Annotated[str | None, Query(max_length=300, description="an organisation id: draw its ego network")]
Depth = Annotated[int, Query(ge=1, le=3, description="partnership hops from the ego")]
Theme = Annotated[str | None, Query(max_length=300, description="a theme id; narrower themes count")]
Types = Annotated[list[OrgType] | None, Query(description="organisation classes to keep")]
Region = Annotated[str | None, Query(max_length=100, description="keep organisations of this region")]
Since = Annotated[str | None, Query(pattern=DATE, description="agreements and programmes dated in or after (YYYY[-MM[-DD]])")]
Until = Annotated[str | None, Query(pattern=DATE, description="agreements and programmes dated in or before")]
Mode = Annotated[ModeName, Query(description="above the limit: communities, or the top by a centrality")]
Measure = Annotated[MeasureName, Query(description="the centrality for mode=top")]
Limit = Annotated[int | None, Query(ge=1, le=MAX_LIMIT, description="draw at most this many organisations")]


class NetworkQuery:
    """The page's choices: what decides the node set (filters, ego) and how a large one is drawn."""

    def __init__(self, ego: Ego = None, depth: Depth = 2, theme: Theme = None, type: Types = None, region: Region = None,
                 since: Since = None, until: Until = None, mode: Mode = "clusters", measure: Measure = "degree",
                 limit: Limit = None):
        self.ego, self.depth, self.theme, self.region, self.since, self.until = ego, depth, theme, region, since, until
        self.types = sorted(t.value for t in type or ())
        self.mode, self.measure, self.limit = mode, measure, limit

    def query_string(self, **changes) -> str:
        values = {"ego": self.ego, "depth": self.depth if self.ego else None, "theme": self.theme, "type": self.types,
                  "region": self.region, "since": self.since, "until": self.until,
                  "mode": self.mode if self.mode != "clusters" else None,
                  "measure": self.measure if self.mode == "top" else None, "limit": self.limit, **changes}
        parts = [(k, str(x)) for k, v in values.items() if v for x in (v if isinstance(v, list) else [v])]
        return ("?" + urlencode(parts)) if parts else ""


def _colour(cls: str) -> str:
    return COLOURS.get(cls, COLOURS["Organisation"])


#: vis-network groups: each organisation type's colour (the entity view's), set once rather than on every node.
GROUPS = {**{c: {"color": _colour(c), "shape": "dot"} for c in ("Organisation", *subclasses("Organisation"))},
          "cluster": {"color": CLUSTER_COLOUR, "shape": "hexagon"}}


def _resolved(ctx: Context, q: NetworkQuery) -> tuple[Filters, str | None]:
    theme = ctx.graph.resolve(q.theme, "Theme") if q.theme else None
    ego = ctx.graph.resolve(q.ego, "Organisation") if q.ego else None
    return Filters(theme, frozenset(q.types), q.region, q.since, q.until), ego


def network_data(ctx: Context, q: NetworkQuery) -> dict:
    """The page's data, also its JSON twin."""
    filters, ego = _resolved(ctx, q)
    limit = q.limit or ctx.settings.network_node_limit
    model = ctx.graph.org_network()
    view = model.view(filters, limit, q.mode, q.measure, ego, q.depth)
    title = f"{view['ego']['name']}: partners within {q.depth} hop(s)" if ego else "The organisation network"
    choices = model.choices()
    legend = [{**item, "color": _colour(item["type"])} for item in view["legend"]]
    choices["types"] = [{**item, "color": _colour(item["type"])} for item in choices["types"]]
    return {"title": title, **view, "legend": legend, "groups": GROUPS,
            "default_limit": ctx.settings.network_node_limit, "max_limit": MAX_LIMIT,
            "query": {"ego": q.ego, "depth": q.depth, "theme": q.theme, "type": q.types, "region": q.region,
                      "since": q.since, "until": q.until, "mode": q.mode, "measure": q.measure, "limit": limit},
            "json_url": "/network.json" + q.query_string(), "choices": choices}


@router.get("/network.json", operation_id="network_json",
            summary="The organisation network: partnerships as edges between organisations (or communities)")
def network_json(ctx: Annotated[Context, Depends(get_ctx)], q: Annotated[NetworkQuery, Depends()],
                 cluster: Annotated[int | None, Query(ge=0, le=1_000_000, description="open this community")] = None) -> dict:
    if cluster is None:
        return network_data(ctx, q)
    filters, ego = _resolved(ctx, q)
    try:
        return ctx.graph.org_network().cluster_members(filters, cluster, ego, q.depth)
    except IndexError as exc:
        raise HTTPException(404, str(exc)) from None


@router.get("/network/partners/{id:path}.json", operation_id="network_partners",
            summary="An organisation's partners on the network page, with the agreements and programmes behind each")
def network_partners(id: str, ctx: Annotated[Context, Depends(get_ctx)],
                     limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> dict:
    org = ctx.graph.resolve(id, "Organisation")
    found = ctx.graph.org_network().partners(org)
    return {"id": id, "total": len(found), "limit": limit, "partners": found[:limit]}


@router.get("/network", response_class=HTMLResponse, include_in_schema=False)
def network_page(ctx: Annotated[Context, Depends(get_ctx)], q: Annotated[NetworkQuery, Depends()]):
    try:
        data = network_data(ctx, q)
    except NotFound as exc:
        return html_page("org_network.html", {"error": str(exc)}, title="Not found", status=404,
                         json_url="/network.json" + q.query_string())
    return html_page("org_network.html", data, title=data["title"], json_url=data["json_url"],
                     data_json=json_for_html(data))
