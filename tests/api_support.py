"""Shared by the API tests: the test dataset and a real uvicorn server on a free loopback port.

The dataset is built with `graph.build.build` from the bundled register and
documents, the seed documents when they are present, and a register file and a
document of our own whose names carry markup (`<script>`, `<img onerror=...>`)
that the views must never run. Tests read expected values from the dataset with
SPARQL rather than hard-coding names, because extraction changes over time.
"""
from __future__ import annotations

import contextlib
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import uvicorn
import yaml

from collabgraph.graph.build import BUNDLED_DATA, build
from collabgraph.graph.dataset import open_store, query, rows

HOSTILE_ORG = '<script>window.__xss = "org"; alert("org")</script> Institute for Testing'
HOSTILE_ALIAS = '<img src=x onerror="window.__xss = \'alias\'; alert(\'alias\')">'
HOSTILE_PROGRAMME = '<img src=x onerror=alert(3)> Programme for Testing'
HOSTILE_DOCUMENT = f"""Testing news

{HOSTILE_ORG} and the <b>Institute</b> signed a memorandum of understanding with the partners of the
{HOSTILE_PROGRAMME}. <script>alert("document")</script>
"""

_BUILT: dict[str, Path] = {}


def hostile_register(register: Path) -> None:
    """A register file whose organisation and programme names are markup, linked to a bundled organisation."""
    organisations = yaml.safe_load((register / "organisations.yaml").read_text())["organisations"]
    themes = yaml.safe_load((register / "themes.yaml").read_text())["themes"]
    partner = next(o["name"] for o in organisations if o.get("type") == "University")
    (register / "hostile.yaml").write_text(yaml.safe_dump({
        "organisations": [{"name": HOSTILE_ORG, "type": "ResearchCentre", "aliases": [HOSTILE_ALIAS]}],
        "programmes": [{"name": HOSTILE_PROGRAMME, "partners": [HOSTILE_ORG, partner], "themes": [themes[0]["name"]],
                        "start": 2024}],
    }, allow_unicode=True))


def build_dataset(root: Path, seeds: Path | None) -> Path:
    """Build the test dataset under root; returns the data directory."""
    corpus = root / "corpus"
    shutil.copytree(BUNDLED_DATA / "register", corpus / "register")
    hostile_register(corpus / "register")
    documents = corpus / "documents"
    shutil.copytree(BUNDLED_DATA / "documents", documents) if (BUNDLED_DATA / "documents").is_dir() else documents.mkdir()
    if seeds is not None and seeds.is_dir():
        for seed in sorted(seeds.glob("*.txt")):
            shutil.copy(seed, documents / seed.name)
    (documents / "hostile-news.txt").write_text(HOSTILE_DOCUMENT)
    data = root / "data"
    build(data, [corpus])
    return data


def shared_dataset(tmp_path_factory, seeds: Path | None) -> Path:
    """One test dataset per test run, whichever test module asks first."""
    if "data" not in _BUILT:
        _BUILT["data"] = build_dataset(tmp_path_factory.mktemp("api"), seeds)
    return _BUILT["data"]


def sparql(root: Path, text: str) -> list[dict]:
    """Rows of a SPARQL query on the dataset, read directly from the store (not through the API)."""
    return rows(query(open_store(root), text))[1]


def count(root: Path, cls: str) -> int:
    return sparql(root, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a cg:{cls} }}")[0]["n"]


#: Entities of any of the five kinds, counted once even when typed with two kinds.
ENTITIES = ("SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?kind "
            "VALUES ?kind { cg:Organisation cg:Person cg:Programme cg:Agreement cg:Theme } }")


def count_entities(root: Path) -> int:
    return sparql(root, ENTITIES)[0]["n"]


@contextlib.contextmanager
def live_server(app) -> Iterator[str]:
    """Serve `app` with uvicorn on a free loopback port in a thread; yields the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start within 30 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()
