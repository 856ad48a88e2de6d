"""The web app's shared assets: served by this server (never a CDN), versioned and cacheable; pages gzipped."""
import re

import pytest
from api_support import shared_dataset
from conftest import SEEDS
from fastapi.testclient import TestClient

from collabgraph.api.settings import Settings
from collabgraph.api.web.app import create_app
from collabgraph.api.web.assets import static_url
from collabgraph.api.web.pages import csv_response


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    data = shared_dataset(tmp_path_factory, SEEDS if SEEDS.is_dir() else None)
    with TestClient(create_app(data, Settings(sparql_workers=1)), base_url="http://localhost") as c:
        yield c


@pytest.mark.parametrize("name", ["app.css", "vendor/vis-network.min.js", "vendor/vis-network.css"])
def test_static_assets_are_served_versioned_and_cacheable(client, name):
    url = static_url(name)
    assert re.fullmatch(r"/static/[\w./-]+\?v=[0-9a-f]{10}", url)
    r = client.get(url)
    assert r.status_code == 200 and len(r.content) > 1000
    assert "max-age=31536000" in r.headers["cache-control"]
    again = client.get(url, headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304


def test_only_vis_network_is_served_from_the_vendor_directory(client):
    assert client.get("/static/vendor/../../__init__.py").status_code == 404
    assert client.get("/static/vendor/tom-select.js").status_code == 404


def test_json_and_html_are_gzipped_for_clients_that_accept_it(client):
    r = client.get("/organisations?limit=100", headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and r.json()["total"] > 0
    plain = client.get("/organisations?limit=100", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised():
    body = csv_response(["name", "n"], [["=HYPERLINK(\"x\")", -3], ["@SUM(A1)", None]], "x.csv").body.decode()
    assert body.splitlines() == ["name,n", "\"'=HYPERLINK(\"\"x\"\")\",-3", "'@SUM(A1),"]


def test_every_collabgraph_iri_has_a_page_and_no_other_iri_does():
    from collabgraph.api.web.pages import page_url
    from collabgraph.ontology import iris
    assert page_url(iris.ID + "organisation/ror-04h699437") == "/organisation/ror-04h699437"
    assert page_url(iris.source_graph_iri("news/a b.html")).startswith("/source/news-a-b-html-")
    assert page_url(iris.register_graph_iri("organisations.yaml")) == "/register/organisations-yaml"
    assert page_url("http://example.org/organisation/x") is None and page_url(iris.ID) is None
