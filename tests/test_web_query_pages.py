"""The query pages /query/sparql and /query/cypher and their .json and .csv twins."""
import csv
import html as html_lib
import io
import json
import re

import pytest
from api_support import HOSTILE_ORG
from fastapi.testclient import TestClient

from collabgraph.api.settings import Settings
from collabgraph.api.web.app import create_app
from collabgraph.api.web.routes_query import MAX_URL_PARAMS_CHARS, MAX_URL_QUERY_CHARS

KEY = "query-pages-key"
UNIVERSITIES = "SELECT ?o ?name WHERE { ?o a cg:University ; cg:name ?name } ORDER BY ?name"
CYPHER = "MATCH (o:Organisation {id: $id})-[:PARTNERS_WITH]-(p:Organisation) RETURN p.iri AS partner, p.name AS name ORDER BY name"


def cells(html: str) -> list[list[str]]:
    body = re.search(r'<table class="data" id="results">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [re.findall(r"<td>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def textarea(html: str) -> str:
    return html_lib.unescape(re.search(r'<textarea class="query" name="query"[^>]*>(.*?)</textarea>', html, re.S).group(1))


def test_sparql_page_links_iris_to_entity_pages_by_name_and_keeps_the_query(client):
    response = client.get("/query/sparql", params={"query": UNIVERSITIES})
    assert response.status_code == 200
    html = response.text
    assert textarea(html) == UNIVERSITIES
    expected = client.post("/sparql", content=UNIVERSITIES, headers={"Content-Type": "application/sparql-query"}).json()
    bindings = expected["results"]["bindings"]
    rows = cells(html)
    assert len(rows) == len(bindings) > 0
    for row, b in zip(rows, bindings):
        iri, name = b["o"]["value"], b["name"]["value"]
        page = "/" + iri.split("/id/", 1)[1]
        assert row[0] == f'<a href="{page}" title="{iri}">{html_lib.escape(name)}</a>'  # a link, named, IRI on hover
        assert row[1] == html_lib.escape(name)  # a literal, plain
    assert client.get(page).status_code in (200, 404)  # the entity pages are another branch's; the URL is theirs


def test_json_and_csv_twins_carry_the_same_query_and_rows(client):
    html = client.get("/query/sparql", params={"query": UNIVERSITIES}).text
    json_url = html_lib.unescape(re.search(r'<a href="([^"]+)">this page as JSON</a>', html).group(1))
    csv_url = html_lib.unescape(re.search(r'<a href="([^"]+)" download>as CSV</a>', html).group(1))
    page = client.get(json_url).json()
    assert page["query"] == UNIVERSITIES and page["columns"] == ["o", "name"]
    assert len(page["rows"]) == len(cells(html))
    assert all(page["names"][iri] == name for iri, name in page["rows"])
    found = list(csv.reader(io.StringIO(client.get(csv_url).text)))
    assert found[0] == ["o", "name"] and found[1:] == page["rows"]


def test_cypher_page_runs_with_parameters_and_links_the_partners(client):
    best = client.get("/index.json").json()["best_connected"][0]
    params = json.dumps({"id": best["id"]})
    html = client.get("/query/cypher", params={"query": CYPHER, "params": params}).text
    rest = client.get(f"/organisations/{best['id']}/partners", params={"limit": 1000}).json()["items"]
    rows = cells(html)
    assert len(rows) == len(rest) == best["partners"]
    linked = set(re.findall(r'<a href="(/organisation/[^"]+)"', "".join(r[0] for r in rows)))
    assert linked == {"/" + p["partner"]["id"] for p in rest}
    kept = re.search(r'name="params" value="([^"]*)"', html).group(1)
    assert html_lib.unescape(kept) == params  # the parameters are kept too
    twin = client.get("/query/cypher.json", params={"query": CYPHER, "params": params}).json()
    assert len(twin["rows"]) == len(rows) and twin["params"] == params


@pytest.mark.parametrize("language, query, params, status, words", [
    ("sparql", "INSERT DATA { <https://x.example/a> <https://x.example/b> 1 }", "", 400, "read-only"),
    ("sparql", "SELEC ?x WHERE {", "", 400, "not valid SPARQL"),
    ("sparql", "SELECT * WHERE { SERVICE <https://example.org/sparql> { ?s ?p ?o } }", "", 400, "SERVICE"),
    ("cypher", "CREATE (n:Organisation {name: 'x'})", "", 400, "read-only"),
    ("cypher", "MATCH (n RETURN n", "", 400, ""),
    ("cypher", "RETURN $x", "[1, 2]", 400, "JSON object"),
    ("cypher", "RETURN $x", "{not json", 400, "not valid JSON"),
])
def test_refused_queries_are_a_one_line_message_on_the_page(client, language, query, params, status, words):
    response = client.get(f"/query/{language}", params={"query": query, "params": params})
    assert response.status_code == status and response.headers["content-type"].startswith("text/html")
    message = html_lib.unescape(re.search(r'<p class="notice error" id="error">(.*?)</p>', response.text, re.S).group(1))
    assert "\n" not in message and words in message and "Traceback" not in response.text
    assert textarea(response.text) == query  # the query is kept, to be fixed
    twin = client.get(f"/query/{language}.json", params={"query": query, "params": params})
    assert twin.status_code == status and twin.json()["detail"] == message


def test_a_query_longer_than_a_url_carries_is_refused_with_a_message(client):
    """The query is in the URL, so it is capped below the server's 16 KB request head (percent-encoded x3)."""
    assert 3 * (MAX_URL_QUERY_CHARS + MAX_URL_PARAMS_CHARS) < 16_000
    fits = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 #" + ":" * (MAX_URL_QUERY_CHARS - 37)
    assert client.get("/query/sparql.json", params={"query": fits}).status_code == 200
    for language, params in (("sparql", {"query": fits + ":"}), ("cypher", {"query": "RETURN 1", "params": " " * 1001})):
        response = client.get(f"/query/{language}.json", params=params)
        assert response.status_code == 422 and list(params)[-1] in response.json()["detail"]


def test_the_page_shows_at_most_its_row_cap_and_says_so(client):
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 600"
    html = client.get("/query/sparql", params={"query": query}).text
    assert len(cells(html)) == 500 and "the first 500 shown" in html
    assert len(client.get("/query/sparql.json", params={"query": query}).json()["rows"]) == 600


def test_the_api_key_guards_the_query_pages_as_it_guards_the_endpoints(data):
    with TestClient(create_app(data, Settings(api_key=KEY, sparql_workers=1)), base_url="http://localhost") as c:
        page = c.get("/query/sparql", params={"query": UNIVERSITIES})
        assert page.status_code == 401 and "X-API-Key" in page.text and 'id="results"' not in page.text
        assert c.get("/query/sparql.json", params={"query": UNIVERSITIES}).status_code == 401
        assert c.get("/query/cypher.csv", params={"query": "RETURN 1"}).status_code == 401
        allowed = c.get("/query/sparql", params={"query": UNIVERSITIES}, headers={"X-API-Key": KEY})
        assert allowed.status_code == 200 and 'id="results"' in allowed.text and KEY not in allowed.text
        assert c.get("/query/cypher.json", params={"query": "RETURN 1 AS one"},
                     headers={"Authorization": f"Bearer {KEY}"}).json()["rows"] == [[1]]


def test_hostile_text_in_results_and_queries_is_shown_as_text(client):
    query = f"SELECT ?o ?name WHERE {{ ?o cg:name ?name FILTER(?name = {json.dumps(HOSTILE_ORG)}) }}"
    html = client.get("/query/sparql", params={"query": query}).text
    assert "<script>window.__xss" not in html and "&lt;script&gt;window.__xss" in html
    assert len(cells(html)) == 1
    raw = client.get("/query/sparql", params={"query": "</textarea><script>alert(1)</script>"}).text
    assert "</textarea><script>" not in raw and textarea(raw) == "</textarea><script>alert(1)</script>"
