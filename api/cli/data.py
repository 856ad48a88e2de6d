"""`collabgraph validate`, `export`, `stats` and `query sparql`: reading the current build."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from collabgraph.graph.export import ALIASES
from collabgraph.graph.export import FORMATS as EXPORT_FORMATS

from .app import DataDir, Format, app, err, failing_cleanly, open_graph, out, query_app
from .output import FORMATS, render


@app.command()
def validate(data_dir: DataDir = None) -> None:
    """Check the dataset against the SHACL shapes; exit 1 when it does not conform."""
    with failing_cleanly():
        with open_graph(data_dir) as cg:
            violations = cg.validate()
    for v in violations:
        out.print(f"- {v}", highlight=False)
    if violations:
        err.print(f"[red]error:[/red] {len(violations)} SHACL violation(s)")
        raise typer.Exit(1)
    out.print("The dataset conforms to the collabgraph shapes.")


@app.command()
def export(format: Annotated[str, typer.Option(
               "--format", "-f", help=f"{', '.join(EXPORT_FORMATS)} (also {', '.join(ALIASES)})")] = "nquads",
           out_file: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of stdout")] = None,
           data_dir: DataDir = None) -> None:
    """Export the dataset in the formats and under the names of GET /export/{format} (N-Quads are sorted, so two
    builds can be compared with diff)."""
    with failing_cleanly():
        with open_graph(data_dir) as cg:
            data = cg.export(format)
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
    if format not in FORMATS:
        err.print(f"[red]error:[/red] unknown format {format!r}; choose one of {', '.join(FORMATS)}")
        raise typer.Exit(2)
    with failing_cleanly():
        with open_graph(data_dir, limits=True) as cg:
            columns, rows = cg.sparql(query)
    render(columns, rows, format, out)


@app.command()
def stats(format: Format = "table", data_dir: DataDir = None) -> None:
    """Counts of entities by class, relations by predicate, sources, quads and distinct triples."""
    with failing_cleanly():
        with open_graph(data_dir) as cg:
            figures = cg.stats()
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
