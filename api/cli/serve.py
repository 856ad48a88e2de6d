"""`collabgraph serve`: the REST API, SPARQL and Cypher endpoints and the views, with uvicorn."""
from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from typing import Annotated

import typer

from ..settings import Settings
from .app import DataDir, app, err, failing_cleanly


@app.command()
def serve(host: Annotated[str | None, typer.Option(
              help="Interface to bind (default 127.0.0.1: this machine only; another address needs COLLABGRAPH_API_KEY)")] = None,
          port: Annotated[int | None, typer.Option(help="Port (default 8000)")] = None,
          allow_public_without_key: Annotated[bool | None, typer.Option(
              "--allow-public-without-key", help="Serve a non-loopback address without an API key (anyone who "
                                                 "can reach it may query); also COLLABGRAPH_ALLOW_PUBLIC_WITHOUT_KEY=1")] = None,
          data_dir: DataDir = None) -> None:
    """Serve the current build: REST API (/docs), SPARQL (/sparql), Cypher (/cypher) and the network view (/view).

    Settings come from COLLABGRAPH_* variables: CORS_ORIGINS, API_KEY, ALLOWED_HOSTS, MAX_BODY_BYTES,
    SPARQL_TIMEOUT, SPARQL_ROW_LIMIT, SPARQL_WORKERS, SPARQL_QUEUE, SPARQL_WORKER_MEMORY_MB,
    SPARQL_MAX_RESPONSE_BYTES, SPARQL_SERVICE_ALLOWLIST, CYPHER_TIMEOUT, CYPHER_ROW_LIMIT, VIEW_NODE_LIMIT.
    """
    import uvicorn

    from ..web.app import create_app

    with failing_cleanly():
        settings = Settings.from_env(host=host, port=port, data_dir=data_dir,
                                     allow_public_without_key=allow_public_without_key or None, warm_indexes=True)
        _refuse_public_without_key(settings)
        if not is_loopback(settings.host) and not settings.allowed_hosts:
            err.print("[yellow]note:[/yellow] only requests addressed to localhost or the bound address are "
                      "answered; list the names clients use in COLLABGRAPH_ALLOWED_HOSTS", highlight=False)
        if not (Path(settings.data_dir) / "current").exists():
            err.print(f"[yellow]warning:[/yellow] no dataset in {settings.data_dir} yet: run 'collabgraph build'; "
                      "the API answers 503 until then.")
    err.print(f"serving {settings.data_dir} on http://{settings.host}:{settings.port}  (docs: /docs, view: /view)")
    uvicorn.run(create_app(settings.data_dir, settings), host=settings.host, port=settings.port, log_level="info")


def _refuse_public_without_key(settings: Settings) -> None:
    """A non-loopback address without an API key lets anyone who can reach it query: refuse unless told to."""
    if settings.api_key or is_loopback(settings.host):
        return
    if not settings.allow_public_without_key:
        raise ValueError(f"refusing to serve {settings.host} (reachable from other machines) without an API key: "
                         "set COLLABGRAPH_API_KEY, or bind 127.0.0.1, or pass --allow-public-without-key")
    err.print(f"[bold red]WARNING:[/bold red] serving {settings.host} WITHOUT an API key: anyone who can reach "
              "this address can run SPARQL and Cypher queries.", highlight=False)


def is_loopback(host: str) -> bool:
    """True when every address `host` names is a loopback one (127.0.0.0/8, ::1, localhost)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback for info in infos)
