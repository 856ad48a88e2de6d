"""The markdown report of one harness run (bench/out/report.md), written from results.json's content."""
from __future__ import annotations

import math


def fmt(value, digits: int = 3) -> str:
    if value is None:
        return "missing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.{digits}g}" if abs(value) < 100 else f"{value:.1f}"
    return str(value)


def table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def markdown(r: dict) -> str:
    m, v = r["machine"], r["versions"]
    parts = [f"# collabgraph benchmarks ({r['mode']})\n",
             f"Run {r['started']}, {fmt(r['seconds'])} s in all. Machine: {m['cpu_model']}, {m['logical_cores']} logical "
             f"cores, {m['ram_gb']} GB RAM, {m['os']}, Python {m['python']}.\n",
             "Versions: " + ", ".join(f"{k} {val}" for k, val in v.items() if val is not None) + ".\n",
             _busy(r), "## Headline figures\n", _headline(r)]
    if r.get("missing"):
        parts.append("## Missing\n\n" + "".join(f"- `{k}`: {why}\n" for k, why in r["missing"].items()))
    d = r["detail"]
    for key, title, section in (("extraction", "Extraction", _extraction), ("build", "End-to-end build", _build),
                                ("sparql", "SPARQL", _sparql), ("property_graph", "Property graph (FalkorDB)", _property),
                                ("api", "API under load", _api), ("web", "The network page in Chromium", _web),
                                ("structured", "Structured sources (GtR, ROR)", _structured)):
        if key in d and "error" not in d[key]:
            parts.append(f"## {title}\n\n" + section(d[key], r))
    parts.append(_growth(r))
    return "\n".join(parts)


def _busy(r: dict) -> str:
    b = r["busy_before"]
    others = b["other_processes"]
    text = f"Load average before: {b['loadavg']}, after: {r['busy_after']['loadavg']}. "
    if others:
        text += "Other processes were using CPU when the run started: " + ", ".join(
            f"{o['name']} ({o['cpu_percent']:.0f}%)" for o in others) + ".\n"
    else:
        text += "No other process was using CPU when the run started.\n"
    return text


def _headline(r: dict) -> str:
    from .run import EXTRA_KEYS, KEYS
    t = r["targets"]
    rows = []
    for key in KEYS:
        target = t.get(key)
        rows.append([f"`{key}`", r.get(key), target["target"] if target else "-",
                     ("met" if target["met"] else "NOT met") if target and target["met"] is not None else "-"])
    out = table(["key", "value", "target", ""], rows)
    out += "\n" + table(["further figure", "value"], [[f"`{k}`", r.get(k)] for k in EXTRA_KEYS])
    if r["mode"] != "full":
        out += "\nThese are the quick sizes: targets are stated for the full sizes and only indicative here.\n"
    return out


def _extraction(d: dict, r: dict) -> str:
    rows = [[f"{x['processes']}", i, x["docs_per_s"], x["docs_per_s"] / x["processes"], x["words_per_s"], x["seconds"],
             x["quads"]] for runs in (d["one_process"], d["two_processes"]) for i, x in enumerate(runs, start=1)]
    return (f"{fmt(d['documents'])} generated documents of {fmt(d['mean_words_per_doc'])} words on average "
            "(`bench.extraction`), through the whole extractor (spaCy `nlp.pipe`, resolution, relations, RDF quads); "
            "file reading excluded. The headline is the median of the one-process runs.\n\n"
            + table(["processes", "run", "docs/s", "docs/s per process", "words/s", "seconds", "quads"], rows))


def _build(d: dict, r: dict) -> str:
    rows = [[i + 1, x["seconds"], x["peak_rss_mb"], x["quads"], x["extract_docs_per_s"],
             (x["property_graph"] or {}).get("nodes"), (x["property_graph"] or {}).get("relationships"),
             (x["property_graph"] or {}).get("seconds")] for i, x in enumerate(d["runs"])]
    return (f"`collabgraph build` of {fmt(d['documents'])} generated documents ({fmt(d['words'])} words) in a "
            f"subprocess, {d['repeats']} run(s), each into a fresh data directory; peak RSS is the proportional "
            "resident memory (PSS: shared pages split between processes) summed over the process tree (the command, "
            "its extraction workers and the FalkorDB server it starts), sampled every 0.25 s.\n\n"
            + table(["run", "wall s", "peak RSS MB", "quads", "extract docs/s", "PG nodes", "PG relationships",
                     "PG sync s"], rows))


def _sparql(d: dict, r: dict) -> str:
    sizes = d["sizes"]
    top = sizes[-1]
    growth = table(["organisations", "quads", "N-Quads MB", "Oxigraph load s", "Oxigraph RSS MB", "rdflib load s",
                    "rdflib RSS MB", "slowest Oxigraph p50 ms", "speedup min"],
                   [[s["organisations"], s["quads"], s["nquads_mb"], s["oxigraph"]["load_s"], s["oxigraph"]["rss_mb"],
                     s["rdflib"]["load_s"], s["rdflib"]["rss_mb"], s["oxigraph_p50_ms_max"], s["speedup_min"]]
                    for s in sizes])
    ox, rd = top["oxigraph"]["queries"], top["rdflib"]["queries"]
    rows = [[f"`{n}`" + (" (alternative)" if n not in _headline_queries() else ""), ox[n]["p50_ms"], ox[n]["reps"],
             rd[n]["p50_ms"], rd[n]["reps"], ox[n]["rows"], top["speedup"][n]] for n in ox]
    return (f"The same queries on Oxigraph (in-memory `Store`) and rdflib (`Dataset(default_union=True)`) over the "
            f"same {fmt(top['quads'])} quads, in one process per size; both query the union of the named graphs and "
            "must return the same number of rows. `sparql_p50_ms` is the Oxigraph p50 of the slowest of the five; "
            "`sparql_speedup_min` the smallest rdflib/Oxigraph ratio of p50s over the five. Alternatives are other "
            "formulations of two of the queries, reported but not in the headline.\n\n"
            + table(["query", "Oxigraph p50 ms", "runs", "rdflib p50 ms", "runs", "rows", "speedup"], rows)
            + "\nBy size:\n\n" + growth)


def _headline_queries() -> set[str]:
    from .sparql import QUERIES
    return set(QUERIES)


def _property(d: dict, r: dict) -> str:
    rows = [[s["orgs"], s["edges"], s["graph_load_edges_per_s"], s["graph_load_nodes_per_s"],
             s["graph_sync_edges_per_s"], s["partners_p50_ms"],
             s["partners_p99_ms"], s["two_hop_p50_ms"], s["two_hop_p99_ms"], s["path_p50_ms"], s["path_p99_ms"],
             s["server_memory_mb"]] for s in d["sizes"]]
    runs = d["headline_runs"]
    return ("Generated organisations and partnerships synced with the store's own load (`GRAPH.BULK` calls into "
            "the staging graph, indexes and constraints, the switch, the snapshot) and read through "
            "`PropertyStore.query`. Load rates count the GRAPH.BULK calls (encoding included); sync edges/s counts "
            "the whole sync (projection digest, schema, switch and snapshot included). Headline "
            f"figures are medians over {len(runs)} run(s) at the largest size.\n\n"
            + table(["organisations", "edges", "load edges/s", "load nodes/s", "sync edges/s", "partners p50", "p99",
                     "two-hop p50",
                     "p99", "path p50", "p99", "server MB"], rows))


def _api(d: dict, r: dict) -> str:
    rows = []
    for i, run in enumerate(d["runs"], start=1):
        for name, e in [("all", run), *run["endpoints"].items()]:
            rows.append([i, name, e["requests"], e["rps"], e["p50_ms"], e["p99_ms"], e["errors"],
                         ", ".join(e["error_kinds"]) or "-"])
    return (f"A real `collabgraph serve` (uvicorn) on 127.0.0.1 over {fmt(d['organisations'])} generated organisations "
            f"(dataset written in {fmt(d['dataset_write_s'])} s); {d['concurrency']} client threads on the same "
            f"machine, {fmt(d['requests_per_run'])} requests per run capped at {fmt(d['duration_cap_s'])} s, "
            f"{d['sparql_share']:.0%} of them SPARQL; {d['repeats']} run(s) after a warm-up.\n\n"
            + table(["run", "endpoint", "requests", "req/s", "p50 ms", "p99 ms", "errors", "kinds"], rows)
            + "\nStopped by: " + ", ".join(run["stopped_by"] for run in d["runs"]) + ".\n")


def _growth(r: dict) -> str:
    keys = [k for k in r if k.startswith("growth_")]
    if not keys:
        return ""
    return ("## Growth\n\nExponent k of figure ~ size^k (least squares on logarithms over the sizes above; "
            "1 = linear, 0 = flat):\n\n" + table(["figure", "k"], [[f"`{k}`", r[k]] for k in keys]))


def _web(d: dict, r: dict) -> str:
    rows = [[name, d[name]["nodes"], d[name]["edges"], d[name]["first_ms"], d[name]["median_ms"]]
            for name in ("communities", "all") if name in d]
    return (f"A generated build of {fmt(d['organisations'])} organisations (`bench.generate`) served by `collabgraph serve`; "
            "`/network` (communities above the node limit) and `/network?limit=N` (every organisation) opened in "
            "Chromium with Playwright, timed from navigation to drawn and interactive (`body[data-stable]`): the "
            "first load, then the median of the later ones (vis-network cached). Page sizes in `web_*_kb` (as sent, "
            f"and gzipped); vis-network is served with `{d.get('vis_cache_control')}`.\n\n"
            + table(["page", "nodes", "edges", "first load ms", "median ms"], rows))
def _structured(d: dict, r: dict) -> str:
    b, p, ror = d["build"], d["partners"], d["ror_import"]
    return (f"A generated GtR API 2 file ({fmt(d['bytes'] / 2**20)} MB): {fmt(d['projects'])} projects, "
            f"{fmt(d['organisations'])} organisations, {fmt(d['links'])} project-organisation links, "
            f"{fmt(d['persons'])} principal investigators, one fund each; built end to end by `collabgraph build` "
            f"(RDF, derived partnerships, property graph) in {fmt(b['seconds'])} s, peak {fmt(b['peak_rss_mb'])} MB, "
            f"{fmt(b['quads'])} quads; property graph {fmt((b['property_graph'] or {}).get('nodes'))} nodes, "
            f"{fmt((b['property_graph'] or {}).get('relationships'))} relationships synced in "
            f"{fmt((b['property_graph'] or {}).get('seconds'))} s.\n\n"
            f"`GET /organisations/{{id}}/partners` (first page of 50) for the best-connected organisation, "
            f"{p['organisation']} with {fmt(p['total_partners'])} partners, on a real `collabgraph serve`: first "
            f"request {fmt(p['first_ms'])} ms, then p50 {fmt(p['p50_ms'])} ms and p99 {fmt(p['p99_ms'])} ms over "
            f"{p['samples']} requests.\n\n"
            f"`collabgraph register import-ror` of a {fmt(d['ror_records'])}-record ROR dump: {fmt(ror['seconds'])} s "
            f"(process start included), peak {fmt(ror['peak_rss_mb'])} MB.\n")
