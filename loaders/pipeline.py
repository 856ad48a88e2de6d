"""Documents to quads: read each source, extract, resolve, relate, write its named graph.

This is the contract `graph.build` relies on: `extract_documents` yields one
`DocumentResult` per source file, never raises for a bad file (the problem is
reported in `error` or `warnings`), and the quads of a result all live in that
source's named graph.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from pyoxigraph import Quad

from .rdf_writer import GraphWriter, SourceInfo
from .register import Register
from .sources import SourceFile

#: Bump when extraction changes, so builds re-extract unchanged files.
EXTRACTOR_VERSION = "0.1"


@dataclass
class DocumentResult:
    source: SourceInfo
    quads: list[Quad] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


def extract_documents(files: Iterable[SourceFile], register: Register | None) -> Iterator[DocumentResult]:
    for f in files:
        try:
            text = f.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            yield DocumentResult(SourceInfo(f.key, f.given, f.key, f.checksum()), error=f"{f.given}: {exc}")
            continue
        title = next((line.strip() for line in text.splitlines() if line.strip()), f.key)
        info = SourceInfo(f.key, f.given, title, f.checksum())
        yield DocumentResult(info, GraphWriter(info).quads)
