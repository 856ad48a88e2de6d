"""Store failure: the FalkorDB process dies under a running `collabgraph serve`.

Cypher answers 503 saying what happened, everything served from the RDF store
keeps working with the same answers, and the next Cypher request restarts the
property-graph server with the same graph.
"""
from __future__ import annotations

import os
import signal

import httpx
import psutil
import pytest
from reliability_support import cypher, falkordb_servers, graph_size, kill_falkordb, serve, wait_dead

from collabgraph.graph.build import BUNDLED_DATA, build

RDF_ROUTES = ["/organisations?limit=1000", "/view.json", "/export/nq", "/partnerships?limit=1000",
              "/analytics/centrality?limit=1000"]
ORGS = "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a cg:Organisation }"


@pytest.fixture
def data(tmp_path):
    root = tmp_path / "d"
    build(root, [BUNDLED_DATA])
    yield root
    kill_falkordb(root)


def rdf_answers(http: httpx.Client) -> dict:
    out = {route: http.get(route) for route in RDF_ROUTES}
    out["sparql"] = http.get("/sparql", params={"query": ORGS}, headers={"Accept": "text/csv"})
    assert all(r.status_code == 200 for r in out.values()), {k: r.status_code for k, r in out.items()}
    return {k: r.text for k, r in out.items()}


def test_killed_falkordb_gives_503_rdf_routes_keep_working_and_the_next_request_restarts_it(data, tmp_path):
    with serve(data, tmp_path / "logs") as served, httpx.Client(base_url=served.url, timeout=30) as http:
        size = graph_size(served.url)
        before = rdf_answers(http)
        http.get("/health").json()
        (falkordb,) = falkordb_servers(data)  # found as an operator finds it: answers do not give the pid
        pid = falkordb.pid
        assert falkordb.ppid() == served.process.pid  # the server started it and owns it
        os.kill(pid, signal.SIGKILL)
        wait_dead(falkordb)

        down = cypher(served.url, "MATCH (n) RETURN count(n)")
        assert down.status_code == 503, down.text
        detail = down.json()["detail"]
        assert "FalkorDB" in detail and "not reachable" in detail and "restarted" in detail, detail
        assert str(data.resolve()) not in detail and "Log:" not in detail and ".sock" not in detail, detail
        assert down.headers.get("retry-after")
        assert rdf_answers(http) == before  # the RDF store does not depend on the property graph

        assert graph_size(served.url) == size  # the next request restarted it, with the same graph
        after = http.get("/health").json()
        assert after["status"] == "ok" and after["stores"]["property"]["status"] == "ok"
        (restarted,) = falkordb_servers(data)
        assert restarted.pid != pid and restarted.ppid() == served.process.pid
    assert falkordb_servers(data) == []  # the server stopped the FalkorDB it restarted


def test_health_reports_the_property_graph_while_it_cannot_start(data, tmp_path):
    """When FalkorDB cannot come back at all, /health says 'degraded' and the RDF routes still answer."""
    with serve(data, tmp_path / "logs") as served, httpx.Client(base_url=served.url, timeout=30) as http:
        graph_size(served.url)
        http.get("/health")
        pid = falkordb_servers(data)[0].pid
        folder = data.resolve() / "falkordb"
        os.kill(pid, signal.SIGKILL)
        wait_dead(psutil.Process(pid))
        blocker = folder / "falkordb.sock"
        blocker.unlink(missing_ok=True)
        blocker.mkdir()  # nothing can listen on this path: every restart fails until it is gone
        try:
            down = cypher(served.url, "MATCH (n) RETURN count(n)")
            assert down.status_code == 503 and "FalkorDB" in down.json()["detail"], down.text

            health = http.get("/health")
            assert health.status_code == 200 and health.json()["status"] == "degraded", health.text
            assert health.json()["stores"]["rdf"]["status"] == "ok"
            assert health.json()["stores"]["property"]["message"]
            assert http.get("/organisations").status_code == 200
            again = cypher(served.url, "MATCH (n) RETURN count(n)")
            assert again.status_code == 503, again.text
        finally:
            blocker.rmdir()
        assert cypher(served.url, "MATCH (n) RETURN count(n)").status_code == 200
