"""UKRI Gateway to Research as a source: API 2 JSON and the project search CSV become cg:Projects linked to the
same organisation nodes as documents, with provenance down to the record, incremental like documents."""
from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import httpx
import pytest
from api_support import live_server

from collabgraph.api.web.app import create_app
from collabgraph.graph import dataset
from collabgraph.graph.build import BUNDLED_DATA, build
from collabgraph.graph.validate import validate
from collabgraph.loaders.errors import SourceError
from collabgraph.loaders.structured import format_of, gtr

GTR_JSON = BUNDLED_DATA / "gtr" / "gtr-east-midlands-projects.json"
GTR_CSV = BUNDLED_DATA / "gtr" / "gtr-project-search-export.csv"
LEICESTER = "https://w3id.org/collabgraph/id/organisation/ror-04h699437"
ORG = "https://gtr.ukri.org:443/gtr/api/organisations/"


def _rows(root: Path, sparql: str) -> list[dict]:
    return dataset.rows(dataset.query(dataset.open_store(root), sparql))[1]


def _corpus(tmp_path: Path, *files: Path, documents: dict[str, str] | None = None) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(BUNDLED_DATA / "register", folder / "register")
    (folder / "gtr").mkdir()
    for f in files:
        shutil.copy(f, folder / "gtr" / f.name)
    for name, text in (documents or {}).items():
        (folder / "docs").mkdir(exist_ok=True)
        (folder / "docs" / name).write_text(text)
    return folder


def test_api_json_projects_become_projects_with_host_partners_funder_people_dates_and_money():
    projects = {p.reference: p for p in gtr.read(GTR_JSON).projects}
    first = projects["MR/Y000101/1"]
    assert first.host.name == "University of Leicester"
    assert [o.name for o in first.partners] == ["Leicestershire Partnership NHS Trust", "Charnwood Community Pharmacy Network"]
    assert [o.name for o in first.funders] == ["Medical Research Council"]  # the fund's FUNDER, not leadFunder's acronym
    assert [(m.name, m.role, m.org.name) for m in first.members] == [
        ("Amrit Lakhani", "Principal Investigator", "University of Leicester"),
        ("Helen Barraclough", "Co-Investigator", "Leicestershire Partnership NHS Trust")]
    assert (str(first.start), str(first.end), first.amount, first.currency) == ("2023-10-01", "2026-10-01", 612480, "GBP")
    assert first.url == "https://gtr.ukri.org/projects?ref=MR/Y000101/1"
    # A project without a fund record: its funder is the leadFunder, no money, no dates.
    third = projects["MR/Z503303/1"]
    assert [o.name for o in third.funders] == ["MRC"] and third.amount is None and third.start is None
    # A co-investigator with no employer in the file is a member of the lead organisation.
    assert [(m.name, m.role, m.org) for m in third.members] == [("Amrit Lakhani", "Co-Investigator", third.members[0].org)]


def test_csv_export_rows_become_projects():
    projects = gtr.read(GTR_CSV).projects
    assert [(p.reference, p.host.name, p.funders[0].name, str(p.start), str(p.end), p.amount) for p in projects] == [
        ("MR/Y009404/1", "De Montfort University", "MRC", "2024-02-01", "2027-01-31", 845300),
        ("ES/Y007505/1", "University of Nottingham", "ESRC", "2023-09-01", "2026-08-31", 512000)]
    assert projects[0].members[0].name == "Grace Okonjo" and projects[0].members[0].role == "Principal Investigator"


def test_files_are_told_apart_by_their_columns_and_keys(tmp_path):
    assert format_of(GTR_JSON) == format_of(GTR_CSV) == "gtr"
    other = tmp_path / "other.json"
    other.write_text('{"colours": ["red"]}')
    assert format_of(other) is None
    assert format_of(other, "gtr") == "gtr"  # in a gtr/ folder it is read as GtR, and then refused clearly


def test_build_writes_projects_linked_to_register_nodes_with_provenance(tmp_path):
    root = tmp_path / "d"
    report = build(root, [_corpus(tmp_path, GTR_JSON, GTR_CSV)])
    assert {s.status for s in report.sources} == {"added"}
    project = "https://w3id.org/collabgraph/id/programme/gtr-mr-y000101-1"
    rows = _rows(root, f"""SELECT ?p ?o WHERE {{ <{project}> ?p ?o FILTER(?p IN (cg:hostedBy, cg:partner, cg:fundedBy,
        cg:grantReference, cg:gtrId, cg:recordUrl, cg:startDate, cg:fundingAmount, cg:currency)) }}""")
    said = {(r["p"].rsplit("#", 1)[-1], str(r["o"])) for r in rows}
    assert said >= {("hostedBy", LEICESTER), ("partner", "https://w3id.org/collabgraph/id/organisation/ods-rt5"),
                    ("fundedBy", "https://w3id.org/collabgraph/id/organisation/medical-research-council"),
                    ("grantReference", "MR/Y000101/1"), ("gtrId", "1A2B3C4D-5E6F-4A7B-8C9D-0E1F2A3B4C01"),
                    ("recordUrl", "https://gtr.ukri.org/projects?ref=MR/Y000101/1"), ("startDate", "2023-10-01"),
                    ("fundingAmount", "612480.0"), ("currency", "GBP")}
    assert _rows(root, f"ASK {{ <{project}> a cg:Project, cg:Programme }}") == [{"result": True}]
    # A project's links are stated in the source file's graph (a prov:Entity) beside the record's id and page,
    # which are their evidence; a membership (a person's link) has a cg:Evidence naming the record.
    stated = _rows(root, f"""SELECT ?g ?id ?url WHERE {{ GRAPH ?g {{ <{project}> cg:hostedBy <{LEICESTER}> ;
        cg:grantReference ?id ; cg:recordUrl ?url }} ?g a prov:Entity ; cg:path ?path }}""")
    assert [(e["id"], e["url"]) for e in stated] == [("MR/Y000101/1", "https://gtr.ukri.org/projects?ref=MR/Y000101/1")]
    membership = _rows(root, """SELECT ?id ?url WHERE { GRAPH ?g { ?ev rdf:subject <https://w3id.org/collabgraph/id/person/amrit-lakhani> ;
        rdf:predicate cg:memberOf ; prov:wasDerivedFrom ?g ; cg:recordId ?id ; cg:recordUrl ?url } ?g a prov:Entity }""")
    assert ("MR/Y000101/1", "https://gtr.ukri.org/projects?ref=MR/Y000101/1") in {(e["id"], e["url"]) for e in membership}
    # Host and partners partner each other through the project (graph.derive, as for documents); a funder does not.
    partners = _rows(root, f"SELECT ?b WHERE {{ GRAPH <https://w3id.org/collabgraph/graph/derived> {{ <{LEICESTER}> cg:partnersWith ?b }} }}")
    assert "https://w3id.org/collabgraph/id/organisation/ods-rt5" in {r["b"] for r in partners}
    assert "https://w3id.org/collabgraph/id/organisation/medical-research-council" not in {r["b"] for r in partners}
    # The principal investigator is a member of their employer, with the role title on a cg:Membership.
    member = _rows(root, """SELECT ?org ?role WHERE { ?m org:member <https://w3id.org/collabgraph/id/person/amrit-lakhani> ;
        org:organization ?org ; cg:roleTitle ?role }""")
    assert {(m["org"], m["role"]) for m in member} == {(LEICESTER, "Principal Investigator"), (LEICESTER, "Co-Investigator")}
    assert validate(dataset.open_store(root)) == []


def test_a_documents_organisation_and_a_gtr_organisation_are_one_node(tmp_path):
    """'University of Westmarch', in no register, named by a press release and by GtR: one node, described by both
    sources, host of the project and party to the document's agreement. And GtR's 'Leicester University' is the
    register's University of Leicester (linked by name through the register, as documents link)."""
    data = json.loads(GTR_JSON.read_text())
    data["organisation"][0]["name"] = "Leicester University"
    data["organisation"][3]["name"] = "University of Westmarch"  # the host of ES/Z500202/1
    (tmp_path / "westmarch.json").write_text(json.dumps(data))
    doc = ("Westmarch health partnership\n\nThe University of Westmarch and Westmarch City Council signed a memorandum "
           "of understanding on health research.\n")
    root = tmp_path / "d"
    build(root, [_corpus(tmp_path, tmp_path / "westmarch.json", documents={"westmarch.txt": doc})])
    rows = _rows(root, """SELECT ?o (COUNT(DISTINCT ?g) AS ?graphs) WHERE { ?o a cg:Organisation ; cg:name ?n .
        GRAPH ?g { ?o prov:wasDerivedFrom ?g } FILTER(CONTAINS(LCASE(?n), "westmarch") && !CONTAINS(?n, "Council")) } GROUP BY ?o""")
    assert len(rows) == 1 and rows[0]["graphs"] == 2, rows
    node = rows[0]["o"]
    assert _rows(root, f"SELECT ?r WHERE {{ ?p cg:hostedBy <{node}> ; cg:grantReference ?r }}") == [{"r": "ES/Z500202/1"}]
    assert _rows(root, f"ASK {{ ?a a cg:Agreement ; cg:party <{node}> }}") == [{"result": True}]
    hosted = _rows(root, "SELECT ?o WHERE { ?p cg:grantReference 'MR/Y000101/1' ; cg:hostedBy ?o }")
    assert hosted == [{"o": LEICESTER}]


def test_a_gtr_organisation_id_in_the_register_links_before_the_name(tmp_path):
    folder = _corpus(tmp_path, GTR_JSON)
    data = json.loads(GTR_JSON.read_text())
    data["organisation"][2]["name"] = "CCPN Ltd"  # a name the register does not know ...
    (folder / "gtr" / GTR_JSON.name).write_text(json.dumps(data))
    (folder / "register" / "gtr-ids.yaml").write_text(
        "organisations:\n  - name: Charnwood Community Pharmacy Network\n    type: ResearchNetwork\n"
        "    identifiers: {gtr: 2B8E7D6C-5A4F-4B3E-8D2C-3F4A5B6C7D73}\n")  # ... but its GtR id
    root = tmp_path / "d"
    build(root, [folder])
    rows = _rows(root, """SELECT ?p WHERE { ?p cg:partner ?o . ?o cg:name "Charnwood Community Pharmacy Network" }""")
    assert [r["p"] for r in rows] == ["https://w3id.org/collabgraph/id/programme/gtr-mr-y000101-1"]
    assert _rows(root, 'ASK { ?o cg:name "CCPN Ltd" }') == [{"result": False}]
    assert _rows(root, 'ASK { ?o skos:altLabel "CCPN Ltd" }') == [{"result": True}]


def test_api_shows_a_project_with_money_dates_ids_and_record_url_and_partners_with_record_links(tmp_path):
    root = tmp_path / "d"
    build(root, [_corpus(tmp_path, GTR_JSON)])
    with live_server(create_app(root)) as base, httpx.Client(base_url=base, timeout=30) as client:
        detail = client.get("/programmes/programme/gtr-mr-y000101-1").json()
        assert detail["type"] == "Project"
        assert detail["funding"] == {"amount": 612480.0, "currency": "GBP"}
        assert (detail["start_date"], detail["end_date"]) == ("2023-10-01", "2026-10-01")
        assert detail["identifiers"] == {"grant_reference": "MR/Y000101/1", "gtr": "1A2B3C4D-5E6F-4A7B-8C9D-0E1F2A3B4C01"}
        assert detail["record_url"] == "https://gtr.ukri.org/projects?ref=MR/Y000101/1"
        assert [h["name"] for h in detail["hosts"]] == ["University of Leicester"]
        partners = client.get("/organisations/ror-04h699437/partners", params={"via": "programme"}).json()
        trust = next(p for p in partners["items"] if p["partner"]["name"] == "Leicestershire Partnership NHS Trust")
        links = trust["hops"][0]["links"]
        assert links[0]["via"]["id"] == "programme/gtr-mr-y000101-1"
        assert {e["record_url"] for e in links[0]["evidence"]} == {"https://gtr.ukri.org/projects?ref=MR/Y000101/1"}
        # The file's own page lists what its records state: the project's links as well as the memberships.
        graph = client.get("/programmes/programme/gtr-mr-y000101-1").json()["sources"][0]["graph"]
        page = client.get(f"/source/{graph.rsplit('/source/', 1)[1]}.json").json()
        stated = {(r["subject"]["id"], r["predicate"], r["object"]["id"]) for r in page["relations"]}
        assert ("programme/gtr-mr-y000101-1", "hostedBy", "organisation/ror-04h699437") in stated
        assert any(p == "memberOf" for _, p, _ in stated)


def test_partners_described_from_the_build_s_indexes_are_those_sparql_describes(tmp_path):
    """The partners route describes a page from memory once the build's indexes are made (names, the links
    behind each partnership, a record's page as its evidence): exactly what SPARQL gives, documents and funders'
    records mixed."""
    from pyoxigraph import Store

    from collabgraph.graph import entities
    from collabgraph.graph.dataset import current_build
    from collabgraph.graph.name_index import NameIndex

    root = tmp_path / "d"
    build(root, [BUNDLED_DATA])  # documents, the register, GtR and NIHR files
    store = Store.read_only(str(current_build(root).store_path))
    names = NameIndex(store)
    index = entities.PartnerIndex(store, names)
    organisations = [r["o"] for r in _rows(root, "SELECT DISTINCT ?o WHERE { ?o a cg:Organisation }")]
    records = 0
    for org in organisations:
        queried = list(entities.partners(store, org, 1, "any"))
        assert list(entities.partners(store, org, 1, "any", index)) == queried, org
        records += sum(bool(e["record_url"]) for row in queried for hop in row["hops"] for link in hop["links"]
                       for e in link["evidence"])
    assert records > 0


def test_unchanged_file_is_kept_changed_file_replaces_its_graph(tmp_path):
    folder = _corpus(tmp_path, GTR_JSON)
    root = tmp_path / "d"
    build(root, [folder])
    again = build(root, [folder])
    assert [(s.key.split("/")[-1], s.status) for s in again.sources] == [("gtr-east-midlands-projects.json", "unchanged")]
    data = json.loads(GTR_JSON.read_text())
    data["project"] = data["project"][:1]
    data["project"][0]["title"] = "Community pharmacies and diabetes: a renamed project"
    (folder / "gtr" / GTR_JSON.name).write_text(json.dumps(data))
    changed = build(root, [folder])
    assert [s.status for s in changed.sources] == ["updated"]
    titles = _rows(root, "SELECT ?n WHERE { ?p a cg:Project ; cg:name ?n }")
    assert [t["n"] for t in titles] == ["Community pharmacies and diabetes: a renamed project"]  # the old projects are gone


BAD = [
    ("{\"project\": [ {\"title\": \"x\"", "invalid JSON"),
    (lambda d: d["project"][1].pop("identifiers"), "project 2 (2B3C4D5E-6F70-4B8C-9D0E-1F2A3B4C5D12): missing the grant reference"),
    (lambda d: d["fund"][0].update(start="next spring"), "fund 1 (6F708192-A3B4-4C5D-9E6F-708192A3B426): field 'start': 'next spring' is not a date"),
    (lambda d: d["fund"][1]["valuePounds"].update(amount="lots"), "fund 2 (8192A3B4-C5D6-4E7F-9081-92A3B4C5D648): field 'valuePounds.amount'"),
    (lambda d: d["organisation"][3].pop("name"), "organisation 4 (3C9F8E7D-6B5A-4C4F-9E3D-4A5B6C7D8E84): missing 'name'"),
    ('{"colours": []}', "no GtR records"),
]


@pytest.mark.parametrize("change, message", BAD)
def test_bad_file_fails_alone_with_one_line_naming_file_and_record_and_keeps_its_last_graph(tmp_path, change, message):
    folder = _corpus(tmp_path, GTR_JSON, GTR_CSV)
    root = tmp_path / "d"
    build(root, [folder])
    before = _rows(root, "SELECT (COUNT(*) AS ?n) WHERE { ?p a cg:Project }")
    target = folder / "gtr" / GTR_JSON.name
    if callable(change):
        data = copy.deepcopy(json.loads(GTR_JSON.read_text()))
        change(data)
        target.write_text(json.dumps(data))
    else:
        target.write_text(change)
    report = build(root, [folder])
    failed = report.failed
    assert len(failed) == 1 and failed[0].key.endswith(GTR_JSON.name)
    assert "\n" not in failed[0].message and GTR_JSON.name in failed[0].message and message in failed[0].message
    assert _rows(root, "SELECT (COUNT(*) AS ?n) WHERE { ?p a cg:Project }") == before  # the last good graph stays


def test_csv_without_the_export_columns_is_refused_with_the_missing_column(tmp_path):
    bad = tmp_path / "gtr.csv"
    bad.write_text("ProjectReference,Title\nMR/1,Something\n")
    with pytest.raises(SourceError, match="no column.*LeadROName"):
        gtr.read(bad)
    row = tmp_path / "row.csv"
    row.write_text(GTR_CSV.read_text().replace("01/02/2024", "31/02/2024"))
    with pytest.raises(SourceError, match=r"line 2 \(MR/Y009404/1\): field 'StartDate': '31/02/2024' is not a date"):
        gtr.read(row)


def test_build_command_loads_one_gtr_file_with_add(tmp_path, cli):
    root = tmp_path / "d"
    assert cli("build", BUNDLED_DATA / "documents", "--data-dir", root).exit_code == 0
    result = cli("build", "--add", GTR_CSV, "--data-dir", root)
    assert result.exit_code == 0, result.stderr
    rows = _rows(root, "SELECT ?r WHERE { ?p a cg:Project ; cg:grantReference ?r } ORDER BY ?r")
    assert [r["r"] for r in rows] == ["ES/Y007505/1", "MR/Y009404/1"]
    assert len(_rows(root, "SELECT ?d WHERE { ?d a cg:Source ; cg:path ?p FILTER(STRENDS(?p, '.txt') || STRENDS(?p, '.md') || STRENDS(?p, '.html')) }")) == 5
