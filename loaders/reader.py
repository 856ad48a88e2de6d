"""Reading a source file into plain text with its title and date.

Text, Markdown, HTML (main text via trafilatura, navigation and scripts dropped)
and PDF (pypdf). Whatever goes wrong is the file's problem, not the build's: a
file that cannot be read raises `SourceError` naming it and saying what to do,
and a file that reads with caveats comes back with warnings. Web-page noise
lines ("Watch more of our videos", "Close search menu") are blanked out in place
so character offsets into the text stay valid.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SourceError

#: Larger files are refused: they are archives or dumps, not press releases or web pages.
MAX_BYTES = 16 * 1024 * 1024

_NOISE = re.compile(
    r"^\s*(?:watch more\b.*|close (?:search )?menu|(?:open |main )?menu|skip to (?:main )?content|search(?: this site)?|"
    r"share (?:this|on)\b.*|back to top|read more|sign up\b.*|subscribe\b.*|cookies?\b.*(?:accept|settings|policy).*|"
    r"accept (?:all )?cookies|related (?:articles|news|stories)|follow us\b.*|print this page|home|tags?:.*|"
    r"to find out more.*(?:email|contact)\s*|(?:tweet|email|facebook|linkedin|whatsapp)(?:\s*\|.*)?)\s*$",
    re.IGNORECASE)
_DATE_LINE = re.compile(r"^\s*(?:date|published(?: on)?|posted(?: on)?|updated)\s*:?\s*"
                        r"(\d{4}-\d{2}-\d{2}|\d{1,2} [A-Z][a-z]+ \d{4}|[A-Z][a-z]+ \d{1,2},? \d{4})", re.IGNORECASE)
_MONTHS = {m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july", "august",
                                       "september", "october", "november", "december"], 1)}


@dataclass
class ReadDocument:
    text: str
    title: str | None = None
    date: str | None = None
    warnings: list[str] = field(default_factory=list)
    url: str | None = None  # where a saved web page came from (its canonical or og:url link), when it says


def read_document(path: Path, given: str | None = None) -> ReadDocument:
    """The text, title and date of one document; SourceError when there is nothing usable in it."""
    name = given or str(path)
    size = path.stat().st_size
    if size == 0:
        raise SourceError(name, "empty file: nothing to extract")
    if size > MAX_BYTES:
        raise SourceError(name, f"file is {size / 1e6:.1f} MB, over the {MAX_BYTES // (1024 * 1024)} MB limit "
                                "for a document; split it or give the article itself")
    raw = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        doc = _read_pdf(raw, name)
    else:
        text, warnings = _decode(raw, name)
        doc = _read_html(text, name) if suffix in (".html", ".htm") else ReadDocument(_strip_markdown(text) if suffix == ".md" else text)
        doc.warnings[:0] = warnings
    return _finish(doc, name)


def _decode(raw: bytes, name: str) -> tuple[str, list[str]]:
    if b"\x00" in raw[:8192]:
        raise SourceError(name, "binary file, not text: give a .txt, .md, .html or .pdf document")
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        text = raw.decode("cp1252", errors="replace")
        return text, [f"{name}: not UTF-8 (bad byte at {exc.start}); read as Windows-1252, check accented names"]


def _read_html(html: str, name: str) -> ReadDocument:
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True) or ""
    meta = trafilatura.extract_metadata(html)
    doc = ReadDocument(text, getattr(meta, "title", None) or _html_title(html), getattr(meta, "date", None),
                       url=_web_url(getattr(meta, "url", None)))
    if not text.strip():
        raise SourceError(name, "HTML page has no main text (only scripts, navigation or markup); "
                                "save the article text or a fuller page")
    return doc


def _web_url(url: str | None) -> str | None:
    """An http(s) URL of at most 2,000 characters with no spaces, else None (a page may claim anything)."""
    if url and len(url) <= 2000 and re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", url):
        return url
    return None


def _html_title(html: str) -> str | None:
    m = re.search(r"<title[^>]*>(.*?)</title>", html, re.IGNORECASE | re.DOTALL)
    return " ".join(m.group(1).split()) if m else None


def _read_pdf(raw: bytes, name: str) -> ReadDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        pages = [page.extract_text() or "" for page in reader.pages]
        title = reader.metadata.title if reader.metadata else None
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise SourceError(name, f"unreadable PDF ({exc}); re-save it or give the text") from None
    text = "\n\n".join(pages)
    if not text.strip():
        raise SourceError(name, "PDF has no text layer (scanned images?); run OCR first or give the text")
    return ReadDocument(text, title or None)


def _strip_markdown(text: str) -> str:
    """Markdown links, emphasis and heading marks to plain text (offsets refer to the result); list items keep
    a '- ' bullet, since a list is how pages name their partners and themes."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"^\s{0,3}(?:#{1,6}|>)\s+", "", text, flags=re.MULTILINE)
    text = re.sub(r"^\s{0,3}[-*+]\s+", "- ", text, flags=re.MULTILINE)
    return re.sub(r"(\*\*|__|\*|`)", "", text)


_PLAIN = str.maketrans({"\u2011": "-", "\u2010": "-", "\u00a0": " ", "\u202f": " "})


def _finish(doc: ReadDocument, name: str) -> ReadDocument:
    """Blank noise lines, find the date line and the title, and refuse text with no words."""
    lines = doc.text.split("\n")
    for i, line in enumerate(lines):
        m = _DATE_LINE.match(line)
        if m:
            doc.date = doc.date or _iso(m.group(1))
            rest = line[m.end():]
            lines[i] = " " * m.end() + (" " * len(rest) if _NOISE.match(rest) else rest)
        elif _NOISE.match(line):
            lines[i] = " " * len(line)
    # Non-breaking hyphens and spaces ('Vice‑Chancellor') read as plain ones: one character each, so offsets hold.
    doc.text = "\n".join(lines).translate(_PLAIN)
    if not re.search(r"[A-Za-z]{2,}", doc.text):
        raise SourceError(name, "no readable words in the file")
    if not doc.title:
        doc.title = next((" ".join(line.split()) for line in lines if line.strip()), None)
    doc.title = doc.title[:300] if doc.title else None
    return doc


def _iso(text: str) -> str | None:
    """'14 December 2023', 'December 14, 2023' or '2023-12-14' as an ISO date."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    parts = re.findall(r"\d+|[A-Za-z]+", text)
    month = next((_MONTHS[p.lower()] for p in parts if p.lower() in _MONTHS), None)
    nums = [int(p) for p in parts if p.isdigit()]
    year = next((n for n in nums if n > 31), None)
    day = next((n for n in nums if n <= 31), None)
    if month and year and day:
        return f"{year:04d}-{month:02d}-{day:02d}"
    return None
