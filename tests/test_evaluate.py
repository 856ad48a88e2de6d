"""The scoring rules of ../shared/gold/README.md, one by one, on small hand-made examples."""
from __future__ import annotations

from pathlib import Path

import pytest

from collabgraph.loaders.errors import SourceError
from collabgraph.loaders.evaluate import load_gold, prf, score_document
from collabgraph.loaders.identity import normal, person_normal

GOLD = """
source: doc.txt
entities:
  - name: University of Testford
    type: Organisation
    aliases: [Testford, the University]
  - name: Testford City Council
    type: Organisation
  - name: Ada Example
    type: Person
  - name: Memorandum of Understanding between Testford bodies
    type: Agreement
    aliases: [MoU]
  - name: Testford Data Centre
    type: [Programme, Organisation]
  - name: Medical School
    type: Organisation
    optional: true
  - name: Wider determinants of health
    type: Theme
relations:
  - [Ada Example, memberOf, University of Testford]
  - [Memorandum of Understanding between Testford bodies, party, University of Testford]
  - [Memorandum of Understanding between Testford bodies, party, Testford City Council]
  - [University of Testford, partnersWith, Testford City Council]
  - {triple: [Medical School, partOf, University of Testford], optional: true}
  - {triple: [Testford Data Centre, hostedBy, University of Testford], optional: true}
"""


@pytest.fixture
def gold(tmp_path: Path):
    path = tmp_path / "doc.yaml"
    path.write_text(GOLD)
    return load_gold(path)


def ent(i, type_, name, aliases=()):
    return {"id": f"e{i}", "type": type_, "name": name, "aliases": list(aliases)}


def rel(s, p, o):
    return {"subject": s, "predicate": p, "object": o, "evidence": "", "start": 0, "end": 0}


def doc(entities, relations=()):
    return {"source": "doc.txt", "title": "", "date": None, "entities": entities, "relations": list(relations)}


def test_normalisation_follows_the_readme():
    assert normal("The  Université de Montréal & Partners") == "universite de montreal and partners"
    assert normal("St. George's, University") == "st george s university"
    assert person_normal("Professor Dame Ada Example CBE FMedSci") == "ada example"
    assert person_normal("Dr. Ada Example") == "ada example"


def test_alias_and_normalised_name_match(gold):
    sc = score_document(doc([ent(1, "Organisation", "the university of TESTFORD"),
                             ent(2, "Organisation", "Council", ["Testford City Council"]),
                             ent(3, "Person", "Prof. Ada Example OBE")]), gold)
    assert sc.tp["entity:Organisation"] == 2 and sc.tp["entity:Person"] == 1
    assert sc.fp["entity:Organisation"] == 0


def test_second_entity_matching_the_same_gold_is_a_false_positive(gold):
    sc = score_document(doc([ent(1, "Organisation", "University of Testford"), ent(2, "Organisation", "Testford")]), gold)
    assert sc.tp["entity:Organisation"] == 1
    assert sc.fp["entity:Organisation"] == 1
    assert "duplicate" in sc.false_positives[0]


def test_wrong_type_does_not_match(gold):
    sc = score_document(doc([ent(1, "Programme", "University of Testford")]), gold)
    assert sc.fp["entity:Programme"] == 1 and sc.fn["entity:Organisation"] == 2


def test_either_listed_type_is_accepted(gold):
    for type_ in ("Programme", "Organisation"):
        sc = score_document(doc([ent(1, type_, "Testford Data Centre")]), gold)
        assert sc.tp[f"entity:{type_}"] == 1


def test_optional_entities_and_their_relations_are_ignored(gold):
    sc = score_document(doc([ent(1, "Organisation", "Medical School"), ent(2, "Organisation", "University of Testford")],
                            [rel("e1", "partOf", "e2"), rel("e1", "partnersWith", "e2")]), gold)
    assert sc.fp["entity:Organisation"] == 0
    assert sc.fp["relation:partOf"] == 0 and sc.fp["relation:partnersWith"] == 0
    assert sc.fn["entity:Organisation"] == 1  # the council, never predicted


def test_optional_relation_between_gold_entities_is_ignored(gold):
    sc = score_document(doc([ent(1, "Programme", "Testford Data Centre"), ent(2, "Organisation", "University of Testford")],
                            [rel("e1", "hostedBy", "e2")]), gold)
    assert sc.fp["relation:hostedBy"] == 0 and sc.tp["relation:hostedBy"] == 0


def test_relation_with_an_unmatched_end_is_a_false_positive(gold):
    sc = score_document(doc([ent(1, "Person", "Ada Example"), ent(2, "Organisation", "Nowhere Trust")],
                            [rel("e1", "memberOf", "e2")]), gold)
    assert sc.fp["relation:memberOf"] == 1 and sc.fn["relation:memberOf"] == 1


def test_agreement_matches_by_parties_not_name(gold):
    ents = [ent(1, "Agreement", "Some unnamed deal"), ent(2, "Organisation", "University of Testford"),
            ent(3, "Organisation", "Testford City Council")]
    sc = score_document(doc(ents, [rel("e1", "party", "e2"), rel("e1", "party", "e3")]), gold)
    assert sc.tp["entity:Agreement"] == 1 and sc.tp["relation:party"] == 2
    sc = score_document(doc(ents, []), gold)
    assert sc.fp["entity:Agreement"] == 1 and sc.fn["entity:Agreement"] == 1


def test_second_agreement_with_the_same_parties_is_a_false_positive(gold):
    ents = [ent(1, "Agreement", "MoU"), ent(4, "Agreement", "Formal partnership"),
            ent(2, "Organisation", "University of Testford"), ent(3, "Organisation", "Testford City Council")]
    rels = [rel("e1", "party", "e2"), rel("e1", "party", "e3"), rel("e4", "party", "e2"), rel("e4", "party", "e3")]
    sc = score_document(doc(ents, rels), gold)
    assert sc.tp["entity:Agreement"] == 1 and sc.fp["entity:Agreement"] == 1
    assert sc.fp["relation:party"] == 2  # the second agreement's parties hang off an unmatched end


def test_partners_with_is_unordered_and_duplicates_count_once(gold):
    ents = [ent(1, "Organisation", "Testford City Council"), ent(2, "Organisation", "University of Testford")]
    sc = score_document(doc(ents, [rel("e1", "partnersWith", "e2"), rel("e2", "partnersWith", "e1"),
                                   rel("e1", "partnersWith", "e2")]), gold)
    assert sc.tp["relation:partnersWith"] == 1
    assert sc.fp["relation:partnersWith"] == 0 and sc.fn["relation:partnersWith"] == 0


def test_predicate_must_be_the_same(gold):
    ents = [ent(1, "Person", "Ada Example"), ent(2, "Organisation", "University of Testford")]
    sc = score_document(doc(ents, [rel("e1", "partOf", "e2")]), gold)
    assert sc.fp["relation:partOf"] == 1 and sc.fn["relation:memberOf"] == 1


def test_figures_and_overall(gold):
    assert prf(3, 1, 2) == {"precision": 0.75, "recall": 0.6, "f1": 0.6667, "tp": 3, "fp": 1, "fn": 2}
    sc = score_document(doc([ent(1, "Theme", "wider determinants of health"), ent(2, "Theme", "Obesity")]), gold)
    table = sc.table()
    assert table["entity:Theme"]["precision"] == 0.5
    assert table["entities"]["tp"] == 1 and table["entities"]["fn"] == 5


def test_malformed_gold_names_the_file(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("entities: [{name: X, type: Robot}]\n")
    with pytest.raises(SourceError, match="bad.yaml"):
        load_gold(bad)
