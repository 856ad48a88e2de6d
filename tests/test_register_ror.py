"""`collabgraph register import-ror`: the ROR schema 2 dump to a register file that loads beside the curated one."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from collabgraph.graph import dataset
from collabgraph.graph.build import BUNDLED_DATA, build
from collabgraph.graph.validate import validate
from collabgraph.loaders.register import load_register
from collabgraph.loaders.structured.ror import org_class

SAMPLE = Path(__file__).parent / "fixtures" / "structured" / "ror-v2-sample.json"


def _register(tmp_path: Path) -> Path:
    folder = tmp_path / "register"
    shutil.copytree(BUNDLED_DATA / "register", folder)
    return folder


def _organisations(path: Path) -> dict[str, dict]:
    return {o["name"]: o for o in yaml.safe_load(path.read_text())["organisations"]}


def test_import_writes_names_aliases_ids_parents_and_location(tmp_path, cli):
    folder = _register(tmp_path)
    result = cli("register", "import-ror", SAMPLE, "--country", "GB", "-o", folder / "ror.yaml")
    assert result.exit_code == 0, result.stderr
    assert "wrote 4 organisation(s)" in result.stdout and "from 8 ROR record(s)" in result.stdout
    orgs = _organisations(folder / "ror.yaml")
    institute = orgs["Exampleton Institute of Ageing"]
    assert institute == {"name": "Exampleton Institute of Ageing", "type": "ResearchCentre",
                         "aliases": ["EIA", "Sefydliad Heneiddio Exampleton"],
                         "identifiers": {"ror": "0exmpl101", "grid": "grid.499901.1"},
                         # its parent is in the curated register already, under the curated name
                         "parent": "University of Leicester", "city": "Leicester", "country": "GB"}
    trust = orgs["Westmarch Teaching Hospitals NHS Foundation Trust"]
    assert trust["type"] == "NHSTrust" and trust["identifiers"] == {
        "ror": "0exmpl202", "wikidata": "Q99990202", "isni": "0000 0001 2345 6789"}
    # One name, two hospitals: the second is told apart by its city, and loses the acronym the first claimed.
    assert orgs["St Columba's Hospital"]["city"] == "Edinburgh"
    assert orgs["St Columba's Hospital (Liverpool)"]["type"] == "Organisation"  # healthcare without NHS in its name
    assert "aliases" not in orgs["St Columba's Hospital (Liverpool)"]
    # Not written: the University of Leicester (curated already), France, a withdrawn record, a company (not a type asked).
    assert not {"University of Leicester", "Institut Exemple de Paris", "Old Exampleton Polytechnic",
                "Exampleton Widgets Ltd"} & set(orgs)
    # The file loads beside the curated register (no name, alias or id claimed twice).
    assert len(load_register(folder).of_kind("Organisation")) > len(orgs)


def test_types_and_country_options_choose_what_is_written(tmp_path, cli):
    out = tmp_path / "alone" / "ror.yaml"
    assert cli("register", "import-ror", SAMPLE, "--types", "education,company", "-o", out).exit_code == 0
    assert set(_organisations(out)) == {"University of Leicester", "Exampleton Widgets Ltd"}
    assert _organisations(out)["University of Leicester"]["aliases"] == ["UoL"]
    assert cli("register", "import-ror", SAMPLE, "--country", "FR", "-o", out).exit_code == 0
    assert set(_organisations(out)) == {"Institut Exemple de Paris"}
    bad = cli("register", "import-ror", SAMPLE, "--types", "education,pubs", "-o", out)
    assert bad.exit_code == 2 and "unknown ROR type(s) pubs" in bad.stderr


def test_ror_types_map_to_ontology_classes():
    assert org_class(["education", "funder"], "University of X") == "University"
    assert org_class(["funder", "government"], "Medical Research Thing") == "GovernmentBody"
    assert org_class(["healthcare"], "X NHS Trust") == "NHSTrust"
    assert org_class(["healthcare"], "X Clinic") == "Organisation"
    assert org_class(["facility"], "X Centre") == "ResearchCentre"
    assert org_class(["nonprofit"], "X Society") == "Charity"
    assert org_class([], "X") == "Organisation"


def test_imported_register_builds_and_links_documents_by_its_names(tmp_path, cli):
    folder = tmp_path / "corpus"
    register = _register(folder)
    assert cli("register", "import-ror", SAMPLE, "-o", register / "ror.yaml").exit_code == 0
    (folder / "docs").mkdir()
    (folder / "docs" / "news.txt").write_text(
        "Westmarch research news\n\nWestmarch Hospitals and the University of Leicester signed a memorandum of "
        "understanding on ageing research.\n")
    root = tmp_path / "d"
    build(root, [folder])
    rows = dataset.rows(dataset.query(dataset.open_store(root), """SELECT ?n ?ror ?city ?country WHERE {
        ?a a cg:Agreement ; cg:party ?o . ?o cg:name ?n ; cg:ror ?ror OPTIONAL { ?o cg:city ?city ; cg:countryCode ?country } }
        ORDER BY ?n"""))[1]
    assert rows == [{"n": "University of Leicester", "ror": "04h699437", "city": None, "country": None},
                    {"n": "Westmarch Teaching Hospitals NHS Foundation Trust", "ror": "0exmpl202", "city": "London",
                     "country": "GB"}]
    assert validate(dataset.open_store(root)) == []


def test_bad_dumps_are_one_line_errors_and_leave_the_old_file(tmp_path, cli):
    out = tmp_path / "register" / "ror.yaml"
    assert cli("register", "import-ror", SAMPLE, "-o", out).exit_code == 0
    before = out.read_text()
    broken = tmp_path / "broken.json"
    broken.write_text(SAMPLE.read_text()[:3000])
    result = cli("register", "import-ror", broken, "-o", out)
    assert result.exit_code == 1 and "broken.json: invalid JSON" in result.stderr
    records = json.loads(SAMPLE.read_text())
    records[1]["names"] = [{"value": "No display name", "types": ["label"]}]
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps(records))
    result = cli("register", "import-ror", odd, "-o", out)
    assert result.exit_code == 1 and "odd.json: record 2 (https://ror.org/0exmpl101): no name of type 'ror_display'" in result.stderr
    result = cli("register", "import-ror", tmp_path / "missing.json", "-o", out)
    assert result.exit_code == 1 and "missing.json" in result.stderr
    assert out.read_text() == before
    assert len(result.stderr.strip().splitlines()) == 1
