"""Collaboration frames: who works with whom, who pays and who hosts, read from constructions, not phrases.

A frame is a scope (a sentence, or a list with its lead-in or heading) that a
cue from the lexicon (`lexicon/frames.yaml`) marks as stating a set of
collaborators. Every organisation in the scope that is not a funder or a host
there is a partner of what the frame is about: the programme or collaboration
named nearest before it in the scope, else the one the text last spoke of, else
the document's focus (the programme its title or opening names). With nothing
to be about, the organisations partner each other. Funding and hosting clauses
are read with their direction ("X has awarded Y": X funds, Y receives).

Frames add to what the sentence rules found; they never change entities.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import combinations
from pathlib import Path

import yaml

from .blocks import Block, lists
from .extraction import Entity, Extraction, Relation
from .sentences import OL, OPL, Sentence, as_programme, programme_like, slot, tags_of

LEXICON = Path(__file__).with_name("lexicon") / "frames.yaml"


@dataclass(frozen=True)
class Lexicon:
    collaboration: re.Pattern
    negative: re.Pattern
    list_lead: re.Pattern
    funding_passive: re.Pattern
    funding_active: re.Pattern
    host_passive: re.Pattern
    host_active: re.Pattern
    scheme: re.Pattern
    appositive: re.Pattern
    host_role: re.Pattern
    host_label: re.Pattern
    funding_label: re.Pattern
    host_award: re.Pattern
    funding_modifier: re.Pattern
    host_award_purpose: re.Pattern
    funding_purpose: re.Pattern


@cache
def lexicon(path: Path = LEXICON) -> Lexicon:
    """The cue lexicon, each list compiled into one alternation (case-insensitive, whole words)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Lexicon(**{k: re.compile(r"(?i)(?<![\w-])(?:" + "|".join(f"(?:{p})" for p in v) + r")")
                      for k, v in data.items() if k in Lexicon.__dataclass_fields__})


def _ents(s: Sentence) -> list[tuple[int, int, Entity]]:
    """(position in the masked text, end, entity) of each entity placeholder."""
    return [(m.start(), m.end(), slot(s, m.group())) for m in _PLACEHOLDER.finditer(s.masked)
            if isinstance(slot(s, m.group()), Entity)]


def _org(e: Entity) -> bool:
    return e.kind == "Organisation"


def _payer(e: Entity) -> bool:
    """What can pay: a body, or a fund named as one ('the UK Shared Prosperity Fund')."""
    return _org(e) or (e.kind == "Programme" and e.name.endswith(" Fund"))


def _target(e: Entity) -> bool:
    return programme_like(e) and not e.scheme and not e.former


#: Bodies that exist to bring others together: what a frame may be about when the text puts them first.
#: An award verb read as a noun ('this funding award'), or a quotation between the subject and the verb.
_NOUN = re.compile(r"(?i)\b(?:the|a|an|this|that|its|their|our|funding|research|new|said|says)\s+\S+\s*$|[:“\"]")
_ITS = re.compile(r"\s*(?:Its|Their) (?:\w+ )?(?:partners|members|partner organisations|member organisations|collaborators)\b")
_THE_PROGRAMME = re.compile(r"\b[Tt]he (?:new |research |five-year |joint )*(?:programme|collaboration|project|initiative)\b")
#: A name inside a person's post ('X, Director of Y, ...') is not what the sentence is about.
_IN_POST = re.compile(r"«H\d+»,\s+[^«]{0,60}$")
_MEMBERSHIP = re.compile(r"(?i)partner|member|join|collaborat|signator|consortium|involv")
_PLACEHOLDER = re.compile(r"«[A-Z]\d+»")
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_PASSIVE = re.compile(r"(?i)\b(?:been|was|were|is|are|be|being)\s+(?:\w+\s+)?(?:awarded|funded|granted|given|"
                      r"commissioned|allocated|provided)\b|\b(?:received|secured|won|attracted)\b")
#: The host after a passive verb: 'run by the University's School of X' is run by the school.
_HOST_OBJECT = re.compile(r"\s*(?:the\s+|our\s+|its\s+)?(?:«O\d+»(?:'s|’s)\s+(?:own\s+)?«O(\d+)»|«O(\d+)»(?!'s|’s))")
#: What a body hosts when it hosts a programme's team or office: the programme.
_HOSTED_TEAM = re.compile(r"\s+(?:the\s+)?«[PO](\d+)»(?:'s|’s)\s+(?:[\w-]+\s+){0,2}?(?:team|office|secretariat|staff|unit|"
                          r"base|headquarters)\b")
#: The page's programme named by its kind after an active verb ('X will run the facility', 'X is to lead a new hub').
_GENERIC_OBJECT = re.compile(r"\s+(?:the|a|an|this|our|its)\s+(?:[\w£-]+\s+){0,3}?(?:centre|center|programme|network|hub|"
                             r"collaboration|partnership|unit|initiative|institute|project|facility|scheme)\b(?!\s*(?:'s|’s|of|for))")
#: A sentence whose subject is the page's programme named by its kind alone ('A new centre to study ...').
_GENERIC_SUBJECT = re.compile(r"\s*(?:(?:A|An|The|This|Our|Its) (?:[\w-]+ ){0,3}?(?:centre|center|programme|network|hub|collaboration|"
                              r"partnership|unit|initiative|institute|project)\b[^«]*|We (?:are|were|have been|will be) )$")
#: 'X is a «P» initiative': P names what X belongs to, X is the initiative.
_DESCRIBED = re.compile(r"(«[PO]\d+») (?:is|was|will be|has become|became) (?:a|an|the) (?:[a-z-]+ ){0,2}(«[PO]\d+») "
                        r"(?:initiative|programme|project|scheme|collaboration|partnership|venture|centre|hub|network)\b")


def _described(s: Sentence) -> dict[int, Entity]:
    """id(modifier) -> the head it describes, for 'X is a «P» initiative' in the sentence."""
    out = {}
    for m in _DESCRIBED.finditer(s.masked):
        head, modifier = slot(s, m.group(1)), slot(s, m.group(2))
        if isinstance(head, Entity) and isinstance(modifier, Entity):
            out[id(modifier)] = head
    return out


COLLECTIVE = ("OrganisationGroup", "ResearchCentre", "OrganisationalUnit")


def _collective(e: Entity) -> bool:
    return e.kind == "Organisation" and e.cls in COLLECTIVE and not e.scheme and not e.former


def _hostable(e: Entity) -> bool:
    """What can be hosted: a programme or centre run as one, or a regional network ('the network is delivered by X')."""
    return _target(e) or (e.kind == "Organisation" and e.cls == "ResearchNetwork" and not e.linked and not e.scheme)


def _group(e: Entity) -> bool:
    """A standing group or network: its members are part of it (a programme has partners)."""
    return e.kind == "Organisation" and e.cls in ("OrganisationGroup", "ResearchNetwork") and "Programme" not in e.also


def focus(masks: list[Sentence], size: int) -> Entity | None:
    """What a page is about: the programme its title or opening names, else the collaborative body it names first."""
    opening = list(dict.fromkeys(x for s in masks if s.start <= min(600, size // 3) for x in s.slots
                                 if isinstance(x, Entity)))
    for fits in (lambda x: _target(x) and x.kind == "Programme", lambda x: _target(x) or _collective(x)):
        found = [x for x in opening if fits(x)]
        if found:  # the one the page names most, the first on a tie
            return max(found, key=lambda x: (len(x.spans), -opening.index(x)))
    return None


def _members(s: Sentence) -> set[int]:
    """Positions of names standing in a coordination ('A, B and C'): members of something, never what it is about."""
    out: set[int] = set()
    for m in re.finditer(OL, s.masked):
        tags = list(re.finditer(r"«[A-Z]\d+»", m.group()))
        if len(tags) > 1:
            out.update(m.start() + t.start() for t in tags)
    return out


class Frames:
    """Reads frames over a document's masked sentences and blocks and adds the relations they state."""

    def __init__(self, lex: Lexicon | None = None):
        self.lex = lex or lexicon()

    def run(self, text: str, masks: list[Sentence], layout: list[Block], ex: Extraction,
            focus: Entity | None, topic: Entity | None = None) -> Extraction:
        """``focus``: what the page's title or opening is about; ``topic``: what the page is about at all (the focus,
        else the programme it names most), which receives money and a host named with no programme."""
        self.ex, self.focus, self.topic = ex, focus, topic or focus
        self.about = lambda e: e is focus or (_target(e) and e.kind == "Programme")
        roles: list[set] = []
        last: Entity | None = None
        for s in masks:  # who pays and who hosts first: neither is a partner by that alone
            roles.append(self._funding(s, last) | self._hosting(s, last) if "«" in s.masked else set())
            self._schemes(s)
            here = [e for _, _, e in _ents(s) if self.about(e)]
            last = here[-1] if here else last
        self.funders = {r.object for r in ex.relations if r.predicate == "fundedBy"}
        last, since = None, 0
        self.previous: Entity | None = None  # the programme or body the sentence before put first
        self.recent: Entity | None = None    # the programme the page named last, in any paragraph
        for s, excluded in zip(masks, roles):
            if _PARAGRAPH.search(text, since, s.start):
                last = None  # what a paragraph spoke of does not carry into the next one
            if "«" in s.masked:
                self._collaboration(s, excluded, last)
                here = [e for _, _, e in _ents(s) if self.about(e)]
                last = here[-1] if here else last
                named = [e for _, _, e in _ents(s) if _target(e) or _collective(e)]
                self.previous = named[0] if named else self.previous
                self.recent = here[-1] if here else self.recent
            since = s.start + len(text[s.start:s.end].rstrip())
        self._lists(text, masks, layout)
        return ex

    # -- a sentence that states collaborators
    def _collaboration(self, s: Sentence, excluded: set, last: Entity | None) -> None:
        m = s.masked
        cue = self.lex.collaboration.search(m)
        if not cue or self.lex.negative.search(m):
            return
        ents, members = _ents(s), _members(s)
        lead = next(((p, end, e) for p, end, e in ents if p < cue.start() and p not in members
                     and (_collective(e) or _target(e)) and not _IN_POST.search(m[:p])), None)  # before the cue
        for p, end, e in ents:  # 'X, a collaboration between A, B and C': X is what the sentence is about
            if self.lex.appositive.match(m, end) and (_collective(e) or _target(e)):
                lead = (p, end, e)
        targets = [(p, e) for p, _, e in ents if (self.about(e) or (lead and p == lead[0])) and p not in members]
        chosen = {e for _, e in targets}
        owners = {p for p, end, _ in ents if re.match(r"(?:'s|’s) «O", m[end:end + 5])}  # 'X's Y': Y takes part
        orgs = [(p, e) for p, _, e in ents if _org(e) and e not in excluded and e not in chosen
                and e not in self.funders and p not in owners and not _IN_POST.search(m[:p]) and not e.former]
        alone = not targets and len({e for _, e in orgs}) < 2
        if not orgs or (alone and not _MEMBERSHIP.match(cue.group())):
            return  # one body alone, with nothing named to be about, is a partner only when the text says so
        if not targets and _ITS.match(s.text) and self.previous is not None:
            targets = [(-1, self.previous)]  # 'Its partners include A, B and C': of what the text just spoke of
        if not targets and _THE_PROGRAMME.search(m) and self.recent is not None:
            targets = [(-1, self.recent)]  # 'the research programme', 'the collaboration': the one the page named last
        if not targets:
            about = next((x for x in (last, self.focus) if x is not None and (x.kind == "Programme" or x is self.focus)), None)
            if about is None:
                self._stated_pairs(s, orgs, members)
                return
            targets = [(-1, about)]
        for p, org in orgs:
            before = [t for q, t in targets if q < p and t is not org]
            after = [t for q, t in targets if q > p and t is not org]
            about = before[-1] if before else (after[0] if after else None)
            if about is None or about is org or org.name in about.name:
                continue  # 'the NIHR Clinical Research Network' inside 'NIHR Clinical Research Network South West'
            if _group(about):  # a member of a standing group takes part in it and is part of it
                self._add(s, org, "partOf", about)
            self._add(s, as_programme(about), "partner", org)

    def _stated_pairs(self, s: Sentence, orgs: list[tuple[int, Entity]], members: set[int]) -> None:
        """With nothing to be about, names coordinated together, or on both sides of the cue, work together."""
        listed = [e for p, e in orgs if p in members]
        if len(set(listed)) >= 2:
            self._pairs(s, listed)
            return
        cue = self.lex.collaboration.search(s.masked)
        if any(p < cue.start() for p, _ in orgs) and any(p > cue.start() for p, _ in orgs):
            self._pairs(s, [e for _, e in orgs])

    def _pairs(self, s: Sentence, orgs: list[Entity]) -> None:
        for a, b in combinations(list(dict.fromkeys(orgs)), 2):
            self._add(s, a, "partnersWith", b)

    # -- funding, with its direction
    def _funding(self, s: Sentence, last: Entity | None) -> set:
        m, funders = s.masked, set()
        for hit in self.lex.funding_passive.finditer(m):
            objs = re.match(rf"\s*(?:both\s+|each of\s+)?(?:[a-z][\w-]*\s+){{0,3}}?(?:[Tt]he\s+)?({OPL})", m[hit.end():])  # 'national charity The X'
            if not objs:
                continue
            payers = [e for e in (slot(s, t) for t in tags_of(objs.group(1), "[OP]")) if isinstance(e, Entity) and _payer(e)]
            purpose = self.lex.funding_purpose.match(m, hit.end() + objs.end()) or \
                self.lex.funding_purpose.search(m, hit.end() + objs.end(), hit.end() + objs.end() + 80)
            aim = re.match(r"«[PO](\d+)»", m[purpose.end():]) if purpose else None
            aimed = s.slots[int(aim.group(1))] if aim else None  # 'X has been awarded £5m by F to set up a P': P
            before = self._before(s, hit.start(), _hostable)
            recipient = (aimed if aimed is not None and _hostable(aimed) else None) or before or last or self.topic
            for org in payers:
                funders.add(org)
                if recipient is not None and recipient is not org:
                    self._add(s, as_programme(recipient), "fundedBy", org)
        for hit in self.lex.funding_active.finditer(m):
            subj = re.search(r"(?:^|[^«]*?)«O(\d+)»(?:\s*\(«O\d+»\))?(?: of the «O\d+»)?[^«]{0,25}$", m[:hit.start()])
            if not subj or re.search(r"\b(?:to|from|by|with)\s+(?:the\s+)?$", m[:hit.start()][:-len(subj.group(0)) or None][-12:]):
                continue
            payer = s.slots[int(subj.group(1))]
            between = m[subj.end(1) + 1:hit.end()]
            if not _org(payer) or _target(payer) or _PASSIVE.search(m[subj.start():hit.end()]) or _NOUN.search(between):
                continue  # 'the council has been awarded': the subject receives; 'X said: "This funding award"'

            funders.add(payer)
            recipient = self._after(s, hit.end(), _target) or last or self.topic
            if recipient is not None and recipient is not payer:
                self._add(s, as_programme(recipient), "fundedBy", payer)
        for hit in re.finditer(r"«O(\d+)»(?:'s|’s)? ", m):  # 'NIHR funding saw thirteen HDRCs created'
            if not self.lex.funding_modifier.match(m, hit.end()):
                continue
            payer = s.slots[int(hit.group(1))]
            recipient = self._after(s, hit.end(), lambda e: _target(e) or (e.kind == "Programme" and e.scheme)) \
                or last or self.topic
            if _org(payer) and not _target(payer) and recipient is not None and recipient is not payer:
                funders.add(payer)
                self._add(s, recipient if recipient.scheme else as_programme(recipient), "fundedBy", payer)
        for hit in self.lex.funding_label.finditer(m):  # 'Co-funder: British Heart Foundation (£400,000)'
            obj = re.match(r"\s*(?:[Tt]he\s+)?«O(\d+)»", m[hit.end():])
            payer = s.slots[int(obj.group(1))] if obj else None
            if payer is not None and self.topic is not None and payer is not self.topic:
                funders.add(payer)
                self._add(s, as_programme(self.topic), "fundedBy", payer)
        return funders

    # -- hosting
    def _hosting(self, s: Sentence, last: Entity | None) -> set:
        m, hosts = s.masked, set()
        for hit in self.lex.host_passive.finditer(m):
            obj = _HOST_OBJECT.match(m[hit.end():])
            prog = self._before(s, hit.start(), _hostable)
            if prog is None and (_GENERIC_SUBJECT.match(m[:hit.start()]) or re.match(r"\s*(?:It|We)\b", s.text)):
                prog = self.topic  # 'A new centre ... was launched at X': the page's centre
            if obj and prog is not None:
                leads = re.match(r"(?i)(?:hosted|led|run|managed|delivered|coordinated|co-ordinated|administered)\b", hit.group())
                for host in self._hosts(s, m[hit.end():], obj):
                    if host is not prog and (leads or not _target(host)):  # an institute may lead a centre; a site only houses it
                        hosts.add(host)
                        self._add(s, as_programme(prog) if _target(prog) else prog, "hostedBy", host)
        for hit in self.lex.host_active.finditer(m):  # 'X hosts the Y', 'X, which hosts it,', 'X to host new Y'
            subj = re.search(r"«O(\d+)»(?:\s*\(«O\d+»\))?(?:,?\s+(?:which|who|that))?\s+(?:(?:will|also|now|currently|"
                             r"jointly|(?:has|have|had) been (?:chosen|selected|named|appointed)(?: to)?|(?:was|were) (?:chosen|selected)(?: to)?|"
                             r"is set(?: to)?|is|will also|already)\s+)*$", m[:hit.start()])
            prog = re.match(r"\s+(?:the |a |an |its |this |our |new |separate |national |regional )*"
                            r"(?:(?!(?:with|and|at|in|for|by|to|from|on|alongside)\b)[\w-]+ ){0,2}?«[PO](\d+)»(?!'s|’s)", m[hit.end():]) or _HOSTED_TEAM.match(m[hit.end():])
            if subj is None:  # 'leads the HDRC's engagement work' leads a part; 'hosts the HDRC's core team' hosts it
                continue
            host = s.slots[int(subj.group(1))]
            p = s.slots[int(prog.group(1))] if prog else None
            if p is None and re.match(r"\s+it\b", m[hit.end():]):  # 'the BRC is a partnership between X, which hosts it'
                p = self._before(s, subj.start(), _hostable)
            if p is None and _GENERIC_OBJECT.match(m[hit.end():]):  # 'X is to lead a five-year research programme'
                p = self.topic
            if p is not None and _hostable(p) and host.kind == "Organisation" and host is not p:
                hosts.add(host)
                self._add(s, as_programme(p) if _target(p) else p, "hostedBy", host)
        about = next((e for _, _, e in _ents(s) if _target(e)), None) or self.topic
        for hit in self.lex.host_role.finditer(m):  # 'with X acting as lead partner', 'X is the host organisation'
            subj = re.search(r"«O(\d+)»(?:\s*\(«O\d+»\))?,?\s*(?:\w+\s+)?$", m[:hit.start()])
            host = s.slots[int(subj.group(1))] if subj else None
            if host is not None and about is not None and host is not about and not _target(host):
                hosts.add(host)
                self._add(s, as_programme(about), "hostedBy", host)
        for hit in self.lex.host_label.finditer(m):  # 'Lead organisation: X'
            obj = re.match(r"\s*(?:[Tt]he\s+)?«O(\d+)»", m[hit.end():])
            if obj and self.topic is not None and s.slots[int(obj.group(1))] is not self.topic:
                hosts.add(s.slots[int(obj.group(1))])
                self._add(s, as_programme(self.topic), "hostedBy", s.slots[int(obj.group(1))])
        for hit in re.finditer(r"«([PO])(\d+)»,? (?:the |a |an )?[^«.;]{0,60}?(?:that |which )?(?:our |the )?«O(\d+)» "
                               r"(?:hosts|leads|runs|will host|will lead)\b(?! (?:the |a |an )?«)", m):  # 'the X, which our Trust hosts'
            p, host = s.slots[int(hit.group(2))], s.slots[int(hit.group(3))]
            if _target(p) and not _target(host) and host is not p:
                hosts.add(host)
                self._add(s, as_programme(p), "hostedBy", host)
        for hit in self.lex.host_award.finditer(m):  # 'X has been awarded £5m ... to set up an HDRC'
            subj = re.search(r"«O(\d+)»(?:\s*\(«O\d+»\))?(?:,? (?:and|with|together with) (?:its|their) (?:\w+ )?partners,?"
                             r"|,\s+(?:in partnership|together|working|in collaboration) with [^,]{0,80},)?\s+$", m[:hit.start()])
            purpose = self.lex.host_award_purpose.search(m, hit.end())
            if not subj or not purpose or purpose.start() - hit.end() >= 120:
                continue
            prog = re.match(r"«[PO](\d+)»", m[purpose.end():])
            p = s.slots[int(prog.group(1))] if prog else (self.topic if _GENERIC_OBJECT.match(" the " + m[purpose.end():]) else None)
            host = s.slots[int(subj.group(1))]
            if p is not None and _target(p) and not _target(host) and host is not p:
                hosts.add(host)
                self._add(s, as_programme(p), "hostedBy", host)
        for hit in re.finditer(r"«O(\d+)»-(?:led|hosted|based) «[PO](\d+)»", m):  # 'the Cardiff University-led X Centre'
            host, p = s.slots[int(hit.group(1))], s.slots[int(hit.group(2))]
            if programme_like(p) and host is not p:
                hosts.add(host)
                self._add(s, as_programme(p), "hostedBy", host)
        for hit in re.finditer(r"«O(\d+)»(?:'s|’s) (?:new )?«[PO](\d+)»", m):  # 'the council's HDRC'
            host, p = s.slots[int(hit.group(1))], s.slots[int(hit.group(2))]
            if _target(p) and p.kind == "Programme" and host is not p:
                hosts.add(host)
                self._add(s, p, "hostedBy", host)
        return hosts

    @staticmethod
    def _hosts(s: Sentence, after: str, obj: re.Match) -> list[Entity]:
        """The hosts a passive verb names: 'run jointly by A and B' both; 'led from the University's School of X' the
        school and the university it belongs to."""
        if obj.group(1):  # a unit written with its parent's possessive
            parent = re.match(r"\s*(?:the\s+|our\s+|its\s+)?«O(\d+)»", after)
            return [s.slots[int(obj.group(1))], s.slots[int(parent.group(1))]]
        more = re.match(r"\s*(?:the\s+|our\s+)?(«O\d+»(?:\s+and\s+(?:the\s+)?«O\d+»)?)", after)  # not ", and the X": a new clause
        tags = tags_of(more.group(1)) if more else [f"«O{obj.group(2)}»"]
        return [e for e in (slot(s, t) for t in tags) if isinstance(e, Entity) and _org(e)]

    # -- membership of a national scheme
    def _schemes(self, s: Sentence) -> None:
        for m in _DESCRIBED.finditer(s.masked):  # 'X is a «City Deal» initiative': X is part of it
            head, part_of = slot(s, m.group(1)), slot(s, m.group(2))
            if isinstance(head, Entity) and isinstance(part_of, Entity) and _target(head) and programme_like(part_of):
                self._add(s, as_programme(head), "partOf", part_of)
        for hit in self.lex.scheme.finditer(s.masked):
            tag = re.match(r"«[PO]\d+»", s.masked[hit.end() - 1:])
            scheme = slot(s, tag.group()) if tag else None
            if not isinstance(scheme, Entity) or not scheme.scheme:
                continue
            member = self._before(s, hit.start(), _target)
            if member is not None and member is not scheme:
                self._add(s, as_programme(member), "partOf", scheme)

    # -- a list under a lead-in or a heading
    def _lists(self, text: str, masks: list[Sentence], layout: list[Block]) -> None:
        for lead, items in lists(layout):
            lead_text = text[lead.start:lead.end]
            if not self.lex.list_lead.search(lead_text) and not self.lex.collaboration.search(lead_text):
                continue
            if self.lex.funding_passive.search(lead_text) or re.search(r"(?i)\bfunders?\b", lead_text):
                continue
            orgs = self._entities_in(masks, items)
            heading = self._entities_in(masks, [lead])
            about = next((e for e in heading if _target(e)), None) or self.focus
            s = next((x for x in masks if x.start <= lead.start < x.end), None)
            if s is None:
                continue
            members = [e for e in orgs if _org(e) and e is not about]
            if about is not None:
                for org in members:
                    self._add(s, as_programme(about), "partner", org)
            else:
                self._pairs(s, members)

    @staticmethod
    def _entities_in(masks: list[Sentence], scope: list[Block]) -> list[Entity]:
        out: list[Entity] = []
        for b in scope:
            for s in masks:
                if s.start < b.end and b.start < s.end:
                    out += [e for _, _, e in _ents(s)]
        return list(dict.fromkeys(out))

    # -- helpers
    @staticmethod
    def _before(s: Sentence, pos: int, ok) -> Entity | None:
        """The nearest name before ``pos`` that ``ok`` accepts; a name that only modifies a head ('X is a «City Deal»
        initiative led by ...') stands for the name it describes."""
        found = [e for p, _, e in _ents(s) if p < pos and ok(e)]
        if not found:
            return None
        heads = _described(s)
        return heads.get(id(found[-1]), found[-1])

    @staticmethod
    def _after(s: Sentence, pos: int, ok) -> Entity | None:
        return next((e for p, _, e in _ents(s) if p >= pos and ok(e)), None)

    def _add(self, s: Sentence, subj: Entity, pred: str, obj: Entity) -> None:
        if pred == "partner" and any(r.subject is subj and r.object is obj and r.predicate in ("fundedBy", "hostedBy")
                                     for r in self.ex.relations):
            return  # a funder is not a partner by funding alone; the host is already in the partnership
        self.ex.add_relation(Relation(subj, pred, obj, s.text, s.start, s.end))
