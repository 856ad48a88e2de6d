"""Serving the graph: the command line, the REST and SPARQL/Cypher API, and the views."""
