"""The property graph in Neo4j, through the official driver (production).

Enabled by ``COLLABGRAPH_NEO4J_URI`` (with ``COLLABGRAPH_NEO4J_USER``,
``COLLABGRAPH_NEO4J_PASSWORD``, ``COLLABGRAPH_NEO4J_DATABASE``). A sync runs the
uniqueness constraints and indexes first, each in its own write transaction
(Neo4j does not mix schema and data changes in one transaction), then the whole
shared ``load_plan`` (CLEAR of the projected labels and the batched MERGEs) in
ONE write transaction, so readers see the old graph until the new one is
committed. Reads run in read transactions with a transaction timeout; rows are
pulled lazily and the pull stops at the row limit.
"""
from __future__ import annotations

import contextlib
import time

from neo4j import GraphDatabase, unit_of_work
from neo4j import exceptions as neo
from neo4j.graph import Node, Path as GraphPath, Relationship

from ..errors import QueryRefused, QueryTimeout
from .cypher import BATCH_SIZE, Step, load_plan, neo4j_schema
from .errors import CypherError, StoreUnavailable
from .projection import Projection
from .store import ENV_NEO4J_PASSWORD, ENV_NEO4J_URI, ENV_NEO4J_USER, PropertyStore, SyncReport

CONNECT_TIMEOUT_S = 5.0
RETRY_S = 15.0
SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")


class Neo4jStore(PropertyStore):
    backend = "neo4j"

    def __init__(self, uri: str, user: str, password: str, database: str = "neo4j", *,
                 batch_size: int = BATCH_SIZE, retry_s: float = RETRY_S):
        if not user or not password:
            raise StoreUnavailable(f"{ENV_NEO4J_URI} is set, so Neo4j is used, but {ENV_NEO4J_USER} and "
                                   f"{ENV_NEO4J_PASSWORD} are not both set; set them (or unset {ENV_NEO4J_URI} "
                                   "to use the embedded FalkorDB)")
        self.uri, self.database, self.batch_size = uri, database, batch_size
        self._verified = False
        bad = f"{ENV_NEO4J_URI}={uri!r} is not a Bolt URI; use e.g. neo4j://localhost:7687 or bolt://localhost:7687"
        if uri.split("://", 1)[0] not in SCHEMES or "://" not in uri:
            raise StoreUnavailable(bad)
        try:
            self._driver = GraphDatabase.driver(uri, auth=(user, password), connection_timeout=CONNECT_TIMEOUT_S,
                                                max_transaction_retry_time=retry_s)
        except (ValueError, neo.ConfigurationError) as exc:
            raise StoreUnavailable(f"{bad} ({_one_line(exc)})") from None

    def transactions(self, projection: Projection) -> list[list[Step]]:
        """The write transactions of a sync, in order: one per schema statement, then the whole plan."""
        return [[Step(s, {})] for s in neo4j_schema()] + [load_plan(projection, self.batch_size)]

    def load(self, projection: Projection) -> SyncReport:
        started = time.perf_counter()
        transactions = self.transactions(projection)
        with self._errors(), self._session() as session:
            for steps in transactions:
                session.execute_write(_run_steps, steps)
        return SyncReport(self.backend, len(projection.nodes), len(projection.relationships),
                          time.perf_counter() - started, changed=True,
                          statements=sum(len(t) for t in transactions))

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

        with self._errors(timeout_ms), self._session(fetch_size=min(limit, 1000)) as session:
            return session.execute_read(work)

    def _session(self, **config):
        if not self._verified:
            self._driver.verify_connectivity()  # fails fast (no retries) when nothing listens
            self._verified = True
        return self._driver.session(database=self.database, **config)

    @contextlib.contextmanager
    def _errors(self, timeout_ms: int | None = None):
        """Driver and server errors as the project's errors, each saying what to check."""
        try:
            yield
        except neo.AuthError as exc:
            raise StoreUnavailable(f"Neo4j at {self.uri} refused the credentials ({_one_line(exc)}); check "
                                   f"{ENV_NEO4J_USER} and {ENV_NEO4J_PASSWORD}") from None
        except (neo.ServiceUnavailable, neo.SessionExpired, neo.ConnectionAcquisitionTimeoutError, OSError) as exc:
            self._verified = False
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
        info = {"backend": self.backend, "uri": self.uri, "database": self.database}
        try:
            self._driver.verify_connectivity()
            return {**info, "ok": True}
        except Exception as exc:  # health reports, never raises
            return {**info, "ok": False, "error": f"{type(exc).__name__}: {_one_line(exc)}"}

    def close(self) -> None:
        self._driver.close()


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


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
