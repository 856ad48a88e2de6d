"""`collabgraph extract` and `collabgraph evaluate`: extraction without building, and scoring it against gold.

`extract` prints what each document supports (entities, relations with evidence) as
JSON or tables; `evaluate` scores extractions against gold YAML files written as
../shared/gold/README.md describes, so analysts can measure the extractor on their
own annotated documents.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from collabgraph.graph.build import BUNDLED_DATA
from collabgraph.loaders.evaluate import Score, gold_for, load_gold, score_document
from collabgraph.loaders.output import document_json
from collabgraph.loaders.pipeline import extract_documents
from collabgraph.loaders.register import Register, load_register
from collabgraph.loaders.sources import discover

from .app import DocumentSeconds, app, err, failing_cleanly, out

Paths = Annotated[list[Path], typer.Argument(help="Document files or folders")]
RegisterDir = Annotated[Path | None, typer.Option("--register", help="Register folder to link names to "
                                                     "[default: the bundled data/register]")]
NoRegister = Annotated[bool, typer.Option("--no-register", help="Extract by grammar alone, without the register")]


def _register(register: Path | None, no_register: bool) -> Register | None:
    if no_register:
        return None
    return load_register(register or BUNDLED_DATA / "register")


def _documents(paths: list[Path], register: Register | None, seconds: float | None = None):
    """(document JSON, DocumentResult) per readable document; unreadable ones are reported on stderr."""
    found = discover(list[str | Path](paths))
    for refused in found.refused:
        err.print(f"[yellow]warning:[/yellow] {refused}", highlight=False)
    if not found.documents:
        raise ValueError(f"no documents (.txt, .md, .html, .htm, .pdf) in {', '.join(map(str, paths))}")
    for result in extract_documents(found.documents, register, seconds):
        for warning in result.warnings:
            err.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
        if result.error:
            err.print(f"[red]skipped:[/red] {result.error}", highlight=False)
            continue
        info = result.source
        yield document_json(info.local, info.title, info.date, result.extraction), result


@app.command()
def extract(paths: Paths, format: Annotated[str, typer.Option("--format", "-f", help="json or table")] = "table",
            register: RegisterDir = None, no_register: NoRegister = False,
            document_seconds: DocumentSeconds = None) -> None:
    """Extract entities and relations from documents without building the dataset."""
    if format not in ("json", "table"):
        err.print(f"[red]error:[/red] unknown format {format!r}; choose json or table")
        raise typer.Exit(2)
    with failing_cleanly():
        docs = [d for d, _ in _documents(paths, _register(register, no_register), document_seconds)]
    if format == "json":
        out.file.write(json.dumps({"documents": docs}, indent=2, ensure_ascii=False) + "\n")
        return
    for d in docs:
        _print_document(d)


def _print_document(d: dict) -> None:
    names = {e["id"]: e["name"] for e in d["entities"]}
    ents = Table("type", "name", "aliases", title=f"{d['source']}: {d['title'][:80]}", title_justify="left")
    for e in d["entities"]:
        ents.add_row(e["type"], e["name"], ", ".join(e["aliases"]))
    rels = Table("subject", "predicate", "object", "evidence")
    for r in d["relations"]:
        rels.add_row(names[r["subject"]], r["predicate"], names[r["object"]], r["evidence"][:90])
    out.print(ents)
    out.print(rels)


@app.command()
def evaluate(paths: Paths,
             gold: Annotated[Path, typer.Option("--gold", help="Folder of gold YAML files named after the documents")],
             show: Annotated[bool, typer.Option("--show", help="List every miss and false positive")] = False,
             format: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
             register: RegisterDir = None, no_register: NoRegister = False) -> None:
    """Precision, recall and F1 per entity type and per predicate against gold annotations."""
    if format not in ("json", "table"):
        err.print(f"[red]error:[/red] unknown format {format!r}; choose json or table")
        raise typer.Exit(2)
    with failing_cleanly():
        if not gold.is_dir():
            raise FileNotFoundError(f"{gold}: gold folder not found")
        total, scored = Score(), 0
        for doc, result in _documents(paths, _register(register, no_register)):
            gold_file = gold_for(Path(result.source.local), gold)
            if gold_file is None:
                err.print(f"[yellow]warning:[/yellow] {result.source.local}: no gold file {Path(result.source.local).stem}.yaml "
                          f"in {gold}; not scored", highlight=False)
                continue
            total.add(score_document(doc, load_gold(gold_file)))
            scored += 1
        if not scored:
            raise ValueError(f"none of the documents has a gold file in {gold}")
    _print_scores(total, scored, show, format)


def _print_scores(total: Score, scored: int, show: bool, format: str) -> None:
    figures = total.table()
    if format == "json":
        data = {"documents": scored, "figures": figures}
        if show:
            data |= {"misses": total.misses, "false_positives": total.false_positives}
        out.file.write(json.dumps(data, indent=2) + "\n")
        return
    table = Table("scored", "precision", "recall", "F1", "tp", "fp", "fn", title=f"{scored} document(s)")
    for key, f in figures.items():
        style = "bold" if key in ("entities", "relations") else ""
        table.add_row(key.replace("entity:", "entity ").replace("relation:", "relation "), f"{f['precision']:.3f}",
                      f"{f['recall']:.3f}", f"{f['f1']:.3f}", str(f["tp"]), str(f["fp"]), str(f["fn"]), style=style)
    out.print(table)
    if show:
        out.print("[bold]misses[/bold]")
        for m in total.misses:
            out.print(f"  - {m}", highlight=False, markup=False)
        out.print("[bold]false positives[/bold]")
        for m in total.false_positives:
            out.print(f"  - {m}", highlight=False, markup=False)
