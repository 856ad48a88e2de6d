"""The stores the server reads, each following the current build.

A build switches the `current` symlink atomically, so before each use the
server checks where `current` points and reopens the Oxigraph store when it
has moved (a server never has to be restarted after `collabgraph build`). The
property graph is synced to the build it serves (a no-op when its projection
is unchanged) and restarted on the next request after its server goes away.
The networkx views and the analytics are computed once per build, by one
request while the others wait for it; the slow ones (betweenness) in the
background, so that a request waits a bounded time and is otherwise told to
retry (``Computing``).
"""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from pyoxigraph import Store

from collabgraph.graph.dataset import Build, current_build
from collabgraph.graph.errors import NoDataset
from collabgraph.graph.property import StoreUnavailable, open_property_store


class RdfStore:
    """The read-only Oxigraph store of the current build."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._path: Path | None = None
        self._store: Store | None = None

    def build(self) -> Build:
        """The current build; NoDataset (shown as 503 'run collabgraph build') when there is none."""
        build = current_build(self.root)
        if build is None:
            raise NoDataset(self.root)
        return build

    def get(self) -> Store:
        build = self.build()
        with self._lock:
            if build.path != self._path:
                self._store = None  # let go of the previous build first
                try:
                    self._store, self._path = Store.read_only(str(build.store_path)), build.path
                except OSError as exc:  # a store removed under the server, a failing disk
                    raise StoreUnavailable(f"the RDF store cannot be opened: {_in_data_dir(self.root, exc)}") from None
            return self._store

    def close(self) -> None:
        with self._lock:
            self._store, self._path = None, None


class PropertyGraph:
    """The property-graph store (FalkorDB or Neo4j), opened on first use and synced to the current build."""

    def __init__(self, root: Path, rdf: RdfStore) -> None:
        self.root, self.rdf = root, rdf
        self._lock = threading.Lock()
        self._store = None
        self._synced: Path | None = None

    def get(self):
        """The store holding the current build's projection; StoreUnavailable when it cannot be reached."""
        build = self.rdf.build()
        with self._lock:
            try:
                if self._store is None:
                    self._store = open_property_store(self.root)
                if self._synced != build.path:
                    self._store.sync(self.rdf.get(), build.path.name)
                    self._synced = build.path
            except StoreUnavailable:
                self._synced = None
                raise
            except OSError as exc:  # a read-only or full data directory: the server cannot start or sync
                self._synced = None
                raise StoreUnavailable(f"the property graph cannot run: {_in_data_dir(self.root, exc)}") from None
            return self._store

    def query(self, cypher: str, params: dict, timeout_ms: int, limit: int) -> tuple[list[str], list[dict]]:
        """A read-only query; after StoreUnavailable the next call restarts the store and checks its sync."""
        try:
            return self.get().query(cypher, params, timeout_ms=timeout_ms, limit=limit)
        except StoreUnavailable:
            with self._lock:
                self._synced = None
            raise

    def health(self) -> dict:
        """The store's own report ({"ok": ..., "backend": ...}), after trying to reach and sync it; the socket,
        pid and log lines go to the operator's log, not into the answer."""
        try:
            store = self.get()
        except (StoreUnavailable, NoDataset) as exc:
            _log.warning("property graph unavailable: %s", exc)
            return {"ok": False, "error": public_message(str(exc), self.root)}
        info = {k: v for k, v in store.health().items() if k not in _PRIVATE}
        if info.get("error"):
            _log.warning("property graph: %s", info["error"])
            info["error"] = public_message(info["error"], self.root)
        return {**info, "synced_build": self._synced.name if self._synced else None}

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
            self._store, self._synced = None, None


class Computing(Exception):
    """A per-build value is still being computed in the background; ask again later."""

    def __init__(self, name: str, retry_after: int) -> None:
        super().__init__(f"the {name} of this build is being computed; ask again in {retry_after} s")
        self.retry_after = retry_after


_log = logging.getLogger("collabgraph")
_PRIVATE = ("socket", "pid")
_LOG_TAIL = re.compile(r"[;.]?\s*(?:Log:|see /).*$", re.S)
_ABSOLUTE = re.compile(r"(?<![\w.])/(?:[^\s/:;,()'\"]+/)+([^\s/:;,()'\"]+)")


def public_message(text: str, root: Path) -> str:
    """A store's error as an answer may carry it: no log lines, the data directory's paths relative to it,
    any other path by its last part only (the full text goes to the operator's log)."""
    text = _LOG_TAIL.sub("", text)
    for prefix in (f"{root.resolve()}/", f"{root}/"):
        text = text.replace(prefix, "")
    text = re.sub(r" \([^()\s]+\.sock\)", "", text)
    text = re.sub(r"[^\s()]+\.sock\b", "its socket", text)
    return _ABSOLUTE.sub(r"\1", text)


def _in_data_dir(root: Path, exc: OSError) -> str:
    """What failed, naming the file by its place in the data directory (answers never show the machine's paths)."""
    name = exc.filename  # pyoxigraph's errors carry no filename: then the store's own message says what failed
    try:
        name = f"{Path(name).resolve().relative_to(root.resolve())} in the data directory"
    except (TypeError, ValueError):
        name = "a file in the data directory" if name else "the data directory"
    reason = exc.strerror or " ".join(str(exc).split())
    for prefix in {f"{root.resolve()}/", f"{root}/"}:
        reason = reason.replace(prefix, "")
    return f"cannot use {name} ({reason})"


class PerBuild:
    """Values computed from the RDF store once per build (the networkx graphs), recomputed after a build.

    Each value is computed once even when many requests ask at the same time: the first one computes
    it, the others wait for its result. The lock is held only to look values up, so a slow value
    does not hold up the others, and a value may be computed from another one.
    """

    def __init__(self, rdf: RdfStore) -> None:
        self.rdf = rdf
        self._lock = threading.Lock()
        self._path: Path | None = None
        self._values: dict[str, Future] = {}

    def get(self, name: str, compute: Callable[[Store], object]):
        """The value, computed in this thread if nobody has asked for it in this build yet."""
        future, store, mine = self._entry(name)
        if mine:
            self._run(name, future, compute, store)
        return future.result()

    def get_within(self, name: str, compute: Callable[[Store], object], wait_s: float, retry_after: int):
        """The value if it is ready within ``wait_s``, else Computing (it goes on in a background thread)."""
        future = self.start(name, compute)
        try:
            return future.result(timeout=wait_s)
        except FutureTimeout:
            raise Computing(name, retry_after) from None

    def start(self, name: str, compute: Callable[[Store], object]) -> Future:
        """Begin computing the value in a background thread unless it is computed or being computed."""
        future, store, mine = self._entry(name)
        if mine:
            threading.Thread(target=self._run, args=(name, future, compute, store), name=f"per-build {name}",
                             daemon=True).start()
        return future

    def state(self, name: str) -> str:
        """'ready', 'computing' or 'not started' for the current build (a new build starts afresh)."""
        with self._lock:
            future = self._values.get(name)
            path = self._path
        try:
            current = self.rdf.build().path
        except (NoDataset, OSError):
            return "not started"
        if future is None or path != current:
            return "not started"
        return "ready" if future.done() and future.exception() is None else "computing"

    def _entry(self, name: str) -> tuple[Future, Store, bool]:
        """The value's future for the current build, and whether the caller must compute it."""
        store, path = self.rdf.get(), self.rdf.build().path
        with self._lock:
            if path != self._path:
                self._values, self._path = {}, path
            if name in self._values:
                return self._values[name], store, False
            future = self._values[name] = Future()
            return future, store, True

    def _run(self, name: str, future: Future, compute: Callable[[Store], object], store: Store) -> None:
        try:
            future.set_result(compute(store))
        except BaseException as exc:
            with self._lock:  # not kept: the next request tries again
                if self._values.get(name) is future:
                    del self._values[name]
            future.set_exception(exc)
