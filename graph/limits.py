"""How much one query may take: time, rows, bytes, worker processes and their memory.

`CollabGraph` applies them to every SPARQL and Cypher query it runs; the server's settings
(`collabgraph.api.settings.Settings`, read from `COLLABGRAPH_*` variables) extend them, so the
command line and the server share one set of limits and defaults.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QueryLimits:
    sparql_timeout: float = 10.0
    sparql_row_limit: int = 10_000
    #: Worker processes that run SPARQL queries; a query past its timeout is stopped by ending its worker.
    sparql_workers: int = 2
    cypher_timeout: float = 10.0
    cypher_row_limit: int = 10_000
    #: SPARQL queries that may wait for a worker; more are answered 503 with Retry-After at once.
    sparql_queue: int = 8
    #: Address-space cap of each SPARQL worker process, in MB (a query past it fails alone).
    sparql_worker_memory_mb: int = 2048
    #: Largest SPARQL answer sent, in bytes.
    sparql_max_response_bytes: int = 32_000_000
    #: SPARQL endpoints SERVICE may call (full IRIs); none by default, so federated queries are refused.
    sparql_service_allowlist: tuple[str, ...] = ()
