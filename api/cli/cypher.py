"""`collabgraph query cypher`: read-only Cypher over the property graph (FalkorDB, or Neo4j when configured).

Registered on ``query_app`` when ``collabgraph.api.cli`` imports this module.
"""
from __future__ import annotations

import json
from typing import Annotated

import typer

from .app import DataDir, Format, err, failing_cleanly, open_graph, out, query_app
from .output import FORMATS, render


def parse_param(text: str) -> tuple[str, object]:
    """``name=value``: the value is read as JSON when it is JSON (numbers, lists, true, "quoted"), else as text."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip().isidentifier():
        raise ValueError(f"--param {text!r}: expected name=value, e.g. --param name='University of Exampleton'")
    try:
        return name.strip(), json.loads(value)
    except json.JSONDecodeError:
        return name.strip(), value


@query_app.command("cypher")
def query_cypher(query: Annotated[str, typer.Argument(help="One read-only Cypher statement, e.g. "
                                                           "\"MATCH (o:Organisation) RETURN o.name AS name\"")],
                 param: Annotated[list[str] | None, typer.Option("--param", "-p", help="A query parameter "
                                  "name=value, used as $name (repeatable; JSON values are typed)")] = None,
                 format: Format = "table",
                 timeout: Annotated[int, typer.Option(help="Stop the query after this many milliseconds")] = 5000,
                 limit: Annotated[int, typer.Option(help="Return at most this many rows")] = 1000,
                 data_dir: DataDir = None) -> None:
    """Run a read-only Cypher query on the property graph; writes are refused before they reach the store."""
    if format not in FORMATS:
        err.print(f"[red]error:[/red] unknown format {format!r}; choose one of {', '.join(FORMATS)}")
        raise typer.Exit(2)
    with failing_cleanly():
        params = dict(parse_param(p) for p in param or [])
        with open_graph(data_dir) as cg:
            columns, rows = cg.cypher_once(query, params, timeout_ms=timeout, limit=limit)
    render(columns, rows, format, out)
    if len(rows) == limit:
        err.print(f"[yellow]showing the first {limit} rows (--limit)[/yellow]")
