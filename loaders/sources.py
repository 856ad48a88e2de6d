"""Finding sources: which files under the given paths are documents or register files.

Each document gets a *source key*, its stable name in the dataset: the file name
for a file given directly, ``<folder>/<path inside it>`` for a file found in a
folder. The key names the source's graph, so rebuilding a changed file replaces
exactly that graph.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

DOCUMENT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")
REGISTER_FOLDER = "register"


@dataclass(frozen=True)
class SourceFile:
    key: str
    path: Path
    given: str  # the path as the user wrote it, kept in provenance

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


def discover(paths: list[str | Path]) -> Discovered:
    """Documents and register folders under files and folders; FileNotFoundError names a missing path."""
    found = Discovered([], [], [])
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise FileNotFoundError(f"{given}: no such file or folder")
        if path.is_file():
            found.documents.append(SourceFile(path.name, path, str(given)))
            continue
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            rel = child.relative_to(path)
            if rel.parts[0] == REGISTER_FOLDER:
                if path / REGISTER_FOLDER not in found.register_dirs:
                    found.register_dirs.append(path / REGISTER_FOLDER)
            elif child.suffix.lower() in DOCUMENT_SUFFIXES and not child.name.startswith("."):
                found.documents.append(SourceFile(f"{path.resolve().name}/{rel.as_posix()}", child, str(child)))
            elif not child.name.startswith("."):
                found.skipped.append(child)
    return found
