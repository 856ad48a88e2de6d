"""GRAPH.BULK loads of the property graph in a real embedded FalkorDB: the same graph as the Cypher plan."""
from __future__ import annotations

import hashlib
import json

import pytest
from property_fixtures import small_store

from collabgraph.graph.build import BUNDLED_DATA, build
from collabgraph.graph.dataset import open_store
from collabgraph.graph.property import CypherError, StoreUnavailable, bulk
from collabgraph.graph.property.falkordb_store import GRAPH, META, STAGING, FalkorDBStore
from collabgraph.graph.property.projection import PARTNERS_WITH, NodeRow, Projection, RelRow, project

A, B, C = (f"https://w3id.org/collabgraph/id/organisation/bulk-{x}" for x in "abc")


def dump(ps: FalkorDBStore) -> dict:
    """What a reader sees of the live graph: nodes with their labels and properties (keys in their stored
    order), relationships with their ends and properties, indexes and constraints. Not the internal ids,
    which MERGE hands out in an order of its own."""
    _, nodes = ps.query("MATCH (n) RETURN n.iri AS iri, n ORDER BY iri", limit=100_000)
    _, rels = ps.query("MATCH (a)-[r]->(b) RETURN a.iri AS a, type(r) AS t, b.iri AS b, r ORDER BY a, t, b",
                       limit=100_000)
    _, indexes = ps.query("CALL db.indexes() YIELD label, properties, types, entitytype, status "
                          "RETURN label, properties, types, entitytype, status ORDER BY label")
    _, constraints = ps.query("CALL db.constraints() YIELD type, label, properties, entitytype, status "
                              "RETURN type, label, properties, entitytype, status ORDER BY label")
    ordered = lambda rows: [[(k, list(v.items()) if isinstance(v, dict) else v) for k, v in row.items()]  # noqa: E731
                            for row in rows]
    return {"nodes": ordered(nodes), "relationships": ordered(rels), "indexes": indexes, "constraints": constraints}


def graph_digest(graph: dict) -> str:
    return hashlib.sha256(json.dumps(graph, sort_keys=False).encode()).hexdigest()


def load_both_ways(ps: FalkorDBStore, projection: Projection) -> tuple[dict, dict]:
    """The graph after a bulk sync and after a sync of the same projection with the Cypher plan."""
    ps.use_bulk = True
    ps.load(projection)
    bulk_path = dump(ps) | {"meta": ps._connect().connection.hget(META, "digest"), "bulk": ps.last_bulk is not None}
    ps._connect().connection.delete(META)  # forget the digest, or the second load would be skipped
    ps.use_bulk = False
    ps.load(projection)
    cypher_path = dump(ps) | {"meta": ps._connect().connection.hget(META, "digest"), "bulk": ps.last_bulk is not None}
    return bulk_path, cypher_path


@pytest.fixture
def ps(tmp_path):
    with FalkorDBStore(tmp_path / "data") as store:
        yield store


def test_bulk_and_cypher_loads_of_a_build_give_the_same_graph_and_digest(tmp_path, ps):
    root = tmp_path / "built"
    build(root, [BUNDLED_DATA])
    projection = project(open_store(root))
    by_bulk, by_cypher = load_both_ways(ps, projection)
    assert by_bulk.pop("bulk") and not by_cypher.pop("bulk")
    assert by_bulk["meta"] == by_cypher["meta"] == projection.digest()
    assert len(by_bulk["nodes"]) == len(projection.nodes) and len(by_bulk["relationships"]) == len(
        projection.relationships)
    assert by_bulk == by_cypher
    assert graph_digest(by_bulk) == graph_digest(by_cypher)
    assert {row["status"] for row in by_bulk["indexes"] + by_bulk["constraints"]} == {"OPERATIONAL"}


def test_bulk_load_in_many_small_calls_gives_the_same_graph(ps, monkeypatch):
    projection = project(small_store())
    calls = list(bulk.bulk_calls(projection, chunk_bytes=600))
    assert len(calls) > 5 and max(c.size for c in calls) <= 600
    assert sum(c.nodes for c in calls) == len(projection.nodes)
    assert sum(c.edges for c in calls) == len(projection.relationships)
    monkeypatch.setattr(bulk, "CHUNK_BYTES", 600)
    ps.load(projection)
    assert ps.last_bulk.calls == len(calls)
    by_bulk, by_cypher = load_both_ways(ps, projection)
    assert by_bulk.pop("bulk") and not by_cypher.pop("bulk")
    assert by_bulk == by_cypher


def _pair_projection(name_value, twice: bool = False) -> Projection:
    nodes = [NodeRow(iri, "Organisation", ("Organisation", "University"), {"iri": iri, "name": f"University {iri[-1]}"})
             for iri in (A, B, C)]
    nodes[0].props["name"] = name_value
    rels = [RelRow(PARTNERS_WITH, A, B, "partnersWith", {"sources": ["s1"], "via": ["v1"]}),
            RelRow(PARTNERS_WITH, B, C, "partnersWith", {"sources": ["s2"]})]
    if twice:
        rels.append(RelRow(PARTNERS_WITH, A, B, "partnersWith", {"sources": ["s3"]}))
    return Projection(nodes, rels)


@pytest.mark.parametrize("projection", [_pair_projection(2**70), _pair_projection("University a", twice=True)],
                         ids=["integer past 64 bits", "relationship listed twice"])
def test_what_bulk_cannot_build_is_loaded_with_the_cypher_plan(ps, projection):
    """An integer Cypher clamps and a relationship MERGE makes one of: loaded as before, not differently."""
    by_bulk, by_cypher = load_both_ways(ps, projection)
    assert not by_bulk.pop("bulk") and not by_cypher.pop("bulk")
    assert by_bulk == by_cypher
    assert len(by_bulk["relationships"]) == 2


def test_a_failed_bulk_load_leaves_the_live_graph_and_its_digest(ps):
    projection = project(small_store())
    ps.load(projection)
    before = dump(ps)
    digest = ps._connect().connection.hget(META, "digest")
    broken = Projection(projection.nodes, projection.relationships + [
        RelRow(PARTNERS_WITH, projection.nodes[0].iri, "https://example.org/not-a-node", "partnersWith", {})])
    with pytest.raises(KeyError):
        ps.load(broken)
    assert dump(ps) == before
    connection = ps._connect().connection
    assert connection.hget(META, "digest") == digest and connection.exists(GRAPH)
    assert not connection.exists(STAGING)  # what the failed sync had built is not left holding memory


def test_a_sync_past_the_memory_limit_says_so_and_the_live_graph_survives(tmp_path, monkeypatch):
    """The server's memory is bounded (COLLABGRAPH_FALKORDB_MEMORY_MB): a graph that outgrows it is refused
    (redis maxmemory) or stops the server mid-sync (its address space); either way the error names the
    setting and the (restarted) server holds the last synced graph."""
    monkeypatch.setenv("COLLABGRAPH_FALKORDB_MEMORY_MB", "1024")
    nodes = [NodeRow(iri, "Organisation", ("Organisation",), {"iri": iri}) for iri in (A, B, C)]
    sources = [f"{i:04d}" + "x" * 990 for i in range(100)]  # one list, 100 KB on every relationship in the server
    iris = [f"https://w3id.org/collabgraph/id/organisation/m{i}" for i in range(110)]
    big = Projection(nodes + [NodeRow(iri, "Organisation", ("Organisation",), {"iri": iri}) for iri in iris],
                     [RelRow(PARTNERS_WITH, a, b, "partnersWith", {"sources": sources})
                      for i, a in enumerate(iris) for b in iris[i + 1:]])
    with FalkorDBStore(tmp_path / "data") as ps:
        ps.load(Projection(nodes, []))
        with pytest.raises((StoreUnavailable, CypherError), match="COLLABGRAPH_FALKORDB_MEMORY_MB"):
            ps.load(big)
        assert ps.counts()["total_nodes"] == 3 and not ps._connect().connection.exists(STAGING)
