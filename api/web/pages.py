"""Server-rendered HTML pages and their twins, datasette style.

Every page is a Jinja template extending `base.html` (the header with the search box on every page) over a
dict of data that is also the page's `.json` twin; a page that shows a table also has a `.csv` twin. Text
from documents reaches the HTML only through Jinja's autoescaping, and the pages run only this server's own
scripts (`script-src 'self'`), so markup in a name or sentence is shown, never run.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from functools import cache
from urllib.parse import quote

from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from collabgraph.ontology import iris

from .assets import static_url
from .http_guard import PAGE_HEADERS
from .views import TEMPLATES

#: Only this server's files run; styles may be inline (templates set widths); data: images for vis-network.
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'")
#: The sections of the site, in the header of every page.
NAV = [("/search", "Search"), ("/partnerships/table", "Partnerships"), ("/network", "Network"),
       ("/compare", "Compare"), ("/query/sparql", "SPARQL"), ("/query/cypher", "Cypher"), ("/docs", "API")]


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(static_url=static_url, nav=NAV)
    env.filters.update(page_url=page_url)
    return env


def page_url(iri: str) -> str | None:
    """The page of a collabgraph IRI: an entity's page is at its IRI's path under /id/
    (`.../id/organisation/ror-04h699437` -> `/organisation/ror-04h699437`), a document's at
    `/source/<key>` and a register file's at `/register/<name>`. None for any other IRI."""
    for base, prefix in ((iris.ID, "/"), (iris.GRAPH + "source/", "/source/"), (iris.GRAPH + "register/", "/register/")):
        if iri.startswith(base) and len(iri) > len(base):
            return prefix + quote(iri[len(base):], safe="/")
    return None


def html_page(template: str, data: dict, *, title: str, json_url: str, csv_url: str | None = None,
              status: int = 200, **context) -> HTMLResponse:
    """The page `template` shows `data`, with links to its JSON (and CSV) twin in the footer."""
    html = environment().get_template(template).render(data=data, title=title, json_url=json_url,
                                                       csv_url=csv_url, **context)
    return HTMLResponse(html, status_code=status, headers={**PAGE_HEADERS, "Content-Security-Policy": PAGE_POLICY})


def csv_response(columns: Sequence[str], rows: Iterable[Sequence], filename: str) -> Response:
    """A CSV download (RFC 4180, UTF-8); cells starting with = + - @ are prefixed with ' so a spreadsheet
    opening the file does not run them as formulas."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', **PAGE_HEADERS})


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
