"""Downloads of the whole dataset, and the health of each store."""
from __future__ import annotations

import csv
import io
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from graph.dataset import query, rows
from graph.errors import NoDataset
from graph.export import export_rdf
from graph.network import export_graph
from ontology import iris, object_properties
from .context import Context, get_ctx
from .models import Health
from .network_views import entity_network

router = APIRouter()


class ExportFormat(str, Enum):
    ttl = "ttl"
    nq = "nq"
    trig = "trig"
    jsonld = "jsonld"
    graphml = "graphml"
    csv = "csv"


_RDF = {"ttl": ("turtle", "text/turtle"), "nq": ("nquads", "application/n-quads"),
        "trig": ("trig", "application/trig"), "jsonld": ("jsonld", "application/ld+json")}
_EDGES = """
SELECT ?s ?sname ?p ?o ?oname WHERE {
  { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o VALUES ?p { %s } } }
  OPTIONAL { SELECT ?s (MIN(?n1) AS ?sname) WHERE { ?s cg:name ?n1 } GROUP BY ?s }
  OPTIONAL { SELECT ?o (MIN(?n2) AS ?oname) WHERE { ?o cg:name ?n2 } GROUP BY ?o }
} ORDER BY ?s ?p ?o"""


@router.get("/export/{format}", tags=["export"], operation_id="export",
            summary="The whole dataset: RDF (ttl, nq, trig, jsonld), the entity network (graphml) or its edges (csv)",
            responses={200: {"content": {"text/turtle": {}, "application/n-quads": {}, "application/trig": {},
                                         "application/ld+json": {}, "application/graphml+xml": {}, "text/csv": {}}}})
def export(format: ExportFormat, ctx: Annotated[Context, Depends(get_ctx)]) -> Response:
    store = ctx.rdf.get()
    name = f"collabgraph.{format.value}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format.value in _RDF:
        fmt, media = _RDF[format.value]
        return Response(export_rdf(store, fmt), media_type=media, headers=headers)
    if format is ExportFormat.graphml:
        return Response(export_graph(entity_network(ctx), "graphml"), media_type="application/graphml+xml", headers=headers)
    return Response(_edges_csv(store), media_type="text/csv", headers=headers)


def _edges_csv(store) -> str:
    predicates = " ".join(f"cg:{p}" for p in object_properties() if p not in ("via", "role"))
    _, found = rows(query(store, _EDGES % predicates))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["subject_id", "subject_name", "relation", "object_id", "object_name"])
    for r in found:
        writer.writerow([iris.local_id(r["s"]), r["sname"] or "", r["p"].rsplit("#", 1)[-1],
                         iris.local_id(r["o"]), r["oname"] or ""])
    return buffer.getvalue()


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
        stores["rdf"] = {"status": "unavailable", "message": str(exc)}
    prop = ctx.property.health()
    stores["property"] = {"status": "ok" if prop.get("ok") else "unavailable", "detail": prop,
                          "message": None if prop.get("ok") else prop.get("error", "the property graph does not answer")}
    if stores["rdf"]["status"] != "ok":
        response.status_code = 503
        status = "unavailable"
    else:
        status = "ok" if stores["property"]["status"] == "ok" else "degraded"
    return {"status": status, "stores": stores}
