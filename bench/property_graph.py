"""Benchmark of the property graph in the embedded FalkorDB: load rate and read latencies.

Generates organisations and undirected partnerships (each organisation belongs to
a region; most partnerships stay within the region, some cross, as regional
collaboration networks do), syncs them with the store's own load
(``FalkorDBStore.load``: digest, ``GRAPH.BULK`` calls into the staging graph, indexes
and unique constraints, the switch to live, the snapshot), then times reads through
``PropertyStore.query`` (guard, ``GRAPH.RO_QUERY``, conversion to JSON rows):

* one-hop partners of a random organisation;
* two-hop partners (partners of partners);
* a shortest path of at most 4 hops between two random organisations, with
  ``PropertyStore.shortest_path`` (bidirectional breadth-first search, one Cypher
  query per level), and for comparison with FalkorDB's ``algo.SPpaths``.

    python -m bench.property_graph --orgs 100000 --edges 1000000

``graph_load_edges_per_s`` is the edges over the time from the last node call answered to the
last edge call answered (encoding included: each call is encoded while the server builds the
previous one); ``graph_sync_edges_per_s`` the edges over the whole sync.

Targets: load >= 250,000 edges/s; one-hop p50 < 5 ms; shortest path p50 < 50 ms.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from collabgraph.graph.property.falkordb_store import FalkorDBStore
from collabgraph.graph.property.projection import PARTNERS_WITH, NodeRow, Projection, RelRow
from collabgraph.ontology import iris

ONE_HOP = ("MATCH (o:Organisation {iri: $iri})-[:PARTNERS_WITH]-(p:Organisation) "
           "RETURN p.iri AS iri, p.name AS name")
TWO_HOP = ("MATCH (o:Organisation {iri: $iri})-[:PARTNERS_WITH]-(:Organisation)-[:PARTNERS_WITH]-(q:Organisation) "
           "WHERE q <> o RETURN DISTINCT q.iri AS iri")
SPPATHS = ("MATCH (a:Organisation {iri: $a}), (b:Organisation {iri: $b}) "
           "CALL algo.SPpaths({sourceNode: a, targetNode: b, relTypes: ['PARTNERS_WITH'], relDirection: 'both', "
           "maxLen: 4}) YIELD path RETURN [n IN nodes(path) | n.iri] AS hops")
TYPES = ("University", "NHSTrust", "LocalAuthority", "ResearchCentre", "Charity", "Company")


def generate(orgs: int, edges: int, seed: int = 7, region_size: int = 1000, local_share: float = 0.8) -> Projection:
    """Organisations in regions of ``region_size``; ``local_share`` of the partnerships are within a region."""
    if edges > orgs * (orgs - 1) // 2:
        raise ValueError(f"{edges} partnerships do not fit between {orgs} organisations")
    rng = random.Random(seed)
    org_iris = [iris.ID + f"organisation/bench-{i:07d}" for i in range(orgs)]
    nodes = [NodeRow(iri, "Organisation", ("Organisation", TYPES[i % len(TYPES)]),
                     {"iri": iri, "id": iris.local_id(iri), "name": f"Organisation {i}",
                      "region": f"R{i // region_size}"})
             for i, iri in enumerate(org_iris)]
    programmes = [iris.ID + f"programme/bench-{i:05d}" for i in range(max(1, orgs // 50))]
    sources = [iris.source_graph_iri(f"bench/doc-{i}.txt") for i in range(100)]
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < edges:
        a = rng.randrange(orgs)
        if rng.random() < local_share:
            base = a - a % region_size
            b = base + rng.randrange(min(region_size, orgs - base))
        else:
            b = rng.randrange(orgs)
        if a != b:
            pairs.add((min(a, b), max(a, b)))
    rels = [RelRow(PARTNERS_WITH, org_iris[a], org_iris[b], "partnersWith",
                   {"via": [programmes[(a + b) % len(programmes)]], "sources": [sources[(a * 31 + b) % len(sources)]]})
            for a, b in sorted(pairs)]
    return Projection(nodes, rels)


def load(ps: FalkorDBStore, projection: Projection) -> dict:
    """Sync the projection with the store's own load; the time of each phase."""
    started = time.perf_counter()
    ps.load(projection)
    sync_s = time.perf_counter() - started
    phases = ps.last_bulk
    if phases is None:
        raise RuntimeError("the sync fell back to the Cypher plan: the benchmark measures GRAPH.BULK")
    # four decimals: at the smoke sizes a phase takes milliseconds, and the growth exponent needs them above 0
    return {"node_load_s": round(phases.nodes_s, 4), "edge_load_s": round(phases.edges_s, 4),
            "schema_s": round(phases.schema_s, 4), "sync_s": round(sync_s, 4), "bulk_calls": phases.calls,
            "graph_load_nodes_per_s": round(len(projection.nodes) / phases.nodes_s),
            "graph_load_edges_per_s": round(len(projection.relationships) / phases.edges_s),
            "graph_sync_edges_per_s": round(len(projection.relationships) / sync_s)}


def latencies(run, params, samples: int) -> list[float]:
    """Milliseconds per call of ``run(params())``, after a few warm-up calls."""
    for _ in range(5):
        run(params())
    times = []
    for _ in range(samples):
        p = params()
        started = time.perf_counter()
        run(p)
        times.append((time.perf_counter() - started) * 1000)
    return times


def p50_p99(times: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(times, n=100, method="inclusive")
    return round(q[49], 3), round(q[98], 3)


def run(orgs: int = 100_000, edges: int = 1_000_000, samples: int = 500, seed: int = 7,
        data_dir: Path | None = None) -> dict:
    """Generate, load, query; returns the figures (keys graph_load_edges_per_s, partners_p50_ms, path_p50_ms, ...)."""
    root = Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix="cg-bench-"))
    started = time.perf_counter()
    projection = generate(orgs, edges, seed)
    result = {"orgs": orgs, "edges": edges, "generate_s": round(time.perf_counter() - started, 2)}
    ps = FalkorDBStore(root)
    try:
        result.update(load(ps, projection))
        rng = random.Random(seed + 1)
        org = [n.iri for n in projection.nodes]
        del projection
        one = lambda: {"iri": rng.choice(org)}  # noqa: E731
        two = lambda: {"a": rng.choice(org), "b": rng.choice(org)}  # noqa: E731
        for name, cypher, params in (("partners", ONE_HOP, one), ("two_hop", TWO_HOP, one)):
            times = latencies(lambda p, cypher=cypher: ps.query(cypher, p, timeout_ms=10_000, limit=100_000), params, samples)
            result[f"{name}_p50_ms"], result[f"{name}_p99_ms"] = p50_p99(times)
        found = []
        times = latencies(lambda p: found.append(ps.shortest_path(p["a"], p["b"]) is not None), two, samples)
        result["path_p50_ms"], result["path_p99_ms"] = p50_p99(times)
        result["path_found_share"] = round(sum(found[-samples:]) / samples, 3)
        times = latencies(lambda p: ps.query(SPPATHS, p, timeout_ms=60_000), two, max(samples // 5, 10))
        result["sppaths_p50_ms"], result["sppaths_p99_ms"] = p50_p99(times)
        result["server_memory_mb"] = round(int(ps._connect().connection.info("memory")["used_memory"]) / 2**20)
    finally:
        ps.close()
        if data_dir is None:
            shutil.rmtree(root, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=500, help="queries timed per kind")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data-dir", type=Path, help="keep the FalkorDB files here (default: a temporary folder)")
    args = parser.parse_args()
    print(json.dumps(run(args.orgs, args.edges, args.samples, args.seed, args.data_dir), indent=2))


if __name__ == "__main__":
    main()
