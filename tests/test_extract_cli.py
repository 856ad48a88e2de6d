"""`collabgraph extract` and `collabgraph evaluate` as a user runs them."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

TEXT = """Testford partners sign agreement

Testford City Council and the University of Testford have signed a memorandum of understanding (MoU) to carry out joint research into healthy ageing.

Dr Ada Example, Director of Public Health at Testford City Council, said the agreement would put evidence at the heart of council decisions.
"""
REGISTER = """organisations:
  - name: University of Testford
    type: University
    aliases: [Testford University]
    identifiers: {ror: 0abcde123}
"""
GOLD = """source: news.txt
entities:
  - {name: Testford City Council, type: Organisation, aliases: [council]}
  - {name: University of Testford, type: Organisation}
  - {name: Ada Example, type: Person}
  - {name: MoU between the council and the university, type: Agreement}
  - {name: Healthy ageing, type: Theme}
  - {name: Imaginary Trust, type: Organisation}
relations:
  - [MoU between the council and the university, party, Testford City Council]
  - [MoU between the council and the university, party, University of Testford]
  - [Testford City Council, partnersWith, University of Testford]
  - [Ada Example, memberOf, Testford City Council]
"""


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "news.txt").write_text(TEXT)
    (tmp_path / "register").mkdir()
    (tmp_path / "register" / "organisations.yaml").write_text(REGISTER)
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "news.yaml").write_text(GOLD)
    return tmp_path


def extract_json(cli, *args) -> dict:
    result = cli("extract", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_extract_json_has_exactly_the_documented_shape(cli, corpus):
    given = str(corpus / "docs" / "news.txt")
    data = extract_json(cli, given, "--no-register")
    assert list(data) == ["documents"] and len(data["documents"]) == 1
    doc = data["documents"][0]
    assert list(doc) == ["source", "title", "date", "entities", "relations"]
    assert doc["source"] == given and doc["title"] == "Testford partners sign agreement" and doc["date"] is None
    ids = set()
    for e in doc["entities"]:
        assert list(e) == ["id", "type", "name", "aliases"]
        assert e["type"] in ("Organisation", "Person", "Programme", "Agreement", "Theme")
        assert e["id"].startswith("https://w3id.org/collabgraph/id/") and isinstance(e["aliases"], list)
        ids.add(e["id"])
    for r in doc["relations"]:
        assert list(r) == ["subject", "predicate", "object", "evidence", "start", "end"]
        assert r["subject"] in ids and r["object"] in ids
        assert isinstance(r["start"], int) and isinstance(r["end"], int)
        assert " ".join(TEXT[r["start"]:r["end"]].split()) == r["evidence"]
    by_name = {e["name"]: e for e in doc["entities"]}
    triples = {(r["subject"], r["predicate"], r["object"]) for r in doc["relations"]}
    council, uni = by_name["Testford City Council"]["id"], by_name["University of Testford"]["id"]
    assert "MoU" in next(e for e in doc["entities"] if e["type"] == "Agreement")["aliases"]
    assert (by_name["Ada Example"]["id"], "memberOf", council) in triples
    assert (council, "partnersWith", uni) in triples or (uni, "partnersWith", council) in triples
    assert uni.endswith("/organisation/university-of-testford")


def test_register_links_to_curated_identifiers(cli, corpus):
    data = extract_json(cli, corpus / "docs", "--register", corpus / "register")
    uni = next(e for e in data["documents"][0]["entities"] if e["name"] == "University of Testford")
    assert uni["id"].endswith("/organisation/ror-0abcde123")


def test_extract_table_format(cli, corpus):
    result = cli("extract", corpus / "docs", "--no-register")
    assert result.exit_code == 0
    assert "University of Testford" in result.stdout and "memberOf" in result.stdout


def test_extract_missing_path_fails_cleanly(cli, tmp_path):
    result = cli("extract", tmp_path / "nope.txt")
    assert result.exit_code == 1 and "no such file" in result.output


def test_evaluate_reports_figures_and_misses(cli, corpus):
    result = cli("evaluate", "--gold", corpus / "gold", corpus / "docs", "--no-register", "--show", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["documents"] == 1
    figures = data["figures"]
    assert figures["entity:Organisation"]["tp"] == 2 and figures["entity:Organisation"]["fn"] == 1
    assert figures["relation:party"]["f1"] == 1.0 and figures["relation:memberOf"]["f1"] == 1.0
    assert any("Imaginary Trust" in m for m in data["misses"])
    table = cli("evaluate", "--gold", corpus / "gold", corpus / "docs", "--no-register", "--show")
    assert "relation party" in table.stdout and "Imaginary Trust" in table.stdout


def test_evaluate_without_matching_gold_fails(cli, corpus, tmp_path):
    empty = tmp_path / "nogold"
    empty.mkdir()
    result = cli("evaluate", "--gold", empty, corpus / "docs", "--no-register")
    assert result.exit_code == 1 and "gold file" in result.output
