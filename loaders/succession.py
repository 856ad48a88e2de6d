"""Succession: which programme (or network, or partnership body) replaces which, read with its direction.

The cues are data (`lexicon/succession.yaml`). A forward cue stands between the
successor and its predecessor ("X builds on the foundations of the former Y"),
a backward cue between the predecessor and its successor ("Y and Z will merge to
form X", "Y was replaced by X"). Each side is the name nearest the cue, so
"X, a partnership between A and B, building on the foundations of Y" makes X,
not A or B, the successor; bodies that stand for themselves (universities,
trusts, councils, government) are never either side.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from .extraction import Entity, Extraction
from .sentences import SEP, Sentence, add, as_programme, programme_like, slot

LEXICON = Path(__file__).with_name("lexicon") / "succession.yaml"
_STANDING = ("University", "NHSTrust", "LocalAuthority", "GovernmentBody", "Charity", "Company")
_PLACEHOLDER = re.compile(r"«[A-Z]\d+»")
#: 'The partnership replaces ...', 'These will build on ...': the subject is what the text just spoke of.
_ANAPHOR = re.compile(r"\s*(?:It|They|These|This|The|Its)\b(?: «A\d+»| [a-z-]+){0,2}\s+(?:\w+\s+){0,2}$")
#: The transition is to the successor: 'As part of the transition to X, the existing Y and Z will merge'.
_TO_SUCCESSOR = re.compile(r"(?i)transition")


@dataclass(frozen=True)
class Cues:
    forward: re.Pattern
    backward: re.Pattern


@cache
def cues(path: Path = LEXICON) -> Cues:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Cues(*(re.compile(r"(?i)(?<![\w-])(?:" + "|".join(f"(?:{p})" for p in data[k]) + ")") for k in ("forward", "backward")))


def _succeedable(e) -> bool:
    """A programme, network or partnership body: something that is replaced, unlike a university or a council."""
    return isinstance(e, Entity) and not e.scheme and (e.kind == "Programme" or (
        e.kind == "Organisation" and e.cls not in _STANDING and not e.linked))


class Succession:
    """Adds `succeeds` relations a sentence states."""

    def __init__(self, lex: Cues | None = None):
        self.lex = lex or cues()

    def run(self, s: Sentence, ex: Extraction, previous: list | None = None) -> Extraction:
        """``previous``: the names of the sentence before, for one that opens with 'The partnership', 'It', 'These'."""
        m = s.masked
        for hit in self.lex.forward.finditer(m):
            before = self._before(s, hit.start())
            if before is None and _ANAPHOR.match(m[:hit.start()]):
                before = next((e for e in previous or [] if _succeedable(e)), None)
            after = self._after(s, hit.end())
            for old in after:
                self._add(s, ex, before, old)
        for hit in self.lex.backward.finditer(m):
            before, after = self._coordinated_before(s, hit.start()), self._after(s, hit.end())
            new = after[0] if after else None
            if _TO_SUCCESSOR.match(hit.group()):  # 'the transition to X, the existing Y and Z will merge'
                continue
            for old in before:
                self._add(s, ex, new, old)
        transition = re.search(r"(?i)\btransition (?:from [^«]*)?to (?:the )?(«[A-Z]\d+»)", m)
        merge = re.search(r"(?i)\b(?:merge|merged|combine|combined)\b", m)
        if transition and merge:
            new = slot(s, transition.group(1))
            for old in self._coordinated_before(s, merge.start()):
                self._add(s, ex, new, old)
        return ex

    @staticmethod
    def _before(s: Sentence, pos: int):
        """The nearest succeedable name before the cue that is not one of a coordinated list (the list's members are
        the parties of what came before them, not the successor)."""
        m = s.masked[:pos]
        listed = {t.start() for lst in re.finditer(rf"«[A-Z]\d+»(?:{SEP}«[A-Z]\d+»)+", m)
                  for t in _PLACEHOLDER.finditer(lst.group())}
        names = [(p.start(), slot(s, p.group())) for p in _PLACEHOLDER.finditer(m)]
        found = [e for at, e in names if _succeedable(e) and at not in listed]
        return found[-1] if found else None

    @staticmethod
    def _coordinated_before(s: Sentence, pos: int) -> list:
        """'Y and Z will merge': every name of the list just before the cue."""
        lst = re.search(rf"(«[A-Z]\d+»(?:\s*\(«[A-Z]\d+»\))?(?:{SEP}«[A-Z]\d+»(?:\s*\(«[A-Z]\d+»\))?)*)[^«]{{0,40}}$", s.masked[:pos])
        if not lst:
            return []
        return list(dict.fromkeys(e for e in (slot(s, t) for t in _PLACEHOLDER.findall(lst.group(1))) if _succeedable(e)))

    @staticmethod
    def _after(s: Sentence, pos: int) -> list:
        """The name right after the cue, with any names coordinated with it ('the former A and B')."""
        lst = re.match(rf"\s*(?:the |its |their |our |NIHR |[a-z-]+ ){{0,3}}"
                       rf"(«[A-Z]\d+»(?:{SEP}«[A-Z]\d+»)*)", s.masked[pos:])
        if not lst:
            return []
        return [e for e in (slot(s, t) for t in _PLACEHOLDER.findall(lst.group(1))) if _succeedable(e)]

    @staticmethod
    def _add(s: Sentence, ex: Extraction, new, old) -> None:
        if new is None or old is None or new is old or not _succeedable(new):
            return
        lift = lambda e: as_programme(e) if programme_like(e) else e  # noqa: E731 (a network stays a body)
        add(ex, s, lift(new), "succeeds", lift(old))
