"""The `collabgraph` command: build, validate, export, query and inspect the graph.

Every command takes ``--data-dir`` (or $COLLABGRAPH_DATA_DIR; default
``.collabgraph``). On failure a command prints one line saying what went wrong
and exits non-zero. The typer app lives in `app`; each command module registers
its commands on it when imported here.
"""
from . import build, cypher, data, extract, neo4j_import, register, serve  # noqa: F401  register the commands
from .app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
