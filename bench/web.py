"""The network pages in a real browser: a generated build served by `collabgraph serve`, opened in Chromium.

A dataset of N organisations (`bench.generate`, ~N/8 programmes and N/4 agreements) is written into a data
directory, served by a real server on loopback (`api_load.Server`), and `/network` is opened in Debian's
Chromium with Playwright: the time from navigation to the page being drawn and interactive
(`body[data-stable]`, set after vis-network's first drawing) is measured, the first load (empty cache) and
the median of the later ones (vis-network from the browser's cache), for the default page (communities
above the node limit) and for every organisation drawn (`?limit=N`). Page sizes are the bytes sent, with
and without gzip; the server's first answer (communities and layout computed once per build) is timed too.

    python -m bench.web --orgs 2000
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import httpx

from .api_load import Server
from .generate import plan, write_dataset
from .measure import median

CHROMIUM = Path("/usr/bin/chromium")
PAGES = {"network": "/network", "network_json": "/network.json", "view": "/view"}


def sizes(url: str) -> dict:
    """Bytes of each page as sent with gzip and without, and of vis-network."""
    out = {}
    with httpx.Client(timeout=120) as client:
        for name, path in PAGES.items():
            plain = client.get(url + path, headers={"Accept-Encoding": "identity"})
            packed = client.get(url + path, headers={"Accept-Encoding": "gzip"})
            out[f"web_{name}_kb"] = len(plain.content) / 1024
            out[f"web_{name}_gzip_kb"] = int(packed.headers.get("content-length", len(packed.content))) / 1024
        html = client.get(url + "/network").text
        vis = html.split('src="', 2)[1].split('"', 1)[0]  # the first script with a src: vis-network
        script = client.get(url + vis, headers={"Accept-Encoding": "identity"})
        out["web_vis_js_kb"] = len(script.content) / 1024
        out["web_vis_js_cache_control"] = script.headers.get("cache-control")
    return out


def browse(url: str, path: str, loads: int) -> dict:
    """Milliseconds from navigation to an interactive page: the first load (empty cache), then each later one."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url + path)  # the server computes this selection's layout once; the browser is measured
        times = []
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        for _ in range(loads + 1):
            t0 = time.perf_counter()
            page.goto(url + path)
            page.wait_for_selector("body[data-stable=true]", timeout=60_000)
            times.append((time.perf_counter() - t0) * 1000)
        drawn = page.evaluate("[window.collabgraph.nodes.length, window.collabgraph.edges.length]")
        browser.close()
    return {"first_ms": times[0], "median_ms": median(times[1:]), "loads_ms": times, "nodes": drawn[0], "edges": drawn[1]}


def run(orgs: int, loads: int = 5) -> dict:
    with tempfile.TemporaryDirectory(prefix="collabgraph-web-") as tmp:
        data = Path(tmp) / "data"
        t0 = time.perf_counter()
        write_dataset(data, plan(orgs))
        generated_s = time.perf_counter() - t0
        with Server(data, Path(tmp) / "serve.log") as server:
            server.wait_ready()
            t0 = time.perf_counter()
            httpx.get(server.url + "/network.json", timeout=300).raise_for_status()
            first_answer_ms = (time.perf_counter() - t0) * 1000
            default = browse(server.url, "/network", loads)
            every = browse(server.url, f"/network?limit={orgs}", loads)
            out = sizes(server.url)
    cache_control = out.pop("web_vis_js_cache_control")
    return {**out, "web_network_first_ms": default["first_ms"], "web_network_interactive_ms": default["median_ms"],
            "web_network_all_orgs_ms": every["median_ms"], "web_network_server_first_ms": first_answer_ms,
            "detail": {"organisations": orgs, "generate_s": generated_s, "communities": default, "all": every,
                       "vis_cache_control": cache_control}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=2000)
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(run(args.orgs, args.loads), indent=2))


if __name__ == "__main__":
    main()
