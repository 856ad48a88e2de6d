"""The projection as FalkorDB ``GRAPH.BULK`` calls: binary rows instead of Cypher text.

``UNWIND $rows ... MERGE`` makes the server parse every row from Cypher text and look both ends of
every relationship up in an index; ``GRAPH.BULK`` takes nodes as packed property records and
relationships by the internal ids of their ends, several times faster. It only builds a graph that does
not exist yet (the first call says ``BEGIN``), which is what the staging graph of a sync is; indexes and
unique constraints are created once the data is in (``falkordb_store``).

The format (docs.falkordb.com/design/bulk_spec, and the reader in FalkorDB's ``bulk_insert.c``):

    GRAPH.BULK <graph> [BEGIN] <nodes> <edges> <node tokens> <edge tokens> <token>...
    token  = labels "\\0" (``A:B`` for several) | u32 property count | names "\\0"... | rows
    node   = one value per property name, in order
    edge   = u64 start id | u64 end id | one value per property name
    value  = u8 type, then nothing (0 null: not set), u8 (1 bool), f64 (2), C string (3), i64 (4),
             i64 length and that many values (5 array); native byte order

A fresh graph numbers its nodes 0, 1, 2 ... in the order they arrive, so relationships refer to the
position of their ends in the node stream.

Everything the Cypher plan sets is reproduced, so both give the same graph (``tests/test_bulk_load.py``):
the same rows (``_clean``: keys, values and their types), and each entity's properties in its own order
(``MERGE`` sets the key first, then ``SET += props`` adds the others as the row lists them), so a token
holds a run of rows whose property names are the same in the same order. Only the internal ids differ,
which MERGE hands out in an order of its own. What the format cannot carry as the plan would, or what
MERGE would fold together, raises NotBulkLoadable before the graph goes live.

The falkordb-bulk-loader package is not used: it reads CSV files and guesses the type of every list
element from its text, so an alias "2025" would come back as the integer 2025.
"""
from __future__ import annotations

import math
import struct
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import redis

from .cypher import KEYS, _clean
from .errors import CypherError
from .projection import Projection, RelRow

#: Bytes of binary rows per GRAPH.BULK call: the server holds a call's rows while it builds them (and blocks
#: its other clients meanwhile), so this bounds both; far below redis' 512 MB argument and 1 GB query limits.
CHUNK_BYTES = 8 * 2**20
#: Tokens per call: one per run of rows that share their property names, so bounded separately.
MAX_TOKENS = 10_000
#: Distinct lists of strings whose encoding is remembered during one load.
MAX_REMEMBERED = 100_000
_BOOL, _DOUBLE, _STRING, _LONG, _ARRAY = (bytes([t]) for t in range(1, 6))  # 0, null, is never sent
_I64 = struct.Struct("=q")
_F64 = struct.Struct("=d")
_ENDS = struct.Struct("=QQ")
_U32 = struct.Struct("=I")
_INT64 = (-2**63, 2**63 - 1)
#: Seconds between two looks at whether the indexes and constraints built after the data are ready.
POLL_S = 0.02


class NotBulkLoadable(ValueError):
    """A projection GRAPH.BULK cannot build as the Cypher plan would: a value the binary format cannot carry
    (a string holding NUL, an integer past 64 bits, a float that is not finite, a map), or two rows that
    MERGE would make one (the same key twice, the same relationship twice). The caller loads with the
    Cypher plan instead."""


@dataclass
class Call:
    """One GRAPH.BULK call: its tokens and how many nodes and edges they hold."""

    nodes: int = 0
    edges: int = 0
    node_tokens: list[bytes] = field(default_factory=list)
    edge_tokens: list[bytes] = field(default_factory=list)
    size: int = 0

    def args(self, graph: str, first: bool) -> list:
        return ["GRAPH.BULK", graph, *(["BEGIN"] if first else []), self.nodes, self.edges,
                len(self.node_tokens), len(self.edge_tokens), *self.node_tokens, *self.edge_tokens]


def encode(value) -> bytes:
    """One property value in the binary format, typed as the Cypher parameter would be."""
    if isinstance(value, str):
        if "\0" in value:
            raise NotBulkLoadable("a string holds a NUL character")
        return _STRING + value.encode() + b"\0"
    if isinstance(value, bool):
        return _BOOL + (b"\1" if value else b"\0")
    if isinstance(value, int):
        if not _INT64[0] <= value <= _INT64[1]:
            raise NotBulkLoadable(f"the integer {value} does not fit in 64 bits")
        return _LONG + _I64.pack(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotBulkLoadable(f"the number {value} is not finite")
        return _DOUBLE + _F64.pack(value)
    if isinstance(value, (list, tuple)):
        return _ARRAY + _I64.pack(len(value)) + b"".join(encode(v) for v in value)
    raise NotBulkLoadable(f"a {type(value).__name__} is not a property value")


def _header(name: str, props: tuple[str, ...]) -> bytes:
    return b"".join([name.encode(), b"\0", _U32.pack(len(props)), *(p.encode() + b"\0" for p in props)])


class _Chunker:
    """Packs runs of rows that share their token name and property names into tokens, and tokens into
    calls of about ``chunk_bytes`` (at least one row each) and at most MAX_TOKENS tokens."""

    def __init__(self, chunk_bytes: int):
        self.chunk_bytes = chunk_bytes
        self.call = Call()

    def add(self, rows: Iterable[tuple[str, tuple[str, ...], bytes]], edges: bool) -> Iterator[Call]:
        """Add (label set or relationship type, property names, encoded row) rows; yield every call that fills up."""
        name = names = None
        run: list[bytes] = []
        size, room = 0, self.chunk_bytes - self.call.size
        for row_name, row_names, row in rows:
            if row_names != names or row_name != name or size + len(row) > room:
                yield from self._close(name, names, run, edges)
                name, names, run, size, room = row_name, row_names, [], 0, self.chunk_bytes - self.call.size
            run.append(row)
            size += len(row)
        yield from self._close(name, names, run, edges)

    def _close(self, name, names, run: list[bytes], edges: bool) -> Iterator[Call]:
        """The run as one token of the current call, which is sent first if the token would overfill it."""
        if not run:
            return
        token = _header(name, names) + b"".join(run)
        if self.call.size + len(token) > self.chunk_bytes or len(self.call.node_tokens) + len(
                self.call.edge_tokens) >= MAX_TOKENS:
            yield from self.flush()
        (self.call.edge_tokens if edges else self.call.node_tokens).append(token)
        self.call.size += len(token)
        if edges:
            self.call.edges += len(run)
        else:
            self.call.nodes += len(run)

    def flush(self) -> Iterator[Call]:
        if self.call.nodes or self.call.edges:
            yield self.call
        self.call = Call()


class _Values:
    """Cleaned (``cypher._clean``) and encoded property values. Lists are remembered per property name,
    because the same ``sources`` and ``via`` lists recur on many relationships (at most MAX_REMEMBERED)."""

    def __init__(self):
        self.lists: dict[str, dict[tuple, bytes]] = defaultdict(dict)
        self.remembered = 0

    def row(self, props: dict, prefix: bytes) -> tuple[tuple[str, ...], bytes]:
        """The names of the properties the Cypher plan would set, in order, and the row: ``prefix`` and the
        encoded values."""
        parts, lists = [], self.lists
        for name, value in props.items():
            encoded = lists[name].get(tuple(value)) if type(value) is list else None
            parts.append(self._encode(name, value) if encoded is None else encoded)
        names = tuple(props)
        if b"" in parts:  # a null or an empty list, which the plan does not set
            names = tuple(name for name, encoded in zip(names, parts) if encoded)
        parts.insert(0, prefix)
        return names, b"".join(parts)

    def _encode(self, name: str, value) -> bytes:
        cleaned = _clean({name: value})
        encoded = encode(cleaned[name]) if cleaned else b""
        # Only lists of strings are remembered: as parts of a key, 1, 1.0 and True are equal but encode
        # differently, whereas a string equals nothing but the same string.
        if type(value) is list and self.remembered < MAX_REMEMBERED and all(type(v) is str for v in value):
            self.lists[name][tuple(value)] = encoded
            self.remembered += 1
        return encoded


def bulk_calls(projection: Projection, chunk_bytes: int = CHUNK_BYTES) -> Iterator[Call]:
    """The GRAPH.BULK calls that build the projection, nodes first; NotBulkLoadable if they cannot build it.

    Nodes go by label set, in sorted order as in the Cypher plan. Relationships go in projection order
    (``project()`` sorts them by type, so each type is one run): only MERGE looks ends up by kind.
    """
    chunker, values = _Chunker(chunk_bytes), _Values()
    ids: dict[str, int] = {}
    by_labels: dict[tuple[str, ...], list] = defaultdict(list)
    for n in projection.nodes:
        by_labels[n.labels].append(n)
    for labels in sorted(by_labels):
        key, name, group = KEYS[labels[0]], ":".join(labels), by_labels[labels]
        ids.update((n.iri, i) for i, n in enumerate(group, start=len(ids)))
        # the key first, as MERGE sets it, then the others as SET += adds them (the key again: it keeps its place)
        yield from chunker.add(((name, *values.row({key: n.iri, **n.props}, b"")) for n in group), edges=False)
    if len(ids) < len(projection.nodes):
        raise NotBulkLoadable("a node is listed twice")
    yield from chunker.flush()
    yield from chunker.add(_edge_rows(projection.relationships, ids, values), edges=True)
    yield from chunker.flush()


def _edge_rows(rels: list[RelRow], ids: dict[str, int], values: _Values) -> Iterator[tuple[str, tuple, bytes]]:
    """(type, property names, encoded row) per relationship; NotBulkLoadable for one listed twice."""
    pairs: dict[str, set[int]] = defaultdict(set)
    pack, row, width = _ENDS.pack, values.row, len(ids)
    for r in rels:
        start, end = ids[r.start], ids[r.end]
        pairs[r.type].add(start * width + end)
        yield r.type, *row(r.props, pack(start, end))
    if sum(map(len, pairs.values())) < len(rels):
        raise NotBulkLoadable("a relationship is listed twice between the same nodes")


@dataclass
class BulkReport:
    """What one build took: calls sent, and seconds until the last node call, the last edge call and the
    schema (indexes and constraints built and checked) were done."""

    calls: int
    nodes_s: float
    edges_s: float
    schema_s: float


def build(connection: redis.Redis, graph: str, projection: Projection, schema: list[tuple],
          timeout_s: float) -> BulkReport:
    """Build ``graph``, which must not exist, holding the projection, then its ``schema`` commands.

    Each call is encoded while the server builds the previous one. The indexes and unique constraints
    come after the data (GRAPH.BULK only creates graphs) and are waited for, so the graph is complete
    and its keys are checked when this returns. NotBulkLoadable when the projection is not for this path.
    """
    started = time.perf_counter()
    calls, nodes_done, edges_done = _send(connection, graph, bulk_calls(projection, CHUNK_BYTES))
    nodes_done, edges_done = nodes_done or started, edges_done or nodes_done or started
    for command in schema:
        connection.execute_command(*command)
    _await_schema(connection, graph, timeout_s)
    return BulkReport(calls, nodes_done - started, edges_done - nodes_done, time.perf_counter() - edges_done)


def _send(connection: redis.Redis, graph: str, calls: Iterable[Call]) -> tuple[int, float | None, float | None]:
    """Send the calls, one in flight while the next is encoded: (calls, when the last node call and the
    last edge call were answered)."""
    def run(call: Call, first: bool) -> tuple[Call, str, float]:
        return call, connection.execute_command(*call.args(graph, first)), time.perf_counter()

    done: dict[str, float] = {}
    count = 0
    with ThreadPoolExecutor(max_workers=1) as sender:
        pending = None
        for call in calls:
            if pending is not None:
                _check(*pending.result(), done)
            pending = sender.submit(run, call, count == 0)
            count += 1
        if pending is not None:
            _check(*pending.result(), done)
    return count, done.get("nodes"), done.get("edges")


def _check(call: Call, reply, answered: float, done: dict[str, float]) -> None:
    """CypherError unless the server says it created what the call holds ("N nodes created, M edges created")."""
    text = reply.decode() if isinstance(reply, bytes) else str(reply)
    created = [int(part.split()[0]) for part in text.split(",")]
    if created != [call.nodes, call.edges]:
        raise CypherError(f"GRAPH.BULK created {text!r} of {call.nodes} nodes and {call.edges} edges sent")
    done["edges" if call.edges else "nodes"] = answered


def _await_schema(connection: redis.Redis, graph: str, timeout_s: float) -> None:
    """Wait until every index and constraint of ``graph`` is operational. A unique constraint fails on a key
    held twice (MERGE would have made one node of them): NotBulkLoadable. CypherError past ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        states = [row[0] for procedure in ("db.indexes", "db.constraints") for row in connection.execute_command(
            "GRAPH.RO_QUERY", graph, f"CALL {procedure}() YIELD status RETURN status")[1]]
        states = [s.decode() if isinstance(s, bytes) else s for s in states]
        if "FAILED" in states:
            raise NotBulkLoadable("a node key is held by two nodes of one kind")
        if all(s == "OPERATIONAL" for s in states):
            return
        if time.monotonic() > deadline:
            raise CypherError(f"the indexes of the new graph were not ready within {timeout_s:.0f} s: {states}")
        time.sleep(POLL_S)
