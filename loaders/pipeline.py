"""Documents to quads: read each source, extract, resolve, relate, write its named graph.

This is the contract `graph.build` relies on: `extract_documents` yields one
`DocumentResult` per source file, never raises for a bad file (the problem is
reported in `error` or `warnings`), and the quads of a result all live in that
source's named graph.

What one document may cost is bounded (`limits`): it gets a time budget, after
which it is skipped with an error naming it; runs of non-space characters longer
than a word could be are broken before spaCy tokenises them; a long document is
extracted in segments, so the time grows linearly with its size; names, aliases
and role titles past the bounds of a name are not written.
"""
from __future__ import annotations

import contextlib
import hashlib
import re
import signal
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from pyoxigraph import Quad

from collabgraph.ontology import XSD, iris

from .errors import SourceError
from .extraction import Entity, Extraction
from .limits import MAX_TOKEN_CHARS, SEGMENT_CHARS, document_seconds, fits_name
from .linker import Linker
from .mentions import pipeline
from .rdf_writer import GraphWriter, SourceInfo
from .reader import ReadDocument, read_document
from .reading import reading
from .register import Register
from .relations import relate
from .resolver import resolve
from .sources import SourceFile


def _rules_digest() -> str:
    """A digest of the extraction code (the structured readers' too) and its rule files: any change to either
    re-extracts unchanged sources."""
    here = Path(__file__).parent
    h = hashlib.sha256()
    for f in sorted([*here.glob("*.py"), *(here / "structured").glob("*.py"), *(here / "lexicon").glob("*.yaml")]):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


#: Builds keep a source's graph only while this is unchanged (no number to remember to bump).
EXTRACTOR_VERSION = _rules_digest()
_DATATYPES = {"fundingAmount": XSD.decimal, "duration": XSD.duration}
_LONG_TOKEN = re.compile(rf"\S{{{MAX_TOKEN_CHARS + 1},}}")


@dataclass
class DocumentResult:
    source: SourceInfo
    quads: list[Quad] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    extraction: Extraction | None = None
    reading: dict | None = None  # the text and mentions the extractor read (`reading.reading`), for the source page


class DocumentTimeout(BaseException):
    """A document past its time budget. A BaseException, so that no rule's `except Exception` swallows it."""


def extract_documents(files: Iterable[SourceFile], register: Register | None,
                      seconds: float | None = None) -> Iterator[DocumentResult]:
    """One result per file, in order; a file that cannot be read, or takes longer than ``seconds``
    (default: `limits.document_seconds()`), gets `error` and extraction goes on."""
    budget = document_seconds(seconds)
    linker = Linker(register) if register is not None and register.entries else None
    for f in files:
        try:
            with _deadline(budget):
                result = _document(f, linker)
        except DocumentTimeout:
            result = DocumentResult(_info(f, None), error=f"{f.given}: skipped: not extracted within the "
                                    f"{budget:g} s budget per document (--document-seconds, "
                                    "COLLABGRAPH_DOCUMENT_SECONDS); split the file or give it more time")
        yield result


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise DocumentTimeout in this thread after ``seconds``.

    A timer signal interrupts the Python code of any rule, wherever it is; it can only be
    set from a process's main thread, where builds and workers extract (elsewhere there is
    no budget, which only tests and notebooks do).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise DocumentTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _document(f: SourceFile, linker: Linker | None) -> DocumentResult:
    try:
        read = read_document(f.path, f.given)
    except SourceError as exc:
        return DocumentResult(_info(f, None), error=str(exc))
    except OSError as exc:
        return DocumentResult(_info(f, None), error=f"{f.given}: cannot read ({exc.strerror or exc})")
    info = _info(f, read)
    try:
        text = break_long_tokens(read.text)
        ex = extract_long_text(text, linker)
    except Exception as exc:  # a rule tripping on one odd document must not stop the build
        return DocumentResult(info, GraphWriter(info).quads, read.warnings,
                              f"{f.given}: extraction failed ({type(exc).__name__}: {exc}); please report this file")
    return DocumentResult(info, write_quads(info, ex), read.warnings, extraction=ex, reading=reading(text, ex))


def _info(f: SourceFile, read: ReadDocument | None) -> SourceInfo:
    if read is None:
        return SourceInfo(f.key, f.shown, f.key, _checksum(f), local=f.given)
    return SourceInfo(f.key, f.shown, read.title or f.key, _checksum(f), read.date, local=f.given, url=read.url)


def extract(doc, linker: Linker | None) -> Extraction:
    """Resolve and relate the mentions of one processed spaCy Doc."""
    found = doc._.cg
    resolved = resolve(found.text, found, linker)
    sents = [(s.start_char, s.end_char) for s in doc.sents]
    return _bounded(_scoped_units(relate(found.text, sents, found, resolved), found.text))


def _scoped_units(ex: Extraction, text: str) -> Extraction:
    """A unit ('Faculty of Health', 'School of Medicine') is keyed with the body it is part of, or else with its
    document: two universities' Faculties of Health are two nodes, never one node part of both."""
    parents = {id(r.subject): r.object for r in ex.relations if r.predicate == "partOf" and r.object.kind == "Organisation"}

    def scoped(e: Entity) -> Entity:
        if e.kind != "Organisation" or e.cls != "OrganisationalUnit" or e.linked or e.identifiers:
            return e
        parent = parents.get(id(e))
        scope = parent.iri if parent is not None else "document " + iris.digest(text)
        return replace(e, iri=iris.entity_iri("Organisation", f"{e.name} {iris.digest(scope)}"))
    return _rebuilt(ex, scoped)


def _rebuilt(ex: Extraction, change) -> Extraction:
    """A new extraction with ``change(entity)`` (a new entity, the same one, or None to drop it) applied to every
    entity, and relations and values pointing at the new entities; the given extraction is left as it was."""
    new = {id(e): change(e) for e in ex.entities}
    same = lambda e: new.get(id(e), e)  # noqa: E731 (an entity made by relate itself keeps its object)
    return Extraction(
        entities=[n for n in new.values() if n is not None],
        relations=[replace(r, subject=same(r.subject), object=same(r.object)) for r in ex.relations
                   if same(r.subject) is not None and same(r.object) is not None],
        values=[(same(e), prop, v) for e, prop, v in ex.values if same(e) is not None])


def extract_text(text: str, register: Register | None = None) -> Extraction:
    """Extraction of a text given directly (tests, benchmarks, notebooks)."""
    return extract_long_text(text, Linker(register) if register is not None and register.entries else None)


def extract_long_text(text: str, linker: Linker | None) -> Extraction:
    """The extraction of a text of any length: segment by segment, offsets into the whole text."""
    text = break_long_tokens(text)
    parts = [(at, extract(pipeline()(segment), linker)) for at, segment in segments(text)]
    return parts[0][1] if len(parts) == 1 else _joined(parts)


def break_long_tokens(text: str) -> str:
    """Every run of non-space characters longer than MAX_TOKEN_CHARS broken into pieces of that length by
    turning one character into a space, so offsets stay the same."""
    def broken(m: re.Match) -> str:
        chars = list(m.group())
        chars[MAX_TOKEN_CHARS::MAX_TOKEN_CHARS + 1] = " " * len(chars[MAX_TOKEN_CHARS::MAX_TOKEN_CHARS + 1])
        return "".join(chars)
    return _LONG_TOKEN.sub(broken, text)


def segments(text: str, size: int = SEGMENT_CHARS) -> list[tuple[int, str]]:
    """(offset, text) pieces of at most ``size`` characters, cut at a blank line, else a line end, else a
    sentence end, else a space, in the second half of each piece."""
    out, start = [], 0
    while len(text) - start > size:
        low, high = start + size // 2, start + size
        cut = next((at + len(sep) for sep in ("\n\n", "\n", ". ", " ") if (at := text.rfind(sep, low, high)) >= 0),
                   high)
        out.append((start, text[start:cut]))
        start = cut
    out.append((start, text[start:]))
    return out


def _joined(parts: list[tuple[int, Extraction]]) -> Extraction:
    """The extractions of a text's segments as one: an entity (one IRI) once, with every name used for it
    and every span; relations and spans with offsets into the whole text."""
    out = Extraction()
    by_iri: dict[str, Entity] = {}
    triples: set = set()
    for at, ex in parts:
        for e in ex.entities:
            e.spans = [(s + at, t + at) for s, t in e.spans]
            first = by_iri.setdefault(e.iri, e)
            if first is e:
                out.entities.append(e)
            else:
                first.aliases |= (e.aliases | {e.name}) - {first.name}
                first.also |= e.also
                first.spans += e.spans
        for r in ex.relations:
            r = replace(r, subject=by_iri.get(r.subject.iri, r.subject), object=by_iri.get(r.object.iri, r.object),
                        start=r.start + at, end=r.end + at)
            if r.triple not in triples:
                triples.add(r.triple)
                out.relations.append(r)
        out.values += [(by_iri.get(e.iri, e), prop, value) for e, prop, value in ex.values]
    return out


def _bounded(ex: Extraction) -> Extraction:
    """Entities named past the bounds of a name are not names: drop them with their relations, and drop
    aliases and role titles past those bounds."""
    def bounded(e: Entity) -> Entity | None:
        if not fits_name(e.name):
            return None
        return replace(e, aliases={a for a in e.aliases if fits_name(a)})
    out = _rebuilt(ex, bounded)
    out.relations = [r if r.role is None or fits_name(r.role) else replace(r, role=None) for r in out.relations]
    return out


def _checksum(f: SourceFile) -> str:
    try:
        return f.checksum()
    except OSError:
        return "sha256:" + "0" * 64


def write_quads(info: SourceInfo, ex: Extraction) -> list[Quad]:
    """The source's named graph: its entities, relations with evidence, memberships with roles, values."""
    w = GraphWriter(info)
    for e in sorted(ex.entities, key=lambda e: e.iri):
        if e.linked:
            w.mention(e.iri, e.aliases)  # the register's graph describes it
        else:
            w.entity(e.iri, e.cls, e.name, e.aliases, e.identifiers)
        for kind in sorted(e.also):
            w.classify(e.iri, kind)
    for r in ex.relations:
        if r.predicate == "memberOf":
            w.membership(r.subject.iri, r.object.iri, r.role, r.sentence, r.start, r.end)
        else:
            w.relation(r.subject.iri, r.predicate, r.object.iri, r.sentence, r.start, r.end)
    for e, prop, value in ex.values:
        w.value(e.iri, prop, _decimal(value) if prop == "fundingAmount" else value, _DATATYPES.get(prop))
    return w.quads


def _decimal(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")
