"""`collabgraph query sparql`: one query on a worker process, with the endpoint's checks and limits.

The command could query the store in its own process, but then a federated
query would reach the network, a deeply nested one would crash the command
(a stack overflow, exit 139) and a runaway sort would take all the memory. A
worker (`api.sparql_worker`) has no network, a memory cap, a large stack and
the server's timeout; the command only starts it, waits and prints the rows.
"""
from __future__ import annotations

from pathlib import Path

from pyoxigraph import QueryResultsFormat, parse_query_results

from collabgraph.graph import dataset
from collabgraph.graph.errors import NoDataset, QueryTimeout
from ..settings import Settings
from ..sparql_guard import check
from ..sparql_runner import SparqlRunner, WorkerFailed, WorkerUnavailable, worker_options, worker_request

_JSON = ("application/sparql-results+json", "JSON")


class SparqlFailed(ValueError):
    """The query could not be answered; the message is the worker's one-line reason."""


def run_query(root: Path, query: str, settings: Settings | None = None) -> tuple[list[str], list[dict]]:
    """(variables, rows) of a SELECT or ASK query over the union of all graphs of the current build."""
    settings = settings or Settings.from_env(data_dir=root)
    check(query, settings.sparql_service_allowlist)
    build = dataset.current_build(root)
    if build is None:
        raise NoDataset(root)
    runner = SparqlRunner(1, 0, worker_options(settings))
    try:
        answer = runner.run_now(worker_request(settings, str(build.store_path), query, _JSON, None),
                                settings.sparql_timeout)
    except QueryTimeout:
        raise QueryTimeout(f"the query ran longer than {settings.sparql_timeout:g} s and was stopped; narrow it or "
                           "raise COLLABGRAPH_SPARQL_TIMEOUT") from None
    except (WorkerFailed, WorkerUnavailable) as exc:
        raise SparqlFailed(str(exc)) from None
    finally:
        runner.close()
    if answer.status == 406:
        raise SparqlFailed("expected a SELECT or ASK query; CONSTRUCT and DESCRIBE return triples (use export)")
    if answer.status != 200:
        raise SparqlFailed(answer.body.decode(errors="replace").strip())
    return dataset.rows(parse_query_results(answer.body, format=QueryResultsFormat.JSON))
