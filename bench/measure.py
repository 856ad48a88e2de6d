"""Small measuring tools shared by the benchmarks: percentiles, memory, peak RSS of a process tree."""
from __future__ import annotations

import gc
import statistics
import threading
import time

import psutil


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def rss_mb(pid: int | None = None) -> float:
    """Resident memory of one process (this one by default), after a garbage collection when it is this one."""
    if pid is None:
        gc.collect()
    return psutil.Process(pid).memory_info().rss / 2**20


def tree_rss_mb(proc: psutil.Process) -> float:
    """Resident memory of a process and all its descendants (0 for processes that have gone).

    Proportional (PSS) where the system reports it: pages shared by forked extraction
    workers are split between them instead of being counted once per process.
    """
    total = 0
    for p in [proc, *_children(proc)]:
        try:
            total += getattr(p.memory_full_info(), "pss", None) or p.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def _children(proc: psutil.Process) -> list[psutil.Process]:
    try:
        return proc.children(recursive=True)
    except psutil.Error:
        return []


class PeakTreeRSS:
    """Samples the resident memory of a process tree in a background thread and keeps the peak.

    Each sample is the tree's proportional resident memory (see ``tree_rss_mb``).
    """

    def __init__(self, pid: int, interval: float = 0.25):
        self.proc = psutil.Process(pid)
        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakTreeRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self.proc))
            self._stop.wait(self.interval)


def timed_runs(fn, reps: int, budget_s: float = float("inf"), min_reps: int = 1) -> list[float]:
    """Run ``fn`` up to ``reps`` times, stopping early once ``budget_s`` is spent (after ``min_reps``); ms each."""
    times: list[float] = []
    spent = 0.0
    while len(times) < reps and (len(times) < min_reps or spent < budget_s):
        t0 = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - t0
        spent += elapsed
        times.append(elapsed * 1000)
    return times
