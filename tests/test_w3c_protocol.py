"""The query side of the W3C SPARQL 1.1 Protocol tests, against a real uvicorn server.

Each test follows one `query_*` or `bad_*` case of the W3C protocol test suite
(sparql11/protocol/manifest), with the suite's data1/data2/data3 graphs replaced
by three graphs of this dataset: the register's themes, programmes and
organisations files. Each of these graphs describes itself (the graph IRI is its
source's prov:Entity), as the suite's data graphs do.
"""
from __future__ import annotations

import httpx
import pytest
import rdflib
from api_support import live_server, shared_dataset
from conftest import SEEDS

from collabgraph.api.settings import Settings
from collabgraph.api.web.app import create_app
from collabgraph.ontology import iris

DATA1, DATA2, DATA3 = (iris.register_graph_iri(n) for n in ("themes", "programmes", "organisations"))
DIRECT = {"Content-Type": "application/sparql-query"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
RESULT_TYPES = {"application/sparql-results+xml", "application/sparql-results+json", "text/csv",
                "text/tab-separated-values"}
RDF_TYPES = {"application/rdf+xml", "text/turtle", "application/n-triples", "application/ld+json"}


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    data = shared_dataset(tmp_path_factory, SEEDS if SEEDS.is_dir() else None)
    with live_server(create_app(data, Settings(sparql_workers=2))) as base:
        yield base + "/sparql"


def media(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def boolean(response: httpx.Response) -> bool:
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


def bindings(response: httpx.Response) -> list[dict]:
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


# ------------------------------------------------------------------------- positive tests

def test_query_get(url):
    assert boolean(httpx.get(url, params={"query": "ASK {}"}))


def test_query_post_form(url):
    assert boolean(httpx.post(url, content="query=ASK%20%7B%7D", headers=FORM))


def test_query_post_direct(url):
    assert boolean(httpx.post(url, content="ASK {}", headers=DIRECT))


def test_query_dataset_default_graph(url):
    answer = httpx.post(url, params={"default-graph-uri": DATA1}, content=f"ASK {{ <{DATA1}> ?p ?o }}", headers=DIRECT)
    assert boolean(answer)
    answer = httpx.post(url, params={"default-graph-uri": DATA1}, content=f"ASK {{ <{DATA2}> ?p ?o }}", headers=DIRECT)
    assert not boolean(answer)  # only data1 is the default graph


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_query_dataset_default_graphs(url, method):
    query = f"ASK {{ <{DATA1}> ?p ?o . <{DATA2}> ?p ?o }}"
    params = [("default-graph-uri", DATA1), ("default-graph-uri", DATA2)]
    if method == "GET":
        answer = httpx.get(url, params=[("query", query), *params])
    else:
        answer = httpx.post(url, params=params, content=query, headers=DIRECT)
    assert boolean(answer)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_query_dataset_named_graphs(url, method):
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    params = [("named-graph-uri", DATA1), ("named-graph-uri", DATA2)]
    if method == "GET":
        answer = httpx.get(url, params=[("query", query), *params])
    else:
        answer = httpx.post(url, params=params, content=query, headers=DIRECT)
    assert {b["g"]["value"] for b in bindings(answer)} == {DATA1, DATA2}


def test_query_dataset_full(url):
    params = [("default-graph-uri", DATA3), ("named-graph-uri", DATA1), ("named-graph-uri", DATA2)]
    query = "SELECT DISTINCT ?g ?x { ?x ?y ?o GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    rows = bindings(httpx.post(url, params=params, content=query, headers=DIRECT))
    assert rows and {b["g"]["value"] for b in rows} <= {DATA1, DATA2}
    own = bindings(httpx.post(url, params=params, headers=DIRECT, content=f"SELECT ?p WHERE {{ <{DATA3}> ?p ?o }} LIMIT 1"))
    assert own  # data3 is the default graph


def test_query_multiple_dataset(url):
    """The protocol's dataset wins over the query's FROM."""
    query = f"ASK FROM <{DATA1}> {{ <{DATA2}> ?p ?o }}"
    assert boolean(httpx.post(url, params={"default-graph-uri": DATA2}, content=query, headers=DIRECT))
    query = f"ASK FROM <{DATA1}> {{ <{DATA1}> ?p ?o }}"
    assert not boolean(httpx.post(url, params={"default-graph-uri": DATA2}, content=query, headers=DIRECT))


def test_query_content_type_select(url):
    answer = httpx.post(url, content="SELECT (1 AS ?value) {}", headers=DIRECT)
    assert answer.status_code == 200 and media(answer) in RESULT_TYPES


def test_query_content_type_ask(url):
    answer = httpx.post(url, content="ASK {}", headers=DIRECT)
    assert answer.status_code == 200 and media(answer) in {"application/sparql-results+xml",
                                                            "application/sparql-results+json"}


def test_query_content_type_describe(url):
    answer = httpx.post(url, content="DESCRIBE <http://example.org/>", headers=DIRECT)
    assert answer.status_code == 200 and media(answer) in RDF_TYPES


def test_query_content_type_construct(url):
    """Relative IRIs resolve against the endpoint's base IRI, the entity namespace."""
    answer = httpx.post(url, content="CONSTRUCT { <s> <p> 1 } WHERE {}", headers=DIRECT)
    assert answer.status_code == 200, answer.text
    assert media(answer) in RDF_TYPES
    graph = rdflib.Graph().parse(data=answer.text, format=media(answer))
    assert set(graph) == {(rdflib.URIRef(iris.ID + "s"), rdflib.URIRef(iris.ID + "p"), rdflib.Literal(1))}


def test_a_query_base_overrides_the_endpoint_base(url):
    answer = httpx.post(url, content="BASE <http://example.org/> CONSTRUCT { <s> <p> 1 } WHERE {}",
                        headers={**DIRECT, "Accept": "application/n-triples"})
    assert answer.status_code == 200 and answer.text.startswith("<http://example.org/s> <http://example.org/p>")


# ------------------------------------------------------------------------- negative tests

def test_bad_query_method(url):
    assert 400 <= httpx.put(url, params={"query": "ASK {}"}).status_code < 500


def test_bad_multiple_queries(url):
    assert httpx.get(url, params=[("query", "ASK {}"), ("query", "SELECT * {}")]).status_code == 400


def test_bad_query_wrong_media_type(url):
    assert 400 <= httpx.post(url, content="ASK {}", headers={"Content-Type": "text/plain"}).status_code < 500


def test_bad_query_missing_form_type(url):
    assert 400 <= httpx.post(url, content="query=ASK%20%7B%7D").status_code < 500


def test_bad_query_missing_direct_type(url):
    assert 400 <= httpx.post(url, content="ASK {}").status_code < 500


def test_bad_query_non_utf8(url):
    answer = httpx.post(url, content="ASK {}".encode("utf-16"),
                        headers={"Content-Type": "application/sparql-query; charset=UTF-16"})
    assert answer.status_code == 400


def test_bad_query_syntax(url):
    answer = httpx.get(url, params={"query": "ASK {"})
    assert answer.status_code == 400 and media(answer) == "text/plain"
