"""Themes: the research themes a document lists or names.

Two kinds of evidence. A list introduced as themes, priorities or research areas
("... key themes: 1. A 2. B", "themes include A, B and C") gives named themes as
written. A public-health research area from the vocabulary below, named where a
text says what work is about ("research into ...", "address ...", "... research"),
gives a theme in sentence case. General aims ("improve outcomes") are not themes.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from .blocks import blocks, lists
from .chunks import Candidate

_LEXICON = yaml.safe_load((Path(__file__).with_name("lexicon") / "themes.yaml").read_text(encoding="utf-8"))
#: Research areas of public health and applied health research (domain vocabulary, not names).
AREAS = _LEXICON["areas"]
#: Lead-ins and headings that introduce a list of themes.
_LIST_LEAD = re.compile(r"(?i)\b(?:" + "|".join(_LEXICON["list_lead"]) + r")\b")
_NOT_THEME_LEAD = re.compile(r"(?i)\b(?:partners?|members?|funders?|signator|organisations|institutions|universities|"
                             r"trusts|councils|who we work with|contact|related|share|follow)\b")
_AREAS = re.compile(r"\b(" + "|".join(sorted((re.escape(a) for a in AREAS), key=len, reverse=True)) + r")\b")
_CONTEXT = re.compile(r"(?:research (?:into|on|in)|focus(?:es|ed|ing)? on|address(?:es|ing)?|tackl(?:e|es|ing)|"
                      r"reduc(?:e|es|ing)|expertise in|speciali[sz](?:e|es|ing) in|known as|such as|including|"
                      r"concentrat(?:e|es|ing) on|studies of|"
                      r"work(?:s|ing)? on|priorit(?:y|ies|ise)|particularly in|areas? (?:of|including|such as)|"
                      r"themes?)\W+(?:\w+\W+){0,4}$", re.IGNORECASE)
_INTRO = re.compile(r"\b(?:themes?|priorit(?:y|ies)(?: areas)?|(?:research|key|main|core|focus|priority) areas|"
                    r"areas of (?:research|focus|work)|work ?streams?|research strands|strands)\b[^\n]{0,120}?:[^\S\n]*"
                    r"(?:(?:these|they) (?:are|include):?)?[^\S\n]*", re.IGNORECASE)
#: 'six core themes ... . These are: A; B; C': the list opens the next sentence.
_THESE_ARE = re.compile(r"\b(?:themes?|priorit(?:y|ies)|areas|strands|work ?streams)\b[^.\n]{0,160}[.]\s+(?:These|They) "
                        r"(?:are|include|will be)\s*:[^\S\n]*", re.IGNORECASE)
_HEADING = re.compile(r"^[^\S\n]*(?:[A-Z]\w*[^\S\n]+){0,3}(?:themes|priorities|research areas|work ?streams|focus areas)"
                      r"[^\S\n]*$", re.IGNORECASE | re.MULTILINE)
_INLINE = re.compile(r"\b(?:themes?,? (?:include|including|are|such as|covering|cover|of)|(?:priority |research |key |focus )+areas? "
                     r"(?:are|include|cover)|(?:(?:will |to |would )?(?:look at|"
                     r"focus(?:es|ing)? on|concentrate on|examine|explore|investigate|priorities (?:are|include)|"
                     r"look (?:first |initially |closely )?at|work on)|"
                     r"(?:issues|areas|conditions|topics|diseases|fields|specialties|specialisms) (?:such as|including|like|of)|"
                     r"themes?,(?= [A-Z])|"
                     r"(?:programme|research|work|studies|projects?) (?:covers|will cover|includes|will include|spans|"
                     r"addresses|will address)|(?:studies|research|work) (?:of|on|into)|(?:funding|bids|expertise|trials|strengths) (?:on|into|in)|(?:work(?:s|ing|ed)?|collaborat\w*|"
                     r"partner\w*) (?:together |closely )?(?:with [^,.\n]{1,60}? )?on)(?= [^.\n]*,[^.\n]* and ))"
                     r"\s+([^.\n]+)", re.IGNORECASE)
#: A list set off by dashes after what it lists ('the wider determinants of health - A, B and C - ').
_DASHED = re.compile(r"\b(?:determinants|factors|areas|issues|topics|conditions|priorities)(?: of [\w-]+)?[^\S\n]+[-–—][^\S\n]+"
                     r"([^-–—\n.]*?,[^-–—\n.]*?\band [^-–—\n.]*?)[^\S\n]+[-–—]")
_APPOSITION = re.compile(r",\s+(?:areas?|fields?|topics|which|where|who|all|both|each|to|so|in order)\b")
_NOT_ITEM = re.compile(r"^(?:such|on|in|to|by|with|how|what|which|that|who|where|as|including|from|for|at|and|or)\b|"
                       r"\b(?:will|can|could|would|is|are|was|were|has|have|had|be|been)\b", re.IGNORECASE)
_ITEM = re.compile(r"^[^\S\n]*(?:\d{1,2}[.)]|[-*•·▪–])[^\S\n]*(\S[^\n]*?)[^\S\n]*$")
_TITLED_RESEARCH = re.compile(r"\b((?:[A-Z][a-z]+ ){0,3}[A-Z][a-z]+) research\b")


def find_themes(text: str) -> list[Candidate]:
    """Theme mentions: listed ones (cls 'list') and vocabulary areas in context (cls 'term')."""
    found = _listed(text)
    taken = [(c.start, c.end) for c in found]
    found += [c for c in _block_lists(text) if not any(s < c.end and c.start < e for s, e in taken)]
    found += _inline(text)
    taken = [(c.start, c.end) for c in found]
    for c in _areas(text):
        if not any(s < c.end and c.start < e for s, e in taken):
            found.append(c)
    return sorted(found, key=lambda c: c.start)


def _listed(text: str) -> list[Candidate]:
    out = []
    for m in sorted([*_INTRO.finditer(text), *_HEADING.finditer(text), *_THESE_ARE.finditer(text)], key=lambda m: m.start()):
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        if text[m.end():line_end].strip():
            out += _split_items(text, m.end(), line_end)
            continue
        pos, items = line_end + 1, []
        while pos < len(text):
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            line = text[pos:end]
            item = _ITEM.match(line)
            if item:
                items.append(Candidate("Theme", pos + item.start(1), pos + item.end(1), item.group(1), "list"))
            elif line.strip():
                break
            pos = end + 1
        out += [i for i in items if _plausible(i.text)]
    return out


def _block_lists(text: str) -> list[Candidate]:
    """Items under a lead-in or heading that says what work is about ('Early projects will cover:', 'Our strands')."""
    out = []
    for lead, items in lists(blocks(text)):
        said = text[lead.start:lead.end]
        if not _LIST_LEAD.search(said) or _NOT_THEME_LEAD.search(said) or len(items) < 2:
            continue
        phrases = [(b.start, text[b.start:b.end].strip().rstrip(".;,")) for b in items]
        if all(_plausible(p) and len(p.split()) <= 12 for _, p in phrases):
            out += [Candidate("Theme", start, start + len(p), p, "list") for start, p in phrases]
    return out


def _inline(text: str) -> list[Candidate]:
    out = []
    spans = [(m.start(1), m.end(1)) for m in _INLINE.finditer(text)] + [(m.start(1), m.end(1)) for m in _DASHED.finditer(text)]
    for start, end in spans:
        colon = text.find(":", start, end)
        tail = _APPOSITION.search(text, start, end)  # 'A, B and C, areas where ...': the list ends before it
        items = _split_items(text, colon + 1 if colon >= 0 else start, tail.start() if tail else end)
        if len(items) >= 2 and len(items[0].text.split()) > 4:  # 'delivering new treatments for A, B and C': from A
            head = list(re.finditer(r"\b(?:for|into|against)\s+", items[0].text))
            if head:
                cut = head[-1].end()
                items[0] = Candidate("Theme", items[0].start + cut, items[0].end, items[0].text[cut:], "list")
        if len(items) >= 2 and all(len(i.text.split()) <= 6 and not _NOT_ITEM.search(i.text) for i in items):
            out += items  # an inline list counts only when every item reads as a named area
    return out


def _split_items(text: str, start: int, end: int) -> list[Candidate]:
    """'A, B and C' or 'A; B; C' as separate themes, keeping 'Mental Health and Wellbeing' whole."""
    span = text[start:end].rstrip(" .;:")
    if ";" in span:  # 'A, B and C; D; and E': semicolons separate items that may hold commas and 'and'
        parts = [re.split(r",\s+(?=(?:to|which|that|by|through|with|where|so)\b)|:", p)[0] for p in span.split(";")]
    else:
        parts = [p for p in re.split(r",(?: and| or)?", span)]
    last = parts[-1]
    m = re.match(r"^(.*\S)\s+(?:and|or)\s+(\S.*)$", last.strip())
    coined = m and all(re.fullmatch(r"[A-Za-z]+\d*[A-Z0-9][\w-]*", x) for x in (m.group(1), m.group(2)))  # 'A2B and C4D'
    if len(parts) > 1 and ";" not in span:
        titled = all(w[:1].isupper() for w in last.split() if w not in ("and", "&", "of", "in", "for", "the", "or"))
        oxford = re.search(r",\s*(?:and|or)\s", span)
        if m and not oxford and (not titled or coined or (len(m.group(1).split()) > 1 and len(m.group(2).split()) > 1)):
            parts[-1:] = [m.group(1), m.group(2)]
    elif coined:
        parts = [m.group(1), m.group(2)]
    out, pos = [], start
    for part in parts:
        item = part.strip()
        item = re.sub(r"^(?:(?:and|or|research (?:into|on|in)|work on|on|in|into|the)\s+)+", "", item)
        item = re.sub(r"\s+for (?:people|patients|children|adults|those) (?:with|who)\b.*$", "", item)  # '... for people with X'
        at = text.find(item, pos)
        if item and at >= 0 and _plausible(item):
            out.append(Candidate("Theme", at, at + len(item), item, "list"))
            pos = at + len(item)
    return out


def _plausible(item: str) -> bool:
    words = item.split()
    return 1 <= len(words) <= 9 and item[:1].isalnum() and not item.endswith((".", ":", "?")) and "@" not in item


def _areas(text: str) -> list[Candidate]:
    out = []
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters change length in lower case: keep offsets right
        lowered = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
    for m in _AREAS.finditer(lowered):
        before = text[max(0, m.start() - 80):m.start()]
        after = text[m.end():m.end() + 12]
        coordinated = re.search(r"(?:\band|&|,)\s*$", before)
        if _CONTEXT.search(before) or (re.match(r"\s+research\b", after) and not coordinated):
            out.append(Candidate("Theme", m.start(), m.end(), text[m.start():m.end()], "term"))
    for m in _TITLED_RESEARCH.finditer(text):
        words = m.group(1).split()
        if len(words) >= 2 and words[0] not in ("The", "This", "Our", "Health", "Clinical", "Applied", "Portfolio"):
            out.append(Candidate("Theme", m.start(1), m.end(1), m.group(1), "term"))
    return out
