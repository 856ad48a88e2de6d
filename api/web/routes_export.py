"""Downloads of the whole dataset, and the health of each store."""
from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from collabgraph.graph.export import ALIASES, FORMATS, export_format

from .context import Context, get_ctx
from .models import Health, Problem

router = APIRouter()

#: The CLI's names, and the earlier REST names (ttl, nq) as aliases.
ExportName = Enum("ExportName", {n: n for n in (*FORMATS, *ALIASES)}, type=str)  # type: ignore[misc]
_ABOUT = "; ".join(f"`{f.name}` {f.about}" for f in FORMATS.values())


def export_dataset(format: ExportName, ctx: Annotated[Context, Depends(get_ctx)]) -> Response:
    """The whole dataset in one format, as a download (HEAD: the same headers, no body)."""
    fmt = export_format(format.value)
    data = ctx.graph.export(fmt.name)
    headers = {"Content-Disposition": f'attachment; filename="collabgraph.{fmt.extension}"'}
    return Response(data, media_type=fmt.media_type, headers=headers)


_EXPORT: dict[str, Any] = dict(tags=["export"], summary="The whole dataset: RDF, the entity network or its relations as CSV",
               description=f"Formats: {_ABOUT}. `ttl` and `nq` are aliases of `turtle` and `nquads`.",
               responses={200: {"content": {f.media_type: {} for f in FORMATS.values()}},
                          503: {"model": Problem, "description": "no dataset yet"}})
router.add_api_route("/export/{format}", export_dataset, methods=["GET"], operation_id="export", **_EXPORT)
router.add_api_route("/export/{format}", export_dataset, methods=["HEAD"], operation_id="export_head", **_EXPORT)


@router.get("/health", response_model=Health, tags=["health"], operation_id="health",
            summary="Each store: the RDF dataset (REST, SPARQL, views) and the property graph (Cypher)",
            responses={503: {"model": Health, "description": "the RDF dataset is missing"}})
def health(ctx: Annotated[Context, Depends(get_ctx)], response: Response):
    stores = {}
    state = ctx.graph.health()
    rdf = state["rdf"]
    stores["rdf"] = ({"status": "ok", "detail": {"build": rdf["build"], "quads": rdf["quads"]}} if rdf["ok"]
                     else {"status": "unavailable", "message": rdf["error"]})
    prop = state["property"]
    stores["property"] = {"status": "ok" if prop.get("ok") else "unavailable", "detail": prop,
                          "message": None if prop.get("ok") else prop.get("error", "the property graph does not answer")}
    if stores["rdf"]["status"] != "ok":
        response.status_code = 503
        status = "unavailable"
    else:
        status = "ok" if stores["property"]["status"] == "ok" else "degraded"
    return {"status": status, "stores": stores, "indexes": ctx.graph.index_states()}
