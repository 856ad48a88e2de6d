"""Neo4j mode over the wire: the real CLI and the real neo4j driver against a Bolt stub server.

No Neo4j can run here, so ``neo4j_bolt_stub.BoltStub`` speaks Bolt 4.4 and records
every transaction the driver opens: user, access mode, statements, commit. What a
user relies on: the graph records the build it holds, a query on a current graph
writes nothing, queries run as the read-only user in READ access mode, a new build
causes exactly one sync, and a stale graph without write credentials is a clear
error rather than a silent stale answer.
"""
from __future__ import annotations

import shutil

import pytest
from conftest import BUNDLED
from neo4j_bolt_stub import BoltStub
from property_fixtures import small_store, source_a

from collabgraph.graph import dataset
from collabgraph.graph.errors import QueryRefused
from collabgraph.graph.property import StoreUnavailable
from collabgraph.graph.property.neo4j_store import Neo4jStore
from collabgraph.graph.property.projection import project

QUERY = "MATCH (o:Organisation) RETURN o.name AS name"


@pytest.fixture
def stub():
    with BoltStub({"reader": ("read-secret", "r"), "writer": ("write-secret", "w")}) as running:
        running.answers[QUERY] = (["name"], [["University of Exampleton"]])
        yield running


def use(monkeypatch, stub, *, write: bool = True, read: bool = True) -> None:
    monkeypatch.setenv("COLLABGRAPH_NEO4J_URI", stub.uri)
    for var, value, on in (("USER", "writer", write), ("PASSWORD", "write-secret", write),
                           ("READ_USER", "reader", read), ("READ_PASSWORD", "read-secret", read)):
        if on:
            monkeypatch.setenv(f"COLLABGRAPH_NEO4J_{var}", value)
        else:
            monkeypatch.delenv(f"COLLABGRAPH_NEO4J_{var}", raising=False)


def corpus(tmp_path, *documents: str):
    folder = tmp_path / "corpus"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(BUNDLED / "register", folder / "register")
    (folder / "documents").mkdir()
    for name in documents:
        shutil.copy(BUNDLED / "documents" / name, folder / "documents" / name)
    return folder


def test_cli_syncs_once_per_build_and_queries_as_the_read_user_in_read_mode(monkeypatch, cli, tmp_path, stub):
    data = tmp_path / "data"
    use(monkeypatch, stub)
    built = cli("build", corpus(tmp_path, "leicester-ons-mou.txt"), "--data-dir", data)
    assert built.exit_code == 0, built.stderr
    first = dataset.current_build(data).path.name
    writes = stub.committed_writes()
    assert {t.user for t in writes} == {"writer"} and all(t.mode == "w" for t in writes)
    assert stub.meta["build"] == first and len(stub.meta["digest"]) == 64
    assert sum("DETACH DELETE" in s for t in writes for s, _ in t.statements) == 1  # one load

    before = len(stub.transactions)
    for _ in range(2):
        result = cli("query", "cypher", QUERY, "--data-dir", data, "--format", "json")
        assert result.exit_code == 0, result.stderr
        assert "University of Exampleton" in result.stdout
    queries = stub.transactions[before:]
    assert stub.committed_writes() == writes  # a current graph: the queries wrote nothing
    assert queries and all(t.user == "reader" and t.mode == "r" for t in queries)
    assert [t.timeout_ms for t in queries if t.statements[0][0] == QUERY] == [5000, 5000]

    # A new build that is not synced (only the read user is configured when it runs) ...
    use(monkeypatch, stub, write=False)
    rebuilt = cli("build", corpus(tmp_path, "leicester-ons-mou.txt", "hdrc-leicestershire.md"), "--data-dir", data)
    assert "COLLABGRAPH_NEO4J_USER and COLLABGRAPH_NEO4J_PASSWORD" in rebuilt.stderr
    second = dataset.current_build(data).path.name
    assert second != first and stub.meta["build"] == first and stub.committed_writes() == writes
    # ... is refused by a query (no stale answer), naming what to set ...
    refused = cli("query", "cypher", QUERY, "--data-dir", data)
    assert refused.exit_code == 1 and len(refused.stderr.strip().splitlines()) == 1
    assert f"holds build {first}, not the current build {second}" in refused.stderr
    assert "COLLABGRAPH_NEO4J_USER" in refused.stderr
    # ... and synced exactly once when the write user is there.
    use(monkeypatch, stub)
    for _ in range(2):
        assert cli("query", "cypher", QUERY, "--data-dir", data).exit_code == 0
    new_writes = stub.committed_writes()[len(writes):]
    assert sum("DETACH DELETE" in s for t in new_writes for s, _ in t.statements) == 1
    assert {t.user for t in new_writes} == {"writer"} and stub.meta["build"] == second


def test_the_store_writes_only_when_stale(stub):
    store = Neo4jStore(stub.uri, "writer", "write-secret", "collab", read_user="reader", read_password="read-secret")
    rdf = small_store()
    try:
        assert store.synced_build() is None
        assert store.sync_if_stale(rdf, "build-1").changed
        load = stub.committed_writes()
        assert len(load) == len(store.transactions(project(rdf)))  # one per schema statement, then one load
        assert all(t.database == "collab" for t in stub.transactions)
        assert store.sync_if_stale(rdf, "build-1") is None and stub.committed_writes() == load
        assert store.synced_build() == "build-1"
        again = store.sync(rdf, "build-1")  # what the API runs when it first serves a build: one read
        assert not again.changed and (again.nodes, again.relationships) == (12, 15)
        assert stub.committed_writes() == load
        # The same projection under a new build name: only the metadata is written, in one transaction.
        report = store.sync(rdf, "build-2")
        assert not report.changed and report.statements == 1
        assert [s for s, _ in stub.committed_writes()[-1].statements] == [load[-1].statements[-1][0]]
        assert store.synced_build() == "build-2"
        # A different projection: one full load again.
        store.sync(small_store((source_a,)), "build-3")
        assert sum("DETACH DELETE" in s for t in stub.committed_writes() for s, _ in t.statements) == 2
        assert store.health()["read_user"] == "reader"
    finally:
        store.close()


def test_a_write_through_the_query_surface_never_reaches_the_server(stub):
    """The guard refuses it first; the read transaction would refuse it again (the stub checks the mode)."""
    store = Neo4jStore(stub.uri, "writer", "write-secret", read_user="reader", read_password="read-secret")
    try:
        with pytest.raises(QueryRefused):
            store.query("MATCH (n) DETACH DELETE n")
        with pytest.raises(QueryRefused, match="read transaction"):
            store._read("CREATE (n:X)", {}, 1000, 1)  # past the guard: the READ access mode refuses it
        assert not stub.committed_writes()
    finally:
        store.close()


def test_read_credentials_alone_query_a_current_graph_and_half_a_pair_is_an_error(stub):
    Neo4jStore(stub.uri, "writer", "write-secret").sync(small_store(), "b")
    store = Neo4jStore(stub.uri, "", "", read_user="reader", read_password="read-secret")
    try:
        assert store.sync_if_stale(small_store(), "b") is None
        assert store.query(QUERY)[1] == [{"name": "University of Exampleton"}]
    finally:
        store.close()
    with pytest.raises(StoreUnavailable, match="COLLABGRAPH_NEO4J_READ_USER and COLLABGRAPH_NEO4J_READ_PASSWORD must "
                                               "be set together; only COLLABGRAPH_NEO4J_READ_USER is set"):
        Neo4jStore(stub.uri, "writer", "write-secret", read_user="reader")
    wrong = Neo4jStore(stub.uri, "", "", read_user="reader", read_password="nope")
    try:
        with pytest.raises(StoreUnavailable, match="refused the credentials"):
            wrong.query(QUERY)
    finally:
        wrong.close()



def test_the_api_on_a_current_neo4j_graph_only_reads_as_the_read_user(monkeypatch, cli, tmp_path, stub):
    """The real server (python -m collabgraph.api serve) with Neo4j configured: /cypher answers in read transactions of the
    read user and writes nothing; /paths answers from the RDF build, whichever property graph is configured."""
    import httpx
    from reliability_support import serve

    data = tmp_path / "data"
    use(monkeypatch, stub)
    assert cli("build", corpus(tmp_path, "leicester-ons-mou.txt"), "--data-dir", data).exit_code == 0
    writes, before = stub.committed_writes(), len(stub.transactions)
    env = {f"COLLABGRAPH_NEO4J_{k}": v for k, v in (("URI", stub.uri), ("USER", "writer"), ("PASSWORD", "write-secret"),
                                                    ("READ_USER", "reader"), ("READ_PASSWORD", "read-secret"))}
    with serve(data, tmp_path / "logs", env) as served:
        answer = httpx.post(served.url + "/cypher", json={"query": QUERY}, timeout=30)
        assert answer.status_code == 200, answer.text
        assert answer.json()["rows"] == [["University of Exampleton"]]
        ids = [o["id"] for o in httpx.get(served.url + "/organisations", params={"limit": 2}, timeout=30).json()["items"]]
        path = httpx.get(served.url + "/paths", params={"from": ids[0], "to": ids[1]}, timeout=30)
        assert path.status_code == 200, path.text
    served_transactions = stub.transactions[before:]
    assert stub.committed_writes() == writes
    assert served_transactions and all(t.user == "reader" and t.mode == "r" for t in served_transactions)
