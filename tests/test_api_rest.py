"""The REST API against a real dataset: lists, details, partners with evidence, paths, analytics, exports.

Every expected value is read from the RDF dataset with SPARQL (through the
store, not the API), so the tests hold whatever extraction finds.
"""
import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

import httpx
import networkx as nx
import pytest
import rdflib
from api_support import count, count_entities, live_server, shared_dataset, sparql
from conftest import SEEDS
from fastapi.testclient import TestClient

from collabgraph.api.settings import Settings, SettingsError
from collabgraph.api.web.app import create_app
from collabgraph.graph.build import BUNDLED_DATA, build
from collabgraph.ontology import iris

DERIVED = iris.DERIVED_GRAPH
KIND_ROUTES = {"Organisation": "organisations", "Programme": "programmes", "Agreement": "agreements",
               "Person": "people", "Theme": "themes"}


@pytest.fixture(scope="session")
def data(tmp_path_factory) -> Path:
    return shared_dataset(tmp_path_factory, SEEDS if SEEDS.is_dir() else None)


@pytest.fixture(scope="module")
def client(data):
    with TestClient(create_app(data, Settings(sparql_workers=1)), base_url="http://localhost") as c:
        yield c


def all_items(client, url: str, page: int = 7, **params) -> list[dict]:
    """Every item of a paged list, fetched page by page."""
    items, offset = [], 0
    while True:
        body = client.get(url, params={**params, "limit": page, "offset": offset}).json()
        items += body["items"]
        offset += page
        if offset >= body["total"]:
            return items


def partner_sets(data: Path) -> dict[str, set[str]]:
    """Organisation -> its partners, from the derived graph."""
    out = defaultdict(set)
    for r in sparql(data, f"SELECT ?a ?b WHERE {{ GRAPH <{DERIVED}> {{ ?a cg:partnersWith ?b }} }}"):
        out[r["a"]].add(r["b"])
    return out


def partner_graph(data: Path, via_class: str | None = None) -> nx.Graph:
    """The partnership network from SPARQL, optionally only links through agreements or programmes."""
    where = f"?ev cg:via ?via . ?via a cg:{via_class} ." if via_class else ""
    g = nx.Graph()
    g.add_nodes_from(r["o"] for r in sparql(data, "SELECT ?o WHERE { ?o a cg:Organisation }"))
    for r in sparql(data, f"""SELECT DISTINCT ?a ?b WHERE {{ GRAPH <{DERIVED}> {{
            ?ev rdf:subject ?a ; rdf:predicate cg:partnersWith ; rdf:object ?b }} {where} }}"""):
        g.add_edge(r["a"], r["b"])
    return g


def best_connected(data: Path) -> str:
    g = partner_graph(data)
    return max(g, key=lambda n: (g.degree(n), n))


# ------------------------------------------------------------------------- lists and paging

@pytest.mark.parametrize("kind", list(KIND_ROUTES))
def test_every_list_holds_exactly_the_entities_of_its_kind(client, data, kind):
    expected = {r["x"] for r in sparql(data, f"SELECT DISTINCT ?x WHERE {{ ?x a cg:{kind} }}")}
    items = all_items(client, f"/{KIND_ROUTES[kind]}")
    assert len(items) == len({i["iri"] for i in items})
    assert {i["iri"] for i in items} == expected
    several_kinds = {r["x"] for r in sparql(data, "SELECT ?x WHERE { ?x a ?k1, ?k2 VALUES ?k1 { cg:Organisation cg:Person "
                                                   "cg:Programme cg:Agreement cg:Theme } FILTER(?k2 != ?k1 && ?k2 IN "
                                                   "(cg:Organisation, cg:Person, cg:Programme, cg:Agreement, cg:Theme)) }")}
    assert all(i["id"] == iris.local_id(i["iri"]) for i in items)
    assert all(i["kind"] == kind for i in items if i["iri"] not in several_kinds)
    names = [i["name"].lower() for i in items]
    assert names == sorted(names)


def test_paging_reports_the_total_and_slices_consistently(client, data):
    first = client.get("/organisations", params={"limit": 3, "offset": 0}).json()
    second = client.get("/organisations", params={"limit": 3, "offset": 3}).json()
    assert first["total"] == second["total"] == count(data, "Organisation")
    assert (first["limit"], first["offset"], second["offset"]) == (3, 0, 3)
    assert len(first["items"]) == 3 and not {i["iri"] for i in first["items"]} & {i["iri"] for i in second["items"]}
    beyond = client.get("/organisations", params={"offset": first["total"] + 5}).json()
    assert beyond["items"] == [] and beyond["total"] == first["total"]


def test_q_matches_names_and_aliases_in_any_case(client, data):
    row = sparql(data, "SELECT ?o ?alias ?name WHERE { ?o a cg:Organisation ; skos:altLabel ?alias ; cg:name ?name "
                       "FILTER(!CONTAINS(LCASE(?name), LCASE(?alias))) } ORDER BY ?o LIMIT 1")[0]
    by_alias = client.get("/organisations", params={"q": row["alias"].upper()[1:]}).json()["items"]
    assert row["o"] in {i["iri"] for i in by_alias}
    word = max(row["name"].split(), key=len)
    by_name = all_items(client, "/organisations", q=word.lower())
    expected = {r["o"] for r in sparql(data, f"""SELECT DISTINCT ?o WHERE {{ ?o a cg:Organisation
        {{ ?o cg:name ?l }} UNION {{ ?o skos:altLabel ?l }} FILTER(CONTAINS(LCASE(?l), {json.dumps(word.lower())})) }}""")}
    assert {i["iri"] for i in by_name} == expected and row["o"] in expected
    assert client.get("/organisations", params={"q": "no organisation is called this"}).json()["total"] == 0


def test_type_filters_organisations_by_class(client, data):
    for cls in ("University", "NHSTrust"):
        body = client.get("/organisations", params={"type": cls, "limit": 1000}).json()
        assert body["total"] == count(data, cls) > 0
        assert {i["type"] for i in body["items"]} == {cls}
    wrong = client.get("/organisations", params={"type": "Castle"})
    assert wrong.status_code == 422 and "type" in wrong.json()["detail"] and "University" in wrong.text


# ------------------------------------------------------------------------- details

def test_organisation_detail_matches_the_dataset(client, data):
    org = best_connected(data)
    body = client.get(f"/organisations/{iris.local_id(org)}").json()
    assert body["iri"] == org
    assert set(body["aliases"]) == {r["a"] for r in sparql(data, f"SELECT ?a WHERE {{ <{org}> skos:altLabel ?a }}")}
    programmes = {(r["p"], r["r"].rsplit("#")[-1]) for r in sparql(data, f"""SELECT DISTINCT ?p ?r WHERE {{
        ?p a cg:Programme ; ?r <{org}> VALUES ?r {{ cg:partner cg:hostedBy cg:fundedBy }} }}""")}
    assert {(p["iri"], p["role"]) for p in body["programmes"]} == programmes
    agreements = {r["a"] for r in sparql(data, f"SELECT DISTINCT ?a WHERE {{ ?a a cg:Agreement ; cg:party <{org}> }}")}
    assert {a["iri"] for a in body["agreements"] if a["role"] == "party"} == agreements
    people = {r["p"] for r in sparql(data, f"SELECT DISTINCT ?p WHERE {{ ?p cg:memberOf <{org}> }}")}
    assert {p["iri"] for p in body["people"]} == people
    sources = {r["g"] for r in sparql(data, f"SELECT DISTINCT ?g WHERE {{ <{org}> prov:wasDerivedFrom ?g }}")}
    assert {s["graph"] for s in body["sources"]} == sources and all(s["title"] for s in body["sources"])
    for scheme, prop in (("ror", "ror"), ("ods", "odsCode")):
        values = [r["v"] for r in sparql(data, f"SELECT ?v WHERE {{ <{org}> cg:{prop} ?v }}")]
        assert body["identifiers"].get(scheme) == (values[0] if values else None)


def test_people_carry_their_role_titles(client, data):
    rows = sparql(data, "SELECT ?p ?o ?role WHERE { ?m a cg:Membership ; org:member ?p ; org:organization ?o ; "
                        "cg:roleTitle ?role } ORDER BY ?p ?o LIMIT 1")
    if not rows:
        pytest.skip("the extractor found no roles in these documents")
    person, org, role = rows[0]["p"], rows[0]["o"], rows[0]["role"]
    in_org = client.get(f"/organisations/{iris.local_id(org)}").json()["people"]
    assert (person, role) in {(p["iri"], p["role"]) for p in in_org}
    detail = client.get(f"/people/{iris.local_id(person)}").json()
    membership = next(m for m in detail["memberships"] if m["organisation"]["iri"] == org)
    assert membership["role"] == role
    sentences = {r["s"] for r in sparql(data, f"""SELECT ?s WHERE {{ ?ev rdf:subject <{person}> ;
        rdf:predicate cg:memberOf ; rdf:object <{org}> ; cg:sentence ?s }}""")}
    assert {e["sentence"] for e in membership["evidence"]} == sentences


@pytest.mark.parametrize("kind", list(KIND_ROUTES))
def test_every_entity_has_a_detail_route(client, data, kind):
    items = all_items(client, f"/{KIND_ROUTES[kind]}", page=200)
    if not items:
        pytest.skip(f"the dataset has no {kind} (the extractor found none)")
    for item in items:
        response = client.get(f"/{KIND_ROUTES[kind]}/{item['id']}")
        assert response.status_code == 200, response.text
        assert response.json()["iri"] == item["iri"] and response.json()["sources"]


def test_programme_detail_lists_host_funder_partners_and_funding(client, data):
    rows = sparql(data, "SELECT ?p ?amount WHERE { ?p a cg:Programme ; cg:fundingAmount ?amount } ORDER BY ?p LIMIT 1")
    programme = rows[0]["p"]
    body = client.get(f"/programmes/{iris.local_id(programme)}").json()
    for field, prop in (("hosts", "hostedBy"), ("funders", "fundedBy"), ("partners", "partner"), ("themes", "hasTheme")):
        expected = {r["x"] for r in sparql(data, f"SELECT ?x WHERE {{ <{programme}> cg:{prop} ?x }}")}
        assert {x["iri"] for x in body[field]} == expected, field
    assert body["funding"]["amount"] == rows[0]["amount"]


def test_agreement_parties_come_with_their_evidence(client, data):
    rows = sparql(data, "SELECT ?a WHERE { ?a a cg:Agreement } ORDER BY ?a LIMIT 1")
    if not rows:
        pytest.skip("the extractor found no agreements in these documents")
    agreement = rows[0]["a"]
    body = client.get(f"/agreements/{iris.local_id(agreement)}").json()
    parties = {r["o"] for r in sparql(data, f"SELECT ?o WHERE {{ <{agreement}> cg:party ?o }}")}
    assert {p["iri"] for p in body["parties"]} == parties
    for party in body["parties"]:
        sentences = {r["s"] for r in sparql(data, f"""SELECT ?s WHERE {{ ?ev rdf:subject <{agreement}> ;
            rdf:predicate cg:party ; rdf:object <{party['iri']}> ; cg:sentence ?s }}""")}
        assert {e["sentence"] for e in party["evidence"] if e["sentence"]} == sentences


def test_theme_detail_includes_narrower_themes_and_tagged_entities(client, data):
    row = sparql(data, "SELECT ?broad ?narrow WHERE { ?narrow skos:broader ?broad } ORDER BY ?broad LIMIT 1")[0]
    body = client.get(f"/themes/{iris.local_id(row['broad'])}").json()
    assert row["narrow"] in {t["iri"] for t in body["narrower"]}
    tagged = {r["x"] for r in sparql(data, f"SELECT ?x WHERE {{ ?x cg:hasTheme <{row['broad']}> }}")}
    listed = body["programmes"] + body["agreements"] + body["organisations"]
    assert {x["iri"] for x in listed} == tagged


def test_ids_may_be_local_ids_bare_keys_or_full_iris(client, data):
    org = best_connected(data)
    local = iris.local_id(org)
    expected = client.get(f"/organisations/{local}").json()
    for form in (local.split("/", 1)[1], org, quote(org, safe=""), "/" + local):
        response = client.get(f"/organisations/{form}")
        assert response.status_code == 200 and response.json() == expected, form


def test_unknown_ids_get_a_404_that_says_what_to_do(client):
    response = client.get("/organisations/organisation/no-such-organisation")
    assert response.status_code == 404
    assert "no-such-organisation" in response.json()["detail"] and "/organisations?q=" in response.json()["detail"]
    programme_as_org = client.get("/organisations/" + "programme/x")
    assert programme_as_org.status_code == 404
    assert client.get("/people/not a valid iri>").status_code == 404


def test_bad_parameters_get_a_422_naming_the_parameter(client, data):
    org = iris.local_id(best_connected(data))
    for params, name in (({"depth": 4}, "depth"), ({"via": "friendship"}, "via"), ({"limit": 0}, "limit")):
        response = client.get(f"/organisations/{org}/partners", params=params)
        assert response.status_code == 422
        assert f"query parameter {name}" in response.json()["detail"] and "/docs" in response.json()["detail"]
    assert client.get("/partnerships", params={"since": "last year"}).status_code == 422


# ------------------------------------------------------------------------- partners, partnerships, paths

def test_direct_partners_are_the_derived_partnerships_with_evidence(client, data):
    org = best_connected(data)
    body = client.get(f"/organisations/{iris.local_id(org)}/partners", params={"limit": 1000}).json()
    assert {p["partner"]["iri"] for p in body["items"]} == partner_sets(data)[org]
    assert body["total"] == len(body["items"]) and body["organisation"]["iri"] == org
    for p in body["items"]:
        assert p["distance"] == 1 and p["path"] == [] and len(p["hops"]) == 1
        links = p["hops"][0]["links"]
        vias = {r["v"] for r in sparql(data, f"""SELECT ?v WHERE {{ GRAPH <{DERIVED}> {{ ?ev rdf:subject <{org}> ;
            rdf:predicate cg:partnersWith ; rdf:object <{p['partner']['iri']}> ; cg:via ?v }} }}""")}
        assert {link["via"]["iri"] for link in links if link["via"]} == vias
        for link in links:
            assert link["evidence"], f"no evidence for {link}"
            assert all(e["source"] and e["source"]["title"] for e in link["evidence"])
            if link["via"]:
                is_agreement = sparql(data, f"SELECT ?t WHERE {{ <{link['via']['iri']}> a cg:Agreement }}") != []
                assert link["kind"] == ("agreement" if is_agreement else "programme")
                assert {e["statement"]["subject"] for e in link["evidence"]} == {link["via"]["id"]}


def test_partner_evidence_includes_the_sentence_from_the_document(client, data):
    rows = sparql(data, f"""SELECT ?a ?b ?via ?sentence WHERE {{
        GRAPH <{DERIVED}> {{ ?d rdf:subject ?a ; rdf:object ?b ; cg:via ?via }}
        ?ev rdf:subject ?via ; rdf:object ?a ; cg:sentence ?sentence . }} ORDER BY ?a ?b LIMIT 1""")
    if not rows:
        pytest.skip("no partnership in this dataset comes from a document sentence")
    row = rows[0]
    body = client.get(f"/organisations/{iris.local_id(row['a'])}/partners", params={"limit": 1000}).json()
    partner = next(p for p in body["items"] if p["partner"]["iri"] == row["b"])
    sentences = {e["sentence"] for link in partner["hops"][0]["links"] for e in link["evidence"]}
    assert row["sentence"] in sentences
    document = next(e["source"] for link in partner["hops"][0]["links"] for e in link["evidence"]
                    if e["sentence"] == row["sentence"])
    assert document["kind"] == "document" and document["path"]


def test_via_keeps_only_links_through_agreements_or_programmes(client, data):
    for via, cls in (("agreement", "Agreement"), ("programme", "Programme")):
        g = partner_graph(data, cls)
        org = max(g, key=lambda n: (g.degree(n), n))
        body = client.get(f"/organisations/{iris.local_id(org)}/partners", params={"via": via, "limit": 1000}).json()
        assert {p["partner"]["iri"] for p in body["items"]} == set(g[org])
        assert all(link["kind"] == via for p in body["items"] for link in p["hops"][0]["links"])


@pytest.mark.parametrize("depth", [2, 3])
def test_deeper_partners_follow_shortest_chains(client, data, depth):
    g = partner_graph(data)
    org = best_connected(data)
    expected = {n: d for n, d in nx.single_source_shortest_path_length(g, org, cutoff=depth).items() if n != org}
    body = client.get(f"/organisations/{iris.local_id(org)}/partners", params={"depth": depth, "limit": 1000}).json()
    assert {p["partner"]["iri"]: p["distance"] for p in body["items"]} == expected
    assert [p["distance"] for p in body["items"]] == sorted(p["distance"] for p in body["items"])
    for p in body["items"]:
        chain = [h["from"] for h in p["hops"]] + [p["hops"][-1]["to"]]
        assert chain[0] == iris.local_id(org) and chain[-1] == p["partner"]["id"]
        assert chain[1:-1] == [x["id"] for x in p["path"]] and len(p["hops"]) == p["distance"]
        assert all(g.has_edge(iris.from_local_id(a), iris.from_local_id(b)) for a, b in zip(chain, chain[1:]))


def test_partnerships_list_every_pair_once_with_filters(client, data):
    pairs = {(r["a"], r["b"]) for r in sparql(data, f"""SELECT DISTINCT ?a ?b WHERE {{ GRAPH <{DERIVED}> {{
        ?a cg:partnersWith ?b }} FILTER(STR(?a) < STR(?b)) }}""")}
    items = all_items(client, "/partnerships", page=50)
    assert {(i["a"]["iri"], i["b"]["iri"]) for i in items} == pairs
    order = [(i["a"]["name"].lower(), i["b"]["name"].lower(), (i["via"] or {}).get("name", "")) for i in items]
    assert order == sorted(order), "pages follow one name order across page boundaries"
    programmes = [i for i in all_items(client, "/partnerships", page=50, type="Programme")]
    assert programmes and all(i["kind"] == "programme" for i in programmes)
    row = sparql(data, "SELECT ?p ?t ?d WHERE { ?p a cg:Programme ; cg:hasTheme ?t ; cg:startDate ?d ; cg:partner ?x } "
                       "ORDER BY ?p LIMIT 1")[0]
    year = str(row["d"])[:4]
    themed = {(i["via"] or {}).get("iri") for i in all_items(client, "/partnerships", page=50, theme=iris.local_id(row["t"]))}
    with_theme = {r["v"] for r in sparql(data, f"""SELECT DISTINCT ?v WHERE {{ ?v cg:hasTheme/skos:broader* <{row['t']}> .
        GRAPH <{DERIVED}> {{ ?ev cg:via ?v }} }}""")}
    assert row["p"] in themed and themed == with_theme
    since_then = {(i["via"] or {}).get("iri") for i in all_items(client, "/partnerships", page=50, since=year)}
    later = {(i["via"] or {}).get("iri") for i in all_items(client, "/partnerships", page=50, since=f"{int(year) + 1}-01-01")}
    assert row["p"] in since_then and row["p"] not in later
    assert client.get("/partnerships", params={"theme": "theme/no-such-theme"}).status_code == 404


def test_paths_find_the_shortest_chain_or_say_there_is_none(client, data):
    g = partner_graph(data)
    lengths = dict(nx.all_pairs_shortest_path_length(g))
    a, b = next((x, y) for x in sorted(lengths) for y, d in sorted(lengths[x].items()) if d == 2)
    body = client.get("/paths", params={"from": iris.local_id(a), "to": iris.local_id(b)}).json()
    assert body["found"] and len(body["hops"]) == 2 and body["nodes"][0]["iri"] == a and body["nodes"][-1]["iri"] == b
    assert all(h["links"] for h in body["hops"])
    too_short = client.get("/paths", params={"from": iris.local_id(a), "to": iris.local_id(b), "max": 1}).json()
    assert too_short["found"] is False and "max" in too_short["message"]
    isolated = next(n for n in sorted(g) if g.degree(n) == 0)
    none = client.get("/paths", params={"from": iris.local_id(a), "to": iris.local_id(isolated)}).json()
    assert none["found"] is False and none["hops"] == []
    assert client.get("/paths", params={"from": "organisation/nowhere", "to": iris.local_id(b)}).status_code == 404


# ------------------------------------------------------------------------- analytics

def test_centrality_ranks_organisations_by_their_partnerships(client, data):
    g = partner_graph(data)
    body = client.get("/analytics/centrality", params={"limit": 1000, "sort": "degree"}).json()
    assert body["total"] == body["nodes"] == g.number_of_nodes() and body["edges"] == g.number_of_edges()
    degrees = {i["entity"]["iri"]: i["scores"]["degree"] for i in body["items"]}
    assert degrees == dict(g.degree())
    assert list(degrees.values()) == sorted(degrees.values(), reverse=True)
    between = nx.betweenness_centrality(g)
    top = client.get("/analytics/centrality", params={"limit": 1}).json()["items"][0]
    assert top["scores"]["betweenness"] == pytest.approx(max(between.values()), abs=1e-5)


def test_communities_partition_the_connected_organisations(client, data):
    g = partner_graph(data)
    body = client.get("/analytics/communities").json()
    members = [m["iri"] for c in body["communities"] for m in c["members"]]
    assert len(members) == len(set(members))
    assert set(members) == {n for n in g if g.degree(n) > 0}
    assert all(c["size"] == len(c["members"]) >= 2 for c in body["communities"])
    cut = set(nx.articulation_points(g))
    assert cut <= {b["entity"]["iri"] for b in body["brokers"]}


# ------------------------------------------------------------------------- exports and health

def test_exports_hold_the_whole_dataset(client, data):
    quads = sparql(data, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"]
    nq = client.get("/export/nq")
    assert nq.status_code == 200 and "attachment" in nq.headers["content-disposition"]
    dataset = rdflib.Dataset()
    dataset.parse(data=nq.text, format="nquads")
    assert len(list(dataset.quads((None, None, None, None)))) == quads
    triples = sparql(data, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")[0]["n"]
    assert len(rdflib.Graph().parse(data=client.get("/export/ttl").text, format="turtle")) == triples
    jsonld = rdflib.Dataset()
    jsonld.parse(data=client.get("/export/jsonld").text, format="json-ld")
    assert len(list(jsonld.quads((None, None, None, None)))) == quads
    graph = nx.read_graphml(io.BytesIO(client.get("/export/graphml").content))
    assert graph.number_of_nodes() == count_entities(data)
    rows = list(csv.DictReader(io.StringIO(client.get("/export/csv").text)))
    relations = sparql(data, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o VALUES ?p { "
                             "cg:memberOf cg:party cg:partner cg:fundedBy cg:hostedBy cg:partOf cg:hasTheme cg:succeeds "
                             "skos:broader } } }")[0]["n"]
    # and one row per partner pair and agreement or programme (tests/test_exports_formats.py checks those)
    assert len([r for r in rows if r["relation"] != "partnersWith"]) == relations
    assert {"subject_id", "subject_name", "relation", "object_id", "object_name", "via_id", "sources"} <= set(rows[0])
    assert client.get("/export/xlsx").status_code == 422


def test_health_reports_each_store(client):
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["stores"]["rdf"]["status"] == "ok" and body["stores"]["rdf"]["detail"]["quads"] > 0
    assert body["stores"]["property"]["status"] == "ok"


def test_health_says_when_the_indexes_a_server_makes_at_start_are_ready(data):
    """`collabgraph serve` makes the name and partner indexes as soon as it starts; /health tells a readiness
    check when they are ready. An app not asked to (the default for an embedded app) makes them on first use."""
    from fastapi.testclient import TestClient

    from collabgraph.api.settings import Settings
    from collabgraph.api.web.app import create_app
    with TestClient(create_app(data, Settings(sparql_workers=1)), base_url="http://localhost") as c:
        assert c.get("/health").json()["indexes"] == {"names": "not started", "partner index": "not started"}
    with TestClient(create_app(data, Settings(sparql_workers=1, warm_indexes=True)), base_url="http://localhost") as c:
        deadline = time.monotonic() + 60
        while (states := set(c.get("/health").json()["indexes"].values())) != {"ready"} and time.monotonic() < deadline:
            assert states <= {"ready", "computing"}
            time.sleep(0.1)
        assert states == {"ready"}


def test_openapi_documents_every_route(client):
    assert "swagger" in client.get("/docs").text.lower()
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/organisations", "/organisations/{id}", "/organisations/{id}/partners", "/partnerships", "/paths",
                 "/programmes", "/programmes/{id}", "/agreements", "/agreements/{id}", "/people", "/people/{id}",
                 "/themes", "/themes/{id}", "/analytics/centrality", "/analytics/communities", "/export/{format}",
                 "/health", "/sparql", "/cypher"):
        assert path in paths, path


# ------------------------------------------------------------------------- no dataset, new builds

def test_without_a_dataset_routes_answer_503_until_a_build_appears(tmp_path):
    root = tmp_path / "d"
    with TestClient(create_app(root, Settings(sparql_workers=1)), base_url="http://localhost") as c:
        response = c.get("/organisations")
        assert response.status_code == 503 and "collabgraph build" in response.json()["detail"]
        assert c.get("/health").status_code == 503
        assert c.get("/sparql", params={"query": "ASK {}"}).status_code == 503
        assert c.get("/view").status_code == 503
        home = c.get("/")
        assert home.status_code == 200 and "collabgraph build" in home.text
        build(root, [BUNDLED_DATA])
        assert c.get("/organisations").json()["total"] == count(root, "Organisation")


def test_a_new_build_is_served_without_a_restart(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(BUNDLED_DATA / "register", corpus / "register")
    root = tmp_path / "d"
    build(root, [corpus])
    with TestClient(create_app(root, Settings(sparql_workers=1)), base_url="http://localhost") as c:
        before = c.get("/organisations").json()["total"]
        sparql_before = c.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?o a cg:Organisation }"},
                              headers={"Accept": "text/csv"}).text
        organisations = corpus / "register" / "organisations.yaml"
        organisations.write_text(organisations.read_text() + "  - name: Newly Built Health Partnership\n"
                                                             "    type: OrganisationGroup\n")
        build(root, [corpus])
        assert c.get("/organisations").json()["total"] == before + 1
        sparql_after = c.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?o a cg:Organisation }"},
                             headers={"Accept": "text/csv"}).text
        assert sparql_after.split()[-1] == str(before + 1) != sparql_before.split()[-1]
        assert c.get("/organisations", params={"q": "newly built"}).json()["total"] == 1


# ------------------------------------------------------------------------- settings and the serve command

def test_settings_come_from_the_environment_with_safe_defaults():
    default = Settings.from_env({})
    assert default.host == "127.0.0.1" and default.cors_origins == () and default.api_key is None
    s = Settings.from_env({"COLLABGRAPH_SPARQL_TIMEOUT": "2.5", "COLLABGRAPH_CORS_ORIGINS": "https://a.example/, https://b.example",
                           "COLLABGRAPH_API_KEY": "s3cret-key", "COLLABGRAPH_VIEW_NODE_LIMIT": "40"})
    assert (s.sparql_timeout, s.cors_origins, s.api_key, s.view_node_limit) == (2.5, ("https://a.example", "https://b.example"), "s3cret-key", 40)
    assert "s3cret-key" not in repr(s)
    with pytest.raises(SettingsError, match="COLLABGRAPH_SPARQL_ROW_LIMIT"):
        Settings.from_env({"COLLABGRAPH_SPARQL_ROW_LIMIT": "lots"})
    with pytest.raises(SettingsError, match="COLLABGRAPH_CYPHER_TIMEOUT"):
        Settings.from_env({"COLLABGRAPH_CYPHER_TIMEOUT": "0"})


def test_collabgraph_serve_serves_the_dataset_on_loopback(data, tmp_path):
    with live_server(create_app(data, Settings(sparql_workers=1))) as url:  # only to find a free port
        port = int(url.rsplit(":", 1)[1])
    env = {**os.environ, "COLLABGRAPH_VIEW_NODE_LIMIT": "7"}
    proc = subprocess.Popen([sys.executable, "-m", "collabgraph.api", "serve", "--port", str(port), "--data-dir", str(data)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/organisations", timeout=5)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read().decode()
                time.sleep(0.2)
        assert health.status_code == 200 and health.json()["total"] == count(data, "Organisation")
        assert httpx.get(f"http://127.0.0.1:{port}/view.json").json()["shown_nodes"] == 7
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
