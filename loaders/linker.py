"""Linking to the curated register: exact names and aliases first, then close spellings.

Exact means equal after `identity.org_key` (word order, NHS/Foundation and
spaces ignored) or `programme_key`; close means a rapidfuzz ratio of at least
`THRESHOLD` between those keys, for names long enough that a near miss is a
spelling variant and not another place. Acronyms link only exactly. The register
also works as a gazetteer: its names found verbatim in a text are mentions even
when their grammar says nothing ("Wellcome").
"""
from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from . import names as N
from .chunks import Candidate
from .extraction import Entity
from .identity import normal, org_key, programme_key, variant
from .register import Entry, Register

#: Minimum rapidfuzz ratio (0-100) between keys for a fuzzy register link.
THRESHOLD = 93


class Linker:
    def __init__(self, register: Register):
        self._keyers = {"Organisation": org_key, "Programme": programme_key, "Theme": normal}
        self.index: dict[tuple[str, str], Entry] = {}
        self.acronyms: dict[str, Entry] = {}
        surfaces: list[tuple[str, Entry]] = []
        for e in register.entries:
            for n in [e.name, *e.aliases]:
                if N.is_acronym(n):
                    self.acronyms.setdefault(n, e)
                else:
                    self.index.setdefault((e.kind, self._keyers[e.kind](n)), e)
                if e.kind != "Theme" and len(n) >= 3:
                    surfaces.append((n, e))
        self._keys = {k: [key for (kind, key) in self.index if kind == k] for k in self._keyers}
        surfaces.sort(key=lambda t: -len(t[0]))
        self._surface = {n: e for n, e in surfaces}
        self._gazetteer = re.compile(r"(?<![\w-])(" + "|".join(re.escape(n) for n, _ in surfaces) + r")(?![\w-])") \
            if surfaces else None
        # A long name is itself however a page capitalises it ('National Institute for Health and Care research').
        long = [n for n, _ in surfaces if len(n.split()) >= 4]
        self._folded = {n.lower(): e for n, e in surfaces if len(n.split()) >= 4}
        self._long = re.compile(r"(?i)(?<![\w-])(" + "|".join(re.escape(n) for n in long) + r")(?![\w-])") if long else None

    def link(self, entity: Entity) -> Entry | None:
        """The register entry an entity is, or None."""
        kind = entity.kind
        if kind not in self._keyers:
            return None
        for n in [entity.name, *sorted(entity.aliases)]:
            if N.is_acronym(n) or n.lower().startswith(("the ", "this ", "our ", "its ")) or n.lower() in ("we", "us", "our"):
                continue
            hit = self.index.get((kind, self._keyers[kind](n)))
            if hit is not None:
                return hit
        key = self._keyers[entity.kind](entity.name)
        if len(key) >= 12 and self._keys.get(entity.kind):
            best = process.extractOne(key, self._keys[entity.kind], scorer=fuzz.ratio, score_cutoff=THRESHOLD)
            hit = self.index[(entity.kind, best[0])] if best is not None else None
            if hit is not None and variant(entity.name, hit.name):
                return hit
        acr = [a for a in entity.aliases if N.is_acronym(a) and a in self.acronyms]
        return self.acronyms[acr[0]] if len(acr) == 1 and self.acronyms[acr[0]].kind == entity.kind else None

    def acronym(self, acr: str) -> Entry | None:
        return self.acronyms.get(acr)

    def mentions(self, text: str) -> list[Candidate]:
        """Register names and aliases found verbatim in a text."""
        if self._gazetteer is None:
            return []
        out = []
        for m in self._gazetteer.finditer(text):
            e = self._surface[m.group(1)]
            kind = "Acronym" if N.is_acronym(m.group(1)) else e.kind
            out.append(Candidate(kind, m.start(), m.end(), m.group(1), e.cls if kind == "Organisation" else None))
        seen = {(c.start, c.end) for c in out}
        for m in self._long.finditer(text) if self._long is not None else ():
            e = self._folded[m.group(1).lower()]
            if (m.start(), m.end()) not in seen and m.group(1)[0].isupper():
                out.append(Candidate(e.kind, m.start(), m.end(), m.group(1), e.cls if e.kind == "Organisation" else None,
                                     name=e.name))
        return sorted(out, key=lambda c: c.start)
