"""Network analytics on the partnership network: who is central, which groups form, who bridges them.

Each measure is computed once per build and shared by every request (``PerBuild``): betweenness took
over a minute per request at 5,000 organisations. It is computed in the background; a request waits
for it at most ANALYTICS_WAIT_S and is otherwise answered 503 with Retry-After.
"""
from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from collabgraph.graph.stores import Computing

from .context import Context, get_ctx
from .models import CentralityResult, CommunitiesResult, Problem
from .routes_entities import Limit, Offset

router = APIRouter(prefix="/analytics", tags=["analytics"])
GRAPH = "organisations joined by partnersWith (shared agreements and programmes, and stated partnerships)"
ANALYTICS_WAIT_S = 10.0
RETRY_AFTER_S = 15
BUSY: dict[int | str, dict[str, Any]] = {
    503: {"model": Problem, "description": "still computing this build's measures: retry after Retry-After"}}


class Measure(str, Enum):
    betweenness = "betweenness"
    degree = "degree"


def _measures(ctx: Context) -> tuple[list[dict], list[dict]]:
    """(centrality rows, brokers) of the current build, from one betweenness computation."""
    try:
        return ctx.graph.network_measures(ANALYTICS_WAIT_S, RETRY_AFTER_S)
    except Computing as exc:
        raise HTTPException(503, str(exc), headers={"Retry-After": str(exc.retry_after)}) from None


@router.get("/centrality", response_model=CentralityResult, operation_id="centrality", responses=BUSY,
            summary="Degree and betweenness centrality of every organisation in the partnership network")
def get_centrality(ctx: Annotated[Context, Depends(get_ctx)],
                   sort: Annotated[Measure, Query(description="rank by this measure")] = Measure.betweenness,
                   limit: Limit = 50, offset: Offset = 0):
    g = ctx.graph.partnership_network()
    ranked = sorted(_measures(ctx)[0], key=lambda r: (-r[sort.value], r["name"].lower(), r["iri"]))
    chosen = ranked[offset:offset + limit]
    info = ctx.graph.summaries([r["iri"] for r in chosen])
    items = [{"entity": info[r["iri"]], "scores": {k: r[k] for k in ("degree", "degree_centrality", "betweenness")}}
             for r in chosen]
    return {"graph": GRAPH, "nodes": g.number_of_nodes(), "edges": g.number_of_edges(),
            "total": len(ranked), "limit": limit, "offset": offset, "items": items}


@router.get("/communities", response_model=CommunitiesResult, operation_id="communities", responses=BUSY,
            summary="Louvain communities of the partnership network (seeded, so stable) and the brokers between them")
def get_communities(ctx: Annotated[Context, Depends(get_ctx)],
                    min_size: Annotated[int, Query(ge=1, description="leave out communities smaller than this")] = 2):
    g = ctx.graph.partnership_network()
    found = ctx.graph.communities()
    groups = [c for c in found if len(c) >= min_size]
    bridging = _measures(ctx)[1]
    info = ctx.graph.summaries([n for c in groups for n in c] + [b["iri"] for b in bridging])
    return {"graph": GRAPH, "nodes": g.number_of_nodes(), "edges": g.number_of_edges(),
            "communities": [{"id": i, "size": len(c), "members": [info[n] for n in c]} for i, c in enumerate(groups)],
            "brokers": [{"entity": info[b["iri"]], "scores": {"betweenness": b["betweenness"],
                                                              "articulation_point": float(b["articulation_point"])}}
                        for b in bridging]}
