"""The HTML views and their JSON twins: offline, escaped, sized and coloured, limited, filtered, with ego networks."""
import base64
import hashlib
import json
import re
from collections import Counter

import pytest
from api_support import HOSTILE_ALIAS, HOSTILE_ORG, HOSTILE_PROGRAMME, count, count_entities, shared_dataset, sparql
from conftest import SEEDS
from fastapi.testclient import TestClient

from collabgraph.api.settings import Settings
from collabgraph.api.web.app import create_app
from collabgraph.ontology import iris, label

KEY = "views-test-key"
ENTITY = "VALUES ?k1 { cg:Organisation cg:Person cg:Programme cg:Agreement cg:Theme } " \
         "VALUES ?k2 { cg:Organisation cg:Person cg:Programme cg:Agreement cg:Theme }"


@pytest.fixture(scope="session")
def data(tmp_path_factory):
    return shared_dataset(tmp_path_factory, SEEDS if SEEDS.is_dir() else None)


@pytest.fixture(scope="module")
def client(data):
    with TestClient(create_app(data, Settings(view_node_limit=1000, sparql_workers=1)), base_url="http://localhost") as c:
        yield c


@pytest.fixture(scope="module")
def entities(data) -> int:
    return count_entities(data)


def relations(data) -> set[tuple[str, str, str]]:
    """Every relation between entities, as the views draw them: asserted relations, and partnerships that
    no agreement or programme accounts for."""
    found = {(r["s"], r["p"].rsplit("#", 1)[-1], r["o"]) for r in sparql(data, f"""SELECT DISTINCT ?s ?p ?o WHERE {{
        ?s ?p ?o . ?s a ?k1 . ?o a ?k2 . {ENTITY}
        FILTER((STRSTARTS(STR(?p), STR(cg:)) && ?p != cg:partnersWith) || ?p = skos:broader) }}""")}
    stated = {tuple(sorted((r["a"], r["b"]))) for r in sparql(data, f"""SELECT ?a ?b WHERE {{
        GRAPH <{iris.DERIVED_GRAPH}> {{ ?a cg:partnersWith ?b
        FILTER NOT EXISTS {{ ?ev rdf:subject ?a ; rdf:object ?b ; cg:via ?v }} }} }}""")}
    return found | {(a, "partnersWith", b) for a, b in stated}


def degrees(data) -> Counter:
    """Links per entity, partnerships through agreements and programmes included (as the size of a node)."""
    pairs = {tuple(sorted((r["a"], r["b"]))) for r in sparql(data, f"""SELECT ?a ?b WHERE {{
        GRAPH <{iris.DERIVED_GRAPH}> {{ ?a cg:partnersWith ?b }} }}""")}
    edges = {e for e in relations(data) if e[1] != "partnersWith"} | {(a, "partnersWith", b) for a, b in pairs}
    out = Counter()
    for s, _, o in edges:
        out[s] += 1
        out[o] += 1
    return out


def embedded(html: str, block: str = "graph-data"):
    found = re.search(rf'<script type="application/json" id="{block}">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def scripts(html: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", html, re.S)


# ------------------------------------------------------------------------- offline and safe

@pytest.mark.parametrize("path", ["/", "/view", "/view/organisations/{org}?depth=2"])
def test_pages_load_nothing_from_other_sites(client, data, path):
    org = iris.local_id(sparql(data, "SELECT ?o WHERE { ?o a cg:University } ORDER BY ?o LIMIT 1")[0]["o"])
    response = client.get(path.format(org=org))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*[\"']?(https?:)?//", html, re.I)
    for src in re.findall(r"<script\b[^>]*\bsrc\s*=\s*[\"']([^\"']+)", html, re.I):  # this server's files only
        assert src.startswith("/static/") and client.get(src).status_code == 200, src
    assert not re.search(r"cdnjs|jsdelivr|unpkg|bootstrap", html, re.I)
    policy = response.headers["content-security-policy"]
    allowed = policy.split("script-src")[1].split(";")[0]
    assert "default-src 'none'" in policy and "unsafe-inline" not in allowed and "http" not in allowed
    for script in scripts(html):  # an inline script runs only when the policy names its hash
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_api_docs_are_served_without_a_cdn(client, path):
    html = client.get(path).text
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert assets and not [a for a in assets if re.match(r"(https?:)?//", a)]
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert "/openapi.json" in html


def test_vis_network_is_served_once_from_the_installed_pyvis_and_cached(client):
    from pathlib import Path

    import pyvis
    vis = (Path(pyvis.__file__).parent / "lib" / "vis-9.1.2" / "vis-network.min.js").read_bytes()
    html = client.get("/view").text
    assert vis.decode()[:2000] not in html and scripts(html) == []  # no inline script: the page runs under script-src 'self'
    src = re.search(r'<script src="(/static/vendor/vis-network\.min\.js\?v=\w+)"', html).group(1)
    served = client.get(src)
    assert served.content == vis and "immutable" in served.headers["cache-control"]
    assert re.search(r'<link rel="stylesheet" href="/static/vendor/vis-network\.css\?v=\w+"', html)


def test_markup_in_names_is_never_markup_in_the_page(client, data):
    hostile = sparql(data, f"SELECT ?o WHERE {{ ?o cg:name {json.dumps(HOSTILE_ORG)} }}")[0]["o"]
    for path in ("/view", f"/view/organisations/{iris.local_id(hostile)}", "/"):
        html = client.get(path).text
        for raw in ("<script>window.__xss", "<img src=x onerror", "onerror=alert(3)>"):
            assert raw not in html, (path, raw)
    ego = client.get(f"/view/organisations/{iris.local_id(hostile)}")
    assert "&lt;script&gt;window.__xss" in ego.text  # the title, escaped by the template
    names = {n["name"] for n in embedded(ego.text)["nodes"]}
    assert {HOSTILE_ORG, HOSTILE_PROGRAMME} <= names
    aliases = {a for n in embedded(ego.text)["nodes"] for a in n["aliases"]}
    assert HOSTILE_ALIAS in aliases


# ------------------------------------------------------------------------- the whole network

def test_view_json_draws_every_entity_and_relation(client, data, entities):
    view = client.get("/view.json").json()
    assert view["total_nodes"] == view["shown_nodes"] == len(view["nodes"]) == entities and not view["limited"]
    assert {(e["from"], e["relation"], e["to"]) for e in view["edges"]} == relations(data)
    assert all(e["label"] == (label(e["relation"]) if e["relation"] != "broader" else "broader") for e in view["edges"])


def test_nodes_are_sized_by_degree_and_coloured_by_type(client, data):
    view = client.get("/view.json").json()
    links = degrees(data)
    assert {n["id"]: n["value"] for n in view["nodes"]} == {n["id"]: links[n["id"]] + 1 for n in view["nodes"]}
    colour_of = {}
    for n in view["nodes"]:
        assert colour_of.setdefault(n["type"], n["color"]) == n["color"]
    assert len(set(colour_of.values())) == len(colour_of)
    legend = {item["type"]: item for item in view["legend"]}
    assert {t: item["count"] for t, item in legend.items()} == Counter(n["type"] for n in view["nodes"])
    assert all(legend[t]["color"] == c for t, c in colour_of.items())
    themes = {r["t"] for r in sparql(data, "SELECT ?t WHERE { ?t a cg:Theme }")}
    assert {t["iri"] for t in view["themes"]} == themes


def test_the_node_limit_keeps_the_best_connected_and_says_so(client, data, entities):
    links = degrees(data)
    view = client.get("/view.json", params={"limit": 5}).json()
    assert view["limited"] and view["shown_nodes"] == 5 and view["total_nodes"] == entities
    shown = sorted(links[n["id"]] for n in view["nodes"])
    assert shown == sorted(links[n] for n in links)[-5:]
    assert "5 best-connected" in view["notice"] and str(entities) in view["notice"]
    html = client.get("/view", params={"limit": 5}).text
    assert 'id="limit-notice"' in html and "5 best-connected" in html
    with TestClient(create_app(data, Settings(view_node_limit=8, sparql_workers=1)), base_url="http://localhost") as capped:
        assert capped.get("/view.json", params={"limit": 100}).json()["shown_nodes"] == 8
        assert "8 best-connected" in capped.get("/view").text


def test_server_side_filters_choose_nodes_before_the_limit(client, data):
    universities = client.get("/view.json", params={"type": "University"}).json()
    assert {n["type"] for n in universities["nodes"]} == {"University"}
    assert universities["shown_nodes"] == count(data, "University")
    organisations = client.get("/view.json", params={"type": "Organisation"}).json()
    assert {n["kind"] for n in organisations["nodes"]} == {"Organisation"} and organisations["shown_nodes"] > universities["shown_nodes"]
    row = sparql(data, "SELECT ?t (COUNT(?x) AS ?n) WHERE { ?x cg:hasTheme ?t } GROUP BY ?t ORDER BY DESC(?n) ?t LIMIT 1")[0]
    themed = client.get("/view.json", params={"theme": iris.local_id(row["t"])}).json()
    tagged = {r["x"] for r in sparql(data, f"SELECT ?x WHERE {{ ?x cg:hasTheme <{row['t']}> }}")}
    assert tagged <= {n["id"] for n in themed["nodes"]} and all(row["t"] in n["themes"] for n in themed["nodes"])
    assert themed["theme"] == row["t"]
    assert client.get("/view.json", params={"theme": "theme/not-a-theme"}).status_code == 404
    assert client.get("/view.json", params={"type": "Castle"}).status_code == 422


# ------------------------------------------------------------------------- ego networks

def test_ego_network_holds_the_organisation_and_its_neighbourhood(client, data):
    links = degrees(data)
    org = max((n for n in links if "/organisation/" in n), key=lambda n: (links[n], n))
    edges = relations(data) | {(r["a"], "partnersWith", r["b"]) for r in sparql(data, f"""SELECT ?a ?b WHERE {{
        GRAPH <{iris.DERIVED_GRAPH}> {{ ?a cg:partnersWith ?b }} }}""")}
    neighbours = {o for s, _, o in edges if s == org} | {s for s, _, o in edges if o == org}
    one = client.get(f"/view/organisations/{iris.local_id(org)}.json", params={"depth": 1}).json()
    assert {n["id"] for n in one["nodes"]} == neighbours | {org}
    assert one["focus"] == iris.local_id(org)
    focus = next(n for n in one["nodes"] if n["id"] == org)
    assert focus["borderWidth"] > 1
    two = client.get(f"/view/organisations/{iris.local_id(org)}.json").json()
    assert {n["id"] for n in one["nodes"]} < {n["id"] for n in two["nodes"]}
    html = client.get(f"/view/organisations/{iris.local_id(org)}", params={"depth": 2}).text
    assert embedded(html) == two
    assert client.get("/view/organisations/organisation/nowhere").status_code == 404
    assert client.get(f"/view/organisations/{iris.local_id(org)}", params={"depth": 9}).status_code == 422


# ------------------------------------------------------------------------- home page and JSON twins

def test_every_page_links_its_json_twin_holding_the_same_data(client, data):
    org = iris.local_id(sparql(data, "SELECT ?o WHERE { ?o a cg:University } ORDER BY ?o LIMIT 1")[0]["o"])
    for page, block in (("/view?limit=7", "graph-data"), (f"/view/organisations/{org}?depth=1", "graph-data")):
        html = client.get(page).text
        twin = re.search(r'<a href="([^"]+)">(this view as JSON|This page as JSON|this page as JSON)</a>', html).group(1)
        assert client.get(twin.replace("&amp;", "&")).json() == embedded(html, block), page


def test_home_links_the_pages_and_docs_and_its_example_queries_return_rows(client, data):
    html = client.get("/").text
    for href in ("/partnerships/table", "/network", "/compare", "/query/sparql", "/query/cypher", "/docs"):
        assert f'href="{href}"' in html
    home = client.get("/index.json").json()
    for example in home["examples"]["sparql"] + home["examples"]["cypher"]:
        assert f'href="{example["url"]}"'.replace("&", "&amp;") in html
    assert home["dataset"]["organisations"] == count(data, "Organisation")
    titles = [e["title"] for e in home["examples"]["sparql"]]
    assert titles == ["Partners of an organisation", "Programmes by funder", "People by organisation"]
    for example in home["examples"]["sparql"]:
        response = client.post("/sparql", content=example["query"], headers={"Content-Type": "application/sparql-query"})
        assert response.status_code == 200 and response.json()["results"]["bindings"], example["title"]
    for example in home["examples"]["cypher"]:
        response = client.post("/cypher", json={"query": example["query"], "params": example["params"]})
        assert response.status_code == 200 and response.json()["rows"], example["title"]


def test_home_asks_for_the_api_key_only_when_one_is_set(client, data):
    assert 'id="api-key"' not in client.get("/").text
    with TestClient(create_app(data, Settings(api_key=KEY, sparql_workers=1)), base_url="http://localhost") as guarded:
        assert 'id="api-key"' in guarded.get("/").text
        assert KEY not in guarded.get("/").text and KEY not in guarded.get("/index.json").text
