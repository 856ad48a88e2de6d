"""The `collabgraph` command: build, validate, export, query and inspect the graph.

Every command takes ``--data-dir`` (or $COLLABGRAPH_DATA_DIR; default
``.collabgraph``). On failure a command prints one line saying what went wrong
and exits non-zero.
"""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from collabgraph.graph import dataset
from collabgraph.graph.build import BuildError, build as run_build
from collabgraph.graph.errors import DataDirBusy, NoDataset, QueryRefused, QueryTimeout
from collabgraph.graph.export import ALIASES, FORMATS, export as export_dataset
from collabgraph.graph.property import StoreUnavailable, sync_current
from collabgraph.graph.stats import stats as dataset_stats
from collabgraph.graph.validate import validate as shacl_validate
from collabgraph.loaders.errors import SourceError
from collabgraph.loaders.limits import DOCUMENT_SECONDS, ENV_DOCUMENT_SECONDS
from .output import FORMATS, render

app = typer.Typer(help="collabgraph: a knowledge graph of regional health-research collaborations.",
                  no_args_is_help=True, add_completion=False)
query_app = typer.Typer(help="Run read-only SPARQL or Cypher queries.", no_args_is_help=True)
app.add_typer(query_app, name="query")

out = Console()
err = Console(stderr=True)

_data_dir: Path | None = None  # of the command running, for errors of the disk that say no path


def _remember_data_dir(value: Optional[Path]) -> Optional[Path]:
    global _data_dir
    _data_dir = dataset.data_dir(value)
    return value


DataDir = Annotated[Optional[Path], typer.Option("--data-dir", envvar=dataset.ENV_DATA_DIR, callback=_remember_data_dir,
                                                 help="Data directory [default: .collabgraph]")]
DocumentSeconds = Annotated[Optional[float], typer.Option(
    "--document-seconds", envvar=ENV_DOCUMENT_SECONDS, min=0.001,
    help=f"Time budget per document; a document not extracted in time is skipped with an error [default: {DOCUMENT_SECONDS:g}]")]
Format = Annotated[str, typer.Option("--format", "-f", help=f"Output format: {', '.join(FORMATS)}")]


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


@app.command()
def build(sources: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders (default: the bundled data/)")] = None,
          register: Annotated[Optional[Path], typer.Option(help="Register folder (default: a register/ folder in the sources, else the bundled one)")] = None,
          add: Annotated[bool, typer.Option("--add", help="Add or refresh these sources, keep the others")] = False,
          remove: Annotated[Optional[list[str]], typer.Option("--remove", help="Remove a source (key or path) from the dataset")] = None,
          workers: Annotated[Optional[int], typer.Option(min=1, help="Processes that extract documents (default: one per CPU)")] = None,
          document_seconds: DocumentSeconds = None,
          data_dir: DataDir = None) -> None:
    """Build the dataset from sources; switches to the new build only when it succeeds."""
    root = dataset.data_dir(data_dir)
    with failing_cleanly(), _progress() as progress:
        task = progress.add_task("extracting", total=None)
        report = run_build(root, sources, register_dir=register, add=add, remove=remove,
                           on_plan=lambda n: progress.update(task, total=n),
                           on_document=lambda r: progress.update(task, advance=1, description=r.source.key[-40:]),
                           workers=workers, document_seconds=document_seconds,
                           on_wait=lambda message: err.print(message, highlight=False, soft_wrap=True))
    _build_summary(report)
    for warning in report.warnings:
        err.print(f"[yellow]warning:[/yellow] {warning}", highlight=False, soft_wrap=True)
    for failed in report.failed:
        err.print(f"[red]skipped:[/red] {failed.message}", highlight=False, soft_wrap=True)
    with failing_cleanly():
        synced = sync_current(root)
    out.print(f"property graph ({synced.backend}): {synced.nodes} nodes, {synced.relationships} relationships "
              f"{'synced' if synced.changed else 'already up to date'} in {synced.seconds:.2f}s")
    if report.failed:
        err.print(f"[yellow]{len(report.failed)} source(s) could not be read; the others were built.[/yellow]")


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=True, disable=not err.is_terminal)


def _build_summary(report) -> None:
    table = Table("source", "status", "quads", "message", title="build summary")
    for s in sorted(report.sources, key=lambda s: s.key):
        style = {"failed": "red", "removed": "yellow", "unchanged": "dim"}.get(s.status, "")
        table.add_row(s.key, s.status, str(s.quads), s.message, style=style)
    out.print(table)
    out.print(f"{len(report.sources)} source(s), {report.register_files} register file(s), {report.quads} quads "
              f"in {report.seconds:.2f}s; extracted {report.extracted} document(s) at {report.docs_per_s:.1f} docs/s")


@app.command()
def validate(data_dir: DataDir = None) -> None:
    """Check the dataset against the SHACL shapes; exit 1 when it does not conform."""
    with failing_cleanly():
        violations = shacl_validate(dataset.open_store(dataset.data_dir(data_dir)))
    for v in violations:
        out.print(f"- {v}", highlight=False)
    if violations:
        err.print(f"[red]error:[/red] {len(violations)} SHACL violation(s)")
        raise typer.Exit(1)
    out.print("The dataset conforms to the collabgraph shapes.")


@app.command()
def export(format: Annotated[str, typer.Option("--format", "-f", help=f"{', '.join(FORMATS)} (also {', '.join(ALIASES)})")] = "nquads",
           out_file: Annotated[Optional[Path], typer.Option("--out", help="Write to this file instead of stdout")] = None,
           data_dir: DataDir = None) -> None:
    """Export the dataset in the formats and under the names of GET /export/{format} (N-Quads are sorted, so two
    builds can be compared with diff)."""
    with failing_cleanly():
        data = export_dataset(dataset.open_store(dataset.data_dir(data_dir)), format)
        if out_file:
            out_file.write_bytes(data)  # a full or read-only disk is one line too
    if out_file:
        err.print(f"wrote {len(data)} bytes to {out_file}")
    else:
        sys.stdout.buffer.write(data)


@query_app.command("sparql")
def query_sparql(query: Annotated[str, typer.Argument(help="A SPARQL SELECT or ASK query; cg:, skos:, org:, prov: ... are predeclared")],
                 format: Format = "table", data_dir: DataDir = None) -> None:
    """Run a SPARQL query (default graph: the merge of all graphs, or the query's FROM), with the endpoint's checks
    and limits (COLLABGRAPH_SPARQL_*)."""
    from .sparql_cli import run_query

    if format not in FORMATS:
        err.print(f"[red]error:[/red] unknown format {format!r}; choose one of {', '.join(FORMATS)}")
        raise typer.Exit(2)
    with failing_cleanly():
        columns, rows = run_query(dataset.data_dir(data_dir), query)
    render(columns, rows, format, out)


@app.command()
def stats(format: Format = "table", data_dir: DataDir = None) -> None:
    """Counts of entities by class, relations by predicate, sources, quads and distinct triples."""
    with failing_cleanly():
        figures = dataset_stats(dataset.open_store(dataset.data_dir(data_dir)))
    if format == "json":
        import json
        out.file.write(json.dumps(figures, indent=2) + "\n")
        return
    rows = [{"what": "quads", "count": figures["quads"]}, {"what": "distinct triples", "count": figures["triples"]},
            {"what": "named graphs", "count": figures["graphs"]},
            {"what": "sources", "count": figures["sources"]}]
    rows += [{"what": f"class {k}", "count": v} for k, v in figures["entities"].items()]
    rows += [{"what": f"relation {k}", "count": v} for k, v in figures["relations"].items()]
    render(["what", "count"], rows, format, out)


def main() -> None:
    app()


from . import cli_cypher  # noqa: E402,F401  registers query cypher
from . import cli_serve  # noqa: E402,F401  registers serve
from . import cli_extract  # noqa: E402,F401  registers extract and evaluate
from . import cli_neo4j_import  # noqa: E402,F401  registers export-neo4j
