"""The property graph: a projection of the RDF dataset into FalkorDB (embedded default) or Neo4j.

    from collabgraph.graph.property import open_property_store
    with open_property_store(root) as ps:
        ps.sync(store)                       # project the Oxigraph store
        columns, rows = ps.query("MATCH (o:Organisation) RETURN o.name AS name")

`projection` reads nodes and relationships from the RDF with SPARQL, `cypher` holds
the one set of loading statements both stores run, `guard` refuses writes, `dialect`
knows where FalkorDB's Cypher and Neo4j's differ, `server` runs the embedded FalkorDB,
`falkordb_store` and `neo4j_store` are the two stores.
"""
from ..errors import QueryRefused, QueryTimeout
from .errors import CypherError, StoreUnavailable
from .store import PropertyStore, SyncReport, open_property_store, sync_current

__all__ = ["open_property_store", "sync_current", "PropertyStore", "SyncReport", "StoreUnavailable", "CypherError",
           "QueryRefused", "QueryTimeout"]
