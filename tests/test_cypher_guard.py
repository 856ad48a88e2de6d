"""Read-only Cypher: writes are refused before they reach the store, reads pass, long reads time out."""
from __future__ import annotations

import time

import pytest
from property_fixtures import small_store

from collabgraph.graph.errors import QueryRefused, QueryTimeout
from collabgraph.graph.property import open_property_store
from collabgraph.graph.property.guard import check_read_only

WRITES = [
    "CREATE (n:Organisation {name: 'x'})",
    "create (n)",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n) detach\n  delete n",
    "MATCH (n) DELETE n",
    "MERGE (n:Organisation {iri: 'x'})",
    "MATCH (n) SET n.name = 'CREATE'",
    "MATCH (n) SeT n:Extra",
    "MATCH (n) REMOVE n.name",
    "MATCH (n) REMOVE n:Organisation",
    "DROP INDEX ON :Organisation(iri)",
    "DROP CONSTRAINT organisation_iri",
    "CALL db.createLabel('X')",
    "CALL db.idx.fulltext.createNodeIndex('Organisation', 'name')",
    "CALL apoc.create.node(['X'], {})",
    "CALL `db`.`createProperty`('x')",
    "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "MATCH (n) FOREACH (x IN [1] | SET n.y = x)",
    "MATCH (n) RETURN n; CREATE (m)",
    "MATCH (n) RETURN n ; MATCH (m) DETACH DELETE m;",
    "MATCH (n) /* harmless */ CREATE (m)",
    "MATCH (n) // a comment\nCREATE (m)",
    "MATCH (n) WHERE n.name = 'it''s' CREATE (m)",
    "MATCH (n) WHERE n.name = \"quote \\\" inside\" CREATE (m)",
    "MATCH (n) WITH n CALL { WITH n SET n.x = 1 } RETURN n",
    "UNWIND [1, 2] AS x MERGE (:T {v: x})",
    "PROFILE CREATE (n)",
    "EXPLAIN MATCH (n) DELETE n",
    "OPTIONAL MATCH (n) WITH n ORDER BY n.name DESC CREATE (m)",
    "GRANT ROLE reader TO alice",
    "ALTER USER neo4j SET PASSWORD 'x'",
    "MATCH (n) WHERE n.name = 'unterminated RETURN n",
]

READS = [
    ("MATCH (n:Organisation) WHERE n.name = 'CREATE' RETURN count(n) AS n", {}),
    ("MATCH (n) WHERE n.name CONTAINS \"DETACH DELETE\" RETURN count(n) AS n", {}),
    ("MATCH (n) WHERE n.name = 'x; CREATE (m)' RETURN count(n) AS n", {}),
    ("// CREATE in a comment\nMATCH (n) RETURN count(n) AS n", {}),
    ("/* MERGE (x) */ MATCH (n) RETURN count(n) AS n", {}),
    ("MATCH (n) RETURN n.set AS set_, n.create AS c, n.delete AS d LIMIT 1", {}),
    ("MATCH (n) RETURN {set: 1, merge: 2, remove: 3} AS m LIMIT 1", {}),
    ("MATCH (n) WHERE n.name = $create RETURN count(n) AS n", {"create": "CREATE"}),
    ("MATCH (n:`Set`) RETURN count(n) AS n", {}),
    ("MATCH (a)-[:DELETE]->(b) RETURN count(a) AS n", {}),
    ("MATCH (n) RETURN count(n) AS n;", {}),
    ("CALL db.labels() YIELD label RETURN label", {}),
    ("match (o:Organisation) return o.name as name order by name limit 2", {}),
]


@pytest.fixture(scope="module")
def ps(tmp_path_factory):
    with open_property_store(tmp_path_factory.mktemp("guard") / "data") as store:
        store.sync(small_store())
        yield store


def test_at_least_twenty_write_attempts():
    assert len(WRITES) >= 20


@pytest.mark.parametrize("cypher", WRITES)
def test_write_is_refused_by_the_guard(cypher):
    with pytest.raises(QueryRefused):
        check_read_only(cypher)


def test_writes_are_refused_before_the_store_and_change_nothing(ps):
    before = ps.counts()
    for cypher in WRITES:
        with pytest.raises(QueryRefused):
            ps.query(cypher)
    assert ps.counts() == before
    _, rows = ps.query("MATCH (n) WHERE n.name = 'x' OR n.iri = 'x' OR n:T OR n:Extra RETURN count(n) AS n")
    assert rows == [{"n": 0}]


@pytest.mark.parametrize("cypher, params", READS)
def test_reads_with_keywords_in_strings_names_and_comments_run(ps, cypher, params):
    check_read_only(cypher)
    columns, rows = ps.query(cypher, params)
    assert columns and isinstance(rows, list)


def test_messages_name_the_clause_and_where_it_is():
    with pytest.raises(QueryRefused, match=r"DETACH DELETE \(at line 2, column 3\).*read-only"):
        check_read_only("MATCH (n)\n  DETACH DELETE n")
    with pytest.raises(QueryRefused, match=r"CALL db.createLabel .* not a known read-only procedure"):
        check_read_only("CALL db.createLabel('X')")
    with pytest.raises(QueryRefused, match="one statement per query"):
        check_read_only("MATCH (n) RETURN n; MATCH (m) RETURN m")
    with pytest.raises(QueryRefused, match="unterminated string"):
        check_read_only("RETURN 'oops")
    with pytest.raises(QueryRefused, match="empty query"):
        check_read_only("  // nothing\n")


def test_the_store_itself_refuses_writes(ps):
    """Even without the guard, FalkorDB's GRAPH.RO_QUERY refuses a write: a second line of defence."""
    before = ps.counts()
    with pytest.raises(QueryRefused, match="read-only"):
        ps._read("CREATE (:Organisation {iri: 'sneaked'})", {}, 1000, 10)
    assert ps.counts() == before


def test_a_cartesian_product_times_out_within_the_limit(ps):
    started = time.perf_counter()
    with pytest.raises(QueryTimeout):
        ps.query("MATCH (a), (b), (c), (d), (e), (f), (g) RETURN count(*) AS n", timeout_ms=300)
    assert time.perf_counter() - started < 0.3 + 2.5
    _, rows = ps.query("MATCH (n) RETURN count(n) AS n")  # the store still answers
    assert rows[0]["n"] > 0


def test_work_the_server_does_not_interrupt_is_still_bounded(ps):
    """Building a huge list ignores FalkorDB's own timeout; the client gives up shortly after the limit."""
    started = time.perf_counter()
    with pytest.raises(QueryTimeout):
        ps.query("UNWIND range(1, 30000000) AS x RETURN count(x) AS n", timeout_ms=300)
    assert time.perf_counter() - started < 0.3 + 2.5
    _, rows = ps.query("RETURN 1 AS one")
    assert rows == [{"one": 1}]


def test_row_limit(ps):
    _, rows = ps.query("UNWIND range(1, 50) AS x RETURN x", limit=7)
    assert [r["x"] for r in rows] == list(range(1, 8))
    with pytest.raises(ValueError, match="limit"):
        ps.query("RETURN 1", limit=0)
    with pytest.raises(ValueError, match="timeout_ms"):
        ps.query("RETURN 1", timeout_ms=0)
