"""Capitalised word runs and the names inside them.

A name in running text is a run of capitalised words joined by a few small
words ("University of the West of England", "Department of Health and Social
Care"). A run may hold several names ("A and B"), a role title before a name
("Joint Chief Executive of A and B"), a person with honorifics, or nothing at
all (a heading). This module cuts runs into candidate names and says what each
is by the grammar in `names`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from . import names as N
from .limits import MAX_WORD_CHARS

_TOKEN = re.compile(r"[A-Za-z0-9][\w’'\-]*\w(?:/[A-Z][\w’'\-]*\w)?(?:(?<=s)['’](?=[ \t]+[A-Z]))?|[A-Za-z0-9]|&")
_CONNECTORS = {"of", "for", "and", "&", "the", "in", "on", "upon"}
_NAME_START = re.compile(r"(?:the )?(?:University|Office|Department|Centre|Center|Institute|School|College|Faculty) "
                         r"(?:of|for) |(?:the )?National Institute ")
_ABBREVIATIONS = {"dr", "prof", "st", "mr", "mrs", "ms", "rev", "cllr"}  # 'Dr. Jane Smith', 'St. Helens'
_DATE_WORDS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
               "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
_COMPOUND = re.compile(r"-(?:led|hosted|based|funded|run|backed)$")
_AGREEMENT_WORDS = re.compile(r"\b(?:Memorandum|Understanding|Agreement|Concordat|Accord|Charter)\b")
_REFERENCE_NOUNS = {"university", "trust", "council", "board", "centre", "institute", "network", "authority"}
_POSSESSIVE = re.compile(r"(?:'s|’s|s'|s’)$")
#: Real names and role-plus-name runs stay well under this; longer runs are menus, staff lists or
#: heading soup, and cutting them keeps the work per run bounded (the rules below try every tail).
MAX_RUN_TOKENS = 32


@dataclass
class Candidate:
    """A name found in text: kind is Organisation, Programme, Person, Acronym, AcronymPlace or Possessive."""

    kind: str
    start: int
    end: int
    text: str
    cls: str | None = None
    name: str | None = None    # the full name when it differs from the words written ('Aberdeen' in a list)


def candidates(text: str) -> list[Candidate]:
    """Every candidate name in a text, in order."""
    out: list[Candidate] = []
    for run in _merge_commas(_runs(text), text):
        out.extend(_in_run(run, text))
    return out


def _runs(text: str) -> list[list[tuple[int, int, str]]]:
    runs, current, last_end = [], [], -1
    breaks = _headline_breaks()
    for m in _TOKEN.finditer(text):
        tok = m.group()
        if len(tok) > MAX_WORD_CHARS:  # a word of thousands of letters is not part of a name: it ends the run
            if current:
                runs.append(current)
            current, last_end = [], m.end()
            continue
        gap = text[last_end:m.start()] or "x"
        joinable = current and (re.fullmatch(r"[ \t]+", gap) is not None or (
            re.fullmatch(r"\.[ \t]+", gap) is not None and current[-1][2].lower() in _ABBREVIATIONS))
        is_cap = tok[0].isupper() or (tok[0].isdigit() and any(c.isupper() for c in tok))
        compound = _COMPOUND.search(tok)
        if compound and tok[0].isupper():  # 'Cardiff University-led Wales Cancer Research Centre': two names
            if not joinable and current:
                runs.append(current)
                current = []
            current.append((m.start(), m.start() + compound.start(), tok[:compound.start()]))
            runs.append(current)
            current, last_end = [], m.end()
            continue
        if tok in ("And", "Of", "For", "The") and joinable:
            tok = tok.lower()  # a Title Case headline: 'A And B', 'University Of X'
            is_cap = False
        if is_cap and tok.lower() in breaks and not tok.isupper():
            is_cap = False  # 'A And B Announce Partnership': a verb in a Title Case headline ends the name
        if is_cap or ((tok in _CONNECTORS or (tok.isdigit() and len(tok) <= 2)) and joinable):  # 'Collaboration 2 North West'
            if not joinable and current:
                runs.append(current)
                current = []
            current.append((m.start(), m.end(), tok))
        elif current:
            runs.append(current)
            current = []
        last_end = m.end()
    if current:
        runs.append(current)
    pieces = (r[i:i + MAX_RUN_TOKENS] for r in map(_before_dates, runs) for i in range(0, len(r), MAX_RUN_TOKENS))
    return [t for t in map(_trim, pieces) if t]


@cache
def _headline_breaks() -> frozenset[str]:
    data = yaml.safe_load((Path(__file__).with_name("lexicon") / "names.yaml").read_text(encoding="utf-8"))
    return frozenset(data["headline_breaks"])


def _before_dates(run):
    """'University of X on Tuesday', 'Network in October 2024': a date after in/on ends the name."""
    for i in range(1, len(run) - 1):
        if run[i][2] in ("in", "on") and run[i + 1][2].lower() in _DATE_WORDS:
            return run[:i]
    return run


def _merge_commas(runs: list, text: str) -> list:
    """Names with commas: 'Cumbria, Northumberland, Tyne and Wear NHS Foundation Trust',
    'Faculty of Medicine, Health and Life Science'."""
    out: list = []
    for run in runs:
        while out and text[out[-1][-1][1]:run[0][0]] == ", " and _commas_join(out[-1], run):
            run = out.pop() + run
        out.append(run)
    return out


def _commas_join(prev, run) -> bool:
    words = [t for _, _, t in run]
    prev = _trim(prev[_role_prefix(prev):]) or prev
    owner = [i for i, (_, _, t) in enumerate(prev[:-1]) if _POSSESSIVE.search(t)]
    prev = prev[owner[-1] + 1:] if owner else prev  # "the University's School of A, B and C": the unit's own name
    if "and" not in words and not (len(run) <= 2 and any(w == "and" for _, _, w in prev)):
        return False
    if prev[-1][2].lower() in N.ROLE_HEADS:
        return False  # 'Medical Officer, Kingston and Richmond NHS Foundation Trust': a post, then its body
    prev_kind, run_kind = _kind(_joined(prev)), _kind(_joined(run))
    if len(prev) == 1 and prev[0][2].endswith("ly"):
        return False  # 'Separately, A and B ...': a sentence adverb, not the first place of a name
    if run_kind and run_kind[0] == "Organisation" and prev_kind is None and len(prev) <= 3 and not _role_prefix(run) \
            and not any(t in _CONNECTORS for _, _, t in prev) and words.index("and") < len(words) - 1:
        return not _POSSESSIVE.search(prev[-1][2])
    if prev_kind and prev_kind[0] in ("Programme", "AcronymPlace") and run_kind is None and len(run) <= 5 \
            and not N.is_generic(_joined(run)) and prev[-1][2].lower() not in N.GENERIC:
        return True  # 'NIHR ARC Kent, Surrey and Sussex': a programme named after a list of places
    return bool(prev_kind and prev_kind[0] == "Organisation" and re.search(r"\b(?:of|for)$", " ".join(
        t for _, _, t in prev[:-1])) and run_kind is None and prev_kind[1] in ("OrganisationalUnit", "ResearchCentre"))


def _trim(run):
    while run and (run[-1][2] in _CONNECTORS or run[-1][2].isdigit()):
        run = run[:-1]
    while run and (run[0][2] in _CONNECTORS or run[0][2].lower() in N.STARTERS) and not _counted_name(run):
        run = run[1:]
    return run


_NUMBERS = {"two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twelve"}


def _counted_name(run) -> bool:
    """'Two Counties Frailty Programme', 'Three Rivers Council': a number before a plural place is part of the name."""
    return len(run) > 2 and run[0][2].lower() in _NUMBERS and run[0][2][0].isupper() and run[1][2].endswith("s") \
        and run[1][2][0].isupper() and run[1][2].lower() not in N.GENERIC


def _in_run(run, text: str) -> list[Candidate]:
    if not run:
        return []
    for i, (_, _, tok) in enumerate(run[:4]):  # 'Professor Ada Example', 'Vice-Chancellor Professor Ada Example'
        if tok.lower().rstrip(".") in N.HONORIFICS and i + 1 < len(run) and run[i + 1][2] not in _CONNECTORS \
                and all(t.lower() in N.ROLE_WORDS for _, _, t in run[:i]):
            n = _person_length(run[i:])
            if n > 1:
                return [_make("Person", run[i:i + n], text)] + _in_run(_trim(run[i + n:]), text)
        if tok.lower() not in N.ROLE_WORDS:
            break
    for i, (_, _, tok) in enumerate(run[1:-1], start=1):  # 'Harbury University Vice-Chancellor Professor Ada Quill'
        if tok.lower().rstrip(".") in N.HONORIFICS and run[i + 1][2] not in _CONNECTORS and run[i - 1][2] not in _CONNECTORS:
            n = _person_length(run[i:])
            if n > 1:
                return _in_run(_trim(_without_role_suffix(run[:i])), text) + [_make("Person", run[i:i + n], text)] + \
                    _in_run(_trim(run[i + n:]), text)
    run = _without_role_suffix(run)
    found = [c for part in _split(run) for c in _classified(part, text)]
    poss = next((i for i, t in enumerate(run) if _POSSESSIVE.search(t[2]) and t[2][0].isupper()), None)
    inside = poss is not None and any(c.start <= run[poss][0] and run[poss][1] <= c.end for c in found)
    role_next = poss is not None and poss + 1 < len(run) and run[poss + 1][2].lower() in N.ROLE_WORDS - _CONNECTORS
    if poss is None:
        return found
    if poss == 0 and _POSSESSIVE.sub("", run[0][2]).lower() in _REFERENCE_NOUNS and len(run) > 2:
        return _in_run(_trim(run[1:]), text)  # 'the University's School of X': the unit; 'the University' is a reference
    owner, rest = _possessive(run[:poss + 1], text), _in_run(_trim(run[poss + 1:]), text)
    after = _trim(run[poss + 1:])
    if owner[0].kind == "Organisation" and not rest and 2 <= len(after) <= 4 and not role_next \
            and all(t[0].isupper() for _, _, t in after) and not N.is_generic(_joined(after)):
        rest = [_make("Organisation", after, text, "OrganisationalUnit")]  # 'Kirklees Council's Business Kirklees'
    two_names = owner[0].kind == "Organisation" and owner[0].start == run[0][0] and rest and rest[0].kind == "Organisation"
    if inside and not role_next and not two_names and not (N.is_acronym(_POSSESSIVE.sub("", run[poss][2])) or _kind(
            _POSSESSIVE.sub("", run[poss][2]))):
        return found  # a possessive inside a name ("Women's and Children's ... Trust", "Exeter's HDRC")
    return owner + rest  # 'Aston University's Vice-Chancellor', 'University of X's Institute of Y': two names


def _without_role_suffix(run):
    """'MFT Group Chief Executive', 'Jane Smith Chief': a role title after a name is not part of it."""
    i = len(run)
    while i > 1 and run[i - 1][2].lower() in N.ROLE_WORDS - _CONNECTORS:
        i -= 1
    tail = [t.lower() for _, _, t in run[i:]]
    if tail and tail != ["executive"] and (set(tail) & N.ROLE_HEADS or tail == ["chief"]) and i >= 1 and run[i - 1][2] not in _CONNECTORS:
        return run[:i]
    return run


def _possessive(run, text: str) -> list[Candidate]:
    """'Exeter's' (a place standing for an organisation) or 'Aston University's' (a name)."""
    s, e, tok = run[-1]
    cut = len(_POSSESSIVE.search(tok).group()) - (1 if tok.endswith(("s'", "s’")) else 0)
    stripped = run[:-1] + [(s, e - cut, tok[:len(tok) - cut])]
    named = _classified(stripped, text) if len(run) > 1 else []
    if named and named[0].end == stripped[-1][1]:
        return named
    return [_make("Possessive", run[-1:], text)]


def _person_length(run) -> int:
    n = 1
    while n < len(run) and n <= 4:
        tok = run[n][2]
        low = tok.lower().strip("’'")
        if low in N.POSTNOMINALS and n > 1:
            n += 1
            continue
        if tok in _CONNECTORS or low in N.ROLE_HEADS or low in N.GENERIC or _POSSESSIVE.search(tok) and n > 1:
            break
        n += 1
        if _POSSESSIVE.search(tok):
            break
    return n


def _role_prefix(run) -> int:
    """Length of a leading role title ending in of/for/at/in ('Chief Executive of'), else 0."""
    i, saw_head = 0, False
    while i < len(run) and (run[i][2].lower() in N.ROLE_WORDS - _CONNECTORS or (
            run[i][2] in ("and", "&") and saw_head and i + 1 < len(run) and run[i + 1][2].lower() in N.ROLE_HEADS)):
        saw_head |= run[i][2].lower() in N.ROLE_HEADS
        i += 1
    if saw_head and i < len(run) and run[i][2] in ("of", "for", "in", "at"):
        i += 1
        while i < len(run) and run[i][2] == "the":
            i += 1
        return i
    if saw_head and i == len(run):
        return i
    return 0


def _split(run) -> list:
    """Cut a run into names: after role titles, before 'in <Place>' after a body named by its place
    ('University of Suffolk in Ipswich'), and at 'and' between two complete names."""
    cut = _role_prefix(run)
    if cut:
        return _split(_trim(run[cut:]))
    for i, (_, _, tok) in enumerate(run[2:-1], start=2):
        if tok == "in" and len(run) - i - 1 <= 2 and not any(t.lower() in N.GENERIC for _, _, t in run[i + 1:]) \
                and (_kind(_joined(run[:i])) or ("", ""))[1] in ("University", "NHSTrust", "LocalAuthority"):
            return _split(run[:i])
    for i, (_, _, tok) in enumerate(run):  # 'A and B and University of C': cut where a new name plainly starts
        if tok in ("and", "&") and 0 < i < len(run) - 2 and _NAME_START.match(_joined(run[i + 1:])) \
                and (_kind(_joined(_trim(run[:i]))) or ("",))[0] in ("Organisation", "Programme", "Acronym"):
            return _split(_trim(run[:i])) + _split(_trim(run[i + 1:]))
    for i, (_, _, tok) in enumerate(run):
        if tok not in ("and", "&") or i == 0:
            continue
        left, right = _trim(run[:i]), _trim(run[i + 1:])
        if not left or not right:
            continue
        article = run[i + 1][2] == "the"
        if right[0][2].lower() in N.ROLE_HEADS or _role_prefix(right) or _separate(left, right, article) or (
                article and (_kind(_joined(right)) or ("",))[0] in ("Organisation", "Programme")):
            return _split(left) + _split(right)
    for i in range(2, len(run) - 2):  # 'Chief Scientist Office of the Scottish Government': a body within a body
        if run[i][2] == "of" and run[i + 1][2] == "the":
            left, right = run[:i], run[i + 2:]
            if _kind(_joined(left)) == _kind(_joined(right)) == ("Organisation", "GovernmentBody"):
                return _split(left) + _split(right)
    return [run]


def _separate(left, right, article: bool) -> bool:
    lt, rt = _joined(left), _joined(right)
    lk, rk = _kind(lt), _kind(rt)
    if lk is None or rk is None:
        return False
    if lk[0] == "AcronymPlace":
        return False
    if lk == rk == ("Organisation", "NHSTrust") and re.fullmatch(r"NHS [A-Z][\w'’-]+", lt) and not article \
            and rt.split()[0].lower() not in N.GENERIC:
        return False  # 'NHS Cheshire and Merseyside Integrated Care Board' is one body
    if article or "Acronym" in (lk[0], rk[0]):
        return True
    if rk == ("Organisation", "OrganisationGroup") and not N._strong_org(lt):
        return False
    return True


def _joined(run) -> str:
    return " ".join(t for _, _, t in run)


def _kind(name: str) -> tuple[str, str | None] | None:
    words = name.split()
    if 2 <= len(words) <= 3 and all(N.is_acronym(w) for w in words):
        return ("Acronym", None)
    if len(words) == 1 and N.is_acronym(name.rstrip("s") if name.endswith("s") and N.is_acronym(name[:-1]) else name):
        return ("Acronym", None)
    if len(words) >= 2 and N.is_programme_name(name) and not N.is_generic(name.replace("NIHR ", "")):
        return ("Programme", None)
    cls = N.org_class(name)
    if cls:
        return ("Organisation", cls)
    if len(words) >= 2 and N.is_programme_name(name):
        return ("Programme", None)
    rest = [w for w in words if not N.is_acronym(w) and w not in _CONNECTORS]
    if 2 <= len(words) <= 5 and any(N.is_acronym(w) for w in words[:1] + words[-1:]) and rest and not N.is_generic(
            " ".join(rest)):
        return ("AcronymPlace", None)
    return None


#: A common noun that says what the name after it is, when the name's own words do not ('the charity Mind').
_CUE = re.compile(r"\bthe (charity|social enterprise|community interest company|voluntary organisation|company) $")


def _classified(run, text: str) -> list[Candidate]:
    """The run as one candidate, or the longest classifiable tail of it ('Partner Organisation of X' -> 'X')."""
    defined = re.match(r"\s*\(([A-Z][A-Za-z]{1,9})\)", text[run[-1][1]:run[-1][1] + 14]) if run else None
    for i in range(len(run) - 1) if defined else ():  # 'A and Southampton Voluntary Services (SVS)': the defined tail
        tail, head = _trim(run[i:]), _trim(run[:i])
        if (i and run[i - 1][2] not in ("and", "&")) or not tail or defined.group(1).upper() not in N.initials(_joined(tail)):
            continue
        cls = N.org_class(_joined(tail), generic_ok=True)  # 'Advanced Wellbeing Research Centre (AWRC)'
        if cls or (len(tail) >= 2 and not N.is_programme_name(_joined(tail)) and not _AGREEMENT_WORDS.search(_joined(tail))):
            return (_classified(head, text) if head else []) + [_make("Organisation", tail, text, cls or "Organisation")]
    for i in range(len(run)):
        part = _trim(run[i:])
        kind = _kind(_joined(part)) if part else None
        if kind:
            return [_make(kind[0], part, text, kind[1])]
    for i in range(len(run) - 1, 0, -1):  # 'Joint Clinical Research Facility on the Singleton campus'
        if run[i][2] in _CONNECTORS and run[i - 1][2] not in _CONNECTORS:
            part = _trim(run[:i])
            kind = _kind(_joined(part)) if part else None
            if kind and kind[0] in ("Organisation", "Programme"):
                return [_make(kind[0], part, text, kind[1])]
    cue = _CUE.search(text[max(0, run[0][0] - 40):run[0][0]]) if run else None
    if cue and not any(t in _CONNECTORS for _, _, t in run) and not N.is_generic(_joined(run)):
        return [_make("Organisation", run, text, "Company" if cue.group(1) == "company" else "Charity")]
    return []


def _make(kind: str, run, text: str, cls: str | None = None) -> Candidate:
    start, end = run[0][0], run[-1][1]
    return Candidate(kind, start, end, text[start:end], cls)
