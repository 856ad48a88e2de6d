"""`collabgraph build`: extract the sources into a new build, switch to it, sync the property graph."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from collabgraph.graph import dataset
from collabgraph.graph.build import build as run_build
from collabgraph.graph.property import sync_current

from .app import DataDir, DocumentSeconds, app, err, failing_cleanly, out


@app.command()
def build(sources: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: the bundled data/)")] = None,
          register: Annotated[Path | None, typer.Option(
              help="Register folder (default: a register/ folder in the sources, else the bundled one)")] = None,
          add: Annotated[bool, typer.Option("--add", help="Add or refresh these sources, keep the others")] = False,
          remove: Annotated[list[str] | None, typer.Option("--remove", help="Remove a source (key or path) from the dataset")] = None,
          workers: Annotated[int | None, typer.Option(min=1, help="Processes that extract documents (default: one per CPU)")] = None,
          document_seconds: DocumentSeconds = None,
          data_dir: DataDir = None) -> None:
    """Build the dataset from sources; switches to the new build only when it succeeds."""
    root = dataset.data_dir(data_dir)
    with failing_cleanly(), _progress() as progress:
        task = progress.add_task("extracting", total=None)
        report = run_build(root, None if sources is None else list[str | Path](sources), register_dir=register, add=add, remove=remove,
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
