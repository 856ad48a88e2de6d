"""What is part of what: units in their parent body, and programmes in the national scheme they belong to.

Units are read from how pages place them: "the School of X at Y", "Y's Institute
of X", "the X Unit, Y University, ..." (apposition), or a name that opens with the
parent's name or acronym ("UCL Institute of X"). A programme is an instance of a
scheme the same page names in the plural when its name, or an acronym of it,
carries the scheme's singular ("NIHR Leeds Biomedical Research Centre" in "NIHR
Biomedical Research Centres", "Somerset HDRC" in "HDRCs").
"""
from __future__ import annotations

import re

from .extraction import Entity, Extraction, Relation
from .sentences import Sentence, slot

UNITS = ("OrganisationalUnit", "ResearchCentre")
PARENTS = ("University", "NHSTrust", "GovernmentBody", "LocalAuthority", "Charity")
_PLACED = [
    re.compile(r"«O(?P<unit>\d+)»,? (?:based )?(?:at|of|within|in|from) (?:the )?«O(?P<parent>\d+)»"),
    re.compile(r"«O(?P<parent>\d+)»(?:'s|’s) (?:(?:new|recent|recently established|region-wide|national|own|"
               r"renowned|world-leading)\s+)*«O(?P<unit>\d+)»"),
    re.compile(r"(?<!, )(?<!and )(?<!& )«O(?P<unit>\d+)», (?:the )?«O(?P<parent>\d+)»,(?! (?:and |or )?(?:the )?«)"),
]


def _unit(e) -> bool:
    return isinstance(e, Entity) and e.kind == "Organisation" and e.cls in UNITS and "Programme" not in e.also


def _parent(e) -> bool:
    return isinstance(e, Entity) and e.kind == "Organisation" and e.cls in PARENTS


def hierarchy(masks: list[Sentence], ex: Extraction) -> Extraction:
    """Adds partOf for units placed in a parent and for programmes of a scheme the page names."""
    for s in masks:
        for rx in _PLACED:
            for m in rx.finditer(s.masked):
                unit, parent = slot(s, f"«O{m.group('unit')}»"), slot(s, f"«O{m.group('parent')}»")
                if unit is not parent and _unit(unit) and _parent(parent):
                    ex.add_relation(Relation(unit, "partOf", parent, s.text, s.start, s.end))
    _named_after_parent(masks, ex)
    _instances(masks, ex)
    return ex


def _named_after_parent(masks: list[Sentence], ex: Extraction) -> None:
    parents = [e for e in ex.entities if _parent(e)]
    for unit in [e for e in ex.entities if _unit(e)]:
        owners = [p for p in parents if any(unit.name.startswith(n + " ") and len(n) >= 3
                                            for n in [p.name, *p.aliases] if not n.lower().startswith("the "))]
        if len(owners) == 1:
            s = _first(masks, unit)
            if s is not None:
                ex.add_relation(Relation(unit, "partOf", owners[0], s.text, s.start, s.end))


def _instances(masks: list[Sentence], ex: Extraction) -> None:
    schemes = [e for e in ex.entities if e.scheme]
    for scheme in schemes:
        singulars = {_singular(n) for n in [scheme.name, *scheme.aliases]} - {""}
        heads = {n for n in singulars if not n.isupper()}
        acronyms = {n for n in singulars if n.isupper()}
        for e in ex.entities:
            if e is scheme or e.scheme or e.kind not in ("Programme", "Organisation") or e.former:
                continue
            names = [re.sub(r"^(?:the |NIHR )", "", n) for n in [e.name, *e.aliases]]
            tail = any(_ends_in(n, h) for n in names for h in heads) or \
                any(re.search(rf"\b{re.escape(a)}\b", n) for n in names for a in acronyms)
            if tail:
                s = _first(masks, scheme)
                if s is not None:
                    ex.add_relation(Relation(e, "partOf", scheme, s.text, s.start, s.end))


def _singular(name: str) -> str:
    name = re.sub(r"^(?:the |NIHR |National Institute for Health (?:and Care )?Research )", "", name.strip())
    name = re.sub(r" in (?:England|Scotland|Wales|Northern Ireland|the UK)$", "", name)
    if re.search(r"[A-Z]{2,}s$", name):
        return name[:-1]
    if name.endswith("ies"):
        return name[:-3] + "y"
    return name[:-1] if name.endswith("s") else ""


def _ends_in(name: str, head: str) -> bool:
    """'NIHR Leeds Biomedical Research Centre' is a 'Biomedical Research Centre' (the head, then a place or nothing)."""
    return len(name) > len(head) and re.search(rf"\b{re.escape(head)}\b", name) is not None


def _first(masks: list[Sentence], e: Entity) -> Sentence | None:
    return next((s for s in masks if any(x is e for x in s.slots)), None)
