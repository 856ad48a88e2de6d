"""API under load: a bounded load generator against a real `collabgraph serve` on loopback.

A generated dataset of N organisations (`bench.generate`) is written straight
into a data directory in the layout of `graph.dataset`, a real server is
started on 127.0.0.1 at a free port, and a pool of threads (one httpx client
each) sends a fixed mix of requests: an organisation's partners
(`/organisations/{id}/partners`) and a SPARQL query for one organisation's
partners (`/sparql`). The run stops by itself when the request budget is spent
or the time budget is over, whichever comes first, and the server is stopped.
The client runs on the same machine as the server and takes some of its CPU.
"""
from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from collabgraph.ontology import iris, sparql_prefixes

from .generate import plan, write_dataset
from .measure import median, percentile

HOST = "127.0.0.1"
SPARQL = sparql_prefixes() + "SELECT ?partner ?name WHERE { <%s> cg:partnersWith ?partner . ?partner cg:name ?name } LIMIT 100"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """`collabgraph serve` in its own process group on a free loopback port, stopped on exit."""

    def __init__(self, data_dir: Path, log: Path):
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self._log = open(log, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "collabgraph.api", "serve", "--host", HOST, "--port", str(self.port), "--data-dir", str(data_dir)],
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"collabgraph serve exited with {self.proc.returncode}; see {self._log.name}")
            try:
                if httpx.get(self.url + "/openapi.json", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"collabgraph serve did not answer within {timeout:.0f}s; see {self._log.name}")

    def stop(self) -> None:
        """SIGTERM to the server's process group (server and its SPARQL workers), then SIGKILL if needed."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def request_mix(org_iris: list[str], n: int, sparql_share: float, seed: int) -> list[tuple[str, str, dict]]:
    """``n`` requests: (endpoint name, path, query parameters), partners and SPARQL mixed at random."""
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        iri = rnd.choice(org_iris)
        if rnd.random() < sparql_share:
            out.append(("sparql", "/sparql", {"query": SPARQL % iri}))
        else:
            out.append(("partners", f"/organisations/{iris.local_id(iri)}/partners", {}))
    return out


def load(url: str, requests: list[tuple[str, str, dict]], *, duration_s: float, concurrency: int) -> dict:
    """Send the requests from ``concurrency`` threads until they are all sent or ``duration_s`` is over."""
    todo = iter(requests)
    lock = threading.Lock()
    samples: list[tuple[str, float, int | str]] = []
    deadline = time.monotonic() + duration_s

    def worker() -> None:
        headers = {"Accept": "application/sparql-results+json, application/json"}
        with httpx.Client(base_url=url, timeout=30, headers=headers) as client:
            while time.monotonic() < deadline:
                with lock:
                    item = next(todo, None)
                if item is None:
                    return
                name, path, params = item
                t0 = time.perf_counter()
                try:
                    status: int | str = client.get(path, params=params).status_code
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                samples.append((name, (time.perf_counter() - t0) * 1000, status))

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return summarise(samples, elapsed, planned=len(requests))


def summarise(samples: list[tuple[str, float, int | str]], elapsed: float, planned: int) -> dict:
    """Requests per second, latency percentiles and errors (any status but 200, or a transport error)."""
    def figures(chosen):
        times = [ms for _, ms, _ in chosen]
        errors = [s for _, _, s in chosen if s != 200]
        return {"requests": len(chosen), "rps": len(chosen) / elapsed if elapsed else 0.0,
                "p50_ms": median(times), "p99_ms": percentile(times, 99), "errors": len(errors),
                "error_kinds": sorted({str(e) for e in errors})}
    by_endpoint = {name: figures([s for s in samples if s[0] == name]) for name in sorted({s[0] for s in samples})}
    return {**figures(samples), "seconds": elapsed, "planned": planned,
            "stopped_by": "requests" if len(samples) == planned else "time", "endpoints": by_endpoint}


def run(n_orgs: int, *, requests: int, duration_s: float, concurrency: int, repeats: int = 1, warmup: int = 20,
        sparql_share: float = 0.2, seed: int = 7) -> dict:
    """Write the dataset, serve it, warm up, then load it ``repeats`` times: medians of rps and p99, total errors."""
    with tempfile.TemporaryDirectory(prefix="collabgraph-bench-api-") as tmp:
        root = Path(tmp) / "data"
        p = plan(n_orgs, seed)
        t0 = time.perf_counter()
        write_dataset(root, p)
        dataset_s = time.perf_counter() - t0
        org_iris = [o.iri for o in p.orgs]
        del p
        with Server(root, Path(tmp) / "serve.log") as server:
            t0 = time.perf_counter()
            server.wait_ready()
            startup_s = time.perf_counter() - t0
            load(server.url, request_mix(org_iris, warmup, sparql_share, seed + 1), duration_s=60, concurrency=2)
            runs = [load(server.url, request_mix(org_iris, requests, sparql_share, seed + 10 + i),
                         duration_s=duration_s, concurrency=concurrency) for i in range(repeats)]
    return {"api_rps": median([r["rps"] for r in runs]), "api_p99_ms": median([r["p99_ms"] for r in runs]),
            "api_errors": sum(r["errors"] for r in runs),
            "detail": {"organisations": n_orgs, "dataset_write_s": dataset_s, "server_start_s": startup_s,
                       "concurrency": concurrency, "sparql_share": sparql_share, "requests_per_run": requests,
                       "duration_cap_s": duration_s, "repeats": repeats, "runs": runs}}
