"""The SPARQL 1.1 Protocol endpoint at /sparql (query operation only; the dataset is read-only).

Answers are what SPARQL clients expect rather than the REST API's JSON: the
serialised results with their media type, and errors as text/plain.
"""
from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse

from collabgraph.graph.errors import QueryTimeout
from collabgraph.graph.sparql.formats import GRAPH_TYPES, RESULT_TYPES, supported
from collabgraph.graph.sparql.guard import QueryRejected
from collabgraph.graph.sparql.runner import WorkerFailed, WorkerUnavailable

from .context import get_ctx, require_api_key
from .sparql_protocol import ProtocolError, negotiate, parse_request

router = APIRouter(tags=["sparql"])

_PARAMS = [
    {"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE); cg:, skos:, org:, prov: ... are predeclared"},
    {"name": "default-graph-uri", "in": "query", "required": False, "schema": {"type": "array", "items": {"type": "string"}},
     "description": "graphs merged into the default graph (default: the query's FROM, else the merge of all named "
                    "graphs, each triple once)"},
    {"name": "named-graph-uri", "in": "query", "required": False, "schema": {"type": "array", "items": {"type": "string"}},
     "description": "graphs available to GRAPH (default: the query's FROM NAMED, else all)"},
]
_RESULT_CONTENT: dict[str, dict] = {media: {} for media, _ in (*RESULT_TYPES, *GRAPH_TYPES)}
_RESPONSES = {
    "200": {"description": "the results, in the format the Accept header asks for", "content": _RESULT_CONTENT},
    "400": {"description": "the query is not valid SPARQL, is an update, uses SERVICE (federation is off unless "
                           "allowed), nests too deep, or returns too many rows or bytes (text/plain)"},
    "401": {"description": "an API key is configured and was not sent"},
    "406": {"description": "no acceptable result format"},
    "413": {"description": "the request body is larger than the server accepts"},
    "500": {"description": "the query failed while running, e.g. it needed more memory than a worker may use"},
    "503": {"description": "no dataset yet, or all query workers busy and the queue full (see Retry-After)"},
    "504": {"description": "the query ran longer than the time limit and was stopped"},
}
_OPENAPI_GET = {"parameters": _PARAMS, "responses": _RESPONSES}
_OPENAPI_POST = {"parameters": _PARAMS[1:], "responses": _RESPONSES, "requestBody": {"required": True, "content": {
    "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
        "query": {"type": "string"}, "default-graph-uri": {"type": "string"}, "named-graph-uri": {"type": "string"}}}},
    "application/sparql-query": {"schema": {"type": "string"}}}}}


@router.get("/sparql", dependencies=[Depends(require_api_key)], openapi_extra=_OPENAPI_GET,
            summary="SPARQL 1.1 query via GET", operation_id="sparql_get")
async def sparql_get(request: Request) -> Response:
    return await _answer(request, b"")


@router.post("/sparql", dependencies=[Depends(require_api_key)], openapi_extra=_OPENAPI_POST,
             summary="SPARQL 1.1 query via POST (form or application/sparql-query)", operation_id="sparql_post")
async def sparql_post(request: Request) -> Response:
    return await _answer(request, await request.body())


async def _answer(request: Request, body: bytes) -> Response:
    ctx = get_ctx(request)
    if request.method == "GET" and "query" not in request.query_params and "text/html" in request.headers.get("accept", ""):
        return RedirectResponse("/query/sparql", status_code=303)  # a person with a browser: show the query page
    try:
        sparql = parse_request(request.method, request.headers.get("content-type"),
                               parse_qs(request.url.query, keep_blank_values=True), body)
        ctx.graph.check_sparql(sparql.query)
    except ProtocolError as exc:
        return _text(exc.status, str(exc))
    except QueryRejected as exc:
        return _text(400, str(exc))
    accept = request.headers.get("accept")
    results, graph = negotiate(accept, RESULT_TYPES), negotiate(accept, GRAPH_TYPES)
    if results is None and graph is None:
        return _text(406, f"the Accept header ({accept}) names no format this endpoint writes; ask for one of "
                          f"{supported(RESULT_TYPES)} (SELECT, ASK) or {supported(GRAPH_TYPES)} (CONSTRUCT, DESCRIBE)")
    timeout = ctx.settings.sparql_timeout
    try:
        answer = await ctx.graph.sparql_answer(sparql.query, results, graph, sparql.default_graphs,
                                               sparql.named_graphs)
    except QueryTimeout:
        return _text(504, f"the query ran longer than {timeout:g} s and was stopped; narrow it (LIMIT, more specific "
                          "patterns) or ask the operator to raise COLLABGRAPH_SPARQL_TIMEOUT")
    except WorkerUnavailable as exc:
        return _text(503, str(exc), {"Retry-After": "1"})
    except WorkerFailed as exc:
        return _text(500, str(exc))
    return Response(answer.body, status_code=answer.status, media_type=answer.media_type,
                    headers={"Vary": "Accept"})


def _text(status: int, message: str, headers: dict | None = None) -> Response:
    return Response(message + "\n", status_code=status, media_type="text/plain", headers=headers)
