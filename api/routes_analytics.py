"""Network analytics on the partnership network: who is central, which groups form, who bridges them."""
from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from graph.network import brokers, centrality, communities
from .context import Context, get_ctx
from .entities import summaries
from .models import CentralityResult, CommunitiesResult
from .network_views import partnership_network
from .routes_entities import Limit, Offset

router = APIRouter(prefix="/analytics", tags=["analytics"])
GRAPH = "organisations joined by partnersWith (shared agreements and programmes, and stated partnerships)"


class Measure(str, Enum):
    betweenness = "betweenness"
    degree = "degree"


@router.get("/centrality", response_model=CentralityResult, operation_id="centrality",
            summary="Degree and betweenness centrality of every organisation in the partnership network")
def get_centrality(ctx: Annotated[Context, Depends(get_ctx)],
                   sort: Annotated[Measure, Query(description="rank by this measure")] = Measure.betweenness,
                   limit: Limit = 50, offset: Offset = 0):
    g = partnership_network(ctx)
    ranked = sorted(centrality(g), key=lambda r: (-r[sort.value], r["name"].lower(), r["iri"]))
    chosen = ranked[offset:offset + limit]
    info = summaries(ctx.rdf.get(), [r["iri"] for r in chosen])
    items = [{"entity": info[r["iri"]], "scores": {k: r[k] for k in ("degree", "degree_centrality", "betweenness")}}
             for r in chosen]
    return {"graph": GRAPH, "nodes": g.number_of_nodes(), "edges": g.number_of_edges(),
            "total": len(ranked), "limit": limit, "offset": offset, "items": items}


@router.get("/communities", response_model=CommunitiesResult, operation_id="communities",
            summary="Louvain communities of the partnership network (seeded, so stable) and the brokers between them")
def get_communities(ctx: Annotated[Context, Depends(get_ctx)],
                    min_size: Annotated[int, Query(ge=1, description="leave out communities smaller than this")] = 2):
    g = partnership_network(ctx)
    groups = [c for c in communities(g) if len(c) >= min_size]
    bridging = brokers(g)
    info = summaries(ctx.rdf.get(), [n for c in groups for n in c] + [b["iri"] for b in bridging])
    return {"graph": GRAPH, "nodes": g.number_of_nodes(), "edges": g.number_of_edges(),
            "communities": [{"id": i, "size": len(c), "members": [info[n] for n in c]} for i, c in enumerate(groups)],
            "brokers": [{"entity": info[b["iri"]], "scores": {"betweenness": b["betweenness"],
                                                              "articulation_point": float(b["articulation_point"])}}
                        for b in bridging]}
