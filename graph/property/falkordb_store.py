"""The property graph in the embedded FalkorDB, reached with the falkordb client over the Unix socket.

A sync builds the projection into a fresh staging graph with ``GRAPH.BULK`` (``bulk``:
binary rows, then the indexes and constraints) and renames it over the live graph in
one step, so readers see the old graph or the new one, never a half-loaded one, and a
sync that dies leaves the previous graph as it was. A projection GRAPH.BULK cannot
build exactly as the shared Cypher plan would (``NotBulkLoadable``: an integer past
64 bits, which Cypher clamps, say) is loaded with that plan instead (schema first, then
``load_plan``), as every sync was before; both paths give the same graph. The snapshot is saved after every
sync, so a restarted server comes back with the last synced graph. A sync whose
projection has the digest of the loaded one does nothing.

Reads go through ``GRAPH.RO_QUERY`` with the server-side timeout, and a socket
timeout a little longer, because a few operations (``reduce()`` over a huge
list, ``collect()``) do not check the server timeout. A read that outlives its
socket timeout while the server still runs it is a query the server cannot stop:
the server is restarted on its snapshot (``EmbeddedFalkorDB.restart``), so the
query does not hold a thread and a CPU for hours. Any query running past
``TIMEOUT_MAX`` (from a client that has gone) is ended the same way by the next
timed-out read or sync. Writes (the sync) have a socket timeout too, so a sync
never waits forever on a wedged server.
"""
from __future__ import annotations

import contextlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import redis
from falkordb import Edge, FalkorDB, Node
from falkordb import Path as GraphPath
from falkordb.helpers import stringify_param_value

from ..errors import NoDataset, QueryRefused, QueryTimeout
from . import bulk
from .cypher import BATCH_SIZE, falkordb_schema, load_plan
from .errors import CypherError, QueryTooLarge, StoreUnavailable
from .projection import Projection
from .server import NO_RETRY, EmbeddedFalkorDB
from .store import PropertyStore, SyncReport

GRAPH = "collabgraph"
STAGING = "collabgraph:next"
META = "collabgraph:meta"
SOCKET_GRACE_S = 2.0
#: /health: a server whose query threads cannot answer RETURN 1 within this is reported as busy.
PROBE_TIMEOUT_S = 2.0
log = logging.getLogger(__name__)


class FalkorDBStore(PropertyStore):
    backend = "falkordb"

    def __init__(self, root: Path, batch_size: int = BATCH_SIZE, use_bulk: bool = True):
        """``use_bulk=False`` loads with the Cypher plan only (what the tests compare the bulk path with)."""
        self.root = Path(root)
        self.batch_size = batch_size
        self.use_bulk = use_bulk
        #: Phases of the last bulk build (None after a Cypher load), for the benchmark.
        self.last_bulk: bulk.BulkReport | None = None
        self.server = EmbeddedFalkorDB(self.root)
        self._db: FalkorDB | None = None
        self._readers: dict[int, FalkorDB] = {}
        self._connect()

    # ------------------------------------------------------------------ connection

    def _connect(self) -> FalkorDB:
        """The client, (re)starting the server when the last call found it down."""
        if self._db is None:
            self.server.forget()
            self.server.ensure()
            try:
                self._db = FalkorDB(unix_socket_path=str(self.server.socket), socket_connect_timeout=5, retry=NO_RETRY,
                                    socket_timeout=self.server.limits.timeout_max_ms / 1000 + SOCKET_GRACE_S)
            except redis.RedisError as exc:
                raise StoreUnavailable(f"FalkorDB at {self.server.socket} does not answer: {exc}") from None
        return self._db

    def _reader(self, timeout_ms: int) -> FalkorDB:
        """A client whose socket gives up shortly after the server-side timeout."""
        self._connect()
        if timeout_ms not in self._readers:
            self._readers[timeout_ms] = FalkorDB(unix_socket_path=str(self.server.socket), socket_connect_timeout=5,
                                                 socket_timeout=timeout_ms / 1000 + SOCKET_GRACE_S, retry=NO_RETRY)
        return self._readers[timeout_ms]

    def _down(self, exc: Exception) -> StoreUnavailable:
        """Forget the connections; the next call restarts the server."""
        self._drop_clients()
        return StoreUnavailable(f"the FalkorDB server ({self.server.socket}) is not reachable ({exc}); "
                                f"it will be restarted on the next call. Log: {self.server.log_tail(3)}")

    def _drop_clients(self) -> None:
        for client in [self._db, *self._readers.values()]:
            if client is not None:
                client.connection.close()
        self._db, self._readers = None, {}

    # ------------------------------------------------------------------ loading

    def load(self, projection: Projection) -> SyncReport:
        started = time.perf_counter()
        digest = projection.digest()
        with self.server.sync_lock():
            try:
                db = self._connect()
                meta = db.connection.hgetall(META)
                if meta.get("digest") == digest and db.connection.exists(GRAPH):
                    return SyncReport(self.backend, len(projection.nodes), len(projection.relationships),
                                      time.perf_counter() - started, changed=False)
                if self._end_runaways():
                    db = self._connect()
                statements = self._load_staging(db, projection)
                db.connection.hdel(META, "build")  # set again by sync() when it knows the build
                db.connection.rename(STAGING, GRAPH)
                db.connection.hset(META, mapping={"digest": digest, "nodes": len(projection.nodes),
                                                  "relationships": len(projection.relationships),
                                                  "synced_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
                db.connection.save()
            except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
                if self.server.died_of_memory():
                    self._drop_clients()
                    raise StoreUnavailable(
                        f"the property graph needs more memory than its server may use ({self.server.limits.memory_mb} "
                        "MiB, COLLABGRAPH_FALKORDB_MEMORY_MB): the server stopped during the sync and restarts on the "
                        "last synced graph on the next call") from None
                raise self._down(exc) from None
            except redis.ResponseError as exc:
                if "maxmemory" in str(exc):
                    raise CypherError(f"the property graph needs more memory than its server may hold (half of "
                                      f"{self.server.limits.memory_mb} MiB, COLLABGRAPH_FALKORDB_MEMORY_MB); the last "
                                      f"synced graph stays live: {exc}") from None
                raise CypherError(f"FalkorDB refused the load: {exc}") from None
        return SyncReport(self.backend, len(projection.nodes), len(projection.relationships),
                          time.perf_counter() - started, changed=True, statements=statements)

    def _load_staging(self, db: FalkorDB, projection: Projection) -> int:
        """Build the staging graph; the number of commands it took."""
        self.last_bulk = None
        if db.connection.exists(STAGING):
            db.connection.delete(STAGING)
        try:
            return self._build_staging(db, projection)
        except BaseException:
            with contextlib.suppress(redis.RedisError):  # a half-built staging graph holds memory until the next sync
                db.connection.delete(STAGING)
            raise

    def _build_staging(self, db: FalkorDB, projection: Projection) -> int:
        schema = falkordb_schema(STAGING)
        if self.use_bulk:
            try:
                self.last_bulk = bulk.build(db.connection, STAGING, projection, schema,
                                            self.server.limits.timeout_max_ms / 1000)
                return self.last_bulk.calls + len(schema)
            except bulk.NotBulkLoadable as exc:
                log.info("loading the property graph with Cypher statements: %s", exc)
                self.last_bulk = None
                db.connection.delete(STAGING)
        for command in schema:
            db.execute_command(*command)
        steps = load_plan(projection, self.batch_size)
        run_pipelined(db, STAGING, ((s.statement, s.params) for s in steps))
        return len(schema) + len(steps)

    # ------------------------------------------------------------------ reading

    def _read(self, cypher: str, params: dict, timeout_ms: int, limit: int) -> tuple[list[str], list[dict]]:
        most = self.server.limits.timeout_max_ms
        if timeout_ms > most:
            raise ValueError(f"timeout_ms {timeout_ms} is more than the property graph allows ({most} ms, "
                             "COLLABGRAPH_FALKORDB_TIMEOUT_MAX seconds)")
        # A fresh Graph handle per query: the client caches label and property ids per handle, and a
        # sync (possibly by another process) replaces the graph, which would make cached ids lie.
        try:
            result = self._reader(timeout_ms).select_graph(GRAPH).ro_query(cypher, params or None, timeout=timeout_ms)
        except redis.TimeoutError:
            self._readers.pop(timeout_ms, None)
            restarted = self._end_runaways(cypher, timeout_ms)
            raise QueryTimeout(f"the query ran longer than {timeout_ms} ms and was stopped"
                               + (" (FalkorDB could not stop it itself, so its server was restarted on the last "
                                  "synced graph)" if restarted else "")) from None
        except (redis.ConnectionError, OSError) as exc:
            if self.server.died_of_memory():
                self._drop_clients()
                raise QueryTooLarge(f"the query needed more memory than the property graph's server may use "
                                    f"({self.server.limits.memory_mb} MiB, COLLABGRAPH_FALKORDB_MEMORY_MB); the "
                                    "server stopped and is restarted on the next call: ask for less") from None
            raise self._down(exc) from None
        except redis.ResponseError as exc:
            error = _response_error(exc, self.root)
            if isinstance(error, QueryTimeout):
                self._end_runaways()  # queries of clients that have gone may be what kept this one waiting
            raise error from None
        columns = [name for _, name in result.header]
        return columns, [{c: to_json(v) for c, v in zip(columns, row)} for row in result.result_set[:limit]]

    def _end_runaways(self, cypher: str | None = None, timeout_ms: int = 0) -> bool:
        """Restart the server if it runs a query it did not stop in time; True if it was restarted.

        That is this caller's ``cypher`` still running past its ``timeout_ms``, or any query past
        TIMEOUT_MAX (whoever sent it: its client may be gone), or a server that no longer answers.
        """
        most = self.server.limits.timeout_max_ms + SOCKET_GRACE_S * 1000
        try:
            running = self.server.running_queries()
        except redis.RedisError as exc:
            overdue, reason = True, f"it does not answer GRAPH.INFO ({exc})"
        else:
            late = [(q, ms) for q, ms in running if ms > most or (cypher and q.endswith(cypher) and ms > timeout_ms)]
            overdue = bool(late)
            reason = "; ".join(f"a query has run {ms / 1000:.0f} s, past its time limit: {q[:200]!r}" for q, ms in late)
        if overdue:
            self._drop_clients()
            self.server.restart(reason)
        return overdue

    def synced_build(self) -> str | None:
        try:
            connection = self._connect().connection
            return connection.hget(META, "build") if connection.exists(GRAPH) else None
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            raise self._down(exc) from None

    def _mark_synced(self, build: str) -> None:
        try:
            self._connect().connection.hset(META, "build", build)
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            raise self._down(exc) from None

    def counts(self) -> dict:
        try:
            return super().counts()
        except NoDataset:
            return {"nodes": {}, "relationships": {}, "total_nodes": 0, "total_relationships": 0}

    def health(self) -> dict:
        info = {"backend": self.backend, "ok": self.server.ping(), "socket": str(self.server.socket),
                "pid": self.server.pid(), "started_here": self.server.started_here, "graph": GRAPH}
        if info["ok"]:
            try:
                info["synced"] = self._connect().connection.hgetall(META)
                self._probe()
            except (redis.RedisError, StoreUnavailable) as exc:
                info.update(ok=False, error=str(exc))
        return info

    def _probe(self) -> None:
        """Run RETURN 1 on a query thread: PING is answered by redis itself even when every FalkorDB
        query thread is taken by a query that does not end; StoreUnavailable saying so."""
        probe = FalkorDB(unix_socket_path=str(self.server.socket), socket_connect_timeout=PROBE_TIMEOUT_S,
                         socket_timeout=PROBE_TIMEOUT_S, retry=NO_RETRY)
        try:
            probe.connection.execute_command("GRAPH.RO_QUERY", GRAPH, "RETURN 1", "TIMEOUT", 1000)
        except redis.TimeoutError:
            running = self.server.running_queries()
            longest = max((ms for _, ms in running), default=0) / 1000
            raise StoreUnavailable(f"FalkorDB answers PING but its query threads did not run RETURN 1 within "
                                   f"{PROBE_TIMEOUT_S:g} s: {len(running)} queries running, the longest for "
                                   f"{longest:.0f} s") from None
        except redis.ResponseError:
            pass  # answered (no graph yet): the threads are free
        finally:
            probe.connection.close()

    def close(self) -> None:
        self._drop_clients()
        self.server.stop()


def run_pipelined(db: FalkorDB, graph: str, steps) -> None:
    """Send each (statement, params) with GRAPH.QUERY, encoding the next batch while the server runs this one."""
    with ThreadPoolExecutor(max_workers=1) as sender:
        pending = None
        for statement, params in steps:
            text = params_header(params) + statement
            if pending is not None:
                pending.result()
            pending = sender.submit(db.execute_command, "GRAPH.QUERY", graph, text, "--compact")
        if pending is not None:
            pending.result()


def params_header(params: dict) -> str:
    """Parameters as FalkorDB's ``CYPHER name=value ...`` prefix, encoded by the falkordb client."""
    if not params:
        return ""
    return "CYPHER " + " ".join(f"{name}={stringify_param_value(value)}" for name, value in params.items()) + " "


def _response_error(exc: redis.ResponseError, root: Path) -> Exception:
    message = str(exc)
    if "timed out" in message.lower():
        return QueryTimeout(f"the query ran longer than its time limit and was stopped ({message})")
    if "mem consumption exceeded" in message.lower():
        return QueryTooLarge(f"the query needed more memory than one query may use on the property graph "
                             f"({message}); ask for less")
    if "read-only" in message.lower():
        return QueryRefused(f"FalkorDB refused a write in a read-only query: {message}")
    if "empty key" in message.lower():
        return NoDataset(root)
    return CypherError(f"FalkorDB could not run the query: {message}")


def to_json(value):
    """A result value as plain JSON: nodes and relationships become their properties plus _labels / _type."""
    if isinstance(value, Node):
        return {**{k: to_json(v) for k, v in value.properties.items()}, "_labels": list(value.labels or [])}
    if isinstance(value, Edge):
        return {**{k: to_json(v) for k, v in value.properties.items()}, "_type": value.relation}
    if isinstance(value, GraphPath):
        return {"_nodes": [to_json(n) for n in value.nodes()], "_relationships": [to_json(e) for e in value.edges()]}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
