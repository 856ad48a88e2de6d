"""The home page / and /index.json: figures, entry points, best connected, largest programmes, example queries."""
import html as html_lib
import re
from collections import Counter

import pytest
from api_support import count, sparql
from fastapi.testclient import TestClient

from collabgraph.api.settings import Settings
from collabgraph.api.web.app import create_app

KEY = "home-test-key"


@pytest.fixture(scope="module")
def home(client):
    return client.get("/index.json").json()


def test_figures_are_the_datasets(client, data, home):
    for kind, route in (("Organisation", "organisations"), ("Programme", "programmes"), ("Agreement", "agreements")):
        assert home["dataset"][route] == count(data, kind)
    assert home["dataset"]["partnerships"] == client.get("/partnerships", params={"limit": 1}).json()["total"]
    html = client.get("/").text
    assert f"<strong>{home['dataset']['organisations']}</strong> organisations" in html


def test_best_connected_are_the_ten_with_most_rest_partnerships(client, home):
    degree: Counter = Counter()
    for p in client.get("/partnerships", params={"limit": 1000}).json()["items"]:
        degree[p["a"]["id"]] += 1
        degree[p["b"]["id"]] += 1
    top = home["best_connected"]
    assert len(top) == min(10, len(degree))
    assert all(o["partners"] == degree[o["id"]] for o in top)
    assert [o["partners"] for o in top] == sorted(degree.values(), reverse=True)[:len(top)]
    html = client.get("/").text
    for o in top:
        assert f'<a href="/{o["id"]}">{html_lib.escape(o["name"])}</a>' in html


def test_largest_programmes_are_those_with_most_organisations(client, data, home):
    rows = sparql(data, """SELECT ?p (COUNT(DISTINCT ?o) AS ?n) WHERE { ?p a cg:Programme ; cg:hostedBy|cg:partner|cg:fundedBy ?o .
        ?o a cg:Organisation } GROUP BY ?p""")
    sizes = {r["p"]: r["n"] for r in rows}
    shown = home["largest_programmes"]
    assert shown and all(p["organisations"] == sizes[p["iri"]] for p in shown)
    assert [p["organisations"] for p in shown] == sorted(sizes.values(), reverse=True)[:len(shown)]
    html = client.get("/").text
    for p in shown:
        assert f'<a href="/{p["id"]}">{html_lib.escape(p["name"])}</a>' in html


def test_the_entry_points_and_the_search_box_are_on_the_page(client):
    html = client.get("/").text
    for href in ("/partnerships/table", "/network", "/compare", "/query/sparql", "/query/cypher", "/docs", "/index.json"):
        assert f'href="{href}"' in html
    assert re.search(r'<form class="home-search" action="/search" method="get"', html)
    assert "<script" not in html  # server-rendered: nothing to run


def test_every_example_query_opens_its_query_page_filled_in_and_returns_rows(client, home):
    html = client.get("/").text
    for language in ("sparql", "cypher"):
        for example in home["examples"][language]:
            assert f'href="{html_lib.escape(example["url"])}"' in html
            page = client.get(example["url"])
            assert page.status_code == 200, example["title"]
            kept = re.search(r'<textarea class="query" name="query"[^>]*>(.*?)</textarea>', page.text, re.S).group(1)
            assert html_lib.unescape(kept) == example["query"]
            assert re.search(r'<table class="data" id="results">.*?<tbody>\s*<tr>', page.text, re.S), example["title"]


def test_without_a_dataset_the_home_page_says_how_to_build_one(tmp_path):
    with TestClient(create_app(tmp_path / "empty", Settings(sparql_workers=1)), base_url="http://localhost") as c:
        page = c.get("/")
        assert page.status_code == 200 and "collabgraph build" in page.text
        assert c.get("/index.json").json()["dataset"] is None


def test_the_api_key_is_mentioned_only_when_set_and_never_shown(client, data):
    assert 'id="api-key"' not in client.get("/").text
    with TestClient(create_app(data, Settings(api_key=KEY, sparql_workers=1)), base_url="http://localhost") as guarded:
        page = guarded.get("/").text
        assert 'id="api-key"' in page and "X-API-Key" in page and KEY not in page
        assert guarded.get("/index.json").json()["api_key_required"] is True
