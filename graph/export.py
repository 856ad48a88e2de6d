"""Every export of the dataset, under one set of names shared by the CLI and REST.

* RDF: N-Quads (sorted, so two builds compare byte for byte), TriG and JSON-LD with
  every named graph, Turtle as the union of all graphs. JSON-LD is compacted with an
  embedded ``@context`` of the project prefixes (``cg:``, ``skos:``, ``prov:`` ...),
  by rdflib's serializer: nothing is fetched to read or write it.
* The entity network for Gephi: GraphML and GEXF (``graph.network.export_graph``).
* The relations as CSV, one row per relation and the agreement or programme it goes
  through (``RELATION_COLUMNS``).

Sources are named by their path inside the folder they were given in (``cg:path``),
never by the building machine's absolute path.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import rdflib
from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store, Triple, serialize

from collabgraph.ontology import PREFIXES, iris

from .dataset import query
from .derive import partnership_edges
from .network import entity_graph, export_graph
from .property.projection import Projection, project


@dataclass(frozen=True)
class ExportFormat:
    name: str
    media_type: str
    extension: str
    about: str


FORMATS = {f.name: f for f in (
    ExportFormat("nquads", "application/n-quads", "nq", "every named graph, lines sorted"),
    ExportFormat("trig", "application/trig", "trig", "every named graph, with prefixes"),
    ExportFormat("turtle", "text/turtle", "ttl", "the union of all graphs, each triple once"),
    ExportFormat("jsonld", "application/ld+json", "jsonld", "every named graph, compact keys with an embedded @context"),
    ExportFormat("graphml", "application/graphml+xml", "graphml", "the entity network for Gephi"),
    ExportFormat("gexf", "application/gexf+xml", "gexf", "the entity network for Gephi"),
    ExportFormat("csv", "text/csv", "csv", "one row per relation and agreement or programme"),
)}
#: Earlier names (REST used the file extensions), still accepted on both surfaces.
ALIASES = {"nq": "nquads", "ttl": "turtle"}
RDF_FORMATS = {"nquads": RdfFormat.N_QUADS, "trig": RdfFormat.TRIG, "turtle": RdfFormat.TURTLE,
               "jsonld": RdfFormat.JSON_LD}
#: The CSV of relations; list cells are '; '-joined.
RELATION_COLUMNS = (
    "subject_id", "subject_name", "relation", "object_id", "object_name",
    "via_id", "via_name", "via_kind",  # the agreement or programme behind the relation, if any
    "date", "themes",                  # its signed (else start) date and theme names
    "sources",                         # the paths of the sources that state the relation
)
_RELATION_ORDER = ("subject_id", "relation", "object_id", "via_id")


def export_format(name: str) -> ExportFormat:
    """The format called `name` (or an alias); ValueError listing the names otherwise."""
    found = FORMATS.get(ALIASES.get(name, name))
    if found is None:
        raise ValueError(f"unknown export format {name!r}; choose one of {', '.join(FORMATS)} "
                         f"(or {', '.join(f'{a} for {c}' for a, c in ALIASES.items())})")
    return found


def export(store: Store, name: str, projection: Projection | None = None, network=None) -> bytes:
    """The dataset in format `name`; `projection` and `network` (the entity graph) when the caller has them."""
    fmt = export_format(name).name
    if fmt in RDF_FORMATS:
        return export_rdf(store, fmt)
    projection = projection if projection is not None else project(store)
    if fmt == "csv":
        return relations_csv(store, projection)
    return export_graph(network if network is not None else entity_graph(projection), fmt)


def _named_quads(store: Store):
    """The quads of the named graphs: the stored default graph is their merge, so writing it too would state every
    triple twice (and a reader loading the export gets the merge back from the union of its graphs)."""
    return (q for q in store if not isinstance(q.graph_name, DefaultGraph))


def export_rdf(store: Store, fmt: str) -> bytes:
    fmt = ALIASES.get(fmt, fmt)
    if fmt == "nquads":
        lines = serialize(_named_quads(store), format=RdfFormat.N_QUADS).splitlines(keepends=True)
        return b"".join(sorted(lines))
    if fmt == "turtle":
        union = sorted({(q.subject, q.predicate, q.object) for q in store}, key=str)
        return serialize((Triple(s, p, o) for s, p, o in union), format=RdfFormat.TURTLE, prefixes=PREFIXES)
    if fmt == "jsonld":
        return jsonld(store)
    if fmt in RDF_FORMATS:
        return serialize(_named_quads(store), format=RDF_FORMATS[fmt], prefixes=PREFIXES)
    raise ValueError(f"unknown RDF format {fmt!r}; choose one of {', '.join(RDF_FORMATS)}")


#: What the JSON-LD's '@id's are written against: every IRI of the project begins with it.
BASE = "https://w3id.org/collabgraph/"


def jsonld(store: Store) -> bytes:
    """JSON-LD of every named graph, compacted against the project prefixes.

    Oxigraph writes JSON-LD with full IRIs only (it ignores prefixes), so rdflib
    compacts it: the N-Quads are read into an rdflib Dataset and written with the
    prefixes as an embedded ``@context``.
    """
    dataset = rdflib.Dataset()
    dataset.parse(data=serialize(_named_quads(store), format=RdfFormat.N_QUADS), format="nquads")
    context = {"@base": BASE, **PREFIXES}  # '@id's as references to the project's base, not full IRIs
    return dataset.serialize(format="json-ld", context=context, auto_compact=True, encoding="utf-8")


def relations_csv(store: Store, projection: Projection) -> bytes:
    """Every relation of the property-graph projection, one row per agreement or programme it goes through.

    A partnership goes through the agreements and programmes the derived graph names (none when a
    source states it directly); a relation of an agreement or programme (party, partner, host,
    funder, theme ...) goes through that agreement or programme itself.
    """
    nodes = {n.iri: n for n in projection.nodes}
    themes: dict[str, list[str]] = {}
    for r in projection.relationships:
        if r.predicate == "hasTheme" and r.end in nodes:
            themes.setdefault(r.start, []).append(_name(nodes, r.end))
    paths = source_paths(store)
    found = []
    for r in projection.relationships:
        if r.predicate == "partnersWith":
            continue
        via = r.start if nodes[r.start].kind in ("Agreement", "Programme") else None
        found.append(_relation_row(nodes, themes, paths, r.start, r.predicate, r.end, via, r.props.get("sources", ())))
    for (a, b), vias in partnership_edges(store).items():
        if a < b and a in nodes and b in nodes:
            found += [_relation_row(nodes, themes, paths, a, "partnersWith", b, via, graphs) for via, graphs in vias.items()]
    found.sort(key=lambda row: tuple(row[c] for c in _RELATION_ORDER))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, RELATION_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(found)
    return buffer.getvalue().encode()


def _relation_row(nodes, themes, paths, subject, predicate, obj, via, graphs) -> dict:
    node = nodes.get(via) if via else None
    props = node.props if node else {}
    return {"subject_id": iris.local_id(subject), "subject_name": _name(nodes, subject), "relation": predicate,
            "object_id": iris.local_id(obj), "object_name": _name(nodes, obj),
            "via_id": iris.local_id(via) if node else "", "via_name": _name(nodes, via) if node else "",
            "via_kind": node.kind.lower() if node else "",
            "date": str(props.get("signedDate") or props.get("startDate") or ""),
            "themes": "; ".join(sorted(themes.get(via, ()))) if node else "",
            "sources": "; ".join(sorted({paths.get(g, g) for g in graphs}))}


def _name(nodes, iri: str) -> str:
    node = nodes.get(iri)
    return node.props.get("name", node.props["id"]) if node else iris.local_id(iri)


def source_paths(store: Store) -> dict[str, str]:
    """{source graph IRI: its path inside the folder it was given in}; the derived graph names itself."""
    found = query(store, "SELECT ?g (MIN(?p) AS ?path) WHERE { GRAPH ?g { ?g cg:path ?p } } GROUP BY ?g")
    return {s["g"].value: s["path"].value for s in found}


def graph_quads(store: Store, graph: str) -> list[Quad]:
    return list(store.quads_for_pattern(None, None, None, NamedNode(graph)))
