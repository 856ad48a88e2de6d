"""The organisation network page (/network and /network.json): partnerships as edges between organisations,
communities or the top by a centrality above the node limit, ego networks, filters, labels; and in Chromium,
ego networks, a 2,000-organisation build with communities that open on click, and types hidden and re-shown
in place."""
import gzip
import json
import re

import httpx
import pytest
from api_support import HOSTILE_ORG, count, live_server, sparql
from browser_support import node_point, show_tooltip
from fastapi.testclient import TestClient
from test_browser import ARTIFACTS

from bench.generate import plan, write_dataset
from collabgraph.api.settings import Settings
from collabgraph.api.web.app import create_app
from collabgraph.graph import label_space
from collabgraph.graph.short_labels import MAX_LEN, short_labels
from collabgraph.ontology import iris


@pytest.fixture(scope="session")
def big(tmp_path_factory):
    """A generated build of 2,000 organisations (bench.generate: programmes and agreements, ~1 s)."""
    root = tmp_path_factory.mktemp("network2k") / "data"
    write_dataset(root, plan(2000))
    return root


def whole(client) -> dict:
    view = client.get("/network.json", params={"limit": 1000}).json()
    assert view["drawn"] == "organisations"
    return view


def rest_partners(client, org_id: str) -> dict[str, set[str]]:
    """{partner id: names of the agreements and programmes behind the partnership ('stated ...' if none)}."""
    found = client.get(f"/organisations/{org_id}/partners", params={"limit": 1000}).json()["items"]
    return {p["partner"]["id"]: {link["via"]["name"] if link["via"] else "stated by a source"
                                 for link in p["hops"][0]["links"]} for p in found}


def edges_of(view: dict, iri: str) -> dict[str, set[str]]:
    out = {}
    for e in view["edges"]:
        if iri in (e["from"], e["to"]):
            other = e["to"] if e["from"] == iri else e["from"]
            out[iris.local_id(other)] = {link["name"] for link in e["links"]}
    return out


def best_connected(view: dict, n: int = 3) -> list[dict]:
    return sorted(view["nodes"], key=lambda node: (-node["degree"], node["id"]))[:n]


# --------------------------------------------------------------------------- the data (TestClient)

def test_partnerships_are_edges_between_organisations_labelled_with_their_agreements_and_programmes(client):
    view = whole(client)
    kinds = {n["id"]: n["kind"] for n in view["nodes"]}
    assert view["edges"] and all(kinds[e["from"]] == kinds[e["to"]] == "organisation" for e in view["edges"])
    for node in best_connected(view):
        assert edges_of(view, node["id"]) == rest_partners(client, node["entity_id"])
    assert all(e["value"] == e["link_count"] >= len(e["links"]) >= 1 for e in view["edges"])  # width: links


def test_ego_network_of_depth_one_is_the_organisation_and_its_partners(client):
    node = best_connected(whole(client), 1)[0]
    ego = client.get("/network.json", params={"ego": node["entity_id"], "depth": 1}).json()
    ids = {n["entity_id"] for n in ego["nodes"]}
    assert ids == {node["entity_id"], *rest_partners(client, node["entity_id"])}
    assert ego["ego"]["entity_id"] == node["entity_id"] and ego["title"].startswith(node["name"])
    deeper = client.get("/network.json", params={"ego": node["entity_id"], "depth": 2}).json()
    assert ids <= {n["entity_id"] for n in deeper["nodes"]}


def test_above_the_limit_every_organisation_is_in_exactly_one_community_and_each_opens(client, data):
    view = client.get("/network.json", params={"limit": 5}).json()
    assert view["drawn"] == "clusters" and "node limit of 5" in view["notice"]
    members = [m for n in view["nodes"] for m in n["members"]]
    assert len(members) == len(set(members)) == count(data, "Organisation") == view["total_nodes"]
    assert all(e["from"].startswith("cluster:") and e["to"].startswith("cluster:") for e in view["edges"])
    biggest = max(view["nodes"], key=lambda n: n["size"])
    opened = client.get("/network.json", params={"limit": 5, "cluster": biggest["cluster"]}).json()
    assert {n["entity_id"] for n in opened["nodes"]} == set(biggest["members"])
    inside = {n["id"] for n in opened["nodes"]}
    assert all(e["from"] in inside and e["to"] in inside for e in opened["edges"])
    assert all(e["from"] in inside and e["to"] not in inside for e in opened["leaving"])
    missing = client.get("/network.json", params={"limit": 5, "cluster": len(view["nodes"])})
    assert missing.status_code == 404 and "communities" in missing.json()["detail"]


@pytest.mark.parametrize("measure,key", [("degree", "degree"), ("betweenness", "betweenness")])
def test_above_the_limit_the_top_by_a_chosen_centrality(client, measure, key):
    view = client.get("/network.json", params={"limit": 6, "mode": "top", "measure": measure}).json()
    assert view["drawn"] == "top" and len(view["nodes"]) == 6 and measure in view["notice"]
    scores = {r["entity"]["id"]: r["scores"][key]
              for r in client.get("/analytics/centrality", params={"limit": 1000}).json()["items"]}
    shown = {n["entity_id"] for n in view["nodes"]}
    assert min(scores[i] for i in shown) >= max(s for i, s in scores.items() if i not in shown)


def test_filters_narrow_the_node_set(client, data):
    everyone = whole(client)
    all_ids = {n["id"] for n in everyone["nodes"]}
    theme = sparql(data, """SELECT ?t (COUNT(?v) AS ?n) WHERE { ?v cg:hasTheme ?t } GROUP BY ?t ORDER BY DESC(?n) ?t
                            LIMIT 1""")[0]["t"]
    on_theme = {r["v"] for r in sparql(data, f"SELECT ?v WHERE {{ ?v cg:hasTheme/skos:broader* <{theme}> }}")}
    view = client.get("/network.json", params={"limit": 1000, "theme": iris.local_id(theme)}).json()
    ids = {n["id"] for n in view["nodes"]}
    assert ids and ids < all_ids
    assert all(iris.ID + link["id"] in on_theme for e in view["edges"] for link in e["links"])
    universities = client.get("/network.json", params={"limit": 1000, "type": "University"}).json()
    assert universities["nodes"] and {n["type"] for n in universities["nodes"]} == {"University"}
    region = next(n["region"] for n in everyone["nodes"] if n["region"])
    regional = client.get("/network.json", params={"limit": 1000, "region": region}).json()
    assert {n["region"] for n in regional["nodes"]} == {region} and len(regional["nodes"]) < len(all_ids)
    dated = sorted(link["date"] for e in everyone["edges"] for link in e["links"] if link["date"])
    since = dated[len(dated) // 2][:4]
    recent = client.get("/network.json", params={"limit": 1000, "since": since}).json()
    assert {n["id"] for n in recent["nodes"]} < all_ids
    assert all(link["date"] and link["date"][:4] >= since for e in recent["edges"] for link in e["links"])
    old = client.get("/network.json", params={"limit": 1000, "until": since}).json()
    assert all(link["date"][:4] <= since for e in old["edges"] for link in e["links"])
    assert client.get("/network.json", params={"since": "2020-1"}).status_code == 422


def test_long_names_get_distinct_shorter_labels_and_keep_their_full_names(client):
    nodes = whole(client)["nodes"]
    long = [n for n in nodes if len(n["name"]) > MAX_LEN]
    assert long and all(len(n["label"]) < len(n["name"]) for n in long)
    by_label: dict[str, set[str]] = {}
    for n in nodes:
        by_label.setdefault(n["label"], set()).add(n["name"])
    assert all(len(names) == 1 for names in by_label.values())


def test_generated_programme_labels_keep_what_tells_them_apart(big):
    with TestClient(create_app(big, Settings(sparql_workers=1)), base_url="http://localhost") as c:
        programmes = [n for n in c.get("/view.json").json()["nodes"] if n["kind"] == "Programme"]
    assert len({n["label"] for n in programmes}) == len({n["name"] for n in programmes}) > 10
    assert all(len(n["label"]) < len(n["name"]) for n in programmes if len(n["name"]) > MAX_LEN)


LABELLED = {
    "Leicestershire Partnership NHS Trust": "Leicestershire Partnership NHS Trust",  # 36: whole
    "Leicester Centre for Mental Health Research": "Leicester Centre for Mental Health",
    "Northamptonshire Healthcare NHS Foundation Trust": "Northamptonshire Healthcare NHS Trust",
    "Institute for Mental Health Research and Innovation": "Institute for Mental Health Innovation",
    "University of Derby Centre for Ageing Research": "University of Derby Centre for Ageing",
    "Nottinghamshire County Council Public Health": "Nottinghamshire County Public Health",
}


def test_short_labels_drop_generic_words_before_the_distinctive_ones():
    assert short_labels({name: name for name in LABELLED}) == LABELLED
    # Among many similar names, the place (the rarest word, first) leads the label, never "…".
    trusts = {f"{place} Community Health Services NHS Foundation Trust": place
              for place in ("Bassetlaw", "Rutland", "Kettering", "Mansfield", "Ashfield", "Gedling")}
    labels = short_labels({name: name for name in trusts})
    assert all(label.startswith(trusts[name]) and len(label) <= MAX_LEN for name, label in labels.items())
    # The shared words go, the region stays.
    arcs = {f"National Institute for Health and Care Research Applied Research Collaboration {region}": region
            for region in ("East Midlands", "West Midlands", "North East and North Cumbria", "Wessex")}
    labels = short_labels({name: name for name in arcs})
    assert all(label.endswith(arcs[name]) and len(label) <= MAX_LEN for name, label in labels.items())


def overlapping(nodes: list[dict]) -> list[tuple[str, str]]:
    """The pairs of nodes whose node-and-label boxes (as the server sized them) overlap."""
    found = []
    boxes = {n["id"]: label_space.box(n["label"], n["radius"], n["font_size"]) for n in nodes}
    for i, a in enumerate(nodes):
        for b in nodes[i + 1:]:
            (wa, ha, da), (wb, hb, db) = boxes[a["id"]], boxes[b["id"]]
            if (abs(a["x"] - b["x"]) < (wa + wb) / 2 - 1
                    and abs(a["y"] + da - b["y"] - db) < (ha + hb) / 2 - 1):
                found.append((a["label"], b["label"]))
    return found


def test_an_ego_network_leaves_room_for_every_node_and_label(client):
    view = client.get("/network.json", params={"ego": "organisation/ror-04h699437", "depth": 2}).json()
    assert len(view["nodes"]) > 5 and overlapping(view["nodes"]) == []


def test_2000_organisations_communities_are_sized_compact_and_apart(big):
    with TestClient(create_app(big, Settings(sparql_workers=1)), base_url="http://localhost") as c:
        view = c.get("/network.json").json()
    nodes = view["nodes"]
    assert view["drawn"] == "clusters" and overlapping(nodes) == []
    # Dozens of small separate groups are one node, not a long row of ticks.
    assert len(nodes) <= 20 and any("small separate groups" in n["label"] for n in nodes)
    biggest = max(nodes, key=lambda n: n["size"] if "more" in n["label"] else 0)
    assert biggest["radius"] == max(n["radius"] for n in nodes) and biggest["font_size"] >= 20
    # Compact: about as wide as tall, and no more than a few times the room its labels need.
    boxes = [label_space.box(n["label"], n["radius"], n["font_size"]) for n in nodes]
    width = max(n["x"] for n in nodes) - min(n["x"] for n in nodes) + max(b[0] for b in boxes)
    height = max(n["y"] for n in nodes) - min(n["y"] for n in nodes) + max(b[1] for b in boxes)
    assert 0.5 < width / height < 2 and width * height < 4 * sum(w * h for w, h, _ in boxes)


def test_unknown_organisation_is_a_404_page_and_json(client):
    page = client.get("/network", params={"ego": "organisation/no-such-thing"})
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "/organisations?q=" in page.text
    twin = client.get("/network.json", params={"ego": "organisation/no-such-thing"})
    assert twin.status_code == 404 and "/organisations?q=" in twin.json()["detail"]


def test_markup_in_names_is_text_on_the_page(client, data):
    hostile = sparql(data, f"SELECT ?o WHERE {{ ?o cg:name {json.dumps(HOSTILE_ORG)} }}")[0]["o"]
    for params in ({}, {"ego": iris.local_id(hostile), "depth": 1}):
        html = client.get("/network", params=params).text
        assert "<script>window.__xss" not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.__xss" in html  # the ego page's title, escaped
    assert re.findall(r"<script>", html) == []  # no inline script at all


def test_pages_are_compressed_and_vis_network_is_cacheable(client):
    for path in ("/network", "/network.json", "/view"):
        raw = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert raw.headers["content-encoding"] == "gzip", path
        assert int(raw.headers["content-length"]) < len(raw.content) / 3  # the body sent is the compressed one
    html = client.get("/network").text
    vis = re.search(r'src="(/static/vendor/vis-network\.min\.js\?v=\w+)"', html).group(1)
    script = client.get(vis, headers={"Accept-Encoding": "gzip"})
    assert "max-age=31536000" in script.headers["cache-control"] and "immutable" in script.headers["cache-control"]
    assert len(gzip.compress(script.content)) < len(script.content)


# --------------------------------------------------------------------------- in Chromium

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


@pytest.fixture(scope="module")
def server(data):
    with live_server(create_app(data, Settings(sparql_workers=1))) as url:
        yield url


@pytest.fixture(scope="module")
def big_server(big):
    with live_server(create_app(big, Settings(sparql_workers=1))) as url:
        yield url


def open_network(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-stable=true]", timeout=30_000)


def click_node(page, node: str) -> None:
    point = node_point(page, node, scale=1.5)
    page.mouse.click(point["x"], point["y"])


def test_an_organisations_network_shows_its_partners(page, server, client):
    node = best_connected(whole(client), 1)[0]
    partner_id = sorted(rest_partners(client, node["entity_id"]))[0]
    partner = iris.ID + partner_id
    open_network(page, f"{server}/network?ego={node['entity_id']}&depth=1")
    assert page.evaluate("(id) => !!window.collabgraph.nodes.get(id)", partner)
    edge_labels = "window.collabgraph.edges.get().filter((e) => e.label).length"
    assert page.evaluate(edge_labels) == 0  # link names on hover, not written over the drawing
    page.check("#link-names")
    assert page.evaluate(edge_labels) > 0
    assert page.evaluate("""([a, b]) => window.collabgraph.edges.get().some(
        (e) => (e.from === a && e.to === b) || (e.from === b && e.to === a))""", [node["id"], partner])
    click_node(page, node["id"])
    page.wait_for_selector(f'#details[data-loaded="{node["id"]}"]', timeout=15_000)
    links = page.eval_on_selector_all("#partners a", "(as) => as.map((a) => a.getAttribute('href'))")
    assert "/" + partner_id in links
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "network-ego.png"))
    assert page.problems == []


def test_bundled_network_draws_organisations_and_partnerships(page, server):
    open_network(page, server + "/network")
    kinds = page.evaluate("window.collabgraph.nodes.get().map((n) => n.kind)")
    assert kinds and set(kinds) <= {"organisation", "cluster"}
    assert page.evaluate("window.collabgraph.edges.length") > 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "network-bundled.png"))
    assert page.problems == []


def positions(page) -> dict:
    return page.evaluate("window.collabgraph.network.getPositions()")


def test_2000_organisations_communities_open_on_click_and_types_hide_in_place(page, big_server):
    open_network(page, big_server + "/network")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "network-2000.png"))
    # Readable as first drawn: the communities' labels at least 10 px on screen, their hexagons visible.
    scale = page.evaluate("window.collabgraph.network.getScale()")
    drawn = page.evaluate("window.collabgraph.nodes.get()")
    assert min(n["font"]["size"] for n in drawn) * scale >= 6 and max(n["font"]["size"] for n in drawn) * scale >= 10
    assert min(n["size"] for n in drawn) * scale >= 4
    ends = page.evaluate("""() => { const d = window.collabgraph;
        return d.edges.get().map((e) => [d.nodes.get(e.from).kind, d.nodes.get(e.to).kind]); }""")
    assert ends and all(set(pair) <= {"organisation", "cluster"} for pair in ends)
    clusters = page.evaluate("window.collabgraph.nodes.get({filter: (n) => n.kind === 'cluster'})")
    biggest = max(clusters, key=lambda n: n["count"] if "more" in n["label"] else 0)
    click_node(page, biggest["id"])
    page.wait_for_selector(f'body[data-opened~="{biggest["cluster"]}"]', timeout=15_000)
    assert page.evaluate("(id) => window.collabgraph.nodes.get(id)", biggest["id"]) is None
    organisations = page.evaluate("window.collabgraph.nodes.get({filter: (n) => n.kind === 'organisation'})")
    assert len(organisations) == biggest["count"]
    assert page.evaluate("""() => { const d = window.collabgraph;
        return d.edges.get().filter((e) => d.nodes.get(e.from).kind === 'organisation'
                                      && d.nodes.get(e.to).kind === 'organisation').length; }""") > 0
    page.screenshot(path=str(ARTIFACTS / "network-2000-opened.png"))
    kind = organisations[0]["type"]
    before = positions(page)
    page.uncheck(f'#types input[data-type="{kind}"]')
    assert page.evaluate("(t) => window.collabgraph.nodes.get({filter: (n) => n.type === t && !n.hidden}).length", kind) == 0
    page.check(f'#types input[data-type="{kind}"]')
    assert positions(page) == before
    assert page.problems == []


def test_the_search_box_asks_the_server_and_draws_an_organisation_not_drawn(page, big_server):
    open_network(page, big_server + "/network")
    drawn = set(page.evaluate("window.collabgraph.nodes.getIds()"))
    target = next(o for o in httpx.get(big_server + "/organisations", params={"q": "university", "limit": 50}).json()["items"]
                  if o["iri"] not in drawn)
    page.fill("#ego-search", target["name"])
    page.click(f'#ego-results button[data-id="{target["id"]}"]', timeout=10_000)
    page.wait_for_url(re.compile(r"/network\?ego="))
    page.wait_for_selector("body[data-stable=true]", timeout=30_000)
    assert page.evaluate("(id) => !!window.collabgraph.nodes.get(id)", target["iri"])
    assert page.problems == []


def test_markup_in_names_is_text_in_the_drawing_the_details_and_the_tooltip(page, server, data):
    hostile = sparql(data, f"SELECT ?o WHERE {{ ?o cg:name {json.dumps(HOSTILE_ORG)} }}")[0]["o"]
    open_network(page, f"{server}/network?ego={iris.local_id(hostile)}&depth=1")
    click_node(page, hostile)
    page.wait_for_selector(f'#details[data-loaded="{hostile}"]', timeout=15_000)
    assert page.inner_text("#details h2") == HOSTILE_ORG
    assert HOSTILE_ORG in show_tooltip(page, hostile)
    assert page.dialogs == [] and page.evaluate("typeof window.__xss") == "undefined"
    assert page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert page.evaluate("[...document.scripts].map((s) => s.type || s.src.split('?')[0].split('/').pop())") == \
        ["application/json", "vis-network.min.js", "org_network.js"]
    assert page.problems == []
