"""POST /cypher on the real property graph (embedded FalkorDB): answers, read-only, timeout, row limit,
and what happens when the FalkorDB process dies."""
import os
import signal
import threading
import time

import pytest
from api_support import count, shared_dataset, sparql
from conftest import SEEDS
from fastapi.testclient import TestClient
from reliability_support import falkordb_servers

from collabgraph.api.settings import Settings
from collabgraph.api.web.app import create_app
from collabgraph.ontology import iris

KEY = "cypher-test-key"
RUNAWAY = "MATCH (a), (b), (c), (d), (e), (f) RETURN count(*) AS n"
WRITES = [
    "CREATE (n:Organisation {name: 'intruder'})",
    "create (n:Organisation {name: 'intruder'}) return n",
    "MERGE (n:Organisation {id: 'x'})",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n:Organisation) DELETE n",
    "MATCH (n:Organisation) SET n.name = 'renamed'",
    "MATCH (n:Organisation) REMOVE n.name",
    "MATCH (n) RETURN n; MATCH (m) DELETE m",
    "MATCH (n) /* just reading */ SET n.x = 1",
    "MATCH (n) // comment\nWITH n SeT n.x = 1",
    "CALL db.idx.fulltext.createNodeIndex('Organisation', 'name')",
    "DROP INDEX ON :Organisation(id)",
    "MATCH (n:Organisation) WITH n LIMIT 1 MERGE (n)-[:PARTNERS_WITH]->(n)",
    "UNWIND range(1, 3) AS i CREATE (:Person {name: toString(i)})",
]


@pytest.fixture(scope="session")
def data(tmp_path_factory):
    return shared_dataset(tmp_path_factory, SEEDS if SEEDS.is_dir() else None)


@pytest.fixture(scope="module")
def client(data):
    settings = Settings(api_key=KEY, cypher_timeout=1.0, cypher_row_limit=5, sparql_workers=1)
    with TestClient(create_app(data, settings), base_url="http://localhost") as c:
        yield c


def cypher(client, query: str, params: dict | None = None, key: str | None = KEY):
    headers = {"X-API-Key": key} if key else {}
    return client.post("/cypher", json={"query": query, "params": params or {}}, headers=headers)


def value(client, query: str, params: dict | None = None):
    response = cypher(client, query, params)
    assert response.status_code == 200, response.text
    return response.json()["rows"][0][0]


def graph_size(client) -> tuple[int, int]:
    return value(client, "MATCH (n) RETURN count(n)"), value(client, "MATCH ()-[r]->() RETURN count(r)")


@pytest.mark.parametrize("label", ["Organisation", "Programme", "Person", "Agreement", "Theme", "University"])
def test_the_property_graph_holds_the_dataset(client, data, label):
    assert value(client, f"MATCH (n:{label}) RETURN count(n)") == count(data, label)


def test_columns_and_rows_come_back_in_order(client):
    body = cypher(client, "MATCH (o:Organisation) RETURN o.id AS id, o.name AS name ORDER BY id LIMIT 3").json()
    assert body["columns"] == ["id", "name"] and len(body["rows"]) == 3
    assert [r[0] for r in body["rows"]] == sorted(r[0] for r in body["rows"])


def test_parameters_find_an_organisations_partners(client, data):
    rows = sparql(data, f"SELECT ?a (COUNT(DISTINCT ?b) AS ?n) WHERE {{ GRAPH <{iris.DERIVED_GRAPH}> {{ ?a cg:partnersWith ?b }} }} "
                        "GROUP BY ?a ORDER BY ?n ?a LIMIT 1")
    org, n = rows[0]["a"], rows[0]["n"]
    partners = {r["b"] for r in sparql(data, f"SELECT ?b WHERE {{ <{org}> cg:partnersWith ?b }}")}
    body = cypher(client, "MATCH (o:Organisation {id: $id})-[:PARTNERS_WITH]-(p:Organisation) RETURN p.iri ORDER BY p.iri",
                  {"id": iris.local_id(org)}).json()
    assert n <= 5 and {r[0] for r in body["rows"]} == partners


@pytest.mark.parametrize("query", WRITES)
def test_writes_are_refused_and_change_nothing(client, query):
    before = graph_size(client)
    response = cypher(client, query)
    assert response.status_code == 400, response.text
    assert "read-only" in response.json()["detail"] or "would change" in response.json()["detail"]
    assert graph_size(client) == before


def test_a_runaway_query_stops_at_the_time_limit_and_others_are_answered(client):
    result = {}

    def runaway():
        started = time.monotonic()
        result["response"] = cypher(client, RUNAWAY)
        result["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.2)
    started = time.monotonic()
    assert client.get("/organisations").status_code == 200
    assert value(client, "MATCH (n:Theme) RETURN count(n)") >= 0
    answered_in = time.monotonic() - started
    thread.join(30)
    assert result["response"].status_code == 504 and "time limit" in result["response"].json()["detail"]
    assert result["seconds"] < 4.0 and answered_in < 2.0


def test_rows_beyond_the_limit_are_refused(client):
    too_many = cypher(client, "MATCH (n) RETURN n.id")
    assert too_many.status_code == 400 and "more than 5 rows" in too_many.json()["detail"]
    assert len(cypher(client, "MATCH (n) RETURN n.id LIMIT 5").json()["rows"]) == 5


def test_invalid_requests_get_clear_errors(client):
    syntax = cypher(client, "MATCH (n RETURN n")
    assert syntax.status_code == 400 and "could not run the query" in syntax.json()["detail"]
    assert client.post("/cypher", json={"params": {}}, headers={"X-API-Key": KEY}).status_code == 422
    wrong = client.post("/cypher", json={"query": "RETURN 1", "params": [1, 2]}, headers={"X-API-Key": KEY})
    assert wrong.status_code == 422 and "params" in wrong.json()["detail"]


def test_the_api_key_guards_cypher(client):
    assert cypher(client, "RETURN 1", key=None).status_code == 401
    assert cypher(client, "RETURN 1", key="wrong").status_code == 401
    assert client.post("/cypher", json={"query": "RETURN 1"}, headers={"Authorization": f"Bearer {KEY}"}).status_code == 200


def test_a_killed_falkordb_gives_503_then_comes_back(client, data):
    expected = value(client, "MATCH (o:Organisation) RETURN count(o)")
    health = client.get("/health").json()["stores"]["property"]["detail"]
    assert "pid" not in health and "socket" not in health  # the operator's business, not an answer's
    (process,) = falkordb_servers(data)
    pid = process.pid
    os.kill(pid, signal.SIGKILL)
    process.wait(10)
    down = cypher(client, "MATCH (o:Organisation) RETURN count(o)")
    assert down.status_code == 503 and "restarted" in down.json()["detail"]
    assert str(data.resolve()) not in down.text and "Log:" not in down.text and ".sock" not in down.text
    assert client.get("/organisations").json()["total"] == count(data, "Organisation")  # RDF routes keep working
    assert value(client, "MATCH (o:Organisation) RETURN count(o)") == expected
    assert client.get("/health").json()["stores"]["property"]["status"] == "ok"
