"""Attacks on the SPARQL surface of a real `collabgraph serve` and of `collabgraph query sparql` (issue 12).

* SERVICE made the server send the query to any URL (request forgery against
  this machine's network) and hand back the answer; a local HTTP listener
  stands for the victim and must receive nothing, whichever way the query is
  disguised. With an allowlist, only the listed endpoint is called.
* Worker memory and answer size are capped; a worker that dies is replaced.
* Sixty slow queries at once no longer starve /health and the REST routes:
  the excess is told 503 with Retry-After at once.
* Deep nesting used to crash the CLI (exit 139); it is refused in one line.
"""
from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from api_support import shared_dataset
from conftest import SEEDS
from reliability_support import REPO, clean_env, serve

from collabgraph.api.settings import Settings
from collabgraph.graph.dataset import current_build
from collabgraph.graph.sparql.runner import SparqlRunner, WorkerOptions, worker_request

JSON_RESULTS = "application/sparql-results+json"
#: A cartesian product: runs until its timeout on the test dataset.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
#: Strings multiplied by 8 eight times: a 1.1 GB literal (67 * 8^8 characters), past a 1 GB cap within seconds.
_SEED = "x" * 67
HUNGRY = ("SELECT (STRLEN(?h) AS ?n) WHERE { BIND(\"%s\" AS ?a) " % _SEED + " ".join(
    f"BIND(CONCAT({', '.join([f'?{p}'] * 8)}) AS ?{n})" for p, n in zip("abcdefgh", "bcdefghi")) + " }")
#: One triple whose object is a 17.6 MB literal (67 * 8^6 characters).
BIG_CONSTRUCT = ("CONSTRUCT { <https://x.example/s> <https://x.example/p> ?g } WHERE { BIND(\"%s\" AS ?a) " % _SEED
                 + " ".join(f"BIND(CONCAT({', '.join([f'?{p}'] * 8)}) AS ?{n})" for p, n in zip("abcdef", "bcdefg"))
                 + " }")


def disguised_services(url: str) -> list[str]:
    """SERVICE calls to `url`, written every way SPARQL allows (each one parses in Oxigraph)."""
    return [
        f"SELECT * WHERE {{ SERVICE <{url}/plain> {{ ?s ?p ?o }} }}",
        f"select * where {{ sErViCe <{url}/case> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}/silent> {{ ?s ?p ?o }} }}",
        f"PREFIX x: <{url}/> SELECT * WHERE {{ SERVICE x:prefixed {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{url}/\\u0065scaped> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o .SERVICE<{url}/glued>{{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ # a comment \"\n SERVICE # another\n <{url}/comments> {{ ?s ?p \"z\" }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o FILTER(?o < 'x>') SERVICE <{url}/after-a-string> {{ ?s ?p 'z' }} }}",
        f"PREFIX ex: <https://x.example/> SELECT * WHERE {{ ?s ex:p\\' ?o . SERVICE <{url}/escape> {{ }} }} # '",
        f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{url}/optional> {{ ?s ?p ?o }} }} }}",
        f"ASK {{ FILTER EXISTS {{ SERVICE <{url}/exists> {{ ?s ?p ?o }} }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}/construct> {{ ?s ?p ?o }} }}",
    ]


class Listener:
    """A local HTTP server standing for a service on this machine; records every request it gets."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # Oxigraph POSTs the query; answer as a SPARQL endpoint would
                listener.requests.append(self.path)
                self.rfile.read(int(self.headers.get("content-length") or 0))
                body = json.dumps({"head": {"vars": ["secret"]}, "results": {"bindings": [
                    {"secret": {"type": "literal", "value": "from the listener"}}]}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", JSON_RESULTS)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def data(tmp_path_factory):
    return shared_dataset(tmp_path_factory, SEEDS if SEEDS.is_dir() else None)


@pytest.fixture
def listener():
    served = Listener()
    yield served
    served.close()


@pytest.fixture(scope="module")
def server(data, tmp_path_factory):
    """The server with its defaults, except a worker memory cap that a test can reach quickly."""
    env = {"COLLABGRAPH_SPARQL_WORKER_MEMORY_MB": "1024", "COLLABGRAPH_SPARQL_TIMEOUT": "20",
           "COLLABGRAPH_SPARQL_MAX_RESPONSE_BYTES": "5000000"}
    with serve(data, tmp_path_factory.mktemp("sec-sparql-logs"), env) as served:
        yield served


def cli_sparql(data: Path, query: str, **env: str) -> subprocess.CompletedProcess:
    """The real command, in its own process (a crash shows as its exit code)."""
    return subprocess.run([sys.executable, "-m", "collabgraph.api", "query", "sparql", query, "--data-dir", str(data)],
                          capture_output=True, text=True, env=clean_env(**env), cwd=REPO, timeout=120)


def test_service_is_refused_and_the_listener_gets_nothing(server, listener):
    for query in disguised_services(listener.url):
        # GET as an <img src> on another site would send it (no key, no headers), POST form and POST body
        for response in (httpx.get(server.url + "/sparql", params={"query": query}, timeout=30),
                         httpx.post(server.url + "/sparql", data={"query": query}, timeout=30),
                         httpx.post(server.url + "/sparql", content=query.encode(),
                                    headers={"Content-Type": "application/sparql-query"}, timeout=30)):
            assert response.status_code == 400, (query, response.text)
            assert "federated queries (SERVICE) are disabled" in response.text
            assert "\n" not in response.text.strip() and "from the listener" not in response.text
    time.sleep(0.2)
    assert listener.requests == []
    # Text that only mentions the word is still a query like any other.
    fine = httpx.get(server.url + "/sparql", params={"query": 'SELECT ?service WHERE { BIND("National Health '
                                                               'Service" AS ?service) }'}, timeout=30)
    assert fine.status_code == 200 and "National Health Service" in fine.text


def test_queries_made_to_slow_the_check_are_answered_at_once(server):
    """The SERVICE check reads comments as SPARQL does; a backtracking reading took exponential time on these."""
    for query in ("SELECT * WHERE { ?s ?p ?o } #" + "service#" * 5000, "service#" * 12_000,
                  "SELECT * WHERE { ?s ?p ?o } #" + ":service#x" * 40 + "x" * 90_000):
        started = time.monotonic()
        response = httpx.post(server.url + "/sparql", content=query.encode(),
                              headers={"Content-Type": "application/sparql-query"}, timeout=30)
        assert response.status_code in (200, 400) and time.monotonic() - started < 3, response.text[:200]


def test_cli_refuses_service_and_the_listener_gets_nothing(data, listener):
    result = cli_sparql(data, disguised_services(listener.url)[3])
    assert result.returncode == 1 and "federated queries (SERVICE) are disabled" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert listener.requests == []


def test_a_worker_has_no_network_even_if_a_service_call_slipped_through(data, listener):
    """The second wall: a worker (sandboxed, as the server starts them) given a SERVICE query directly."""
    settings = Settings(data_dir=data)
    runner = SparqlRunner(1, 0, WorkerOptions(memory_mb=1024))
    try:
        request = worker_request(settings, str(current_build(data).store_path),
                                 f"SELECT * WHERE {{ SERVICE <{listener.url}/direct> {{ ?s ?p ?o }} }}",
                                 (JSON_RESULTS, "JSON"), None)
        answer = runner.run_now(request, 20)
    finally:
        runner.close()
    assert answer.status == 400 and b"tried to reach another server" in answer.body
    assert listener.requests == []


def test_an_allowlisted_endpoint_is_the_only_one_called(data, listener, tmp_path):
    allowed = listener.url + "/sparql"
    with serve(data, tmp_path / "logs", {"COLLABGRAPH_SPARQL_SERVICE_ALLOWLIST": allowed}) as served:
        ok = httpx.get(served.url + "/sparql", params={"query": f"SELECT ?secret WHERE {{ SERVICE <{allowed}> {{ ?secret ?p ?o }} }}"},
                       headers={"Accept": JSON_RESULTS}, timeout=30)
        assert ok.status_code == 200 and "from the listener" in ok.text
        for query in (f"SELECT * WHERE {{ SERVICE <{listener.url}/other> {{ ?s ?p ?o }} }}",
                      f"PREFIX x: <{listener.url}/> SELECT * WHERE {{ SERVICE x:sparql {{ ?s ?p ?o }} }}"):
            refused = httpx.get(served.url + "/sparql", params={"query": query}, timeout=30)
            assert refused.status_code == 400 and "SERVICE may only call" in refused.text
    assert listener.requests == ["/sparql"]


def test_deep_nesting_is_refused_in_one_line_by_cli_and_server(data, server):
    deep = "SELECT * WHERE " + "{" * 6000 + "}" * 6000
    result = cli_sparql(data, deep)
    assert result.returncode == 1, (result.returncode, result.stderr[-500:])  # was 139 (segmentation fault)
    assert "nests brackets 6000 deep" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    response = httpx.post(server.url + "/sparql", content=deep, headers={"Content-Type": "application/sparql-query"},
                          timeout=30)
    assert response.status_code == 400 and "nests brackets 6000 deep" in response.text


def test_a_long_operator_chain_no_longer_crashes_the_cli(data):
    """20,000 negations (20 kB, no brackets) overflowed an 8 MB stack: exit 139. The worker's stack holds them."""
    chain = "SELECT ?x WHERE { BIND(" + "!" * 20_000 + "true AS ?x) }"
    result = cli_sparql(data, chain, COLLABGRAPH_SPARQL_TIMEOUT="60")
    assert result.returncode == 0, (result.returncode, result.stderr[-500:])
    assert "true" in result.stdout.lower()


def test_a_query_past_the_worker_memory_cap_fails_alone(server):
    started = time.monotonic()
    response = httpx.get(server.url + "/sparql", params={"query": HUNGRY}, timeout=60)
    assert response.status_code == 500, response.text
    assert "more memory than a SPARQL worker may use" in response.text
    assert len(response.text.strip().splitlines()) == 1
    assert time.monotonic() - started < 20
    # The worker was replaced: the endpoint keeps answering.
    after = httpx.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": JSON_RESULTS},
                      timeout=30)
    assert after.status_code == 200 and after.json()["boolean"] is True
    assert server.process.poll() is None


def test_an_answer_larger_than_the_response_limit_is_refused(server):
    response = httpx.get(server.url + "/sparql", params={"query": BIG_CONSTRUCT}, headers={"Accept": "text/turtle"},
                         timeout=60)
    assert response.status_code == 400 and "larger than the 5 MB this endpoint sends" in response.text
    assert len(response.content) < 1000


def test_slow_queries_get_503_at_once_and_health_stays_fast(data, tmp_path):
    """Sixty slow SPARQL queries at once used to hold the shared thread pool: /health took 8 s, REST got 503."""
    env = {"COLLABGRAPH_SPARQL_WORKERS": "1", "COLLABGRAPH_SPARQL_QUEUE": "2", "COLLABGRAPH_SPARQL_TIMEOUT": "3"}
    limits = httpx.Limits(max_connections=70, max_keepalive_connections=70)
    with serve(data, tmp_path / "logs", env) as served, httpx.Client(limits=limits, timeout=30) as client:
        def slow(_):
            started = time.monotonic()
            response = client.get(served.url + "/sparql", params={"query": SLOW})
            return response, time.monotonic() - started

        with ThreadPoolExecutor(60) as pool:
            futures = [pool.submit(slow, i) for i in range(60)]
            time.sleep(1.0)  # all sixty are in: one runs, two wait, the rest were answered
            timings = []
            for path in ("/health", "/organisations?limit=5", "/health"):
                started = time.monotonic()
                answer = httpx.get(served.url + path, timeout=30)
                timings.append(time.monotonic() - started)
                assert answer.status_code == 200, (path, answer.text)
            answers = [f.result() for f in futures]
        assert max(timings) < 2.0, timings
        busy = [(r, t) for r, t in answers if r.status_code == 503]
        assert all(r.headers.get("retry-after") and "busy" in r.text for r, _ in busy)
        # One runs and two wait (then end with 504, or 503 when no worker freed in time); the rest are told at once.
        at_once = [t for _, t in busy if t < 2.0]
        assert len(at_once) >= 55, sorted(round(t, 1) for _, t in answers)
        assert {r.status_code for r, _ in answers} <= {503, 504}
