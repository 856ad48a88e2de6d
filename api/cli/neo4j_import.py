"""`collabgraph export-neo4j DIR`: the property graph as ``neo4j-admin database import`` files.

Registered on ``app`` when ``collabgraph.api.cli`` imports this module.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from collabgraph.graph.property import neo4j_import

from .app import DataDir, app, err, failing_cleanly, open_graph, out


@app.command("export-neo4j")
def export_neo4j(folder: Annotated[Path, typer.Argument(help="Folder for the CSV files (created if missing)")],
                 database: Annotated[str, typer.Option(help="Database name in the printed command")] = "neo4j",
                 data_dir: DataDir = None) -> None:
    """Write the property graph as CSV files for `neo4j-admin database import full`, for large Neo4j loads."""
    with failing_cleanly():
        with open_graph(data_dir) as cg:
            projection = cg.projection()
            build = cg.build().path.name
        files = neo4j_import.write(projection, folder, database, build)
    err.print(f"wrote {len(projection.nodes)} nodes in {len(files.nodes)} files and {len(projection.relationships)} "
              f"relationships in {len(files.relationships)} files to {folder}. With the Neo4j server stopped, run "
              f"{folder / 'import.sh'} (the command below, from {folder}), then cypher-shell -f "
              f"{folder / 'schema.cypher'}", highlight=False, soft_wrap=True)
    out.print(files.command, highlight=False, soft_wrap=True, markup=False)
