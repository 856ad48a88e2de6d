"""SHACL validation reports violations in plain words."""
from pyoxigraph import Literal, NamedNode, Quad, Store

from collabgraph.graph.dataset import current_build
from collabgraph.graph.validate import validate
from collabgraph.loaders.rdf_writer import GraphWriter, SourceInfo
from collabgraph.ontology import CG, iris


def test_bundled_build_conforms(tmp_path, cli):
    cli("build", "--data-dir", tmp_path / "d")
    result = cli("validate", "--data-dir", tmp_path / "d")
    assert result.exit_code == 0, result.stdout
    assert "conforms" in result.stdout


def test_violations_name_the_node_and_the_rule():
    info = SourceInfo("t.txt", "t.txt", "Test", "sha256:" + "0" * 64)
    w = GraphWriter(info)
    person = iris.entity_iri("Person", "Ada Example")
    theme = iris.entity_iri("Theme", "Healthy ageing")
    w.entity(person, "Person", "Ada Example")
    w.entity(theme, "Theme", "Healthy ageing")
    w.relation(person, "memberOf", theme, "Ada works on healthy ageing.", 0, 28)
    store = Store()
    store.extend(w.quads)
    store.add(Quad(NamedNode(theme), CG.name, Literal("Second name"), NamedNode(info.graph)))
    messages = [str(v) for v in validate(store)]
    assert "person/ada-example (cg:memberOf): memberOf must point to an Organisation" in messages
    assert "theme/healthy-ageing (cg:name): needs exactly one cg:name (a plain string)" in messages


def test_validate_cli_fails_on_violations(tmp_path, cli):
    cli("build", "--data-dir", tmp_path / "d")
    store = Store(str(current_build(tmp_path / "d").store_path))
    store.add(Quad(NamedNode(iris.ID + "organisation/x"), CG.partnersWith, NamedNode(iris.ID + "theme/y"),
                   NamedNode(iris.DERIVED_GRAPH)))
    store.flush()
    del store
    result = cli("validate", "--data-dir", tmp_path / "d")
    assert result.exit_code == 1
    assert "organisation/x" in result.stdout and "SHACL violation" in result.stderr
