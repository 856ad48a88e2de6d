"""The query pages: `/query/sparql?query=` and `/query/cypher?query=&params=` (+ `.json` and `.csv` twins).

A GET form, so a query is kept in the URL and can be shared. The queries run through the read model
(`CollabGraph.sparql` / `cypher`), which applies the checks and limits of the `/sparql` and `/cypher`
endpoints; so does the API key: when one is configured these pages need it as the endpoints do (an
`X-API-Key` header or a Bearer token), and a browser without it gets a page saying so. A refused, invalid or
timed-out query is a one-line message on the page with its status (400, 504), never a stack trace.
"""
from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from collabgraph.graph.errors import QueryRefused, QueryTimeout
from collabgraph.graph.property import StoreUnavailable

from .context import Context, get_ctx, require_api_key
from .home import best_connected, examples
from .models import CypherRequest
from .pages import csv_response, html_page, page_url
from .routes_cypher import cypher as run_cypher_endpoint
from .sparql_protocol import READ_ONLY_MESSAGE, looks_like_update

router = APIRouter(tags=["pages"])

#: Rows shown on the HTML page; the JSON and CSV twins carry every row the endpoint returns.
MAX_PAGE_ROWS = 500
LANGUAGES = {"sparql": "SPARQL", "cypher": "Cypher"}
#: The longest query these GET pages take. The query travels in the URL, and the server (uvicorn's h11) refuses
#: a request head over 16 KB, closing the connection: 4,000 characters, 12 KB percent-encoded, fit with their
#: parameters. Longer queries (up to the endpoints' MAX_QUERY_CHARS) go to POST /sparql or /cypher.
MAX_URL_QUERY_CHARS = 4_000
MAX_URL_PARAMS_CHARS = 1_000
QueryText = Annotated[str, Query(max_length=MAX_URL_QUERY_CHARS, description="the query (empty: show the form); "
                                 f"longer than {MAX_URL_QUERY_CHARS:,} characters: POST it to the endpoint")]
Params = Annotated[str, Query(max_length=MAX_URL_PARAMS_CHARS, description="Cypher parameters as a JSON object")]


class Failed(Exception):
    """A query that could not be answered: the status and a one-line reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def run(ctx: Context, language: str, query: str, params: str) -> tuple[list[str], list[list]]:
    """(columns, rows) of the query; Failed with a status and a one-line reason otherwise."""
    try:
        if language == "sparql":
            if looks_like_update(query):
                raise Failed(400, READ_ONLY_MESSAGE.split(". ")[0] + ".")
            columns, found = ctx.graph.sparql(query)
            return columns, [[r.get(c) for c in columns] for r in found]
        answer = run_cypher_endpoint(CypherRequest(query=query, params=_params(params)), ctx)
        return answer["columns"], answer["rows"]
    except QueryTimeout as exc:
        raise Failed(504, _line(exc)) from None
    except StoreUnavailable as exc:
        raise Failed(503, _line(exc)) from None
    except HTTPException as exc:
        raise Failed(exc.status_code, _line(exc.detail)) from None
    except (ValueError, QueryRefused) as exc:  # syntax, refused (update, SERVICE, too many rows), bad parameters
        raise Failed(400, _line(exc)) from None


def _params(text: str) -> dict:
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HTTPException(400, f"params is not valid JSON ({exc.msg} at character {exc.pos})") from None
    if not isinstance(value, dict):
        raise HTTPException(400, 'params must be a JSON object such as {"id": "organisation/x"}')
    return value


def _line(value) -> str:
    """The first line of an error message (a query engine's message can run to a caret diagram)."""
    text = str(value).strip()
    return text.splitlines()[0] if text else "the query failed"


def query_data(ctx: Context, language: str, query: str, params: str, shown: int | None) -> tuple[int, dict]:
    """(status, the query page): the query, its columns and rows (at most `shown`; `cut` says whether there
    were more), the names of the entities the rows name, and the example queries; or the one-line error."""
    data: dict = {"language": language, "query": query, "params": params if language == "cypher" else None,
                  "columns": [], "rows": [], "cut": False, "max_page_rows": MAX_PAGE_ROWS,
                  "row_limit": ctx.settings.sparql_row_limit if language == "sparql" else ctx.settings.cypher_row_limit,
                  "names": {}, "error": None, "examples": examples(best_connected(ctx))[language]}
    if not query.strip():
        return 200, data
    try:
        columns, rows = run(ctx, language, query, params)
    except Failed as exc:
        data["error"] = str(exc)
        return exc.status, data
    cut = shown is not None and len(rows) > shown
    rows = rows[:shown] if cut else rows
    iris = {v for r in rows for v in r if isinstance(v, str) and page_url(v)}
    data.update(columns=columns, rows=rows, cut=cut, names={i: ctx.graph.name(i) for i in sorted(iris)})
    return 200, data


def _key_problem(request: Request) -> str | None:
    """Why the request may not run queries (no or a wrong API key), or None."""
    try:
        require_api_key(request)
    except HTTPException as exc:
        return str(exc.detail)
    return None


def _page(request: Request, ctx: Context, language: str, query: str, params: str) -> HTMLResponse:
    twin = "?" + request.url.query if request.url.query else ""
    problem = _key_problem(request)
    if problem:
        status, data = 401, {**query_data(ctx, language, "", params, MAX_PAGE_ROWS)[1], "query": query, "error": problem}
    else:
        status, data = query_data(ctx, language, query, params, MAX_PAGE_ROWS)
    base = f"/query/{language}"
    return html_page("query.html", data, title=LANGUAGES[language], json_url=base + ".json" + twin,
                     csv_url=base + ".csv" + twin if query.strip() else None, status=status,
                     label=LANGUAGES[language], key_required=bool(ctx.settings.api_key),
                     max_query_chars=MAX_URL_QUERY_CHARS, max_params_chars=MAX_URL_PARAMS_CHARS)


def _json(ctx: Context, language: str, query: str, params: str) -> JSONResponse:
    status, data = query_data(ctx, language, query, params, None)
    if data["error"]:
        return JSONResponse({"detail": data["error"]}, status_code=status)
    return JSONResponse(data, status_code=status)


def _csv(ctx: Context, language: str, query: str, params: str) -> Response:
    status, data = query_data(ctx, language, query, params, None)
    if data["error"]:
        return JSONResponse({"detail": data["error"]}, status_code=status)
    return csv_response(data["columns"], data["rows"], f"{language}-results.csv")


@router.get("/query/sparql", response_class=HTMLResponse, include_in_schema=False)
def sparql_page(request: Request, ctx: Annotated[Context, Depends(get_ctx)], query: QueryText = ""):
    return _page(request, ctx, "sparql", query, "")


@router.get("/query/sparql.json", dependencies=[Depends(require_api_key)], operation_id="query_sparql_json",
            summary="The SPARQL query page's results as JSON (columns, rows, names of the entities in them)")
def sparql_json(ctx: Annotated[Context, Depends(get_ctx)], query: QueryText = ""):
    return _json(ctx, "sparql", query, "")


@router.get("/query/sparql.csv", dependencies=[Depends(require_api_key)], operation_id="query_sparql_csv",
            summary="The SPARQL query page's results as CSV")
def sparql_csv(ctx: Annotated[Context, Depends(get_ctx)], query: QueryText = ""):
    return _csv(ctx, "sparql", query, "")


@router.get("/query/cypher", response_class=HTMLResponse, include_in_schema=False)
def cypher_page(request: Request, ctx: Annotated[Context, Depends(get_ctx)], query: QueryText = "", params: Params = ""):
    return _page(request, ctx, "cypher", query, params)


@router.get("/query/cypher.json", dependencies=[Depends(require_api_key)], operation_id="query_cypher_json",
            summary="The Cypher query page's results as JSON")
def cypher_json(ctx: Annotated[Context, Depends(get_ctx)], query: QueryText = "", params: Params = ""):
    return _json(ctx, "cypher", query, params)


@router.get("/query/cypher.csv", dependencies=[Depends(require_api_key)], operation_id="query_cypher_csv",
            summary="The Cypher query page's results as CSV")
def cypher_csv(ctx: Annotated[Context, Depends(get_ctx)], query: QueryText = "", params: Params = ""):
    return _csv(ctx, "cypher", query, params)
