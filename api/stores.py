"""The stores the server reads, each following the current build.

A build switches the `current` symlink atomically, so before each use the
server checks where `current` points and reopens the Oxigraph store when it
has moved (a server never has to be restarted after `collabgraph build`). The
property graph is synced to the build it serves (a no-op when its projection
is unchanged) and restarted on the next request after its server goes away.
The networkx views are computed once per build.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from pyoxigraph import Store

from graph.dataset import Build, current_build
from graph.errors import NoDataset
from graph.property import StoreUnavailable, open_property_store


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
        """The store's own report ({"ok": ..., "backend": ...}), after trying to reach and sync it."""
        try:
            store = self.get()
        except (StoreUnavailable, NoDataset) as exc:
            return {"ok": False, "error": str(exc)}
        return {**store.health(), "synced_build": self._synced.name if self._synced else None}

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
            self._store, self._synced = None, None


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
    """Values computed from the RDF store once per build (the networkx graphs), recomputed after a build."""

    def __init__(self, rdf: RdfStore) -> None:
        self.rdf = rdf
        self._lock = threading.RLock()  # a value may be computed from another one
        self._path: Path | None = None
        self._values: dict[str, object] = {}

    def get(self, name: str, compute: Callable[[Store], object]):
        store, path = self.rdf.get(), self.rdf.build().path
        with self._lock:
            if path != self._path:
                self._values, self._path = {}, path
            if name not in self._values:
                self._values[name] = compute(store)
            return self._values[name]
