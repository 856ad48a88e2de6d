"""Safe defaults of `collabgraph serve`, checked on the real process.

* It listens on 127.0.0.1 only unless --host says otherwise.
* With COLLABGRAPH_API_KEY set, /sparql and /cypher need the key; the REST routes and views do not.
* No CORS header is ever sent unless COLLABGRAPH_CORS_ORIGINS lists the origin.
* Neither the API key nor COLLABGRAPH_NEO4J_PASSWORD appears in its logs or in any answer.
"""
from __future__ import annotations

import socket

import httpx
import psutil
import pytest
from api_support import shared_dataset
from conftest import SEEDS
from reliability_support import serve

API_KEY = "k3y-5a9c1e-reliability-never-logged"
NEO4J_PASSWORD = "pw-71f0d2-reliability-never-logged"
YASGUI = "http://yasgui.example"
ASK = "ASK { ?s ?p ?o }"


@pytest.fixture(scope="session")
def data(tmp_path_factory):
    return shared_dataset(tmp_path_factory, SEEDS if SEEDS.is_dir() else None)


def listening(process: psutil.Process) -> set[tuple[str, int]]:
    return {(c.laddr.ip, c.laddr.port) for c in process.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN}


def other_addresses() -> list[str]:
    """IPv4 addresses of this machine that are not loopback (where a 0.0.0.0 bind would be reachable)."""
    return [a.address for addrs in psutil.net_if_addrs().values() for a in addrs
            if a.family == socket.AF_INET and not a.address.startswith("127.")]


def refused(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        return sock.connect_ex((host, port)) != 0


def test_default_server_binds_loopback_guards_queries_sends_no_cors_and_logs_no_secret(data, tmp_path):
    env = {"COLLABGRAPH_API_KEY": API_KEY, "COLLABGRAPH_NEO4J_PASSWORD": NEO4J_PASSWORD}
    answers: list[httpx.Response] = []
    with serve(data, tmp_path / "logs", env) as served, httpx.Client(base_url=served.url, timeout=30) as http:
        port = int(served.url.rsplit(":", 1)[1])
        assert listening(served.ps) == {("127.0.0.1", port)}
        for address in other_addresses():
            assert refused(address, port), f"the server answers on {address}"

        def get(path, **kw):
            answers.append(http.get(path, **kw))
            return answers[-1]

        def post(path, **kw):
            answers.append(http.post(path, **kw))
            return answers[-1]

        def options(path, **kw):
            answers.append(http.options(path, **kw))
            return answers[-1]

        # The API key guards the two query surfaces, in both ways of sending it, and nothing else.
        for headers in ({}, {"X-API-Key": "wrong"}, {"Authorization": "Bearer wrong"}, {"X-API-Key": API_KEY.upper()},
                        {"Authorization": f"Basic {API_KEY}"}):
            assert get("/sparql", params={"query": ASK}, headers=headers).status_code == 401, headers
            assert post("/sparql", data={"query": ASK}, headers=headers).status_code == 401, headers
            assert post("/cypher", json={"query": "RETURN 1"}, headers=headers).status_code == 401, headers
        for headers in ({"X-API-Key": API_KEY}, {"Authorization": f"Bearer {API_KEY}"}):
            assert get("/sparql", params={"query": ASK}, headers=headers).json()["boolean"] is True
            assert post("/cypher", json={"query": "RETURN 1"}, headers=headers).json()["rows"] == [[1]]
        for path in ("/organisations", "/view.json", "/health", "/", "/index.json", "/docs", "/openapi.json"):
            assert get(path).status_code == 200, path
        assert 'id="api-key"' in get("/").text  # the home page's query forms ask for the key

        # No CORS unless configured: neither a preflight nor a simple request is granted to any origin.
        preflight = options("/sparql", headers={"Origin": YASGUI, "Access-Control-Request-Method": "POST",
                                                "Access-Control-Request-Headers": "content-type,x-api-key"})
        assert preflight.status_code >= 400
        simple = get("/organisations", headers={"Origin": YASGUI})
        query = get("/sparql", params={"query": ASK}, headers={"Origin": YASGUI, "X-API-Key": API_KEY})
        for response in (preflight, simple, query):
            assert not [h for h in response.headers if h.lower().startswith("access-control-")], response.headers
    logs = served.logs()
    assert "GET /sparql" in logs and "POST /cypher" in logs  # the access log was captured
    for secret in (API_KEY, NEO4J_PASSWORD):
        assert secret not in logs
        for response in answers:
            assert secret not in response.text and secret not in str(response.headers), response.request.url


def test_host_and_cors_origins_are_honoured_when_given(data, tmp_path):
    env = {"COLLABGRAPH_CORS_ORIGINS": f"{YASGUI}, https://other.example/"}
    with serve(data, tmp_path / "logs", env, host="127.0.0.2") as served:
        port = int(served.url.rsplit(":", 1)[1])
        assert listening(served.ps) == {("127.0.0.2", port)}
        assert refused("127.0.0.1", port)
        preflight = httpx.options(served.url + "/sparql", headers={
            "Origin": YASGUI, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
        assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == YASGUI
        allowed = httpx.get(served.url + "/sparql", params={"query": ASK}, headers={"Origin": "https://other.example"})
        assert allowed.headers["access-control-allow-origin"] == "https://other.example"
        other = httpx.get(served.url + "/sparql", params={"query": ASK}, headers={"Origin": "https://evil.example"})
        assert other.status_code == 200 and "access-control-allow-origin" not in other.headers
        denied = httpx.options(served.url + "/sparql", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in denied.headers
