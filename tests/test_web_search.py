"""The search page: every kind of entity by name or alias, best match first, from the box on every page."""
import pytest
from api_support import HOSTILE_ORG
from web_entities_support import LEICESTER, client, dataset, texts

from collabgraph.graph.name_index import MATCHES


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    with client(dataset(tmp_path_factory)) as c:
        yield c


def test_an_exact_name_comes_first_before_names_that_contain_it(web):
    found = web.get("/search.json", params={"q": "university of leicester"}).json()
    assert found["items"][0]["id"] == f"organisation/{LEICESTER}"
    assert found["items"][0]["match"] == "exact name"
    assert found["total"] > 1  # the agreements named after it come after


def test_results_are_ranked_by_match_then_connections_then_name(web):
    found = web.get("/search.json", params={"q": "leic"}).json()
    keys = [(MATCHES.index(i["match"]), -i["importance"], i["name"].lower()) for i in found["items"]]
    assert len(keys) > 3 and keys == sorted(keys)
    assert sum(found["kinds"].values()) == found["total"]
    assert all("leic" in i["matched"].lower() for i in found["items"])


def test_an_alias_finds_its_entity(web):
    org = web.get(f"/organisation/{LEICESTER}.json").json()
    alias = org["aliases"][0]
    found = web.get("/search.json", params={"q": alias}).json()
    assert org["id"] in [i["id"] for i in found["items"]]


def test_the_page_shows_the_twins_results_in_order_with_kind_type_region_and_links(web):
    twin = web.get("/search.json", params={"q": "leic"}).json()
    html = web.get("/search", params={"q": "leic"}).text
    rows = texts(html, "tr")[1:]
    assert len(rows) == len(twin["items"])
    for row, item in zip(rows, twin["items"]):
        assert item["name"] in row and item["kind"] in row and (item["region"] or "") in row
    assert f'href="/organisation/{LEICESTER}"' in html
    assert 'value="leic"' in html  # the header box keeps the query


def test_a_kind_narrows_the_results_and_counts_stay_per_kind(web):
    every = web.get("/search.json", params={"q": "leic"}).json()
    agreements = web.get("/search.json", params={"q": "leic", "kind": "Agreement"}).json()
    assert agreements["total"] == every["kinds"]["Agreement"] > 0
    assert {i["kind"] for i in agreements["items"]} == {"Agreement"}
    assert web.get("/search", params={"q": "leic", "kind": "Cheese"}).status_code == 422


def test_results_are_paged(web):
    first = web.get("/search.json", params={"q": "nhs"}).json()
    assert first["total"] > first["limit"] == len(first["items"])
    second = web.get("/search.json", params={"q": "nhs", "offset": first["limit"]}).json()
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    assert f"offset={first['limit']}" in web.get("/search", params={"q": "nhs"}).text


@pytest.mark.parametrize("q, says", [("", "at least 2 characters"), ("x", "too short"),
                                     ("qqzzqqzz", "Nothing has a name or alias containing")])
def test_an_empty_short_or_unmatched_query_is_explained(web, q, says):
    twin = web.get("/search.json", params={"q": q}).json()
    assert twin["items"] == [] and says in twin["message"]
    assert says in texts(web.get("/search", params={"q": q}).text, "p", "notice")[0]


def test_hostile_names_and_queries_are_shown_as_text(web):
    html = web.get("/search", params={"q": "Institute for Testing"}).text
    assert HOSTILE_ORG in texts(html, "a")
    assert "<script>window.__xss" not in html
    echoed = web.get("/search", params={"q": '"><script>alert(1)</script>'}).text
    assert "<script>alert(1)" not in echoed and "&lt;script&gt;alert(1)" in echoed


def test_a_query_is_length_limited(web):
    assert web.get("/search.json", params={"q": "a" * 201}).status_code == 422
