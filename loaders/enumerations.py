"""Enumerations: coordinated names split into one candidate each, with a shared head noun distributed.

"the universities of Aberdeen, Dundee and Glasgow" names three universities;
"Swansea and Bangor universities" two; "A Health, B Hospitals and C Trust" three
bodies that the capitalised-run grammar would read as one. Items are split at
commas and at the last "and" only, so an item with "and" inside its own name
("Greater Glasgow and Clyde") keeps it when it is not the last. Each item keeps
its own span (the words written) and gets the full name as its `name`.
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

from . import names as N
from .chunks import Candidate, candidates

_GROUP_HEAD = re.compile(r"\b(?:Group|Alliance|Partnership|Consortium|Partners|Collaboration|Collaborative|Network|Federation)$")
LEXICON = Path(__file__).with_name("lexicon") / "enumerations.yaml"
_ITEM = r"(?:[A-Z][\w'’-]*|of|and|the|upon|on)(?: (?:[A-Z][\w'’-]*|of|and|the|upon|on|-))*"


@cache
def _lexicon(path: Path = LEXICON) -> tuple[re.Pattern, re.Pattern, dict[str, str], frozenset[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    before, after = data["head_before"], data["head_after"]
    heads = lambda d: "|".join(sorted((re.escape(h).replace(r"\ ", r"\s+") for h in d), key=len, reverse=True))  # noqa: E731
    listed = rf"(?P<list>[A-Z][\w'’-]*(?: [A-Z][\w'’-]*| and| of| the| upon){{0,6}}?(?:,\s*{_ITEM}){{0,12}},?\s+(?:and|&)\s+[A-Z][\w'’-]*(?: [A-Z][\w'’-]*){{0,3}})"
    rx_before = re.compile(rf"(?i:\b(?P<head>{heads(before)}))\s+of\s+(?:the\s+)?{listed}")
    rx_after = re.compile(rf"{listed}\s+(?i:(?P<head>{heads(after)}))\b")
    return rx_before, rx_after, {"before": before, "after": after}, frozenset(data["org_words"])


def expand(text: str, names: list[Candidate]) -> list[Candidate]:
    """The candidates with shared-head lists and coordinated names split into one candidate per name."""
    rx_before, rx_after, heads, words = _lexicon()
    made: list[Candidate] = []
    spans: list[tuple[int, int]] = []  # what each shared-head list covers, its head included
    for rx, side in ((rx_before, "before"), (rx_after, "after")):
        for m in rx.finditer(text):
            if any(c.start <= m.start("list") < c.end for c in made):
                continue
            pattern = heads[side][" ".join(m.group("head").lower().split())]
            items = _shared(text, m, pattern)
            made += items
            if items:
                spans.append((m.start(), m.end()))
    out: list[Candidate] = []
    for c in names:
        over = [t for s, t in spans if c.start < t and s < c.end]
        if not over:
            out.append(c)
        elif c.end > max(over):  # '... Swansea and Bangor universities and Velindre NHS Trust'
            rest = max(over)
            out += [Candidate(x.kind, x.start + rest, x.end + rest, x.text, x.cls, x.name)
                    for x in candidates(text[rest:c.end])]
    split: list[Candidate] = []
    for c in out:
        listed = text[max(0, c.start - 2):c.start] == ", "  # the last item of a comma list: 'A, B and C'
        split += _coordinated(c, words, listed) if c.kind == "Organisation" else [c]
    return _bare_members(text, sorted(split + made, key=lambda c: c.start))


_BARE = re.compile(r"[A-Z][\w'’&-]*(?: [A-Z][\w'’&-]*){0,3}")


def _bare_members(text: str, names: list[Candidate]) -> list[Candidate]:
    """'A Trust, B University, and Lenus Health': a bare name in a list of organisations is one too."""
    orgs = [c for c in names if c.kind == "Organisation"]
    extra: list[Candidate] = []
    for a, b in zip(orgs, orgs[1:] + [None]):
        if b is not None and re.fullmatch(r",\s+(?:and\s+|&\s+)?", text[a.end:b.start]):
            continue
        prev = next((x for x in reversed(orgs) if x.end <= a.start), None)
        listed = prev is not None and re.fullmatch(r",\s+(?:and\s+)?", text[prev.end:a.start])
        m = re.match(r",?\s+(?:and|&)\s+", text[a.end:a.end + 8]) if listed else None
        bare = _BARE.match(text, a.end + m.end()) if m else None
        if bare and bare.group().split()[0].lower() not in N.STARTERS and not any(
                c.start < bare.end() and bare.start() < c.end for c in names):
            extra.append(Candidate("Organisation", bare.start(), bare.end(), bare.group(), "Organisation"))
    return sorted(names + extra, key=lambda c: c.start)


def _shared(text: str, m: re.Match, pattern: str) -> list[Candidate]:
    start = m.start("list")
    items = _items(m.group("list"))
    if len(items) < 2:
        return []
    out = []
    for offset, item in items:
        surface = item.strip()
        first = surface.split()[0]
        if first.lower() in N.STARTERS and len(surface.split()) > 1:  # 'Now A, B and C ...'
            offset, item, surface = offset + len(first) + 1, item[len(first) + 1:], surface[len(first) + 1:]
        full = surface if N.is_acronym(surface) or N.org_class(surface) else pattern.format(surface)
        cls = N.org_class(full) or "Organisation"
        s = start + offset + (len(item) - len(item.lstrip()))
        out.append(Candidate("Organisation", s, s + len(surface), surface, cls, name=full))
    return out


def _items(listed: str) -> list[tuple[int, str]]:
    """(offset, item) of 'A, B and C' / 'A, B, and C': commas first, then the last 'and' of the last part."""
    parts, pos = [], 0
    for piece in re.split(r"(,\s*)", listed):
        if piece and not re.fullmatch(r",\s*", piece):
            parts.append((pos, piece))
        pos += len(piece)
    if not parts:
        return []
    off, last = parts.pop()
    cut = list(re.finditer(r"\s+(?:and|&)\s+", last))
    if cut:
        k = cut[-1]
        parts += [(off, last[:k.start()]), (off + k.end(), last[k.end():])]
    else:
        parts.append((off, last))
    parts = [(o, re.sub(r"^(?:and|&)\s+", "", p)) if p.startswith(("and ", "& ")) else (o, p) for o, p in parts]
    return [(o + (4 if p.startswith("the ") else 0), p[4:] if p.startswith("the ") else p) for o, p in parts if p.strip()]


def _coordinated(c: Candidate, words: frozenset[str], listed: bool = False) -> list[Candidate]:
    """'A Health, B Hospitals and C Trust' as three names when every part reads as a body on its own."""
    if ", " not in c.text and not listed:
        return [c]  # 'A and B' alone is for the name grammar to cut ('School of Sport and Exercise Sciences')
    if _GROUP_HEAD.search(c.text) and ", " not in c.text:
        return [c]  # 'A Partnership and B Healthcare Group' names one group of both
    items = _items(c.text)
    if len(items) < 2 or not all(_body(p, words) for _, p in items):
        return [c]
    return [Candidate("Organisation", c.start + o, c.start + o + len(p.strip()), p.strip(),
                      N.org_class(p.strip()) or "Organisation") for o, p in items]


def _body(part: str, words: frozenset[str]) -> bool:
    toks = part.split()
    if len(toks) == 1:
        return N.is_acronym(toks[0]) or bool(re.fullmatch(r"[A-Z][A-Za-z]*\d+", toks[0]))
    return any(t.lower() in words for t in toks) and toks[0][0].isupper() and toks[-1][0].isupper() \
        and not all(t.lower() in words or t in ("and", "of", "the", "for") for t in toks)
