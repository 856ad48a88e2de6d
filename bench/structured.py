"""Structured sources at scale: a generated GtR API 2 file built end to end, the partners of its best-connected
organisation over HTTP, and a generated ROR dump imported into a register file.

    python -m bench.structured --projects 150000 --orgs 50000 --links 400000 --ror 100000

The GtR file has the shape `loaders.structured.gtr` reads (``project``, ``organisation``, ``person`` and
``fund`` arrays; projects link organisations as LEAD_ORG, PARTICIPANT_ORG or COLLAB_ORG, one principal
investigator and one fund each). Organisations are chosen by a Zipf-like popularity (weight 1/(rank + 5)),
as in the real data a few universities take part in thousands of projects and most organisations in one or
two: the best-connected organisation takes part in about 2% of the project-organisation links. The build is
the real command in a subprocess (read, write RDF, derive partnerships, sync the property graph), timed, with
the peak memory of its process tree; then a real `collabgraph serve` answers
``/organisations/{id}/partners`` for the best-connected organisation.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from .api_load import Server
from .build_e2e import build_once
from .measure import PeakTreeRSS, median, percentile

ORG_URL = "https://gtr.ukri.org:443/gtr/api/organisations/"
PLACES = ("Northvale", "Westmarch", "Eastbrook", "Southfield", "Ashby", "Kettering", "Harrowgate", "Lindfield",
          "Brackley", "Corby", "Daventry", "Oakham", "Melton", "Hinckley", "Coalville", "Wigston")
KINDS = ("University of {}", "{} NHS Foundation Trust", "{} City Council", "{} Institute", "{} Ltd",
         "{} Research Centre", "{} Community Trust", "{} Health Partnership")


def _guid(kind: int, n: int) -> str:
    return f"{kind:08X}-0000-4000-8000-{n:012X}"


def _org_name(i: int) -> str:
    return KINDS[i % len(KINDS)].format(f"{PLACES[i % len(PLACES)]} {i}")


def write_gtr(path: Path, projects: int, orgs: int, links: int, seed: int = 7) -> dict:
    """Write the file; return what the benchmark needs to know (the best-connected organisation's name ...)."""
    rnd = random.Random(seed)
    weights = [1.0 / (rank + 5) for rank in range(orgs)]
    cum, total = [], 0.0
    for w in weights:
        total += w
        cum.append(total)
    extra = links - projects  # every project has a lead organisation; the rest are participants
    partners: dict[int, set[int]] = {}
    persons = max(1, projects * 2 // 5)
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"project": [\n')
        for p in range(projects):
            k = 1 + extra // projects + (1 if p < extra % projects else 0)
            chosen: list[int] = []
            while len(chosen) < min(k, orgs):
                o = rnd.choices(range(orgs), cum_weights=cum)[0]
                if o not in chosen:
                    chosen.append(o)
            for o in chosen:
                partners.setdefault(o, set()).update(x for x in chosen if x != o)
            rels = [{"href": ORG_URL + _guid(1, o), "rel": "LEAD_ORG" if i == 0 else ("PARTICIPANT_ORG" if i % 2 else "COLLAB_ORG")}
                    for i, o in enumerate(chosen)]
            rels.append({"href": "https://gtr.ukri.org:443/gtr/api/persons/" + _guid(2, p % persons), "rel": "PI_PER"})
            rels.append({"href": "https://gtr.ukri.org:443/gtr/api/funds/" + _guid(3, p), "rel": "FUND"})
            record = {"links": {"link": rels}, "id": _guid(4, p),
                      "identifiers": {"identifier": [{"value": f"BM/{p // 1000:03d}{p % 1000:03d}/1", "type": "RCUK"}]},
                      "title": f"Generated project {p} on health research in {PLACES[p % len(PLACES)]}",
                      "status": "Active", "grantCategory": "Research Grant", "leadFunder": "MRC"}
            out.write(("," if p else "") + json.dumps(record) + "\n")
        out.write('],\n"organisation": [\n')
        for o in range(orgs):
            record = {"id": _guid(1, o), "name": _org_name(o),
                      "addresses": {"address": [{"region": "East Midlands", "country": "United Kingdom"}]}}
            out.write(("," if o else "") + json.dumps(record) + "\n")
        out.write('],\n"person": [\n')
        for n in range(persons):
            out.write(("," if n else "") + json.dumps({"id": _guid(2, n), "firstName": f"Alex{n}", "surname": f"Sample{n}"}) + "\n")
        out.write('],\n"fund": [\n')
        start = 1_600_000_000_000
        for p in range(projects):
            record = {"id": _guid(3, p), "start": start + p * 60_000, "end": start + p * 60_000 + 94_608_000_000,
                      "valuePounds": {"currencyCode": "GBP", "amount": 100_000 + (p * 7919) % 900_000},
                      "links": {"link": [{"href": ORG_URL + _guid(1, orgs + 1), "rel": "FUNDER"}]}}
            out.write(("," if p else "") + json.dumps(record) + "\n")
        out.write("]}\n")
    best = max(partners, key=lambda o: (len(partners[o]), -o))
    return {"best_name": _org_name(best), "best_partners": len(partners[best]), "persons": persons,
            "bytes": path.stat().st_size}


def write_ror(path: Path, records: int, seed: int = 7) -> None:
    """A ROR schema 2.1 dump of ``records`` organisations, a tenth of them in GB, some with parents."""
    rnd = random.Random(seed)
    types = ("education", "healthcare", "government", "funder", "facility", "company", "nonprofit", "other")
    with open(path, "w", encoding="utf-8") as out:
        out.write("[\n")
        for n in range(records):
            country = "GB" if n % 10 == 0 else rnd.choice(("FR", "DE", "US", "JP", "BR"))
            name = f"{KINDS[n % len(KINDS)].format(f'{PLACES[n % len(PLACES)]} {n}')}"
            record = {
                "id": f"https://ror.org/0{n:06x}{n % 100:02d}",
                "admin": {"created": {"date": "2020-01-01", "schema_version": "1.0"},
                          "last_modified": {"date": "2024-12-11", "schema_version": "2.1"}},
                "domains": [], "established": 1900 + n % 120,
                "external_ids": [{"type": "wikidata", "all": [f"Q{1000 + n}"], "preferred": f"Q{1000 + n}"},
                                 {"type": "grid", "all": [f"grid.{n}.{n % 10}"], "preferred": None}],
                "links": [{"type": "website", "value": f"https://example.org/{n}"}],
                "locations": [{"geonames_id": 1000 + n % 500, "geonames_details": {
                    "country_code": country, "country_name": country, "lat": 52.0, "lng": -1.0, "name": PLACES[n % len(PLACES)]}}],
                "names": [{"value": name, "types": ["ror_display", "label"], "lang": "en"},
                          {"value": f"ACR{n}", "types": ["acronym"], "lang": None}],
                "relationships": ([{"label": "parent", "type": "parent", "id": f"https://ror.org/0{n - 10:06x}{(n - 10) % 100:02d}"}]
                                  if n % 50 == 0 and n >= 10 else []),
                "status": "active" if n % 97 else "inactive",
                "types": [types[n % len(types)]]}
            out.write(("," if n else "") + json.dumps(record) + "\n")
        out.write("]\n")


def partners_latency(root: Path, name: str, log: Path, samples: int, budget_s: float) -> dict:
    """p50 and p99 of GET /organisations/{id}/partners for one organisation on a real server (after one warm-up)."""
    with Server(root, log) as server:
        server.wait_ready(timeout=300)
        with httpx.Client(base_url=server.url, timeout=600) as client:
            warm_s = _wait_warm(client, budget_s)
            found = client.get("/organisations", params={"q": name, "limit": 1}).json()["items"]
            org = found[0]["id"]
            t0 = time.perf_counter()
            first = client.get(f"/organisations/{org}/partners")
            first_ms = (time.perf_counter() - t0) * 1000
            times, deadline = [], time.monotonic() + budget_s
            while len(times) < samples and time.monotonic() < deadline:
                t0 = time.perf_counter()
                answer = client.get(f"/organisations/{org}/partners")
                times.append((time.perf_counter() - t0) * 1000)
                if answer.status_code != 200:
                    raise RuntimeError(f"partners answered {answer.status_code}: {answer.text[:200]}")
            cold = _cold_pages(client, org, first.json()["total"], samples, deadline)
    return {"organisation": org, "total_partners": first.json()["total"], "indexes_warm_s": warm_s, "first_ms": first_ms,
            "p50_ms": median(times), "p99_ms": percentile(times, 99), "samples": len(times),
            "cold_pages": cold}


def _cold_pages(client: httpx.Client, org: str, total: int, samples: int, deadline: float) -> dict:
    """The other pages of the organisation's partners, each read once (a page the store's caches have not
    seen, where the first page above is read again and again)."""
    times = []
    for offset in range(50, min(total, 50 * (samples + 1)), 50):
        if time.monotonic() >= deadline:
            break
        t0 = time.perf_counter()
        answer = client.get(f"/organisations/{org}/partners", params={"offset": offset})
        times.append((time.perf_counter() - t0) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"partners answered {answer.status_code}: {answer.text[:200]}")
    return {"p50_ms": median(times), "p99_ms": percentile(times, 99), "samples": len(times)} if times else {}


def _wait_warm(client: httpx.Client, budget_s: float) -> float:
    """Seconds until /health says the server's indexes (made when it starts) are ready, as a deployment's
    readiness check would wait; the partners route answers from SPARQL, more slowly, until then."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < budget_s:
        if set(client.get("/health").json().get("indexes", {}).values()) <= {"ready"}:
            break
        time.sleep(0.5)
    return time.perf_counter() - t0


def ror_import(dump: Path, out: Path) -> dict:
    """The real `collabgraph register import-ror` in a subprocess: wall time and peak memory."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "collabgraph.api", "register", "import-ror", str(dump), "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    with PeakTreeRSS(proc.pid) as peak:
        text = proc.communicate(timeout=600)[0].decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"import-ror exited with {proc.returncode}: {text[-800:]}")
    return {"seconds": time.perf_counter() - t0, "peak_rss_mb": peak.peak_mb, "output": text.strip()[-300:]}


def run(projects: int, orgs: int, links: int, ror_records: int, *, timeout_s: float = 1800, samples: int = 50,
        budget_s: float = 120.0, seed: int = 7, keep: Path | None = None) -> dict:
    """Generate, build, serve and import in a temporary folder (or in ``keep``, left in place to look at)."""
    with tempfile.TemporaryDirectory(prefix="collabgraph-bench-structured-") as scratch:
        tmp = keep or Path(scratch)
        folder = tmp / "sources" / "gtr"
        folder.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        made = write_gtr(folder / "projects.json", projects, orgs, links, seed)
        (tmp / "made.json").write_text(json.dumps(made))
        generate_s = time.perf_counter() - t0
        root = tmp / "data"
        built = build_once(folder.parent, root, tmp / "build.log", timeout_s)
        latency = partners_latency(root, made["best_name"], tmp / "serve.log", samples, budget_s)
        dump = tmp / "ror.json"
        write_ror(dump, ror_records, seed)
        imported = ror_import(dump, tmp / "register" / "ror.yaml")
    return {"gtr_build_s": built["seconds"], "gtr_build_peak_rss_mb": built["peak_rss_mb"],
            "gtr_partners_p50_ms": latency["p50_ms"], "gtr_partners_p99_ms": latency["p99_ms"],
            "ror_import_s": imported["seconds"],
            "detail": {"projects": projects, "organisations": orgs, "links": links, "generate_s": generate_s,
                       **made, "build": built, "partners": latency, "ror_records": ror_records, "ror_import": imported}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=150_000)
    parser.add_argument("--orgs", type=int, default=50_000)
    parser.add_argument("--links", type=int, default=400_000)
    parser.add_argument("--ror", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--keep", type=Path, help="work in this folder and leave it (the built data directory is data/)")
    parser.add_argument("--partners-only", action="store_true",
                        help="with --keep: only measure the partners route on the data already built there")
    args = parser.parse_args()
    if args.partners_only:
        made = json.loads((args.keep / "made.json").read_text())
        result = partners_latency(args.keep / "data", made["best_name"], args.keep / "serve.log", args.samples, 300)
    else:
        result = run(args.projects, args.orgs, args.links, args.ror, samples=args.samples, keep=args.keep)
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
