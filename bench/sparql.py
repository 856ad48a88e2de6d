"""SPARQL: the same five queries on Oxigraph and on rdflib's in-memory Dataset, over the same quads.

One generated dataset (`bench.generate`) is dumped to N-Quads once and loaded
into both engines in one process, so both answer over exactly the same quads;
every query must return the same number of rows on both, or the run fails.
Both query the union of the named graphs, as collabgraph does.

Each size runs in a fresh process (``python -m bench.sparql``) so that the
memory figures (resident memory added by each loaded store) are not blurred by
the previous size. rdflib is slow at this scale, so its repetitions are bounded
by a count and a time budget per query; the number actually run is reported.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import rdflib
from pyoxigraph import RdfFormat, Store

from collabgraph.ontology import sparql_prefixes, subclasses

from .generate import nquads, plan, store_for
from .measure import median, percentile, rss_mb, timed_runs

_ORG_TYPES = " ".join(f"cg:{c}" for c in subclasses("Organisation"))

#: The five queries; {x} is a well-connected organisation, {funder} a funder, {theme} a broad theme.
#: Each is written the way collabgraph itself writes it (graph/stats.py lists the types with VALUES;
#: the API walks the theme hierarchy from the theme), which is not always the fastest way for both engines:
#: ALTERNATIVES holds other natural formulations, measured too and reported, but not in the headline ratio.
QUERIES = {
    "partners_of_x": """
SELECT DISTINCT ?partner ?name WHERE { <{x}> cg:partnersWith ?partner . ?partner cg:name ?name }""",
    "count_by_type": """
SELECT ?type (COUNT(DISTINCT ?org) AS ?n) WHERE { VALUES ?type { {types} } ?org a ?type } GROUP BY ?type""",
    "two_hop_partners": """
SELECT DISTINCT ?other WHERE { <{x}> cg:partnersWith ?via . ?via cg:partnersWith ?other FILTER(?other != <{x}>) }""",
    "programmes_by_funder_with_themes": """
SELECT ?programme ?name (GROUP_CONCAT(DISTINCT ?theme; separator="; ") AS ?themes) WHERE {
  ?programme a cg:Programme ; cg:fundedBy <{funder}> ; cg:name ?name .
  OPTIONAL { ?programme cg:hasTheme/cg:name ?theme }
} GROUP BY ?programme ?name""",
    "programmes_under_theme_path": """
SELECT DISTINCT ?programme WHERE { ?programme a cg:Programme ; cg:hasTheme ?theme . ?theme skos:broader* <{theme}> }""",
}
ALTERNATIVES = {
    "count_by_type_filter": """
SELECT ?type (COUNT(DISTINCT ?org) AS ?n) WHERE {
  ?org a cg:Organisation ; a ?type . FILTER(?type != cg:Organisation)
} GROUP BY ?type""",
    "programmes_under_theme_one_path": """
SELECT DISTINCT ?programme WHERE { ?programme a cg:Programme ; cg:hasTheme/skos:broader* <{theme}> }""",
}


def queries_for(n_orgs: int, seed: int) -> tuple[dict[str, str], object]:
    p = plan(n_orgs, seed)
    bound = {"x": p.busiest().iri, "funder": p.top_funder.iri, "theme": p.themes["Inequalities"],
             "types": _ORG_TYPES}
    texts = {}
    for name, q in {**QUERIES, **ALTERNATIVES}.items():
        for key, value in bound.items():
            q = q.replace("{" + key + "}", value)
        texts[name] = sparql_prefixes() + q
    return texts, p


def measure(data: bytes, texts: dict[str, str], *, oxigraph_reps: int, rdflib_reps: int,
            rdflib_budget_s: float) -> dict:
    """Both engines over the same N-Quads, in this process: load time, memory added, per-query p50 and rows.

    Both stores stay loaded to the end, so the memory rdflib adds is not taken
    from pages Oxigraph freed.
    """
    base = rss_mb()
    t0 = time.perf_counter()
    ox = Store()
    ox.load(data, format=RdfFormat.N_QUADS)
    ox_load = time.perf_counter() - t0
    ox_rss = rss_mb() - base
    quads = len(ox)
    ox_results = {name: _oxigraph(ox, q, oxigraph_reps) for name, q in texts.items()}
    base = rss_mb()
    t0 = time.perf_counter()
    rd = rdflib.Dataset(default_union=True)
    rd.parse(data=data, format="nquads")
    rd_load = time.perf_counter() - t0
    rd_rss = rss_mb() - base
    list(rd.query("ASK {}"))  # rdflib builds its SPARQL grammar on first use; keep that out of the timings
    rd_results = {name: _rdflib(rd, q, rdflib_reps, rdflib_budget_s) for name, q in texts.items()}
    for name in texts:
        if ox_results[name]["rows"] != rd_results[name]["rows"]:
            raise AssertionError(f"{name}: Oxigraph returned {ox_results[name]['rows']} rows, "
                                 f"rdflib {rd_results[name]['rows']}; the engines disagree")
    speedup = {n: rd_results[n]["p50_ms"] / max(ox_results[n]["p50_ms"], 1e-6) for n in texts}
    headline = [n for n in texts if n in QUERIES]
    return {"quads": quads, "nquads_mb": len(data) / 2**20,
            "oxigraph": {"load_s": ox_load, "rss_mb": ox_rss, "queries": ox_results},
            "rdflib": {"load_s": rd_load, "rss_mb": rd_rss, "queries": rd_results},
            "speedup": speedup, "speedup_min": min(speedup[n] for n in headline),
            "oxigraph_p50_ms_max": max(ox_results[n]["p50_ms"] for n in headline)}


def _oxigraph(store: Store, q: str, reps: int) -> dict:
    rows = len(list(store.query(q, use_default_graph_as_union=True)))  # warm-up, and the row count
    times = timed_runs(lambda: list(store.query(q, use_default_graph_as_union=True)), reps)
    return {"p50_ms": median(times), "p99_ms": percentile(times, 99), "reps": len(times), "rows": rows}


def _rdflib(ds: rdflib.Dataset, q: str, reps: int, budget_s: float) -> dict:
    rows: list = []
    times = timed_runs(lambda: rows.append(len(list(ds.query(q)))), reps, budget_s)
    return {"p50_ms": median(times), "p99_ms": percentile(times, 99), "reps": len(times), "rows": rows[0]}


def measure_size(n_orgs: int, *, seed: int = 7, **options) -> dict:
    """Generate one size here, then measure it in a fresh interpreter so its memory figures are its own."""
    texts, p = queries_for(n_orgs, seed)
    with tempfile.TemporaryDirectory(prefix="collabgraph-bench-sparql-") as tmp:
        data, queries = Path(tmp) / "data.nq", Path(tmp) / "queries.json"
        data.write_bytes(nquads(store_for(p)))
        del p
        queries.write_text(json.dumps(texts))
        args = [sys.executable, "-m", "bench.sparql", "--nquads", str(data), "--queries", str(queries)]
        for key, value in options.items():
            args += [f"--{key.replace('_', '-')}", str(value)]
        done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench.sparql at {n_orgs} organisations failed: {done.stderr.strip()[-2000:]}")
    return {"organisations": n_orgs, **json.loads(done.stdout)}


def run(sizes: list[int], *, oxigraph_reps: int, rdflib_reps: int, rdflib_budget_s: float, seed: int = 7) -> dict:
    """Every size (growth), with the headline keys taken from the largest."""
    by_size = [measure_size(n, oxigraph_reps=oxigraph_reps, rdflib_reps=rdflib_reps,
                                          rdflib_budget_s=rdflib_budget_s, seed=seed) for n in sizes]
    top = by_size[-1]
    return {"sparql_speedup_min": top["speedup_min"], "sparql_p50_ms": top["oxigraph_p50_ms_max"],
            "sparql_quads": top["quads"], "detail": {"sizes": by_size}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nquads", type=Path, required=True, help="the dataset, as N-Quads")
    parser.add_argument("--queries", type=Path, required=True, help="JSON object: query name -> SPARQL text")
    parser.add_argument("--oxigraph-reps", type=int, default=20)
    parser.add_argument("--rdflib-reps", type=int, default=5)
    parser.add_argument("--rdflib-budget-s", type=float, default=60.0)
    a = parser.parse_args()
    result = measure(a.nquads.read_bytes(), json.loads(a.queries.read_text()), oxigraph_reps=a.oxigraph_reps,
                     rdflib_reps=a.rdflib_reps, rdflib_budget_s=a.rdflib_budget_s)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
