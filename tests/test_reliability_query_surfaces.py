"""The query surfaces of a real `collabgraph serve` process are read-only and bounded, over HTTP.

Every SPARQL Update form is sent every way the protocol (and a careless client)
could send it; more than twenty disguised Cypher writes go through POST /cypher.
All are refused, and afterwards the whole dataset (its N-Quads export, its build
on disk) and the whole property graph (every node and relationship with its
properties) are exactly what they were. A runaway cartesian product on each
surface ends with 504 within its limit while the server keeps answering others.
"""
from __future__ import annotations

import threading
import time

import httpx
import pytest
from api_support import shared_dataset
from conftest import SEEDS
from reliability_support import cypher, cypher_value, serve

from collabgraph.graph.dataset import current_build, open_store
from collabgraph.graph.export import export_rdf
from collabgraph.ontology import iris

LIMIT_S = 1.0
SLACK_S = 2.0
X = "https://x.example/"

#: Honest SPARQL Update requests: each must be refused as an update, with the explanation.
UPDATES = [
    f"INSERT DATA {{ <{X}a> <{X}b> <{X}c> }}",
    f"INSERT DATA {{ GRAPH <{iris.DERIVED_GRAPH}> {{ <{X}a> <{X}b> 1 }} }}",
    "DELETE DATA { {triple} }",
    "DELETE WHERE { ?s ?p ?o }",
    f"DELETE {{ ?s ?p ?o }} INSERT {{ ?s ?p <{X}o> }} WHERE {{ ?s ?p ?o }}",
    f"INSERT {{ ?s <{X}seen> true }} WHERE {{ ?s a cg:Organisation }}",
    f"WITH <{iris.DERIVED_GRAPH}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
    f"LOAD <{X}data.ttl>",
    f"LOAD SILENT <http://127.0.0.1:9/data.ttl> INTO GRAPH <{X}g>",
    "CLEAR ALL",
    f"CLEAR SILENT GRAPH <{iris.DERIVED_GRAPH}>",
    "CLEAR DEFAULT",
    "DROP ALL",
    f"DROP GRAPH <{iris.DERIVED_GRAPH}>",
    "DROP SILENT NAMED",
    f"CREATE GRAPH <{X}g>",
    f"CREATE SILENT GRAPH <{X}g>",
    f"ADD DEFAULT TO <{X}g>",
    f"MOVE <{iris.DERIVED_GRAPH}> TO <{X}g>",
    f"COPY <{iris.DERIVED_GRAPH}> TO DEFAULT",
    f"insert data {{ <{X}a> <{X}b> <{X}c> }}",
    f"PREFIX ex: <{X}>\n# a comment saying SELECT\n  InSeRt DaTa {{ ex:a ex:b ex:c }}",
    f"BASE <{X}> PREFIX : <{X}#> drop all",
]
#: Updates in disguise: refused too (as an update, or as not being a query at all).
DISGUISED = [
    "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
    f"ASK {{ }} INSERT DATA {{ <{X}a> <{X}b> <{X}c> }}",
    f"\\u0049NSERT DATA {{ <{X}a> <{X}b> <{X}c> }}",
    f"SELECT * WHERE {{ ?s ?p \"x\" }} ; CLEAR ALL ; INSERT DATA {{ <{X}a> <{X}b> <{X}c> }}",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } DROP ALL",
]
TRANSPORTS = {
    "GET query=": lambda http, text: http.get("/sparql", params={"query": text}),
    "GET update=": lambda http, text: http.get("/sparql", params={"update": text}),
    "POST form query=": lambda http, text: http.post("/sparql", data={"query": text}),
    "POST form update=": lambda http, text: http.post("/sparql", data={"update": text}),
    "POST sparql-update": lambda http, text: http.post("/sparql", content=text.encode(),
                                                       headers={"Content-Type": "application/sparql-update"}),
    "POST sparql-query": lambda http, text: http.post("/sparql", content=text.encode(), headers={
        "Content-Type": "application/sparql-query; charset=utf-8"}),
}

#: Cypher that would write, disguised every way we could think of. Each must be refused.
CYPHER_WRITES = [
    "CREATE (:Organisation {name: 'intruder'})",
    "cReAtE (:Organisation {name: 'intruder'}) RETURN 1",
    "MERGE (o:Organisation {iri: 'urn:intruder'}) RETURN o",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n)\n\tdetach\n\n   delete n",
    "MATCH ()-[r]->() DELETE r",
    "MATCH (n:Organisation) SET n.name = 'renamed' RETURN n",
    "MATCH (n) SET n += {hacked: true}",
    "MATCH (n:Organisation) SET n:Hacked",
    "MATCH (n) REMOVE n.name",
    "MATCH (n:Theme) REMOVE n:Theme",
    "DROP INDEX ON :Organisation(iri)",
    "DROP CONSTRAINT ON (n:Organisation) ASSERT n.iri IS UNIQUE",
    "CALL db.idx.fulltext.drop('Organisation')",
    "CALL db.idx.fulltext.createNodeIndex('Organisation', 'name')",
    "CALL `db`.`idx`.`fulltext`.`createNodeIndex`('Organisation', 'name')",
    "CALL dbms.security.createUser('intruder', 'secret', false)",
    "CALL apoc.create.node(['Organisation'], {name: 'intruder'})",
    "CALL apoc.cypher.runWrite('CREATE (n)', {})",
    "MATCH (n) RETURN n; MATCH (m) DETACH DELETE m",
    "RETURN 1;CREATE (n)",
    "MATCH (n) RETURN count(n) ;\n CREATE (:Organisation {name: 'intruder'})",
    "MATCH (n) /* only reading */ DELETE n",
    "MATCH (n) // only reading\nSET n.x = 1",
    "/* CREATE */ MATCH (n) WITH n /* MERGE */ SeT n.y = 2",
    "MATCH (n) WHERE n.name = 'a\\' SET n.x = 1 //' SET n.x = 2",
    "MATCH (n) WHERE n.name = \"it's \\\" quoted\" DETACH DELETE n",
    "MATCH (n) WHERE n.name = 'x\\\\' DELETE n //'",
    "MATCH (n) WITH n CALL { WITH n SET n.z = 3 } RETURN count(n)",
    "UNWIND range(1, 5) AS i CREATE (:Person {name: toString(i)})",
    "MATCH (n) FOREACH (x IN [1] | SET n.w = x)",
    "MATCH (n) RETURN n.name AS x UNION MATCH (m) SET m.v = 1 RETURN m.name AS x",
    "LOAD CSV FROM 'file:///etc/passwd' AS row CREATE (:Person {name: row[0]})",
    "OPTIONAL MATCH (n:Organisation) WITH n LIMIT 1 MERGE (n)-[:PARTNERS_WITH]->(n)",
    "EXPLAIN CREATE (n)",
    "PROFILE MATCH (n) DELETE n",
    "MATCH (n)\u00a0SET n.x = 1",
    "CALL db.labels() YIELD label CREATE (:Theme {name: label})",
]


@pytest.fixture(scope="session")
def data(tmp_path_factory):
    return shared_dataset(tmp_path_factory, SEEDS if SEEDS.is_dir() else None)


@pytest.fixture(scope="module")
def server(data, tmp_path_factory):
    env = {"COLLABGRAPH_SPARQL_TIMEOUT": str(LIMIT_S), "COLLABGRAPH_CYPHER_TIMEOUT": str(LIMIT_S)}
    with serve(data, tmp_path_factory.mktemp("surfaces-logs"), env) as served:
        yield served.url


def snapshot(url: str, data) -> dict:
    """Everything a write could change: the served export, the store on disk, the whole property graph."""
    nodes = cypher(url, "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props ORDER BY n.iri").json()["rows"]
    edges = cypher(url, "MATCH (a)-[r]->(b) RETURN a.iri, type(r), properties(r), b.iri "
                        "ORDER BY a.iri, type(r), b.iri").json()["rows"]
    served = httpx.get(url + "/export/nq", timeout=30)
    assert served.status_code == 200 and nodes and edges
    return {"served": served.text, "disk": export_rdf(open_store(data), "nquads"),
            "build": current_build(data).path, "nodes": nodes, "edges": edges}


def some_triple(data) -> str:
    """One triple of the dataset in N-Triples syntax, for DELETE DATA."""
    quad = next(iter(open_store(data).quads_for_pattern(None, None, None)))
    return f"{quad.subject} {quad.predicate} {quad.object}"


def test_there_are_enough_write_attempts():
    assert len(UPDATES) + len(DISGUISED) >= 20 and len(CYPHER_WRITES) >= 20


def test_every_sparql_update_is_refused_every_way_it_is_sent(server, data):
    before = snapshot(server, data)
    triple = some_triple(data)
    refused = 0
    http = httpx.Client(base_url=server, timeout=30)
    for form in UPDATES:
        text = form.replace("{triple}", triple)
        for how, send in TRANSPORTS.items():
            response = send(http, text)
            assert response.status_code == 400, (how, text, response.status_code, response.text)
            assert "read-only" in response.text and "collabgraph build" in response.text, (how, text, response.text)
            refused += 1
    for text in DISGUISED:
        for how, send in TRANSPORTS.items():
            response = send(http, text)
            assert response.status_code == 400, (how, text, response.status_code, response.text)
            assert "read-only" in response.text or "not valid SPARQL" in response.text, (how, text, response.text)
            refused += 1
    http.close()
    assert refused == (len(UPDATES) + len(DISGUISED)) * len(TRANSPORTS)
    assert snapshot(server, data) == before


@pytest.mark.parametrize("write", CYPHER_WRITES)
def test_a_cypher_write_is_refused(server, write):
    response = cypher(server, write)
    assert response.status_code == 400, (write, response.text)
    detail = response.json()["detail"]
    assert "read-only" in detail or "one statement per query" in detail or "would change" in detail, detail


def test_after_every_cypher_write_attempt_the_data_is_unchanged(server, data):
    before = snapshot(server, data)
    statuses = {write: cypher(server, write).status_code for write in CYPHER_WRITES}
    assert set(statuses.values()) == {400}, statuses
    assert snapshot(server, data) == before
    intruders = cypher_value(server, "MATCH (n) WHERE n.name IN ['intruder', 'renamed'] OR n:Hacked "
                                     "OR n.hacked OR n.x IS NOT NULL OR n.v IS NOT NULL RETURN count(n)")
    assert intruders == 0


def test_reads_that_mention_write_words_still_run(server):
    """The refusals are not a blunt word filter: keywords inside strings, comments and names are reads."""
    for read in ("MATCH (n) WHERE n.name = 'CREATE (x); DETACH DELETE n' RETURN count(n)",
                 "// SET n.x = 1\nMATCH (n:Organisation) RETURN count(n)",
                 "MATCH (n) RETURN n.name AS `delete`, {set: 1} AS `merge` LIMIT 1"):
        response = cypher(server, read)
        assert response.status_code == 200, (read, response.text)


def test_runaway_queries_time_out_while_the_server_answers_others(server):
    """A cartesian product on each surface at the same time; both end with 504 within the limit."""
    runaways = {
        "sparql": lambda: httpx.get(server + "/sparql", timeout=60, params={
            "query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"}),
        "cypher": lambda: cypher(server, "MATCH (a), (b), (c), (d), (e), (f), (g) RETURN count(*)", timeout=60),
    }
    results: dict[str, tuple[httpx.Response, float]] = {}

    def run(name):
        started = time.monotonic()
        response = runaways[name]()
        results[name] = (response, time.monotonic() - started)

    threads = [threading.Thread(target=run, args=(name,)) for name in runaways]
    for t in threads:
        t.start()
    time.sleep(0.2)
    answered = []
    while any(t.is_alive() for t in threads) and len(answered) < 30:
        started = time.monotonic()
        for response in (httpx.get(server + "/organisations", params={"limit": 3}, timeout=10),
                         httpx.get(server + "/sparql", params={"query": "ASK { ?s a cg:Organisation }"}, timeout=10),
                         cypher(server, "MATCH (n:Organisation) RETURN count(n)", timeout=10)):
            assert response.status_code == 200, response.text
        answered.append(time.monotonic() - started)
    for t in threads:
        t.join(60)
    assert answered and max(answered) < 1.5, answered  # three answers at a time, while both runaways run
    for name, (response, seconds) in results.items():
        assert response.status_code == 504, (name, response.status_code, response.text)
        assert seconds < LIMIT_S + SLACK_S, (name, seconds)
        text = response.text
        assert "stopped" in text and ("time limit" in text or f"{LIMIT_S:g} s" in text), (name, text)
