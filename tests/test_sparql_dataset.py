"""SPARQL datasets on the bundled data, through the real CLI, the real store and a real uvicorn server.

The default graph is the RDF merge of all named graphs, a set: a triple that
several sources state is counted, summed, constructed and described once. The
query's FROM / FROM NAMED choose its dataset, and the protocol's
default-graph-uri / named-graph-uri overrule both. Builds keep the stored merge
right as sources come and go.
"""
from __future__ import annotations

import json
import shutil

import httpx
import pytest
from api_support import live_server
from pyoxigraph import DefaultGraph, NamedNode, Store

from collabgraph.api.settings import Settings
from collabgraph.api.web.app import create_app
from collabgraph.graph import dataset
from collabgraph.graph.build import BUNDLED_DATA, build
from collabgraph.graph.default_graph import STALE_GRAPH, names_dataset
from collabgraph.ontology import CG, iris

THEMES = iris.register_graph_iri("themes")
PROGRAMMES = iris.register_graph_iri("programmes")
HDRC = iris.entity_iri("Programme", "NIHR Health Determinants Research Collaboration Leicestershire")
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
COUNT_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("dataset") / "data"
    build(root, [BUNDLED_DATA])
    return root


@pytest.fixture(scope="module")
def endpoint(data):
    with live_server(create_app(data, Settings(sparql_workers=1))) as url:
        yield url + "/sparql"


def one(root, text: str):
    """The single value of a one-row, one-column query, read from the store."""
    _, found = dataset.rows(dataset.query(dataset.open_store(root), text))
    assert len(found) == 1, found
    return next(iter(found[0].values()))


def cli_value(cli, root, text: str):
    result = cli("query", "sparql", text, "--format", "json", "--data-dir", root)
    assert result.exit_code == 0, result.stdout + result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 1, rows
    return next(iter(rows[0].values()))


def over_http(endpoint: str, text: str, **params) -> list[dict]:
    answer = httpx.get(endpoint, params={"query": text, **params}, headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]["bindings"]


def distinct_union(root) -> set:
    store = dataset.open_store(root)
    return {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, None)
            if not isinstance(q.graph_name, DefaultGraph)}


def default_graph(root) -> set:
    store = dataset.open_store(root)
    return {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, DefaultGraph())}


# ------------------------------------------------------------------------- FROM and FROM NAMED

def test_from_counts_only_that_graph_in_the_cli_and_on_the_endpoint(cli, data, endpoint):
    in_themes = one(data, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{THEMES}> {{ ?s ?p ?o }} }}")
    everything = one(data, COUNT_ALL)
    assert 0 < in_themes < everything
    query = f"SELECT (COUNT(*) AS ?n) FROM <{THEMES}> WHERE {{ ?s ?p ?o }}"
    assert cli_value(cli, data, query) == in_themes
    assert int(over_http(endpoint, query)[0]["n"]["value"]) == in_themes


def test_from_named_limits_graph_and_leaves_the_default_graph_empty(cli, data, endpoint):
    query = f"SELECT DISTINCT ?g FROM NAMED <{THEMES}> FROM NAMED <{PROGRAMMES}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert {b["g"]["value"] for b in over_http(endpoint, query)} == {THEMES, PROGRAMMES}
    assert cli_value(cli, data, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{THEMES}> WHERE {{ ?s ?p ?o }}") == 0


def test_protocol_dataset_overrules_the_query_dataset(endpoint, data):
    in_programmes = one(data, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{PROGRAMMES}> {{ ?s ?p ?o }} }}")
    query = f"SELECT (COUNT(*) AS ?n) FROM <{THEMES}> WHERE {{ ?s ?p ?o }}"
    assert int(over_http(endpoint, query, **{"default-graph-uri": PROGRAMMES})[0]["n"]["value"]) == in_programmes


def test_without_a_dataset_graph_sees_every_named_graph(endpoint, data):
    graphs = {b["g"]["value"] for b in over_http(endpoint, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert graphs == set(dataset.graph_names(dataset.open_store(data)))
    assert iris.DERIVED_GRAPH in graphs and STALE_GRAPH not in graphs


# ------------------------------------------------------------------------- the default graph is a set

def test_a_triple_stated_by_two_sources_counts_and_sums_once(cli, data):
    stated_by = one(data, f"SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ <{HDRC}> cg:fundingAmount ?a }} }}")
    assert stated_by == 2  # the register and the HDRC page both say £5.25 million
    amount = one(data, f"SELECT ?a WHERE {{ GRAPH <{PROGRAMMES}> {{ <{HDRC}> cg:fundingAmount ?a }} }}")
    assert cli_value(cli, data, f"SELECT (SUM(?a) AS ?t) WHERE {{ <{HDRC}> cg:fundingAmount ?a }}") == amount
    assert cli_value(cli, data, f"SELECT (COUNT(*) AS ?n) WHERE {{ <{HDRC}> cg:fundingAmount ?a }}") == 1


def test_count_of_everything_is_the_number_of_distinct_triples(cli, data):
    assert cli_value(cli, data, COUNT_ALL) == len(distinct_union(data))
    quads = one(data, COUNT_QUADS)
    assert quads > len(distinct_union(data))  # some triples are stated by more than one source


def test_construct_and_describe_return_each_triple_once(endpoint, data):
    for query in (f"DESCRIBE <{HDRC}>", f"CONSTRUCT {{ <{HDRC}> ?p ?o }} WHERE {{ <{HDRC}> ?p ?o }}"):
        answer = httpx.post(endpoint, data={"query": query}, headers={"Accept": "application/n-triples"})
        assert answer.status_code == 200, answer.text
        lines = [line for line in answer.text.splitlines() if line.strip()]
        assert len(lines) == len(set(lines)) > 1
        assert sum(str(CG.fundingAmount) in line for line in lines) == 1  # stated by two sources


def test_the_stored_default_graph_is_the_merge_of_the_named_graphs(data):
    assert default_graph(data) == distinct_union(data)
    assert not dataset.open_store(data).contains_named_graph(NamedNode(STALE_GRAPH))


# ------------------------------------------------------------------------- incremental builds keep it right

def test_adding_and_removing_sources_keeps_the_merge_exact(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(BUNDLED_DATA / "register", corpus / "register")
    (corpus / "docs").mkdir()
    page = BUNDLED_DATA / "documents" / "hdrc-leicestershire.md"
    shutil.copy(page, corpus / "docs" / "hdrc.md")
    root = tmp_path / "data"
    build(root, [corpus])
    assert default_graph(root) == distinct_union(root)
    shared = (NamedNode(HDRC), CG.fundingAmount)
    assert any(t[:2] == shared for t in default_graph(root))

    copy = tmp_path / "copy.md"  # a second source stating the same facts
    shutil.copy(page, copy)
    graphs = set(dataset.graph_names(dataset.open_store(root)))
    build(root, [copy], add=True)
    assert default_graph(root) == distinct_union(root)
    copy_graph = NamedNode((set(dataset.graph_names(dataset.open_store(root))) - graphs).pop())

    before_change = default_graph(root)
    (corpus / "docs" / "hdrc.md").write_text("Leicestershire news\n\nThe council published its annual report.\n")
    build(root, [corpus / "docs" / "hdrc.md"], add=True)  # the first source no longer says them
    assert default_graph(root) == distinct_union(root)
    assert any(t[:2] == shared for t in default_graph(root)), "still stated by the register and the copy"
    assert default_graph(root) != before_change

    build(root, remove=[str(copy)])
    assert default_graph(root) == distinct_union(root)
    assert not any(copy_graph in (t[0], t[2]) for t in default_graph(root))


# ------------------------------------------------------------------------- stats

def test_stats_reports_quads_and_distinct_triples(cli, data):
    result = cli("stats", "--format", "json", "--data-dir", data)
    assert result.exit_code == 0, result.stdout
    figures = json.loads(result.stdout)
    assert figures["triples"] == len(distinct_union(data))
    assert figures["quads"] == one(data, COUNT_QUADS)
    table = cli("stats", "--data-dir", data).stdout
    assert "distinct triples" in table and str(figures["triples"]) in table


# ------------------------------------------------------------------------- stores without a stored merge

def test_a_store_without_the_merge_is_queried_as_the_union_and_the_next_build_merges_it(tmp_path):
    root = tmp_path / "data"
    build(root, [BUNDLED_DATA])
    store = Store(str(dataset.current_build(root).store_path))
    store.clear_graph(DefaultGraph())  # as an older collabgraph left it
    store.flush()
    del store
    quads = one(root, COUNT_QUADS)
    assert one(root, COUNT_ALL) == quads  # the union, once per graph
    in_themes = one(root, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{THEMES}> {{ ?s ?p ?o }} }}")
    assert one(root, f"SELECT (COUNT(*) AS ?n) FROM <{THEMES}> WHERE {{ ?s ?p ?o }}") == in_themes
    build(root, [BUNDLED_DATA / "documents" / "hdrc-leicestershire.md"], add=True)
    assert default_graph(root) == distinct_union(root)
    assert one(root, COUNT_ALL) == len(distinct_union(root)) < one(root, COUNT_QUADS)


@pytest.mark.parametrize("query, names", [
    ("SELECT * FROM <http://g> WHERE { ?s ?p ?o }", True),
    ("select * from named <http://g> { graph ?g { ?s ?p ?o } }", True),
    ("PREFIX from: <http://x/> SELECT ?from WHERE { ?from from:p ex:from }", False),
    ("SELECT * WHERE { ?s ?p 'FROM <http://g>' } # FROM <http://g>", False),
    ("SELECT * WHERE { ?s <http://x/FROM> ?o }", False),
])
def test_a_dataset_clause_is_told_from_the_word_from_elsewhere(query, names):
    assert names_dataset(query) is names
