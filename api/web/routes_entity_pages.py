"""The search page, the entity pages, and the source and register pages, each with its `.json` twin.

    /search?q=&kind=&offset=            (+ /search.json)
    /organisation/{key}?offset=         (+ .json, and /organisation/{key}/partners.csv: the whole table)
    /programme|agreement|person|theme/{key}   (+ .json)
    /source/{key}  /register/{name}     (+ .json)

Each page's data is one dict (`CollabGraph.search_page`, `entity_page`, `source_page`, `register_page`) that
the HTML renders and the twin serves. An unknown key is a 404: an HTML page saying what to do, or
`{"detail": ...}` for a twin (the app's NotFound handler).
"""
from __future__ import annotations

from enum import Enum
from typing import Annotated, cast
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from collabgraph.graph.entities import NotFound
from collabgraph.graph.source_pages import layout
from collabgraph.ontology import KINDS

from .context import Context, get_ctx
from .pages import csv_response, html_page

router = APIRouter(tags=["pages"])
Ctx = Annotated[Context, Depends(get_ctx)]
Kind = cast(type[Enum], Enum("Kind", {k: k for k in KINDS}, type=str))  # the five kinds, as a query value
Q = Annotated[str, Query(max_length=200, description="part of a name or alias, any case")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="skip this many results")]
#: Search results per page.
PAGE = 25
#: The entity pages: URL segment -> kind.
PAGES = {"organisation": "Organisation", "programme": "Programme", "agreement": "Agreement", "person": "Person",
         "theme": "Theme"}


def _not_found(request: Request, exc: NotFound) -> HTMLResponse:
    return html_page("not_found.html", {"detail": str(exc)}, title="Not found", json_url=request.url.path + ".json",
                     status=404)


@router.get("/search.json", summary="Search every kind of entity by name or alias, best match first")
def search_json(ctx: Ctx, q: Q = "", kind: Kind | None = None, offset: Offset = 0) -> dict:  # type: ignore[valid-type]
    return ctx.graph.search_page(q, kind.value if kind else None, PAGE, offset)  # type: ignore[attr-defined]


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search_page(ctx: Ctx, q: Q = "", kind: Kind | None = None, offset: Offset = 0) -> HTMLResponse:  # type: ignore[valid-type]
    data = search_json(ctx, q, kind, offset)
    query = urlencode({"q": data["q"], **({"kind": data["kind"]} if data["kind"] else {})})
    return html_page("search.html", data, title=f"Search: {data['q']}" if data["q"] else "Search",
                     json_url=f"/search.json?{query}" + (f"&offset={offset}" if offset else ""), search_q=data["q"],
                     query=query, by_kind=urlencode({"q": data["q"]}), kinds=KINDS)


def _add_entity_pages(segment: str, kind: str) -> None:
    def twin(key: str, ctx: Ctx, offset: Offset = 0) -> dict:
        return ctx.graph.entity_page(kind, key, offset)

    def page(key: str, request: Request, ctx: Ctx, offset: Offset = 0) -> HTMLResponse:
        try:
            data = ctx.graph.entity_page(kind, key, offset)
        except NotFound as exc:
            return _not_found(request, exc)
        csv_url = f"/{segment}/{key}/partners.csv" if kind == "Organisation" else None
        return html_page(f"{segment}.html", data, title=data["name"], csv_url=csv_url, kind=kind,
                         json_url=f"/{segment}/{key}.json" + (f"?offset={offset}" if offset else ""))

    router.add_api_route(f"/{segment}/{{key}}.json", twin, methods=["GET"], operation_id=f"{segment}_page_json",
                         summary=f"The {kind.lower()} page's data")
    router.add_api_route(f"/{segment}/{{key}}", page, methods=["GET"], response_class=HTMLResponse,
                         include_in_schema=False)


for _segment, _kind in PAGES.items():
    _add_entity_pages(_segment, _kind)


@router.get("/organisation/{key}/partners.csv", summary="The organisation's partners table as CSV")
def partners_csv(key: str, ctx: Ctx) -> Response:
    columns, rows = ctx.graph.partner_table(key)
    return csv_response(columns, rows, f"{key}-partners.csv")


@router.get("/source/{key}.json", summary="A source document: its text, mentions and relations")
def source_json(key: str, ctx: Ctx) -> dict:
    return ctx.graph.source_page(key)


@router.get("/source/{key}", response_class=HTMLResponse, include_in_schema=False)
def source_page(key: str, request: Request, ctx: Ctx) -> HTMLResponse:
    try:
        data = ctx.graph.source_page(key)
    except NotFound as exc:
        return _not_found(request, exc)
    return html_page("source.html", data, title=data["title"] or key, json_url=f"/source/{key}.json",
                     pieces=layout(data))


@router.get("/register/{name}.json", summary="What one register file defines")
def register_json(name: str, ctx: Ctx, offset: Offset = 0) -> dict:
    return ctx.graph.register_page(name, offset=offset)


@router.get("/register/{name}", response_class=HTMLResponse, include_in_schema=False)
def register_page(name: str, request: Request, ctx: Ctx, offset: Offset = 0) -> HTMLResponse:
    try:
        data = ctx.graph.register_page(name, offset=offset)
    except NotFound as exc:
        return _not_found(request, exc)
    return html_page("register.html", data, title=data["title"] or name, json_url=f"/register/{name}.json")
