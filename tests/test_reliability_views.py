"""Safe views: documents carrying markup are built, and /view and /view/organisations/{id} run none of it.

Two documents are built with `collabgraph`'s own build: a text file and a web
page whose titles and sentences carry `<script>` and `<img onerror=...>`. The
extractor reads names by their grammar (words, never `<` or `=`), so to put
markup in organisation and person *names* too, a third document's graph is
written through the loaders' own GraphWriter, as an extractor that kept the
markup would write it: the views must not depend on the extractor being strict.

In Debian's chromium (Playwright) every hostile node is clicked and hovered on
both pages: no dialog opens, no injected element or script exists, and the
names, roles and titles are shown as text.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from browser_support import node_point
from pyoxigraph import Store
from reliability_support import serve

from collabgraph.graph import default_graph
from collabgraph.graph.build import BUNDLED_DATA, build
from collabgraph.graph.dataset import current_build, drop_graph, open_store, query, rows
from collabgraph.graph.derive import derived_quads
from collabgraph.loaders.rdf_writer import GraphWriter, SourceInfo
from collabgraph.ontology import iris

TEXT_TITLE = '<script>window.__xss = "title"; alert("title")</script> Zedford <img src=x onerror="window.__xss=1"> news'
TEXT_DOC = f"""{TEXT_TITLE}

The University of Zedford and Zedford City Council signed a memorandum of understanding <script>alert("sentence")</script> on health research. Professor Jane Doe, Director of Public Health at Zedford City Council, <img src=x onerror="alert('sentence')"> welcomed it.
"""
HTML_DOC = """<html><head><title>&lt;img src=x onerror="window.__xss='page'"&gt; Zedford health &lt;script&gt;alert(5)&lt;/script&gt;</title></head>
<body><article><h1>Zedford health research</h1>
<p>The University of Zedford and Zedford NHS Foundation Trust are partners in the Zedford Health Determinants Research
Collaboration &lt;script&gt;window.__xss='html'&lt;/script&gt;, hosted by Zedford City Council.</p>
<p>Dr Sam Reed &lt;img src=x onerror=alert(4)&gt;, Director of Public Health at Zedford City Council, leads the work.</p>
<script>window.__xss = "page script"</script></article></body></html>
"""
ORG_NAME = '<script>window.__xss = "doc-org"; alert("doc-org")</script> Zedford Institute'
ORG_ALIAS = "<img src=x onerror=\"window.__xss = 'doc-alias'; alert('doc-alias')\">"
PERSON_NAME = "<img src=x onerror=\"window.__xss = 'doc-person'; alert('doc-person')\"> Jo Markup"
ROLE = '<b onmouseover="alert(\'role\')">Director</b> of <iframe src="javascript:alert(1)"></iframe>'
DOC_TITLE = '<svg onload="alert(\'svg\')"></svg> Zedford institute news'
ORG = iris.entity_iri("Organisation", ORG_NAME)
PERSON = iris.entity_iri("Person", PERSON_NAME)


def hostile_document_graph(partner: str) -> list:
    """The named graph of a document whose organisation, alias, person, role and title are markup."""
    info = SourceInfo("zedford/institute-news.txt", "zedford/institute-news.txt", DOC_TITLE, "sha256:" + "0" * 64)
    w = GraphWriter(info)
    w.entity(ORG, "ResearchCentre", ORG_NAME, [ORG_ALIAS])
    w.entity(PERSON, "Person", PERSON_NAME)
    w.membership(PERSON, ORG, ROLE, f"{PERSON_NAME}, {ROLE} at the {ORG_NAME}, said so.", 0, 40)
    agreement = iris.entity_iri("Agreement", f"{ORG_NAME} memorandum")
    w.entity(agreement, "MemorandumOfUnderstanding", f"Memorandum between {ORG_NAME} and a university")
    w.relation(agreement, "party", ORG, f"The {ORG_NAME} signed.", 0, 10)
    w.relation(agreement, "party", partner, f"The {ORG_NAME} signed.", 0, 10)
    return w.quads


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    corpus = root / "corpus"
    shutil.copytree(BUNDLED_DATA / "register", corpus / "register")
    (corpus / "zedford").mkdir()
    (corpus / "zedford" / "news.txt").write_text(TEXT_DOC)
    (corpus / "zedford" / "page.html").write_text(HTML_DOC)
    data = root / "data"
    report = build(data, [corpus])
    assert not report.failed, report.failed
    partner = iris.entity_iri("Organisation", "University of Zedford")
    store = Store(str(current_build(data).store_path))
    store.extend(hostile_document_graph(partner))  # a new source's graph
    drop_graph(store, iris.DERIVED_GRAPH)
    store.extend(list(derived_quads(store)))
    default_graph.remerge(store)  # what a build keeps up to date as it writes
    store.flush()
    del store
    return data


@pytest.fixture(scope="module")
def server(data, tmp_path_factory):
    with serve(data, tmp_path_factory.mktemp("views-logs"), {"COLLABGRAPH_VIEW_NODE_LIMIT": "1000"}) as served:
        yield served.url


@pytest.fixture
def page(browser):
    """A page recording dialogs (an alert means injected code ran), uncaught errors and console errors."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.dialogs, page.problems = [], []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    yield page
    page.close()


def titles(data: Path) -> set[str]:
    _, found = rows(query(open_store(data), "SELECT ?t WHERE { GRAPH ?g { ?g dcterms:title ?t } "
                                            "FILTER(CONTAINS(STR(?g), 'zedford')) }"))
    return {r["t"] for r in found}


def test_the_markup_reached_the_dataset(data):
    """Otherwise the browser test below would prove nothing."""
    store = open_store(data)
    assert TEXT_TITLE in titles(data) and DOC_TITLE in titles(data)
    assert any("<img src=x onerror" in t and "<script>" in t for t in titles(data))  # the web page's own title
    _, sentences = rows(query(store, "SELECT ?s WHERE { ?e cg:sentence ?s FILTER(CONTAINS(?s, '<script>')) }"))
    assert len(sentences) >= 2
    _, names = rows(query(store, f"SELECT ?n WHERE {{ <{ORG}> cg:name ?n }} "))
    assert names == [{"n": ORG_NAME}]
    _, people = rows(query(store, f"SELECT ?role WHERE {{ ?m org:member <{PERSON}> ; cg:roleTitle ?role }}"))
    assert people == [{"role": ROLE}]
    _, built = rows(query(store, "SELECT ?x WHERE { ?x a cg:Person ; cg:name 'Jane Doe' }"))
    assert built, "the extractor found the person of the text document"


def open_network(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-stable=true]", timeout=60_000)


def inspect(page, node: str) -> str:
    """Click the node, wait for its details, hover it for its tooltip; the details panel's text."""
    page.mouse.move(5, 5)
    point = node_point(page, node, scale=1.6)
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector(f'#details[data-loaded="{node}"]', timeout=15_000)
    page.mouse.move(5, 5)
    page.mouse.move(point["x"], point["y"])
    page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5_000)
    return page.inner_text("#details")


def assert_nothing_injected(page) -> None:
    assert page.dialogs == []
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.evaluate("document.querySelectorAll('img, iframe, object, embed, svg, b').length") == 0
    assert page.evaluate("document.querySelectorAll('[onerror], [onload], [onmouseover]').length") == 0
    # the JSON data (not run), and vis-network and the page's script, both this server's files
    assert page.evaluate("[...document.scripts].map((s) => s.type || s.src.split('?')[0].split('/').pop())") == \
        ["application/json", "vis-network.min.js", "view.js"]
    assert page.problems == []


@pytest.mark.parametrize("path", ["/view", f"/view/organisations/{iris.local_id(ORG)}?depth=2"])
def test_hostile_names_roles_and_titles_are_shown_as_text_and_never_run(page, server, data, path):
    zedford = iris.entity_iri("Organisation", "University of Zedford")
    open_network(page, server + path)
    org = inspect(page, ORG)
    assert page.inner_text("#details h2") == ORG_NAME
    assert ORG_ALIAS in org and DOC_TITLE in org and PERSON_NAME in org
    assert ORG_NAME in page.inner_text("div.vis-tooltip")
    assert_nothing_injected(page)
    person = inspect(page, PERSON)
    assert page.inner_text("#details h2") == PERSON_NAME and ROLE in person
    assert_nothing_injected(page)
    university = inspect(page, zedford)
    assert TEXT_TITLE in university  # the text document's title, among the university's sources
    assert_nothing_injected(page)
    if path != "/view":
        assert page.title().startswith("<script>")  # the ego view's title, shown as text
