"""POST /cypher: read-only Cypher on the property graph, with a timeout and a row limit.

Writes are refused before anything reaches the store (the property store's
guard) and the store runs reads in read-only mode. The query has the server's
time limit; asking for one row more than the limit tells a complete answer from
one that would be cut short, which is refused rather than silently truncated.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException

from collabgraph.graph.property import CypherError
from collabgraph.graph.property.store import MAX_LIMIT

from .context import Context, get_ctx, require_api_key
from .models import CypherRequest, CypherResult, Problem

router = APIRouter(tags=["cypher"])


@router.post("/cypher", response_model=CypherResult, dependencies=[Depends(require_api_key)],
             operation_id="cypher", summary="Run a read-only Cypher query on the property graph",
             responses={400: {"model": Problem, "description": "not read-only, not valid, or too many rows"},
                        401: {"model": Problem}, 503: {"model": Problem, "description": "property graph unavailable"},
                        504: {"model": Problem, "description": "stopped at the time limit"}})
def cypher(body: CypherRequest, ctx: Annotated[Context, Depends(get_ctx)]):
    limit = min(ctx.settings.cypher_row_limit, MAX_LIMIT - 1)
    try:
        columns, rows = ctx.graph.cypher(body.query, body.params, limit + 1)
    except CypherError:
        raise
    except ValueError as exc:  # parameters the store cannot encode
        raise HTTPException(400, f"the query parameters cannot be used: {exc}") from None
    if len(rows) > limit:
        raise HTTPException(400, f"the query returns more than {limit} rows, the limit of this endpoint: "
                                 "add SKIP and LIMIT to page through the results")
    return {"columns": columns, "rows": [[row.get(c) for c in columns] for row in rows]}
