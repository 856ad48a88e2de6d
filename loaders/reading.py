"""What the extractor read in one document, kept so a reader can see it: the text and every mention in it.

The RDF holds what was concluded (entities, relations with their sentence and offsets); this holds what
was read, for the source page that highlights each mention and each relation's sentence. The text is the
one the offsets index (the reader's text with over-long tokens broken, which keeps every offset), so a
relation's `cg:start`/`cg:end` and a mention's span slice it exactly.

It is bounded: the text is cut at MAX_READING_CHARS and at most MAX_MENTIONS mentions (in text order)
are kept, each past the cut dropped; `length` and `truncated` say what was left out.
"""
from __future__ import annotations

from .extraction import Extraction

#: Characters of a document's text kept for its source page (a real press release or web page has < 50,000).
MAX_READING_CHARS = 1_000_000
#: Mentions kept per document.
MAX_MENTIONS = 20_000
#: The layout of a reading; a reader of another version treats the reading as absent.
READING_VERSION = 1


def reading(text: str, ex: Extraction) -> dict:
    """{"version", "text", "length", "truncated", "mentions": [[start, end, iri, kind, cls, linked], ...]}."""
    kept = text[:MAX_READING_CHARS]
    mentions = sorted({(s, t, e.iri, e.kind, e.cls, e.linked)
                       for e in ex.entities for s, t in e.spans if 0 <= s < t <= len(kept)})
    return {"version": READING_VERSION, "text": kept, "length": len(text),
            "truncated": len(text) > len(kept) or len(mentions) > MAX_MENTIONS,
            "mentions": [list(m) for m in mentions[:MAX_MENTIONS]]}
