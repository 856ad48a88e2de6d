"""The on-disk RDF dataset: an embedded Oxigraph store per build.

Layout of the data directory (default ``.collabgraph/``)::

    current -> builds/<id>       symlink, switched atomically when a build succeeds
    builds/<id>/store/           the Oxigraph store of that build
    builds/<id>/manifest.json    sources, checksums and counts of that build
    build.lock                   held by the one build that may write (fcntl lock; the file stays)

A build writes a new ``builds/<id>`` and only then moves ``current``, so a
failed or killed build never changes what readers see. One build writes a data
directory at a time: two at once would each start from the same ``current`` and
the second to finish would drop the first one's changes (or prune the build the
other is copying). The lock is the kernel's, so a killed build releases it.
"""
from __future__ import annotations

import contextlib
import csv
import fcntl
import io
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, QueryBoolean, QueryResultsFormat, QuerySolutions, Store

from collabgraph.loaders.limits import seconds_setting
from collabgraph.ontology import PREFIXES, iris

from . import default_graph
from .errors import DataDirBusy, NoDataset

ENV_DATA_DIR = "COLLABGRAPH_DATA_DIR"
DEFAULT_DATA_DIR = ".collabgraph"
KEEP_BUILDS = 2
LOCK_FILE = "build.lock"
ENV_LOCK_SECONDS = "COLLABGRAPH_BUILD_LOCK_SECONDS"
#: How long a build waits for another build of the same data directory to finish before giving up.
LOCK_SECONDS = 600.0


def data_dir(value: str | Path | None = None) -> Path:
    """The data directory: the argument, else $COLLABGRAPH_DATA_DIR, else ./.collabgraph."""
    return Path(value or os.environ.get(ENV_DATA_DIR) or DEFAULT_DATA_DIR)


@dataclass
class Build:
    """One build directory: its store and manifest."""

    path: Path

    @property
    def store_path(self) -> Path:
        return self.path / "store"

    @property
    def manifest_path(self) -> Path:
        return self.path / "manifest.json"

    def manifest(self) -> dict:
        return json.loads(self.manifest_path.read_text()) if self.manifest_path.exists() else {}

    def write_manifest(self, manifest: dict) -> None:
        tmp = self.manifest_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True))
        tmp.replace(self.manifest_path)


@contextlib.contextmanager
def writer_lock(root: Path, seconds: float | None = None, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the data directory's writer lock; wait up to ``seconds`` (default $COLLABGRAPH_BUILD_LOCK_SECONDS or
    LOCK_SECONDS) for another build to release it, telling ``on_wait`` once, then raise DataDirBusy."""
    if seconds is None:
        seconds = seconds_setting(ENV_LOCK_SECONDS, LOCK_SECONDS)
    fd = os.open(root / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        deadline, told = time.monotonic() + seconds, False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise DataDirBusy(f"{root}: another build is still writing this data directory after {seconds:g} s "
                                      f"of waiting; try again when it has finished (or raise {ENV_LOCK_SECONDS})") from None
                if not told and on_wait is not None:
                    on_wait(f"waiting for another build of {root} to finish (up to {seconds:g} s)")
                    told = True
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def current_build(root: Path) -> Build | None:
    link = root / "current"
    if not link.is_symlink() and not link.exists():
        return None
    target = link.resolve()
    return Build(target) if (target / "store").is_dir() else None


def new_build(root: Path) -> Build:
    builds = root / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    path = builds / f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
    path.mkdir()
    return Build(path)


def switch_current(root: Path, build: Build) -> None:
    """Point ``current`` at a finished build atomically (rename of a fresh symlink)."""
    tmp = root / f".current-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(build.path.relative_to(root))
    os.replace(tmp, root / "current")
    _prune(root, keep=build.path)


def _prune(root: Path, keep: Path) -> None:
    """Remove old builds and leftovers of killed ones, keeping the newest few."""
    builds = sorted((root / "builds").iterdir(), key=lambda p: p.name)
    finished = [b for b in builds if (b / "manifest.json").exists()]
    stale = set(builds) - set(finished[-KEEP_BUILDS:]) - {keep}
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)


def open_store(root: Path, read_only: bool = True) -> Store:
    """The store of the current build; NoDataset when nothing is built yet."""
    build = current_build(root)
    if build is None:
        raise NoDataset(root)
    return Store.read_only(str(build.store_path)) if read_only else Store(str(build.store_path))


def graph_names(store: Store) -> list[str]:
    return sorted(g.value for g in store.named_graphs() if isinstance(g, NamedNode))


def query(store: Store, sparql: str, **options):
    """Run a SPARQL query with the project prefixes known, on the dataset SPARQL 1.1 gives it: the query's own
    FROM / FROM NAMED, else the merge of all named graphs as the default graph (`graph.default_graph`)."""
    return store.query(sparql, prefixes=PREFIXES, base_iri=iris.ID,
                       **default_graph.query_options(store, sparql), **options)


def table(store: Store, sparql: str) -> Iterator[list[str]]:
    """A SELECT's rows as lists of plain strings (IRIs without brackets, literals' lexical forms, "" unbound),
    for queries that read a large part of the store (the property-graph projection, the derived graph).

    Oxigraph serialises the whole result as CSV without holding the interpreter, so a
    caller can run several of these at once in threads, one per core (reading is bound
    by decoding the store's terms); the rows are then parsed from that text at C speed,
    one at a time, instead of as millions of term objects. Select ``DATATYPE(?v)`` too
    when a literal's type matters.
    """
    text = query(store, sparql).serialize(format=QueryResultsFormat.CSV)
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(text), encoding="utf-8", newline=""))  # decoded a piece at a time
    next(reader, None)  # the header: the variables
    return reader


def rows(result) -> tuple[list[str], list[dict]]:
    """A SELECT or ASK result as (variables, list of {variable: python value})."""
    if isinstance(result, QueryBoolean):
        return ["result"], [{"result": bool(result)}]
    if not isinstance(result, QuerySolutions):
        raise ValueError("expected a SELECT or ASK query; CONSTRUCT and DESCRIBE return triples (use export)")
    names = [v.value for v in result.variables]
    return names, [{n: _py(s[n]) for n in names} for s in result]


def _py(term):
    """An RDF term as a plain JSON-able value: IRIs as strings, typed literals as numbers or strings."""
    if term is None:
        return None
    value = term.value
    datatype = getattr(getattr(term, "datatype", None), "value", "")
    if datatype.endswith(("#integer", "#int", "#long")):
        return int(value)
    if datatype.endswith(("#decimal", "#double", "#float")):
        return float(value)
    if datatype.endswith("#boolean"):
        return value == "true"
    return value


def drop_graph(store: Store, graph: str) -> None:
    """Remove a named graph and its quads, if the store has it."""
    node = NamedNode(graph)
    if store.contains_named_graph(node):
        store.remove_graph(node)
