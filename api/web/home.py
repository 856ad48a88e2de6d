"""The home page's content: where to go, what the dataset holds, and example queries that return rows.

The partners examples name the best-connected organisation of the current
build, so they show something on any dataset.
"""
from __future__ import annotations

import json
from typing import Any

from collabgraph.graph.entities import ROUTES, ref
from collabgraph.graph.errors import NoDataset
from collabgraph.ontology import iris

from .context import Context

LINKS = [
    {"href": "/view", "title": "The whole network", "about": "interactive; filter by type and theme, search, click for sources"},
    {"href": "/docs", "title": "REST API documentation", "about": "OpenAPI, try every route in the browser"},
    {"href": "/organisations", "title": "Organisations (JSON)", "about": "?q= searches names and aliases"},
    {"href": "/partnerships", "title": "Partnerships (JSON)", "about": "?theme= &type= &since="},
    {"href": "/analytics/centrality", "title": "Centrality (JSON)", "about": "who is best connected, who bridges"},
    {"href": "/analytics/communities", "title": "Communities (JSON)", "about": "groups of organisations that work together"},
    {"href": "/health", "title": "Health (JSON)", "about": "the RDF store and the property graph"},
    {"href": "/index.json", "title": "This page as JSON", "about": ""},
]

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
    data: dict[str, Any] = {"links": LINKS, "dataset": None, "problem": None,
            "api_key_required": bool(ctx.settings.api_key), "examples": examples(None)}
    try:
        counts = ctx.graph.counts()
    except NoDataset as exc:
        data["problem"] = str(exc)
        return data
    data["dataset"] = {ROUTES[k]: n for k, n in counts["kinds"].items()}
    data["dataset"]["partnerships"] = counts["partnerships"]
    data["examples"] = examples(counts["best_connected"])
    return data


def examples(organisation: str | None) -> dict:
    """Example SPARQL and Cypher queries; the partners ones for `organisation` (an IRI) when there is one."""
    org = organisation or iris.ID + "organisation/example"
    term = ref(org)
    sparql = [{"title": "Partners of an organisation", "query": PARTNERS_SPARQL % (term, iris.DERIVED_GRAPH, term)},
              {"title": "Programmes by funder", "query": PROGRAMMES_BY_FUNDER},
              {"title": "People by organisation", "query": PEOPLE_BY_ORGANISATION}]
    cypher = [{"title": "Partners of an organisation", "query": PARTNERS_CYPHER, "params": {"id": iris.local_id(org)}},
              {"title": "Programmes by funder", "query": PROGRAMMES_BY_FUNDER_CYPHER, "params": {}},
              {"title": "People by organisation", "query": PEOPLE_BY_ORGANISATION_CYPHER, "params": {}}]
    for item in cypher:
        item["params_json"] = json.dumps(item["params"])
    return {"sparql": sparql, "cypher": cypher}
