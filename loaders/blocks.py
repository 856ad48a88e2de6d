"""Blocks: the layout of a document's text (headings, paragraphs, list items) with character offsets.

Web pages state collaborations through layout as much as through sentences: a
lead-in ("Partners include:") or a heading ("Our members") followed by a list
of names. The reader flattens every format to text with one block per line
(HTML list items, headings and paragraphs each become lines), so the layout is
recovered here from the lines themselves, for every format alike. Offsets point
into the text, so evidence from a block is evidence from the document.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_BULLET = re.compile(r"[ \t]*(?:[-*•·▪◦–—]|\(?\d{1,2}[.)]|[a-z][.)])[ \t]+")
_END = re.compile(r"[.!?;,]['\"”’)]*$")
#: A heading is short: a title, a section name, a caption of a few words.
MAX_HEADING_WORDS = 14
#: A list item written as a bare line (no bullet) after a lead-in is a name or two, not a paragraph.
MAX_BARE_ITEM_WORDS = 16


@dataclass(frozen=True)
class Block:
    kind: str            # heading | paragraph | item | lead (a paragraph ending in ':' that introduces a list)
    start: int
    end: int
    lead: int | None = None   # for an item: the index of its lead-in or heading block


@lru_cache(maxsize=4)  # the theme reader and the frames read the layout of the same text
def blocks(text: str) -> list[Block]:
    """The document's blocks in order; each item knows the lead-in or heading its list belongs to."""
    out: list[Block] = []
    lead: int | None = None          # the lead-in of the list being read
    bare_ok = False                  # bare short lines count as items (right after a lead-in ending in ':')
    blank_before = True
    for start, end in _lines(text):
        line = text[start:end]
        if not line.strip():
            blank_before = True
            bare_ok = bare_ok and not (out and out[-1].kind == "item")  # a blank line ends a list of bare lines
            continue
        bullet = _BULLET.match(line)
        words = len(line.split())
        if bullet and lead is not None:
            out.append(Block("item", start + bullet.end(), end, lead))
        elif bullet:
            out.append(Block("item", start + bullet.end(), end, _last_heading(out, text)))
        elif bare_ok and lead is not None and words <= MAX_BARE_ITEM_WORDS and not _END.search(line.strip()):
            out.append(Block("item", start, end, lead))
        elif line.rstrip().endswith(":"):
            out.append(Block("lead", start, end))
            lead, bare_ok = len(out) - 1, True
        elif words <= MAX_HEADING_WORDS and not _END.search(line.strip()) and blank_before:
            out.append(Block("heading", start, end))
            lead, bare_ok = len(out) - 1, False
        else:
            out.append(Block("paragraph", start, end))
            lead, bare_ok = None, False
        blank_before = False
    return out


def lists(bs: list[Block]) -> list[tuple[Block, list[Block]]]:
    """Each lead-in or heading with the items under it (only those with at least one item)."""
    grouped: dict[int, list[Block]] = {}
    for b in bs:
        if b.kind == "item" and b.lead is not None:
            grouped.setdefault(b.lead, []).append(b)
    return [(bs[i], items) for i, items in sorted(grouped.items())]


def _lines(text: str):
    pos = 0
    for m in re.finditer(r"\n", text):
        yield pos, m.start()
        pos = m.end()
    yield pos, len(text)


def _last_heading(out: list[Block], text: str) -> int | None:
    """A bulleted list with no lead-in belongs to the heading above it, if nothing but items came between; a short
    unpunctuated line straight above a list is its heading even with no blank line (HTML flattened to lines)."""
    for i in range(len(out) - 1, -1, -1):
        if out[i].kind == "item":
            continue
        line = text[out[i].start:out[i].end].strip()
        short = len(line.split()) <= MAX_HEADING_WORDS and not _END.search(line)
        return i if out[i].kind in ("heading", "lead") or short else None
    return None
