"""End to end: `collabgraph build` of N generated documents in a subprocess, timed, with peak memory.

The documents come from the extraction benchmark's generator (`bench.extraction`),
so they read like the press releases and web pages the extractor is built for,
with one change: each document's "new NIHR Health Determinants Research
Collaboration" is named after the council that hosts it, as real ones are.
Left unnamed, every document's collaboration resolves to one programme whose
partners are every partner in the corpus, and the derived `partnersWith` graph
grows with the square of the corpus (60 documents: 452,377 quads instead of
22,665), which no build of 10,000 documents survives.
Each repetition builds into a fresh data directory with the real command (read,
extract, write RDF, derive, sync the property graph into the embedded FalkorDB),
while a thread samples the resident memory of the whole process tree (the
command and the FalkorDB server it starts).
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .measure import PeakTreeRSS, median

_UNNAMED_HDRC = re.compile(r"(?P<council>(?P<place>[A-Z][a-z]+?)(?:shire)? (?:City|County|Borough) Council) will host "
                           r"a new NIHR Health Determinants Research Collaboration")

_SUMMARY = re.compile(r"(?P<sources>\d+) source\(s\).*?(?P<quads>\d+) quads.*?extracted (?P<docs>\d+) document\(s\) "
                      r"at (?P<rate>[\d.]+) docs/s", re.S)
_SYNC = re.compile(r"property graph \((?P<backend>\w+)\): (?P<nodes>\d+) nodes, (?P<rels>\d+) relationships .*? "
                   r"in (?P<seconds>[\d.]+)s", re.S)


def build_once(documents: Path, data_dir: Path, log: Path, timeout_s: float) -> dict:
    """One `collabgraph build` into ``data_dir``: wall time, peak RSS of the tree, and what it printed."""
    env = {**os.environ, "COLUMNS": "200"}
    with open(log, "wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "collabgraph.api", "build", str(documents), "--data-dir", str(data_dir)],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=env)
        with PeakTreeRSS(proc.pid) as peak:
            try:
                proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                raise RuntimeError(f"collabgraph build of {documents} did not finish within {timeout_s:.0f}s") from None
        wall = time.perf_counter() - t0
    text = log.read_text(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"collabgraph build exited with {proc.returncode}: {text.strip()[-1500:]}")
    summary, sync = _SUMMARY.search(text), _SYNC.search(text)
    return {"seconds": wall, "peak_rss_mb": peak.peak_mb,
            "quads": int(summary["quads"]) if summary else None,
            "documents_extracted": int(summary["docs"]) if summary else None,
            "extract_docs_per_s": float(summary["rate"]) if summary else None,
            "property_graph": {"backend": sync["backend"], "nodes": int(sync["nodes"]),
                               "relationships": int(sync["rels"]), "seconds": float(sync["seconds"])} if sync else None}


def write_corpus(folder: Path, n: int, seed: int = 7) -> int:
    """Write ``n`` generated documents, each collaboration named after its host; returns the number of words."""
    from .extraction import generate_documents  # the extraction benchmark's generator
    folder.mkdir(parents=True, exist_ok=True)
    words = 0
    for i, text in enumerate(generate_documents(n, seed)):
        text, named = _UNNAMED_HDRC.subn(
            lambda m: f"{m['council']} will host the NIHR Health Determinants Research Collaboration {m['place']}", text)
        if named != 1:
            raise RuntimeError("bench.extraction's documents no longer say '<council> will host a new NIHR Health "
                               "Determinants Research Collaboration'; update _UNNAMED_HDRC in bench/build_e2e.py")
        (folder / f"doc-{i:05d}.txt").write_text(text, encoding="utf-8")
        words += len(text.split())
    return words


def run(n_docs: int, *, repeats: int, timeout_s: float, seed: int = 7) -> dict:
    """Generate ``n_docs`` documents once, build them ``repeats`` times; medians of wall time and peak RSS."""
    with tempfile.TemporaryDirectory(prefix="collabgraph-bench-build-") as tmp:
        docs = Path(tmp) / "documents"
        t0 = time.perf_counter()
        words = write_corpus(docs, n_docs, seed)
        generated_s = time.perf_counter() - t0
        runs = []
        for i in range(repeats):
            data = Path(tmp) / f"data-{i}"
            runs.append(build_once(docs, data, Path(tmp) / f"build-{i}.log", timeout_s))
            shutil.rmtree(data)  # a 10,000-document build takes gigabytes of disk
    return {"build_10k_s": median([r["seconds"] for r in runs]),
            "build_10k_peak_rss_mb": median([r["peak_rss_mb"] for r in runs]),
            "detail": {"documents": n_docs, "words": words, "generate_s": generated_s, "repeats": repeats, "runs": runs}}
