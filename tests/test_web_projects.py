"""A funder's project in the web app: its page shows the grant, the funder's record and its partners, and the
organisations' pages show it with a link to the record."""
import pytest
from fastapi.testclient import TestClient
from test_sources_gtr import GTR_JSON, _corpus

from collabgraph.api.settings import Settings
from collabgraph.api.web.app import create_app
from collabgraph.graph.build import build

PROJECT = "/programme/gtr-mr-y000101-1"
RECORD = "https://gtr.ukri.org/projects?ref=MR/Y000101/1"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("projects")
    root = tmp / "d"
    build(root, [_corpus(tmp, GTR_JSON)])
    with TestClient(create_app(root, Settings(sparql_workers=1)), base_url="http://localhost") as c:
        yield c


def test_a_projects_page_shows_its_grant_record_and_partners(client):
    page = client.get(PROJECT)
    assert page.status_code == 200
    data = client.get(PROJECT + ".json").json()
    assert data["record_url"] == RECORD and data["identifiers"]["grant_reference"] == "MR/Y000101/1"
    assert f'href="{RECORD}"' in page.text.replace("&amp;", "&") and "MR/Y000101/1" in page.text
    assert data["partners"] and all(f'href="/{p["id"]}"' in page.text for p in data["partners"])
    assert [h["name"] for h in data["hosts"]] == ["University of Leicester"]


def test_the_hosts_partners_table_links_the_project_and_its_record(client):
    page = client.get("/organisation/ror-04h699437").text
    assert f'href="{PROJECT}"' in page
    assert f'href="{RECORD}"' in page.replace("&amp;", "&")
