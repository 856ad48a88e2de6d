"""Errors raised by loaders; each names the file (and line, where known)."""
from __future__ import annotations

from pathlib import Path


class SourceError(Exception):
    """A source that cannot be loaded. The message starts with 'file:line:'."""

    def __init__(self, path: Path | str, problem: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {problem}")
