"""The answer formats SPARQL workers offer, as media types and the pyoxigraph formats behind them.

The HTTP endpoint negotiates among them (`collabgraph.api.web.sparql_protocol`); a worker serialises to the one
chosen, and the command line asks for JSON.
"""
from __future__ import annotations

#: (media type offered, pyoxigraph QueryResultsFormat name), server preference first.
RESULT_TYPES = (
    ("application/sparql-results+json", "JSON"),
    ("application/sparql-results+xml", "XML"),
    ("text/csv", "CSV"),
    ("text/tab-separated-values", "TSV"),
    ("application/json", "JSON"),
    ("application/xml", "XML"),
    ("text/xml", "XML"),
)
#: (media type offered, pyoxigraph RdfFormat name), server preference first.
GRAPH_TYPES = (
    ("text/turtle", "TURTLE"),
    ("application/n-triples", "N_TRIPLES"),
    ("application/ld+json", "JSON_LD"),
    ("application/rdf+xml", "RDF_XML"),
    ("application/x-turtle", "TURTLE"),
    ("text/plain", "N_TRIPLES"),
    ("application/json", "JSON_LD"),
)


def supported(offered: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(dict.fromkeys(media for media, _ in offered))
