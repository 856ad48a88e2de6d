"""A build hands the store N-Quads text (named graph and its default-graph copy) and reads large results back as
CSV text (`dataset.table`): both must carry every term exactly, whatever its characters."""
from __future__ import annotations

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Store

from collabgraph.graph import default_graph
from collabgraph.graph.build import BulkWriter
from collabgraph.graph.dataset import table

G = NamedNode("https://example.org/graph/a")
XSD = "http://www.w3.org/2001/XMLSchema#"
AWKWARD = [
    Literal('a "quoted" name, with a comma'),
    Literal("two\nlines\tand a tab \\ and a backslash"),
    Literal("Café Nöel 𝄞 \u0000 control"),
    Literal("Université", language="fr"),
    Literal("612480.5", datatype=NamedNode(XSD + "decimal")),
    Literal("2024-10", datatype=NamedNode(XSD + "gYearMonth")),
    Literal("_:not a blank node"),
    NamedNode("https://example.org/id/organisation/st-mary%27s_trust?x=1#y"),
]


def _quads(graph=G) -> list[Quad]:
    return [Quad(NamedNode(f"https://example.org/id/s{i}"), NamedNode("https://example.org/p"), o, graph)
            for i, o in enumerate(AWKWARD)]


def test_text_of_a_batch_loads_as_its_quads_and_their_default_graph_copy():
    quads = _quads()[:-2] + _quads()[-1:]  # every awkward term but the literal that looks like a blank node
    store = Store()
    store.bulk_load(default_graph.nquads_with_default_copy(quads), format=RdfFormat.N_QUADS)
    assert set(store.quads_for_pattern(None, None, None, G)) == set(quads)
    assert set(store.quads_for_pattern(None, None, None, DefaultGraph())) == {Quad(q.subject, q.predicate, q.object) for q in quads}


def test_a_batch_with_a_blank_node_or_text_like_one_is_written_as_objects_keeping_the_node(tmp_path):
    blank = BlankNode("kept")
    quads = [*_quads(), Quad(blank, NamedNode("https://example.org/p"), Literal("x"), G)]
    assert default_graph.nquads_with_default_copy(quads) is None
    store = Store(str(tmp_path / "store"))
    writer = BulkWriter(store, bulk_quads=3)  # several batches, loaded one after another in the loader's thread
    try:
        writer.replace(G.value, quads)
        writer.commit()
    finally:
        writer.close()
    assert set(store.quads_for_pattern(None, None, None, G)) == set(quads)
    assert len(list(store.quads_for_pattern(None, None, None, DefaultGraph()))) == len(quads)


def test_a_graph_written_in_many_batches_is_whole_and_merged_once_loading_is_waited_for(tmp_path):
    store = Store(str(tmp_path / "store"))
    quads = [Quad(NamedNode(f"https://example.org/id/s{i}"), NamedNode("https://example.org/p"), Literal(str(i)), G)
             for i in range(2_500)]
    writer = BulkWriter(store, bulk_quads=200)
    try:
        writer.replace(G.value, quads)
        writer.commit()
        assert len(store) == 2 * len(quads)
        writer.replace(G.value, quads[:10])  # replacing waits for what is loading, then drops the graph
        writer.commit()
    finally:
        writer.close()
    assert set(store.quads_for_pattern(None, None, None, G)) == set(quads[:10])
    assert len(list(store.quads_for_pattern(None, None, None, DefaultGraph()))) == 10


def test_table_gives_each_value_as_its_plain_text_and_unbound_as_empty():
    store = Store()
    store.extend(_quads())
    found = {row[0]: row[1:] for row in table(store, """SELECT ?s ?o (DATATYPE(?o) AS ?t) ?missing WHERE {
        GRAPH ?g { ?s <https://example.org/p> ?o } OPTIONAL { ?s <https://example.org/none> ?missing } }""")}
    by_subject = {f"https://example.org/id/s{i}": o for i, o in enumerate(AWKWARD)}
    for subject, (value, datatype, missing) in found.items():
        term = by_subject[subject]
        assert value == term.value and missing == ""
        if isinstance(term, Literal):
            assert datatype == term.datatype.value
    assert len(found) == len(AWKWARD)
