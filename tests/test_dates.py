"""Dates have one datatype by precision, whichever source states them, and SHACL checks it."""
from __future__ import annotations

import shutil

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from collabgraph.graph import dataset
from collabgraph.graph.build import BUNDLED_DATA, build
from collabgraph.loaders.errors import SourceError
from collabgraph.ontology import CG, XSD, iris

HDRC = iris.entity_iri("Programme", "NIHR Health Determinants Research Collaboration Leicestershire")


def rows(root, text):
    return dataset.rows(dataset.query(dataset.open_store(root), text))[1]


def test_a_start_from_the_register_and_a_document_is_one_value_of_one_datatype(tmp_path):
    root = tmp_path / "d"
    build(root, [BUNDLED_DATA])
    stated = rows(root, f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{HDRC}> cg:startDate ?d }} }}")
    graphs = sorted(r["g"] for r in stated)  # the register's `start: 2025` and the page's "starting in 2025"
    assert len(graphs) == 2 and graphs[0] == iris.register_graph_iri("programmes") and "/graph/source/" in graphs[1]
    values = rows(root, f"SELECT ?d (DATATYPE(?d) AS ?t) WHERE {{ <{HDRC}> cg:startDate ?d }}")
    assert values == [{"d": "2025", "t": XSD.gYear.value}]


def test_shacl_rejects_a_plain_string_date(tmp_path, cli):
    root = tmp_path / "d"
    cli("build", "--data-dir", root)
    assert cli("validate", "--data-dir", root).exit_code == 0
    store = Store(str(dataset.current_build(root).store_path))
    store.add(Quad(NamedNode(HDRC), CG.endDate, Literal("2030"), NamedNode(iris.register_graph_iri("programmes"))))
    store.flush()
    del store
    result = cli("validate", "--data-dir", root)
    assert result.exit_code == 1
    assert "(cg:endDate): an end date is an xsd:date, xsd:gYearMonth or xsd:gYear" in result.stdout


def test_a_register_date_that_is_no_date_stops_the_build_at_its_line(tmp_path):
    register = tmp_path / "register"
    shutil.copytree(BUNDLED_DATA / "register", register)
    text = (register / "programmes.yaml").read_text()
    assert "    start: 2025\n" in text
    (register / "programmes.yaml").write_text(text.replace("    start: 2025\n", "    start: Spring 2025\n"))
    with pytest.raises(SourceError, match=r"programmes\.yaml:\d+: .*'start': 'Spring 2025' is not a date"):
        build(tmp_path / "d", [], register_dir=register)
