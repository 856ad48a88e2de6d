"""SPARQL on worker processes: the guard that reads a query before it runs, the pool of sandboxed workers
(a timeout that really stops a query, a memory cap, no network) and the answer formats they write.

This package imports nothing on purpose: a worker (`python -m collabgraph.graph.sparql.worker`) starts in a
tenth of a second because it loads only what it needs.
"""
