"""FalkorDB's Cypher and Neo4j's: the analysts' Neo4j queries on the real FalkorDB, and each backend's procedures.

FalkorDB side: the real embedded server. Neo4j side: the real driver against the
Bolt stub (no Neo4j can run here), which shows what reaches the server and how.
"""
from __future__ import annotations

import pytest
from neo4j_bolt_stub import BoltStub
from property_fixtures import C1, D1, F1, T1, U1, U2, small_store

from collabgraph.graph import network
from collabgraph.graph.errors import QueryRefused
from collabgraph.graph.property import CypherError, open_property_store
from collabgraph.graph.property.dialect import shortest_chain, translate_shortest_path
from collabgraph.graph.property.guard import READ_PROCEDURES, check_read_only
from collabgraph.graph.property.neo4j_store import Neo4jStore

ANALYST_QUERY = ("MATCH p = shortestPath((a:Organisation {iri: $a})-[*..4]-(b:Organisation {iri: $b})) "
                 "RETURN [n IN nodes(p) | n.iri] AS chain, length(p) AS hops")
ORGS = [U1, T1, C1, U2, F1, D1]


@pytest.fixture(scope="module")
def ps(tmp_path_factory):
    with open_property_store(tmp_path_factory.mktemp("dialect") / "data") as store:
        store.sync(small_store())
        yield store


def test_a_neo4j_shortest_path_query_gets_its_falkordb_translation_which_runs(ps):
    with pytest.raises(CypherError) as refused:
        ps.query(ANALYST_QUERY, {"a": U1, "b": U2})
    message = str(refused.value)
    assert "only supports shortestPaths in WITH or RETURN" in message  # FalkorDB's own words first
    translated = message.split("in FalkorDB's Cypher the same query is: ", 1)[1]
    assert translated == translate_shortest_path(ANALYST_QUERY) and "relDirection: 'both'" in translated
    _, rows = ps.query(translated, {"a": U1, "b": U2})
    assert rows == [{"chain": [U1, T1, U2], "hops": 2}]


@pytest.mark.parametrize("neo4j_query, params, expected", [
    # allShortestPaths: every shortest chain (pathCount 0); typed, bounded, the ends matched first.
    ("MATCH (a:Organisation {iri: $a}), (b:Organisation {iri: $b}) "
     "MATCH p = allShortestPaths((a)-[:PARTNERS_WITH*..3]-(b)) RETURN length(p) AS hops", {"a": U1, "b": U2},
     [{"hops": 2}]),
    # A WHERE after the pattern still filters on the path.
    ("MATCH p = shortestPath((a:Organisation {iri: $a})-[:PARTNERS_WITH*..4]-(b:Organisation {iri: $b})) "
     "WHERE length(p) > 5 RETURN length(p) AS hops", {"a": U1, "b": U2}, []),
    # Directed, as written: no chain follows PARTNERS_WITH from the higher IRI to the lower one only.
    ("MATCH p = shortestPath((a:Organisation {iri: $a})-[:PARTNERS_WITH*]->(b:Organisation {iri: $b})) "
     "RETURN length(p) AS hops", {"a": max(U1, T1), "b": min(U1, T1)}, []),
])
def test_other_shortest_path_forms_translate_and_run(ps, neo4j_query, params, expected):
    with pytest.raises(CypherError, match="the same query is: MATCH"):
        ps.query(neo4j_query, params)
    assert ps.query(translate_shortest_path(neo4j_query), params)[1] == expected


def test_the_cli_answers_the_neo4j_form_with_the_translation_in_one_line(cli, tmp_path):
    data = tmp_path / "data"
    assert cli("build", "--data-dir", data).exit_code == 0
    result = cli("query", "cypher", "MATCH p = shortestPath((a:Organisation)-[*..4]-(b:Organisation)) RETURN p "
                 "LIMIT 1", "--data-dir", data)
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "CALL algo.SPpaths({sourceNode: a, targetNode: b, relDirection: 'both', maxLen: 4" in result.stderr


def test_the_path_query_each_backend_needs_agrees_with_networkx_on_falkordb(ps):
    g = network.partnership_graph(small_store())
    query = shortest_chain(ps.backend, 4)
    check_read_only(shortest_chain("neo4j", 4), "neo4j")  # the Neo4j form passes its guard
    ids = {iri: iri.split("/id/", 1)[1] for iri in ORGS}
    names = {r["iri"]: r["name"] for r in ps.query("MATCH (o:Organisation) RETURN o.iri AS iri, o.name AS name")[1]}
    for a in ORGS:
        for b in ORGS:
            if a == b:
                continue
            expected = network.shortest_path(g, a, b, max_hops=4)
            _, rows = ps.query(query, {"a": ids[a], "b": ids[b]})
            assert (rows[0]["hops"] if rows else None) == (len(expected) - 1 if expected else None), (a, b)
            if rows:
                assert rows[0]["chain"][0] == names[a] and rows[0]["chain"][-1] == names[b]
    with pytest.raises(ValueError, match="max_hops"):
        shortest_chain("falkordb", 40)


def test_falkordb_procedures_allowed_are_the_ones_falkordb_itself_lists_as_read(ps):
    _, rows = ps.query("CALL dbms.procedures() YIELD name, mode RETURN name, mode")
    modes = {r["name"]: r["mode"] for r in rows}
    assert all(modes.get(p) == "READ" for p in READ_PROCEDURES["falkordb"]), modes
    writing = [name for name, mode in modes.items() if mode != "READ"]
    assert writing  # db.idx.fulltext.createNodeIndex, db.idx.fulltext.drop
    for name in writing:
        with pytest.raises(QueryRefused, match="not a known read-only procedure of falkordb"):
            ps.query(f"CALL {name}('Organisation', 'name')")
    for call in ("CALL db.labels() YIELD label RETURN count(label) AS n", "CALL db.meta.stats()",
                 "CALL db.idx.fulltext.queryNodes('Organisation', 'Exampleton')",
                 "CALL algo.WCC(null) YIELD node RETURN count(node) AS n",
                 "CALL algo.pageRank('Organisation', 'PARTNERS_WITH') YIELD node RETURN count(node) AS n"):
        ps.query(call)


@pytest.mark.parametrize("cypher, backend, message", [
    ("CALL db.index.fulltext.queryNodes('names', 'Exampleton')", "falkordb", "here call db.idx.fulltext.queryNodes"),
    ("CALL db.idx.fulltext.queryNodes('Organisation', 'x')", "neo4j", "here call db.index.fulltext.queryNodes"),
    ("CALL algo.SPpaths({})", "neo4j", r"algo\.\* are FalkorDB.s"),
    ("CALL dbms.components()", "neo4j", "CALL dbms.components .* not a known read-only procedure of neo4j"),
    ("WITH 1 AS x RETURN dbms.procedures() AS p", "neo4j", "dbms.procedures .* reaches files, the network or the server"),
    ("CALL gds.graph.project('g', 'Organisation', 'PARTNERS_WITH')", "neo4j", "not a known read-only procedure"),
    ("LOAD CSV FROM 'https://example.org/x.csv' AS row RETURN row", "neo4j", "LOAD CSV"),
    ("CALL apoc.load.json('https://example.org/x.json') YIELD value RETURN value", "neo4j", "apoc.load.json"),
    ("CALL apoc.export.csv.all('/tmp/all.csv', {})", "neo4j", "apoc.export.csv.all"),
    ("RETURN apoc.cypher.runFirstColumnSingle('MATCH (n) RETURN n', {}) AS x", "neo4j", "apoc.cypher"),
    ("WITH 1 AS x RETURN apoc.static.get('secret') AS s", "neo4j", "apoc.static.get"),
    ("RETURN `apoc.util.sleep`(10000) AS s", "neo4j", "apoc.util.sleep"),
    ("RETURN APOC.LOAD.jsonParams('file:///etc/passwd', {}, null) AS s", "neo4j", "APOC.LOAD.jsonParams"),
    ("CALL dbms.setConfigValue('db.logs.query.enabled', 'OFF')", "neo4j", "dbms.setConfigValue"),
    ("USE system MATCH (n) RETURN n", "neo4j", "another database"),
    ("SHOW TRANSACTIONS", "neo4j", "transactions"),
    ("SHOW USERS", "neo4j", "users"),
    ("CALL db.createLabel('X')", "neo4j", "not a known read-only procedure"),
])
def test_the_guard_allows_each_backends_read_procedures_and_refuses_reaching_ones(cypher, backend, message):
    with pytest.raises(QueryRefused, match=message):
        check_read_only(cypher, backend)


def test_each_backends_read_procedures_pass_its_guard_and_not_the_others():
    for backend, procedures in READ_PROCEDURES.items():
        for name in procedures:
            check_read_only(f"CALL {name}()", backend)
    check_read_only("CALL db.labels()")  # read-only on both: allowed without naming the backend
    with pytest.raises(QueryRefused):
        check_read_only("CALL algo.pageRank('Organisation', 'PARTNERS_WITH')")


def test_neo4j_read_procedures_reach_the_server_in_a_read_transaction():
    with BoltStub({"reader": ("r", "r")}) as stub:
        store = Neo4jStore(stub.uri, "", "", read_user="reader", read_password="r")
        try:
            call = "CALL db.index.fulltext.queryNodes('names', $text) YIELD node RETURN node.name AS name"
            stub.answers[call] = (["name"], [["University of Exampleton"]])
            assert store.query(call, {"text": "Exampleton"})[1] == [{"name": "University of Exampleton"}]
            with pytest.raises(QueryRefused):
                store.query("CALL apoc.load.json('file:///etc/passwd')")
        finally:
            store.close()
    assert [(t.user, t.mode, t.statements) for t in stub.transactions] == [
        ("reader", "r", [(call, {"text": "Exampleton"})])]


@pytest.mark.parametrize("neo4j_query, advice", [
    ("MATCH (n:Organisation) RETURN elementId(n) AS id LIMIT 1", r"use id\(n\)"),
    ("RETURN datetime() AS now", r"use localdatetime\(\)"),
    ("MATCH (n:Organisation) WHERE n.name =~ '(?i).*exampleton.*' RETURN n.name", "CONTAINS"),
])
def test_other_neo4j_only_functions_get_falkordbs_way(ps, neo4j_query, advice):
    with pytest.raises(CypherError, match=advice):
        ps.query(neo4j_query)
