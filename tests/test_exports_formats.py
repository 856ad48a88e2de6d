"""Exports: the same formats under the same names on the CLI and REST, HEAD, compact JSON-LD, GraphML edge ids,
the relations CSV. Against the bundled data built with the real CLI and served by a real uvicorn server."""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import httpx
import networkx as nx
import pytest
import rdflib
from api_support import live_server, sparql
from exports_support import bundled_build, cli

from collabgraph.api.settings import Settings
from collabgraph.api.web.app import create_app
from collabgraph.graph.export import RELATION_COLUMNS
from collabgraph.ontology import PREFIXES, iris

NAMES = ("nquads", "trig", "turtle", "jsonld", "graphml", "gexf", "csv")
ALIASES = {"nq": "nquads", "ttl": "turtle"}
MEDIA = {"nquads": "application/n-quads", "trig": "application/trig", "turtle": "text/turtle",
         "jsonld": "application/ld+json", "graphml": "application/graphml+xml", "gexf": "application/gexf+xml",
         "csv": "text/csv"}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return bundled_build(tmp_path_factory)[1]


@pytest.fixture(scope="module")
def server(data):
    with live_server(create_app(data, Settings(sparql_workers=1))) as base:
        yield base


@pytest.fixture(scope="module")
def from_cli(data) -> dict[str, bytes]:
    out = {}
    for name in (*NAMES, *ALIASES):
        result = cli("export", "--format", name, "--data-dir", data)
        assert result.exit_code == 0, result.stderr
        out[name] = result.stdout_bytes
    return out


@pytest.fixture(scope="module")
def from_rest(server) -> dict[str, httpx.Response]:
    return {name: httpx.get(f"{server}/export/{name}", timeout=60) for name in (*NAMES, *ALIASES)}


def _quads(text: bytes, fmt: str) -> set:
    dataset = rdflib.Dataset()
    dataset.parse(data=text, format=fmt)
    return set(dataset.quads((None, None, None, None)))


@pytest.mark.parametrize("name", NAMES)
def test_cli_and_rest_give_the_same_export_under_the_same_name(name, from_cli, from_rest):
    response = from_rest[name]
    assert response.status_code == 200 and response.headers["content-type"].startswith(MEDIA[name])
    assert "attachment" in response.headers["content-disposition"]
    assert response.content == from_cli[name] and response.content


@pytest.mark.parametrize("alias, name", ALIASES.items())
def test_earlier_rest_names_are_aliases_on_both_surfaces(alias, name, from_cli, from_rest):
    assert from_rest[alias].content == from_rest[name].content == from_cli[alias] == from_cli[name]


def test_an_unknown_format_is_refused_naming_the_formats(data, server):
    result = cli("export", "--format", "xlsx", "--data-dir", data)
    assert result.exit_code == 1 and "xlsx" in result.stderr and all(n in result.stderr for n in NAMES)
    assert httpx.get(f"{server}/export/xlsx").status_code == 422


@pytest.mark.parametrize("name", [*NAMES, "nq"])
def test_head_on_an_export_has_the_get_headers_and_no_body(name, server, from_rest):
    head = httpx.head(f"{server}/export/{name}", timeout=60)
    get = from_rest[name]
    assert head.status_code == 200 and head.content == b""
    for header in ("content-type", "content-length", "content-disposition"):
        assert head.headers[header] == get.headers[header]


def test_jsonld_is_compact_with_an_embedded_context_and_reads_back_to_the_same_quads(from_cli):
    document = json.loads(from_cli["jsonld"])
    context = document["@context"]
    assert isinstance(context, dict)  # embedded: nothing to fetch
    for prefix in ("cg", "skos", "prov", "rdfs", "xsd", "org", "dcterms"):
        assert context[prefix] == PREFIXES[prefix]
    keys = set()

    def walk(node):
        if isinstance(node, dict):
            keys.update(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    ids: list[str] = []

    def walk_ids(node):
        if isinstance(node, dict):
            ids.extend(v for k, v in node.items() if k == "@id")
            for value in node.values():
                walk_ids(value)
        elif isinstance(node, list):
            for value in node:
                walk_ids(value)

    walk(document["@graph"])
    walk_ids(document["@graph"])
    assert {"cg:name", "prov:wasDerivedFrom", "dcterms:title"} <= keys
    assert ids and not [i for i in ids if i.startswith("https://w3id.org/collabgraph/")], "project IRIs against @base"
    assert not [k for k in keys if "://" in k], "every property is a compact IRI"
    assert not [k for k in keys if not k.startswith("@") and k.split(":")[0] not in context]
    assert _quads(from_cli["jsonld"], "json-ld") == _quads(from_cli["nquads"], "nquads")


def test_graphml_edge_ids_are_unique_and_it_reads_back(from_rest, data):
    root = ET.fromstring(from_rest["graphml"].content)
    ids = [e.get("id") for e in root.iter("{http://graphml.graphdrawing.org/xmlns}edge")]
    assert ids and None not in ids and len(ids) == len(set(ids))
    graph = nx.read_graphml(io.BytesIO(from_rest["graphml"].content))
    assert graph.number_of_edges() == len(ids)
    gexf = ET.fromstring(from_rest["gexf"].content)
    gexf_ids = [e.get("id") for e in gexf.iter() if e.tag.endswith("}edge")]
    assert len(gexf_ids) == len(set(gexf_ids)) == len(ids)


def test_relations_csv_has_via_date_themes_and_sources(from_rest, data):
    rows = list(csv.DictReader(io.StringIO(from_rest["csv"].text)))
    assert tuple(rows[0]) == RELATION_COLUMNS
    # one partnership row per pair and agreement or programme (or stated), as the derived graph says
    expected = {(r["a"], r["b"], r["via"] or "") for r in sparql(data, f"""SELECT DISTINCT ?a ?b ?via WHERE {{
        GRAPH <{iris.DERIVED_GRAPH}> {{ ?ev rdf:subject ?a ; rdf:predicate cg:partnersWith ; rdf:object ?b
        OPTIONAL {{ ?ev cg:via ?via }} }} FILTER(STR(?a) < STR(?b)) }}""")}
    partnerships = [r for r in rows if r["relation"] == "partnersWith"]
    assert {(iris.from_local_id(r["subject_id"]), iris.from_local_id(r["object_id"]),
             iris.from_local_id(r["via_id"]) if r["via_id"] else "") for r in partnerships} == expected
    assert len(partnerships) == len(expected)
    programme = sparql(data, "SELECT ?p ?d (SAMPLE(?tn) AS ?theme) WHERE { ?p a cg:Programme ; cg:startDate ?d ; "
                             "cg:hasTheme/cg:name ?tn ; cg:partner ?x } GROUP BY ?p ?d ORDER BY ?p LIMIT 1")[0]
    through = [r for r in partnerships if r["via_id"] == iris.local_id(programme["p"])]
    assert through and all(r["via_kind"] == "programme" and r["date"] == str(programme["d"]) for r in through)
    assert all(programme["theme"] in r["themes"].split("; ") for r in through)
    assert all(r["sources"] for r in rows)
    documents = {r["path"] for r in sparql(data, "SELECT ?path WHERE { ?g a cg:Source ; cg:path ?path }")}
    assert {s for r in rows for s in r["sources"].split("; ")} <= documents, "sources by their relative path"
    stated = [r for r in partnerships if not r["via_id"]]
    assert stated and all(r["via_kind"] == r["date"] == r["themes"] == "" for r in stated)
