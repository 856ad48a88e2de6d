"""Shared by the export tests: the bundled data built with the real CLI from a copy in a temporary folder."""
from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from collabgraph.api.cli import app
from collabgraph.graph.build import BUNDLED_DATA

_BUILT: dict[str, tuple[Path, Path]] = {}


def cli(*args) -> Result:
    """The collabgraph CLI, in-process; the click Result (exit_code, stdout, stdout_bytes, stderr)."""
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def bundled_build(tmp_path_factory) -> tuple[Path, Path]:
    """(the folder the sources were given in, the data directory), built once per test run."""
    if "bundled" not in _BUILT:
        root = tmp_path_factory.mktemp("exports")
        corpus = root / "corpus"
        shutil.copytree(BUNDLED_DATA / "documents", corpus / "documents")
        shutil.copytree(BUNDLED_DATA / "register", corpus / "register")
        data = root / "data"
        result = cli("build", corpus, "--data-dir", data)
        assert result.exit_code == 0, result.stderr
        _BUILT["bundled"] = (corpus, data)
    return _BUILT["bundled"]
