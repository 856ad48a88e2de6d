"""A SELECT or ASK query answered as rows, for the command line and notebooks.

The caller could query the store in its own process, but then a federated
query would reach the network, a deeply nested one would crash it (a stack
overflow, exit 139) and a runaway sort would take all the memory. A worker
(`collabgraph.graph.sparql.worker`) has no network, a memory cap, a large stack
and the server's timeout; the caller only starts it, waits and reads the rows.
"""
from __future__ import annotations

from pyoxigraph import QueryResultsFormat, parse_query_results

from ..dataset import Build, rows
from ..errors import QueryTimeout
from ..limits import QueryLimits
from .runner import SparqlRunner, WorkerFailed, WorkerUnavailable, worker_request

_JSON = ("application/sparql-results+json", "JSON")


class SparqlFailed(ValueError):
    """The query could not be answered; the message is the worker's one-line reason."""


def select(runner: SparqlRunner, build: Build, query: str, limits: QueryLimits) -> tuple[list[str], list[dict]]:
    """(variables, rows) of a checked SELECT or ASK query over the union of all graphs of `build`."""
    try:
        answer = runner.run_now(worker_request(limits, str(build.store_path), query, _JSON, None),
                                limits.sparql_timeout)
    except QueryTimeout:
        raise QueryTimeout(f"the query ran longer than {limits.sparql_timeout:g} s and was stopped; narrow it or "
                           "raise COLLABGRAPH_SPARQL_TIMEOUT") from None
    except (WorkerFailed, WorkerUnavailable) as exc:
        raise SparqlFailed(str(exc)) from None
    if answer.status == 406:
        raise SparqlFailed("expected a SELECT or ASK query; CONSTRUCT and DESCRIBE return triples (use export)")
    if answer.status != 200:
        raise SparqlFailed(answer.body.decode(errors="replace").strip())
    return rows(parse_query_results(answer.body, format=QueryResultsFormat.JSON))
