"""Collaboration frames, enumerations and layout: each construction with several differently worded examples.

Every sentence here was written for these tests; none comes from ../shared.
"""
from __future__ import annotations

import pytest

from collabgraph.loaders.blocks import blocks, lists
from collabgraph.loaders.mentions import pipeline
from collabgraph.loaders.pipeline import extract_text


def relations(text: str) -> set[tuple[str, str, str]]:
    ex = extract_text(text)
    return {(r.subject.name, r.predicate, r.object.name) for r in ex.relations}


def names(text: str) -> list[tuple[str, str]]:
    return [(c.text, c.name or c.text) for c in pipeline()(text)._.cg.names]


# -- layout
def test_a_list_belongs_to_its_lead_in_and_a_bulleted_list_to_its_heading():
    text = ("Wessex Health Alliance\n\nThe founding members are:\n- Alder University\n- Birchfield Council\n\n"
            "Our partners\n\n• Cedar Hospitals NHS Trust\n• Dunmore Borough Council\n\nA closing paragraph.")
    bs = blocks(text)
    grouped = {text[lead.start:lead.end]: [text[i.start:i.end] for i in items] for lead, items in lists(bs)}
    assert grouped == {"The founding members are:": ["Alder University", "Birchfield Council"],
                       "Our partners": ["Cedar Hospitals NHS Trust", "Dunmore Borough Council"]}


def test_bare_lines_after_a_colon_are_items_but_a_paragraph_ends_the_list():
    text = "Signed by:\nAlder University\nCedar Hospitals NHS Trust\n\nThe agreement runs for three years, the parties said."
    bs = blocks(text)
    assert [b.kind for b in bs] == ["lead", "item", "item", "paragraph"]
    assert all(text[b.start:b.end] == text[b.start:b.end].strip() for b in bs)


# -- enumerations with a shared head
@pytest.mark.parametrize("text,expected", [
    ("Researchers from the universities of Alderley, Brackenfield and Corriemoor will take part.",
     ["University of Alderley", "University of Brackenfield", "University of Corriemoor"]),
    ("It links Kestrel, Lowmoor and Marsh Valley health boards in one programme.",
     ["Kestrel Health Board", "Lowmoor Health Board", "Marsh Valley Health Board"]),
    ("Staff at Harbury and Ivesley universities co-designed the study.",
     ["Harbury University", "Ivesley University"]),
    ("The Universities of Penrose, Quill, Rowan and UCL are members.",
     ["University of Penrose", "University of Quill", "UCL"]),
])
def test_a_shared_head_is_distributed_over_an_enumeration(text, expected):
    assert [n for _, n in names(text) if n in expected] == expected


def test_an_item_with_and_inside_its_name_keeps_it_when_it_is_not_last():
    found = [n for _, n in names("Care in Upton, Vale and Wyre, Xford and Yarrow health boards improved.")]
    assert found[:3] == ["Upton Health Board", "Vale and Wyre Health Board", "Xford Health Board"]


@pytest.mark.parametrize("text,parts", [
    ("Since then Alder Health, Birchfield University Hospitals and Cedar Hospice have signed up.",
     ["Alder Health", "Birchfield University Hospitals", "Cedar Hospice"]),
    ("Data came from Norland Hospice, Ormsby Biobank and Pellworth University Hospitals last year.",
     ["Norland Hospice", "Ormsby Biobank", "Pellworth University Hospitals"]),
    ("The Kestrel Partnership and Lowmoor Healthcare Group met.", ["The Kestrel Partnership and Lowmoor Healthcare Group"]),
])
def test_coordinated_bodies_split_unless_the_run_names_one_group(text, parts):
    found = [t for t, _ in names(text)]
    for p in parts:
        assert any(p.endswith(f) or f.endswith(p.replace("The ", "")) for f in found), (p, found)


# -- collaboration frames
@pytest.mark.parametrize("text", [
    "The NIHR Wessex Health Determinants Research Collaboration will bring together Alder University, "
    "Birchfield Council and Cedar Voluntary Action.",
    "Partners in the NIHR Wessex Health Determinants Research Collaboration include Alder University, "
    "Birchfield Council and Cedar Voluntary Action.",
    "Alder University, Birchfield Council and Cedar Voluntary Action have joined the NIHR Wessex Health "
    "Determinants Research Collaboration.",
    "The NIHR Wessex Health Determinants Research Collaboration is a consortium of Alder University, "
    "Birchfield Council and Cedar Voluntary Action.",
])
def test_organisations_in_a_collaboration_sentence_are_partners_of_its_programme(text):
    rels = relations(text)
    prog = next(s for s, p, _ in rels if p == "partner")
    assert {o for s, p, o in rels if p == "partner" and s == prog} >= {
        "Alder University", "Birchfield Council", "Cedar Voluntary Action"}


@pytest.mark.parametrize("text", [
    "Kestrel Research Alliance\n\nOur members:\n- Alder University\n- Birchfield Council\n- Cedar Hospitals NHS Trust\n",
    "Kestrel Research Alliance\n\nThe alliance is made up of the following organisations:\nAlder University\n"
    "Birchfield Council\nCedar Hospitals NHS Trust\n",
    "Kestrel Research Alliance\n\nWho we work with\n\n* Alder University\n* Birchfield Council\n* Cedar Hospitals NHS Trust\n",
])
def test_a_list_under_a_collaboration_lead_in_names_the_page_focus_partners(text):
    rels = relations(text)
    partners = {o for s, p, o in rels if p == "partner" and s == "Kestrel Research Alliance"}
    assert partners == {"Alder University", "Birchfield Council", "Cedar Hospitals NHS Trust"}


@pytest.mark.parametrize("text,funder,recipient", [
    ("The Medical Research Council has awarded the Norland Cardiac Programme £2m.", "Medical Research Council",
     "Norland Cardiac Programme"),
    ("The Norland Cardiac Programme is funded by the British Heart Foundation.", "British Heart Foundation",
     "Norland Cardiac Programme"),
    ("With funding of £3m from the Wellcome Trust, the Norland Cardiac Programme will start in May.",
     "Wellcome Trust", "Norland Cardiac Programme"),
])
def test_a_funding_clause_keeps_its_direction(text, funder, recipient):
    rels = relations(text)
    assert (recipient, "fundedBy", funder) in rels
    assert (funder, "fundedBy", recipient) not in rels
    assert not any(p == "partner" and o == funder for _, p, o in rels)


@pytest.mark.parametrize("text", [
    "Birchfield Council has been awarded £5m to set up the NIHR Health Determinants Research Collaboration Birchfield.",
    "Birchfield Council was granted funding for the NIHR Health Determinants Research Collaboration Birchfield.",
    "Having received £5m, Birchfield Council will run the NIHR Health Determinants Research Collaboration Birchfield.",
])
def test_a_recipient_of_an_award_is_never_its_funder(text):
    assert not any(p == "fundedBy" and o == "Birchfield Council" for _, p, o in relations(text))


@pytest.mark.parametrize("text", [
    "The NIHR Applied Research Collaboration Wessex is hosted by Alder Hospitals NHS Foundation Trust.",
    "Alder Hospitals NHS Foundation Trust will host the NIHR Applied Research Collaboration Wessex.",
    "The NIHR Applied Research Collaboration (ARC) Wessex, led by Alder Hospitals NHS Foundation Trust, starts in April.",
])
def test_the_host_of_a_programme(text):
    assert any(p == "hostedBy" and o == "Alder Hospitals NHS Foundation Trust" for _, p, o in relations(text))


@pytest.mark.parametrize("text", [
    "Alder University is not part of the Kestrel Research Alliance, unlike Birchfield Council.",
    "The report on the Kestrel Research Alliance was published by Alder University, Birchfield Council said.",
    "We asked Alder University to bid to join the alliance, but it declined. Cedar Council said no.",
])
def test_negative_cues_state_no_partnership(text):
    rels = relations(text)
    assert not any(p in ("partner", "partnersWith") and "Alder University" in (s, o) for s, p, o in rels), rels


def test_what_a_paragraph_spoke_of_does_not_carry_into_the_next():
    text = ("Housing and health in the south\n\nCouncils across the region publish their plans for the winter this "
            "week, with more money for adaptations to older homes and for advice services that help residents stay warm "
            "and well, and with a new duty to report on damp in rented homes. Officers say the plans reflect what "
            "residents asked for in the spring consultation.\n\n"
            "The NIHR Applied Research Collaboration Wessex starts in April.\n\n"
            "Separately, Alder University and Birchfield Council work together on housing.")
    rels = relations(text)
    assert ("Alder University", "partnersWith", "Birchfield Council") in rels or \
        ("Birchfield Council", "partnersWith", "Alder University") in rels
    assert not any(p == "partner" for _, p, _ in rels)


def test_a_short_line_right_above_a_bulleted_list_is_its_heading_even_without_a_blank_line():
    """HTML flattened to lines has no blank lines: 'What the unit studies' then '- A' lines."""
    text = "The unit opened in May with two partners.\nWhat the unit studies\n- Falls at home\n- Sleep in later life\n"
    grouped = {text[lead.start:lead.end]: [text[i.start:i.end] for i in items] for lead, items in lists(blocks(text))}
    assert grouped == {"What the unit studies": ["Falls at home", "Sleep in later life"]}


def test_the_programme_named_generically_is_the_one_the_page_named_last():
    text = ("Ivesley Council wins research award\n\nThe council has been awarded £5m.\n\n"
            "The programme will be known as the NIHR Ivesley Health Determinants Research Collaboration.\n\n"
            "Officers say the council is to run the programme jointly, in partnership with Harbury University and Lenmore "
            "University.")
    rels = relations(text)
    prog = next(s for s, p, _ in rels if p == "partner")
    assert prog.endswith("Ivesley Health Determinants Research Collaboration")
    assert {o for s, p, o in rels if p == "partner" and s == prog} >= {"Harbury University", "Lenmore University"}


def test_a_body_inside_a_persons_post_is_not_what_the_sentence_is_about():
    rels = relations("The Kestrel School for Public Health Research will be led by Dr Ada Quill, Director of the Harbury "
                     "Centre for Ageing, and be joined by Ivesley University and Lenmore University.")
    assert not any(s == "Harbury Centre for Ageing" and p == "partner" for s, p, _ in rels), rels
    assert any(s.endswith("School for Public Health Research") and p == "partner" and o == "Ivesley University"
               for s, p, o in rels), rels
    assert not any(o == "Harbury Centre for Ageing" and p == "partner" for s, p, o in rels), rels
