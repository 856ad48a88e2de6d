"""The home page's content: where to go, what the dataset holds, who is best connected, the largest
programmes, and example queries that return rows (each a link opening the query page with it filled in).

The partners examples name the best-connected organisation of the current
build, so they show something on any dataset.
"""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from collabgraph.graph.entities import ROUTES, ref
from collabgraph.graph.errors import NoDataset
from collabgraph.ontology import iris

from .context import Context

#: The entry points, most used first.
LINKS = [
    {"href": "/partnerships/table", "title": "Partnerships", "about": "every pair of partners, filtered, sorted, as CSV"},
    {"href": "/network", "title": "Network", "about": "the organisation network, drawn; an organisation's neighbourhood"},
    {"href": "/compare", "title": "Compare two organisations", "about": "shared partners, programmes, agreements; the chain between them"},
    {"href": "/query/sparql", "title": "SPARQL query", "about": "read-only, over every source graph"},
    {"href": "/query/cypher", "title": "Cypher query", "about": "read-only, on the property graph"},
    {"href": "/docs", "title": "REST API documentation", "about": "OpenAPI, try every route in the browser"},
    {"href": "/index.json", "title": "This page as JSON", "about": ""},
]
#: Organisations and programmes listed on the home page.
TOP = 10

PROGRAMMES_BY_FUNDER = """SELECT ?funder (COUNT(DISTINCT ?programme) AS ?programmes) (GROUP_CONCAT(DISTINCT ?title; separator=" | ") AS ?names)
WHERE {
  ?programme a cg:Programme ; cg:fundedBy ?f ; cg:name ?title .
  ?f cg:name ?funder .
}
GROUP BY ?funder
ORDER BY DESC(?programmes)"""  # noqa: E501  (the example query as the home page shows it)

PEOPLE_BY_ORGANISATION = """SELECT DISTINCT ?organisation ?person ?role
WHERE {
  ?p a cg:Person ; cg:name ?person ; cg:memberOf ?o .
  ?o cg:name ?organisation .
  OPTIONAL { ?m org:member ?p ; org:organization ?o ; cg:roleTitle ?role }
}
ORDER BY ?organisation ?person"""

PARTNERS_SPARQL = """SELECT DISTINCT ?partner ?name ?via
WHERE {
  %s cg:partnersWith ?partner .
  ?partner cg:name ?name .
  OPTIONAL { GRAPH <%s> { ?ev rdf:subject %s ; rdf:object ?partner ; cg:via ?v } ?v cg:name ?via }
}
ORDER BY ?name"""

PARTNERS_CYPHER = """MATCH (o:Organisation {id: $id})-[:PARTNERS_WITH]-(p:Organisation)
RETURN p.name AS partner, p.id AS id
ORDER BY partner"""

PROGRAMMES_BY_FUNDER_CYPHER = """MATCH (p:Programme)-[:FUNDED_BY]->(f:Organisation)
RETURN f.name AS funder, count(p) AS programmes, collect(p.name) AS names
ORDER BY programmes DESC"""

PEOPLE_BY_ORGANISATION_CYPHER = """MATCH (person:Person)-[m:MEMBER_OF]->(o:Organisation)
RETURN o.name AS organisation, person.name AS person, m.role AS role
ORDER BY organisation, person"""


def home_data(ctx: Context) -> dict:
    """The home page's content (also its JSON twin at /index.json)."""
    data: dict[str, Any] = {"links": LINKS, "dataset": None, "problem": None, "best_connected": [],
                            "largest_programmes": [], "api_key_required": bool(ctx.settings.api_key),
                            "examples": examples(None)}
    try:
        counts = ctx.graph.counts()
    except NoDataset as exc:
        data["problem"] = str(exc)
        return data
    data["dataset"] = {ROUTES[k]: n for k, n in counts["kinds"].items()}
    data["dataset"]["partnerships"] = counts["partnerships"]
    data["best_connected"] = ctx.graph.best_connected(TOP)
    data["largest_programmes"] = ctx.graph.largest_programmes(TOP)
    data["examples"] = examples(counts["best_connected"])
    return data


def best_connected(ctx: Context) -> str | None:
    """The IRI of the organisation with the most partners, for the examples; None without a dataset."""
    try:
        return ctx.graph.counts()["best_connected"]
    except NoDataset:
        return None


def examples(organisation: str | None) -> dict:
    """Example SPARQL and Cypher queries; the partners ones for `organisation` (an IRI) when there is one."""
    org = organisation or iris.ID + "organisation/example"
    term = ref(org)
    sparql = [{"title": "Partners of an organisation", "query": PARTNERS_SPARQL % (term, iris.DERIVED_GRAPH, term)},
              {"title": "Programmes by funder", "query": PROGRAMMES_BY_FUNDER},
              {"title": "People by organisation", "query": PEOPLE_BY_ORGANISATION}]
    cypher: list[dict[str, Any]] = [
        {"title": "Partners of an organisation", "query": PARTNERS_CYPHER, "params": {"id": iris.local_id(org)}},
        {"title": "Programmes by funder", "query": PROGRAMMES_BY_FUNDER_CYPHER, "params": {}},
        {"title": "People by organisation", "query": PEOPLE_BY_ORGANISATION_CYPHER, "params": {}}]
    for item in sparql:
        item["url"] = "/query/sparql?" + urlencode({"query": item["query"]})
    for item in cypher:
        item["params_json"] = json.dumps(item["params"])
        item["url"] = "/query/cypher?" + urlencode({"query": item["query"], "params": item["params_json"]})
    return {"sparql": sparql, "cypher": cypher}
