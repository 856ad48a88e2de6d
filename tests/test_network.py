"""Network analysis with networkx, export for Gephi, and the partners parity of SPARQL, Cypher and networkx."""
from __future__ import annotations

import io

import networkx as nx
import pytest
from property_fixtures import (
    C1,
    D1,
    F1,
    M1,
    T1,
    TH,
    U1,
    U2,
    rdf_entities,
    rdf_organisations,
    rdf_partner_pairs,
    rdf_partners,
    rdf_relationship_counts,
    small_store,
)

from collabgraph.graph import network
from collabgraph.graph.build import BUNDLED_DATA, build
from collabgraph.graph.dataset import open_store
from collabgraph.graph.property import open_property_store
from collabgraph.ontology import iris


@pytest.fixture(scope="module")
def store():
    return small_store()


@pytest.fixture(scope="module")
def partners(store):
    return network.partnership_graph(store)


def test_partnership_graph_is_the_rdf_partnerships(store, partners):
    assert set(partners) == rdf_organisations(store)
    assert {frozenset(e) for e in partners.edges} == rdf_partner_pairs(store)
    assert partners.nodes[U1] == {"iri": U1, "id": "organisation/ror-01abc2345", "name": "University of Exampleton",
                                  "type": "University"}
    assert partners.edges[U1, T1]["via"] == [M1] and len(partners.edges[U1, T1]["sources"]) == 1


def test_entity_graph_has_every_entity_and_relation(store):
    g = network.entity_graph(store)
    assert set(g) == rdf_entities(store)
    assert g.nodes[TH]["kind"] == "Theme" and g.nodes[U1]["aliases"] == ["Exampleton Uni", "UoE"]
    by_predicate: dict[str, int] = {}
    for *_, predicate in g.edges(data="predicate"):
        key = "".join("_" + c if c.isupper() else c for c in predicate).upper()
        by_predicate[key] = by_predicate.get(key, 0) + 1
    assert dict(sorted(by_predicate.items())) == rdf_relationship_counts(store)


def test_centrality_rows(partners):
    rows = {r["iri"]: r for r in network.centrality(partners)}
    assert rows[T1]["degree"] == 3 and rows[T1]["betweenness"] > 0
    assert rows[F1]["degree"] == 0 and rows[F1]["betweenness"] == 0
    assert network.centrality(partners)[0]["iri"] == T1  # the trust sits between the university and the rest


def test_communities_are_a_deterministic_partition(partners):
    first = network.communities(partners)
    assert first == network.communities(partners)
    members = [m for c in first for m in c]
    assert sorted(members) == sorted(partners) and len(members) == len(set(members))


def test_brokers_include_the_articulation_point(partners):
    rows = {r["iri"]: r for r in network.brokers(partners)}
    assert rows[T1]["articulation_point"] is True
    assert U1 not in rows and F1 not in rows


def test_shortest_path_within_hops(partners):
    assert network.shortest_path(partners, U1, U2) == [U1, T1, U2]
    assert network.shortest_path(partners, "organisation/ror-01abc2345", U2, max_hops=2) == [U1, T1, U2]
    assert network.shortest_path(partners, U1, U2, max_hops=1) is None
    assert network.shortest_path(partners, U1, F1) is None
    with pytest.raises(KeyError, match="no such organisation"):
        network.shortest_path(partners, U1, "organisation/nowhere")


def test_ego_network(partners):
    assert set(network.ego_network(partners, T1, 1)) == {T1, U1, C1, U2}
    assert set(network.ego_network(partners, U1, 2)) == {U1, T1, C1, U2}
    assert set(network.ego_network(partners, D1, 3)) == {D1}


@pytest.mark.parametrize("fmt, read, key", [("graphml", nx.read_graphml, lambda iri: iri),
                                            ("gexf", nx.read_gexf, iris.local_id)])
def test_export_reads_back(store, fmt, read, key):
    g = network.entity_graph(store)
    back = read(io.BytesIO(network.export_graph(g, fmt)))
    assert set(back) == {key(n) for n in g}
    assert back.number_of_edges() == g.number_of_edges()
    assert back.nodes[key(U1)]["name"] == "University of Exampleton"
    assert back.nodes[key(U1)]["aliases"] == "Exampleton Uni; UoE"
    assert sorted(p for *_, p in back.edges(data="predicate")) == sorted(p for *_, p in g.edges(data="predicate"))


def test_cli_export_graphml_and_gexf(tmp_path, cli):
    data = tmp_path / "data"
    assert cli("build", BUNDLED_DATA, "--data-dir", data).exit_code == 0
    entities = rdf_entities(open_store(data))
    for fmt, read, key in (("graphml", nx.read_graphml, str), ("gexf", nx.read_gexf, iris.local_id)):
        out = tmp_path / f"graph.{fmt}"
        result = cli("export", "--format", fmt, "--out", out, "--data-dir", data)
        assert result.exit_code == 0, result.output
        assert set(read(out)) == {key(e) for e in entities}


def assert_partners_parity(store, ps) -> int:
    """For every organisation: partners by SPARQL == by Cypher == by networkx. Returns how many were checked."""
    ps.sync(store)
    g = network.partnership_graph(store)
    organisations = rdf_organisations(store)
    for o in organisations:
        _, rows = ps.query("MATCH (:Organisation {iri: $iri})-[:PARTNERS_WITH]-(p:Organisation) RETURN p.iri AS p",
                           {"iri": o})
        by_cypher = {r["p"] for r in rows}
        assert by_cypher == set(g.neighbors(o)) == rdf_partners(store, o), o
    return len(organisations)


def test_partners_parity_on_the_seeds(tmp_path, seeds_dir):
    root = tmp_path / "data"
    build(root, [seeds_dir])
    with open_property_store(root) as ps:
        assert assert_partners_parity(open_store(root), ps) > 0


def test_partners_parity_on_bundled_and_small_data(tmp_path, store):
    root = tmp_path / "data"
    build(root, [BUNDLED_DATA])
    with open_property_store(root) as ps:
        assert assert_partners_parity(open_store(root), ps) > 0
        assert assert_partners_parity(store, ps) == 6


def test_shortest_paths_agree_between_the_property_graph_and_networkx(tmp_path, store, partners):
    """Every pair of organisations: same path length (or none within the bound) and a real path."""
    with open_property_store(tmp_path / "data") as ps:
        ps.sync(store)
        for a in partners:
            for b in partners:
                for hops in (1, 4):
                    expected = network.shortest_path(partners, a, b, max_hops=hops)
                    found = ps.shortest_path(a, b, max_hops=hops)
                    assert (found is None) == (expected is None), (a, b, hops)
                    if found:
                        assert len(found) == len(expected) and found[0] == a and found[-1] == b
                        assert all(partners.has_edge(x, y) for x, y in zip(found, found[1:]))
        assert ps.shortest_path(U1, "https://w3id.org/collabgraph/id/organisation/nowhere") is None
