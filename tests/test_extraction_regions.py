"""Extraction on documents about other UK regions, written for these tests with their own gold files.

None of their organisations is in the curated register, so what is found here is
found by the grammar of names, roles, agreements and programmes alone.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from extraction_scoring import f1, score_folder

from collabgraph.loaders.evaluate import load_gold
from collabgraph.loaders.identity import normal
from collabgraph.loaders.register import load_register

REGIONS = Path(__file__).resolve().parent / "regions"
BUNDLED_REGISTER = Path(__file__).resolve().parent.parent / "data" / "register"
THRESHOLDS = {"entity:Organisation": 0.9, "entity:Person": 0.9, "entity:Theme": 0.8, "entity:Agreement": 0.9,
              "relation:memberOf": 0.85, "relation:partnersWith": 0.85, "relation:partner": 0.8,
              "relations": 0.8, "entities": 0.9}


@pytest.fixture(scope="module", params=["register", "no-register"])
def region_score(request):
    register = load_register(BUNDLED_REGISTER) if request.param == "register" else None
    return score_folder(REGIONS, REGIONS, register)


@pytest.mark.parametrize("key,minimum", sorted(THRESHOLDS.items()))
def test_region_f1(region_score, key, minimum):
    assert f1(region_score, key) >= minimum, (key, region_score.table()[key], region_score.misses,
                                              region_score.false_positives)


def test_region_organisations_are_unknown_to_the_register():
    """Regional bodies are found by grammar; only the national bodies' file may know a region document's names."""
    register = load_register(BUNDLED_REGISTER)
    regional = [e for e in register.entries if not str(e.file).endswith("national.yaml")]
    known = {normal(n) for e in regional for n in [e.name, *e.aliases] if len(n) > 5}
    for gold_file in sorted(REGIONS.glob("*.yaml")):
        gold = load_gold(gold_file)
        for g in gold.entities:
            if "Organisation" in g.types and normal(g.name) != "national institute for health and care research":
                assert not (g.keys & known), f"{gold_file.name}: {g.name} is in the register"


def test_every_region_document_has_gold():
    docs = [p for p in REGIONS.iterdir() if p.suffix in (".txt", ".md", ".html", ".pdf")]
    assert len(docs) >= 6
    for doc in docs:
        data = yaml.safe_load((REGIONS / f"{doc.stem}.yaml").read_text())
        assert data["source"] == doc.name
