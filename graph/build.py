"""Builds the RDF dataset from sources, atomically and incrementally.

A build never edits the current dataset in place: it copies it (an Oxigraph
backup, cheap hard links) or starts empty, applies the changes, recomputes the
derived graph and only then switches ``current``. Sources whose checksum, the
register and the extractor are unchanged keep their graph as it was; a changed
source's graph is replaced whole; a source no longer given loses its graph.
The default graph, the merge of all named graphs, follows each change
(`graph.default_graph`).
"""
from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode, Quad, RdfFormat, Store

from collabgraph.loaders.limits import document_seconds as budget_seconds
from collabgraph.loaders.parallel import default_workers, extract_in_parallel
from collabgraph.loaders.pipeline import EXTRACTOR_VERSION, DocumentResult
from collabgraph.loaders.register import Register, load_register, register_graphs
from collabgraph.loaders.sources import SourceFile, discover
from collabgraph.loaders.structured import StructuredResult
from collabgraph.loaders.structured import run as read_structured
from collabgraph.loaders.structured.records import OrgLinker
from collabgraph.ontology import iris

from . import default_graph, readings
from .dataset import Build, current_build, drop_graph, new_build, switch_current, writer_lock
from .derive import derived_quads

BUNDLED_DATA = Path(__file__).resolve().parent.parent / "data"
#: Quads held before one bulk load; a few hundred documents' worth.
BULK_QUADS = 200_000


@dataclass
class SourceReport:
    key: str
    status: str  # added | updated | unchanged | removed | failed
    quads: int = 0
    message: str = ""


@dataclass
class BuildReport:
    build: Path
    sources: list[SourceReport] = field(default_factory=list)
    register_files: int = 0
    warnings: list[str] = field(default_factory=list)  # one line each: symbolic links refused, ...
    quads: int = 0  # statements in the named graphs, once per source graph that makes them
    extract_seconds: float = 0.0
    seconds: float = 0.0

    @property
    def extracted(self) -> int:
        return sum(1 for s in self.sources if s.status in ("added", "updated", "failed"))

    @property
    def docs_per_s(self) -> float:
        return self.extracted / self.extract_seconds if self.extract_seconds else 0.0

    @property
    def failed(self) -> list[SourceReport]:
        return [s for s in self.sources if s.status == "failed"]


class BuildError(Exception):
    """A build that could not start or finish; the previous dataset is untouched."""


def build(root: Path, paths: list[str | Path] | None = None, *, register_dir: Path | None = None,
          add: bool = False, remove: list[str] | None = None,
          on_document: Callable[[DocumentResult], None] | None = None,
          on_plan: Callable[[int], None] | None = None, workers: int | None = None,
          document_seconds: float | None = None, on_wait: Callable[[str], None] | None = None) -> BuildReport:
    """Build into ``root`` and switch to the result; raise BuildError or SourceError with nothing changed.

    ``workers`` processes extract documents (default: one per CPU); a document not extracted within
    ``document_seconds`` (default: `loaders.limits.document_seconds()`) fails and the build goes on.

    * default: the dataset becomes exactly ``paths`` (the bundled data/ when none);
    * ``add``: ``paths`` are added to (or refreshed in) the current dataset;
    * ``remove``: the named sources (keys or paths) leave the current dataset.

    One build writes ``root`` at a time: this one waits for another to finish (``on_wait`` hears
    that it waits) and raises DataDirBusy if it waits too long.
    """
    started = time.perf_counter()
    seconds = budget_seconds(document_seconds)
    root.mkdir(parents=True, exist_ok=True)
    with writer_lock(root, on_wait=on_wait):
        report = _build_locked(root, paths, register_dir, add, remove, on_document, on_plan, workers, seconds)
    report.seconds = time.perf_counter() - started
    return report


def _build_locked(root: Path, paths, register_dir, add, remove, on_document, on_plan, workers, seconds) -> BuildReport:
    found = discover(paths or ([] if remove else [BUNDLED_DATA]))
    previous = current_build(root)
    old = previous.manifest() if previous else {}
    if (add or remove) and register_dir is None and not found.register_dirs and old.get("register_dir"):
        register_dir = Path(old["register_dir"])  # keep linking against the register the dataset was built with
    register = _register(found.register_dirs, register_dir)
    reusable = bool(old) and old.get("register") == register.checksum and old.get("extractor") == EXTRACTOR_VERSION
    old_sources: dict = old.get("sources", {}) if reusable else {}
    target = new_build(root)
    try:
        report = _apply(target, previous if reusable else None, old, old_sources, found.documents, register,
                        add=add, remove=remove or [], on_document=on_document, on_plan=on_plan,
                        workers=default_workers() if workers is None else workers,
                        seconds=seconds)
    except BaseException:
        shutil.rmtree(target.path, ignore_errors=True)
        raise
    switch_current(root, target)
    report.warnings = found.refused + report.warnings
    return report


def _register(found: list[Path], explicit: Path | None) -> Register:
    if explicit is not None:
        return load_register(explicit)
    if len(found) > 1:
        raise BuildError(f"more than one register folder given ({', '.join(map(str, found))}); pass --register")
    return load_register(found[0] if found else BUNDLED_DATA / "register")


def _apply(target: Build, previous: Build | None, old: dict, old_sources: dict, documents: list[SourceFile],
           register: Register, *, add: bool, remove: list[str], on_document, on_plan, workers: int,
           seconds: float | None) -> BuildReport:
    report = BuildReport(target.path)
    if previous is not None:
        Store.read_only(str(previous.store_path)).backup(str(target.store_path))
    store = Store(str(target.store_path))
    if not default_graph.is_merged(store):  # a dataset built before the default graph was stored
        default_graph.remerge(store)
    writer = BulkWriter(store)
    try:
        manifest_sources = _write(writer, target, previous, old, old_sources, documents, register, add=add,
                                  remove=remove, on_document=on_document, on_plan=on_plan, workers=workers,
                                  seconds=seconds, report=report)
    finally:
        writer.close()
    store.flush()
    report.quads = default_graph.quad_count(store)
    target.write_manifest({"extractor": EXTRACTOR_VERSION, "register": register.checksum,
                           "register_dir": register.directory,
                           "register_graphs": sorted(register_graphs_names(register)),
                           "sources": manifest_sources, "quads": report.quads})
    del store
    return report


def _write(writer: BulkWriter, target: Build, previous: Build | None, old: dict, old_sources: dict,
           documents: list[SourceFile], register: Register, *, add: bool, remove: list[str], on_document, on_plan,
           workers: int, seconds: float | None, report: BuildReport) -> dict:
    """Write the sources, the register and the derived graph; return the manifest's sources."""
    store = writer.store
    kept, todo = _plan(writer, old, old_sources, documents, add, remove, report)
    for meta in kept.values():
        readings.carry(previous, target, meta["graph"])
    structured = [d for d in todo if d.format]
    todo = [d for d in todo if not d.format]
    if on_plan:
        on_plan(len(todo))
    manifest_sources = dict(kept)
    t0 = time.perf_counter()
    for result in extract_in_parallel(todo, register, workers, seconds):
        _store_result(writer, result, old_sources, manifest_sources, report)
        if not result.error:
            readings.write(target, result.source.graph, result.reading)
        elif result.source.key in old_sources:  # the last good version's graph is kept, and so is its reading
            readings.carry(previous, target, result.source.graph)
        if on_document:
            on_document(result)
    report.extract_seconds = time.perf_counter() - t0
    linker = OrgLinker(register) if structured else None
    for source in structured:  # funders' open data: records to quads in this process, no NLP
        _store_structured(writer, source, read_structured(source, linker), old_sources, manifest_sources, report)
    _store_register(writer, register, old, report)
    writer.commit()  # the derived graph is computed from everything written so far
    writer.update(iris.DERIVED_GRAPH, derived_quads(store))
    writer.commit()
    return manifest_sources


class BulkWriter:
    """Replaces named graphs of the build's store, writing the quads in large bulk loads, and keeps the
    default graph the merge of the named graphs.

    The store of a build is private until ``current`` is switched to it, so Oxigraph's
    bulk loader (no transaction per call) is safe here, and it is many times faster than
    one transaction per document. A build that fails midway is deleted whole.

    Each batch is handed to the loader as N-Quads text, its default-graph copy made by
    cutting the graph name off each line, and loaded in a thread while this one makes the
    next batch: Oxigraph's loader of text lets go of the interpreter (its loader of Quad
    objects does not), so reading records and writing the store share the two cores, and
    copying millions of Quad objects into the default graph in Python is not needed.
    At most one batch is loading and one being made, which bounds memory.
    """

    def __init__(self, store: Store, bulk_quads: int = BULK_QUADS) -> None:
        self.store, self.bulk_quads = store, bulk_quads
        self._pending: list[Quad] = []
        self._loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="collabgraph-bulk-load")
        self._loading: Future | None = None

    def replace(self, graph: str, quads: Iterable[Quad]) -> None:
        self.drop(graph)
        for quad in quads:  # a stream of millions (the derived graph) is never held whole
            self._pending.append(quad)
            if len(self._pending) >= self.bulk_quads:
                self.flush()

    def update(self, graph: str, quads: Iterable[Quad]) -> None:
        """Make ``graph`` hold exactly ``quads``, writing and removing only the quads that change.

        For the derived graph: it is recomputed whole at every build (millions of quads at
        10,000 documents) but changes little, so replacing it whole would rewrite it, and set
        all of it aside for the default graph, on every incremental build. Only a digest of
        each new quad is held, so memory stays a small fraction of the graph's size.
        """
        self.wait()
        node = NamedNode(graph)
        if not self.store.contains_named_graph(node):  # a first build: nothing to compare with
            self.replace(graph, quads)
            return
        wanted = set()
        for quad in quads:
            wanted.add(_digest(quad))
            if quad not in self.store:
                self._pending.append(quad)
                if len(self._pending) >= self.bulk_quads:
                    self.flush()
        self.wait()
        gone = [q for q in self.store.quads_for_pattern(None, None, None, node) if _digest(q) not in wanted]
        default_graph.set_aside_quads(self.store, gone)
        for quad in gone:  # few: what the changed sources no longer support
            self.store.remove(quad)
        if not wanted:  # as a whole replacement would, leave no empty graph behind
            drop_graph(self.store, graph)

    def drop(self, graph: str) -> None:
        """Remove a named graph; its triples leave the default graph at `commit` unless another graph states them."""
        self.wait()
        default_graph.set_aside(self.store, graph, self.bulk_quads)
        drop_graph(self.store, graph)

    def flush(self) -> None:
        """Start loading what is pending (once the batch before it is in)."""
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        text = default_graph.nquads_with_default_copy(batch)
        self.wait()
        if text is None:  # a blank node, which text would rename: loaded as objects, in this thread
            self.store.bulk_extend(batch + default_graph.in_default_graph(batch))
        else:
            self._loading = self._loader.submit(self.store.bulk_load, text, format=RdfFormat.N_QUADS)

    def wait(self) -> None:
        """Wait for the batch being loaded, so reading the store sees it; its error, if any, is raised here."""
        loading, self._loading = self._loading, None
        if loading is not None:
            loading.result()

    def commit(self) -> None:
        """Write what is pending and settle the default graph, so queries see the dataset as written so far."""
        self.flush()
        self.wait()
        default_graph.settle(self.store)

    def close(self) -> None:
        """Finish (or, after an error, let go of) the batch being loaded and stop the loading thread."""
        try:
            self.wait()
        finally:
            self._loader.shutdown(wait=True)


def _digest(quad: Quad) -> bytes:
    return hashlib.blake2b(str(quad).encode(), digest_size=16).digest()


def _plan(writer: BulkWriter, old: dict, old_sources: dict, documents: list[SourceFile], add: bool,
          remove: list[str], report: BuildReport) -> tuple[dict, list[SourceFile]]:
    """Decide which sources to keep, extract and drop; drop the dropped ones' graphs now.

    ``old_sources`` holds the previous sources whose graphs are in the copied store
    (empty when the store starts afresh); ``old["sources"]`` all previous sources.
    """
    previous = old.get("sources", {})
    if add or remove:
        dropped = {_match_source(previous, name) for name in remove}
        desired = {k: SourceFile(k, Path(v["file"]), v["path"], v.get("label", ""), v.get("format", ""))
                   for k, v in previous.items() if k not in dropped}
        carried = set(desired)
        desired.update({d.key: d for d in documents})
        carried -= {d.key for d in documents}
    else:
        desired, carried = {d.key: d for d in documents}, set()
    kept, todo = {}, []
    for key, doc in desired.items():
        meta = old_sources.get(key)
        if meta and (key in carried or meta["checksum"] == doc.checksum()):
            kept[key] = meta
            report.sources.append(SourceReport(key, "unchanged", meta.get("quads", 0)))
        else:
            todo.append(doc)
    for key in sorted(set(previous) - set(desired)):
        writer.drop(previous[key]["graph"])
        report.sources.append(SourceReport(key, "removed"))
    return kept, todo


def _match_source(sources: dict, name: str) -> str:
    for key, meta in sources.items():
        if name in (key, meta.get("path"), meta.get("file")) or Path(name).resolve() == Path(meta.get("file", "")).resolve():
            return key
    known = ", ".join(sorted(sources)) or "none"
    raise BuildError(f"{name}: not a source of the current dataset (known sources: {known})")


def _store_result(writer: BulkWriter, result: DocumentResult, old_sources: dict, manifest: dict, report: BuildReport) -> None:
    key = result.source.key
    if result.error:
        report.sources.append(SourceReport(key, "failed", 0, result.error))
        if key in old_sources:  # keep the last good version of a source that now fails
            manifest[key] = old_sources[key]
        return
    writer.replace(result.source.graph, result.quads)
    status = "updated" if key in old_sources else "added"
    report.sources.append(SourceReport(key, status, len(result.quads), "; ".join(result.warnings)))
    manifest[key] = {"graph": result.source.graph, "checksum": result.source.checksum, "path": result.source.local,
                     "file": str(Path(result.source.local).resolve()), "label": result.source.path,
                     "quads": len(result.quads), "title": result.source.title}


def _store_structured(writer: BulkWriter, source: SourceFile, result: StructuredResult, old_sources: dict,
                      manifest: dict, report: BuildReport) -> None:
    """Stream a structured source's quads into its graph; one that cannot be read keeps its last good graph."""
    key = source.key
    if result.error:
        report.sources.append(SourceReport(key, "failed", 0, result.error))
        if key in old_sources:
            manifest[key] = old_sources[key]
        return
    count = [0]

    def counted(quads: Iterable[Quad]) -> Iterable[Quad]:
        for quad in quads:
            count[0] += 1
            yield quad

    writer.replace(result.source.graph, counted(result.quads))
    status = "updated" if key in old_sources else "added"
    message = "; ".join([f"{result.records} record(s)", *result.warnings])
    report.sources.append(SourceReport(key, status, count[0], message))
    manifest[key] = {"graph": result.source.graph, "checksum": result.source.checksum, "path": source.given,
                     "file": str(Path(source.given).resolve()), "label": result.source.path, "format": source.format,
                     "quads": count[0], "title": result.source.title}


def register_graphs_names(register: Register) -> list[str]:
    return [iris.register_graph_iri(Path(p).stem) for p in register.files]


def _store_register(writer: BulkWriter, register: Register, old: dict, report: BuildReport) -> None:
    graphs = register_graphs(register)
    for stale in set(old.get("register_graphs", [])) - set(graphs):
        writer.replace(stale, [])
    for graph, quads in graphs.items():
        writer.replace(graph, quads)
    report.register_files = len(graphs)
