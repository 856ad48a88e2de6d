"""The default graph of a build: the RDF merge of all its named graphs, as a set.

Oxigraph 0.5's union default graph (``use_default_graph_as_union``) returns a
triple once per named graph that holds it (oxigraph#1919, fixed after 0.5.13):
COUNT and SUM over it count a triple three sources state three times, and
CONSTRUCT and DESCRIBE repeat it. So a build stores the merge as the store's
real default graph, and queries that name no dataset read that graph. It is kept
up to date incrementally: the triples of a graph written are added to it; the
triples of a graph dropped are set aside in a scratch graph and leave the
default graph only if no named graph states them any more (`settle`).

Reading the store needs nothing but pyoxigraph from this module, so a SPARQL
worker can import it without the rest of the project.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import islice

from pyoxigraph import DefaultGraph, NamedNode, Quad, Store

#: Holds, during a build, the triples of the graphs dropped so far; never left in a finished build.
STALE_GRAPH = "urn:x-collabgraph:stale-triples"
_DEFAULT = DefaultGraph()

_SETTLE = f"""DELETE {{ ?s ?p ?o }} WHERE {{
  GRAPH <{STALE_GRAPH}> {{ ?s ?p ?o }}
  FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{STALE_GRAPH}>) }}
}}"""


def in_default_graph(quads: Iterable[Quad]) -> list[Quad]:
    """The same triples in the default graph (bulk-loaded beside their named quads; a set, so repeats merge)."""
    return [Quad(q.subject, q.predicate, q.object, _DEFAULT) for q in quads]


def nquads_with_default_copy(quads: Sequence[Quad]) -> bytes | None:
    """N-Quads text of ``quads`` followed by the same triples in the default graph; None when a quad holds a
    blank node (a loader of text would give it a new name, so those are loaded as objects).

    Made at C speed by pyoxigraph's own serialisation, where making a second Quad object
    of each quad (three terms read back into Python, then a Quad) took seven times as long.
    """
    text = "".join([f"{q} .\n" for q in quads])
    if "_:" in text:  # maybe a blank node (or only a literal that looks like one): objects are always right
        return None
    return (text + "".join([f"{q.triple} .\n" for q in quads])).encode()


def set_aside(store: Store, graph: str, batch: int) -> None:
    """Copy the triples of ``graph`` into the scratch graph before it is dropped, in batches of ``batch``."""
    quads = store.quads_for_pattern(None, None, None, NamedNode(graph))
    while chunk := list(islice(quads, batch)):
        set_aside_quads(store, chunk)


def set_aside_quads(store: Store, quads: list[Quad]) -> None:
    """Copy the triples of quads about to be removed into the scratch graph."""
    stale = NamedNode(STALE_GRAPH)
    store.bulk_extend([Quad(q.subject, q.predicate, q.object, stale) for q in quads])


def settle(store: Store) -> None:
    """Remove from the default graph the set-aside triples no named graph states any more; drop the scratch graph."""
    stale = NamedNode(STALE_GRAPH)
    if store.contains_named_graph(stale):
        store.update(_SETTLE)
        store.remove_graph(stale)


def remerge(store: Store, batch: int = 200_000) -> None:
    """Make the default graph the merge of the named graphs from scratch: for a store written without it (by an
    older collabgraph, or by hand); a build keeps it up to date by itself."""
    store.clear_graph(_DEFAULT)
    pending = []
    for q in store.quads_for_pattern(None, None, None, None):
        if not isinstance(q.graph_name, DefaultGraph):
            pending.append(Quad(q.subject, q.predicate, q.object, _DEFAULT))
        if len(pending) >= batch:
            store.bulk_extend(pending)
            pending = []
    store.bulk_extend(pending)


def is_merged(store: Store) -> bool:
    """Whether the store has its default graph (an empty store has nothing to merge and counts as merged)."""
    return next(iter(store.quads_for_pattern(None, None, None, _DEFAULT)), None) is not None or \
        next(iter(store.quads_for_pattern(None, None, None, None)), None) is None


def quad_count(store: Store) -> int:
    """Statements of the named graphs, once per graph that makes them (counted by the store, not in Python)."""
    return _count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")


def triple_count(store: Store) -> int:
    """Distinct triples of the dataset: the size of the stored merge, or of the union's distinct triples."""
    if is_merged(store):
        return _count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return _count(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")


def _count(store: Store, sparql: str) -> int:
    return int(next(iter(store.query(sparql)))["n"].value)  # type: ignore[arg-type]  # a SELECT: solutions


# Code with IRIs, strings and comments blanked, so FROM inside them is not taken for a dataset clause.
_NOT_CODE = re.compile(r"""<[^<>"{}|^`\\\s]*>|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\#[^\n]*""")
# FROM as a keyword: not a variable (?from), a prefixed name (ex:from, from:x) or part of a longer word.
_FROM = re.compile(r"(?<![\w?$:.-])FROM(?![\w:.-])", re.IGNORECASE)


def names_dataset(query: str) -> bool:
    """Whether the query has its own FROM or FROM NAMED (the only SPARQL keyword FROM)."""
    return bool(_FROM.search(_NOT_CODE.sub(" ", query)))


def query_options(store: Store, query: str, default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = ()) -> dict:
    """Store.query keyword arguments choosing the dataset by the SPARQL 1.1 rules.

    The protocol's ``default-graph-uri`` / ``named-graph-uri`` first (either one given
    fixes both sets; the other is then empty), else the query's FROM / FROM NAMED,
    which Oxigraph applies itself, else the project's dataset: the stored merge as
    the default graph and every named graph for GRAPH. A store without a merge is
    queried as the union of its named graphs.
    """
    if default_graphs or named_graphs:
        return {"default_graph": [NamedNode(g) for g in default_graphs],
                "named_graphs": [NamedNode(g) for g in named_graphs]}
    if names_dataset(query) or is_merged(store):
        return {}
    return {"use_default_graph_as_union": True}
