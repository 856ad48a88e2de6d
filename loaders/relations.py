"""Relations: who signs, partners in, funds, hosts, succeeds or works on what.

The rules read sentences with their mentions as placeholders (`loaders.sentences`:
"«P» ... funded by the «O»"); who belongs where, and in which role, is in
`loaders.roles`. Every relation keeps its sentence and the sentence's character
offsets as evidence.
"""
from __future__ import annotations

import copy
import re
from dataclasses import replace
from itertools import combinations
from pathlib import Path

import yaml

from collabgraph.ontology import iris

from .blocks import blocks, lists
from .chunks import Candidate
from .extraction import Entity, Extraction, Relation
from .frames import Frames, focus
from .hierarchy import hierarchy
from .limits import fits_name
from .mentions import Found
from .resolver import Resolved
from .roles import memberships, pronoun_roles
from .sentences import (
    OL,
    OPL,
    Sentence,
    add,
    as_organisation,
    as_programme,
    mask,
    network_or_programme,
    organisations_in,
    programme_like,
    slot,
    tags_of,
)
from .succession import Succession

_WORDS = yaml.safe_load((Path(__file__).with_name("lexicon") / "sentences.yaml").read_text(encoding="utf-8"))


def _words(key: str) -> str:
    """One lexicon list as a regular-expression alternation."""
    return "(?:" + "|".join(f"(?:{p})" for p in _WORDS[key]) + ")"


_SIGN = _words("sign")
_COLLAB = _words("collaborate_with")
_TOGETHER = _words("together")


_SUCCESSION = Succession()
_SIGNED_BY = re.compile(rf"(?i)\b{_words('signed_by')}\b")
_GROUP_TERM = r"(?<=«O\d\d», the )«A\d+»|(?<=«O\d», the )«A\d+»"  # a 'partnership' term in apposition to a body
_BOTH = re.compile(r"\b(?:[Bb]oth|[Tt]wo)\b")
_COLLAB_HINT = re.compile(rf"(?i)\b{_words('collaboration_hint')}")


def relate(text: str, sents: list[tuple[int, int]], found: Found, resolved: Resolved) -> Extraction:
    """Relations of one document, plus agreements (entities made from their parties) and values.

    The resolver's output is not changed: relate works on its own copy of the entities, since what it learns
    (a centre that acts as a programme, a predecessor, an 'It' that names the last programme) belongs to its
    own output, and a caller may read the resolved entities again."""
    resolved = copy.deepcopy(resolved)
    ex = Extraction(entities=list(resolved.entities))
    focal = _focal_programme(resolved)
    agreements = _Agreements(ex)
    previous: Entity | None = None
    masks: list[Sentence] = []
    for start, end in sents:
        s = mask(text, start, end, resolved, found, previous)
        masks.append(s)
        if "«" not in s.masked:
            continue
        prior = previous
        previous = next((x for x in s.slots if isinstance(x, Entity) and x.kind in ("Programme", "Organisation")), None)
        if "«H" in s.masked:
            memberships(s, ex, prior)
        elif len(masks) > 1:
            pronoun_roles(s, ex, [x for x in masks[-2].slots if isinstance(x, Entity) and x.kind == "Person"])
        if "«A" in s.masked:
            agreements.read(s)
        if _BOTH.search(s.masked):
            _both_members(s, ex, agreements)
        if "«P" in s.masked or any(network_or_programme(x) for x in s.slots) or "«A" in s.masked:
            _programmes(s, ex, masks[-2].slots if len(masks) > 1 else [])
        if _COLLAB_HINT.search(s.masked):
            _partnerships(s, ex)
            _groups(s, ex)
        if re.search(r" of | within |['’]s «O", s.masked):
            _part_of(s, ex)
        _values(s, found, ex, focal)
    for r in ex.relations:  # a predecessor is no longer what themes and funders belong to
        if r.predicate == "succeeds":
            r.object.former = True
    _network_hierarchy(text, resolved, ex)
    _named_units(text, resolved, ex)
    agreements.signatory_lists(text, masks)
    agreements.finish()
    page = focus(masks, len(text))
    focal = page or _focal(ex) or focal
    topic = _topic(agreements, focal)
    _partner_lists(masks, ex, focal, resolved.owner)
    Frames().run(text, masks, blocks(text), ex, page, topic=_topic(agreements, page or focal))
    hierarchy(masks, ex)
    _theme_relations(text, sents, found, resolved, ex, agreements, topic)
    return ex


# -- agreements
_AGREEMENT_LABEL = {"MemorandumOfUnderstanding": "Memorandum of understanding", "FormalPartnership": "Formal partnership",
                    "DataSharingAgreement": "Data-sharing agreement"}
_RANK = ["MemorandumOfUnderstanding", "DataSharingAgreement", "FormalPartnership"]


class _Agreements:
    """Agreement terms with their parties, merged when one's parties include the other's."""

    def __init__(self, ex: Extraction):
        self.ex = ex
        self.found: list[dict] = []  # {cls, parties: list[Entity], surfaces: set, evidence: list}
        self.unattached: tuple[Candidate, Sentence] | None = None

    def read(self, s: Sentence) -> None:
        for m in re.finditer(r"«A\d+»", s.masked):
            term: Candidate = slot(s, m.group())
            if term.cls == "reference":
                if self.found:
                    self.found[-1]["surfaces"].add(term.text)
                    self.found[-1]["evidence"].append(s)
                continue
            if re.search(rf"(?:{_GROUP_TERM})$", s.masked[:m.end()]):
                continue  # 'G, the strategic alliance between A and B' names a group, not an agreement
            parties = self._parties(s.masked, m.start(), m.end())
            entities = [e for e in (slot(s, t) for t in parties) if isinstance(e, Entity) and e.kind == "Organisation"]
            entities = list(dict.fromkeys(entities))
            if len(entities) >= 2:
                self._merge(term, entities, s)
            elif not self.found and not entities:
                self.unattached = (term, s)  # 'The MoU covers ...' before its parties are listed ('signed by:')
            elif self.found and not entities:
                self.found[-1]["surfaces"].add(term.text)
                if term.cls != "FormalPartnership":  # 'The MoU sets out ...' (a 'partnership' may be a body)
                    self.found[-1]["evidence"].append(s)

    @staticmethod
    def _parties(masked: str, a_start: int, a_end: int) -> list[str]:
        funded = {t for m in re.finditer(rf"(?:funded|supported|backed) by (?:the )?({OL})", masked) for t in tags_of(m.group(1))}
        out = []
        head = masked[:a_start]
        subj = re.search(rf"(?:^|[.;:]\s)[^«]{{0,40}}?({OL})[^«]{{0,40}}?{_SIGN}", head) or \
            re.search(rf"({OL})\s+{_SIGN}", head)
        if subj:
            out += tags_of(subj.group(1))
        if re.search(rf"({OL})\s+{_SIGN}", masked[a_end:]) and not subj:
            out += tags_of(re.search(rf"({OL})\s+{_SIGN}", masked[a_end:]).group(1))
        for m in re.finditer(rf"\b(?:between|with|by|involving|links|linking|brings together|joins|unites) (?:the )?({OL})",
                             masked[a_start:]):
            out += tags_of(m.group(1))
            break
        if not out:
            title = re.match(rf"^\s*(?:the\s+)?({OL})\s+(?:to\s+)?(?:sign|signs|agree|agrees|enter|enters|form|forms)\b", masked)
            if title:
                out += tags_of(title.group(1))
        if len(set(out)) < 2 and re.search(rf"{_SIGN}", masked[:a_start]):  # 'A's Centre, B, C and D have signed an MoU'
            owners = set(re.findall(r"«O\d+»(?=(?:'s|’s) «O)", masked[:a_start]))
            out = [t for t in tags_of(masked[:a_start]) if t not in owners]
        return [t for t in out if t not in funded]

    def _merge(self, term: Candidate, parties: list[Entity], s: Sentence) -> None:
        for a in self.found:
            if set(a["parties"]) <= set(parties) or set(parties) <= set(a["parties"]):
                a["parties"] = list(dict.fromkeys(a["parties"] + parties))
                a["surfaces"].add(term.text)
                a["classes"].add(term.cls)
                a["evidence"].append(s)
                return
        self.found.append({"classes": {term.cls}, "parties": parties, "surfaces": {term.text}, "evidence": [s]})

    def covering(self, start: int) -> Entity | None:
        """The agreement a sentence speaks of (one whose evidence includes it), once agreements are made."""
        for a in self.found:
            if any(ev.start <= start < ev.end for ev in a["evidence"]):
                return a.get("entity")
        return None

    def signatory_lists(self, text: str, masks: list[Sentence]) -> None:
        """'It was signed by:' and a list of people with their posts, or of bodies: the bodies named in the items
        are parties of the agreement the page describes last before the list."""
        for lead, items in lists(blocks(text)):
            if not _SIGNED_BY.search(text[lead.start:lead.end]):
                continue
            scope = [s for s in masks if any(s.start < b.end and b.start < s.end for b in items)]
            parties = list(dict.fromkeys(e for s in scope for e in s.slots if isinstance(e, Entity) and e.kind == "Organisation"
                                         and e.cls != "OrganisationalUnit"))  # 'Dean of the Faculty of X at Y' signs for Y
            lead_s = next((s for s in masks if s.start <= lead.start < s.end), None)
            if len(parties) < 2 or lead_s is None:
                continue
            before = [a for a in self.found if a["evidence"][0].start <= lead.start]
            if before:
                before[-1]["parties"] = list(dict.fromkeys(before[-1]["parties"] + parties))
                before[-1]["evidence"].append(lead_s)
            elif self.unattached is not None:
                term, s = self.unattached
                self._merge(term, parties, s)
                self.found[-1]["evidence"].append(lead_s)

    def finish(self) -> None:
        for a in self.found:
            cls = min(a["classes"], key=_RANK.index)
            parties = sorted(a["parties"], key=lambda e: e.iri)
            label = _AGREEMENT_LABEL[cls]
            names = [p.name for p in parties]
            name = f"{label} between {', '.join(names[:-1])} and {names[-1]}"
            if not fits_name(name):  # many parties: the label names the first and counts the rest
                name = f"{label} between {names[0]} and {len(names) - 1} other parties"
            e = Entity("Agreement", cls, name, aliases=set(a["surfaces"]),
                       iri=iris.entity_iri("Agreement", f"{cls} {iris.digest(*[p.iri for p in parties])}"))
            self.ex.entities.append(e)
            a["entity"] = e
            for p in parties:
                s = next((ev for ev in a["evidence"] if p.name in ev.text or any(x in ev.text for x in p.aliases)),
                         a["evidence"][0])
                add(self.ex, s, e, "party", p)
            for s in a["evidence"]:
                for m in re.finditer(rf"(?:funded|financed|paid for) by (?:the )?({OL})|(?:funding|grant|£[\d.,]+\s*(?:million|m|bn)?) from (?:the )?({OL})", s.masked):
                    for t in tags_of(m.group(1) or m.group(2)):
                        add(self.ex, s, e, "fundedBy", slot(s, t))


# -- organisations working together
def _partnerships(s: Sentence, ex: Extraction) -> None:
    m = s.masked
    for hit in re.finditer(r"^\s*(?:[Tt]ogether|[Jj]ointly|[Aa]longside|[Ii]n partnership|[Ii]n collaboration) with "
                           r"(?:the )?«O(\d+)»[ ,]+(?:the )?«O(\d+)»", m):
        add(ex, s, s.slots[int(hit.group(2))], "partnersWith", s.slots[int(hit.group(1))])
    for hit in re.finditer(rf"({OL})[^«]{{0,60}}?\b{_TOGETHER}", m):
        orgs = organisations_in(s, tags_of(hit.group(1)))
        for a, b in combinations(orgs, 2):
            add(ex, s, a, "partnersWith", b)
    for hit in re.finditer(rf"\b{_COLLAB} (?:the )?({OPL})", m):
        if re.search(r"\b(?:no|not|without)\s+(?:\w+\s+){0,3}$", m[:hit.start()]) or re.match(
                r"\s*(?:Both|The two|These|The) (?:organisations|partners|institutions|bodies)\b", s.text):
            continue
        subj = tags_of(m[:hit.start()])
        objs = organisations_in(s, tags_of(hit.group(1))) + [as_organisation(p) for p in _programmes_in(s, hit.group(1))]
        if subj and not re.search(r"«P\d+»[^«]*$", m[:hit.start()]):
            a = slot(s, subj[0])
            if a.cls == "ResearchCentre" and len(subj) == 1:  # 'the X Centre will work with A and B': its partners
                for b in objs:
                    add(ex, s, as_programme(a), "partner", b)
                continue
            if a.kind == "Programme" or "Programme" in a.also:
                continue  # a programme's collaborators are its partners (read by the programme rules)
            more = re.findall(rf"\band (?:also )?with (?:the )?({OL})", m[hit.end():])
            for b in objs + [e for x in more for e in organisations_in(s, tags_of(x))]:
                add(ex, s, a, "partnersWith", b)
    for hit in re.finditer(r"«O(\d+)»[^«]{0,40}?\b(?:is|are|was|were|has been|have been|became|becomes|as)\s+"
                           r"(?:a |an |the |one of the )?(?:[\w-]+ ){0,6}?([Pp]artner(?:s)?|[Mm]ember(?:s)?)"
                           r"(?: [Oo]rganisations?)? (?:of|in|to|within) (?:the )?«([OP])(\d+)»", m):
        a, b = s.slots[int(hit.group(1))], s.slots[int(hit.group(4))]
        if hit.group(3) == "P":
            add(ex, s, b, "partner", a)
        else:  # a partner of X works with X; a member of X is part of it
            add(ex, s, a, "partnersWith" if hit.group(2).lower().startswith("partner") else "partOf", b)


_PARTNERS_INTRO = re.compile(r"(?:^|\b(?:[Oo]ur|[Ii]ts|[Tt]heir|[Tt]he)\s+)(?:[\w-]+\s+){0,2}partners"
                             r"(?:\s+(?:include|are|will be|includes))?\s*:?\s*$|"
                             r"\b(?:work|collaborate|partner)\w*\s+(?:closely\s+)?with(?:\s+the\s+following(?:\s+[\w-]+){0,2})?\s*:\s*$")
_BULLET = re.compile(r"^\s*(?:[-*•·▪–]|\d{1,2}[.)])\s*")


def _partner_lists(masks: list[Sentence], ex: Extraction, focal: Entity | None, owner: Entity | None) -> None:
    """'Our partners:' followed by a list, or 'Our partners include A, B and C': partners of the programme
    the document is about when its host speaks, else organisations the speaker works with."""
    for i, s in enumerate(masks):
        orgs: list[Entity] = []
        inline = re.search(rf"\bpartners(?: (?:in|on|of) (?:the )?«[OP]\d+»)? (?:include|are|includes|will be)\s*:?\s*"
                           rf"(?:the\s+)?({OL})", s.masked)
        if inline:
            orgs = organisations_in(s, tags_of(inline.group(1)))
        elif _PARTNERS_INTRO.search(s.text):
            for item in masks[i + 1:]:
                if not orgs and _PARTNERS_INTRO.search(item.text):
                    continue  # 'Our partners' as a heading, then 'We work with:' before the list
                if not _BULLET.match(item.text) and not re.fullmatch(rf"\s*(?:the\s+)?{OL}\s*[.;,]?\s*", item.masked):
                    break
                orgs += organisations_in(item, tags_of(item.masked))
        context = s.slots
        lone = re.fullmatch(r"\s*(?:The\s+)?«O(\d+)» (?:is|are) (?:also|now) (?:a |an )?(?:[\w-]+ )?partners?\s*\.?\s*",
                            s.masked)
        if lone:
            orgs = [s.slots[int(lone.group(1))]]
        if i and (lone or re.match(r"\s*(?:Its|Their) ", s.text)):  # 'X is also a partner.', 'Its partners include':
            context = masks[i - 1].slots                                  # of what the sentence before speaks of
        if not orgs:
            continue
        progs = [x for x in context if programme_like(x) and not x.scheme]
        about = focal is not None and masks and focal in masks[0].slots  # the page is the programme's own
        subject = progs[0] if progs else (focal if about or owner is None else None)
        for org in orgs:
            if subject is not None and org is not subject:
                add(ex, s, as_programme(subject), "partner", org)
            elif owner is not None and org is not owner:
                add(ex, s, owner, "partnersWith", org)


def _programmes_in(s: Sentence, fragment: str) -> list[Entity]:
    return [e for e in (slot(s, t) for t in re.findall(r"«P\d+»", fragment)) if isinstance(e, Entity) and not e.scheme]


# -- programmes
_P = r"«[PO](\d+)»"   # a programme, or a centre or partnership body acting as one (checked in code)
_O = r"«O(\d+)»"
def _programmes(s: Sentence, ex: Extraction, previous: list) -> None:
    _SUCCESSION.run(s, ex, previous)
    _programme_partners(s, ex)


def _nearest_programme(s: Sentence, fragment: str, ok=programme_like) -> Entity | None:
    """The programme-like mention closest before a verb ('the alliance works with the X Centre, which is funded by')."""
    tags = [t for t in re.findall(r"«[PO]\d+»", fragment) if ok(slot(s, t))]
    return slot(s, tags[-1]) if tags else None


def _programme_partners(s: Sentence, ex: Extraction) -> None:
    m = s.masked
    rules = [(rf"{_P}[^«]*?\b{_words('programme_with')} (?:the )?({OL})", False),
             (rf"{_P}.*?\b{_words('programme_jointly')} (?:the )?({OL})", True),
             (rf"{_P}[^«]*?\b(?:hosted|led|run|managed) by (?:the )?«O\d+»(?:\s*\(«O\d+»\))?,? and (?:also )?"
              rf"(?:brings together|involves|includes|works with|partners with) (?:the )?({OL})", False),
             (rf"{_P}[^«]*?\b(?:bring|brings|bringing) together\b[^«]{{0,60}}?\b(?:from|at|of) (?:the )?({OL})", False),
             (rf"{_P}[^«]*?\b{_words('programme_founded')}\b[^«]{{0,40}}?\b(?:by|with) (?:the )?({OL})", True)]
    for rx, bodies_too in rules:
        for hit in re.finditer(rx, m):
            prog = _nearest_programme(s, m[hit.start():hit.start(2)]) or s.slots[int(hit.group(1))]
            if not programme_like(prog) or (prog.kind != "Programme" and not bodies_too):
                continue
            if re.search(r"\b(?:funded|supported|hosted|led|backed) by\s+(?:the\s+)?$", m[:hit.start(2)][-30:]):
                continue
            for org in organisations_in(s, tags_of(hit.group(2))):
                if org is not prog and not any(r.subject is prog and r.object is org and r.predicate in ("hostedBy", "fundedBy")
                                               for r in ex.relations):
                    add(ex, s, as_programme(prog), "partner", org)
    for hit in re.finditer(rf"({OL})\s+(?:are|is|will be|have been|were|as)\s+(?:\w+ ){{0,2}}partners? (?:in|of|on) (?:the )?«P(\d+)»", m):
        prog = s.slots[int(hit.group(2))]
        for org in organisations_in(s, tags_of(hit.group(1))):
            add(ex, s, prog, "partner", org)


def _part_of(s: Sentence, ex: Extraction) -> None:
    for hit in re.finditer(r"«([OP])(\d+)»(?:\s*\(«[OP]\d+»\))?[^«]{0,12}?(?:\bis|\bare|\bwas|,)\s+(?:now\s+|also\s+)?"
                           r"(?:(?:a |an |the |one )?(?:[\w-]+ )?(?:part|member|unit|division|department|subsidiary|arm|instance|"
                           r"team|directorate|service|school|faculty)|"
                           r"one of (?:the )?(?:[\w-]+ ){0,3}(?:networks|members|centres|units|sites|hubs|branches)) (?:of|within) "
                           r"(?:the )?«([OP])(\d+)»(?:(?:'s|’s) «O(\d+)»)?", s.masked):
        a, b = s.slots[int(hit.group(2))], s.slots[int(hit.group(5) or hit.group(4))]  # of 'the University's School
        if a.kind == "Programme" and b.kind == "Organisation" and b.cls == "GovernmentBody":
            add(ex, s, a, "fundedBy", b)
        else:
            add(ex, s, a, "partOf", b)
    for hit in re.finditer(r"«O(\d+)»,? (?:at|of|within|in) (?:the )?«O(\d+)»|«O(\d+)»(?:'s|’s) «O(\d+)»", s.masked):
        tags = hit.groups()  # 'the School at the University', or 'the University's School'
        a, b = (s.slots[int(tags[0])], s.slots[int(tags[1])]) if tags[0] else (s.slots[int(tags[3])], s.slots[int(tags[2])])
        unit = a.cls == "OrganisationalUnit" or (a.cls == "ResearchCentre" and not tags[0])  # 'the University's Centre'
        if (unit and b.cls in ("University", "NHSTrust")) or a.cls == b.cls == "GovernmentBody":
            add(ex, s, a, "partOf", b)


def _network_hierarchy(text: str, resolved: Resolved, ex: Extraction) -> None:
    """A regional '<Place> Clinical Research Network' is part of the national one named in the same document."""
    nets = [e for e in resolved.entities if e.kind == "Organisation" and e.cls == "ResearchNetwork"]
    for a in nets:
        for b in nets:
            if a is b:
                continue
            head = " ".join(b.name.split()[-3:])
            national = re.match(r"^(?:United Kingdom|UK|National|England|English|NHS|NIHR)\b", b.name)
            if national and head in a.name and a.name != b.name \
                    and not re.match(r"^(?:United Kingdom|UK|National)\b", a.name):
                ex.add_relation(Relation(a, "partOf", b, *_first_line(text, a)))


_UNIT_TAIL = re.compile(r"(?:[A-Z][\w-]* )?(?:Medical |Business |Law |Dental )?"
                        r"(?:School|Faculty|Institute|Centre|College|Department)")


def _named_units(text: str, resolved: Resolved, ex: Extraction) -> None:
    """'University of X Medical School' is part of the 'University of X' named in the same document."""
    bodies = [e for e in resolved.entities if e.kind == "Organisation" and e.cls in ("University", "NHSTrust")]
    for a in resolved.entities:
        for b in bodies:
            if a is not b and a.kind == "Organisation" and a.name.startswith(b.name + " ") \
                    and _UNIT_TAIL.fullmatch(a.name[len(b.name) + 1:]):
                ex.add_relation(Relation(a, "partOf", b, *_first_line(text, a)))


def _first_line(text: str, e: Entity) -> tuple[str, int, int]:
    """The line of an entity's first mention, as evidence for what its name alone says."""
    start = min(s for s, _ in e.spans)
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    return " ".join(text[line_start:line_end].split()), line_start, line_end


def _both_members(s: Sentence, ex: Extraction, agreements: _Agreements) -> None:
    """'Both organisations are members of G': the two parties of the agreement just described are part of G."""
    hit = re.search(r"\b(?:[Bb]oth|[Tt]he two) (?:organisations|partners|institutions|bodies|trusts|universities)\b[^«]{0,30}?"
                    r"\b(?:members|part) of (?:the )?«O(\d+)»", s.masked)
    if hit and agreements.found:
        group = s.slots[int(hit.group(1))]
        for org in agreements.found[-1]["parties"]:
            if org is not group:
                add(ex, s, org, "partOf", group)


def _topic(agreements: _Agreements, focal: Entity | None) -> Entity | None:
    """What unattached themes and funders belong to: the agreement when the document describes one before
    any programme (a programme named later is context), else the focal programme."""
    first = agreements.found[0] if agreements.found else None
    if first is None or first.get("entity") is None:
        return focal
    return first["entity"] if focal is None or first["evidence"][0].start < focal.first else focal


def _focal(ex: Extraction) -> Entity | None:
    """What the document is about: the programme (or centre run as one) with most mentions."""
    cands = [e for e in ex.entities if ((e.kind == "Programme" and not e.scheme) or "Programme" in e.also) and not e.former]
    return max(cands, key=lambda e: (len(e.spans), -e.first)) if cands else None


# -- groups of organisations
def _groups(s: Sentence, ex: Extraction) -> None:
    """'G, the alliance between A, B and C': each is part of G and they work together."""
    m = re.sub(r",? which (?:hosts|leads|runs) it\b,?", "", s.masked)  # 'between A, which hosts it, and B'
    for hit in re.finditer(rf"«O(\d+)»(?:\s*\(«O\d+»\))?,? (?:is |was )?(?:the |a |an )?(?:(?:[\w-]+ ){{0,3}}?(?:alliance|partnership|group|"
                           rf"consortium|federation|collaboration|collaborative)|{_GROUP_TERM}) (?:between|of|bringing together|made up of|"
                           rf"formed by|linking) (?:the )?({OL})", m):
        group = s.slots[int(hit.group(1))]
        extra = re.match(rf"\s*,?\s*with (?:the )?({OL}) as (?:an? )?(?:[\w-]+ )?partners?\b", m[hit.end():])
        members = [o for o in organisations_in(s, tags_of(hit.group(2) + (extra.group(1) if extra else ""))) if o is not group]
        _join_group(s, ex, group, members)
    for hit in re.finditer(r"«O(\d+)».*?\b(?:welcomed|welcomes|admitted|admits|added|adds) (?:the )?«O(\d+)» as (?:its|a|an|the) "
                           r"(?:[\w-]+ )?(?:member|partner)", m):
        _join_group(s, ex, s.slots[int(hit.group(1))], [s.slots[int(hit.group(2))]])
    for hit in re.finditer(r"«O(\d+)»[^«]{0,20}?\b(?:has |have )?(?:joined|join|joins) (?:the )?«O(\d+)»", m):
        group = s.slots[int(hit.group(2))]
        if group.cls == "OrganisationGroup":
            _join_group(s, ex, group, [s.slots[int(hit.group(1))]])


def _join_group(s: Sentence, ex: Extraction, group: Entity, members: list[Entity]) -> None:
    if programme_like(group) and group.cls != "OrganisationGroup":  # 'the X Centre is a partnership between A and B'
        for org in members:
            add(ex, s, as_programme(group), "partner", org)
        return
    if group.kind != "Organisation" or group.cls not in ("OrganisationGroup", "ResearchNetwork"):
        return
    known = [r.subject for r in ex.relations if r.predicate == "partOf" and r.object is group]
    for org in members:
        add(ex, s, org, "partOf", group)
    everyone = list(dict.fromkeys(known + members))
    for a, b in combinations(everyone, 2):
        if a in members or b in members:
            add(ex, s, a, "partnersWith", b)


# -- themes and values
def _focal_programme(resolved: Resolved) -> Entity | None:
    progs = [e for e in resolved.entities if e.kind == "Programme" and not e.scheme]
    return max(progs, key=lambda e: (len(e.spans), -e.first)) if progs else None


def _theme_relations(text: str, sents, found: Found, resolved: Resolved, ex: Extraction, agreements,
                     focal: Entity | None) -> None:
    """Each theme belongs to the agreement its sentence speaks of, else the programme (or centre) named in its
    sentence or the two before, else for a named area the organisation just before it, else the document's focus."""
    funders = {r.object for r in ex.relations if r.predicate == "fundedBy"}
    roles = {r.object for r in ex.relations if r.predicate in ("hostedBy", "fundedBy", "partner", "party")}
    for c in found.themes:
        theme = resolved.entity_at(c.start, c.end)
        if theme is None or theme.kind != "Theme":
            continue  # the listed words were a name, not a theme
        i = next((k for k, (a, b) in enumerate(sents) if a <= c.start < b), None)
        if i is None:
            continue
        a, b = sents[i]
        window = sents[max(0, i - 2)][0] if c.cls == "list" else a
        spoken = [(s0, e) for s0, t0, e in resolved.at if a <= s0 < c.start and e.kind == "Organisation"
                  and not re.search(r"\bwith (?:the )?$", text[max(a, s0 - 10):s0])]  # 'working with the university on A, B': not its themes
        before = [(s0, e) for s0, t0, e in resolved.at if window <= s0 < c.start and e is not theme
                  and text[s0:t0].lower() not in ("we", "our", "us", "it")]
        here = [e for s0, e in before if programme_like(e) and s0 >= a and (c.cls == "term" or not e.scheme)
                and not e.former and e not in roles]
        here = [e for e in here if e.kind == "Programme" or "Programme" in e.also] or here  # the programme, not its host
        progs = [e for _, e in before if programme_like(e) and not e.scheme and not e.former and e not in funders]
        acting = [e for e in progs if e.kind == "Programme" or "Programme" in e.also]
        progs = acting or progs
        orgs = [e for s0, e in before if s0 >= a and e.cls in ("University", "ResearchCentre", "OrganisationalUnit")]
        previous = agreements.covering(sents[i - 1][0]) if i and c.cls == "list" else None
        speaker = spoken[-1][1] if spoken and c.cls == "list" else None  # 'Our research focuses on A, B and C'
        if re.match(r"\s*(?:The|Both|These) (?:partners|two organisations|organisations|institutions|parties)\b", text[a:b]) \
                and agreements.found and agreements.found[-1].get("entity") is not None:
            ex.add_relation(Relation(agreements.found[-1]["entity"], "hasTheme", theme, " ".join(text[a:b].split()), a, b))
            continue  # 'The partners will focus on ...': the agreement they made
        they = _opening_subject(text, resolved, sents[i - 1]) if i and _PRONOUN_OPENING.match(text[a:b]) else None
        subject = agreements.covering(a) or (here[-1] if here else None) or speaker or previous or they \
            or (progs[-1] if progs and c.cls == "list" else None) or (orgs[-1] if orgs and c.cls == "term" else None) or focal
        if subject is not None:
            if subject.kind == "Organisation" and programme_like(subject) and subject in progs:
                as_programme(subject)
            ex.add_relation(Relation(subject, "hasTheme", theme, " ".join(text[a:b].split()), a, b))


#: 'They work on A, B and C': the themes of what the sentence before opened with.
_PRONOUN_OPENING = re.compile(r"\s*(?:They|It|These|This)\s+(?:\w+\s+){0,2}?(?:work|works|focus|focuses|concentrate|"
                              r"concentrates|specialise|specialises|cover|covers|include|includes|are|is)\b")


def _opening_subject(text: str, resolved: Resolved, sent: tuple[int, int]) -> Entity | None:
    """The organisation or programme a sentence opens with ('Queen's has brought together ...'), if any."""
    a, b = sent
    first = min(((s0, e) for s0, _, e in resolved.at if a <= s0 < b), key=lambda t: t[0], default=None)
    if first is None or not re.fullmatch(r"\s*(?:[^,\n]{0,60},\s*)?(?:[Tt]he\s+)?", text[a:first[0]]):  # 'In 2020, X ...'
        return None
    return first[1] if first[1].kind in ("Organisation", "Programme") else None


def _values(s: Sentence, found: Found, ex: Extraction, focal: Entity | None) -> None:
    progs = [slot(s, t) for t in tags_of(s.masked, "P")]
    subject = progs[0] if progs else (focal if re.search(r"\b(?:programme|collaboration|initiative|scheme|fund\w*|award\w*)\b",
                                                        s.text, re.IGNORECASE) else None)
    if subject is None:
        return
    for start, _end, amount, currency in found.money:
        if s.start <= start < s.end and not any(v[0] is subject and v[1] == "fundingAmount" for v in ex.values):
            ex.values += [(subject, "fundingAmount", amount), (subject, "currency", currency)]
    for start, _end, duration in found.durations:
        if s.start <= start < s.end and not any(v[0] is subject and v[1] == "duration" for v in ex.values):
            ex.values.append((subject, "duration", duration))
    for start, _end, year, verb in found.years:
        if s.start <= start < s.end and verb in ("begin", "begins", "start", "starts", "starting", "launch", "launches",
                                                  "launched", "from") and not any(v[0] is subject and v[1] == "startDate" for v in ex.values):
            ex.values.append((subject, "startDate", year))


def partner_pairs(ex: Extraction) -> list[Relation]:
    """partnersWith as the gold README defines it, per document: stated pairs, parties of one agreement,
    partners of one programme, and a programme's host with its partners (not funders). A unit that hosts
    ('run by the University's School of X') brings its institution into the partnership with it."""
    out: dict[frozenset, Relation] = {}
    for r in ex.relations:
        if r.predicate == "partnersWith":
            out.setdefault(frozenset((r.subject.iri, r.object.iri)), r)
    parent = {id(r.subject): r.object for r in ex.relations if r.predicate == "partOf"
              and r.subject.cls == "OrganisationalUnit" and r.object.kind == "Organisation"}
    groups: dict[int, tuple[Entity, list[Relation]]] = {}
    for r in ex.relations:
        if r.predicate in ("party", "partner", "hostedBy"):
            groups.setdefault(id(r.subject), (r.subject, []))[1].append(r)
        if r.predicate == "hostedBy" and id(r.object) in parent:
            groups[id(r.subject)][1].append(replace(r, object=parent[id(r.object)]))
    for _via, rels in groups.values():
        for r1, r2 in combinations(rels, 2):
            a, b = r1.object, r2.object
            if a is not b and frozenset((a.iri, b.iri)) not in out:
                out[frozenset((a.iri, b.iri))] = Relation(a, "partnersWith", b, r2.sentence, r2.start, r2.end)
    return list(out.values())
