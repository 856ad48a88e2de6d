"""The home page, the partnerships table and the comparison of two organisations, each with its twins:

* `/` and `/index.json`: dataset figures, the entry points, the best-connected organisations, the largest
  programmes and example queries opening the query pages;
* `/partnerships/table` (+ `.json`, `.csv`): every partnership pair once, filtered, sorted and paged on the
  server; the CSV holds every filtered row (at most `MAX_CSV_ROWS`);
* `/compare?a=&b=` (+ `/compare.json`): two organisations side by side and the chain of partnerships
  between them; `a` and `b` are ids or names (an ambiguous name lists the organisations it could mean).

Each page is one dict (built by one function both the page and its JSON twin call) and a template.
"""
from __future__ import annotations

import re
from enum import Enum
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import AfterValidator

from collabgraph.graph.compare import distinct_evidence
from collabgraph.graph.entities import NotFound
from collabgraph.graph.partnership_table import CSV_COLUMNS, MAX_CSV_ROWS, SORTS, Filters, csv_row
from collabgraph.ontology import subclasses

from .context import Context, get_ctx
from .home import home_data
from .pages import csv_response, html_page
from .routes_partners import LinkType, _calendar_date

router = APIRouter(tags=["pages"])

#: Rows on one page of the table, at most.
MAX_PAGE_ROWS = 500
Sort = Enum("Sort", {s: s for s in SORTS}, type=str)  # type: ignore[misc]
OrgType = Enum("OrgType", {c: c for c in ("Organisation", *subclasses("Organisation"))}, type=str)  # type: ignore[misc]


class Order(str, Enum):
    asc = "asc"
    desc = "desc"


def _blank_is_none(value: str | None) -> str | None:
    """A GET form sends every field, empty ones as ''; empty means 'any'."""
    return value.strip() or None if value is not None else None


class TableQuery:
    """The table's query string: filters, sort column and order, page."""

    def __init__(self, theme: Annotated[str | None, Query(max_length=200, description="a theme id; narrower themes count too"),
                                        AfterValidator(_blank_is_none)] = None,
                 type: Annotated[str | None, Query(max_length=40, description="class of the agreement or programme, "
                                                   "or 'stated'"), AfterValidator(_blank_is_none)] = None,
                 region: Annotated[str | None, Query(max_length=200, description="either organisation's region"),
                                   AfterValidator(_blank_is_none)] = None,
                 since: Annotated[str | None, Query(max_length=10, description="a link signed or started on or after "
                                                    "(YYYY or YYYY-MM-DD)"), AfterValidator(_blank_is_none)] = None,
                 org_type: Annotated[str | None, Query(max_length=40, description="either organisation's class "
                                                       "(subclasses count)"), AfterValidator(_blank_is_none)] = None,
                 sort: Sort = Sort.name_a,  # type: ignore[attr-defined]
                 order: Order = Order.asc,
                 limit: Annotated[int, Query(ge=1, le=MAX_PAGE_ROWS)] = 50,
                 offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0):
        self.theme, self.region, self.sort, self.order, self.limit, self.offset = theme, region, sort.value, order, limit, offset
        self.type = _choice(type, LinkType, "type")
        self.org_type = _choice(org_type, OrgType, "org_type")
        self.since = _since(since)

    def params(self, **changes) -> dict:
        """The query string as a dict (without empty values), with `changes` applied."""
        values = {"theme": self.theme, "type": self.type, "region": self.region, "since": self.since,
                  "org_type": self.org_type, "sort": self.sort, "order": self.order.value,
                  "limit": self.limit, "offset": self.offset}
        values.update(changes)
        defaults = {"sort": "name_a", "order": "asc", "limit": 50, "offset": 0}
        return {k: v for k, v in values.items() if v is not None and v != "" and defaults.get(k) != v}

    def filters(self, ctx: Context) -> Filters:
        """The read model's filters; NotFound when the theme names none."""
        theme = ctx.graph.resolve(self.theme, "Theme") if self.theme else None
        return Filters(theme=theme, type=self.type, region=self.region, since=self.since, org_type=self.org_type)

    def url(self, path: str, **changes) -> str:
        params = self.params(**changes)
        return path + ("?" + urlencode(params) if params else "")


def _choice(value: str | None, allowed: type[Enum], field: str) -> str | None:
    if value is None:
        return None
    if value not in allowed.__members__:
        raise HTTPException(422, f"query parameter {field}: {value!r} is not one of {', '.join(allowed.__members__)}")
    return value


def _since(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"\d{4}(-\d{2}-\d{2})?", value):
        raise HTTPException(422, f"query parameter since: {value!r} is not a year (YYYY) or a date (YYYY-MM-DD)")
    try:
        return _calendar_date(value)
    except ValueError as exc:
        raise HTTPException(422, f"query parameter since: {exc}") from None


# ------------------------------------------------------------------------- home

@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(ctx: Annotated[Context, Depends(get_ctx)]):
    return html_page("home.html", home_data(ctx), title="Home", json_url="/index.json")


@router.get("/index.json", operation_id="home_json", summary="The home page: dataset figures, entry points, "
            "best-connected organisations, largest programmes and example queries")
def home_json(ctx: Annotated[Context, Depends(get_ctx)]) -> dict:
    return home_data(ctx)


# ------------------------------------------------------------------------- partnerships table

def table_data(ctx: Context, q: TableQuery) -> dict:
    """The partnerships table page (also its JSON twin)."""
    total, rows = ctx.graph.partnership_table(q.filters(ctx), q.sort, q.order is Order.desc, q.limit, q.offset)
    first, last = (q.offset + 1, q.offset + len(rows)) if rows else (0, 0)
    base = "/partnerships/table"
    return {
        "filters": {"theme": q.theme, "type": q.type, "region": q.region, "since": q.since, "org_type": q.org_type},
        "sort": q.sort, "order": q.order.value, "total": total, "limit": q.limit, "offset": q.offset,
        "showing": f"{first}-{last} of {total}", "rows": rows,
        "choices": ctx.graph.table_facts().choices, "max_page_rows": MAX_PAGE_ROWS, "max_csv_rows": MAX_CSV_ROWS,
        "links": {
            "json": q.url(base + ".json"), "csv": q.url(base + ".csv", limit=None, offset=None),
            "previous": q.url(base, offset=max(0, q.offset - q.limit)) if q.offset > 0 else None,
            "next": q.url(base, offset=q.offset + q.limit) if q.offset + q.limit < total else None,
            # a header sorts on its column, ascending first; the current column's header flips the order
            "sort": {s: q.url(base, sort=s, offset=None,
                               order="desc" if s == q.sort and q.order is Order.asc else None) for s in SORTS},
        },
    }


@router.get("/partnerships/table", response_class=HTMLResponse, include_in_schema=False)
def partnerships_table(ctx: Annotated[Context, Depends(get_ctx)], q: Annotated[TableQuery, Depends()]):
    try:
        data = table_data(ctx, q)
    except NotFound as exc:
        return _problem("partnerships_table.html", str(exc), 404, "Partnerships", q.url("/partnerships/table.json"))
    return html_page("partnerships_table.html", data, title="Partnerships", json_url=data["links"]["json"],
                     csv_url=data["links"]["csv"])


@router.get("/partnerships/table.json", operation_id="partnerships_table_json",
            summary="The partnerships table: filtered, sorted, paged partnership pairs")
def partnerships_table_json(ctx: Annotated[Context, Depends(get_ctx)], q: Annotated[TableQuery, Depends()]) -> dict:
    return table_data(ctx, q)


@router.get("/partnerships/table.csv", operation_id="partnerships_table_csv",
            summary=f"Every filtered partnership pair as CSV (at most {MAX_CSV_ROWS:,} rows; the file name says when cut)")
def partnerships_table_csv(ctx: Annotated[Context, Depends(get_ctx)], q: Annotated[TableQuery, Depends()]):
    cap = MAX_CSV_ROWS
    total, rows = ctx.graph.partnership_table(q.filters(ctx), q.sort, q.order is Order.desc, cap, 0)
    name = "partnerships.csv" if total <= cap else f"partnerships-first-{cap}-of-{total}.csv"
    return csv_response(CSV_COLUMNS, (csv_row(r) for r in rows), name)


# ------------------------------------------------------------------------- compare

Side = Annotated[str | None, Query(max_length=300, description="an organisation id, IRI or name"),
                 AfterValidator(_blank_is_none)]
MaxHops = Annotated[int, Query(ge=1, le=6, description="the longest chain of partnerships looked for")]


def compare_data(ctx: Context, a: str | None, b: str | None, max: int) -> tuple[int, dict]:
    """(HTTP status, the compare page): both sides resolved from ids or names, or what to choose."""
    data: dict = {"input": {"a": a, "b": b, "max": max}, "a": None, "b": None, "candidates": {"a": [], "b": []},
                  "problem": None, "comparison": None, "path": None}
    for side, text in (("a", a), ("b", b)):
        if text:
            iri, candidates = ctx.graph.find_organisation(text)
            data[side] = ctx.graph.summaries([iri])[iri] if iri else None
            data["candidates"][side] = candidates
            if not iri and not candidates:
                data["problem"] = f"no organisation matches {text!r}; try part of its name"
                return 404, data
    if data["a"] is None or data["b"] is None:
        return 200, data  # the form, and the candidates to choose from
    if data["a"]["iri"] == data["b"]["iri"]:
        data["problem"] = "choose two different organisations"
        return 400, data
    data["comparison"] = ctx.graph.compare(data["a"]["iri"], data["b"]["iri"])
    path = ctx.graph.paths(data["a"]["iri"], data["b"]["iri"], max)
    data["path"] = {**path, "hops": [{**hop, "links": distinct_evidence(hop["links"])} for hop in path["hops"]]}
    return 200, data


@router.get("/compare", response_class=HTMLResponse, include_in_schema=False)
def compare(ctx: Annotated[Context, Depends(get_ctx)], a: Side = None, b: Side = None, max: MaxHops = 4):
    status, data = compare_data(ctx, a, b, max)
    json_url = "/compare.json?" + urlencode({k: v for k, v in (("a", a), ("b", b), ("max", max)) if v})
    return html_page("compare.html", data, title="Compare organisations", json_url=json_url, status=status)


@router.get("/compare.json", operation_id="compare_json",
            summary="Two organisations side by side: shared partners, programmes, agreements and the chain between them")
def compare_json(ctx: Annotated[Context, Depends(get_ctx)], a: Side = None, b: Side = None, max: MaxHops = 4):
    status, data = compare_data(ctx, a, b, max)
    return JSONResponse(data, status_code=status)


def _problem(template: str, message: str, status: int, title: str, json_url: str):
    return html_page(template, {"problem": message}, title=title, json_url=json_url, status=status)
