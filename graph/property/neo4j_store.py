"""The property graph in Neo4j, through the official driver (production).

Enabled by ``COLLABGRAPH_NEO4J_URI`` with ``COLLABGRAPH_NEO4J_DATABASE``, the write
credentials ``COLLABGRAPH_NEO4J_USER`` / ``_PASSWORD`` (needed only to sync) and the
read-only credentials ``COLLABGRAPH_NEO4J_READ_USER`` / ``_READ_PASSWORD`` (queries;
the write user reads when they are not set).

The graph records the build and projection digest it holds in one metadata node
(``:CollabgraphMeta {graph: 'collabgraph'}``), so a query on a current graph only
reads: checking staleness is one read. A sync writes only when the graph is stale:
the uniqueness constraints and indexes first, each in its own write transaction
(Neo4j does not mix schema and data changes in one transaction), then the whole
shared ``load_plan`` (CLEAR of the projected labels and the batched MERGEs) and the
metadata in ONE write transaction, so readers see the old graph and its metadata
until the new ones are committed together. A new build whose projection did not
change only rewrites the metadata. Reads run in sessions opened in READ access mode
(routed to readers in a cluster, refused writes by the server) with a transaction
timeout; rows are pulled lazily and the pull stops at the row limit.
"""
from __future__ import annotations

import contextlib
import time

from neo4j import READ_ACCESS, WRITE_ACCESS, GraphDatabase, unit_of_work
from neo4j import exceptions as neo
from neo4j.graph import Node, Relationship
from neo4j.graph import Path as GraphPath
from pyoxigraph import Store

from ..errors import QueryRefused, QueryTimeout
from .cypher import BATCH_SIZE, Step, load_plan, neo4j_schema
from .errors import CypherError, StoreUnavailable
from .projection import Projection, project
from .store import (
    ENV_NEO4J_PASSWORD,
    ENV_NEO4J_READ_PASSWORD,
    ENV_NEO4J_READ_USER,
    ENV_NEO4J_URI,
    ENV_NEO4J_USER,
    META_LABEL,
    PropertyStore,
    SyncReport,
)

CONNECT_TIMEOUT_S = 5.0
RETRY_S = 15.0
META_TIMEOUT_MS = 10_000
SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")
READ_META = (f"MATCH (m:{META_LABEL} {{graph: 'collabgraph'}}) "
             "RETURN m.build AS build, m.digest AS digest, m.nodes AS nodes, m.relationships AS relationships")
WRITE_META = (f"MERGE (m:{META_LABEL} {{graph: 'collabgraph'}}) SET m.build = $build, m.digest = $digest, "
              "m.nodes = $nodes, m.relationships = $relationships, m.synced_at = $synced_at")


class Neo4jStore(PropertyStore):
    backend = "neo4j"

    def __init__(self, uri: str, user: str, password: str, database: str = "neo4j", *, read_user: str = "",
                 read_password: str = "", batch_size: int = BATCH_SIZE, retry_s: float = RETRY_S):
        writes = _credentials(user, password, ENV_NEO4J_USER, ENV_NEO4J_PASSWORD)
        reads = _credentials(read_user, read_password, ENV_NEO4J_READ_USER, ENV_NEO4J_READ_PASSWORD)
        if writes is None and reads is None:
            raise StoreUnavailable(f"{ENV_NEO4J_URI} is set, so Neo4j is used, but neither {ENV_NEO4J_READ_USER} and "
                                   f"{ENV_NEO4J_READ_PASSWORD} (queries) nor {ENV_NEO4J_USER} and "
                                   f"{ENV_NEO4J_PASSWORD} (sync) are set; set them (or unset {ENV_NEO4J_URI} "
                                   "to use the embedded FalkorDB)")
        self.uri, self.database, self.batch_size = uri, database, batch_size
        self.read_user = (reads or writes)[0]
        self._verified: set[int] = set()
        bad = f"{ENV_NEO4J_URI}={uri!r} is not a Bolt URI; use e.g. neo4j://localhost:7687 or bolt://localhost:7687"
        if uri.split("://", 1)[0] not in SCHEMES or "://" not in uri:
            raise StoreUnavailable(bad)
        try:
            self._writer = writes and GraphDatabase.driver(uri, auth=writes, connection_timeout=CONNECT_TIMEOUT_S,
                                                           max_transaction_retry_time=retry_s)
            self._reader = self._writer if reads is None else GraphDatabase.driver(
                uri, auth=reads, connection_timeout=CONNECT_TIMEOUT_S, max_transaction_retry_time=retry_s)
        except (ValueError, neo.ConfigurationError) as exc:
            raise StoreUnavailable(f"{bad} ({_one_line(exc)})") from None

    # ------------------------------------------------------------------ loading (write user, only when stale)

    def transactions(self, projection: Projection, build: str | None = None) -> list[list[Step]]:
        """The write transactions of a full sync, in order: one per schema statement, then the whole plan
        followed by the metadata (build and digest), so the graph and what it says it holds commit together."""
        return [[Step(s, {})] for s in neo4j_schema()] + [load_plan(projection, self.batch_size)
                                                          + [meta_step(projection, build)]]

    def sync(self, store: Store, build: str | None = None) -> SyncReport:
        """Project the store and load it unless the graph already holds it (the metadata is written with the load).

        A graph that already holds ``build`` is not even projected (builds do not change once made), so the
        API's sync when it first serves a build costs one read.
        """
        started = time.perf_counter()
        held = self._meta() if build is not None else {}
        if build is not None and held["build"] == build:
            return SyncReport(self.backend, held["nodes"] or 0, held["relationships"] or 0,
                              time.perf_counter() - started, changed=False)
        report = self._load(project(store), build)
        report.seconds = time.perf_counter() - started
        return report

    def load(self, projection: Projection) -> SyncReport:
        return self._load(projection, None)

    def _load(self, projection: Projection, build: str | None) -> SyncReport:
        started = time.perf_counter()
        held = self._meta()
        meta = meta_step(projection, build)
        if held["digest"] == meta.params["digest"]:
            if build is None or held["build"] == build:  # nothing to write
                return SyncReport(self.backend, len(projection.nodes), len(projection.relationships),
                                  time.perf_counter() - started, changed=False)
            transactions = [[meta]]  # a new build with the same projection: record it, keep the graph
        else:
            transactions = self.transactions(projection, build)
        writer = self._write_driver(held["build"], build)
        with self._errors(), self._session(writer, WRITE_ACCESS) as session:
            for steps in transactions:
                session.execute_write(_run_steps, steps)
        return SyncReport(self.backend, len(projection.nodes), len(projection.relationships),
                          time.perf_counter() - started, changed=len(transactions) > 1,
                          statements=sum(len(t) for t in transactions))

    def _write_driver(self, held: str | None, wanted: str | None):
        if self._writer is None:
            raise StoreUnavailable(f"the Neo4j graph at {self.uri} holds build {held or '(none)'}, not the current "
                                   f"build {wanted or '(unnamed)'}, and syncing it needs the write user: set "
                                   f"{ENV_NEO4J_USER} and {ENV_NEO4J_PASSWORD} (or run 'collabgraph build' where "
                                   "they are set)")
        return self._writer

    def _meta(self) -> dict:
        """What the metadata node says the graph holds (all None on a graph never synced)."""
        _, rows = self._read(READ_META, {}, META_TIMEOUT_MS, 1)
        return rows[0] if rows else {"build": None, "digest": None, "nodes": None, "relationships": None}

    def synced_build(self) -> str | None:
        return self._meta()["build"]

    # ------------------------------------------------------------------ reading (read user, READ access mode)

    def _read(self, cypher: str, params: dict, timeout_ms: int, limit: int) -> tuple[list[str], list[dict]]:
        @unit_of_work(timeout=timeout_ms / 1000)
        def work(tx):
            result = tx.run(cypher, params)
            keys = list(result.keys())
            rows = []
            for record in result:
                if len(rows) == limit:
                    break
                rows.append({k: to_json(record[k]) for k in keys})
            return keys, rows

        with self._errors(timeout_ms), self._session(self._reader, READ_ACCESS, fetch_size=min(limit, 1000)) as session:
            return session.execute_read(work)

    def _session(self, driver, access_mode: str, **config):
        if id(driver) not in self._verified:
            driver.verify_connectivity()  # fails fast (no retries) when nothing listens
            self._verified.add(id(driver))
        return driver.session(database=self.database, default_access_mode=access_mode, **config)

    @contextlib.contextmanager
    def _errors(self, timeout_ms: int | None = None):
        """Driver and server errors as the project's errors, each saying what to check."""
        try:
            yield
        except neo.AuthError as exc:
            raise StoreUnavailable(f"Neo4j at {self.uri} refused the credentials ({_one_line(exc)}); check "
                                   f"{ENV_NEO4J_READ_USER} and {ENV_NEO4J_READ_PASSWORD} (queries) and "
                                   f"{ENV_NEO4J_USER} and {ENV_NEO4J_PASSWORD} (sync)") from None
        except (neo.ServiceUnavailable, neo.SessionExpired, neo.ConnectionAcquisitionTimeoutError, OSError) as exc:
            self._verified.clear()
            raise StoreUnavailable(f"Neo4j at {self.uri} is not reachable ({_one_line(exc)}); check {ENV_NEO4J_URI} "
                                   "and that the server runs (see deploy/neo4j/docker-compose.yml)") from None
        except neo.Neo4jError as exc:
            code = exc.code or ""
            if "TransactionTimedOut" in code:
                raise QueryTimeout(f"the query ran longer than {timeout_ms} ms and was stopped") from None
            if code.endswith("AccessMode") or isinstance(exc, neo.ForbiddenOnReadOnlyDatabase):
                raise QueryRefused(f"Neo4j refused a write in a read transaction: {exc.message}") from None
            raise CypherError(f"Neo4j could not run the query: {exc.message} ({code})") from None

    def health(self) -> dict:
        info = {"backend": self.backend, "uri": self.uri, "database": self.database, "read_user": self.read_user}
        try:
            self._reader.verify_connectivity()
            return {**info, "ok": True}
        except Exception as exc:  # health reports, never raises
            return {**info, "ok": False, "error": f"{type(exc).__name__}: {_one_line(exc)}"}

    def close(self) -> None:
        for driver in {id(d): d for d in (self._reader, self._writer) if d is not None}.values():
            driver.close()


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _credentials(user: str, password: str, user_var: str, password_var: str) -> tuple[str, str] | None:
    """(user, password), None when neither is set; half a pair is a configuration error naming the other half."""
    if not user and not password:
        return None
    if not user or not password:
        raise StoreUnavailable(f"{user_var} and {password_var} must be set together; only "
                               f"{user_var if user else password_var} is set")
    return user, password


def meta_step(projection: Projection, build: str | None) -> Step:
    """The statement recording in the graph which build and projection it holds."""
    return Step(WRITE_META, {"build": build, "digest": projection.digest(), "nodes": len(projection.nodes),
                             "relationships": len(projection.relationships),
                             "synced_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")})


def _run_steps(tx, steps: list[Step]) -> None:
    for step in steps:
        tx.run(step.statement, step.params).consume()


def to_json(value):
    """A result value as plain JSON: nodes and relationships become their properties plus _labels / _type."""
    if isinstance(value, Node):
        return {**{k: to_json(v) for k, v in value.items()}, "_labels": sorted(value.labels)}
    if isinstance(value, Relationship):
        return {**{k: to_json(v) for k, v in value.items()}, "_type": value.type}
    if isinstance(value, GraphPath):
        return {"_nodes": [to_json(n) for n in value.nodes],
                "_relationships": [to_json(r) for r in value.relationships]}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return str(value)
