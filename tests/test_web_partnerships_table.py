"""The partnerships table (/partnerships/table, .json, .csv) against the REST /partnerships route, and in Chromium."""
import csv
import html as html_lib
import io
import json
import re
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from api_support import HOSTILE_ORG, live_server, sparql

from collabgraph.api.settings import Settings
from collabgraph.api.web.app import create_app
from collabgraph.ontology import subclasses

ARTIFACTS = Path(__file__).parent / "artifacts"
TABLE = "/partnerships/table"


def rest_pairs(client, **params) -> set[tuple[str, str]]:
    """Every pair the REST /partnerships route lists with these filters."""
    found, offset = set(), 0
    while True:
        page = client.get("/partnerships", params={**params, "limit": 1000, "offset": offset}).json()
        found |= {(p["a"]["id"], p["b"]["id"]) for p in page["items"]}
        offset += 1000
        if offset >= page["total"]:
            return found


def table_rows(client, **params) -> list[dict]:
    """Every row of the table with these filters, page after page."""
    rows, offset = [], 0
    while True:
        page = client.get(TABLE + ".json", params={**params, "limit": 500, "offset": offset}).json()
        rows += page["rows"]
        offset += 500
        if offset >= page["total"]:
            assert len(rows) == page["total"]
            return rows


def pairs(rows) -> list[tuple[str, str]]:
    return [(r["a"]["id"], r["b"]["id"]) for r in rows]


@pytest.fixture(scope="module")
def everything(client):
    return table_rows(client)


@pytest.fixture(scope="module")
def choices(client):
    return client.get(TABLE + ".json", params={"limit": 1}).json()["choices"]


@pytest.fixture(scope="module")
def organisations(client, everything) -> dict[str, dict]:
    """The REST detail of every organisation in a partnership (its region and class)."""
    ids = {e["id"] for r in everything for e in (r["a"], r["b"])}
    return {i: client.get(f"/organisations/{i}").json() for i in ids}


def test_every_rest_partnership_is_one_row(client, everything):
    assert len(everything) > 5
    assert len(set(pairs(everything))) == len(everything)
    assert set(pairs(everything)) == rest_pairs(client)


def test_theme_type_and_since_filters_keep_what_the_rest_route_keeps(client, choices):
    narrowed = 0
    for theme in choices["themes"]:
        found = set(pairs(table_rows(client, theme=theme["id"])))
        assert found == rest_pairs(client, theme=theme["id"]), theme
        narrowed += bool(found)
        for row in table_rows(client, theme=theme["id"]):  # the links shown are those on the theme or a narrower one
            assert row["links"] and all(link["via"] for link in row["links"])
    assert narrowed
    for link_type in choices["types"]:
        assert set(pairs(table_rows(client, type=link_type))) == rest_pairs(client, type=link_type), link_type
    for since in ("2020", "2024-06-01"):
        rows = table_rows(client, since=since)
        assert set(pairs(rows)) == rest_pairs(client, since=since)
        assert rows and all(r["since"] and all(x["date"] for x in r["links"]) for r in rows)


def test_region_and_organisation_type_filters_match_either_side(client, everything, choices, organisations):
    assert choices["regions"] and "University" in choices["org_types"]
    for region in choices["regions"]:
        expected = {p for p in pairs(everything) if region in (organisations[p[0]]["region"], organisations[p[1]]["region"])}
        assert set(pairs(table_rows(client, region=region))) == expected, region
    for cls in choices["org_types"]:
        accepted = {cls, *subclasses(cls)}
        expected = {p for p in pairs(everything)
                    if organisations[p[0]]["type"] in accepted or organisations[p[1]]["type"] in accepted}
        found = set(pairs(table_rows(client, org_type=cls)))
        assert found == expected, cls
        assert found, cls  # every class offered has a row
    assert set(pairs(table_rows(client, org_type="Organisation"))) == set(pairs(everything))
    combined = table_rows(client, org_type="University", region=choices["regions"][0])
    assert set(pairs(combined)) == (set(pairs(table_rows(client, org_type="University")))
                                    & set(pairs(table_rows(client, region=choices["regions"][0]))))


@pytest.mark.parametrize("column", ["name_a", "name_b", "via", "since", "sources"])
def test_sorting_orders_every_row_by_the_column(client, everything, column):
    def value(row):
        return {"name_a": row["a"]["name"].lower(), "name_b": row["b"]["name"].lower(),
                "via": row["links"][0]["via"]["name"].lower() if row["links"][0]["via"] else None,
                "since": row["since"], "sources": row["sources"]}[column]

    for order in ("asc", "desc"):
        rows = table_rows(client, sort=column, order=order)
        assert sorted(pairs(rows)) == sorted(pairs(everything))
        present = [value(r) for r in rows if value(r) is not None]
        assert present == sorted(present, reverse=order == "desc"), (column, order)
        missing = [i for i, r in enumerate(rows) if value(r) is None]
        assert missing == list(range(len(present), len(rows)))  # rows without a value come last
    html = client.get(TABLE, params={"sort": column}).text
    flipped = ("" if column == "name_a" else f"sort={column}&amp;") + "order=desc"  # name_a is the default sort
    assert f'href="{TABLE}?{flipped}"' in html  # its header now sorts the other way


def test_sources_are_the_sources_of_the_rest_partnership(client, everything, data):
    from collabgraph.graph.collabgraph import CollabGraph
    with CollabGraph(data) as cg:
        g = cg.partnership_network()
        for row in everything:
            assert row["sources"] == len(g.edges[row["a"]["iri"], row["b"]["iri"]]["sources"]) > 0


def test_paging_shows_the_slice_and_links_the_neighbours(client, everything):
    page = client.get(TABLE + ".json", params={"limit": 5, "offset": 5}).json()
    assert pairs(page["rows"]) == pairs(everything)[5:10]
    assert page["showing"] == f"6-{min(10, len(everything))} of {len(everything)}"
    html = client.get(TABLE, params={"limit": 5, "offset": 5}).text
    assert f"showing 6-{min(10, len(everything))} of {len(everything)}" in html
    assert f'href="{TABLE}?limit=5"' in html and f'href="{TABLE}?limit=5&amp;offset=10"' in html
    assert client.get(TABLE, params={"limit": 501}).status_code == 422  # capped


def test_csv_holds_every_filtered_row_and_the_page_links_it_with_the_filters(client, choices):
    theme = next(t["id"] for t in choices["themes"] if table_rows(client, theme=t["id"]))
    params = {"theme": theme, "sort": "since", "order": "desc", "limit": 2}
    html = client.get(TABLE, params=params).text
    csv_url = html_lib.unescape(re.search(r'<a href="([^"]+)" id="csv"', html).group(1))
    json_url = html_lib.unescape(re.search(r'<a href="([^"]+)">JSON</a>', html).group(1))
    assert f"theme={theme.replace('/', '%2F')}" in csv_url and "limit" not in csv_url and "sort=since" in csv_url
    response = client.get(csv_url)
    assert response.headers["content-disposition"] == 'attachment; filename="partnerships.csv"'
    found = list(csv.DictReader(io.StringIO(response.text)))
    expected = table_rows(client, theme=theme, sort="since", order="desc")
    assert [(r["organisation_a_id"], r["organisation_b_id"]) for r in found] == pairs(expected)
    assert [r["since"] for r in found] == [r["since"] or "" for r in expected]
    assert client.get(json_url).json()["rows"] == client.get(TABLE + ".json", params=params).json()["rows"]


def test_a_csv_past_the_cap_is_cut_and_its_name_says_so(client, everything, monkeypatch):
    from collabgraph.api.web import routes_tables
    monkeypatch.setattr(routes_tables, "MAX_CSV_ROWS", 3)
    response = client.get(TABLE + ".csv")
    name = f"partnerships-first-3-of-{len(everything)}.csv"
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    found = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["organisation_a_id"], r["organisation_b_id"]) for r in found] == pairs(everything)[:3]


def test_the_form_is_filled_from_the_data_and_keeps_the_current_values(client, choices):
    theme, region = choices["themes"][0], choices["regions"][0]
    html = client.get(TABLE, params={"theme": theme["id"], "region": region, "since": "2020", "org_type": "University",
                                     "type": "Programme"}).text
    assert f'<option value="{theme["id"]}" selected>' in html
    assert f"<option selected>{html_lib.escape(region)}</option>" in html
    assert "<option selected>University</option>" in html and "<option selected>Programme</option>" in html
    assert 'name="since" value="2020"' in html
    for t in choices["themes"]:
        assert f'value="{t["id"]}"' in html
    # an empty field of the GET form means 'any'
    assert client.get(TABLE + ".json", params={"theme": "", "type": "", "region": "", "since": "",
                                              "org_type": ""}).json()["total"] == client.get(TABLE + ".json").json()["total"]


def test_bad_filters_are_refused_with_a_message(client):
    missing = client.get(TABLE, params={"theme": "theme/no-such-theme"})
    assert missing.status_code == 404 and "no theme with id" in missing.text and "<html" in missing.text
    for params in ({"since": "2024-13-45"}, {"since": "yesterday"}, {"type": "Nonsense"}, {"org_type": "Cat"},
                   {"sort": "colour"}, {"region": "x" * 201}):
        response = client.get(TABLE + ".json", params=params)
        assert response.status_code == 422, params
        assert list(params)[0] in str(response.json()["detail"])


def test_hostile_names_are_shown_as_text(client):
    rows = table_rows(client)
    hostile = [r for r in rows if HOSTILE_ORG in (r["a"]["name"], r["b"]["name"])]
    assert hostile
    offset = rows.index(hostile[0])
    html = client.get(TABLE, params={"offset": offset, "limit": 1}).text
    assert "<script>window.__xss" not in html and "&lt;script&gt;window.__xss" in html
    assert "<img src=x" not in html


def test_a_user_filters_by_theme_and_downloads_the_matching_csv(browser, data, tmp_path):
    with live_server(create_app(data, Settings(sparql_workers=1))) as server:
        page = browser.new_page(viewport={"width": 1400, "height": 900}, accept_downloads=True)
        problems = []
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(server + TABLE)
        options = page.eval_on_selector_all('select[name=theme] option', "os => os.map(o => [o.value, o.textContent])")
        counts = {value: httpx.get(server + TABLE + ".json", params={"theme": value, "limit": 1}).json()["total"]
                  for value, _ in options if value}
        theme, name = next((v, n) for v, n in options if v and 0 < counts[v] < counts.get("", 10**9))
        page.select_option("select[name=theme]", theme)
        page.click("#filters button[type=submit]")
        page.wait_for_url(re.compile(r"theme="))
        shown = page.eval_on_selector_all("#partnerships tbody tr", """rows => rows.map(r => [
            r.cells[0].textContent.trim(), r.cells[1].textContent.trim(), r.querySelector('td.themes').textContent])""")
        assert len(shown) == counts[theme]
        within = {r["name"] for r in sparql(data, f"""SELECT ?name WHERE {{ ?t skos:broader* ?chosen ; cg:name ?name .
            ?chosen cg:name {json.dumps(name)} }}""")}
        assert shown and all(within & {t.strip() for t in themes.split("\n")} or any(w in themes for w in within)
                             for _, _, themes in shown)
        assert page.locator("select[name=theme] option:checked").inner_text() == name  # the form kept the choice
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "partnerships-table.png"), full_page=True)
        with page.expect_download() as download:
            page.click("#csv")
        target = tmp_path / "download.csv"
        download.value.save_as(target)
        found = list(csv.DictReader(target.open(encoding="utf-8")))
        assert [(r["organisation_a"], r["organisation_b"]) for r in found] == [(a, b) for a, b, _ in shown]
        page.goto(server + "/compare?a=" + found[0]["organisation_a_id"] + "&b=" + found[0]["organisation_b_id"])
        page.wait_for_selector("#direct")
        page.screenshot(path=str(ARTIFACTS / "compare.png"), full_page=True)
        page.goto(server + "/query/sparql?query=" + quote(
            "SELECT ?o ?name WHERE { ?o a cg:University ; cg:name ?name } ORDER BY ?name LIMIT 10"))
        page.wait_for_selector("#results tbody tr a")
        page.screenshot(path=str(ARTIFACTS / "query-sparql.png"), full_page=True)
        page.close()
        assert problems == []

