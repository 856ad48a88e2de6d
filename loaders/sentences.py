"""Sentences with their mentions as placeholders, and the entity checks the relation rules share.

A sentence is rewritten with its resolved mentions as numbered placeholders
(``«O3»`` an organisation, ``«P1»`` a programme, ``«H2»`` a person, ``«A0»`` an
agreement term, ``«T4»`` a theme) so that rules read like the sentences they
match ("«P» ... funded by the «O»"); the number finds the entity in the slots.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .chunks import Candidate
from .extraction import Entity, Extraction, Relation
from .mentions import Found
from .resolver import Resolved

TAG = {"Organisation": "O", "Programme": "P", "Person": "H", "Theme": "T", "Agreement": "A"}
SEP = (r"(?:\s*,\s*(?:and\s+|as well as\s+|together with\s+|along with\s+)?|\s+and\s+|\s*&\s*|\s+as well as\s+|"
       r"\s+together with\s+)(?:the\s+)?(?:charity\s+)?")  # '..., B and the charity C'


def mention_list(tag: str) -> str:
    """A list of mentions; each may carry its acronym in brackets ('A (AA), B (BB) and C')."""
    item = rf"«{tag}\d+»(?:\s*\(«{tag}\d+»\))?"
    return rf"{item}(?:{SEP}{item})*,?"


OL = mention_list("O")
OPL = rf"«[OP]\d+»(?:\s*\(«[OP]\d+»\))?(?:{SEP}«[OP]\d+»(?:\s*\(«[OP]\d+»\))?)*,?"


@dataclass
class Sentence:
    start: int
    end: int
    text: str
    masked: str
    slots: list  # index -> Entity or Candidate (agreement term)


def mask(text: str, start: int, end: int, resolved: Resolved, found: Found, previous: Entity | None = None) -> Sentence:
    spans = [(s, t, e) for s, t, e in resolved.at if start <= s and t <= end]
    lead = re.match(r"\s*(It)\s+(?:is |was |will be |has been |will |also |now )*(?:funded|hosted|led|run|part|based|"
                    r"supported|replaced|replaces|succeeded|succeeds|builds?|built|follows|works|brings|involves|"
                    r"includes|covers|focuses|partners|collaborates|one of|an? (?:[\w-]+ )?(?:partnership|collaboration))\b",
                    text[start:end])
    if lead and previous is not None:
        spans.append((start + lead.start(1), start + lead.end(1), previous))
        resolved.at.append((start + lead.start(1), start + lead.end(1), previous))
    spans += [(c.start, c.end, c) for c in found.agreements if start <= c.start and c.end <= end]
    spans.sort(key=lambda x: (x[0], -(x[1] - x[0])))
    out, slots, pos = [], [], start
    for s, t, obj in spans:
        if s < pos:
            continue
        kind = obj.kind if isinstance(obj, (Entity, Candidate)) else "Organisation"
        out.append(text[pos:s].replace("«", "<").replace("»", ">"))
        out.append(f"«{TAG.get(kind, 'X')}{len(slots)}»" + ("'s" if text[s:t].endswith(("'s", "’s")) else ""))
        slots.append(obj)
        pos = t
    out.append(text[pos:end].replace("«", "<").replace("»", ">"))
    masked = re.sub(r"[ \t\r\n]+", " ", "".join(out))
    same = lambda m: m.group(1) if slots[int(m.group(2))] is slots[int(m.group(3))] else m.group(0)  # noqa: E731
    masked = re.sub(r"(«\w(\d+)»)\s*\(«\w(\d+)»\)", same, masked)  # 'the X Centre (XC)' reads as one mention
    masked = re.sub(r"(«\w(\d+)»),\s+(?:the\s+)?«\w(\d+)»(?:,|(?=\.))", same, masked)  # 'NIHR, the National ...,' too
    return Sentence(start, end, " ".join(text[start:end].split()), masked, slots)


def slot(s: Sentence, tag: str):
    return s.slots[int(tag.strip("«»")[1:])]


def tags_of(fragment: str, tag: str = "O") -> list[str]:
    return re.findall(rf"«{tag}\d+»", fragment)


def add(ex: Extraction, s: Sentence, subj: Entity, pred: str, obj: Entity, role: str | None = None) -> None:
    if isinstance(subj, Entity) and isinstance(obj, Entity):
        ex.add_relation(Relation(subj, pred, obj, s.text, s.start, s.end, role))


#: Organisation classes that may also be run as a programme (funded, hosted, launched with partners).
CAPABLE = ("ResearchCentre", "OrganisationGroup")


def programme_like(e) -> bool:
    return isinstance(e, Entity) and (e.kind == "Programme" or (e.kind == "Organisation" and e.cls in CAPABLE))


def as_programme(e: Entity) -> Entity:
    if e.kind == "Organisation":
        e.also.add("Programme")
    return e


def network_or_programme(e) -> bool:
    """A research network is hosted like a programme and succeeds an earlier network."""
    return programme_like(e) or (isinstance(e, Entity) and e.cls == "ResearchNetwork")


def as_organisation(e: Entity) -> Entity:
    """A programme named as someone's collaborator acts as a body (gold accepts either kind for such)."""
    if e.kind == "Programme":
        e.also.add("Organisation")
    return e


def organisations_in(s: Sentence, tags: list[str]) -> list[Entity]:
    return list(dict.fromkeys(e for e in (slot(s, t) for t in tags) if isinstance(e, Entity) and e.kind == "Organisation"))

