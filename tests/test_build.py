"""The RDF dataset: one named graph per source, atomic incremental builds, identical rebuilds, exports."""
import json
import shutil
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import NamedNode

from collabgraph.graph import dataset
from collabgraph.graph.build import BUNDLED_DATA, BuildError, build
from collabgraph.graph.export import export_rdf
from collabgraph.graph.property.projection import project
from collabgraph.ontology import iris

DOC_A = "Exampleton Partnership News\n\nThe University of Exampleton and Exampleton City Council signed a memorandum of understanding.\n"
DOC_B = "Northvale Health Research\n\nNorthvale NHS Foundation Trust is a partner in the Northvale research programme.\n"


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(BUNDLED_DATA / "register", folder / "register")
    (folder / "docs").mkdir()
    (folder / "docs" / "a.txt").write_text(DOC_A)
    (folder / "docs" / "b.txt").write_text(DOC_B)
    return folder


def source_graphs(root: Path) -> dict[str, int]:
    store = dataset.open_store(root)
    return {g: sum(1 for _ in store.quads_for_pattern(None, None, None, NamedNode(g)))
            for g in dataset.graph_names(store) if "/graph/source/" in g}


def test_bundled_build_counts_every_organisation(tmp_path, cli):
    assert cli("build", "--data-dir", tmp_path / "d").exit_code == 0
    result = cli("query", "sparql", "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a cg:Organisation }",
                 "--format", "json", "--data-dir", tmp_path / "d")
    count = json.loads(result.stdout)[0]["n"]
    # Independent count: every subject typed with the class or one of its subclasses, read back with rdflib.
    nq = cli("export", "--format", "nquads", "--data-dir", tmp_path / "d").stdout
    ds = rdflib.Dataset()
    ds.parse(data=nq, format="nquads")
    classes = {rdflib.URIRef("https://w3id.org/collabgraph/ontology#" + c)
               for c in ("Organisation", "University", "NHSTrust", "LocalAuthority", "GovernmentBody",
                         "ResearchNetwork", "ResearchCentre", "OrganisationalUnit", "OrganisationGroup",
                         "Charity", "Company")}
    typed = {s for s, p, o, _ in ds.quads((None, rdflib.RDF.type, None, None)) if o in classes}
    assert count == len(typed) > 0
    registered = [line for line in (BUNDLED_DATA / "register" / "organisations.yaml").read_text().splitlines()
                  if line.startswith("  - name:")]
    assert count >= len(registered)


def test_each_source_has_its_own_named_graph_with_provenance(corpus, tmp_path):
    root = tmp_path / "d"
    build(root, [corpus])
    store = dataset.open_store(root)
    graphs = source_graphs(root)
    assert len(graphs) == 2
    sources = dataset.rows(dataset.query(store, "SELECT ?g ?key ?sum WHERE { GRAPH ?g { ?g a prov:Entity ; "
                                                "cg:sourceKey ?key ; cg:checksum ?sum } "
                                                "FILTER(CONTAINS(STR(?g), '/graph/source/')) }"))[1]
    assert {r["key"] for r in sources} == {"corpus/docs/a.txt", "corpus/docs/b.txt"}
    assert all(r["sum"].startswith("sha256:") for r in sources)


def test_two_builds_give_identical_sorted_nquads(corpus, tmp_path, cli):
    for name in ("one", "two"):
        assert cli("build", corpus, "--data-dir", tmp_path / name).exit_code == 0
    one = cli("export", "--format", "nquads", "--data-dir", tmp_path / "one").stdout
    two = cli("export", "--format", "nquads", "--data-dir", tmp_path / "two").stdout
    assert one == two and one.count("\n") > 100
    assert "_:" not in one  # no blank nodes: every node has a stable IRI
    assert one.splitlines() == sorted(one.splitlines())


def test_changed_source_replaces_exactly_its_graph(corpus, tmp_path):
    root = tmp_path / "d"
    build(root, [corpus])
    before = source_graphs(root)
    (corpus / "docs" / "b.txt").write_text(DOC_B + "\nA second paragraph about Northvale.\n")
    report = build(root, [corpus])
    assert {s.key: s.status for s in report.sources} == {"corpus/docs/a.txt": "unchanged", "corpus/docs/b.txt": "updated"}
    after = source_graphs(root)
    graph_a = iris.source_graph_iri("corpus/docs/a.txt")
    assert after[graph_a] == before[graph_a]
    assert set(after) == set(before)


def test_removed_source_loses_its_facts(corpus, tmp_path):
    root = tmp_path / "d"
    build(root, [corpus])
    (corpus / "docs" / "b.txt").unlink()
    report = build(root, [corpus])
    assert ("corpus/docs/b.txt", "removed") in {(s.key, s.status) for s in report.sources}
    assert list(source_graphs(root)) == [iris.source_graph_iri("corpus/docs/a.txt")]
    store = dataset.open_store(root)
    leftover = dataset.query(store, "ASK { ?x prov:wasDerivedFrom <%s> }" % iris.source_graph_iri("corpus/docs/b.txt"))
    assert not bool(leftover)


def test_add_and_remove_change_only_that_source(corpus, tmp_path):
    root = tmp_path / "d"
    build(root, [corpus / "docs" / "a.txt"])
    build(root, [corpus / "docs" / "b.txt"], add=True)
    assert len(source_graphs(root)) == 2
    report = build(root, remove=["b.txt"])
    assert [(s.key, s.status) for s in report.sources if s.status != "unchanged"] == [("b.txt", "removed")]
    assert list(source_graphs(root)) == [iris.source_graph_iri("a.txt")]
    with pytest.raises(BuildError, match="not a source of the current dataset"):
        build(root, remove=["nothing.txt"])


def test_failed_build_keeps_previous_dataset(corpus, tmp_path):
    root = tmp_path / "d"
    build(root, [corpus])
    current = (root / "current").resolve()
    with pytest.raises(FileNotFoundError):
        build(root, [corpus / "missing"])
    assert (root / "current").resolve() == current
    assert len(list((root / "builds").iterdir())) == 1


@pytest.mark.parametrize("fmt, rdflib_format", [("trig", "trig"), ("jsonld", "json-ld"), ("turtle", "turtle")])
def test_exports_parse_back(corpus, tmp_path, cli, fmt, rdflib_format):
    build(tmp_path / "d", [corpus])
    out = tmp_path / f"export.{fmt}"
    assert cli("export", "--format", fmt, "--out", out, "--data-dir", tmp_path / "d").exit_code == 0
    nq = cli("export", "--format", "nquads", "--data-dir", tmp_path / "d").stdout
    expected = rdflib.Dataset()
    expected.parse(data=nq, format="nquads")
    got = rdflib.Dataset()
    got.parse(out, format=rdflib_format)
    if fmt == "turtle":  # the union of all graphs
        assert len(got) == len({(s, p, o) for s, p, o, _ in expected.quads((None, None, None, None))})
    else:
        assert len(list(got.quads((None, None, None, None)))) == len(list(expected.quads((None, None, None, None))))


def test_derived_partnerships_are_symmetric_and_cite_their_agreement_or_programme(tmp_path):
    build(tmp_path / "d")
    store = dataset.open_store(tmp_path / "d")
    asym = dataset.query(store, "ASK { ?a cg:partnersWith ?b FILTER NOT EXISTS { ?b cg:partnersWith ?a } }")
    assert not bool(asym)
    _, rows = dataset.rows(dataset.query(store, """
        SELECT ?a ?b ?via WHERE { GRAPH <%s> { ?e rdf:subject ?a ; rdf:object ?b ; cg:via ?via } }""" % iris.DERIVED_GRAPH))
    assert rows
    for r in rows:  # the programme or agreement really links both
        links = dataset.query(store, """ASK { <%(via)s> ?p <%(a)s> . <%(via)s> ?q <%(b)s>
                                 VALUES ?p { cg:party cg:partner cg:hostedBy } VALUES ?q { cg:party cg:partner cg:hostedBy } }""" % r)
        assert bool(links)


def test_cli_query_formats_and_errors(tmp_path, cli):
    cli("build", "--data-dir", tmp_path / "d")
    q = "SELECT ?name WHERE { ?t a cg:Theme ; cg:name ?name } ORDER BY ?name"
    rows = json.loads(cli("query", "sparql", q, "--format", "json", "--data-dir", tmp_path / "d").stdout)
    assert rows and all(set(r) == {"name"} for r in rows)
    csv_out = cli("query", "sparql", q, "--format", "csv", "--data-dir", tmp_path / "d").stdout
    assert csv_out.splitlines()[0] == "name" and len(csv_out.splitlines()) == len(rows) + 1
    bad = cli("query", "sparql", "SELEC nothing", "--data-dir", tmp_path / "d")
    assert bad.exit_code == 1 and bad.stderr.startswith("error:")
    missing = cli("stats", "--data-dir", tmp_path / "none")
    assert missing.exit_code == 1 and "run 'collabgraph build' first" in missing.stderr


def test_extraction_on_several_processes_builds_the_same_dataset(tmp_path):
    """`build --workers 2` hands documents to worker processes; the dataset must not depend on it."""
    from bench.extraction import generate_documents
    from collabgraph.loaders.parallel import CHUNK
    folder = tmp_path / "docs"
    folder.mkdir()
    for i, text in enumerate(generate_documents(2 * CHUNK + 3)):  # enough to use the pool, with a short last chunk
        (folder / f"doc-{i:03d}.txt").write_text(text)
    (folder / "doc-999.txt").write_bytes(b"\x00\x01binary")  # a failing file keeps its place in the order
    exports = {}
    for workers in (1, 2):
        report = build(tmp_path / f"data-{workers}", [folder], workers=workers)
        assert [s.status for s in report.sources].count("failed") == 1
        exports[workers] = export_rdf(dataset.open_store(tmp_path / f"data-{workers}"), "nquads")
    assert exports[1] == exports[2] and len(exports[1]) > 100_000


REGISTERED = {"organisations.yaml": """organisations:
  - name: University of Tyneford
    type: University
    aliases: [Tyneford University]
    identifiers: {ror: 0abc12345}
    region: North East
"""}
MENTIONS = ("The University of Tyneford and the Marsh Lane Community Trust signed a memorandum of understanding.\n",
            "Tyneford University will host the Coastal Health Programme with the Marsh Lane Community Trust.\n",
            "Researchers at the University of Tyneford study rural health.\n")


def test_documents_mention_registered_entities_without_restating_the_register(tmp_path):
    """A registered university named by three documents has one name in the union, and each document is a source."""
    folder = tmp_path / "sources"
    (folder / "register").mkdir(parents=True)
    (folder / "register" / "organisations.yaml").write_text(REGISTERED["organisations.yaml"])
    for i, text in enumerate(MENTIONS):
        (folder / f"news-{i}.txt").write_text(f"Tyneford news {i}\n\n{text}")
    root = tmp_path / "d"
    build(root, [folder])
    store = dataset.open_store(root)
    uni = dataset.rows(dataset.query(store, 'SELECT ?u WHERE { ?u cg:ror "0abc12345" }'))[1]
    assert len(uni) == 1, "the register's identifier is stated once, by the register"
    u = uni[0]["u"]
    names = dataset.rows(dataset.query(store, f"SELECT ?n WHERE {{ <{u}> cg:name ?n }}"))[1]
    assert names == [{"n": "University of Tyneford"}]
    docs = {iris.source_graph_iri(f"sources/news-{i}.txt") for i in range(3)}
    sources = {r["g"] for r in dataset.rows(dataset.query(store, f"SELECT ?g WHERE {{ <{u}> prov:wasDerivedFrom ?g }}"))[1]}
    assert docs < sources and iris.register_graph_iri("organisations") in sources
    node = next(n for n in project(store).nodes if n.iri == u)
    assert node.labels == ("Organisation", "University") and set(node.props["sources"]) == sources
    stated = dataset.rows(dataset.query(store, f"SELECT DISTINCT ?p WHERE {{ GRAPH ?g {{ <{u}> ?p ?o }} "
                                               f"FILTER(CONTAINS(STR(?g), '/graph/source/')) }}"))[1]
    assert {r["p"] for r in stated} <= {"http://www.w3.org/ns/prov#wasDerivedFrom", "http://www.w3.org/2004/02/skos/core#altLabel"}
    # An organisation the register does not know is described by the documents that name it.
    trust = dataset.rows(dataset.query(store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?t cg:name ?n ; a cg:Organisation } "
                                              "FILTER(CONTAINS(?n, 'Marsh Lane')) }"))[1]
    assert {r["g"] for r in trust} == docs - {iris.source_graph_iri("sources/news-2.txt")}
    trust_node = next(n for n in project(store).nodes if n.props.get("name", "").startswith("Marsh Lane"))
    assert set(trust_node.props["sources"]) == {r["g"] for r in trust}
