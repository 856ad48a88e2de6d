"""Mentions: a blank English spaCy pipeline whose rule components find what a document names.

Each component has one job and writes to ``doc._.cg`` (a `Found`): names by their
grammar (`chunks`), acronym definitions, people named without honorifics,
references such as "the Trust" or "we", agreement terms, themes and quantities
(money, durations, years). Nothing is downloaded: ``spacy.blank("en")`` and rules.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy
import spacy
import yaml
from spacy.language import Language
from spacy.tokens import Doc

from . import names as N
from .chunks import Candidate, candidates
from .enumerations import expand
from .themes import find_themes

Doc.set_extension("cg", default=None, force=True)


@dataclass
class Found:
    """Everything the mention components found in one document (character offsets into doc.text)."""

    text: str = ""                                            # doc.text, built once (spaCy joins tokens per call)
    names: list[Candidate] = field(default_factory=list)
    acronyms: list[tuple[str, int, int, int, int]] = field(default_factory=list)  # acr, a_start, a_end, n_start, n_end
    references: list[Candidate] = field(default_factory=list)  # "the Trust", "we", "the collaboration"
    agreements: list[Candidate] = field(default_factory=list)  # cls = agreement class
    themes: list[Candidate] = field(default_factory=list)      # cls = "list" or "term"
    money: list[tuple[int, int, float, str]] = field(default_factory=list)
    durations: list[tuple[int, int, str]] = field(default_factory=list)
    years: list[tuple[int, int, str, str]] = field(default_factory=list)  # start, end, ISO date or year, verb


def _found(doc: Doc) -> Found:
    if doc._.cg is None:
        doc._.cg = Found(text=doc.text)
    return doc._.cg


_SENTENCE_END = re.compile(
    r"(?<!\b(?:Dr|Mr|Ms|St|No|vs))(?<!\b(?:Mrs|Rev|etc|e\.g|i\.e))(?<!\bProf)(?<!\bCllr)[.!?][\"”’')\]]*[ \t]+(?=[\"“‘'(]?[A-Z0-9])"
    r"|[.!?:;][\"”’')\]]*[ \t]*\n|\n[ \t]*\n|\n(?=[ \t]*(?:[A-Z0-9\"“•·▪*-]|\d+[.)]))")


@Language.component("cg_sentences")
def sentences(doc: Doc) -> Doc:
    """Sentences end at . ! ? before a capital, at the end of a line that finishes one, and at blank lines,
    headings and list items; set in one array write (setting tokens one by one is slow in spaCy)."""
    if not len(doc):
        return doc
    starts = numpy.full(len(doc), -1, dtype="int32")
    starts[0] = 1
    idx = doc.to_array("IDX")
    for m in _SENTENCE_END.finditer(_found(doc).text):
        i = int(numpy.searchsorted(idx, m.end()))
        if i < len(doc):
            starts[i] = 1
    doc.from_array(["SENT_START"], starts.astype("uint64"))
    return doc


@Language.component("cg_names")
def name_mentions(doc: Doc) -> Doc:
    """Organisations, programmes, people with honorifics and acronyms, by the grammar of their names."""
    found = _found(doc)
    found.names = expand(found.text, candidates(found.text))
    return doc


_PAREN = re.compile(r"\s*\(\s*([^()]{2,120}?)\s*\)")


@Language.component("cg_acronyms")
def acronym_definitions(doc: Doc) -> Doc:
    """'Full Name (ACR)' and 'ACR (Full Name)': the two spellings of one name."""
    found = _found(doc)
    text = found.text
    for c in found.names:
        m = _PAREN.match(text, c.end)
        if not m:
            continue
        inner = m.group(1)
        if c.kind != "Acronym" and (N.is_acronym(_singular(inner)) or _short_form(inner)):
            found.acronyms.append((inner, m.start(1), m.end(1), c.start, c.end))
        elif c.kind == "Acronym":
            at = m.start(1) + (4 if inner.lower().startswith("the ") else 0)
            full = next((d for d in found.names if d.start == at and d.kind in ("Organisation", "Programme")), None)
            if full is not None:
                found.acronyms.append((c.text, c.start, c.end, full.start, full.end))
    found.names = [_named_with_acronym_inside(c, text) for c in found.names]
    for c in found.names:  # 'NIHR, the National Institute for Health and Care Research,'
        if c.kind != "Acronym":
            continue
        m = re.match(r",\s+the\s+", text[c.end:c.end + 8])
        full = next((d for d in found.names if m and d.start == c.end + m.end() and d.kind == "Organisation"), None)
        if full is not None and re.match(r"\s*[,.;)]", text[full.end:full.end + 2]) and _letters_in_order(c.text, full.text):
            found.acronyms.append((c.text, c.start, c.end, full.start, full.end))
    return doc


_PLACE_AFTER = re.compile(r"\s*\(([A-Z][A-Za-z]{1,9})\)\s+((?:[A-Z][a-z’'-]+|and|of|the)(?: (?:[A-Z][a-z’'-]+|and|of|the)){0,3})")


def _named_with_acronym_inside(c: Candidate, text: str) -> Candidate:
    """'Applied Research Collaboration (ARC) West Midlands': the place after the acronym belongs to the name."""
    m = _PLACE_AFTER.match(text, c.end) if c.kind == "Programme" else None
    if not m or not _letters_in_order(m.group(1), _without_leading_acronym(c.text)):
        return c
    place = re.sub(r"(?: (?:and|of|the))+$", "", m.group(2))
    if place.split()[0].lower() in N.STARTERS or not place[0].isupper():
        return c
    return Candidate(c.kind, c.start, m.start(2) + len(place), text[c.start:m.start(2) + len(place)], c.cls,
                     name=f"{c.name or c.text} {place}")


def _without_leading_acronym(name: str) -> str:
    """'NIHR Applied Research Collaboration' as 'Applied Research Collaboration': the scheme's owner is not in its acronym."""
    words = name.split()
    return " ".join(words[1:]) if len(words) > 2 and N.is_acronym(words[0]) else name


def _letters_in_order(acr: str, name: str) -> bool:
    """'NIHR' in 'National Institute for Health and Care Research': the acronym's letters start its words, in order."""
    initials = iter(w[0].upper() for w in name.split())
    return acr[0].upper() == name[0].upper() and all(ch in initials for ch in acr.upper() if ch.isalpha())


def _short_form(inner: str) -> bool:
    """'ARC NENC', 'UWE Bristol': two or three words, the first an acronym."""
    words = inner.split()
    return 2 <= len(words) <= 3 and N.is_acronym(words[0]) and all(w[:1].isupper() for w in words)


def _singular(acr: str) -> str:
    return acr[:-1] if acr.endswith("s") and N.is_acronym(acr[:-1]) else acr


_SAID = r"(?:said|says|added|adds|explained|explains|commented|comments|told|welcomed|welcomes|noted|notes|stated|highlighted|remarked)"
_NAME_WORD = r"(?:Mc|Mac|O[’'])?[A-Z][a-z’']+(?:-[A-Z]?[a-z’']+)?"  # 'McGinness', 'O'Neill', 'Smith-Jones'
_PERSON_NAME = rf"{_NAME_WORD}(?: {_NAME_WORD}){{1,2}}"
_PERSON_BEFORE = re.compile(rf"(?<![\w’'])({_PERSON_NAME})(?=,\s+(?:a |an |the |our )?([^,.;:\n]{{2,80}})|\s+{_SAID}\b)")
_PERSON_AFTER = re.compile(rf"\b{_SAID}\s+({_PERSON_NAME})\b")
#: 'Health Minister Nicola Blackwood has announced', 'led by Stephen Bain,', 'Anne Cato, who runs ...': a name placed by
#: a title before it and a verb after it, by 'led by', or by a relative clause about what the person does.
_PERSON_TITLED = re.compile(rf"(?:\b(?:Minister|Secretary|Executive|Director|Chair|Chairman|Leader|Mayor|Principal|"
                            rf"Chancellor|Dean|Provost|President|Officer|Lead|Head)\s+|\b(?:led|headed|directed|chaired) by\s+)"
                            rf"({_PERSON_NAME})(?=\s+(?:has|have|had|is|was|will|{_SAID}|announced|confirmed|visited|spoke|"
                            rf"opened|launched)\b|,|\.|\s+and\b)|(?<![\w’'])({_PERSON_NAME})(?=,\s+who\s+(?:runs|leads|"
                            rf"heads|chairs|manages|founded|works|is|was|has)\b)")
_PERSON_SERVES = re.compile(rf"(?<![\w’'])({_PERSON_NAME})\s+(?:serves|served|will serve|acts|will act|has been appointed|"
                            rf"was appointed|is appointed|joins|joined) as (?:its |the |our |a |an )?([^,.;:\n]{{2,60}})")


_COMPASS = {"north", "south", "east", "west", "northern", "southern", "eastern", "western", "greater", "upper", "lower",
            "central", "mid", "midlands", "yorkshire", "wales", "scotland", "england", "ireland", "london"}


@Language.component("cg_people")
def people(doc: Doc) -> Doc:
    """People named without an honorific: 'Jane Smith, Chief Executive of ...', '... said Jane Smith'."""
    found = _found(doc)
    text = found.text
    taken = [(c.start, c.end) for c in found.names]
    for m in [*_PERSON_BEFORE.finditer(text), *_PERSON_AFTER.finditer(text), *_PERSON_SERVES.finditer(text),
              *_PERSON_TITLED.finditer(text)]:
        group = 1 if m.group(1) else 2
        start, end = m.span(group)
        words = m.group(group).split()
        if any(w.lower().strip("’'") in N.GENERIC | N.STARTERS | N.ROLE_WORDS | N.HONORIFICS | _COMPASS for w in words):
            continue
        role = m.group(2) if m.re not in (_PERSON_AFTER, _PERSON_TITLED) and m.lastindex and m.lastindex >= 2 else None
        if role is not None and not any(w.lower().strip("’'") in N.ROLE_HEADS for w in role.split()[:7]) \
                and not re.match(rf",?\s+{_SAID}", text[end:]):
            continue
        if any(s < end and start < e for s, e in taken):
            continue
        found.names.append(Candidate("Person", start, end, m.group(group)))
        taken.append((start, end))
    found.names.sort(key=lambda c: c.start)
    return doc


_REFERENCE = re.compile(
    r"\b(?:[Tt]he|[Tt]his|[Oo]ur|[Ii]ts|(?<![\w,] )A(?= new)) (new |local |national |regional |research |former |wider |first |joint )?"
    r"([Uu]niversity|Trust|[Cc]ouncil|Network|Centre|[Ii]nstitute|[Bb]oard|Authority|Agency|Group|Department|School|"
    r"[Aa]lliance|[Cc]onsortium|"
    r"[Cc]ollaboration|[Pp]rogramme|[Pp]artnership|[Ss]cheme|[Ii]nitiative|[Cc]entre|[Nn]etwork|[Tt]rust|[Hh]ub)\b"
    r"(?![ \t]+(?:of|for|in)\b|[ \t]+[A-Z]|['’]s[ \t]+[A-Z][a-z]+ [A-Z])|\b([Ww]e|[Oo]ur|[Uu]s)\b")


#: 'Oriel is the joint initiative between ...', 'iREACH Health is a new programme that ...': a name the page defines.
_DEFINED = re.compile(r"(?<![\w’'-])((?:[A-Z]|[a-z]+[A-Z])[\w’'-]*(?: [A-Z][\w’'-]*){0,3}) (?:is|will be|was) (?:the|a|an) "
                      r"(?:[\w’'-]+ ){0,4}?"  # 'a new', 'a City Deal'
                      r"(?:initiative|programme|project|partnership|collaboration|centre|hub|scheme|network) "
                      r"(?:between|of|led by|involving|bringing|that|which|to|for|with|in)\b")


@Language.component("cg_defined")
def defined_names(doc: Doc) -> Doc:
    """Names the page introduces by defining them ('Oriel is the joint initiative between A and B'), and every repeat
    of such a name: their own words say nothing, the definition does."""
    found = _found(doc)
    text = found.text
    taken = [(c.start, c.end) for c in found.names]
    for m in _DEFINED.finditer(text):
        name = m.group(1)
        first = name.split()[0]
        if first.lower() in N.STARTERS or first.lower() in N.GENERIC or any(s < m.end(1) and m.start(1) < e for s, e in taken):
            continue
        kind = "Organisation" if re.search(r"(?:centre|hub|network) \w+$", m.group()) else "Programme"
        for r in re.finditer(rf"(?<![\w’'-]){re.escape(name)}(?![\w’'-])", text):
            if not any(s < r.end() and r.start() < e for s, e in taken):
                found.names.append(Candidate(kind, r.start(), r.end(), name, "ResearchCentre" if kind == "Organisation"
                                             else None))
                taken.append((r.start(), r.end()))
    found.names.sort(key=lambda c: c.start)
    return doc


@Language.component("cg_references")
def references(doc: Doc) -> Doc:
    """'the University', 'the Trust', 'the council', 'the collaboration', 'we': resolved later to a named thing."""
    found = _found(doc)
    names = [(c.start, c.end) for c in found.names]
    for m in _REFERENCE.finditer(found.text):
        if any(s <= m.start() < e for s, e in names):
            continue
        head = (m.group(2) or m.group(3)).lower()
        found.references.append(Candidate("Reference", m.start(), m.end(), m.group(0), head))
    return doc


#: Agreement terms by class, from the lexicon file (one alternation per class, tried in the file's order).
_AGREEMENTS = [(cls, re.compile("|".join(f"(?:{p})" for p in patterns)))
               for cls, patterns in yaml.safe_load((Path(__file__).with_name("lexicon") / "agreements.yaml")
                                                    .read_text(encoding="utf-8")).items()]


@Language.component("cg_agreements")
def agreements(doc: Doc) -> Doc:
    """Memoranda of understanding, formal or strategic partnerships, data-sharing agreements."""
    found = _found(doc)
    for cls, rx in _AGREEMENTS:
        for m in rx.finditer(found.text):
            if not any(c.start <= m.start() < c.end or m.start() <= c.start < m.end() for c in found.agreements):
                found.agreements.append(Candidate("Agreement", m.start(), m.end(), m.group(), cls))
    found.agreements.sort(key=lambda c: c.start)
    return doc


@Language.component("cg_themes")
def themes(doc: Doc) -> Doc:
    """Listed research themes and named research areas."""
    found = _found(doc)
    found.themes = find_themes(found.text)
    return doc


_NUMBER_WORDS = {w: i for i, w in enumerate(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                                             "nine", "ten", "eleven", "twelve"])}
_MONEY = re.compile(r"([£$€])\s?(\d[\d,]*(?:\.\d+)?)\s*(million|m|bn|billion|k)?\b", re.IGNORECASE)
_DURATION = re.compile(r"\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|twelve)[- ](year|month)s?\b",
                       re.IGNORECASE)
_YEAR = re.compile(r"\b(begin|begins|start|starts|starting|launch|launches|launched|from|since|signed|sign|until|"
                   r"to|end|ends|running)\b[^.\n]{0,30}?\b(?:in |on )?((?:\d{1,2} )?(?:January|February|March|April|May|"
                   r"June|July|August|September|October|November|December)? ?((?:19|20)\d\d))\b")
_CURRENCY = {"£": "GBP", "$": "USD", "€": "EUR"}
_SCALE = {"million": 1e6, "m": 1e6, "bn": 1e9, "billion": 1e9, "k": 1e3}


@Language.component("cg_quantities")
def quantities(doc: Doc) -> Doc:
    """Money ('£5.25 million'), durations ('five-year') and years tied to a verb ('begins in 2025')."""
    found = _found(doc)
    text = found.text
    for m in _MONEY.finditer(text):
        amount = float(m.group(2).replace(",", "")) * _SCALE.get((m.group(3) or "").lower(), 1)
        found.money.append((m.start(), m.end(), amount, _CURRENCY[m.group(1)]))
    for m in _DURATION.finditer(text):
        n = m.group(1).lower()
        n = int(n) if n.isdigit() else _NUMBER_WORDS[n]
        found.durations.append((m.start(), m.end(), f"P{n}{'Y' if m.group(2).lower() == 'year' else 'M'}"))
    for m in _YEAR.finditer(text):
        found.years.append((m.start(2), m.end(2), m.group(3), m.group(1).lower()))
    return doc


class _TextKeepingTokenizer:
    """The blank English tokenizer, also keeping the text on the Doc (spaCy rebuilds doc.text token by token)."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(text)
        doc._.cg = Found(text=text)
        return doc


@cache
def pipeline() -> Language:
    """The extraction pipeline: a blank English tokenizer, sentences, and the rule components above."""
    nlp = spacy.blank("en")
    nlp.tokenizer = _TextKeepingTokenizer(nlp.tokenizer)
    for name in ("cg_sentences", "cg_names", "cg_acronyms", "cg_people", "cg_defined", "cg_references",
                 "cg_agreements", "cg_themes", "cg_quantities"):
        nlp.add_pipe(name)
    nlp.max_length = 20_000_000
    return nlp
