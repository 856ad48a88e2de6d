"""Load: 10,000 requests from a bounded loopback load generator against a real `collabgraph serve`.

Eight client threads (each with its own keep-alive connection, plus a fresh
connection every few requests) send a mix of REST, SPARQL, Cypher, error and
health requests to 127.0.0.1, with a per-request timeout and an overall time
bound. Every answer must be the expected one, and afterwards the server holds
no more file descriptors, threads or child processes than before (a small
constant slack for descriptors the runtime opens lazily). Stopping the server
ends every child it started.
"""
from __future__ import annotations

import itertools
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import psutil
import pytest
from api_support import shared_dataset, sparql
from conftest import SEEDS
from reliability_support import serve

TOTAL = 10_000
CLIENTS = 8
FRESH_CONNECTION_EVERY = 25
TIME_BOUND_S = 150
FD_SLACK = 8
ASK = "ASK { ?o a cg:Organisation }"


@pytest.fixture(scope="session")
def data(tmp_path_factory):
    return shared_dataset(tmp_path_factory, SEEDS if SEEDS.is_dir() else None)


def request_mix(org_id: str) -> list[tuple[str, str, dict, int]]:
    """(method, path, httpx keyword arguments, expected status): the requests cycled through."""
    return [
        ("GET", "/organisations", {"params": {"limit": 5}}, 200),
        ("GET", f"/organisations/{org_id}", {}, 200),
        ("GET", "/organisations/organisation/no-such-organisation", {}, 404),
        ("GET", "/organisations", {"params": {"limit": 0}}, 422),
        ("GET", "/sparql", {"params": {"query": ASK}}, 200),
        ("POST", "/sparql", {"data": {"query": "SELECT ?n WHERE { ?t a cg:Theme ; cg:name ?n } LIMIT 5"}}, 200),
        ("POST", "/sparql", {"data": {"update": "DROP ALL"}}, 400),
        ("POST", "/cypher", {"json": {"query": "MATCH (n:Organisation) RETURN count(n)"}}, 200),
        ("POST", "/cypher", {"json": {"query": "MATCH (o:Organisation {id: $id}) RETURN o.name", "params": {"id": org_id}}}, 200),
        ("POST", "/cypher", {"json": {"query": "MATCH (n) DETACH DELETE n"}}, 400),
        ("GET", "/themes", {"params": {"limit": 3}}, 200),
        ("GET", "/health", {}, 200),
    ]


def resources(process: psutil.Process) -> dict:
    children = [c for c in process.children(recursive=True)]
    return {"fds": process.num_fds(), "threads": process.num_threads(),
            "children": {c.pid for c in children if c.status() != psutil.STATUS_ZOMBIE},
            "zombies": {c.pid for c in children if c.status() == psutil.STATUS_ZOMBIE}}


def run_clients(url: str, jobs: list, deadline: float) -> list[str]:
    """Send the jobs from CLIENTS threads; the problems seen (transport errors, unexpected statuses)."""

    def client(share: list) -> list[str]:
        problems = []
        http = httpx.Client(base_url=url, timeout=10)
        try:
            for i, (method, path, kwargs, expected) in enumerate(share):
                if time.monotonic() > deadline:
                    return problems + [f"time bound reached after {i} of {len(share)} requests"]
                if i % FRESH_CONNECTION_EVERY == 0:
                    http.close()
                    http = httpx.Client(base_url=url, timeout=10)
                try:
                    status = http.request(method, path, **kwargs).status_code
                except httpx.HTTPError as exc:
                    problems.append(f"{method} {path}: {type(exc).__name__} {exc}")
                    continue
                if status != expected:
                    problems.append(f"{method} {path}: {status}, expected {expected}")
        finally:
            http.close()
        return problems

    with ThreadPoolExecutor(CLIENTS) as pool:
        return [p for found in pool.map(client, [jobs[i::CLIENTS] for i in range(CLIENTS)]) for p in found]


def test_ten_thousand_requests_give_no_errors_and_leak_nothing(data, tmp_path):
    org = sparql(data, "SELECT ?o WHERE { ?o a cg:University } ORDER BY ?o LIMIT 1")[0]["o"]
    org_id = org.split("/id/", 1)[1]
    mix = request_mix(org_id)
    with serve(data, tmp_path / "logs") as served:
        # Warm up with the same concurrency, so the thread pool, the SPARQL worker pool, FalkorDB and the
        # per-build caches reach their working size before the baseline is taken.
        assert run_clients(served.url, mix * 40, time.monotonic() + 60) == []
        time.sleep(0.5)
        before = resources(served.ps)
        # FalkorDB and the SPARQL worker pool (COLLABGRAPH_SPARQL_WORKERS, default 2) are the server's children.
        assert 2 <= len(before["children"]) <= 3, before

        started = time.monotonic()
        problems = run_clients(served.url, list(itertools.islice(itertools.cycle(mix), TOTAL)),
                               started + TIME_BOUND_S)
        seconds = time.monotonic() - started
        assert problems == [], f"{len(problems)} problem(s), first: {problems[:5]}"
        print(f"{TOTAL} requests in {seconds:.1f} s ({TOTAL / seconds:.0f}/s) with {CLIENTS} clients")

        after = resources(served.ps)
        for _ in range(50):  # connections the clients just closed may take a moment to be released
            if after["fds"] <= before["fds"] + FD_SLACK:
                break
            time.sleep(0.1)
            after = resources(served.ps)
        assert after["fds"] <= before["fds"] + FD_SLACK, (before, after)
        assert after["threads"] <= before["threads"] + 2, (before, after)
        assert after["children"] == before["children"] and not after["zombies"], (before, after)
        children = [psutil.Process(pid) for pid in after["children"]]
    assert served.process.returncode == 0, served.logs()[-2000:]
    gone, alive = psutil.wait_procs(children, timeout=10)
    assert alive == [], f"still running after the server stopped: {alive}"
