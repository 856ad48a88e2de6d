"""A user's way through the entity pages in a real browser (Debian's chromium, Playwright, uvicorn):
search from the header box, open the organisation, read a partnership's evidence, follow it to the source,
or to the organisation's network where the partner is drawn."""
from pathlib import Path
from urllib.parse import unquote

import pytest
from api_support import live_server
from web_entities_support import LEICESTER, dataset

from collabgraph.api.settings import Settings
from collabgraph.api.web.app import create_app
from collabgraph.ontology import iris

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(create_app(dataset(tmp_path_factory), Settings(sparql_workers=1))) as url:
        yield url


def test_search_open_an_organisation_read_the_evidence_and_follow_it_to_the_source(browser, server):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    page.goto(server + "/search")  # any page: the header box is on every one
    box = page.locator("header.site input[name=q]")
    box.fill("of leices")
    box.press("Enter")
    page.wait_for_url("**/search?q=of+leices*")
    page.locator("table.results a", has_text="University of Leicester").first.click()
    page.wait_for_url(f"**/organisation/{LEICESTER}")
    partners = page.locator("table.partners tbody tr")
    assert partners.count() > 2
    row = partners.filter(has=page.locator("details.evidence blockquote")).first
    details = row.locator("details.evidence")
    sentence = details.locator("blockquote.sentence").first
    assert not sentence.is_visible()
    details.locator("summary").click()
    assert sentence.is_visible() and "University of Leicester" in sentence.locator("mark").all_inner_texts()
    source_title = details.locator("p.source a").first.inner_text()
    assert source_title
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "organisation-page.png"), full_page=True)
    text = " ".join(sentence.inner_text().split())
    details.locator("a.at-sentence").first.click()
    page.wait_for_url("**/source/**#s-*")
    assert page.locator("h1").inner_text() == source_title
    anchor = page.url.rsplit("#", 1)[1]
    marked = page.locator(f"#{anchor} + mark.relation")
    assert marked.is_visible()
    shown = " ".join(page.locator("article.text").inner_text().split())
    assert text in shown
    page.screenshot(path=str(ARTIFACTS / "source-page.png"))
    assert problems == []
    page.close()


def test_home_search_organisation_evidence_then_the_partner_in_its_network(browser, server):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    page.goto(server + "/")
    box = page.locator("header.site input[name=q]")
    box.fill("leicester")
    box.press("Enter")
    page.locator("table.results a", has_text="University of Leicester").first.click()
    page.wait_for_url(f"**/organisation/{LEICESTER}")

    row = page.locator("table.partners tbody tr").filter(has=page.locator("details.evidence blockquote")).first
    row.locator("details.evidence summary").click()
    assert row.locator("blockquote.sentence").first.is_visible()
    assert row.locator("p.source a").first.inner_text()
    partner_href = row.locator("td").first.locator("a").get_attribute("href")
    partner = iris.ID + unquote(partner_href.lstrip("/"))

    page.locator("a.ego").click()
    page.wait_for_selector("body[data-stable=true]", timeout=30_000)
    origin = iris.ID + "organisation/" + LEICESTER
    assert page.evaluate("(id) => !!window.collabgraph.nodes.get(id)", partner)
    assert page.evaluate("""([a, b]) => window.collabgraph.edges.get().some(
        (e) => (e.from === a && e.to === b) || (e.from === b && e.to === a))""", [origin, partner])
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "journey-network.png"))
    assert problems == []
    page.close()
