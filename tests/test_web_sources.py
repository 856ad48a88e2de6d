"""The source page: the document's text as the extractor read it, each mention and relation marked.

The text and mentions are kept per build as a reading (`graph.readings`), written when a document is extracted,
carried over while it is unchanged, gone when it is removed; the relations' offsets index that text.
"""
import gzip
import shutil

import pytest
from api_support import HOSTILE_DOCUMENT, sparql
from web_entities_support import LEICESTER, client, dataset, texts

from collabgraph.api.web.pages import page_url
from collabgraph.graph import readings
from collabgraph.graph.build import BUNDLED_DATA, build
from collabgraph.graph.dataset import current_build
from collabgraph.loaders.reading import MAX_READING_CHARS


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return dataset(tmp_path_factory)


@pytest.fixture(scope="module")
def web(data):
    with client(data) as c:
        yield c


def documents(data) -> list[str]:
    return [r["g"] for r in sparql(data, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?g a cg:Source ; cg:sourceKey ?k } "
                                         "FILTER(CONTAINS(STR(?g), '/graph/source/')) } ORDER BY ?g")]


def test_every_relations_offsets_slice_its_sentence_from_the_kept_text(data):
    build_ = current_build(data)
    checked = 0
    for graph in documents(data):
        reading = readings.load(build_, graph)
        assert reading is not None, graph
        for r in sparql(data, f"""SELECT ?sentence ?start ?end WHERE {{ GRAPH <{graph}> {{
                                  ?ev a cg:Evidence ; cg:sentence ?sentence ; cg:start ?start ; cg:end ?end }} }}"""):
            # sentences are stored with their whitespace tidied; the offsets also cover the line break after them
            assert " ".join(reading["text"][r["start"]:r["end"]].split()) == " ".join(r["sentence"].split()), graph
            checked += 1
        for start, end, iri, *_ in reading["mentions"]:
            assert reading["text"][start:end].strip(), (graph, start, end, iri)
    assert checked > 20


def test_the_page_marks_every_relation_sentence_at_its_anchor_and_links_mentions(web, data):
    graph = next(g for g in documents(data) if "leicester-ons-mou" in g)
    twin = web.get(page_url(graph) + ".json").json()
    page = web.get(page_url(graph)).text
    assert twin["title"] in texts(page, "h1") and twin["checksum"] in page
    assert twin["relations"] and twin["mentions"]
    for r in twin["relations"]:
        assert f'id="s-{r["start"]}"' in page and f'href="#s-{r["start"]}"' in page
    marked = "".join(texts(page, "mark", "relation"))
    assert all(" ".join(r["sentence"].split())[:40] in " ".join(marked.split()) for r in twin["relations"])
    linked = [m for m in twin["mentions"] if m["entity"]]
    assert any(m["entity"]["iri"].endswith(LEICESTER) for m in linked)
    shown = texts(page, "a", "mention")
    assert all(m["text"] in shown for m in linked)
    assert "linked to the register" in page and "title=" in page


def test_the_evidence_link_of_an_organisation_page_lands_on_a_marked_sentence(web):
    org = web.get(f"/organisation/{LEICESTER}.json").json()
    evidence = next(e for r in org["partners"]["items"] for e in r["evidence"] if e["start"] is not None)
    page = web.get(page_url(evidence["source"]["graph"])).text
    at = page.index(f'id="s-{evidence["start"]}"')
    assert page[at:].startswith(f'id="s-{evidence["start"]}"></span><mark class="relation">')


def test_a_hostile_document_is_shown_as_text(web, data):
    graph = next(g for g in documents(data) if "hostile-news" in g)
    page = web.get(page_url(graph)).text
    assert '<script>alert("document")</script>' in "".join(texts(page, "article"))
    assert '<script>alert("document")' not in page and "<b>Institute</b>" not in page
    assert HOSTILE_DOCUMENT.splitlines()[0] in page


def test_unknown_sources_and_registers_are_404s_saying_what_to_do(web):
    for path in ("/source/no-such-source", "/source/bad%20key%3Cb%3E", "/register/no-such-file"):
        page = web.get(path)
        assert page.status_code == 404 and 'href="/search"' in page.text, path
        assert "detail" in web.get(path + ".json").json()


def test_the_register_page_lists_what_a_file_defines(web):
    twin = web.get("/register/organisations.json").json()
    page = web.get("/register/organisations").text
    assert twin["total"] == sum(twin["kinds"].values()) > 5
    assert f'href="/organisation/{LEICESTER}"' in page
    assert all(page_url(e["iri"]) in page for e in twin["items"])


def test_readings_follow_their_sources_through_incremental_builds(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(BUNDLED_DATA, corpus)
    root = tmp_path / "data"
    build(root, [corpus], workers=1)
    first = current_build(root)
    graphs = sorted(p.name for p in (first.path / readings.READINGS).iterdir())
    assert len(graphs) == len(list((corpus / "documents").iterdir()))
    changed, removed = sorted((corpus / "documents").iterdir())[:2]
    changed.write_text(changed.read_text() + "\nThe University of Leicester is mentioned again here.\n")
    removed.unlink()
    build(root, [corpus], workers=1)
    second = current_build(root)
    now = sorted(p.name for p in (second.path / readings.READINGS).iterdir())
    assert len(now) == len(graphs) - 1
    kept = [n for n in now if n in graphs]
    assert kept and all((second.path / readings.READINGS / n).stat().st_ino ==
                        (first.path / readings.READINGS / n).stat().st_ino for n in kept
                        if changed.stem not in n)  # unchanged sources keep their file (a hard link)
    grew = next(n for n in now if changed.stem in n)
    assert b"mentioned again" in gzip.decompress((second.path / readings.READINGS / grew).read_bytes())


def test_a_reading_is_bounded():
    from collabgraph.loaders.extraction import Entity, Extraction
    from collabgraph.loaders.reading import reading
    text = "x" * (MAX_READING_CHARS + 10)
    e = Entity("Organisation", "Organisation", "X", spans=[(0, 5), (MAX_READING_CHARS + 1, MAX_READING_CHARS + 5)])
    kept = reading(text, Extraction(entities=[e]))
    assert len(kept["text"]) == MAX_READING_CHARS and kept["truncated"] and kept["length"] == len(text)
    assert [m[:2] for m in kept["mentions"]] == [[0, 5]]


def test_only_web_addresses_of_sources_become_links():
    from collabgraph.api.web.pages import environment
    web = environment().get_template("_entities.html").module.web
    assert str(web("https://example.org/news?a=1&b=<2>")) == (
        '<a href="https://example.org/news?a=1&amp;b=&lt;2&gt;" rel="noopener noreferrer nofollow">'
        "https://example.org/news?a=1&amp;b=&lt;2&gt;</a>")
    assert "<a" not in str(web("javascript:alert(1)")) and "javascript:alert(1)" in str(web("javascript:alert(1)"))
