"""Resolution: which mentions of a document name the same thing, and what that thing is called.

Within a document: acronyms defined in parentheses (either way round) or
formed from a nearby name's initials, programme acronyms with a place ("HDRC
in X" = "Health Determinants Research Collaboration X"), word-order and spacing
variants ("University of X" / "X University", "GreenPark" / "Green Park"),
possessives, "the University" / "the Trust" / "the council" / "we" to the right
organisation, surnames to the full name. Across documents: the curated register
(exact, then fuzzy with rapidfuzz above a threshold) and deterministic IRIs, so
one organisation is one node in the whole graph.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from itertools import combinations

from collabgraph.ontology import iris

from . import names as N
from .chunks import Candidate
from .extraction import Entity
from .identity import canonical, normal, org_key, person_normal, programme_key, variant
from .linker import Linker
from .mentions import Found

_REF_CLASSES = {
    "university": ("University",), "trust": ("NHSTrust", "Charity"), "council": ("LocalAuthority",),
    "network": ("ResearchNetwork",), "centre": ("ResearchCentre",), "hub": ("ResearchCentre",),
    "institute": ("ResearchCentre", "GovernmentBody"),
    "board": ("NHSTrust",), "authority": ("LocalAuthority",), "agency": ("GovernmentBody",),
    "group": ("OrganisationGroup",), "department": ("OrganisationalUnit", "GovernmentBody"),
    "school": ("OrganisationalUnit",), "collaboration": ("Programme",), "alliance": ("OrganisationGroup",),
    "consortium": ("OrganisationGroup",), "programme": ("Programme",),
    "scheme": ("Programme",), "initiative": ("Programme",),
}
_PRONOUNS = {"we", "our", "us"}
_TRUST_TAIL = re.compile(r" NHS(?: Foundation)? Trust$| Foundation Trust$")
#: Heads after which a name may go on with 'for/of ...' ('X Centre' then 'X Centre for Y').
_SHORT_HEAD = re.compile(r"\b(?:Centre|Center|Institute|Unit|Hub|Facility|School|Observatory|Laboratory)$")
_RENAMED = re.compile(r"^,?\s*(?:it\s+|they\s+|which\s+)?(?:will become|became|has become|is becoming|becomes|(?:has been|was|is being) renamed(?: as| to)?|"
                      r"(?:is )?now known as|now called|renamed as|renamed)\s+(?:the\s+)?$")
_FORMERLY = re.compile(r"^\s*(?:\(|,)\s*(?:formerly|previously|once)(?: known as| called)?\s+(?:the\s+)?$")


@dataclass
class Resolved:
    entities: list[Entity] = field(default_factory=list)
    at: list[tuple[int, int, Entity]] = field(default_factory=list)  # every resolved mention, by position
    owner: Entity | None = None                                       # whom 'we' and 'our' refer to

    def entity_at(self, start: int, end: int) -> Entity | None:
        return next((e for s, t, e in self.at if s == start and t == end), None)


def _plural(name: str) -> str:
    """'Health Determinants Research Collaboration' -> '...Collaborations'; a name already plural stays."""
    words = name.split()
    for _i, w in enumerate(words):
        if N.is_plural_generic(w) or (w.endswith("s") and w[:-1] in ("Collaboration", "Centre", "Unit", "Network")):
            return name
    head = next((i for i, w in enumerate(words) if w in ("for", "of", "in", "on")), len(words))
    words[head - 1] += "s"
    return " ".join(words)


def _same_tail(name: str, tail: str) -> bool:
    """'Sheffield Children’s Hospital' ends with 'Children's Hospital' (apostrophes aside)."""
    return normal(name).endswith(" " + normal(tail))


def resolve(text: str, found: Found, linker: Linker | None) -> Resolved:
    """Entities of one document, each with its spans, aliases, class and IRI."""
    r = _Resolver(text, found, linker)
    return r.run()


class _Resolver:
    def __init__(self, text: str, found: Found, linker: Linker | None):
        self.text, self.found, self.linker = text, found, linker
        self.out = Resolved()
        self.by_key: dict[tuple[str, str], Entity] = {}
        self.acronyms: dict[str, tuple[str, str, str | None]] = {}  # ACR -> (full name, kind, cls)

    def run(self) -> Resolved:
        names = list(self.found.names)
        if self.linker is not None:
            names = _merge_gazetteer(names, self.linker.mentions(self.text))
        self._define_acronyms(names)
        later = []
        for c in names:
            if c.kind in ("Organisation", "Programme"):
                self._named(c)
            elif c.kind != "Person":
                later.append(c)
        for c in later:
            self._acronym_or_possessive(c, names)
        self._people([c for c in names if c.kind == "Person"])
        self._merge_generic_programmes()
        self._renamed()
        self._references()
        self._themes()
        for e in self.out.entities:
            e.scheme = e.scheme or (e.kind == "Programme" and N.is_plural_generic(e.name))  # 'the NIHR BRCs'
        self._generic_into_schemes()
        for e in self.out.entities:
            self._identify(e)
            e.former = any(_former(self.text, s) for s, _ in e.spans)
        self._merge_same_iri()
        self.out.at.sort(key=lambda t: (t[0], t[1]))
        return self.out

    def _merge_same_iri(self) -> None:
        """Two mentions the register says are one thing become one entity."""
        seen: dict[str, Entity] = {}
        for e in list(self.out.entities):
            if e.iri in seen:
                self._absorb(seen[e.iri], e)
                seen[e.iri].aliases.discard(seen[e.iri].name)
            else:
                seen[e.iri] = e

    # -- named organisations and programmes
    def _entity(self, kind: str, cls: str, name: str, start: int, end: int, surface: str, scheme=False) -> Entity:
        name = canonical(name)
        key = (kind, (programme_key if kind == "Programme" else org_key)(name))
        e = self.by_key.get(key) or self._fuzzy(kind, key[1], name)
        if e is None:
            e = Entity(kind, cls, name, key=key[1], scheme=scheme)
            self.by_key[key] = e
            self.out.entities.append(e)
        elif len(name) > len(e.name) and not e.linked and not surface.endswith(("'s", "’s")):
            e.aliases.add(e.name)
            e.name = name
        e.aliases.add(N.tidy(surface))
        e.aliases.add(surface)
        e.spans.append((start, end))
        self.out.at.append((start, end, e))
        return e

    def _fuzzy(self, kind: str, key: str, name: str) -> Entity | None:
        """A spelling variant of a name already seen (not a plural: 'HDRCs' is the scheme, 'HDRC' one of them)."""
        from rapidfuzz import fuzz

        for (k, other), e in self.by_key.items():
            if k == kind == "Organisation" and len(key) > 12 and key.rstrip("s") != other.rstrip("s") \
                    and fuzz.ratio(key, other) >= 95 and variant(name, e.name):
                return e
        return None

    def _named(self, c: Candidate) -> None:
        if c.kind == "Programme":
            name = _expand(c.name or c.text, self.acronyms)
            scheme = N.is_plural_generic(name)
            if scheme:
                name = _plural(_expand(_singular_name(name), self.acronyms)) if not name.endswith("s") else name
            self._entity("Programme", "Programme", _strip_nihr(name), c.start, c.end, c.text, scheme)
        else:
            words = c.text.split()
            d = self.acronyms.get(words[-1]) if len(words) > 1 else None
            short = d is not None and d[1] == "Organisation" and d[0].startswith(" ".join(words[:-1]) + " ")
            name = d[0] if short else (c.name or c.text)  # 'NHS X ICB' once 'NHS X Integrated Care Board (ICB)' is defined
            self._entity("Organisation", c.cls or "Organisation", name, c.start, c.end, c.text)

    def _define_acronyms(self, names: list[Candidate]) -> None:
        for acr, _, _, ns, ne in self.found.acronyms:
            full = self.text[ns:ne]
            cand = next((c for c in names if c.start == ns and c.end >= ne), None)  # the name may go on after '(ACR)'
            kind = cand.kind if cand else "Organisation"
            singular = _singular_acr(acr)
            if singular != acr or N.is_plural_generic(full):  # 'Health Determinants Research Collaborations (HDRC)'
                full = _singular_name(full)
            self.acronyms[singular] = (full, kind, cand.cls if cand else None)

    def _acronym_or_possessive(self, c: Candidate, names: list[Candidate]) -> None:
        text = re.sub(r"(?:'s|’s|s'|s’)$", "", c.text)
        if c.kind == "Possessive":
            nxt = next((d for d in names if d.start > c.end), None)
            if nxt is not None and nxt.kind == "Acronym" and self.text[c.end:nxt.start].strip() == "":
                return  # "X's HDRC": handled as acronym with a place
            if N.is_acronym(text):
                c = Candidate("Acronym", c.start, c.start + len(text), text)
            else:
                self._possessive_place(c, text)
                return
        if c.kind == "AcronymPlace":
            self._acronym_place(c, c.text)
            return
        prev = next((d for d in reversed(names) if d.end <= c.start and d.kind == "Possessive"), None)
        if prev is not None and self.text[prev.end:c.start].strip() == "" and self._programme_type(c.text):
            place = re.sub(r"(?:'s|’s|s'|s’)$", "", prev.text)
            self._acronym_place(Candidate("AcronymPlace", prev.start, c.end, self.text[prev.start:c.end]),
                                f"{place} {c.text}")
            return
        self._acronym(c)

    def _programme_type(self, acr: str) -> bool:
        d = self.acronyms.get(_singular_acr(acr))
        return d is not None and d[1] == "Programme"

    def _acronym(self, c: Candidate) -> None:
        acr = c.text
        words = acr.split()
        if len(words) > 1 and _singular_acr(words[-1]) in self.acronyms:  # 'NIHR SPCR': the funder's prefix and the name
            tail = c.end - len(words[-1])
            return self._acronym(Candidate("Acronym", tail, c.end, words[-1]))
        singular = _singular_acr(acr)
        d = self.acronyms.get(singular)
        if d is not None:
            full, kind, cls = d
            if kind == "Programme":
                name = _plural(full) if singular != acr else full
                self._entity("Programme", "Programme", _strip_nihr(name), c.start, c.end, acr, scheme=singular != acr)
            else:
                self._entity("Organisation", cls or "Organisation", full, c.start, c.end, acr)
            return
        if singular != acr:
            return
        target = self._by_initials(acr, c.start) or self._by_short_form(acr)
        if target is not None:
            self._attach(target, c.start, c.end, acr)
            return
        if self.linker is not None:
            entry = self.linker.acronym(acr)
            if entry is not None:
                self._entity(entry.kind, entry.cls, entry.name, c.start, c.end, acr)
                return
        if acr in self.prefixes:
            self._entity("Organisation", "Organisation", acr, c.start, c.end, acr)

    @property
    def prefixes(self) -> set[str]:
        """Acronyms that open other names ('NIHR' in 'NIHR Clinical Research Network'): the body those belong to."""
        from .chunks import _kind

        return {c.text.split()[0] for c in self.found.names if c.kind in ("Programme", "Organisation")
                and len(c.text.split()) > 2 and N.is_acronym(c.text.split()[0])
                and (_kind(c.text.split(" ", 1)[1]) or ("",))[0] in ("Programme", "Organisation")}

    def _by_initials(self, acr: str, pos: int) -> Entity | None:
        best = None
        for e in self.out.entities:
            if e.kind in ("Organisation", "Programme") and any(acr.upper() == i for n in {e.name, *e.aliases}
                                                              for i in N.initials(n)):
                if best is None or abs(e.first - pos) < abs(best.first - pos):
                    best = e
        return best

    def _by_short_form(self, acr: str) -> Entity | None:
        """'ARC' alone where the document defined 'ARC East Midlands' for one programme."""
        hits = [e for e in self.out.entities if any(a.startswith(acr + " ") and a in self.acronyms for a in e.aliases)]
        return hits[0] if len(hits) == 1 else None

    def _acronym_place(self, c: Candidate, text: str) -> None:
        if text in self.acronyms:
            self._acronym(Candidate("Acronym", c.start, c.end, text))
            return
        words = text.replace("’s", "").replace("'s", "").split()
        acr = next((w for w in words if N.is_acronym(w) and w != "NIHR"), None)
        if acr is None:
            return
        d = self.acronyms.get(_singular_acr(acr))
        if d is not None and d[1] != "Programme":
            at = c.start + text.find(acr)
            self._acronym(Candidate("Acronym", at, at + len(acr), acr))
            return
        full = d[0] if d else None
        place = " ".join(w for w in words if w not in (acr, "NIHR") and w not in ("in", "for", "the", "of", "The"))
        if full is None:
            named_later = any(n.text == f"NIHR {text}" for n in self.found.names)  # 'ARC X ...' before 'NIHR ARC X'
            if not (text.startswith("NIHR") or named_later) or not place:
                return
            self._entity("Programme", "Programme", f"{acr} {place}", c.start, c.end, text)
            return
        self._entity("Programme", "Programme", f"{full} {place}" if place else full, c.start, c.end, text)

    def _possessive_place(self, c: Candidate, place: str) -> None:
        """'Exeter's Vice-Chancellor': the organisation named after that place (a university first)."""
        words = lambda e: [re.sub(r"['’]s$", "", w) for w in (N.place_of(e.name) or "").lower().split()]  # noqa: E731
        cands = [e for e in self.out.entities if e.kind == "Organisation" and place.lower() in words(e)]
        if not cands:
            return
        cands.sort(key=lambda e: (e.cls != "University", -len(e.spans), e.first))
        self._attach(cands[0], c.start, c.start + len(place), place)

    def _attach(self, e: Entity, start: int, end: int, surface: str) -> None:
        e.aliases.add(surface)
        e.spans.append((start, end))
        self.out.at.append((start, end, e))

    # -- people
    def _people(self, people: list[Candidate]) -> None:
        full = [c for c in people if len(_person_name(c.text).split()) >= 2]
        for c in full + [c for c in people if c not in full]:
            name = _person_name(c.text)
            if not name:
                continue
            if len(name.split()) == 1:
                match = [e for e in self.out.entities if e.kind == "Person" and e.name.split()[-1] == name]
                if len(match) == 1:
                    self._attach(match[0], c.start, c.end, c.text)
                    continue
            self._entity_person(name, c)
        self._repeated_people()

    def _repeated_people(self) -> None:
        """A person named once with a role is the same person wherever the full name stands again ('announced by X')."""
        people = {e.name: e for e in self.out.entities if e.kind == "Person" and len(e.name.split()) >= 2}
        if not people:
            return
        taken = sorted((s, t) for s, t, _ in self.out.at)
        starts = [s for s, _ in taken]
        names = "|".join(re.escape(n) for n in sorted(people, key=len, reverse=True))
        for m in re.finditer(rf"(?<![\w-])(?:{names})(?![\w-])", self.text):  # one pass for every name
            i = bisect.bisect_right(starts, m.start())  # the mention starting at or before it, and the next one
            near = taken[max(0, i - 1):i + 1]
            if not any(s < m.end() and m.start() < t for s, t in near):
                self._attach(people[m.group()], m.start(), m.end(), m.group())

    def _entity_person(self, name: str, c: Candidate) -> None:
        key = ("Person", person_normal(name))
        e = self.by_key.get(key)
        if e is None:
            e = Entity("Person", "Person", name, key=key[1])
            self.by_key[key] = e
            self.out.entities.append(e)
        self._attach(e, c.start, c.end, c.text)

    # -- generic programme names, references, themes
    def _merge_generic_programmes(self) -> None:
        """'Applied Research Collaboration' alone means the one such programme the document is about."""
        progs = [e for e in self.out.entities if e.kind == "Programme" and not e.scheme]
        for g in progs:
            inst = [p for p in progs if p is not g and p.key.startswith(g.key) and p.key != g.key]
            if inst:  # one such programme, or the one of several the page names most (first on a tie)
                self._absorb(max(inst, key=lambda p: (len(p.spans), -p.first)), g)
        progs = [e for e in self.out.entities if e.kind == "Programme" and not e.scheme]
        for short in progs:  # 'the Research Gateway Awards' once 'Lothian Research Gateway Awards' is named
            longer = [p for p in progs if p is not short and p in self.out.entities and p.name.endswith(" " + short.name)]
            if len(longer) == 1 and short in self.out.entities and len(short.name.split()) >= 2:
                self._absorb(longer[0], short)
        progs = [e for e in self.out.entities if e.kind == "Programme" and not e.scheme]
        for a, b in combinations(progs, 2):  # 'ARC Kent, Surrey and Sussex' = 'Applied Research Collaboration Kent, ...'
            if a in self.out.entities and b in self.out.entities and _short_key(a.name) == _short_key(b.name) \
                    and _short_key(a.name)[1]:
                keep, gone = (a, b) if len(a.name) >= len(b.name) else (b, a)
                self._absorb(keep, gone)
        for a, b in combinations([e for e in self.out.entities if e.kind == "Organisation"], 2):
            for short, full in ((a, b), (b, a)):  # 'NHS Cheshire and Merseyside' = '... Integrated Care Board'
                if short in self.out.entities and full in self.out.entities and short.cls == full.cls and re.fullmatch(
                        r"NHS [A-Z][\w'’-]+(?: and [A-Z][\w'’-]+)*", short.name) and full.name.startswith(short.name + " "):
                    self._absorb(full, short)
        self._short_forms()
        self._trust_forms()
        self._acronym_heads()
        types = [full for full, kind, _ in self.acronyms.values() if kind == "Programme"]
        for t in types:  # 'Kent and Medway <type>' and '<type> Kent' are one programme
            same = [(p, _place_words(p.name, t)) for p in self.out.entities if p.kind == "Programme" and not p.scheme
                    and _place_words(p.name, t)]
            for (a, pa), (b, pb) in combinations(same, 2):
                if a in self.out.entities and b in self.out.entities and (pa <= pb or pb <= pa):
                    keep, gone = (a, b) if len(a.name) >= len(b.name) else (b, a)
                    self._absorb(keep, gone)

    def _acronym_heads(self) -> None:
        """'MFT Group', 'the UHL Group': a defined acronym with a head noun names the body the acronym stands for."""
        for e in [e for e in self.out.entities if e.kind == "Organisation" and not e.linked]:
            words = e.name.split()
            d = self.acronyms.get(words[0]) if len(words) == 2 and words[1] in ("Group", "Trust", "Board") else None
            if d is None or d[1] != "Organisation":
                continue
            body = next((x for x in self.out.entities if x is not e and x.kind == "Organisation" and x.name == d[0]), None)
            if body is not None and e in self.out.entities:
                self._absorb(body, e)

    def _trust_forms(self) -> None:
        """'X Hospital', 'X NHS Foundation Trust' and 'X Hospital NHS Foundation Trust' name one trust in one page."""
        trusts = [e for e in self.out.entities if e.kind == "Organisation" and e.cls == "NHSTrust" and not e.linked]
        stems: dict[str, list[Entity]] = {}
        for e in trusts:
            stem = _TRUST_TAIL.sub("", e.name)
            if stem != e.name or e.name.endswith(("Hospital", "Hospitals")):
                stems.setdefault(re.sub(r" (?:Hospitals?)$", "", stem), []).append(e)
        for group in stems.values():
            group = [e for e in group if e in self.out.entities]
            if len(group) > 1:
                keep = max(group, key=lambda e: (e.name.endswith("Trust"), len(e.name)))
                for gone in group:
                    if gone is not keep:
                        self._absorb(keep, gone)

    def _generic_into_schemes(self) -> None:
        """'Every NIHR BRC will ...' once 'NIHR BRCs' is named: the scheme's singular alone is the scheme."""
        for scheme in [e for e in self.out.entities if e.scheme]:
            singular = programme_key(_singular_name(scheme.name))
            for e in [e for e in self.out.entities if e.kind == "Programme" and not e.scheme]:
                if programme_key(e.name) == singular and e in self.out.entities:
                    self._absorb(scheme, e)

    def _short_forms(self) -> None:
        """'the Wolfson Centre' is 'Wolfson Centre for Applied Research' when that is the one such name it starts."""
        orgs = [e for e in self.out.entities if e.kind == "Organisation" and not e.linked]
        for short in orgs:
            if not _SHORT_HEAD.search(short.name) or len(short.name.split()) < 2:
                continue
            longer = [e for e in orgs if e is not short and e.name.startswith(short.name + " ")
                      and re.match(r" (?:for|of|on|in) [A-Z]", e.name[len(short.name):])]
            if len(longer) == 1 and short in self.out.entities and longer[0] in self.out.entities:
                self._absorb(longer[0], short)
        for short in [e for e in orgs if e in self.out.entities and len(e.name.split()) >= 2]:
            longer = [e for e in self.out.entities if e.kind == "Organisation" and e is not short and e.cls == short.cls
                      and any(n.endswith(" " + short.name) or _same_tail(n, short.name) for n in [e.name, *e.aliases])]
            if len(longer) == 1:  # 'the Children's Hospital' once 'Sheffield Children's Hospital' is named
                self._absorb(longer[0], short)

    def _renamed(self) -> None:
        """'X will become Y', 'Y (formerly X)': one organisation under its new name."""
        at = sorted(self.out.at, key=lambda t: t[0])
        for (_s1, e1, a), (s2, _e2, b) in zip(at, at[1:]):
            if a is b or a.kind != b.kind or a not in self.out.entities or b not in self.out.entities:
                continue
            between = self.text[e1:s2]
            if _RENAMED.match(between):
                self._absorb(b, a)
            elif _FORMERLY.match(between):
                self._absorb(a, b)

    def _absorb(self, keep: Entity, gone: Entity) -> None:
        keep.aliases |= gone.aliases | {gone.name}
        keep.spans += gone.spans
        self.out.at = [(s, t, keep if e is gone else e) for s, t, e in self.out.at]
        self.out.entities.remove(gone)
        for k, v in list(self.by_key.items()):
            if v is gone:
                self.by_key[k] = keep

    def _references(self) -> None:
        refs = self.found.references
        counts: dict[int, int] = {}
        resolved = []
        for ref in refs:
            if ref.cls in ("we", "our", "us"):
                resolved.append((ref, None))
                continue
            target = self._referent(ref)
            if target is not None:
                counts[id(target)] = counts.get(id(target), 0) + 1
                resolved.append((ref, target))
        orgs = [e for e in self.out.entities if e.kind == "Organisation"]
        if orgs:
            self.out.owner = max(orgs, key=lambda e: (counts.get(id(e), 0), -e.first))
        for ref, target in resolved:
            target = target or self.out.owner
            if target is None:
                continue
            target.spans.append((ref.start, ref.end))  # 'the council' points at its entity but is not one of its names
            self.out.at.append((ref.start, ref.end, target))

    def _referent(self, ref: Candidate) -> Entity | None:
        classes = _REF_CLASSES.get(ref.cls, ())
        fits = [e for e in self.out.entities if (e.cls in classes or e.kind in classes) and not e.scheme]
        words = ref.text.lower().split()
        named = [e for e in fits if len(words) > 2 and words[1] in e.name.lower().split()]
        fits = named or fits  # 'the regional network': the network whose name says Regional
        if not fits:
            return None
        before = [(max((s for s, _ in e.spans if s < ref.start), default=-1), e) for e in fits]
        before = [(s, e) for s, e in before if s >= 0 and not any(_former(self.text, x) for x, _ in e.spans)]
        if before and ref.cls in ("collaboration", "programme", "scheme", "initiative"):
            return max(before, key=lambda t: t[0])[1]
        if before:  # 'the Trust' is the trust the document is about: the first named, not the last
            return min((e for _, e in before), key=lambda e: e.first)
        if "Programme" in classes:
            return None
        return min(fits, key=lambda e: e.first)

    def _themes(self) -> None:
        named = [(s, t) for s, t, e in self.out.at if e.kind in ("Organisation", "Programme", "Person")]
        for c in self.found.themes:
            name = _theme_name(c.text)
            if not name or any(s < c.end and c.start < t for s, t in named):
                continue  # a listed 'theme' that is an organisation's name is not a theme
            e = self.by_key.get(("Theme", normal(name)))
            if e is None:
                e = Entity("Theme", "Theme", name, key=normal(name))
                self.by_key[("Theme", e.key)] = e
                self.out.entities.append(e)
            self._attach(e, c.start, c.end, c.text)

    # -- register and IRIs
    def _identify(self, e: Entity) -> None:
        entry = self.linker.link(e) if self.linker is not None and e.kind != "Person" else None
        if entry is not None:
            e.aliases.add(e.name)
            e.name, e.cls, e.kind, e.identifiers, e.linked = entry.name, entry.cls, entry.kind, entry.identifiers, True
            e.aliases |= set(entry.aliases) & e.aliases
            e.iri = entry.iri
        else:
            e.iri = iris.entity_iri(e.kind, e.name)
        e.aliases = {a for a in e.aliases if a and a != e.name}


def _short_key(name: str) -> tuple[str, frozenset[str]]:
    """A programme name as (type initials, place words): 'ARC Kent' and 'Applied Research Collaboration Kent' agree."""
    initials, places, run = [], set(), ""
    for w in name.replace(",", " ").split():
        if w == "NIHR" or w.lower() in ("and", "the", "of", "for", "in"):
            continue
        if N.is_acronym(w):
            initials.append(w)
        elif w.lower() in N.GENERIC:
            run += w[0].upper()
        else:
            if run:
                initials.append(run)
                run = ""
            places.add(w.lower())
    if run:
        initials.append(run)
    return "".join(initials), frozenset(places)


def _place_words(name: str, programme_type: str) -> frozenset[str]:
    """The words of a programme's name besides its type ('Kent and Medway HDRC' -> {kent, medway})."""
    if programme_type.lower() not in name.lower():
        return frozenset()
    rest = name.lower().replace(programme_type.lower(), " ")
    return frozenset(w for w in re.findall(r"[a-z0-9]+", rest) if w not in ("and", "the", "of", "in", "for", "nihr"))


def _merge_gazetteer(names: list[Candidate], extra: list[Candidate]) -> list[Candidate]:
    """Register names found verbatim join the grammar's names: where they overlap, a longer register name wins
    ('NHS Greater Glasgow & Clyde' over 'NHS Greater Glasgow'), and a grammar name that is only register names
    and separators is those names ('NHS Digital and Health Data Research UK')."""
    names, extra = sorted(names, key=lambda c: c.start), sorted(extra, key=lambda c: c.start)
    starts = [g.start for g in extra]
    keep, added = [], set()
    for c in names:
        lo, hi = bisect.bisect_left(starts, c.start - 200), bisect.bisect_right(starts, c.end)
        inside = [g for g in extra[lo:hi] if g.start < c.end and c.start < g.end]
        covering = [g for g in inside if g.start <= c.start and c.end <= g.end and g.end - g.start > c.end - c.start]
        tiled = [g for g in inside if c.start <= g.start and g.end <= c.end]
        if covering:
            added.add(id(covering[0]))
        elif len(tiled) >= 2 and _SEPARATORS.fullmatch(_gaps(c, tiled)):
            added.update(id(g) for g in tiled)
        else:
            keep.append(c)
    taken = sorted((c.start, c.end) for c in keep)
    begins = [s for s, _ in taken]
    for g in extra:
        i = bisect.bisect_right(begins, g.start)
        if id(g) in added or not any(s < g.end and g.start < e for s, e in taken[max(0, i - 1):i + 1]):
            keep.append(g)
    return sorted(keep, key=lambda c: c.start)


_SEPARATORS = re.compile(r"(?:\s*(?:,|and|&)\s*)*")


def _gaps(c: Candidate, parts: list[Candidate]) -> str:
    """The text of a name outside the given parts of it."""
    out, pos = [], c.start
    for g in sorted(parts, key=lambda g: g.start):
        out.append(c.text[pos - c.start:g.start - c.start])
        pos = max(pos, g.end)
    out.append(c.text[pos - c.start:])
    return "".join(out)


def _former(text: str, start: int) -> bool:
    return bool(re.search(r"\b(?:former|previous|predecessor|old)\s+$", text[max(0, start - 20):start]))


def _singular_acr(acr: str) -> str:
    return acr[:-1] if acr.endswith("s") and N.is_acronym(acr[:-1]) else acr


def _singular_name(name: str) -> str:
    return re.sub(r"(Collaboration|Programme|Scheme|Initiative|Network|Centre|Trust|Partnership)s\b", r"\1", name)


def _expand(name: str, acronyms: dict) -> str:
    """Programme acronyms in a name written out ('NIHR HDRCs' -> 'NIHR Health ... Collaborations')."""
    out = []
    for w in name.split():
        d = acronyms.get(_singular_acr(w))
        out.append(d[0] + ("s" if w != _singular_acr(w) else "") if d and d[1] == "Programme" else w)
    return " ".join(out)


def _strip_nihr(name: str) -> str:
    return name[5:] if name.startswith("NIHR ") and len(name.split()) > 2 else name


def _person_name(text: str) -> str:
    words = [w.strip(",") for w in text.replace("’s", "").split()]
    while words and words[0].lower().rstrip(".") in N.HONORIFICS:
        words.pop(0)
    while words and words[-1].lower() in N.POSTNOMINALS:
        words.pop()
    return " ".join(words)


def _theme_name(text: str) -> str:
    """Sentence case, '&' as 'and', acronyms and inner capitals kept ('Data2Health', 'COVID-19')."""
    text = N.tidy(re.sub(r"\s+research$", "", text.strip()))
    words = text.split()
    if not words:
        return ""
    out = [words[0][:1].upper() + words[0][1:]]
    for w in words[1:]:
        out.append(w if (sum(ch.isupper() for ch in w) > 1 or any(ch.isdigit() for ch in w)) else w.lower())
    return " ".join(out)
