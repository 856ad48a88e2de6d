"""The SPARQL 1.1 Protocol endpoint, through real clients (SPARQLWrapper, rdflib's SPARQLStore, httpx)
against a real uvicorn server on a loopback port."""
import csv
import io
import json
import threading
import time
import xml.etree.ElementTree as ET

import httpx
import psutil
import pytest
import rdflib
from api_support import count, live_server, shared_dataset, sparql
from conftest import SEEDS
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, POSTDIRECTLY, TSV, TURTLE, URLENCODED, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from collabgraph.api.settings import Settings
from collabgraph.api.web.app import create_app
from collabgraph.ontology import iris, sparql_prefixes

ORGS = "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a cg:Organisation }"
NAMES = "SELECT ?o ?name WHERE { ?o a cg:Organisation ; cg:name ?name } ORDER BY ?o ?name"
CONSTRUCT = "CONSTRUCT { ?o cg:name ?name } WHERE { ?o a cg:University ; cg:name ?name }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
KEY = "test-api-key-1234"
YASGUI = "http://yasgui.example"


@pytest.fixture(scope="session")
def data(tmp_path_factory):
    return shared_dataset(tmp_path_factory, SEEDS if SEEDS.is_dir() else None)


@pytest.fixture(scope="module")
def endpoint(data):
    with live_server(create_app(data, Settings(sparql_workers=2))) as url:
        yield url + "/sparql"


@pytest.fixture(scope="module")
def strict(data):
    """A server with an API key, CORS for one origin, a 1 s timeout and a 5-row limit."""
    settings = Settings(api_key=KEY, cors_origins=(YASGUI,), sparql_timeout=1.0, sparql_row_limit=5, sparql_workers=2)
    with live_server(create_app(data, settings)) as url:
        yield url


def wrapper(url: str, query: str, fmt=JSON, method=None, request_method=None, key: str | None = None) -> SPARQLWrapper:
    sw = SPARQLWrapper(url)
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    if method:
        sw.setMethod(method)
    if request_method:
        sw.setRequestMethod(request_method)
    if key:
        sw.addCustomHttpHeader("X-API-Key", key)
    return sw


def n_of(result: dict) -> int:
    return int(result["results"]["bindings"][0]["n"]["value"])


def quads(data) -> int:
    return sparql(data, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"]


# ------------------------------------------------------------------------- real clients

@pytest.mark.parametrize("method,request_method", [(None, None), (POST, URLENCODED), (POST, POSTDIRECTLY)],
                         ids=["GET", "POST-form", "POST-direct"])
def test_sparqlwrapper_select_in_every_method(endpoint, data, method, request_method):
    result = wrapper(endpoint, ORGS, JSON, method, request_method).queryAndConvert()
    assert n_of(result) == count(data, "Organisation") > 0


@pytest.mark.parametrize("fmt", [XML, CSV, TSV])
def test_sparqlwrapper_reads_xml_csv_and_tsv_results(endpoint, data, fmt):
    expected = [(r["o"], r["name"]) for r in sparql(data, NAMES)]
    raw = wrapper(endpoint, NAMES, fmt).query()
    body = raw.response.read()
    if fmt == XML:
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        rows = [(r.find("r:binding[@name='o']/r:uri", ns).text, r.find("r:binding[@name='name']/r:literal", ns).text)
                for r in ET.fromstring(body).iter("{http://www.w3.org/2005/sparql-results#}result")]
    elif fmt == CSV:
        rows = [(r["o"], r["name"]) for r in csv.DictReader(io.StringIO(body.decode()))]
    else:
        lines = body.decode().splitlines()
        assert lines[0].split("\t") == ["?o", "?name"]
        rows = [(o.strip("<>"), json.loads(n.split("^^")[0])) for o, n in (line.split("\t") for line in lines[1:])]
    assert rows == expected


@pytest.mark.parametrize("fmt,rdf_format", [(TURTLE, "turtle"), (N3, "turtle"), (JSONLD, "json-ld")])
def test_sparqlwrapper_construct_as_turtle_and_json_ld(endpoint, data, fmt, rdf_format):
    raw = wrapper(endpoint, CONSTRUCT, fmt).query()
    graph = rdflib.Graph().parse(data=raw.response.read(), format=rdf_format)
    expected = {(r["o"], r["n"]) for r in sparql(data, "SELECT ?o ?n WHERE { ?o a cg:University ; cg:name ?n }")}
    assert {(str(s), str(o)) for s, _, o in graph} == expected and expected


def test_sparqlwrapper_construct_as_rdflib_graph_and_describe(endpoint, data):
    graph = wrapper(endpoint, CONSTRUCT, XML).queryAndConvert()
    assert isinstance(graph, rdflib.Graph) and len(graph) == len(sparql(data, CONSTRUCT.replace("CONSTRUCT { ?o cg:name ?name }", "SELECT DISTINCT *")))
    org = sparql(data, NAMES)[0]["o"]
    described = wrapper(endpoint, f"DESCRIBE <{org}>", TURTLE).query().response.read()
    assert rdflib.URIRef(org) in set(rdflib.Graph().parse(data=described, format="turtle").subjects())


def test_rdflib_sparqlstore_reads_the_endpoint(endpoint, data):
    for method in ("GET", "POST", "POST_FORM"):
        graph = rdflib.Graph(store=SPARQLStore(endpoint, method=method))
        rows = list(graph.query(sparql_prefixes() + NAMES))
        assert [(str(o), str(n)) for o, n in rows] == [(r["o"], r["name"]) for r in sparql(data, NAMES)]
    graph = rdflib.Graph(store=SPARQLStore(endpoint))
    assert graph.query(sparql_prefixes() + "ASK { ?o a cg:Organisation }").askAnswer is True
    org = rdflib.URIRef(sparql(data, NAMES)[0]["o"])
    name = rdflib.URIRef("https://w3id.org/collabgraph/ontology#name")
    assert {str(o) for o in graph.objects(org, name)} == {r["n"] for r in sparql(data, f"SELECT ?n WHERE {{ <{org}> cg:name ?n }}")}


# ------------------------------------------------------------------------- negotiation and parameters

@pytest.mark.parametrize("accept,media", [
    ("application/sparql-results+json,*/*;q=0.9", "application/sparql-results+json"),
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("*/*", "application/sparql-results+json"),
    ("text/*;q=0.9, application/sparql-results+json;q=0.1", "text/csv"),
    ("application/sparql-results+json;q=0, application/json", "application/json"),
    (None, "application/sparql-results+json"),
])
def test_accept_headers_with_q_values_and_wildcards(endpoint, accept, media):
    headers = {"Accept": accept} if accept else {}
    response = httpx.get(endpoint, params={"query": ORGS}, headers=headers)
    assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == media


def test_construct_negotiates_rdf_formats(endpoint):
    for accept, media in (("application/n-triples", "application/n-triples"), ("application/ld+json", "application/ld+json"),
                          ("text/turtle;q=0.8, application/n-triples;q=0.9", "application/n-triples"),
                          ("application/sparql-results+json,*/*;q=0.9", "text/turtle")):
        response = httpx.get(endpoint, params={"query": CONSTRUCT}, headers={"Accept": accept})
        assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == media, accept
    refused = httpx.get(endpoint, params={"query": CONSTRUCT}, headers={"Accept": "application/sparql-results+json"})
    assert refused.status_code == 406 and "text/turtle" in refused.text
    assert httpx.get(endpoint, params={"query": ORGS}, headers={"Accept": "image/png"}).status_code == 406


def test_unknown_parameters_are_ignored(endpoint, data):
    response = httpx.get(endpoint, params={"query": ORGS, "format": "json", "output": "json", "results": "json",
                                           "timeout": "0", "whatever": "x"})
    assert response.status_code == 200 and n_of(response.json()) == count(data, "Organisation")


def test_dataset_parameters_choose_the_graphs(endpoint, data):
    register = iris.register_graph_iri("organisations")
    in_register = sparql(data, f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ GRAPH <{register}> {{ ?o a cg:Organisation }} }}")[0]["n"]
    assert 0 < in_register < count(data, "Organisation")
    only = httpx.get(endpoint, params={"query": ORGS, "default-graph-uri": register}).json()
    assert n_of(only) == in_register
    posted = httpx.post(endpoint + f"?default-graph-uri={register}", content=ORGS,
                        headers={"Content-Type": "application/sparql-query"}).json()
    assert n_of(posted) == in_register
    graphs = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    named = httpx.post(endpoint, data={"query": graphs, "named-graph-uri": [register, iris.DERIVED_GRAPH]}).json()
    assert n_of(named) == 2
    all_graphs = sparql(data, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"]
    assert n_of(httpx.get(endpoint, params={"query": graphs}).json()) == all_graphs > 2
    assert httpx.get(endpoint, params={"query": ORGS, "default-graph-uri": "not an iri"}).status_code == 400


def test_malformed_requests_get_a_clear_400(endpoint):
    bad = httpx.get(endpoint, params={"query": "SELECT ?x WHERE { ?x "})
    assert bad.status_code == 400 and "not valid SPARQL" in bad.text
    with pytest.raises(QueryBadFormed):
        wrapper(endpoint, "SELEKT * WHERE {}").query()
    assert "no query given" in httpx.get(endpoint).text
    browser = httpx.get(endpoint, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.status_code == 303 and browser.headers["location"] == "/query/sparql"
    assert httpx.get(endpoint, params=[("query", ORGS), ("query", ORGS)]).status_code == 400
    wrong_type = httpx.post(endpoint, content=ORGS, headers={"Content-Type": "text/plain"})
    assert wrong_type.status_code == 415 and "application/sparql-query" in wrong_type.text


# ------------------------------------------------------------------------- read-only and bounded

@pytest.mark.parametrize("how", ["update-param", "update-body", "insert-as-query", "load-as-query", "drop-with-prefix"])
def test_updates_are_refused_and_change_nothing(endpoint, data, how):
    before = quads(data)
    insert = "INSERT DATA { <https://x.example/a> <https://x.example/b> <https://x.example/c> }"
    response = {
        "update-param": lambda: httpx.post(endpoint, data={"update": insert}),
        "update-body": lambda: httpx.post(endpoint, content=insert, headers={"Content-Type": "application/sparql-update"}),
        "insert-as-query": lambda: httpx.get(endpoint, params={"query": insert}),
        "load-as-query": lambda: httpx.post(endpoint, data={"query": "LOAD <https://x.example/data.ttl>"}),
        "drop-with-prefix": lambda: httpx.post(endpoint, content="PREFIX x: <https://x.example/#>\n# comment\n  drop ALL",
                                               headers={"Content-Type": "application/sparql-query"}),
    }[how]()
    assert response.status_code == 400 and "read-only" in response.text and "collabgraph build" in response.text
    assert quads(data) == before


def test_a_runaway_query_times_out_while_other_requests_are_answered(strict, data):
    headers = {"X-API-Key": KEY}
    result = {}

    def runaway():
        started = time.monotonic()
        result["response"] = httpx.get(strict + "/sparql", params={"query": RUNAWAY}, headers=headers, timeout=60)
        result["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.2)
    started = time.monotonic()
    quick = httpx.get(strict + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=headers, timeout=10)
    rest = httpx.get(strict + "/organisations", timeout=10)
    answered_in = time.monotonic() - started
    thread.join(60)
    assert quick.status_code == 200 and quick.json()["boolean"] is True and rest.status_code == 200
    assert answered_in < 1.0
    assert result["response"].status_code == 504 and "stopped" in result["response"].text
    assert result["seconds"] < 3.0
    workers = [p for p in psutil.Process().children(recursive=True) if "collabgraph.graph.sparql.worker" in " ".join(p.cmdline())]
    assert len(workers) <= 2  # the runaway's worker was ended, not left running
    assert all(p.cpu_percent(interval=0.2) < 50 for p in workers)


def test_results_beyond_the_row_limit_are_refused(strict):
    headers = {"X-API-Key": KEY}
    too_many = httpx.get(strict + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers=headers)
    assert too_many.status_code == 400 and "more than 5 rows" in too_many.text and "LIMIT" in too_many.text
    five = httpx.get(strict + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"}, headers=headers)
    assert five.status_code == 200 and len(five.json()["results"]["bindings"]) == 5
    graph = httpx.get(strict + "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers=headers)
    assert graph.status_code == 400 and "triples" in graph.text


# ------------------------------------------------------------------------- API key and CORS

def test_the_api_key_guards_sparql_only(strict, data):
    assert httpx.get(strict + "/sparql", params={"query": ORGS}).status_code == 401
    assert httpx.get(strict + "/sparql", params={"query": ORGS}, headers={"X-API-Key": "wrong"}).status_code == 401
    bearer = httpx.get(strict + "/sparql", params={"query": ORGS}, headers={"Authorization": f"Bearer {KEY}"})
    assert bearer.status_code == 200
    result = wrapper(strict + "/sparql", ORGS, key=KEY).queryAndConvert()
    assert n_of(result) == count(data, "Organisation")
    assert httpx.get(strict + "/organisations").status_code == 200


def test_cors_only_for_configured_origins(strict, endpoint):
    preflight = httpx.options(strict + "/sparql", headers={"Origin": YASGUI, "Access-Control-Request-Method": "POST",
                                                          "Access-Control-Request-Headers": "content-type,x-api-key"})
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == YASGUI
    yasgui = httpx.get(strict + "/sparql", params={"query": ORGS},
                       headers={"Origin": YASGUI, "X-API-Key": KEY, "Accept": "application/sparql-results+json,*/*;q=0.9"})
    assert yasgui.headers["access-control-allow-origin"] == YASGUI
    other = httpx.get(strict + "/sparql", params={"query": ORGS}, headers={"Origin": "https://evil.example", "X-API-Key": KEY})
    assert "access-control-allow-origin" not in other.headers
    default = httpx.get(endpoint, params={"query": ORGS}, headers={"Origin": YASGUI})
    assert default.status_code == 200 and "access-control-allow-origin" not in default.headers
