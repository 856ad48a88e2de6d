"""Downloads of the whole dataset, and the health of each store."""
from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from collabgraph.graph.errors import NoDataset
from collabgraph.graph.export import ALIASES, FORMATS, RDF_FORMATS, export, export_format
from collabgraph.graph.property.projection import project
from .context import Context, get_ctx
from .models import Health, Problem
from ..network_views import entity_network
from ..stores import public_message

router = APIRouter()

#: The CLI's names, and the earlier REST names (ttl, nq) as aliases.
ExportName = Enum("ExportName", {n: n for n in (*FORMATS, *ALIASES)}, type=str)
_ABOUT = "; ".join(f"`{f.name}` {f.about}" for f in FORMATS.values())


def export_dataset(format: ExportName, ctx: Annotated[Context, Depends(get_ctx)]) -> Response:
    """The whole dataset in one format, as a download (HEAD: the same headers, no body)."""
    fmt = export_format(format.value)
    store = ctx.rdf.get()
    if fmt.name == "jsonld":  # rdflib compacts it at about 14 s per 200,000 quads: once per build, shared
        data = ctx.per_build.get("export jsonld", lambda s: export(s, "jsonld"))
    elif fmt.name in RDF_FORMATS:
        data = export(store, fmt.name)
    else:  # the build's projection and entity network, computed once per build and shared with the views
        data = export(store, fmt.name, projection=ctx.per_build.get("projection", project),
                      network=entity_network(ctx) if fmt.name != "csv" else None)
    headers = {"Content-Disposition": f'attachment; filename="collabgraph.{fmt.extension}"'}
    return Response(data, media_type=fmt.media_type, headers=headers)


_EXPORT = dict(tags=["export"], summary="The whole dataset: RDF, the entity network or its relations as CSV",
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
    try:
        build = ctx.rdf.build()
        ctx.rdf.get()
        stores["rdf"] = {"status": "ok", "detail": {"build": build.path.name, "quads": build.manifest().get("quads")}}
    except (NoDataset, OSError) as exc:
        stores["rdf"] = {"status": "unavailable", "message": public_message(str(exc), ctx.settings.data_dir)}
    prop = ctx.property.health()
    stores["property"] = {"status": "ok" if prop.get("ok") else "unavailable", "detail": prop,
                          "message": None if prop.get("ok") else prop.get("error", "the property graph does not answer")}
    if stores["rdf"]["status"] != "ok":
        response.status_code = 503
        status = "unavailable"
    else:
        status = "ok" if stores["property"]["status"] == "ok" else "degraded"
    return {"status": status, "stores": stores}
