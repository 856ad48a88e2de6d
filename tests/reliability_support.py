"""Shared by the reliability tests: a real `collabgraph serve` process, and what to compare before and after.

The server runs as its own process (as a user runs it), so a test can kill a
build next to it, count its file descriptors and children, read its logs, or
kill the FalkorDB server it started. Its settings come from COLLABGRAPH_*
variables only: the ones inherited from the caller's environment are dropped
so the defaults under test are the real defaults.
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

REPO = Path(__file__).resolve().parent.parent
#: Counts of the property graph, through the API: every node, every relationship.
NODES = "MATCH (n) RETURN count(n)"
RELATIONSHIPS = "MATCH ()-[r]->() RETURN count(r)"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def clean_env(**settings: str) -> dict[str, str]:
    """This process's environment without any COLLABGRAPH_* variable, plus the given ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COLLABGRAPH_")}
    return {**env, **settings}


@dataclass
class Served:
    url: str
    process: subprocess.Popen
    stdout: Path
    stderr: Path

    @property
    def ps(self) -> psutil.Process:
        return psutil.Process(self.process.pid)

    def logs(self) -> str:
        return self.stdout.read_text(errors="replace") + self.stderr.read_text(errors="replace")


@contextlib.contextmanager
def serve(data: Path, logs: Path, env: dict[str, str] | None = None, host: str | None = None,
          start_timeout: float = 60.0) -> Iterator[Served]:
    """`python -m collabgraph.api serve` on a free loopback port; stopped with SIGINT (as Ctrl-C) at the end.

    Without `host` the server is started without --host, so it binds wherever its default says.
    """
    port = free_port(host or "127.0.0.1")
    logs.mkdir(parents=True, exist_ok=True)
    out, err = logs / "serve.stdout", logs / "serve.stderr"
    args = [sys.executable, "-m", "collabgraph.api", "serve", "--port", str(port), "--data-dir", str(data)]
    if host:
        args += ["--host", host]
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        process = subprocess.Popen(args, env=clean_env(**(env or {})), stdout=stdout, stderr=stderr,
                                   start_new_session=True, cwd=REPO)
    served = Served(f"http://{host or '127.0.0.1'}:{port}", process, out, err)
    try:
        _wait_until_up(served, start_timeout)
        yield served
    finally:
        stop(process)


def _wait_until_up(served: Served, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(served.url + "/openapi.json", timeout=5)
            return
        except httpx.TransportError:
            if served.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"collabgraph serve did not start: {served.logs()[-2000:]}") from None
            time.sleep(0.1)


def stop(process: subprocess.Popen, timeout: float = 30.0) -> None:
    """Ctrl-C, then SIGKILL of the process group if it does not end in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout)
            return
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def cypher(url: str, query: str, params: dict | None = None, headers: dict | None = None,
           timeout: float = 30) -> httpx.Response:
    return httpx.post(url + "/cypher", json={"query": query, "params": params or {}}, headers=headers or {},
                      timeout=timeout)


def cypher_value(url: str, query: str, headers: dict | None = None):
    response = cypher(url, query, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["rows"][0][0]


def graph_size(url: str, headers: dict | None = None) -> tuple[int, int]:
    """(nodes, relationships) of the property graph, through POST /cypher."""
    return cypher_value(url, NODES, headers), cypher_value(url, RELATIONSHIPS, headers)


def falkordb_servers(data: Path) -> list[psutil.Process]:
    """The live redis-server processes serving the FalkorDB of this data directory."""
    folder = str(Path(data).resolve() / "falkordb")
    found = []
    for p in psutil.process_iter(["cmdline", "status"]):
        cmdline = " ".join(p.info["cmdline"] or [])
        if p.info["status"] != psutil.STATUS_ZOMBIE and "redis-server" in cmdline and folder in cmdline:
            found.append(p)
    return found


def wait_dead(process: psutil.Process, timeout: float = 10.0) -> None:
    """Wait until a process (perhaps another's child, which stays a zombie until reaped) has ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                return
        except psutil.NoSuchProcess:
            return
        time.sleep(0.02)
    raise TimeoutError(f"process {process.pid} still runs after {timeout:g} s")


def kill_falkordb(data: Path) -> None:
    """End FalkorDB servers a test left behind (only those of its own data directory)."""
    for p in falkordb_servers(data):
        with contextlib.suppress(psutil.Error):
            p.kill()
            p.wait(10)
