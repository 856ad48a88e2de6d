"""The views in a real browser: Debian's chromium driven by Playwright against a real uvicorn server.

Skips when chromium is not installed locally; fails instead when CI=true, where
`.ci/run` installs it.
"""
import json
from pathlib import Path

import httpx
import pytest
from api_support import ENTITIES, HOSTILE_ORG, live_server, shared_dataset, sparql
from browser_support import node_point, show_tooltip
from conftest import SEEDS

from collabgraph.api.settings import Settings
from collabgraph.api.web.app import create_app
from collabgraph.ontology import iris

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="session")
def data(tmp_path_factory):
    return shared_dataset(tmp_path_factory, SEEDS if SEEDS.is_dir() else None)


@pytest.fixture(scope="module")
def server(data):
    with live_server(create_app(data, Settings(view_node_limit=1000, sparql_workers=1))) as url:
        yield url


@pytest.fixture
def page(browser):
    """A page that records console errors, uncaught exceptions and dialogs (an alert means injected code ran)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.problems, page.dialogs = [], []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    yield page
    page.close()


def open_network(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-stable=true]", timeout=60_000)


def drawn_nodes(page) -> int:
    """Nodes on the canvas: hiding a type sets vis's `hidden` flag, so hidden nodes keep their positions."""
    return page.evaluate("window.collabgraph.nodes.get({filter: (n) => !n.hidden}).length")


def click_node(page, node: str) -> None:
    """Zoom onto a node, click where it is drawn, and check the click selected it."""
    point = node_point(page, node, scale=1.6)
    page.mouse.click(point["x"], point["y"])
    assert page.evaluate("window.collabgraph.network.getSelectedNodes()") == [node]


def assert_nothing_injected(page) -> None:
    assert page.dialogs == []
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
    # the JSON data (not run), and vis-network and the page's script, both this server's files
    assert page.evaluate("[...document.scripts].map((s) => s.type || s.src.split('?')[0].split('/').pop())") == \
        ["application/json", "vis-network.min.js", "view.js"]


def test_view_draws_every_entity_and_shows_a_clicked_nodes_details(page, server, data):
    open_network(page, server + "/view")
    view = httpx.get(server + "/view.json").json()
    counted = httpx.get(server + "/sparql", params={"query": ENTITIES}).json()["results"]["bindings"][0]["n"]["value"]
    assert drawn_nodes(page) == view["shown_nodes"] == int(counted) > 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "view-whole.png"))
    org = sparql(data, """SELECT ?o (COUNT(?p) AS ?n) WHERE { ?o a cg:Organisation . ?o ?r ?p } GROUP BY ?o
                           ORDER BY DESC(?n) ?o LIMIT 1""")[0]["o"]
    detail = httpx.get(f"{server}/organisations/{iris.local_id(org)}").json()
    click_node(page, org)
    page.wait_for_selector(f'#details[data-loaded="{org}"]', timeout=15_000)
    panel = page.inner_text("#details")
    assert detail["name"] in panel and "sources" in panel.lower()
    assert all(s["title"] in panel for s in detail["sources"])
    page.screenshot(path=str(ARTIFACTS / "view-clicked.png"))
    assert page.problems == []


def test_type_filter_and_search_change_what_is_drawn(page, server):
    open_network(page, server + "/view")
    view = httpx.get(server + "/view.json").json()
    themes = sum(1 for n in view["nodes"] if n["type"] == "Theme")
    page.uncheck('#types input[data-type="Theme"]')
    assert drawn_nodes(page) == view["shown_nodes"] - themes
    assert page.inner_text("#counts").startswith(str(view["shown_nodes"] - themes))
    target = next(n for n in view["nodes"] if n["kind"] == "Organisation" and n["aliases"])
    page.fill("#search", target["aliases"][0].upper())
    assert target["id"] in page.evaluate("window.collabgraph.network.getSelectedNodes()")
    page.wait_for_selector(f'#details h2:text-is("{target["name"]}")')
    assert page.problems == []


def test_markup_in_names_is_shown_as_text_and_never_runs(page, server, data):
    hostile = sparql(data, f"SELECT ?o WHERE {{ ?o cg:name {json.dumps(HOSTILE_ORG)} }}")[0]["o"]
    for path in ("/view", f"/view/organisations/{iris.local_id(hostile)}?depth=2"):
        open_network(page, server + path)
        click_node(page, hostile)
        page.wait_for_selector(f'#details[data-loaded="{hostile}"]', timeout=15_000)
        assert page.inner_text("#details h2") == HOSTILE_ORG
        assert HOSTILE_ORG in show_tooltip(page, hostile)
        assert_nothing_injected(page)
    assert page.title().startswith("<script>")  # the ego view's title, shown as text
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "hostile-ego.png"))
    assert page.problems == []


def test_home_page_example_queries_open_the_query_pages_and_run(page, server):
    page.goto(server + "/")
    page.click('#examples a:text-is("Programmes by funder") >> nth=0')
    page.wait_for_selector("#results tbody tr", timeout=15_000)
    assert page.inner_text("#results th >> nth=0") == "funder"
    page.go_back()
    page.click('#examples a:text-is("People by organisation") >> nth=1')
    page.wait_for_selector("#results tbody tr", timeout=30_000)
    assert page.inner_text("#results th >> nth=0") == "organisation"
    page.goto(server + "/query/sparql")
    page.fill("textarea.query", "INSERT DATA { <https://x.example/a> <https://x.example/b> 1 }")
    page.click("#query-form button[type=submit]")
    page.wait_for_selector("#error")
    assert "read-only" in page.inner_text("#error")
    assert page.dialogs == []
    # The pages run no script; the only console lines are failed loads (the refused query's 400, the favicon).
    assert all(p.startswith("Failed to load resource") for p in page.problems), page.problems
