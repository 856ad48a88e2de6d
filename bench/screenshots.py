"""The README's screenshots of the web app, taken in Debian's Chromium from a real server.

Builds the bundled example (`data/`) into a temporary data directory, serves it with `collabgraph serve`,
and photographs the main pages; the organisation network is also shown on a generated build of 2,000
organisations (`bench.generate`). Writes PNGs into `docs/screenshots/` (or the directory given).

    python -m bench.screenshots [OUT_DIR]
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from .api_load import Server
from .generate import plan, write_dataset
from .web import CHROMIUM

ROOT = Path(__file__).resolve().parent.parent
#: (file name, path on the bundled build, element to wait for)
PAGES = [
    ("home", "/", "main"),
    ("search", "/search?q=university", "table.results"),
    ("organisation", "/organisation/ror-04h699437", "table.partners"),
    ("source", None, "article.text"),
    ("partnerships-table", "/partnerships/table?sort=since&order=desc", "table.data"),
    ("compare", "/compare?a=University of Leicester&b=University of Nottingham", "main"),
    ("query-sparql", "/query/sparql", "main"),
    ("network-ego", "/network?ego=organisation/ror-04h699437&depth=2", "body[data-stable=true]"),
]


def build_example(data: Path) -> None:
    subprocess.run([sys.executable, "-m", "collabgraph.api", "build", "--data-dir", str(data)], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def shoot(url: str, shots: list[tuple[str, str, str]], out: Path) -> None:
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        for name, path, ready in shots:
            page.goto(url + path)
            page.wait_for_selector(ready, timeout=60_000)
            if name == "organisation":  # show one partnership's evidence opened
                page.locator("table.partners details.evidence summary").first.click()
            page.screenshot(path=str(out / f"{name}.png"))
        browser.close()


def first_source(url: str) -> str:
    """The path of a source page: the first source linked from the organisation page."""
    import httpx
    html = httpx.get(url + "/organisation/ror-04h699437").text
    return "/source/" + html.split('href="/source/', 1)[1].split('"', 1)[0].split("#", 1)[0]


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="collabgraph-shots-") as tmp:
        data = Path(tmp) / "example"
        build_example(data)
        with Server(data, Path(tmp) / "serve.log") as server:
            server.wait_ready()
            shots = [(n, p if p is not None else first_source(server.url), r) for n, p, r in PAGES]
            shoot(server.url, shots, out)
        generated = Path(tmp) / "generated"
        write_dataset(generated, plan(2000))
        with Server(generated, Path(tmp) / "serve2.log") as server:
            server.wait_ready()
            shoot(server.url, [("network-2000", "/network", "body[data-stable=true]")], out)
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
