"""HTML pages, each with a JSON twin holding the same data (add `.json`, datasette style):

* `/view` and `/view.json`: the whole network;
* `/view/organisations/{id}?depth=2` and `/view/organisations/{id}.json?depth=2`: an organisation's ego network.
"""
from __future__ import annotations

from enum import Enum
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from collabgraph.ontology import KINDS, subclasses

from .context import Context, get_ctx
from .pages import html_page
from .views import json_for_html, network_view

router = APIRouter(tags=["views"])
Depth = Annotated[int, Query(ge=1, le=3, description="hops from the organisation, along any relation")]
NodeLimit = Annotated[int | None, Query(ge=1, description="show at most this many nodes (at most the server's view node limit)")]
ViewType = Enum("ViewType", {c: c for k in KINDS for c in (k, *subclasses(k))}, type=str)  # type: ignore[misc]
Theme = Annotated[str | None, Query(description="only entities with this theme (id), or linked to an agreement or programme with it")]
Types = Annotated[list[ViewType] | None, Query(description="only entities of these classes")]


class Filters:
    """The view's server-side choices, applied before the node limit."""

    def __init__(self, theme: Theme = None, type: Types = None, limit: NodeLimit = None):
        self.theme, self.types, self.limit = theme, {t.value for t in type or ()}, limit

    def query_string(self) -> str:
        parts = [("theme", self.theme)] if self.theme else []
        parts += [("type", t) for t in sorted(self.types)]
        parts += [("limit", str(self.limit))] if self.limit else []
        return ("?" + urlencode(parts)) if parts else ""


def _limit(ctx: Context, asked: int | None) -> int:
    return min(asked or ctx.settings.view_node_limit, ctx.settings.view_node_limit)


def _theme(ctx: Context, filters: Filters) -> str | None:
    return ctx.graph.resolve(filters.theme, "Theme") if filters.theme else None


def whole_view(ctx: Context, filters: Filters) -> dict:
    return network_view(ctx.graph.entity_network(), _limit(ctx, filters.limit), "The collaboration network",
                        theme=_theme(ctx, filters), types=filters.types)


def ego_view(ctx: Context, id: str, depth: int, filters: Filters) -> dict:
    origin, graph = ctx.graph.ego_network(id, depth)
    name = ctx.graph.summaries([origin])[origin]["name"]
    return network_view(graph, _limit(ctx, filters.limit), f"{name}: everything within {depth} hop(s)", focus=origin,
                        theme=_theme(ctx, filters), types=filters.types)


@router.get("/view", response_class=HTMLResponse, include_in_schema=False)
def view(ctx: Annotated[Context, Depends(get_ctx)], filters: Annotated[Filters, Depends()]):
    data = whole_view(ctx, filters)
    return _network_page(data, "/view.json" + filters.query_string())


@router.get("/view.json", operation_id="view_json", summary="The whole-network view's nodes, edges, legend and themes")
def view_json(ctx: Annotated[Context, Depends(get_ctx)], filters: Annotated[Filters, Depends()]) -> dict:
    return whole_view(ctx, filters)


@router.get("/view/organisations/{id:path}.json", operation_id="ego_view_json",
            summary="An organisation's ego-network view as JSON")
def ego_json(id: str, ctx: Annotated[Context, Depends(get_ctx)], filters: Annotated[Filters, Depends()],
             depth: Depth = 2) -> dict:
    return ego_view(ctx, id, depth, filters)


@router.get("/view/organisations/{id:path}", response_class=HTMLResponse, include_in_schema=False)
def ego(id: str, ctx: Annotated[Context, Depends(get_ctx)], filters: Annotated[Filters, Depends()], depth: Depth = 2):
    data = ego_view(ctx, id, depth, filters)
    query = filters.query_string()
    query += ("&" if query else "?") + f"depth={depth}"
    return _network_page(data, f"/view/organisations/{quote(data['focus'], safe='/')}.json{query}")


def _network_page(data: dict, json_url: str) -> HTMLResponse:
    """A view on the shared page frame: vis-network and the page script are static files (cached, `script-src
    'self'`), the data a JSON block (not a script)."""
    return html_page("network.html", data, title=data["title"], json_url=json_url, view=data,
                     data_json=json_for_html(data))
