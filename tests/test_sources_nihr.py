"""NIHR awards open data as a source: CSV (field labels) and JSON (field names, the records API's envelopes)
become cg:Projects hosted by the contracted organisation, part of their NIHR programme."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from collabgraph.graph import dataset
from collabgraph.graph.build import BUNDLED_DATA, build
from collabgraph.graph.validate import validate
from collabgraph.loaders.errors import SourceError
from collabgraph.loaders.structured import format_of, nihr

NIHR_CSV = BUNDLED_DATA / "nihr" / "nihr-awards-east-midlands.csv"
LEICESTER = "https://w3id.org/collabgraph/id/organisation/ror-04h699437"
AWARD = {"project_id": "NIHR170404", "project_title": "Air quality alerts and asthma admissions in Leicester",
         "programme": "Public Health Research", "contracted_organisation": "University of Leicester",
         "award_holder_name": "Dr Sunita Mistry", "start_date": "2025-01-01T00:00:00+00:00", "end_date": "2027-12-31",
         "award_amount": 455000.0, "funder": "NIHR"}


def _rows(root: Path, sparql: str) -> list[dict]:
    return dataset.rows(dataset.query(dataset.open_store(root), sparql))[1]


def _folder(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "corpus"
    if not (folder / "register").exists():
        shutil.copytree(BUNDLED_DATA / "register", folder / "register")
    (folder / "nihr").mkdir(exist_ok=True)
    (folder / "nihr" / name).write_text(text)
    return folder


def test_csv_labels_are_read_as_awards():
    awards = nihr.read(NIHR_CSV).projects
    first = awards[0]
    assert (first.reference, first.host.name, first.scheme, str(first.start), str(first.end), first.amount) == (
        "NIHR160101", "University of Leicester", "NIHR Public Health Research", "2024-04-01", "2027-03-31", 1248000)
    assert [(m.name, m.role) for m in first.members] == [("Professor Priya Chauhan", "Chief Investigator")]
    assert first.url == "https://fundingawards.nihr.ac.uk/award/NIHR160101"
    assert [a.amount for a in awards] == [1248000, 689412.25, 249870]


@pytest.mark.parametrize("wrap", [lambda r: [r], lambda r: {"total_count": 1, "results": [r]},
                                  lambda r: {"records": [{"record": {"id": "x", "fields": r}}]}])
def test_json_exports_in_each_envelope_are_read(tmp_path, wrap):
    path = tmp_path / "awards.json"
    path.write_text(json.dumps(wrap(AWARD)))
    assert format_of(path) == "nihr"
    [award] = nihr.read(path).projects
    assert (award.reference, award.title, award.host.name, str(award.start), award.scheme) == (
        "NIHR170404", AWARD["project_title"], "University of Leicester", "2025-01-01", "NIHR Public Health Research")


def test_build_links_awards_to_register_nodes_with_scheme_people_and_record(tmp_path):
    root = tmp_path / "d"
    build(root, [_folder(tmp_path, NIHR_CSV.name, NIHR_CSV.read_text())])
    award = "https://w3id.org/collabgraph/id/programme/nihr-award-nihr160101"
    said = {(r["p"].rsplit("#", 1)[-1], str(r["o"])) for r in _rows(root, f"SELECT ?p ?o WHERE {{ <{award}> ?p ?o }}")}
    assert said >= {("hostedBy", LEICESTER), ("grantReference", "NIHR160101"), ("recordUrl", "https://fundingawards.nihr.ac.uk/award/NIHR160101"), ("endDate", "2027-03-31")}
    funder = _rows(root, f"SELECT ?n WHERE {{ <{award}> cg:fundedBy ?f . ?f cg:name ?n }}")
    assert funder == [{"n": "National Institute for Health and Care Research"}]  # 'NIHR' in the file, linked by the register
    scheme = _rows(root, f"SELECT ?n WHERE {{ <{award}> cg:partOf ?s . ?s a cg:Programme ; cg:name ?n }}")
    assert scheme == [{"n": "NIHR Public Health Research"}]
    # The chief investigator, honorific dropped as documents drop it, is a member of the contracted organisation.
    member = _rows(root, """SELECT ?org ?role WHERE { ?m org:member <https://w3id.org/collabgraph/id/person/priya-chauhan> ;
        org:organization ?org ; cg:roleTitle ?role }""")
    assert member == [{"org": LEICESTER, "role": "Chief Investigator"}]
    trust = _rows(root, "SELECT ?o WHERE { ?p cg:grantReference 'NIHR160202' ; cg:hostedBy ?o }")
    assert trust == [{"o": "https://w3id.org/collabgraph/id/organisation/ods-rt5"}]
    assert validate(dataset.open_store(root)) == []


def test_two_awards_of_one_organisation_make_no_partnership_but_nothing_is_lost(tmp_path):
    """An NIHR award has one contracted organisation: it partners nobody by itself (a funder is no partner)."""
    root = tmp_path / "d"
    build(root, [_folder(tmp_path, NIHR_CSV.name, NIHR_CSV.read_text())])
    assert _rows(root, "ASK { GRAPH <https://w3id.org/collabgraph/graph/derived> { ?ev cg:via ?p } ?p a cg:Project }") == [{"result": False}]
    assert _rows(root, "SELECT (COUNT(?p) AS ?n) WHERE { ?p a cg:Project }") == [{"n": 3}]


def test_unchanged_file_is_kept_and_a_changed_one_replaces_its_graph(tmp_path):
    folder = _folder(tmp_path, NIHR_CSV.name, NIHR_CSV.read_text())
    root = tmp_path / "d"
    build(root, [folder])
    assert [s.status for s in build(root, [folder]).sources] == ["unchanged"]
    lines = NIHR_CSV.read_text().splitlines()
    (folder / "nihr" / NIHR_CSV.name).write_text("\n".join(lines[:2]) + "\n")
    assert [s.status for s in build(root, [folder]).sources] == ["updated"]
    assert _rows(root, "SELECT ?r WHERE { ?p a cg:Project ; cg:grantReference ?r }") == [{"r": "NIHR160101"}]


@pytest.mark.parametrize("text, message", [
    ("Project ID,Project Title\nNIHR1,x\n", "not an NIHR awards export: no organisation field"),
    ("Project ID,Contracted Organisation,Start Date\nNIHR1,University of Leicester,sometime\n",
     "line 2 (NIHR1): field 'start_date': 'sometime' is not a date"),
    ("Project ID,Contracted Organisation,Award Amount\nNIHR1,University of Leicester,-5\n",
     "line 2 (NIHR1): field 'award_amount': '-5' is not an amount of money"),
    ("Project ID,Contracted Organisation\n,University of Leicester\n", "line 2: missing 'reference'"),
])
def test_bad_csv_fails_alone_naming_file_and_record(tmp_path, text, message):
    folder = _folder(tmp_path, NIHR_CSV.name, NIHR_CSV.read_text())
    root = tmp_path / "d"
    build(root, [folder])
    (folder / "nihr" / NIHR_CSV.name).write_text(text)
    report = build(root, [folder])
    [failed] = report.failed
    assert NIHR_CSV.name in failed.message and message in failed.message and "\n" not in failed.message
    assert _rows(root, "SELECT (COUNT(?p) AS ?n) WHERE { ?p a cg:Project }") == [{"n": 3}]  # the last good graph


def test_bad_json_is_a_clear_error(tmp_path):
    broken = tmp_path / "a.json"
    broken.write_text('[{"project_id": "NIHR1", "contracted_organisation": ')
    with pytest.raises(SourceError, match="a.json: invalid JSON"):
        nihr.read(broken)
    odd = tmp_path / "b.json"
    odd.write_text(json.dumps([AWARD, "not a record"]))
    with pytest.raises(SourceError, match="record 2: expected an object of award fields"):
        nihr.read(odd)


def test_build_command_loads_one_nihr_file(tmp_path, cli):
    root = tmp_path / "d"
    path = tmp_path / "awards.json"
    path.write_text(json.dumps({"results": [AWARD]}))
    result = cli("build", path, "--data-dir", root)
    assert result.exit_code == 0, result.stderr
    assert _rows(root, "SELECT ?r WHERE { ?p a cg:Project ; cg:grantReference ?r }") == [{"r": "NIHR170404"}]
