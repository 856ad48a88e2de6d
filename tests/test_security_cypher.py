"""Red-team findings on the Cypher surface, the FalkorDB store and the analytics routes (issue 12).

Each test replays the attack against the real FalkorDB process (and a real `collabgraph serve`
where the finding was made through the API):

* a query FalkorDB does not stop at its timeout (``reduce()`` over a huge range) must not keep a
  query thread and a CPU busy after the 504, and must not stop later queries or a build's sync;
* a query whose memory FalkorDB does not track (``collect()``) must not take more than the
  server's memory limit, and gets a clear 400;
* an entity name of 10,000 characters must sync (it crashed FalkorDB's unique-key check);
* four million rows must be refused without being sent;
* an integer parameter past 64 bits is refused, naming it;
* the betweenness of a build is computed once, whoever asks and however many at once.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import networkx as nx
import psutil
import pytest
import redis
from api_support import live_server
from property_fixtures import REGISTER, U1, small_store, source_a, source_b, write_register
from reliability_support import cypher, falkordb_servers, kill_falkordb, serve

from collabgraph.api.settings import Settings
from collabgraph.api.web import routes_analytics
from collabgraph.api.web.app import create_app
from collabgraph.graph import network
from collabgraph.graph.build import BUNDLED_DATA, build
from collabgraph.graph.property import StoreUnavailable, sync_current
from collabgraph.graph.property.cypher import MAX_KEY, MAX_TEXT
from collabgraph.graph.property.falkordb_store import FalkorDBStore
from collabgraph.graph.property.server import NO_RETRY
from collabgraph.graph.stores import Computing, PerBuild, RdfStore
from collabgraph.loaders.rdf_writer import GraphWriter, SourceInfo
from collabgraph.ontology import iris

#: String concatenation in reduce(): quadratic, and FalkorDB 4.16 does not check its timeout inside it.
UNSTOPPABLE = "RETURN reduce(s = '', x IN range(1, 5000000) | s + 'aaaaaaaaaa') AS s"
#: collect() of 50 million integers: about 1.6 GB that FalkorDB's per-query memory cap does not see.
HOARDING = "UNWIND range(1, 20000) AS a UNWIND range(1, 2500) AS b WITH collect(a) AS l RETURN size(l)"
#: One allocation that FalkorDB does track (320 MB), past the per-query cap of a 1 GiB server.
TRACKED = "RETURN size(range(1, 20000000)) AS n"
MANY_ROWS = "UNWIND range(1, 4000000) AS x RETURN x, x AS y"
TRIVIAL = "MATCH (n) RETURN count(n) AS n"
LONG_NAME = "University of Z" + "z" * 10_000


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("sec-cypher") / "d"
    build(root, [BUNDLED_DATA])
    yield root
    kill_falkordb(root)


def falkordb_of(data) -> psutil.Process:
    [server] = falkordb_servers(data)
    return server


def idle_within(process: psutil.Process, seconds: float) -> bool:
    """True once the process uses less than a fifth of a CPU over half a second, within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.cpu_percent(interval=0.5) < 20:
            return True
    return False


def peak_rss(process_of, during) -> int:
    """The highest resident memory of the FalkorDB server (whichever pid it has) while ``during()`` runs."""
    peak, done = [0], threading.Event()

    def sample():
        while not done.is_set():
            try:
                peak[0] = max(peak[0], process_of().memory_info().rss)
            except (psutil.Error, ValueError):
                pass
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        result = during()
    finally:
        done.set()
        sampler.join()
    return peak[0], result


# ---------------------------------------------------------------- 1. queries FalkorDB does not stop


def test_a_query_falkordb_cannot_stop_ends_with_504_and_leaves_the_server_idle(data, tmp_path):
    env = {"COLLABGRAPH_CYPHER_TIMEOUT": "2"}
    with serve(data, tmp_path / "logs", env) as served:
        assert cypher(served.url, TRIVIAL).status_code == 200
        started = time.monotonic()
        with ThreadPoolExecutor(2) as pool:  # two used to take both query threads for good
            answers = list(pool.map(lambda _: cypher(served.url, UNSTOPPABLE, timeout=60), range(2)))
        assert time.monotonic() - started < 15
        assert all(a.status_code in (503, 504) for a in answers), [a.text for a in answers]
        assert any(a.status_code == 504 and "stopped" in a.json()["detail"] for a in answers)
        assert idle_within(falkordb_of(data), 5), "FalkorDB still runs the query after the 504"
        quick = time.monotonic()
        assert cypher(served.url, TRIVIAL).status_code == 200
        assert time.monotonic() - quick < 2
        assert httpx.get(served.url + "/health", timeout=30).json()["status"] == "ok"
        report = sync_current(data)  # what `collabgraph build` runs last, next to the running server
        assert report.nodes > 0


def test_health_notices_busy_query_threads_and_orphaned_queries_are_ended(data, tmp_path):
    """Queries whose clients went away hold FalkorDB's threads: /health says so; they end after TIMEOUT_MAX."""
    env = {"COLLABGRAPH_CYPHER_TIMEOUT": "2", "COLLABGRAPH_FALKORDB_TIMEOUT_MAX": "3"}
    with serve(data, tmp_path / "logs", env) as served:
        assert cypher(served.url, TRIVIAL).status_code == 200
        socket = str(data.resolve() / "falkordb" / "falkordb.sock")
        for _ in range(2):  # as many as FalkorDB has query threads on this machine (one per core, at least 2)
            orphan = redis.Redis(unix_socket_path=socket, socket_timeout=0.5, retry=NO_RETRY)
            with pytest.raises(redis.TimeoutError):
                orphan.execute_command("GRAPH.RO_QUERY", "collabgraph", UNSTOPPABLE)
            orphan.close()
        health = httpx.get(served.url + "/health", timeout=30)
        assert health.json()["status"] == "degraded", health.text
        assert "query threads" in health.json()["stores"]["property"]["message"]
        time.sleep(3)  # the orphans are now past TIMEOUT_MAX and its grace
        waiting = cypher(served.url, TRIVIAL)
        assert waiting.status_code == 504 and "restarted" in waiting.json()["detail"], waiting.text
        assert idle_within(falkordb_of(data), 5)
        assert cypher(served.url, TRIVIAL).status_code == 200
        assert httpx.get(served.url + "/health", timeout=30).json()["status"] == "ok"


def test_a_timeout_above_the_servers_maximum_is_refused(tmp_path):
    with FalkorDBStore(tmp_path / "d") as ps:
        ps.sync(small_store())
        with pytest.raises(ValueError, match="COLLABGRAPH_FALKORDB_TIMEOUT_MAX"):
            ps.query(TRIVIAL, timeout_ms=ps.server.limits.timeout_max_ms + 1)


# ---------------------------------------------------------------- 2. memory


def test_falkordb_memory_is_bounded_and_a_hoarding_query_gets_a_clear_error(data, tmp_path):
    env = {"COLLABGRAPH_FALKORDB_MEMORY_MB": "1024"}
    kill_falkordb(data)  # the limits are set when the server starts
    with serve(data, tmp_path / "logs", env) as served:
        assert cypher(served.url, TRIVIAL).status_code == 200
        peak, answer = peak_rss(lambda: falkordb_of(data), lambda: cypher(served.url, HOARDING, timeout=60))
        assert answer.status_code == 400, answer.text
        assert "more memory" in answer.json()["detail"] and "COLLABGRAPH_FALKORDB_MEMORY_MB" in answer.json()["detail"]
        assert peak < 1024 * 2**20
        tracked = cypher(served.url, TRACKED)
        assert tracked.status_code == 400 and "more memory" in tracked.json()["detail"], tracked.text
        assert cypher(served.url, TRIVIAL).status_code == 200  # restarted, with the graph

        socket = str(data.resolve() / "falkordb" / "falkordb.sock")
        config = redis.Redis(unix_socket_path=socket, decode_responses=True)
        assert config.execute_command("GRAPH.CONFIG", "GET", "QUERY_MEM_CAPACITY") == ["QUERY_MEM_CAPACITY", 2**28]
        assert config.config_get("maxmemory") == {"maxmemory": str(2**29)}
        config.close()
    kill_falkordb(data)


# ---------------------------------------------------------------- 3. names too long for FalkorDB's keys


def long_named_source() -> GraphWriter:
    """A hand-made source: an organisation named with 10,000 characters, party to an agreement."""
    w = GraphWriter(SourceInfo("doc-long.txt", "doc-long.txt", "Long", "sha256:cc"))
    long = iris.entity_iri("Organisation", LONG_NAME)
    agreement = iris.entity_iri("Agreement", "Long memorandum")
    w.entity(long, "University", LONG_NAME, [LONG_NAME + " alias"])
    w.entity(U1, "University", "University of Exampleton")
    w.entity(agreement, "MemorandumOfUnderstanding", "Long memorandum")
    w.relation(agreement, "party", long)
    w.relation(agreement, "party", U1)
    return w


def test_a_ten_thousand_character_name_syncs_bounded(tmp_path):
    with FalkorDBStore(tmp_path / "d") as ps:
        report = ps.sync(small_store((source_a, source_b, long_named_source)))
        _, rows = ps.query("MATCH (o:Organisation)-[:PARTNERS_WITH]-(p:Organisation {iri: $u}) "
                           "WHERE o.name STARTS WITH 'University of Z' RETURN o.iri AS iri, o.name AS name, "
                           "o.id AS id, o.aliases AS aliases", {"u": U1})
        assert ps.query(TRIVIAL)[1] == [{"n": report.nodes}] and len(rows) == 1
        row = rows[0]
        assert len(row["iri"]) <= MAX_KEY and len(row["name"]) == MAX_TEXT and row["name"].endswith("…")
        assert len(row["id"]) <= MAX_TEXT and all(len(a) <= MAX_TEXT for a in row["aliases"])
        assert ps.health()["ok"]


def test_a_ten_thousand_character_register_name_stops_the_build_before_the_property_graph(tmp_path, cli):
    """The register refuses a name past the bounds (file:line), so it never reaches FalkorDB; the graph built
    before keeps answering. (The projection's own bound is tested above on a hand-made source.)"""
    good = write_register(tmp_path / "good", REGISTER)
    bad = write_register(tmp_path / "bad", {**REGISTER, "long.yaml": (
        f"organisations:\n  - name: {LONG_NAME}\n    type: University\n")})
    root = tmp_path / "d"
    try:
        assert cli("build", good, "--data-dir", root).exit_code == 0
        refused = cli("build", bad, "--data-dir", root)
        assert refused.exit_code != 0 and "long.yaml:2" in refused.output, refused.output
        found = cli("query", "cypher", "MATCH (o:Organisation) RETURN count(o) AS n", "--format", "json",
                    "--data-dir", root)
        assert found.exit_code == 0 and '"n"' in found.output, found.output
    finally:
        kill_falkordb(root)


# ---------------------------------------------------------------- 4. rows


def test_millions_of_rows_are_refused_without_being_sent(data, tmp_path):
    with serve(data, tmp_path / "logs") as served:
        assert cypher(served.url, TRIVIAL).status_code == 200
        api = served.ps
        before = api.memory_info().rss
        started = time.monotonic()
        peak, answer = peak_rss(lambda: falkordb_of(data), lambda: cypher(served.url, MANY_ROWS, timeout=120))
        assert answer.status_code == 400 and "more than 10000 rows" in answer.json()["detail"], answer.text
        assert time.monotonic() - started < 15
        assert peak < 512 * 2**20
        assert api.memory_info().rss - before < 300 * 2**20


# ---------------------------------------------------------------- 5. integer parameters


@pytest.mark.parametrize("params, named", [({"n": 10**30}, "$n"), ({"n": [1, -(2**63) - 1]}, "$n[1]"),
                                           ({"m": {"k": 2**64}}, "$m.k")])
def test_integer_parameters_past_64_bits_are_refused_naming_them(data, params, named):
    with live_server(create_app(data, Settings())) as url:
        answer = cypher(url, "RETURN $n AS n", params)
    assert answer.status_code == 400, answer.text
    assert f"parameter {named} " in answer.json()["detail"] and "64-bit" in answer.json()["detail"]


def test_integers_within_64_bits_still_work(tmp_path):
    with FalkorDBStore(tmp_path / "d") as ps:
        ps.sync(small_store())
        assert ps.query("RETURN $n AS n", {"n": 2**63 - 1})[1] == [{"n": 2**63 - 1}]


# ---------------------------------------------------------------- 6. analytics once per build


def test_betweenness_is_computed_once_per_build_even_under_concurrent_requests(data, monkeypatch):
    calls = []
    real = network.betweenness

    def counted(g):
        calls.append(threading.get_ident())
        time.sleep(0.5)  # keep the first computation running while the other requests arrive
        return real(g)

    monkeypatch.setattr(network, "betweenness", counted)
    app = create_app(data, Settings())
    routes = ["/analytics/centrality", "/analytics/communities"] * 3
    with live_server(app) as url, ThreadPoolExecutor(len(routes)) as pool:
        first = list(pool.map(lambda r: httpx.get(url + r, timeout=60), routes))
        again = [httpx.get(url + r, timeout=60) for r in routes[:2]]
    assert all(r.status_code == 200 for r in first + again), [r.text for r in first + again]
    assert len(calls) == 1
    assert first[0].json() == again[0].json() and first[1].json() == again[1].json()


def test_analytics_answer_503_with_retry_after_while_betweenness_computes(data, monkeypatch):
    real = network.betweenness

    def slow(g):
        time.sleep(1.5)
        return real(g)

    monkeypatch.setattr(network, "betweenness", slow)
    monkeypatch.setattr(routes_analytics, "ANALYTICS_WAIT_S", 0.2)
    with live_server(create_app(data, Settings())) as url:
        busy = httpx.get(url + "/analytics/centrality", timeout=30)
        assert busy.status_code == 503 and "being computed" in busy.json()["detail"], busy.text
        assert busy.headers["retry-after"] == str(routes_analytics.RETRY_AFTER_S)
        time.sleep(2)
        assert httpx.get(url + "/analytics/centrality", timeout=30).status_code == 200


def test_a_slow_measure_answers_retry_later_while_it_computes_once(data):
    """Betweenness of a generated network of thousands of organisations, asked for with a short wait."""
    g = nx.gnm_random_graph(3000, 15000, seed=1)
    computed = []

    def slow(_):
        computed.append(1)
        return network.betweenness(g)

    per_build = PerBuild(RdfStore(data))
    with pytest.raises(Computing) as first:
        per_build.get_within("measures", slow, 0.05, 7)
    assert first.value.retry_after == 7
    with pytest.raises(Computing):
        per_build.get_within("measures", slow, 0.05, 7)
    started = time.monotonic()
    value = per_build.get_within("measures", slow, 60, 7)
    assert time.monotonic() - started < 30  # sampled: exact betweenness of this network takes minutes
    assert len(value) == 3000 and computed == [1]
    assert per_build.get_within("measures", slow, 0.01, 7) is value


def test_betweenness_is_exact_on_small_networks():
    g = nx.karate_club_graph()
    assert network.betweenness(g) == nx.betweenness_centrality(g)



@pytest.mark.parametrize("name, value", [("COLLABGRAPH_FALKORDB_MEMORY_MB", "lots"),
                                         ("COLLABGRAPH_FALKORDB_MEMORY_MB", "16"),
                                         ("COLLABGRAPH_FALKORDB_TIMEOUT_MAX", "0")])
def test_an_unusable_limit_setting_is_named(tmp_path, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(StoreUnavailable, match=f"{name}={value!r}"):
        FalkorDBStore(tmp_path / "d")
