"""The Neo4j adapter without a Neo4j server (none can run here).

What needs no server is tested directly: batching, the shape of the parameters,
the constraint statements and their order, the error when the server is not
reachable. The loading statements themselves are the ones FalkorDB runs, and
the Neo4j plan (CLEAR included) is executed verbatim on a real FalkorDB below.
"""
from __future__ import annotations

import time

import pytest
from property_fixtures import rdf_label_counts, rdf_relationship_counts, small_store

from collabgraph.graph.errors import QueryRefused
from collabgraph.graph.property import StoreUnavailable, open_property_store
from collabgraph.graph.property.cypher import CLEAR, KEYS, load_plan, neo4j_schema
from collabgraph.graph.property.falkordb_store import run_pipelined
from collabgraph.graph.property.neo4j_store import Neo4jStore
from collabgraph.graph.property.projection import project
from collabgraph.ontology import KINDS

UNREACHABLE = "bolt://127.0.0.1:1"


@pytest.fixture
def neo4j_env(monkeypatch):
    monkeypatch.setenv("COLLABGRAPH_NEO4J_URI", UNREACHABLE)
    monkeypatch.setenv("COLLABGRAPH_NEO4J_USER", "neo4j")
    monkeypatch.setenv("COLLABGRAPH_NEO4J_PASSWORD", "secret")
    monkeypatch.setenv("COLLABGRAPH_NEO4J_DATABASE", "collab")


@pytest.fixture(scope="module")
def projection():
    return project(small_store())


def test_batches_split_rows_and_keep_every_row(projection):
    plan = load_plan(projection, batch_size=2)
    assert plan[0].statement == CLEAR and plan[0].params == {}
    batches = plan[1:]
    assert all(1 <= s.rows == len(s.params["rows"]) <= 2 for s in batches)
    nodes = [row["iri"] for s in batches if "MERGE (n:" in s.statement for row in s.params["rows"]]
    assert sorted(nodes) == sorted(n.iri for n in projection.nodes)
    rels = [(s.statement.split("[r:")[1].split("]")[0], row["start"], row["end"])
            for s in batches if "[r:" in s.statement for row in s.params["rows"]]
    assert sorted(rels) == sorted((r.type, r.start, r.end) for r in projection.relationships)
    first_rel = next(i for i, s in enumerate(batches) if "[r:" in s.statement)
    assert all("MERGE (n:" in s.statement for s in batches[:first_rel])  # nodes before relationships
    assert len(load_plan(projection, batch_size=10_000)) < len(plan)
    with pytest.raises(ValueError, match="batch size"):
        load_plan(projection, batch_size=0)


def test_parameter_shapes_are_what_neo4j_accepts(projection):
    """$rows is a list of maps; property values are strings, numbers or homogeneous lists, never null or maps."""
    for step in load_plan(projection, batch_size=3)[1:]:
        assert set(step.params) == {"rows"} and isinstance(step.params["rows"], list)
        for row in step.params["rows"]:
            assert set(row) in ({"iri", "props"}, {"start", "end", "props"})
            for key, value in row["props"].items():
                assert key.isidentifier()
                assert isinstance(value, (str, int, float, bool)) or (
                    isinstance(value, list) and value and len({type(v) for v in value}) == 1
                    and isinstance(value[0], str)), (key, value)


def test_statements_use_labels_and_keys_from_the_ontology(projection):
    statements = {s.statement for s in load_plan(projection)}
    assert "UNWIND $rows AS row MERGE (n:Organisation:University {iri: row.iri}) SET n += row.props" in statements
    assert ("UNWIND $rows AS row MATCH (a:Person {iri: row.start}) MATCH (b:Organisation {iri: row.end}) "
            "MERGE (a)-[r:MEMBER_OF]->(b) SET r += row.props") in statements
    assert CLEAR == "MATCH (n) WHERE " + " OR ".join(f"n:{k}" for k in KINDS) + " DETACH DELETE n"


def test_constraints_come_first_each_in_its_own_transaction(projection):
    schema = neo4j_schema()
    assert schema[:len(KEYS)] == [f"CREATE CONSTRAINT {k.lower()}_iri IF NOT EXISTS FOR (n:{k}) REQUIRE n.iri IS UNIQUE"
                                  for k in KINDS]
    assert all(s.startswith("CREATE INDEX ") and "IF NOT EXISTS" in s for s in schema[len(KEYS):])
    store = Neo4jStore(UNREACHABLE, "neo4j", "secret")
    try:
        transactions = store.transactions(projection)
    finally:
        store.close()
    assert [t[0].statement for t in transactions[:len(schema)]] == schema
    assert all(len(t) == 1 for t in transactions[:len(schema)])
    assert transactions[-1][:-1] == load_plan(projection)  # then the whole load in one write transaction,
    assert transactions[-1][-1].statement.startswith("MERGE (m:CollabgraphMeta")  # with what it holds


def test_the_neo4j_plan_runs_verbatim_on_a_live_cypher_engine(tmp_path, projection):
    """The statements and parameters Neo4j would get, run on FalkorDB twice: the CLEAR makes it idempotent."""
    store = small_store()
    with open_property_store(tmp_path / "data") as ps:
        ps.sync(store)
        db = ps._connect()
        plan = Neo4jStore(UNREACHABLE, "neo4j", "secret", batch_size=3).transactions(projection)[-1]
        for _ in range(2):
            run_pipelined(db, "collabgraph", ((s.statement, s.params) for s in plan))
            counts = ps.counts()
            assert counts["nodes"] == rdf_label_counts(store)
            assert counts["relationships"] == rdf_relationship_counts(store)


def test_unreachable_server_is_a_clear_error(neo4j_env, tmp_path):
    ps = open_property_store(tmp_path / "data")
    try:
        assert ps.backend == "neo4j" and ps.database == "collab"
        health = ps.health()
        assert health["ok"] is False and health["uri"] == UNREACHABLE and "ServiceUnavailable" in health["error"]
        started = time.perf_counter()
        with pytest.raises(StoreUnavailable, match=r"bolt://127\.0\.0\.1:1 is not reachable.*COLLABGRAPH_NEO4J_URI"):
            ps.query("MATCH (n) RETURN n")
        with pytest.raises(StoreUnavailable, match="not reachable"):
            ps.sync(small_store())
        assert time.perf_counter() - started < 10
        with pytest.raises(QueryRefused):  # the guard runs before any connection is tried
            ps.query("MATCH (n) DETACH DELETE n")
    finally:
        ps.close()
    assert not (tmp_path / "data" / "falkordb").exists()  # no embedded server was started


def test_cli_reports_the_unreachable_server_in_one_line(neo4j_env, cli, tmp_path):
    result = cli("query", "cypher", "MATCH (n) RETURN n", "--data-dir", tmp_path / "data")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: Neo4j at bolt://127.0.0.1:1 is not reachable")
    assert len(result.stderr.strip().splitlines()) == 1


def test_configuration_errors_name_the_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("COLLABGRAPH_NEO4J_URI", UNREACHABLE)
    monkeypatch.delenv("COLLABGRAPH_NEO4J_PASSWORD", raising=False)
    with pytest.raises(StoreUnavailable, match="COLLABGRAPH_NEO4J_USER and COLLABGRAPH_NEO4J_PASSWORD"):
        open_property_store(tmp_path)
    with pytest.raises(StoreUnavailable, match="not a Bolt URI"):
        Neo4jStore("http://localhost:7474", "neo4j", "secret")
