"""Structured sources: funders' open data (UKRI Gateway to Research, NIHR awards), read record by record
into the same ontology as documents, with no NLP.

`format_of` says which reader a file needs (by the folder it sits in, ``gtr/`` or ``nihr/``, else by its
columns or keys); `run` turns one file into the quads of its named graph.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Quad

from ..errors import SourceError
from ..rdf_writer import SourceInfo
from ..sources import SourceFile
from . import gtr, nihr
from .jsonstream import first_char
from .records import OrgLinker, project_quads

READERS = {"gtr": gtr.read, "nihr": nihr.read}
TITLES = {"gtr": "UKRI Gateway to Research", "nihr": "NIHR awards open data"}
SUFFIXES = (".json", ".csv")


@dataclass
class StructuredResult:
    """One structured source read: its graph's quads as a stream (only once `error` is None)."""

    source: SourceInfo
    quads: Iterator[Quad] = field(default_factory=lambda: iter(()))
    records: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


def format_of(path: Path, folder: str | None = None) -> str | None:
    """'gtr' or 'nihr' for a file of funders' open data, None for any other file."""
    if path.suffix.lower() not in SUFFIXES:
        return None
    if folder in READERS:
        return folder
    try:
        return _sniff(path)
    except (OSError, UnicodeDecodeError, csv.Error):
        return None


def _sniff(path: Path) -> str | None:
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        head = fh.read(8192)
    if path.suffix.lower() == ".csv":
        columns = {nihr.column(c) for c in next(csv.reader([head.splitlines()[0] if head else ""]), [])}
        if "projectreference" in columns and "leadroname" in columns:
            return "gtr"
        return "nihr" if columns & set(nihr.FIELDS["reference"]) and columns & set(nihr.FIELDS["organisation"]) else None
    if first_char(path) == "{" and re.search(r'"(project|organisation|fund|person)"\s*:\s*\[', head):
        return "gtr"
    return "nihr" if re.search(r'"(project_id|award_id|contracted_organisation)"', head) else None


def run(source: SourceFile, linker: OrgLinker) -> StructuredResult:
    """Read one structured source and link its organisations; a bad file gives `error` (one line naming the
    file and the record or field) and no quads, so the build keeps the graph it had."""
    info = SourceInfo(source.key, source.shown, f"{TITLES[source.format]}: {source.shown}", source.checksum(),
                      local=source.given)
    try:
        parsed = READERS[source.format](source.path)
    except SourceError as exc:
        return StructuredResult(info, error=_given(str(exc), source))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return StructuredResult(info, error=f"{source.given}: cannot read ({exc})")
    return StructuredResult(info, project_quads(info, parsed.projects, linker), len(parsed.projects), parsed.warnings)


def _given(message: str, source: SourceFile) -> str:
    return message.replace(str(source.path), source.given, 1)
