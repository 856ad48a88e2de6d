"""A small pool of SPARQL worker processes, with a timeout that really stops the query.

Each request borrows an idle worker (`python -m api.sparql_worker`), sends it
the query and waits for the answer until the deadline. Past the deadline the
worker is killed, which ends the query, and a fresh one is started for the
next request. At most `size` queries run at once; a request that cannot get a
worker before its own deadline is told the endpoint is busy.
"""
from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from graph.errors import QueryTimeout


class WorkerUnavailable(Exception):
    """No worker could answer: all busy until the deadline, or one stopped unexpectedly."""


@dataclass
class Answer:
    status: int
    media_type: str
    body: bytes


#: The folder holding the `api` package, so a worker imports the same code as the server.
_CODE_ROOT = str(Path(__file__).resolve().parent.parent)


class _Worker:
    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_CODE_ROOT, os.environ.get("PYTHONPATH")]))}
        self.proc = subprocess.Popen([sys.executable, "-m", "api.sparql_worker"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, close_fds=True, env=env)

    def ask(self, request: dict, deadline: float) -> Answer:
        try:
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
        except OSError as exc:
            raise WorkerUnavailable(f"the SPARQL worker stopped ({exc})") from None
        buffer = bytearray()
        header = None
        fd = self.proc.stdout.fileno()
        while True:
            if header is None and b"\n" in buffer:
                line, _, rest = bytes(buffer).partition(b"\n")
                header, buffer = json.loads(line), bytearray(rest)
            if header is not None and len(buffer) >= header["length"]:
                return Answer(header["status"], header["media_type"], bytes(buffer[:header["length"]]))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise QueryTimeout("deadline")
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    raise WorkerUnavailable(f"the SPARQL worker stopped (exit code {self.proc.wait()})")
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


class SparqlRunner:
    def __init__(self, size: int) -> None:
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False

    def run(self, request: dict, timeout: float) -> Answer:
        """Run one worker request; QueryTimeout when it takes longer than `timeout` seconds."""
        if not self._slots.acquire(timeout=timeout):
            raise WorkerUnavailable(f"all SPARQL workers stayed busy for {timeout:g} s; try again shortly")
        try:
            worker = self._take()
            try:
                answer = worker.ask(request, time.monotonic() + timeout)
            except BaseException:
                worker.kill()
                raise
            self._give(worker)
            return answer
        finally:
            self._slots.release()

    def _take(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise WorkerUnavailable("the server is shutting down")
            while self._idle:
                worker = self._idle.pop()
                if worker.proc.poll() is None:
                    return worker
                worker.kill()
        return _Worker()

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
