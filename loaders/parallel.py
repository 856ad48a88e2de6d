"""Extraction on several processes: the same results, in the same order, sooner.

Documents are independent of each other, so a build hands them out in chunks to
worker processes (forked, so each starts with the loaded spaCy pipeline and the
register) and yields their results in order. Only the quads travel back; the
in-memory extraction stays in the worker. A worker that dies (killed, out of
memory) breaks the pool and the build fails as a whole, leaving the previous
dataset untouched; a build that is killed takes its workers with it.
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import islice

from pyoxigraph import RdfFormat, parse, serialize

from .pipeline import DocumentResult, extract_documents
from .register import Register
from .sources import SourceFile

#: Documents per task: large enough that sending results back costs little, small enough to balance.
CHUNK = 25
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_register: Register | None = None
_seconds: float | None = None


def default_workers() -> int:
    """One worker per CPU this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def extract_in_parallel(files: Iterable[SourceFile], register: Register | None,
                        workers: int, seconds: float | None = None) -> Iterator[DocumentResult]:
    """What `extract_documents` yields, from `workers` processes; one process for small jobs.
    ``seconds`` is the time budget of each document."""
    files = list(files)
    if workers <= 1 or len(files) < 2 * CHUNK:
        yield from extract_documents(files, register, seconds)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_keep,
                             initargs=(register, seconds, os.getpid())) as pool:
        for results in pool.map(_extract_chunk, _chunks(files, CHUNK)):
            yield from (_received(r, nquads) for r, nquads in results)


def _keep(register: Register | None, seconds: float | None, parent: int) -> None:
    global _register, _seconds
    _register, _seconds = register, seconds
    _die_with(parent)


def _die_with(parent: int) -> None:
    """Ends this worker when the build that forked it dies.

    A killed build cannot shut its pool down, and its workers would wait for work
    forever, each holding a copy of the spaCy pipeline. Linux can deliver a signal
    when the parent dies; elsewhere the pool's own shutdown is all there is.
    """
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the build died before the signal was asked for
        os._exit(1)


def _extract_chunk(files: list[SourceFile]) -> list[tuple[DocumentResult, bytes]]:
    """The results, with their quads sent as N-Quads: far cheaper to send and read than pickled terms."""
    out = []
    for r in extract_documents(files, _register, _seconds):
        quads, r.quads, r.extraction = r.quads, [], None  # the build needs the quads only
        out.append((r, serialize(quads, format=RdfFormat.N_QUADS)))
    return out


def _received(result: DocumentResult, nquads: bytes) -> DocumentResult:
    result.quads = list(parse(nquads, format=RdfFormat.N_QUADS))
    return result


def _chunks(items: list, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk
