"""Documents to quads: read each source, extract, resolve, relate, write its named graph.

This is the contract `graph.build` relies on: `extract_documents` yields one
`DocumentResult` per source file, never raises for a bad file (the problem is
reported in `error` or `warnings`), and the quads of a result all live in that
source's named graph. Documents are streamed through spaCy's `nlp.pipe`.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from pyoxigraph import Quad

from ontology import XSD
from .errors import SourceError
from .extraction import Extraction
from .linker import Linker
from .mentions import pipeline
from .rdf_writer import GraphWriter, SourceInfo
from .reader import ReadDocument, read_document
from .register import Register
from .relations import relate
from .resolver import resolve
from .sources import SourceFile

def _rules_digest() -> str:
    """A digest of the extraction code and its rule files: any change to either re-extracts unchanged sources."""
    here = Path(__file__).parent
    h = hashlib.sha256()
    for f in sorted([*here.glob("*.py"), *(here / "lexicon").glob("*.yaml")]):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


#: Builds keep a source's graph only while this is unchanged (no number to remember to bump).
EXTRACTOR_VERSION = _rules_digest()
_DATATYPES = {"fundingAmount": XSD.decimal, "duration": XSD.duration}


@dataclass
class DocumentResult:
    source: SourceInfo
    quads: list[Quad] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    extraction: Extraction | None = None


def extract_documents(files: Iterable[SourceFile], register: Register | None,
                      batch_size: int = 32) -> Iterator[DocumentResult]:
    """One result per file, in order; a file that cannot be read gets `error` and extraction goes on."""
    linker = Linker(register) if register is not None and register.entries else None
    stream = (_read(f) for f in files)
    for doc, (f, read, error) in pipeline().pipe(((r.text if r else "", (f, r, e)) for f, r, e in stream),
                                                 as_tuples=True, batch_size=batch_size):
        if read is None:
            yield DocumentResult(SourceInfo(f.key, f.given, f.key, _checksum(f)), error=error)
            continue
        info = SourceInfo(f.key, f.given, read.title or f.key, _checksum(f), read.date)
        try:
            ex = extract(doc, linker)
        except Exception as exc:  # a rule tripping on one odd document must not stop the build
            yield DocumentResult(info, GraphWriter(info).quads, read.warnings,
                                 f"{f.given}: extraction failed ({type(exc).__name__}: {exc}); please report this file")
            continue
        yield DocumentResult(info, write_quads(info, ex), read.warnings, extraction=ex)


def extract(doc, linker: Linker | None) -> Extraction:
    """Resolve and relate the mentions of one processed spaCy Doc."""
    found = doc._.cg
    resolved = resolve(found.text, found, linker)
    sents = [(s.start_char, s.end_char) for s in doc.sents]
    return relate(found.text, sents, found, resolved)


def extract_text(text: str, register: Register | None = None) -> Extraction:
    """Extraction of a text given directly (tests, benchmarks, notebooks)."""
    return extract(pipeline()(text), Linker(register) if register is not None and register.entries else None)


def _read(f: SourceFile) -> tuple[SourceFile, ReadDocument | None, str | None]:
    try:
        return f, read_document(f.path, f.given), None
    except SourceError as exc:
        return f, None, str(exc)
    except OSError as exc:
        return f, None, f"{f.given}: cannot read ({exc.strerror or exc})"


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
        if prop == "startDate" and str(value).isdigit():
            w.value(e.iri, prop, value, XSD.gYear)
        else:
            w.value(e.iri, prop, _decimal(value) if prop == "fundingAmount" else value, _DATATYPES.get(prop))
    return w.quads


def _decimal(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")
