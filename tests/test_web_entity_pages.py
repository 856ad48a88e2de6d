"""The entity pages: an organisation with its partners and the evidence of each, and the other kinds."""
import csv
import io

import pytest
from api_support import HOSTILE_ORG, HOSTILE_PROGRAMME, sparql
from web_entities_support import LEICESTER, client, dataset, texts

from collabgraph.api.web.pages import page_url


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return dataset(tmp_path_factory)


@pytest.fixture(scope="module")
def web(data):
    with client(data) as c:
        yield c


def agreement_partner(data) -> dict:
    """From the store, not the API: an agreement party of the University of Leicester with its sentence."""
    return sparql(data, f"""SELECT ?partner ?pname ?via ?vname ?sentence WHERE {{
        ?via a cg:Agreement ; cg:party <https://w3id.org/collabgraph/id/organisation/{LEICESTER}>, ?partner ; cg:name ?vname .
        ?partner cg:name ?pname FILTER(?partner != <https://w3id.org/collabgraph/id/organisation/{LEICESTER}>)
        ?ev rdf:subject ?via ; rdf:predicate cg:party ; rdf:object ?partner ; cg:sentence ?sentence }}
        ORDER BY ?pname LIMIT 1""")[0]


def test_partners_show_the_agreement_and_the_sentence_with_both_names_marked(web, data):
    known = agreement_partner(data)
    page = web.get(f"/organisation/{LEICESTER}").text
    rows = [r for r in texts(page, "tr") if known["pname"] in r and known["vname"] in r]
    assert rows and known["sentence"] in rows[0]
    marks = texts(page, "mark")
    assert "University of Leicester" in marks and any(m.lower() in known["pname"].lower() or m in known["pname"]
                                                       for m in marks)
    assert '<details class="evidence">' in page
    row = next(r for r in web.get(f"/organisation/{LEICESTER}.json").json()["partners"]["items"]
               if r["via"] and r["via"]["iri"] == known["via"] and r["partner"]["iri"] == known["partner"])
    assert row["kind"] == "agreement" and any(e["sentence"] == known["sentence"] for e in row["evidence"])
    evidence = next(e for e in row["evidence"] if e["sentence"] == known["sentence"])
    link = f'{page_url(evidence["source"]["graph"])}#s-{evidence["start"]}'
    assert link in page and evidence["source"]["title"] in page


def test_the_json_twin_is_the_pages_data_and_the_csv_has_the_same_rows(web):
    twin = web.get(f"/organisation/{LEICESTER}.json").json()
    table = twin["partners"]
    assert table["total"] == len(table["items"]) > 2
    page = web.get(f"/organisation/{LEICESTER}").text
    html = page[page.index('<table class="data partners">'):]
    rows = texts(html[:html.index("</table>")], "tr")[1:]
    assert len(rows) == len(table["items"])
    for row, item in zip(rows, table["items"]):
        assert row.strip().startswith(item["partner"]["name"]) and (item["via"]["name"] if item["via"] else "stated") in row
    got = web.get(f"/organisation/{LEICESTER}/partners.csv")
    assert got.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(got.text)))
    assert [(r["partner_id"], r["via_id"] or None, r["since"] or None) for r in lines] == \
           [(i["partner"]["id"], i["via"]["id"] if i["via"] else None, i["since"]) for i in table["items"]]
    assert f"/organisation/{LEICESTER}/partners.csv" in page and f"/organisation/{LEICESTER}.json" in page


def test_the_partners_table_is_paged(web):
    whole = web.get(f"/organisation/{LEICESTER}.json").json()["partners"]
    second = web.get(f"/organisation/{LEICESTER}.json", params={"offset": 2}).json()["partners"]
    assert second["total"] == whole["total"] and second["items"] == whole["items"][2:]
    page = web.get(f"/organisation/{LEICESTER}", params={"offset": 2}).text
    assert "?offset=0#partners" in page


def test_the_organisation_shows_identifiers_region_people_programmes_agreements_and_sources(web):
    twin = web.get(f"/organisation/{LEICESTER}.json").json()
    page = web.get(f"/organisation/{LEICESTER}").text
    assert twin["identifiers"]["ror"] and f'href="https://ror.org/{twin["identifiers"]["ror"]}"' in page
    assert twin["region"] in page
    for group in ("people", "programmes", "agreements", "sources"):
        assert twin[group], group
        for item in twin[group]:
            assert f'href="{page_url(item.get("iri") or item["graph"])}"' in page
    assert f'href="/network?ego=organisation/{LEICESTER}"' in page  # its ego network


@pytest.mark.parametrize("kind, field, pattern", [("programme", "partners", "?x cg:partner ?y"),
                                                  ("agreement", "parties", "?x cg:party ?y"),
                                                  ("person", "memberships", "?x cg:memberOf ?y"),
                                                  ("theme", "programmes", "?y cg:hasTheme ?x . ?y a cg:Programme")])
def test_each_kind_has_a_page_and_a_twin(web, data, kind, field, pattern):
    iri = sparql(data, f"SELECT ?x WHERE {{ ?x a cg:{kind.title()} . {pattern} }} ORDER BY ?x LIMIT 1")[0]["x"]
    path = page_url(iri)
    twin = web.get(path + ".json").json()
    page = web.get(path)
    assert page.status_code == 200 and twin["name"] in texts(page.text, "h1")[0]
    assert twin[field], f"{kind} {iri} has no {field}"
    for item in twin[field]:
        target = item.get("organisation") or item
        assert f'href="{page_url(target["iri"])}"' in page.text


def test_agreement_and_person_evidence_marks_the_names(web, data):
    person = sparql(data, """SELECT ?p WHERE { ?ev rdf:subject ?p ; rdf:predicate cg:memberOf ; cg:sentence ?s }
                             ORDER BY ?p LIMIT 1""")[0]["p"]
    twin = web.get(page_url(person) + ".json").json()
    marked = [p["text"] for m in twin["memberships"] for e in m["evidence"] for p in e["marked"] if p["mark"]]
    assert marked and texts(web.get(page_url(person)).text, "mark")


def test_an_unknown_entity_is_a_404_page_saying_what_to_do_and_a_json_detail(web):
    page = web.get("/organisation/no-such-body")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "no organisation with id" in page.text and 'href="/search"' in page.text
    twin = web.get("/organisation/no-such-body.json")
    assert twin.status_code == 404 and "no organisation" in twin.json()["detail"]
    assert web.get("/theme/%3Cscript%3E").status_code == 404
    assert web.get("/organisation/no-such-body/partners.csv").status_code == 404


def test_hostile_names_are_shown_as_text(web):
    found = web.get("/search.json", params={"q": "Institute for Testing"}).json()["items"]
    org = next(i for i in found if i["name"] == HOSTILE_ORG)
    page = web.get(page_url(org["iri"])).text
    assert HOSTILE_ORG in texts(page, "h1") and "<script>window.__xss" not in page
    assert HOSTILE_PROGRAMME in texts(page, "a") and "<img src=x" not in page


def test_a_programmes_partners_hosts_and_funders_carry_their_evidence(web, data):
    found = sparql(data, """SELECT ?p ?o ?sentence WHERE { ?ev rdf:subject ?p ; rdf:predicate cg:partner ; rdf:object ?o ;
                              cg:sentence ?sentence . ?p a cg:Programme } ORDER BY ?p ?o LIMIT 1""")[0]
    twin = web.get(page_url(found["p"]) + ".json").json()
    partner = next(p for p in twin["partners"] if p["iri"] == found["o"])
    assert found["sentence"] in [e["sentence"] for e in partner["evidence"]]
    assert partner["evidence_count"] >= 1 and "people" in twin
    page = web.get(page_url(found["p"])).text
    assert " ".join(found["sentence"].split()) in " ".join(" ".join(texts(page, "blockquote")).split())
