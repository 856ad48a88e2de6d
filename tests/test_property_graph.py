"""The property graph in a real embedded FalkorDB: complete, idempotent, follows source removal, survives kills."""
from __future__ import annotations

import os
import signal
import time

import psutil
import pytest
from property_fixtures import (
    C1,
    G1,
    M1,
    P1,
    P2,
    T1,
    TH,
    U1,
    U2,
    graph_of,
    rdf_entities,
    rdf_label_counts,
    rdf_relationship_counts,
    remove_source,
    small_store,
    source_a,
    source_b,
    write_register,
)

from collabgraph.graph.build import BUNDLED_DATA, build
from collabgraph.graph.dataset import current_build, open_store
from collabgraph.graph.property import StoreUnavailable, open_property_store
from collabgraph.graph.property.falkordb_store import GRAPH, META


def graph_counts(ps) -> tuple[dict, dict]:
    c = ps.counts()
    return c["nodes"], c["relationships"]


def assert_matches_rdf(ps, store) -> None:
    """Labels, relationship types and the set of node IRIs are those the RDF dataset implies."""
    nodes, rels = graph_counts(ps)
    assert nodes == rdf_label_counts(store)
    assert rels == rdf_relationship_counts(store)
    _, rows = ps.query("MATCH (n) RETURN n.iri AS iri", limit=100_000)
    assert {r["iri"] for r in rows} == rdf_entities(store)


@pytest.fixture
def ps(tmp_path):
    with open_property_store(tmp_path / "data") as store:
        yield store


def test_bundled_data_counts_equal_the_rdf(tmp_path):
    root = tmp_path / "data"
    build(root, [BUNDLED_DATA])
    store = open_store(root)
    with open_property_store(root) as ps:
        report = ps.sync(store)
        assert report.changed and report.nodes == len(rdf_entities(store)) > 0
        assert_matches_rdf(ps, store)


def test_seed_counts_equal_the_rdf(tmp_path, seeds_dir):
    root = tmp_path / "data"
    build(root, [seeds_dir])
    store = open_store(root)
    with open_property_store(root) as ps:
        ps.sync(store)
        assert_matches_rdf(ps, store)


def test_small_dataset_nodes_relationships_and_properties(ps):
    store = small_store()
    ps.sync(store)
    assert_matches_rdf(ps, store)
    _, rows = ps.query("MATCH (u:Organisation:University {iri: $iri}) RETURN u", {"iri": U1})
    u = rows[0]["u"]
    assert u["_labels"] == ["Organisation", "University"]
    assert (u["name"], u["ror"], u["id"]) == ("University of Exampleton", "01abc2345", "organisation/ror-01abc2345")
    assert set(u["aliases"]) == {"UoE", "Exampleton Uni"} and len(u["sources"]) == 2
    _, rows = ps.query("MATCH (g:Programme {iri: $iri}) RETURN g.fundingAmount AS amount, g.currency AS cur, "
                       "g.startDate AS start", {"iri": G1})
    assert rows == [{"amount": 1000000.0, "cur": "GBP", "start": "2025-01-01"}]
    _, rows = ps.query("MATCH (p:Person)-[m:MEMBER_OF]->(o:Organisation) RETURN p.iri AS p, o.iri AS o, m.role AS role "
                       "ORDER BY p")
    assert rows == [{"p": P1, "o": U1, "role": "Pro-Vice-Chancellor for Research"},
                    {"p": P2, "o": C1, "role": "Director of Public Health"}]
    _, rows = ps.query("MATCH (a:Organisation {iri: $a})-[r:PARTNERS_WITH]-(b:Organisation {iri: $b}) "
                       "RETURN r.via AS via, r.sources AS sources", {"a": U1, "b": T1})
    assert rows == [{"via": [M1], "sources": [graph_of(source_a)]}]
    _, rows = ps.query("MATCH (:Agreement:MemorandumOfUnderstanding)-[:PARTY]->(o) RETURN count(o) AS n")
    assert rows == [{"n": 2}]
    _, rows = ps.query("MATCH (:Programme)-[:HAS_THEME]->(t:Theme) RETURN t.iri AS t")
    assert rows == [{"t": TH}]


def test_one_relationship_per_partnership_pair(ps):
    ps.sync(small_store())
    _, rows = ps.query("MATCH (a)-[r:PARTNERS_WITH]->(b) RETURN a.iri AS a, b.iri AS b")
    pairs = [frozenset((r["a"], r["b"])) for r in rows]
    assert len(pairs) == len(set(pairs)) == 4
    assert all(r["a"] < r["b"] for r in rows)


def test_removed_source_takes_away_only_what_it_supported(ps):
    store = small_store()
    ps.sync(store)
    remove_source(store, graph_of(source_a))
    ps.sync(store)
    assert_matches_rdf(ps, store)
    _, rows = ps.query("MATCH (n) WHERE n.iri IN $gone RETURN n.iri AS iri", {"gone": [M1, P1]})
    assert rows == []  # the agreement and the person only source A stated
    _, rows = ps.query("MATCH (n {iri: $iri}) RETURN n.sources AS sources, n.aliases AS aliases", {"iri": U1})
    assert rows == [{"sources": [graph_of(source_b)], "aliases": None}]  # its aliases came from source A
    _, rows = ps.query("MATCH (:Organisation {iri: $a})-[r:PARTNERS_WITH]-(:Organisation {iri: $b}) RETURN r",
                       {"a": U1, "b": T1})
    assert rows == []
    _, rows = ps.query("MATCH (a {iri: $a})-[:PARTNERS_WITH]-(b {iri: $b}) RETURN count(*) AS n", {"a": T1, "b": U2})
    assert rows == [{"n": 1}]  # supported by source B, kept


def test_removed_register_file_through_build(tmp_path):
    root, sources = tmp_path / "data", write_register(tmp_path / "src")
    build(root, [sources])
    with open_property_store(root) as ps:
        ps.sync(open_store(root))
        before = graph_counts(ps)
        _, rows = ps.query("MATCH (o:Organisation {name: 'Southmoor Research Institute'})-[:PARTNERS_WITH]-(p) "
                           "RETURN count(p) AS n")
        assert rows == [{"n": 2}]
        (sources / "register" / "extra.yaml").unlink()
        build(root, [sources])
        store = open_store(root)
        ps.sync(store)
        assert_matches_rdf(ps, store)
        nodes, rels = graph_counts(ps)
        assert nodes["Organisation"] == before[0]["Organisation"] - 1 and "ResearchCentre" not in nodes
        assert nodes["Programme"] == before[0]["Programme"] - 1
        assert rels["PARTNERS_WITH"] == before[1]["PARTNERS_WITH"] - 3  # the three pairs of the removed network
        _, rows = ps.query("MATCH (o {name: 'Southmoor Research Institute'}) RETURN o")
        assert rows == []


def test_seed_document_removal_through_build(tmp_path, seeds_dir):
    root = tmp_path / "data"
    build(root, [seeds_dir])
    first = sorted(current_build(root).manifest()["sources"])[0]
    with open_property_store(root) as ps:
        ps.sync(open_store(root))
        build(root, remove=[first])
        store = open_store(root)
        ps.sync(store)
        assert_matches_rdf(ps, store)


def test_resync_is_idempotent(ps):
    store = small_store()
    first = ps.sync(store)
    counts = graph_counts(ps)
    second = ps.sync(store)
    assert first.changed and not second.changed and graph_counts(ps) == counts
    ps._connect().connection.delete(META)  # forget the digest: a full reload of the same projection
    third = ps.sync(store)
    assert third.changed and graph_counts(ps) == counts


def test_merge_statements_are_idempotent_without_clear(ps):
    """Running the batched MERGEs twice on the same graph adds nothing the second time."""
    from collabgraph.graph.property.cypher import load_plan
    from collabgraph.graph.property.falkordb_store import run_pipelined
    from collabgraph.graph.property.projection import project

    store = small_store()
    ps.sync(store)
    counts = graph_counts(ps)
    steps = [s for s in load_plan(project(store), batch_size=2) if s.rows]
    run_pipelined(ps._connect(), GRAPH, ((s.statement, s.params) for s in steps))
    assert graph_counts(ps) == counts


def test_persisted_across_restart(tmp_path):
    root = tmp_path / "data"
    store = small_store()
    with open_property_store(root) as ps:
        ps.sync(store)
        counts = graph_counts(ps)
    with open_property_store(root) as ps:
        assert ps.server.started_here
        assert graph_counts(ps) == counts
        assert not ps.sync(store).changed


def test_stale_pid_and_socket_after_sigkill_are_recovered(tmp_path):
    root = tmp_path / "data"
    store = small_store()
    ps = open_property_store(root)
    ps.sync(store)
    counts = graph_counts(ps)
    pid = ps.server.pid()
    os.kill(pid, signal.SIGKILL)
    ps.server._process.wait()
    assert ps.server.socket.exists() and ps.server.pidfile.exists()  # left behind by the killed server
    with open_property_store(root) as again:
        assert again.server.started_here and again.server.pid() not in (None, pid)
        assert graph_counts(again) == counts
    ps.server._process = None


def test_pid_file_naming_another_process_is_not_trusted(tmp_path):
    root = tmp_path / "data"
    folder = root / "falkordb"
    folder.mkdir(parents=True)
    (folder / "falkordb.pid").write_text(str(os.getpid()))  # alive, but not our redis-server
    (folder / "falkordb.sock").write_text("")               # nothing listens here
    with open_property_store(root) as ps:
        assert ps.server.started_here and ps.server.pid() != os.getpid()
        assert ps.health()["ok"]


def test_query_after_the_server_died_fails_then_restarts(ps):
    ps.sync(small_store())
    os.kill(ps.server.pid(), signal.SIGKILL)
    ps.server._process.wait()
    with pytest.raises(StoreUnavailable, match="restarted on the next call"):
        ps.query("MATCH (n) RETURN count(n) AS n")
    _, rows = ps.query("MATCH (n) RETURN count(n) AS n")
    assert rows[0]["n"] > 0
    assert ps.server.started_here


def test_clean_stop_leaves_no_process(tmp_path):
    ps = open_property_store(tmp_path / "data")
    ps.sync(small_store())
    pid = ps.server.pid()
    assert psutil.pid_exists(pid)
    started = time.perf_counter()
    ps.close()
    assert time.perf_counter() - started < 5
    assert not psutil.pid_exists(pid)
    assert not ps.server.socket.exists() and not ps.server.pidfile.exists()


def test_only_the_starter_stops_the_server(tmp_path):
    root = tmp_path / "data"
    owner = open_property_store(root)
    guest = open_property_store(root)
    assert owner.server.started_here and not guest.server.started_here
    pid = owner.server.pid()
    guest.close()
    assert psutil.pid_exists(pid) and owner.health()["ok"]
    owner.close()
    assert not psutil.pid_exists(pid)


def test_query_on_a_never_synced_store_says_to_build(ps):
    from collabgraph.graph.errors import NoDataset
    with pytest.raises(NoDataset, match="collabgraph build"):
        ps.query("MATCH (n) RETURN n")
    assert ps.counts()["total_nodes"] == 0


def test_socket_path_too_long_is_explained(tmp_path):
    with pytest.raises(StoreUnavailable, match="shorter --data-dir"):
        open_property_store(tmp_path / ("x" * 120))


def test_cli_build_syncs_and_query_cypher_reads(tmp_path, cli):
    data = tmp_path / "data"
    sources = write_register(tmp_path / "src")
    result = cli("build", sources, "--data-dir", data)
    assert result.exit_code == 0, result.output
    assert "property graph (falkordb)" in result.stdout and "synced in" in result.stdout
    result = cli("query", "cypher", "MATCH (o:Organisation {name: $name})-[:PARTNERS_WITH]-(p) "
                 "RETURN p.name AS partner ORDER BY partner", "--param", "name=Eastbridge University",
                 "--format", "json", "--data-dir", data)
    assert result.exit_code == 0, result.output
    import json
    assert json.loads(result.stdout) == [{"partner": "Northby Community NHS Trust"},
                                         {"partner": "Westshire County Council"}]
    result = cli("query", "cypher", "MATCH (o:Organisation) RETURN o.name AS name", "--format", "csv",
                 "--limit", "2", "--data-dir", data)
    assert result.exit_code == 0 and result.stdout.splitlines()[0] == "name" and len(result.stdout.splitlines()) == 3
    result = cli("query", "cypher", "MATCH (o) SET o.name = 'x'", "--data-dir", data)
    assert result.exit_code == 1 and "SET" in result.stderr and "read-only" in result.stderr
    result = cli("query", "cypher", "MATCH (o) RETURN o LIMIT", "--data-dir", data)
    assert result.exit_code == 1 and result.stderr.startswith("error: FalkorDB could not run the query")


def test_cli_param_values_are_typed():
    from collabgraph.api.cli.cypher import parse_param
    assert parse_param("n=3") == ("n", 3)
    assert parse_param("names=[\"a\", \"b\"]") == ("names", ["a", "b"])
    assert parse_param("name=University of Exampleton") == ("name", "University of Exampleton")
    with pytest.raises(ValueError, match="name=value"):
        parse_param("no value")


@pytest.fixture(autouse=True)
def _no_server_left(tmp_path):
    yield
    left = [p for p in psutil.process_iter(["cmdline", "status"])
            if p.info["status"] != psutil.STATUS_ZOMBIE and str(tmp_path) in " ".join(p.info["cmdline"] or [])]
    for p in left:
        p.kill()
    assert not left, "a FalkorDB server outlived its test"



def test_awkward_strings_survive_the_load(ps):
    from pyoxigraph import Store

    from collabgraph.loaders.rdf_writer import GraphWriter, SourceInfo
    from collabgraph.ontology import iris

    name = "Côte d'Ivoire \"Health\" \\ Trust\nsecond line\t`tick` 🚑 $param {x} /* not a comment */ CREATE"
    writer = GraphWriter(SourceInfo("odd.txt", "odd.txt", "Odd", "sha256:00"))
    iri = iris.entity_iri("Organisation", "odd")
    writer.entity(iri, "Charity", name, [name + " (alias)"])
    store = Store()
    store.extend(writer.quads)
    ps.sync(store)
    _, rows = ps.query("MATCH (n:Charity {iri: $iri}) RETURN n.name AS name, n.aliases AS aliases", {"iri": iri})
    assert rows == [{"name": name, "aliases": [name + " (alias)"]}]
    _, rows = ps.query("MATCH (n:Charity) WHERE n.name = $name RETURN count(n) AS n", {"name": name})
    assert rows == [{"n": 1}]


def test_an_entity_of_two_kinds_keeps_its_subclass_as_its_type():
    """A register organisation that a document calls a programme is still typed by its organisation class."""
    from collabgraph.graph.property.projection import NodeRow
    both = NodeRow("x", "Organisation", ("Organisation", "Programme", "University"))
    assert both.type == "University"
    assert NodeRow("y", "Organisation", ("Organisation", "Programme")).type == "Organisation"
    assert NodeRow("z", "Agreement", ("Agreement", "MemorandumOfUnderstanding")).type == "MemorandumOfUnderstanding"


def test_the_graph_records_the_build_it_holds_so_readers_skip_a_needless_sync(tmp_path):
    root = tmp_path / "data"
    build(root, [BUNDLED_DATA])
    name = current_build(root).path.name
    with open_property_store(root) as ps:
        assert ps.synced_build() is None  # nothing loaded yet
        assert ps.sync_if_stale(open_store(root), name).nodes > 0
        assert ps.synced_build() == name
        assert ps.sync_if_stale(open_store(root), name) is None  # already holds this build
        extra = tmp_path / "extra.txt"
        extra.write_text("Westmarch news\n\nThe University of Westmarch and Westmarch City Council signed a "
                         "memorandum of understanding.\n")
        build(root, [extra], add=True)
        assert ps.sync(open_store(root)).changed  # a new graph, from a sync that does not say which build
        assert ps.synced_build() is None
