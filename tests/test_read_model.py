"""The read model: one `CollabGraph` over a build, whose answers agree with each other and with SPARQL.

The CLI, REST, views and notebooks all read through this object; these tests hold it to what an analyst
relies on when two of its answers meet (a search and its pages, partners and partnership pairs, a path and
a partnership, stats and a SPARQL count), on a real build of the bundled data.
"""
from __future__ import annotations

import pytest

from collabgraph.graph.build import BUNDLED_DATA, build
from collabgraph.graph.collabgraph import CollabGraph


@pytest.fixture(scope="module")
def cg(tmp_path_factory):
    root = tmp_path_factory.mktemp("read-model") / "data"
    build(root, [BUNDLED_DATA])
    with CollabGraph(root) as graph:
        yield graph


def _all_pairs(cg: CollabGraph) -> list[dict]:
    total, pairs = cg.partnerships(limit=10_000)
    assert total == len(pairs)
    return pairs


@pytest.mark.parametrize("q", ["University", "trust", "NHS"])
def test_a_search_finds_only_matching_names_and_pages_through_all_of_them(cg, q):
    total, first = cg.organisations(q, limit=5)
    _, rest = cg.organisations(q, limit=10_000, offset=5)
    found = first + rest
    assert total == len(found) and total > 0
    assert len({o["id"] for o in found}) == total  # pages do not overlap
    for o in found:
        assert any(q.lower() in n.lower() for n in [o["name"], *o["aliases"]]), o


def test_an_organisation_s_partners_are_the_other_side_of_its_partnership_pairs(cg):
    pairs = _all_pairs(cg)
    org = pairs[0]["a"]["id"]
    expected = {p["b"]["id"] if p["a"]["id"] == org else p["a"]["id"] for p in pairs if org in (p["a"]["id"], p["b"]["id"])}
    origin, partners = cg.partners(org)
    assert origin["id"] == org
    assert {p["partner"]["id"] for p in partners} == expected
    assert {p["distance"] for p in partners} == {1}


def test_each_partnership_pair_is_listed_once(cg):
    pairs = _all_pairs(cg)
    keys = [frozenset((p["a"]["id"], p["b"]["id"])) for p in pairs]
    assert len(keys) == len(set(keys))


def test_a_path_between_two_partners_is_one_hop_and_between_strangers_it_says_so(cg):
    pair = _all_pairs(cg)[0]
    direct = cg.paths(pair["a"]["id"], pair["b"]["id"])
    assert direct["found"] and len(direct["hops"]) == 1
    _, orgs = cg.organisations(limit=10_000)
    connected = {p[k]["id"] for p in _all_pairs(cg) for k in ("a", "b")}
    loner = next((o["id"] for o in orgs if o["id"] not in connected), None)
    if loner is not None:  # an organisation with no partnership has no path to anyone
        assert not cg.paths(pair["a"]["id"], loner)["found"]


def test_stats_count_the_distinct_triples_sparql_counts(cg):
    _, rows = cg.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    stats = cg.stats()
    assert int(rows[0]["n"]) == stats["triples"] <= stats["quads"]


def test_the_build_s_partner_index_lists_every_organisation_s_partners_as_the_query_does(cg):
    """The partners route serves the direct partners from a per-build index once it is ready, and from SPARQL
    before: both must give the same partners in the same order, with the same page described."""
    from collabgraph.graph import entities
    from collabgraph.graph.name_index import NameIndex

    store = cg.store()
    index = entities.PartnerIndex(store, NameIndex(store))
    _, orgs = cg.organisations(limit=10_000)
    checked = 0
    for org in orgs:
        iri = org["iri"]
        queried = entities.partners(store, iri, 1, "any")
        indexed = entities.partners(store, iri, 1, "any", index)
        assert [p["partner"]["id"] for p in indexed] == [p["partner"]["id"] for p in queried], org["id"]
        checked += bool(len(queried))
        # names, links and a record's evidence come from memory: the same rows
        assert list(indexed) == list(queried), org["id"]
    assert checked > 5

