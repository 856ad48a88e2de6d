"""/compare and /compare.json: two organisations side by side, checked against the REST partners and paths."""
import html as html_lib
import json
import re
from itertools import combinations

import pytest
from api_support import HOSTILE_ORG, sparql

ROLE_OF = {"hostedBy": "host", "partner": "partner", "fundedBy": "funder", "party": "party"}


def partners(client, org: str) -> dict[str, set]:
    """{partner id: ids of the agreements and programmes (None: stated)} from the REST partners route."""
    found = client.get(f"/organisations/{org}/partners", params={"limit": 1000}).json()["items"]
    return {p["partner"]["id"]: {(link["via"] or {}).get("id") for link in p["hops"][0]["links"]} for p in found}


@pytest.fixture(scope="module")
def pair(client):
    """Two organisations with the most shared partners, and their REST partners."""
    orgs = [o["id"] for o in client.get("/index.json").json()["best_connected"]]
    known = {o: partners(client, o) for o in orgs}
    a, b = max(combinations(orgs, 2), key=lambda ab: (len(set(known[ab[0]]) & set(known[ab[1]])), ab))
    return a, b, known[a], known[b]


def test_shared_partners_are_those_the_rest_partners_of_each_side_confirm(client, pair):
    a, b, of_a, of_b = pair
    page = client.get("/compare.json", params={"a": a, "b": b}).json()
    shared = page["comparison"]["shared_partners"]
    assert shared and {p["partner"]["id"] for p in shared} == set(of_a) & set(of_b) - {a, b}
    for p in shared:
        assert {(x["via"] or {}).get("id") for x in p["via_a"]} == of_a[p["partner"]["id"]]
        assert {(x["via"] or {}).get("id") for x in p["via_b"]} == of_b[p["partner"]["id"]]
    assert (page["comparison"]["direct"] is not None) == (b in of_a)
    html = client.get("/compare", params={"a": a, "b": b}).text
    for p in shared:
        assert f'<a href="/{p["partner"]["id"]}">{html_lib.escape(p["partner"]["name"])}</a>' in html


def test_shared_programmes_and_agreements_carry_each_sides_roles(client, data, pair):
    a, b, _, _ = pair
    page = client.get("/compare.json", params={"a": a, "b": b}).json()["comparison"]
    expected: dict[str, tuple[set, set]] = {}
    for side, org in enumerate((a, b)):
        for r in sparql(data, f"""SELECT DISTINCT ?v ?p WHERE {{ VALUES ?p {{ cg:hostedBy cg:partner cg:fundedBy cg:party }}
                ?v ?p <https://w3id.org/collabgraph/id/{org}> . {{ ?v a cg:Programme }} UNION {{ ?v a cg:Agreement }} }}"""):
            expected.setdefault(r["v"], (set(), set()))[side].add(ROLE_OF[r["p"].rsplit("#", 1)[1]])
    shared = {v: roles for v, roles in expected.items() if roles[0] and roles[1]}
    found = {v["iri"]: (set(v["roles_a"]), set(v["roles_b"])) for v in page["shared_programmes"] + page["shared_agreements"]}
    assert found == shared and found
    assert all(v["kind"] == "programme" for v in page["shared_programmes"])
    assert all(v["kind"] == "agreement" for v in page["shared_agreements"])


def test_the_chain_is_the_rest_path_with_its_evidence(client, pair):
    a, b, _, _ = pair
    page = client.get("/compare.json", params={"a": a, "b": b, "max": 3}).json()
    rest = client.get("/paths", params={"from": a, "to": b, "max": 3}).json()
    assert [n["id"] for n in page["path"]["nodes"]] == [n["id"] for n in rest["nodes"]] and rest["found"]
    assert [(h["from"], h["to"]) for h in page["path"]["hops"]] == [(h["from"], h["to"]) for h in rest["hops"]]
    sentences = {e["sentence"] for h in rest["hops"] for link in h["links"] for e in link["evidence"] if e["sentence"]}
    html = client.get("/compare", params={"a": a, "b": b, "max": 3}).text
    assert sentences and all(html_lib.escape(s) in html for s in sentences)


def test_no_chain_within_the_max_is_said_plainly(client, data):
    orgs = [r["o"].rsplit("/id/", 1)[1] for r in sparql(data, """SELECT ?o WHERE { ?o a cg:Organisation
        FILTER NOT EXISTS { ?o cg:partnersWith ?x } } ORDER BY ?o LIMIT 1""")]
    best = client.get("/index.json").json()["best_connected"][0]["id"]
    page = client.get("/compare.json", params={"a": best, "b": orgs[0]}).json()
    assert page["path"]["found"] is False and "no chain of at most 4 partnerships" in page["path"]["message"]
    html = client.get("/compare", params={"a": best, "b": orgs[0]}).text
    assert "no chain of at most 4 partnerships links them" in html
    assert page["comparison"]["shared_partners"] == [] and page["comparison"]["direct"] is None


def test_names_are_resolved_and_an_ambiguous_name_lists_the_candidates(client, pair):
    a, b, _, _ = pair
    name_a = client.get(f"/organisations/{a}").json()["name"]
    page = client.get("/compare.json", params={"a": name_a.upper(), "b": b}).json()
    assert page["a"]["id"] == a and page["comparison"] is not None
    ambiguous = client.get("/compare.json", params={"a": "university", "b": b}).json()
    candidates = ambiguous["candidates"]["a"]
    assert len(candidates) > 1 and all("university" in (c["name"] + " ".join(c["aliases"])).lower() for c in candidates)
    assert ambiguous["comparison"] is None and ambiguous["b"]["id"] == b
    html = client.get("/compare", params={"a": "university", "b": b}).text
    choices = [html_lib.unescape(h) for h in re.findall(r'<a href="(/compare\?a=[^"]+)"', html)]
    assert len(choices) == len(candidates)
    chosen = client.get(choices[0]).text  # following a candidate compares it with the other side
    assert "Shared partners" in chosen and 'value="university"' not in chosen


def test_unknown_and_identical_organisations_are_refused_with_a_message(client, pair):
    a, _, _, _ = pair
    missing = client.get("/compare", params={"a": "zzzz-no-such-organisation-qq", "b": a})
    assert missing.status_code == 404 and "no organisation matches" in missing.text and "<form" in missing.text
    assert client.get("/compare.json", params={"a": "zzzz-no-such-organisation-qq", "b": a}).status_code == 404
    same = client.get("/compare.json", params={"a": a, "b": a})
    assert same.status_code == 400 and same.json()["problem"] == "choose two different organisations"
    assert client.get("/compare.json", params={"a": a, "b": "x", "max": 9}).status_code == 422
    empty = client.get("/compare")
    assert empty.status_code == 200 and 'name="a"' in empty.text and 'name="b"' in empty.text


def test_the_json_twin_is_the_pages_data(client, pair):
    a, b, _, _ = pair
    html = client.get("/compare", params={"a": a, "b": b}).text
    twin = html_lib.unescape(re.search(r'<a href="([^"]+)">this page as JSON</a>', html).group(1))
    page = client.get(twin).json()
    assert page == client.get("/compare.json", params={"a": a, "b": b}).json()
    assert html_lib.escape(page["a"]["name"]) in html and html_lib.escape(page["b"]["name"]) in html


def test_hostile_names_are_shown_as_text(client, data):
    hostile = sparql(data, f"SELECT ?o WHERE {{ ?o cg:name {json.dumps(HOSTILE_ORG)} }}")[0]["o"].rsplit("/id/", 1)[1]
    partner = next(iter(partners(client, hostile)))
    html = client.get("/compare", params={"a": hostile, "b": partner}).text
    assert "<script>window.__xss" not in html and "&lt;script&gt;window.__xss" in html and "<img src=x" not in html
    ambiguous = client.get("/compare", params={"a": "<script>", "b": partner}).text
    assert "<script>window" not in ambiguous
