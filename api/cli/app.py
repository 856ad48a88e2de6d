"""The typer application the commands register on, and what every command shares: the ``--data-dir`` option,
the consoles, and turning the errors a user can fix into one line on stderr.

This module imports no command: each command module imports it and registers itself, and the package
(`collabgraph.api.cli`) imports the command modules, so there is no import circle.
"""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from collabgraph.graph import dataset
from collabgraph.graph.build import BuildError
from collabgraph.graph.collabgraph import CollabGraph
from collabgraph.graph.errors import DataDirBusy, NoDataset, QueryRefused, QueryTimeout
from collabgraph.graph.property import StoreUnavailable
from collabgraph.loaders.errors import SourceError
from collabgraph.loaders.limits import DOCUMENT_SECONDS, ENV_DOCUMENT_SECONDS

from ..settings import Settings
from .output import FORMATS

app = typer.Typer(help="collabgraph: a knowledge graph of regional health-research collaborations.",
                  no_args_is_help=True, add_completion=False)
query_app = typer.Typer(help="Run read-only SPARQL or Cypher queries.", no_args_is_help=True)
app.add_typer(query_app, name="query")

out = Console()
err = Console(stderr=True)

_data_dir: Path | None = None  # of the command running, for errors of the disk that say no path


def _remember_data_dir(value: Path | None) -> Path | None:
    global _data_dir
    _data_dir = dataset.data_dir(value)
    return value


DataDir = Annotated[Path | None, typer.Option("--data-dir", envvar=dataset.ENV_DATA_DIR, callback=_remember_data_dir,
                                                 help="Data directory [default: .collabgraph]")]
DocumentSeconds = Annotated[float | None, typer.Option(
    "--document-seconds", envvar=ENV_DOCUMENT_SECONDS, min=0.001,
    help=f"Time budget per document; a document not extracted in time is skipped with an error [default: {DOCUMENT_SECONDS:g}]")]
Format = Annotated[str, typer.Option("--format", "-f", help=f"Output format: {', '.join(FORMATS)}")]


def open_graph(data_dir: Path | None, limits: bool = False) -> CollabGraph:
    """The read model of the data directory for one command (use it as a context manager, so the SPARQL worker
    and the property-graph server it starts stop with the command). With `limits`, queries get the server's
    limits (COLLABGRAPH_SPARQL_* ...; a bad value is a clear error), else the defaults."""
    root = dataset.data_dir(data_dir)
    return CollabGraph(root, Settings.from_env(data_dir=root) if limits else None)


@contextlib.contextmanager
def failing_cleanly():
    """Turn the errors a user can fix into one line on stderr and exit code 1."""
    try:
        yield
    except (SourceError, BuildError, DataDirBusy, NoDataset, QueryRefused, QueryTimeout, StoreUnavailable, OSError,
            ValueError, SyntaxError) as exc:
        err.print(f"[red]error:[/red] {_one_line(exc)}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def _one_line(exc: Exception) -> str:
    """The error as one line; a failing disk or file system (full, read-only, not permitted) names its path."""
    if isinstance(exc, OSError) and exc.filename and not isinstance(exc, FileNotFoundError):
        text = f"{exc.filename}: {exc.strerror or exc}"
    elif isinstance(exc, OSError) and exc.strerror:  # a write that failed says no path: name the data directory
        text = f"{exc.strerror} (data directory {_data_dir})" if _data_dir else exc.strerror
    else:
        text = str(exc)
    return " ".join(text.split())


