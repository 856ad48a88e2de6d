"""A SPARQL worker process: runs queries on the read-only store and serialises the results.

Queries run here rather than in the server because Oxigraph cannot cancel a
query: a query past its timeout is stopped by ending this process (see
`collabgraph.graph.sparql.runner`), so a runaway cartesian product never keeps a core busy
after its caller has been told it timed out.

The protocol on stdin/stdout is one JSON line per request and, per answer, one
JSON line ``{"status", "media_type", "length", "retire"}`` followed by `length`
bytes: the serialised result, or a plain-text message when status is not 200;
`retire` asks the pool to replace this worker (after an unexpected error, whose
state it should not trust). It imports nothing but pyoxigraph, the sandbox and
`graph.default_graph` (which needs only pyoxigraph; the prefixes and the base
IRI come with each request), so a replacement starts in about a tenth of a second.

Before answering anything a worker caps its own memory and, unless federation
is allowed, gives up the network (`collabgraph.graph.sparql.sandbox`). Queries run on a
thread with a large stack, because Oxigraph's parser and planner recurse once
per nesting level or chained operator; with the guard's length limit they
then never overflow it.
"""
from __future__ import annotations

import argparse
import json
import sys
import threading
from itertools import islice
from typing import BinaryIO

from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, Store, parse_query_results, serialize

from collabgraph.graph.default_graph import query_options

from .sandbox import SandboxUnavailable, forbid_network, limit_memory

#: The query thread's stack: deep enough for any query the guard lets through (100,000 characters).
STACK_BYTES = 256 << 20


class ResponseTooLarge(Exception):
    """The serialised answer passed the size limit; raised from inside Oxigraph's writer to stop it."""


class _BoundedBuffer:
    """A write target for Oxigraph's serialisers that stops them at `limit` bytes instead of filling memory."""

    def __init__(self, limit: int) -> None:
        self.limit, self.size = limit, 0
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise ResponseTooLarge()
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Oxigraph flushes its target when done; everything is already in memory."""

    def value(self) -> bytes:
        return b"".join(self.chunks)


def answer(store: Store, request: dict) -> tuple[int, str, bytes]:
    """(HTTP status, media type, body) for one request."""
    try:
        result = store.query(request["query"], prefixes=request["prefixes"], base_iri=request["base_iri"],
                             **query_options(store, request["query"], request.get("default_graphs") or [],
                                             request.get("named_graphs") or []))
        if isinstance(result, (QuerySolutions, QueryBoolean)):
            return _results(result, request)
        return _graph(result, request)
    except SyntaxError as exc:
        return 400, "text/plain", f"the query is not valid SPARQL 1.1: {exc}".encode()
    except PermissionError:  # the sandbox refused a socket: only SERVICE opens one
        return 400, "text/plain", b"the query tried to reach another server (SERVICE), which this endpoint does not do"
    except OSError as exc:
        return 503, "text/plain", f"the RDF store could not be read ({exc}); try again, or run 'collabgraph build'".encode()
    except ValueError as exc:
        return 400, "text/plain", f"the query could not be evaluated: {exc}".encode()


def _results(result, request: dict) -> tuple[int, str, bytes]:
    chosen = request.get("results")
    if chosen is None:
        return _not_acceptable("SELECT and ASK results", request["results_offered"])
    media, fmt = chosen
    if isinstance(result, QuerySolutions):
        result = _bounded_solutions(result, request["limit"])
        if isinstance(result, tuple):
            return result
    return _bounded(request, media, lambda out: result.serialize(out, format=getattr(QueryResultsFormat, fmt)))


def _bounded_solutions(result: QuerySolutions, limit: int):
    """The solutions again as a QuerySolutions, or a 400 answer when there are more than `limit`.

    Solutions are read once, written as SPARQL TSV (each term in its N-Triples
    form, so nothing is lost) and parsed back, so the result can be counted
    before anything is sent and still be serialised by Oxigraph in any format.
    """
    names = [v.value for v in result.variables]
    rows = list(islice(result, limit + 1))
    if len(rows) > limit:
        return 400, "text/plain", (f"the query returns more than {limit} rows, the limit of this endpoint: "
                                   "add LIMIT and OFFSET to page through the results, or download the "
                                   "whole dataset from /export/nq").encode()
    lines = ["\t".join("?" + n for n in names)]
    lines += ["\t".join("" if row[n] is None else str(row[n]) for n in names) for row in rows]
    return parse_query_results(("\n".join(lines) + "\n").encode(), format=QueryResultsFormat.TSV)


def _graph(result, request: dict) -> tuple[int, str, bytes]:
    chosen = request.get("graph")
    if chosen is None:
        return _not_acceptable("CONSTRUCT and DESCRIBE results", request["graph_offered"])
    media, fmt = chosen
    triples = list(islice(result, request["limit"] + 1))
    if len(triples) > request["limit"]:
        return 400, "text/plain", (f"the query returns more than {request['limit']} triples, the limit of this "
                                   "endpoint: narrow the CONSTRUCT, or download the dataset from /export/ttl").encode()
    prefixes = request["prefixes"] if fmt == "TURTLE" else None
    return _bounded(request, media, lambda out: serialize(triples, out, format=getattr(RdfFormat, fmt),
                                                          prefixes=prefixes))


def _bounded(request: dict, media: str, write) -> tuple[int, str, bytes]:
    """200 and what `write` serialised, or a 400 saying the answer is larger than the endpoint sends."""
    out = _BoundedBuffer(request["max_bytes"])
    try:
        write(out)
    except ResponseTooLarge:
        return 400, "text/plain", (f"the answer is larger than the {request['max_bytes'] // 1_000_000} MB this "
                                   "endpoint sends; select fewer or shorter values, or page with LIMIT and "
                                   "OFFSET").encode()
    return 200, media, out.value()


def _not_acceptable(what: str, offered: str) -> tuple[int, str, bytes]:
    return 406, "text/plain", f"none of the media types in the Accept header can hold {what}; ask for one of: {offered}".encode()


def serve(stdin: BinaryIO, stdout: BinaryIO) -> None:
    """Answer requests until stdin closes, keeping the store of the last build asked for open."""
    path, store = None, None
    for line in stdin:
        request = json.loads(line)
        retire = False
        try:
            if request["store"] != path:
                path, store = None, None  # let go of the previous build before opening the new one
                store, path = Store.read_only(request["store"]), request["store"]
            status, media, body = answer(store, request)
        except OSError as exc:
            status, media, body = 503, "text/plain", f"the RDF store could not be opened ({exc}); run 'collabgraph build'".encode()
        except MemoryError:
            status, media, body, retire = 500, "text/plain", _OUT_OF_MEMORY.encode(), True
        except Exception as exc:  # an Oxigraph evaluation error (RuntimeError) or a bug: say so, then be replaced
            message = f"the query failed while running: {type(exc).__name__}: {exc}".replace("\n", " ")[:500]
            status, media, body, retire = 500, "text/plain", message.encode(), True
        header = {"status": status, "media_type": media, "length": len(body), "retire": retire}
        stdout.write(json.dumps(header).encode() + b"\n")
        stdout.write(body)
        stdout.flush()
        if retire:
            return


_OUT_OF_MEMORY = ("the query needed more memory than a SPARQL worker may use (COLLABGRAPH_SPARQL_WORKER_MEMORY_MB) "
                  "and was stopped; narrow it (fewer rows to sort or group, shorter strings)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="SPARQL worker (started by collabgraph.graph.sparql.runner)")
    parser.add_argument("--memory-mb", type=int, required=True, help="address-space cap of this process")
    parser.add_argument("--network", action="store_true", help="keep the network (federated queries allowed)")
    args = parser.parse_args(argv)
    limit_memory(args.memory_mb)
    if not args.network:
        try:
            forbid_network()
        except SandboxUnavailable as exc:  # the guard in the server still refuses SERVICE
            print(f"warning: SPARQL worker keeps network access: {exc}", file=sys.stderr)
    threading.stack_size(STACK_BYTES)
    thread = threading.Thread(target=serve, args=(sys.stdin.buffer, sys.stdout.buffer), name="sparql-query")
    thread.start()
    thread.join()


if __name__ == "__main__":
    main()
