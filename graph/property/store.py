"""What every property-graph store offers, and the choice between them.

``open_property_store(root)`` gives the embedded FalkorDB of the data directory,
or Neo4j when ``COLLABGRAPH_NEO4J_URI`` is set (with ``COLLABGRAPH_NEO4J_USER`` and
``COLLABGRAPH_NEO4J_PASSWORD`` to sync, ``COLLABGRAPH_NEO4J_READ_USER`` and
``COLLABGRAPH_NEO4J_READ_PASSWORD`` to query, optionally ``COLLABGRAPH_NEO4J_DATABASE``).
Both load the same Cypher (``cypher.load_plan``) and answer the same read-only
queries, checked by the same guard.
"""
from __future__ import annotations

import os
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Store

from ..dataset import current_build, open_store
from . import dialect
from .errors import CypherError, StoreUnavailable
from .guard import check_read_only
from .projection import Projection, project

ENV_NEO4J_URI = "COLLABGRAPH_NEO4J_URI"
ENV_NEO4J_USER = "COLLABGRAPH_NEO4J_USER"
ENV_NEO4J_PASSWORD = "COLLABGRAPH_NEO4J_PASSWORD"
ENV_NEO4J_DATABASE = "COLLABGRAPH_NEO4J_DATABASE"
ENV_NEO4J_READ_USER = "COLLABGRAPH_NEO4J_READ_USER"
ENV_NEO4J_READ_PASSWORD = "COLLABGRAPH_NEO4J_READ_PASSWORD"
#: The label of the node in which a store that keeps its metadata in the graph (Neo4j) records its build.
META_LABEL = "CollabgraphMeta"
MAX_LIMIT = 100_000
#: Cypher integers are signed 64-bit: a larger parameter would be clamped or wrapped by the store, not refused.
INT64 = (-2**63, 2**63 - 1)

_COUNT_LABELS = (f"MATCH (n) WHERE NOT n:{META_LABEL} UNWIND labels(n) AS label "
                 "RETURN label, count(*) AS n ORDER BY label")
_COUNT_TYPES = "MATCH ()-[r]->() RETURN type(r) AS type, count(r) AS n ORDER BY type"
_COUNT_NODES = f"MATCH (n) WHERE NOT n:{META_LABEL} RETURN count(n) AS n"
_NEIGHBOURS = ("MATCH (n:Organisation)-[:PARTNERS_WITH]-(m:Organisation) WHERE n.iri IN $frontier "
               "RETURN n.iri AS n, collect(m.iri) AS ms")
_ORG_EXISTS = "MATCH (n:Organisation {iri: $iri}) RETURN n.iri AS iri"


@dataclass
class SyncReport:
    backend: str
    nodes: int
    relationships: int
    seconds: float
    changed: bool          # False when the store already held this exact projection
    statements: int = 0    # statements run (schema + CLEAR + batches)


class PropertyStore(ABC):
    """A property-graph store holding the projection of the RDF dataset."""

    backend: str

    def sync(self, store: Store, build: str | None = None) -> SyncReport:
        """Project the Oxigraph store and make the property graph hold exactly that projection.

        ``build`` names the build the store belongs to, so that a later caller can skip the
        projection (seconds on a large dataset) when the graph already holds that build.
        """
        started = time.perf_counter()
        report = self.load(project(store))
        if build is not None:
            self._mark_synced(build)
        report.seconds = time.perf_counter() - started  # projection included
        return report

    def sync_if_stale(self, store: Store, build: str) -> SyncReport | None:
        """Sync unless the graph already holds ``build``; None when it did."""
        return None if self.synced_build() == build else self.sync(store, build)

    def synced_build(self) -> str | None:
        """The build the graph was last synced from, where the store records it (None: unknown)."""
        return None

    def _mark_synced(self, build: str) -> None:  # noqa: B027  a hook: stores that cannot record it keep this no-op
        """Record the build just synced; stores that cannot record it sync every time."""

    @abstractmethod
    def load(self, projection: Projection) -> SyncReport:
        """Replace the property graph with this projection (schema first, then ``load_plan``)."""

    def query(self, cypher: str, params: dict | None = None, timeout_ms: int = 5000,
              limit: int = 1000) -> tuple[list[str], list[dict]]:
        """Run one read-only Cypher statement: (column names, rows as {column: JSON-able value}).

        Raises QueryRefused for anything that could write (before it reaches the store),
        QueryTimeout after ``timeout_ms``, StoreUnavailable when the server is down,
        CypherError when the store rejects the query. At most ``limit`` rows come back.
        """
        if not isinstance(timeout_ms, int) or timeout_ms < 1:
            raise ValueError(f"timeout_ms must be a positive number of milliseconds, not {timeout_ms!r}")
        if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT} rows, not {limit!r}")
        if params is not None and not isinstance(params, dict):
            raise ValueError("params must be a mapping of parameter names to values")
        for name, value in (params or {}).items():
            _check_integers(f"${name}", value)
        check_read_only(cypher, self.backend)
        try:
            return self._read(cypher, dict(params or {}), timeout_ms, limit)
        except CypherError as exc:  # the other backend's dialect: say how this one writes it
            hint = dialect.hint(self.backend, cypher, str(exc))
            if not hint:
                raise
            raise CypherError(f"{exc}. {hint}") from None

    @abstractmethod
    def _read(self, cypher: str, params: dict, timeout_ms: int, limit: int) -> tuple[list[str], list[dict]]:
        """Run a statement read-only in the store (no guard: internal callers pass fixed statements)."""

    def shortest_path(self, a: str, b: str, max_hops: int = 4, timeout_ms: int = 5000) -> list[str] | None:
        """The IRIs along a shortest PARTNERS_WITH path from organisation a to b of at most ``max_hops``, or None.

        A bidirectional breadth-first search, one level per query, always growing the smaller side.
        It runs the same portable Cypher on both stores and finds undirected paths although each
        partnership is stored once: FalkorDB's shortestPath() only follows directed relationships and
        algo.SPpaths enumerates every path up to the bound, which is slow on large graphs.
        """
        parents: tuple[dict, dict] = ({a: None}, {b: None})
        depth, frontier = [0, 0], ([a], [b])
        if a == b:
            _, rows = self._read(_ORG_EXISTS, {"iri": a}, timeout_ms, 1)
            return [a] if rows else None
        while frontier[0] and frontier[1] and sum(depth) < max_hops:
            side = 0 if len(frontier[0]) <= len(frontier[1]) else 1
            _, rows = self._read(_NEIGHBOURS, {"frontier": frontier[side]}, timeout_ms, MAX_LIMIT)
            grown = []
            for row in rows:
                for m in row["ms"]:
                    if m not in parents[side]:
                        parents[side][m] = row["n"]
                        grown.append(m)
            depth[side] += 1
            met = [m for m in grown if m in parents[1 - side]]
            if met:
                return _join(parents, min(met))
            frontier = (grown, frontier[1]) if side == 0 else (frontier[0], grown)
        return None

    def counts(self) -> dict:
        """Nodes by label and relationships by type, with totals."""
        _, labels = self._read(_COUNT_LABELS, {}, 60_000, MAX_LIMIT)
        _, types = self._read(_COUNT_TYPES, {}, 60_000, MAX_LIMIT)
        _, total = self._read(_COUNT_NODES, {}, 60_000, 1)
        rels = {r["type"]: r["n"] for r in types}
        return {"nodes": {r["label"]: r["n"] for r in labels}, "relationships": rels,
                "total_nodes": total[0]["n"] if total else 0, "total_relationships": sum(rels.values())}

    @abstractmethod
    def health(self) -> dict:
        """{"backend": ..., "ok": bool, ...}; never raises."""

    @abstractmethod
    def close(self) -> None:
        """Release connections; stop the embedded server if this object started it."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _check_integers(where: str, value) -> None:
    """ValueError naming the parameter (and the place inside it) of an integer Cypher cannot hold."""
    if isinstance(value, int) and not isinstance(value, bool) and not INT64[0] <= value <= INT64[1]:
        raise ValueError(f"parameter {where} is {value}, outside the signed 64-bit integers Cypher has "
                         f"({INT64[0]} to {INT64[1]}); send it as a string or a float")
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_integers(f"{where}[{i}]", item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_integers(f"{where}.{key}", item)


def _join(parents: tuple[dict, dict], meet: str) -> list[str]:
    """The path a .. meet .. b from the parent links of both searches."""
    left, node = [], meet
    while node is not None:
        left.append(node)
        node = parents[0][node]
    right, node = [], parents[1][meet]
    while node is not None:
        right.append(node)
        node = parents[1][node]
    return left[::-1] + right


def open_property_store(root: Path) -> PropertyStore:
    """Neo4j when COLLABGRAPH_NEO4J_URI is set, else the embedded FalkorDB of ``root`` (started if not running)."""
    uri = os.environ.get(ENV_NEO4J_URI)
    if uri:
        from .neo4j_store import Neo4jStore
        env = os.environ.get
        return Neo4jStore(uri, env(ENV_NEO4J_USER, ""), env(ENV_NEO4J_PASSWORD, ""), env(ENV_NEO4J_DATABASE) or "neo4j",
                          read_user=env(ENV_NEO4J_READ_USER, ""), read_password=env(ENV_NEO4J_READ_PASSWORD, ""))
    from .falkordb_store import FalkorDBStore
    return FalkorDBStore(Path(root))


def sync_current(root: Path) -> SyncReport:
    """Sync the property graph of ``root`` with its current build (what ``collabgraph build`` runs last)."""
    try:
        with open_property_store(root) as ps:
            return ps.sync(open_store(root), current_build(root).path.name)
    except (StoreUnavailable, CypherError) as exc:
        raise StoreUnavailable(f"the RDF dataset was built, but the property graph was not synced: {exc}") from None
