"""Shared by the entity-page tests: the shared test dataset served by a TestClient, and a small HTML reader."""
from __future__ import annotations

from html.parser import HTMLParser

from api_support import shared_dataset
from conftest import SEEDS
from fastapi.testclient import TestClient

from collabgraph.api.settings import Settings
from collabgraph.api.web.app import create_app

#: The University of Leicester, in the bundled register with its ROR id.
LEICESTER = "ror-04h699437"


def dataset(tmp_path_factory):
    return shared_dataset(tmp_path_factory, SEEDS if SEEDS.is_dir() else None)


def client(data) -> TestClient:
    return TestClient(create_app(data, Settings(sparql_workers=1)), base_url="http://localhost")


class Texts(HTMLParser):
    """The text inside every element matching a tag (and class), as a browser would show it."""

    def __init__(self, tag: str, cls: str | None = None) -> None:
        super().__init__()
        self.tag, self.cls, self.found, self._depth, self._buf = tag, cls, [], 0, []

    def handle_starttag(self, tag, attrs):
        if self._depth:
            self._depth += tag == self.tag
        elif tag == self.tag and (self.cls is None or self.cls in (dict(attrs).get("class") or "").split()):
            self._depth, self._buf = 1, []

    def handle_endtag(self, tag):
        if self._depth and tag == self.tag:
            self._depth -= 1
            if not self._depth:
                self.found.append("".join(self._buf))

    def handle_data(self, data):
        if self._depth:
            self._buf.append(data)


def texts(html: str, tag: str, cls: str | None = None) -> list[str]:
    parser = Texts(tag, cls)
    parser.feed(html)
    return parser.found
