"""Finding sources: which files under the given paths are documents or register files.

Each document gets a *source key*, its stable name in the dataset: the file name
for a file given directly, ``<folder>/<path inside it>`` for a file found in a
folder. The key names the source's graph, so rebuilding a changed file replaces
exactly that graph.

The dataset and its answers name a source by its *label*, the path inside the
folder it was given in (the file name for a file given directly), never by the
machine's absolute path, which stays in the build manifest and the operator's
log. A symbolic link inside a folder is read only if it points inside that
folder: a link to ``/etc/passwd`` in a folder of press releases is refused with
a warning naming it.

Funders' open data (`loaders.structured`: GtR JSON or CSV, NIHR awards CSV or JSON) is a source too,
one named graph per file like a document: a ``.json`` or ``.csv`` file in a ``gtr/`` or ``nihr/`` folder,
or one whose columns or keys say what it is. Its `SourceFile.format` names its reader.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

DOCUMENT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")
REGISTER_FOLDER = "register"


@dataclass(frozen=True)
class SourceFile:
    key: str
    path: Path
    given: str  # the path as the user wrote it, for messages and the manifest
    label: str = ""  # the path inside the folder it was given in: what the dataset calls it
    format: str = ""  # "" for a document, else the reader of a structured source ("gtr", "nihr")

    @property
    def shown(self) -> str:
        return self.label or self.path.name

    def checksum(self) -> str:
        digest = hashlib.sha256()
        with open(self.path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        return "sha256:" + digest.hexdigest()


@dataclass
class Discovered:
    documents: list[SourceFile]
    register_dirs: list[Path]
    skipped: list[Path]  # files of a kind collabgraph does not read
    refused: list[str] = field(default_factory=list)  # one line per symbolic link out of its folder


def discover(paths: list[str | Path]) -> Discovered:
    """Documents and register folders under files and folders; FileNotFoundError names a missing path."""
    from .structured import format_of  # imported here: the structured readers import this module

    found = Discovered([], [], [])
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise FileNotFoundError(f"{given}: no such file or folder")
        if path.is_file():
            found.documents.append(SourceFile(path.name, path, str(given), path.name, format_of(path) or ""))
            continue
        inside = path.resolve()
        for child in sorted(path.rglob("*")):
            rel = child.relative_to(path)
            if child.is_symlink() and not child.resolve().is_relative_to(inside):
                found.refused.append(f"{child}: symbolic link to {'a folder' if child.is_dir() else 'a file'} "
                                     f"outside {given}; not read")
                continue
            if not child.is_file():
                continue
            if rel.parts[0] == REGISTER_FOLDER:
                if path / REGISTER_FOLDER not in found.register_dirs:
                    found.register_dirs.append(path / REGISTER_FOLDER)
            elif child.suffix.lower() in DOCUMENT_SUFFIXES and not child.name.startswith("."):
                found.documents.append(SourceFile(f"{inside.name}/{rel.as_posix()}", child, str(child), rel.as_posix()))
            elif not child.name.startswith(".") and (kind := format_of(child, rel.parts[0] if len(rel.parts) > 1 else None)):
                found.documents.append(SourceFile(f"{inside.name}/{rel.as_posix()}", child, str(child), rel.as_posix(), kind))
            elif not child.name.startswith("."):
                found.skipped.append(child)
    return found
