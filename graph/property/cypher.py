"""The one set of Cypher statements that loads the projection into FalkorDB and Neo4j.

Both stores run exactly the statements of ``load_plan``: a ``CLEAR`` of the
projected labels, then batched ``UNWIND $rows AS row MERGE ... SET ...`` for the
nodes of each label set and the relationships of each (type, start kind, end kind).
Only the schema (key) statements differ, because the two stores declare
uniqueness differently; both are generated from the same ``KEYS``.

Parameter shapes (what a batch sends as ``$rows``):

* nodes: ``[{"iri": str, "props": {name: str | float | int | list[str]}}]``
* relationships: ``[{"start": iri, "end": iri, "props": {...}}]``

Property values are strings, numbers or lists of strings (never maps or nulls),
which both stores accept as property values.

Strings are bounded on the way in (``store_key``, ``store_text``): a document or
register entry can name an entity with thousands of characters, and FalkorDB
4.16 crashes in its unique-constraint check on a key of about 4 KB (a crash the
next start repeats while the sync is retried). The projection itself keeps the
full values, because the networkx views key nodes by the IRIs of the RDF.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from collabgraph.ontology import KINDS

from .projection import Projection

#: The key of every node: its IRI, unique within its kind label. Looked-up properties get plain indexes.
KEYS = {kind: "iri" for kind in KINDS}
LOOKUP_INDEXES = [(kind, prop) for kind in KINDS for prop in ("id", "name")]
BATCH_SIZE = 5000
#: Longest key (IRI) given to a store, in characters (at most 2 KB in UTF-8). A longer IRI keeps its start and
#: ends with "…" and a hash of the whole IRI, so distinct entities stay distinct nodes.
MAX_KEY = 512
#: Longest string property (name, alias, id, source, role) given to a store; a longer one is cut and ends in "…".
MAX_TEXT = 1000
#: Properties that hold node keys, bounded like the keys so that they still match them.
KEY_PROPERTIES = ("iri", "via")

CLEAR = "MATCH (n) WHERE " + " OR ".join(f"n:{k}" for k in KINDS) + " DETACH DELETE n"


@dataclass(frozen=True)
class Step:
    """One statement with its parameters; ``rows`` is the batch size (0 for non-batched statements)."""

    statement: str
    params: dict
    rows: int = 0


def neo4j_schema() -> list[str]:
    """Uniqueness constraints (which bring their own index), then lookup indexes; idempotent."""
    out = [f"CREATE CONSTRAINT {kind.lower()}_{prop} IF NOT EXISTS FOR (n:{kind}) REQUIRE n.{prop} IS UNIQUE"
           for kind, prop in KEYS.items()]
    out += [f"CREATE INDEX {kind.lower()}_{prop} IF NOT EXISTS FOR (n:{kind}) ON (n.{prop})"
            for kind, prop in LOOKUP_INDEXES]
    return out


def falkordb_schema(graph: str) -> list[tuple]:
    """Range indexes on the keys and lookups (Cypher), then unique constraints on the keys (a command).

    FalkorDB requires the index before the unique constraint. Schema statements run on a
    fresh graph, so they need no IF NOT EXISTS (which FalkorDB does not accept).
    """
    out: list[tuple] = [("GRAPH.QUERY", graph, f"CREATE INDEX FOR (n:{kind}) ON (n.{prop})")
                        for kind, prop in [*KEYS.items(), *LOOKUP_INDEXES]]
    out += [("GRAPH.CONSTRAINT", "CREATE", graph, "UNIQUE", "NODE", kind, "PROPERTIES", 1, prop)
            for kind, prop in KEYS.items()]
    return out


def node_statement(labels: tuple[str, ...]) -> str:
    """MERGE on the kind's key (the first label), with every label in the pattern."""
    key = KEYS[labels[0]]
    return f"UNWIND $rows AS row MERGE (n:{':'.join(labels)} {{{key}: row.{key}}}) SET n += row.props"


def relationship_statement(rel_type: str, start_kind: str, end_kind: str) -> str:
    """MATCH both ends on their keys (index seeks), MERGE the relationship, SET its properties."""
    return (f"UNWIND $rows AS row MATCH (a:{start_kind} {{{KEYS[start_kind]}: row.start}}) "
            f"MATCH (b:{end_kind} {{{KEYS[end_kind]}: row.end}}) "
            f"MERGE (a)-[r:{rel_type}]->(b) SET r += row.props")


def load_plan(projection: Projection, batch_size: int = BATCH_SIZE) -> list[Step]:
    """CLEAR, then the node batches, then the relationship batches (their ends exist by then)."""
    steps = [Step(CLEAR, {})]
    by_labels: dict[tuple[str, ...], list[dict]] = defaultdict(list)
    for n in projection.nodes:
        by_labels[n.labels].append({"iri": store_key(n.iri), "props": _clean(n.props)})
    for labels in sorted(by_labels):
        steps += _batches(node_statement(labels), by_labels[labels], batch_size)
    kind = {n.iri: n.kind for n in projection.nodes}
    by_type: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for r in projection.relationships:
        by_type[(r.type, kind[r.start], kind[r.end])].append({"start": store_key(r.start), "end": store_key(r.end),
                                                              "props": _clean(r.props)})
    for key in sorted(by_type):
        steps += _batches(relationship_statement(*key), by_type[key], batch_size)
    return steps


def _batches(statement: str, rows: list[dict], size: int) -> Iterator[Step]:
    if size < 1:
        raise ValueError(f"batch size must be at least 1, not {size}")
    for i in range(0, len(rows), size):
        batch = rows[i:i + size]
        yield Step(statement, {"rows": batch}, len(batch))


def store_key(iri: str) -> str:
    """The IRI, or for one longer than MAX_KEY its start, "…" and a hash of it (the same IRI, the same key)."""
    if len(iri) <= MAX_KEY:
        return iri
    tail = "…" + hashlib.sha256(iri.encode()).hexdigest()[:16]
    return iri[:MAX_KEY - len(tail)] + tail


def store_text(text: str) -> str:
    """The text, or its first MAX_TEXT - 1 characters and "…"."""
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"


def _clean(props: dict) -> dict:
    """Drop nulls and empty lists (neither store keeps them as property values); bound every string."""
    out = {}
    for name, value in props.items():
        if value is None or value == []:
            continue
        bound = store_key if name in KEY_PROPERTIES else store_text
        if isinstance(value, str):
            value = bound(value)
        elif isinstance(value, list):
            value = list(dict.fromkeys(bound(v) if isinstance(v, str) else v for v in value))
        out[name] = value
    return out
