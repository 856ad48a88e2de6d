"""Extraction quality on real web pages (../shared/real-dev) and on pages written in their styles (tests/pages).

Floors sit a little below the figures measured when they were set (README, "Measured quality"), so a
change that reads real pages worse fails here. The real pages are read from ../shared at test time.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SHARED
from extraction_scoring import score_folder

from collabgraph.loaders.register import load_register

REAL_DEV = SHARED / "real-dev"
PAGES = Path(__file__).resolve().parent / "pages"
BUNDLED_REGISTER = Path(__file__).resolve().parent.parent / "data" / "register"

REAL_FLOORS = {"entities": 0.87, "relations": 0.72, "entity:Organisation": 0.89, "entity:Person": 0.95,
               "relation:partnersWith": 0.80, "relation:partner": 0.72, "relation:memberOf": 0.70,
               "relation:party": 0.75, "relation:fundedBy": 0.68, "relation:hostedBy": 0.68, "relation:hasTheme": 0.60}
PAGE_FLOORS = {"entities": 0.86, "relations": 0.73, "entity:Organisation": 0.89, "entity:Person": 0.95,
               "relation:partnersWith": 0.70, "relation:partner": 0.70, "relation:memberOf": 0.83,
               "relation:hasTheme": 0.73, "relation:party": 0.95, "relation:fundedBy": 0.70, "relation:hostedBy": 0.74}


@pytest.fixture(scope="module")
def real_score():
    if not (REAL_DEV / "docs").is_dir():
        pytest.skip(f"real-dev pages not found at {REAL_DEV}")
    return score_folder(REAL_DEV / "docs", REAL_DEV / "gold", load_register(BUNDLED_REGISTER)).table()


@pytest.fixture(scope="module")
def page_score():
    return score_folder(PAGES, PAGES, load_register(BUNDLED_REGISTER)).table()


@pytest.mark.parametrize("key,floor", sorted(REAL_FLOORS.items()))
def test_real_pages_read_at_least_as_well_as_measured(real_score, key, floor):
    assert real_score[key]["f1"] >= floor, (key, real_score[key])


@pytest.mark.parametrize("key,floor", sorted(PAGE_FLOORS.items()))
def test_pages_in_real_styles_read_at_least_as_well_as_measured(page_score, key, floor):
    assert page_score[key]["f1"] >= floor, (key, page_score[key])


def test_every_page_document_has_gold():
    docs = [p for p in PAGES.iterdir() if p.suffix in (".txt", ".md", ".html", ".pdf") and p.name != "README.md"]
    assert len(docs) >= 20
    assert all((PAGES / f"{d.stem}.yaml").is_file() for d in docs)
