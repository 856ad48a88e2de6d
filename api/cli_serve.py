"""`collabgraph serve`: the REST API, SPARQL and Cypher endpoints and the views, with uvicorn."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .cli import DataDir, app, err, failing_cleanly
from .settings import Settings


@app.command()
def serve(host: Annotated[Optional[str], typer.Option(help="Interface to bind (default 127.0.0.1: this machine only; 0.0.0.0 exposes it)")] = None,
          port: Annotated[Optional[int], typer.Option(help="Port (default 8000)")] = None,
          data_dir: DataDir = None) -> None:
    """Serve the current build: REST API (/docs), SPARQL (/sparql), Cypher (/cypher) and the network view (/view).

    Settings come from COLLABGRAPH_* variables: CORS_ORIGINS, API_KEY, SPARQL_TIMEOUT, SPARQL_ROW_LIMIT,
    CYPHER_TIMEOUT, CYPHER_ROW_LIMIT, VIEW_NODE_LIMIT, SPARQL_WORKERS.
    """
    import uvicorn

    from .app import create_app

    with failing_cleanly():
        settings = Settings.from_env(host=host, port=port, data_dir=data_dir)  # SettingsError is a ValueError
        if not (Path(settings.data_dir) / "current").exists():
            err.print(f"[yellow]warning:[/yellow] no dataset in {settings.data_dir} yet: run 'collabgraph build'; "
                      "the API answers 503 until then.")
    err.print(f"serving {settings.data_dir} on http://{settings.host}:{settings.port}  (docs: /docs, view: /view)")
    uvicorn.run(create_app(settings.data_dir, settings), host=settings.host, port=settings.port, log_level="info")
