"""/partnerships lists each pair once, and a 422 answers the body the OpenAPI document describes.

Against the bundled data built with the real CLI and a real uvicorn server.
"""
from __future__ import annotations

import httpx
import jsonschema
import pytest
from api_support import live_server, sparql
from exports_support import bundled_build

from collabgraph.api.settings import Settings
from collabgraph.api.web.app import create_app
from collabgraph.ontology import iris

PAIRS = f"""SELECT ?a ?b (COUNT(DISTINCT ?ev) AS ?links) WHERE {{ GRAPH <{iris.DERIVED_GRAPH}> {{
  ?ev rdf:subject ?a ; rdf:predicate cg:partnersWith ; rdf:object ?b }} FILTER(STR(?a) < STR(?b)) }} GROUP BY ?a ?b"""


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return bundled_build(tmp_path_factory)[1]


@pytest.fixture(scope="module")
def server(data):
    with live_server(create_app(data, Settings(sparql_workers=1))) as base:
        yield base


def test_each_pair_is_listed_once_with_every_link_behind_it(server, data):
    pairs = {(r["a"], r["b"]): r["links"] for r in sparql(data, PAIRS)}
    assert any(n > 1 for n in pairs.values()), "the bundled data has a pair linked twice (stated and shared)"
    body = httpx.get(f"{server}/partnerships", params={"limit": 1000}, timeout=30).json()
    listed = [(i["a"]["iri"], i["b"]["iri"]) for i in body["items"]]
    assert body["total"] == len(listed) == len(set(listed)) == len(pairs)
    assert set(listed) == set(pairs)
    for item in body["items"]:
        links = item["links"]
        assert len(links) == pairs[(item["a"]["iri"], item["b"]["iri"])]
        assert {k: item[k] for k in ("kind", "via", "date", "themes")} == links[0]
        assert [link["kind"] == "stated" for link in links] == sorted(link["kind"] == "stated" for link in links)


def test_filters_keep_a_pair_once_with_the_links_that_pass(server):
    every = httpx.get(f"{server}/partnerships", params={"limit": 1000}, timeout=30).json()["items"]
    stated = httpx.get(f"{server}/partnerships", params={"limit": 1000, "type": "stated"}, timeout=30).json()
    expected = [(i["a"]["id"], i["b"]["id"]) for i in every if any(link["kind"] == "stated" for link in i["links"])]
    assert [(i["a"]["id"], i["b"]["id"]) for i in stated["items"]] == expected and stated["total"] == len(expected)
    assert all([link["kind"] for link in i["links"]] == ["stated"] for i in stated["items"])
    programmes = httpx.get(f"{server}/partnerships", params={"limit": 1000, "type": "Programme"}, timeout=30).json()
    assert programmes["items"] and all(link["kind"] == "programme" for i in programmes["items"] for link in i["links"])


@pytest.mark.parametrize("params", [{"since": "2024-02-30"}, {"type": "Treaty"}, {"limit": 0}, {"since": "last year"}])
def test_a_bad_parameter_gets_the_documented_422(server, params):
    spec = httpx.get(f"{server}/openapi.json", timeout=30).json()
    documented = spec["paths"]["/partnerships"]["get"]["responses"]["422"]["content"]["application/json"]["schema"]
    response = httpx.get(f"{server}/partnerships", params=params, timeout=30)
    assert response.status_code == 422
    body = response.json()
    jsonschema.validate(body, {**documented, "components": spec["components"]})
    name = next(iter(params))
    assert f"query parameter {name}" in body["detail"] and body["errors"][0]["loc"] == ["query", name]
