"""People: who belongs to which organisation, and in which role.

Rules over masked sentences (`loaders.sentences`): 'X, Director of Y at Z', 'Z's
director, X', 'X (Head of Y)', 'the centre will be led by X', 'X will direct
the hub', a Director of Public Health for a place, a councillor, and 'He is a
lecturer in Y' after a sentence naming one person.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from . import names as N
from .extraction import Entity, Extraction
from .sentences import Sentence, add, as_organisation, network_or_programme, organisations_in, programme_like, slot, tags_of

_WORDS = yaml.safe_load((Path(__file__).with_name("lexicon") / "people.yaml").read_text(encoding="utf-8"))
_SAID = "(?:" + "|".join(_WORDS["said"]) + ")"
_MINISTER = re.compile(r"\b(" + "|".join(_WORDS["minister"]) + r")\s*$")
_UNIVERSITY_HEAD = re.compile(r"\b(?:" + "|".join(_WORDS["university_head"]) + r")\b[^«]{0,30}$")
_WHO_LEADS = re.compile(r",?\s+who\s+(?:" + "|".join(_WORDS["who_leads"]) + r")\s+(?:the\s+)?«O(\d+)»")


def memberships(s: Sentence, ex: Extraction, prior: Entity | None = None) -> None:
    _stated_roles(s, ex, prior)
    for m in re.finditer(r"«H\d+»", s.masked):
        person = slot(s, m.group())
        after = s.masked[m.end():]
        if after.startswith(","):
            segment = re.split(rf",?\s+{_SAID}\b|:|“|\"|;|\.\s|\s+who\s+(?!lead|head|direct|chair|work)|«H\d+»|"
                               rf",?\s+and\s+(?:be|is|was|will|has|have|are)\b", after[1:])[0]
            _roles(s, ex, person, segment)
        before = s.masked[:m.start()]
        b = re.search(r"«O(\d+)»(?:'s|’s)\s+([^«,]{2,90}),\s*$", before) or \
            re.search(r"(?:^|,\s*)((?:[A-Z][\w-]*\s?)[^«,]{0,80}?) (?:of|at|for) (?:the )?«O(\d+)»,\s*$", before)
        if b:
            tag, role = (b.group(1), b.group(2)) if b.re.pattern.startswith("«") else (b.group(2), b.group(1))
            add(ex, s, person, "memberOf", s.slots[int(tag)], _clean_role(role))
        direct = re.match(r"\s*(?:\(|,?\s+(?:of|from|at)\s+)(?:the\s+)?«O(\d+)»(?:(?:'s|’s) «O(\d+)»)?", after)
        for tag in (direct.groups() if direct else ()):  # 'X of the University's Institute of Y': both
            if tag is not None:
                add(ex, s, person, "memberOf", s.slots[int(tag)])
        who = _WHO_LEADS.match(after)
        if who:
            add(ex, s, person, "memberOf", s.slots[int(who.group(1))])
        bracket = re.match(r"\s*\(([A-Z][^«)]{1,60}?)\s(?:of|at|for|in)\s(?:the\s)?(?:[A-Z][\w-]*\s){0,2}«([OP])(\d+)»\)", after)
        if bracket and _is_role(bracket.group(1)):  # 'Professor X (Director of the NIHR Y Centre)'
            add(ex, s, person, "memberOf", as_organisation(s.slots[int(bracket.group(3))]), _clean_role(bracket.group(1)))
        led = re.search(r"«([OP])(\d+)»(?:\s*\(«[OP]\d+»\))?(?:,\s*«O\d+»,)?[^«.;]{0,40}?\b(?:led|headed|directed|chaired) by $",
                        before)  # 'The X Unit, Y University, led by Z': the unit, not the university
        if led and programme_like(s.slots[int(led.group(2))]):  # 'The X Centre will be led by Professor Y'
            add(ex, s, person, "memberOf", as_organisation(s.slots[int(led.group(2))]))
        titled = re.search(r"«O(\d+)»(?:'s|’s)?\s+([A-Za-z][\w -]{1,60}?)\s*$", before)
        if titled and _is_role(titled.group(2)) and not re.search(r"\b(?:said|says|with|by|to)\b", titled.group(2)) \
                and (" and " not in titled.group(2) or all(w.lower() in N.ROLE_WORDS for w in titled.group(2).split())):
            add(ex, s, person, "memberOf", s.slots[int(titled.group(1))], _clean_role(titled.group(2)))  # 'UWTSD Vice-Chancellor X'
        if not any(r.subject is person and r.predicate == "memberOf" for r in ex.relations) and after.startswith(","):
            orgs = organisations_in(s, tags_of(s.masked))
            role = re.match(r",\s*([^«,;:]{2,60}?)(?:,|\.|$)", after)
            if len(orgs) == 1 and role and _is_role(role.group(1)) and re.search(r"«O\d+»", before):  # 'our team is led by X, Director of Research': the one body named
                add(ex, s, person, "memberOf", orgs[0], _clean_role(role.group(1)))
        _directs(s, ex, person, after)
        if not any(r.subject is person and r.predicate == "memberOf" for r in ex.relations):
            _council_roles(s, ex, person, after)
        if not any(r.subject is person and r.predicate == "memberOf" for r in ex.relations) and _MINISTER.search(before):
            governments = [e for e in ex.entities if e.kind == "Organisation" and e.cls == "GovernmentBody"
                           and e.name.endswith(("Government", "Executive"))]
            if len(governments) == 1:  # 'Deputy Health Minister X has confirmed': the government of the story
                add(ex, s, person, "memberOf", governments[0], _MINISTER.search(before).group(1))
        if not any(r.subject is person and r.predicate == "memberOf" for r in ex.relations) and _UNIVERSITY_HEAD.search(before):
            universities = [e for e in ex.entities if e.kind == "Organisation" and e.cls == "University"]
            if len(universities) == 1:  # 'Vice-Chancellor Professor X said': the university of the story
                add(ex, s, person, "memberOf", universities[0], "Vice-Chancellor")


def _stated_roles(s: Sentence, ex: Extraction, prior: Entity | None) -> None:
    """'The centre's director is X', 'Its Regional Director is X' (the body of the sentence before), 'X serves as its Y'."""
    for hit in re.finditer(r"«([OP])(\d+)»(?:'s|’s) ([^«,.;]{2,40}?) (?:is|was|will be) «H(\d+)»|"
                           r"«H(\d+)» (?:is|was|will be|becomes|became) (?:the )?«([OP])(\d+)»(?:'s|’s) ([^«,.;]{2,40})", s.masked):
        g = hit.groups()  # 'The centre's director is X' or 'X is the HDRC's research director'
        person, body, role = (g[3], g[1], g[2]) if g[1] else (g[4], g[6], g[7])
        if _is_role(role):
            add(ex, s, s.slots[int(person)], "memberOf", as_organisation(s.slots[int(body)]), _clean_role(role))
    if not network_or_programme(prior):
        return
    for hit in re.finditer(r"(?:^\s*(?:Its|Their) ([^«,.;]{2,40}?) (?:is|was|will be) «H(\d+)»|"
                           r"«H(\d+)» (?:will )?(?:serves?|acts?|works?) as (?:its |their )?([^«,.;]{2,40}))", s.masked):
        person, role = s.slots[int(hit.group(2) or hit.group(3))], hit.group(1) or hit.group(4)
        if _is_role(role):
            add(ex, s, person, "memberOf", as_organisation(prior), _clean_role(role))


def _directs(s: Sentence, ex: Extraction, person: Entity, after: str) -> None:
    """'X, Professor of Y at Z, will direct the hub', 'X from Z's Institute will lead the infections unit': the person
    leads the programme named as the verb's object."""
    hit = re.match(r"(?:,[^«]{0,80}?(?:«O\d+»[^«]{0,40}?)?,|\s+(?:from|of|at) (?:the )?«O\d+»(?:(?:'s|’s) «O\d+»)?)? "
                   r"(?:will |to )?(?:direct|directs|lead|leads|head|heads) (?:the )?(?:[\w-]+ ){0,6}?«([OP])(\d+)»(?!['’]s)",
                   after)
    if hit and programme_like(s.slots[int(hit.group(2))]):
        add(ex, s, person, "memberOf", as_organisation(s.slots[int(hit.group(2))]))


def pronoun_roles(s: Sentence, ex: Extraction, people: list[Entity]) -> None:
    """'He is a senior lecturer in the X': the one person named in the sentence before holds that post."""
    hit = re.match(r"\s*(?:He|She) (?:is|was|has been|will be) (?:a|an|the) ([^«,.;]{2,50}?) (?:at|in|of|with|within) "
                   r"(?:the )?«O(\d+)»", s.masked)
    if hit and len(set(people)) == 1 and _is_role(hit.group(1)):
        add(ex, s, people[0], "memberOf", s.slots[int(hit.group(2))], _clean_role(hit.group(1)))


def _council_roles(s: Sentence, ex: Extraction, person: Entity, after: str) -> None:
    """A councillor, or a 'Director of Public Health for <Place>', belongs to that place's council."""
    councils = [e for e in ex.entities if e.kind == "Organisation" and e.cls == "LocalAuthority"]
    dph = re.match(r",\s*((?:[\w-]+ ){0,2}Director of Public Health) (?:for|in) ([A-Z][\w-]*(?: [A-Z][\w-]*){0,2})", after)
    if dph:
        place = [e for e in councils if e.name.startswith(dph.group(2) + " ")]
        if len(place) == 1:
            add(ex, s, person, "memberOf", place[0], dph.group(1))
    elif any(a.startswith(("Councillor ", "Cllr ")) for a in person.aliases) and len(councils) == 1:
        add(ex, s, person, "memberOf", councils[0], "Councillor")


def _is_role(text: str) -> bool:
    """A role title: its first words hold a role head ('Director of ...', 'Head of Research Operations')."""
    return any(w.lower().strip(",") in N.ROLE_HEADS for w in text.split()[:4])


def _roles(s: Sentence, ex: Extraction, person: Entity, segment: str) -> None:
    pos, role = 0, None
    for m in re.finditer(r"«([OP])(\d+)»", segment):
        text = segment[pos:m.start()]
        if re.search(r"\b(?:with|between|alongside|funded by|partner(?:ship)?s? (?:of|in|with))\s+(?:the\s+)?$", text):
            pos = m.end()
            continue
        piece = _clean_role(text)
        if piece and not re.fullmatch(r"(?:and|&)", piece):
            role = piece
        if m.group(1) == "O":
            add(ex, s, person, "memberOf", s.slots[int(m.group(2))], role)
        elif role and _is_role(role) and not slot(s, m.group()).scheme:  # 'Director of the NIHR X BRC': a post in it
            add(ex, s, person, "memberOf", as_organisation(slot(s, m.group())), role)
        pos = m.end()


def _clean_role(text: str) -> str | None:
    text = re.sub(r"«\w\d+»", " ", text)
    text = re.sub(r"^[\s,]*(?:and\s+)?(?:(?:at|of|for|in|within|with|from)\s+)?(?:the\s+|a\s+|an\s+|our\s+)?", "", text)
    text = re.sub(r"^(?:at|of|for|in|within|with|from|the)$", "", text.strip())
    text = re.sub(r"(?:\s+(?:at|of|for|in|the|and|within|with))+\s*$", "", text.strip(" ,"))
    text = " ".join(text.split())
    return text or None

