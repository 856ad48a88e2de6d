"""No export or API answer holds an absolute path of the machine that built the data.

The bundled data is copied into a temporary folder and built from there with the real
CLI; then every export (CLI and REST) and every answer of a real server is searched
for that folder's absolute path and the data directory's.
"""
from __future__ import annotations

import json

import httpx
import pytest
from api_support import live_server, sparql
from exports_support import bundled_build, cli

from collabgraph.api.settings import Settings
from collabgraph.api.web.app import create_app

FORMATS = ("nquads", "trig", "turtle", "jsonld", "graphml", "gexf", "csv")
KINDS = ("organisations", "programmes", "agreements", "people", "themes")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    corpus, data = bundled_build(tmp_path_factory)
    return corpus, data, (str(corpus.resolve().parent), str(corpus.parent))


def _leaks(text: str, needles) -> list[str]:
    return [text[max(0, text.index(n) - 80):text.index(n) + 80] for n in needles if n in text]


def test_sources_are_named_by_their_path_in_the_folder_title_and_checksum(built):
    corpus, data, _ = built
    found = {r["path"]: r for r in sparql(data, "SELECT ?path ?title ?sum WHERE { ?g a cg:Source ; cg:path ?path ; "
                                                "dcterms:title ?title ; cg:checksum ?sum }")}
    documents = {p.relative_to(corpus).as_posix() for p in (corpus / "documents").iterdir()}
    assert documents <= set(found)
    assert all(r["sum"].startswith("sha256:") and r["title"] for r in found.values())


def test_no_export_holds_the_build_folder(built):
    _, data, needles = built
    for fmt in FORMATS:
        result = cli("export", "--format", fmt, "--data-dir", data)
        assert result.exit_code == 0 and not _leaks(result.stdout, needles), fmt
    for command in (("stats", "--format", "json"),
                    ("query", "sparql", "SELECT ?g ?p WHERE { ?g cg:path ?p }", "--format", "json")):
        result = cli(*command, "--data-dir", data)
        assert result.exit_code == 0 and not _leaks(result.stdout, needles), command
    assert "documents/" in result.stdout  # the sources' paths, relative to the folder they were given in


def test_no_api_answer_holds_the_build_folder(built):
    _, data, needles = built
    with live_server(create_app(data, Settings(sparql_workers=1))) as base:
        client = httpx.Client(base_url=base, timeout=60)
        urls = ["/health", "/index.json", "/view.json", "/partnerships?limit=1000", "/analytics/centrality",
                "/analytics/communities", "/openapi.json", "/organisations/nowhere", "/export/xlsx",
                "/sparql?query=SELECT%20%3Fg%20%3Fp%20WHERE%20%7B%20%3Fg%20cg%3Apath%20%3Fp%20%7D",
                *(f"/export/{fmt}" for fmt in FORMATS)]
        for kind in KINDS:  # the detail routes list the sources (eight of each kind: a leak would be in all)
            urls += [f"/{kind}/{item['id']}" for item in client.get(f"/{kind}", params={"limit": 8}).json()["items"]]
        # partners and paths show evidence with its source: those of the best-connected organisations
        top = [i["entity"]["id"] for i in client.get("/analytics/centrality", params={"limit": 3}).json()["items"]]
        urls += [f"/organisations/{o}/partners?depth=2" for o in top] + [f"/paths?from={top[0]}&to={top[-1]}"]
        sources = client.get("/organisations/" + client.get("/organisations").json()["items"][0]["id"]).json()["sources"]
        assert sources and all(s["path"] and not s["path"].startswith("/") for s in sources)
        cypher = client.post("/cypher", json={"query": "MATCH (n) RETURN n LIMIT 1000"})
        assert cypher.status_code == 200 and not _leaks(cypher.text, needles)
        for url in urls:
            response = client.get(url)
            assert not _leaks(response.text, needles), url


def test_health_without_a_dataset_does_not_name_the_data_directory(tmp_path):
    missing = tmp_path / "not-built-yet"
    with live_server(create_app(missing, Settings(sparql_workers=1))) as base:
        for url in ("/health", "/organisations", "/export/nquads"):
            response = httpx.get(base + url, timeout=30)
            assert response.status_code == 503 and "collabgraph build" in response.text
            assert str(tmp_path) not in response.text, url


PAGE = """<html><head><title>Exampleshire trust and university agree research partnership</title>
<link rel="canonical" href="https://news.example.org/2025/trust-university-partnership"></head>
<body><article><h1>Exampleshire trust and university agree research partnership</h1>
<p>The University of Leicester and Leicestershire Partnership NHS Trust have signed a memorandum of understanding
to work together on mental health research across the county.</p></article></body></html>"""


def test_a_saved_web_page_names_its_url_and_the_api_gives_path_url_and_checksum(tmp_path):
    corpus = tmp_path / "pages"
    corpus.mkdir()
    (corpus / "partnership.html").write_text(PAGE)
    data = tmp_path / "data"
    assert cli("build", corpus, "--data-dir", data).exit_code == 0
    row = sparql(data, "SELECT ?g ?url WHERE { ?g a cg:Source ; cg:path 'partnership.html' ; dcterms:source ?url }")
    assert [r["url"] for r in row] == ["https://news.example.org/2025/trust-university-partnership"]
    organisation = sparql(data, f"SELECT ?o WHERE {{ ?o prov:wasDerivedFrom <{row[0]['g']}> ; a cg:University }}")[0]["o"]
    with live_server(create_app(data, Settings(sparql_workers=1))) as base:
        detail = httpx.get(f"{base}/organisations/{organisation}", timeout=30).json()
    source = next(s for s in detail["sources"] if s["kind"] == "document")
    assert source["path"] == "partnership.html" and source["url"] == row[0]["url"]
    assert source["checksum"].startswith("sha256:") and source["title"].startswith("Exampleshire")
    assert str(tmp_path) not in json.dumps(detail)
