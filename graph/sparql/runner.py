"""A small pool of SPARQL worker processes, with a timeout that really stops the query.

Each request borrows an idle worker (`python -m collabgraph.graph.sparql.worker`), sends it
the query and waits for the answer until the deadline. Past the deadline the
worker is killed, which ends the query, and a fresh one is started for the
next request; so is a worker that crashed (out of memory) or asked to retire.

At most `size` queries run at once, on the pool's own threads, so waiting for
SPARQL never holds one of the threads the REST routes and /health run on.
Requests wait for a worker in the event loop, at most `queue` of them; one
more is told at once that the endpoint is busy, and so is one that cannot get
a worker before its own deadline.
"""
from __future__ import annotations

import asyncio
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from collabgraph.graph.errors import QueryTimeout
from collabgraph.ontology import PREFIXES, iris

from ..limits import QueryLimits
from .formats import GRAPH_TYPES, RESULT_TYPES, supported


class WorkerUnavailable(Exception):
    """No worker is free: all busy and the queue full, or still busy at the deadline. Worth retrying."""


class WorkerFailed(Exception):
    """The worker answering the query stopped (out of memory, crashed); the message says why in one line."""


@dataclass
class Answer:
    status: int
    media_type: str
    body: bytes
    retire: bool = False


@dataclass(frozen=True)
class WorkerOptions:
    #: Address-space cap of each worker process, in MB.
    memory_mb: int = 2048
    #: Whether workers keep the network (only when federated queries are allowed).
    network: bool = False


def worker_options(settings: QueryLimits) -> WorkerOptions:
    """SPARQL workers keep the network only when the operator allows federated queries."""
    return WorkerOptions(memory_mb=settings.sparql_worker_memory_mb, network=bool(settings.sparql_service_allowlist))


#: Relative IRIs in a query (``<organisation/ror-04h699437>``, or the W3C protocol tests' ``<s>``) resolve against
#: the entity namespace, unless the query sets its own BASE.
BASE_IRI = iris.ID


def worker_request(settings: QueryLimits, store: str, query: str, results, graph, default_graphs=(),
                   named_graphs=()) -> dict:
    """What a worker needs to answer one query: the store, the query, the chosen formats and the limits."""
    return {"store": store, "query": query, "default_graphs": list(default_graphs), "named_graphs": list(named_graphs),
            "base_iri": BASE_IRI,
            "results": results, "graph": graph, "limit": settings.sparql_row_limit,
            "max_bytes": settings.sparql_max_response_bytes, "prefixes": PREFIXES,
            "results_offered": supported(RESULT_TYPES), "graph_offered": supported(GRAPH_TYPES)}


class _Worker:
    def __init__(self, options: WorkerOptions) -> None:
        env = {**os.environ,
               # glibc reserves 64 MB of address space per thread arena; under the worker's RLIMIT_AS cap that
               # made RocksDB's threads fail to start now and then. Two arenas keep the reservation small.
               "MALLOC_ARENA_MAX": "2"}
        args = [sys.executable, "-m", "collabgraph.graph.sparql.worker", "--memory-mb", str(options.memory_mb)]
        self.proc = subprocess.Popen(args + (["--network"] if options.network else []), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, close_fds=True, env=env)

    def ask(self, request: dict, deadline: float) -> Answer:
        try:
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
        except OSError as exc:
            raise WorkerFailed(f"the SPARQL worker stopped ({exc}); try again") from None
        buffer = bytearray()
        header = None
        fd = self.proc.stdout.fileno()
        while True:
            if header is None and b"\n" in buffer:
                line, _, rest = bytes(buffer).partition(b"\n")
                header, buffer = json.loads(line), bytearray(rest)
                if header["length"] > request["max_bytes"] + 4096:  # a worker never sends more; do not buffer it
                    raise WorkerFailed("the SPARQL worker sent an answer larger than the response limit")
            if header is not None and len(buffer) >= header["length"]:
                return Answer(header["status"], header["media_type"], bytes(buffer[:header["length"]]),
                              header.get("retire", False))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise QueryTimeout("deadline")
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    raise WorkerFailed(_stopped(self.proc.wait()))
                buffer += chunk

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._close_pipes()

    def close(self) -> None:
        """Let an idle worker end by closing its stdin; kill it if it does not."""
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        self._close_pipes()

    def _close_pipes(self) -> None:
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                pipe.close()
            except OSError:
                pass


def _stopped(code: int) -> str:
    """Why a worker ended mid-query, in one line: Rust aborts (SIGABRT) when an allocation fails at the cap."""
    if code in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV):
        return ("the query needed more memory than a SPARQL worker may use (COLLABGRAPH_SPARQL_WORKER_MEMORY_MB) "
                f"and its worker was stopped (signal {-code}); narrow it (fewer rows to sort or join, shorter strings)")
    return f"the SPARQL worker stopped unexpectedly (exit code {code}); try again"


class SparqlRunner:
    def __init__(self, size: int, queue: int = 0, options: WorkerOptions = WorkerOptions()) -> None:
        self._size, self._queue, self._options = size, queue, options
        self._executor = ThreadPoolExecutor(size, thread_name_prefix="sparql")
        self._slots: asyncio.Semaphore | None = None
        self._admitted = 0  # running or waiting; only touched on the event loop
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False

    async def run(self, request: dict, timeout: float) -> Answer:
        """Run one worker request without holding a shared thread; QueryTimeout past `timeout` seconds."""
        if self._admitted >= self._size + self._queue:
            raise WorkerUnavailable(f"all {self._size} SPARQL workers are busy and {self._queue} queries already "
                                    "wait; try again shortly")
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._size)
        self._admitted += 1
        try:
            try:
                await asyncio.wait_for(self._slots.acquire(), timeout)
            except TimeoutError:
                raise WorkerUnavailable(f"all SPARQL workers stayed busy for {timeout:g} s; try again shortly") from None
            try:
                loop = asyncio.get_running_loop()
                return await loop.run_in_executor(self._executor, self.run_now, request, timeout)
            finally:
                self._slots.release()
        finally:
            self._admitted -= 1

    def run_now(self, request: dict, timeout: float) -> Answer:
        """Run one request on a worker in this thread (the caller makes sure at most `size` run at once)."""
        worker = self._take()
        try:
            answer = worker.ask(request, time.monotonic() + timeout)
        except BaseException:
            worker.kill()
            raise
        if answer.retire:
            worker.kill()
        else:
            self._give(worker)
        return answer

    def _take(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise WorkerUnavailable("the server is shutting down")
            while self._idle:
                worker = self._idle.pop()
                if worker.proc.poll() is None:
                    return worker
                worker.kill()
        return _Worker(self._options)

    def _give(self, worker: _Worker) -> None:
        with self._lock:
            if not self._closed:
                self._idle.append(worker)
                return
        worker.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.close()
        self._executor.shutdown(wait=False, cancel_futures=True)
