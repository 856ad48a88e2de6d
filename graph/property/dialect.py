"""Where FalkorDB's Cypher and Neo4j's differ, for the queries analysts bring from one to the other.

Two uses: ``shortest_chain`` is the query each backend needs for the shortest chain of
partnerships between two organisations (the store picks it, the notebooks use it), and
``hint`` turns a store's refusal of the other backend's dialect into the same question
written for this backend, so ``MATCH p = shortestPath((a)-[*..4]-(b))`` sent to FalkorDB
gets a query it can run rather than a bare 400. The README's dialect table lists the
differences; every FalkorDB form here is exercised on the real FalkorDB in the tests.
"""
from __future__ import annotations

import re

#: Longest chain the path queries accept (the bound is written into the query: Cypher takes no parameter there).
MAX_HOPS = 10

#: Undirected, because each partnership is stored once (lower IRI to higher). FalkorDB's shortestPath()
#: only follows one direction and only in WITH/RETURN, so it gets algo.SPpaths with relDirection 'both'.
_CHAIN = {
    "neo4j": "MATCH (a:Organisation {{id: $a}}), (b:Organisation {{id: $b}}) "
             "MATCH p = shortestPath((a)-[:PARTNERS_WITH*..{hops}]-(b)) "
             "RETURN [n IN nodes(p) | n.name] AS chain, length(p) AS hops",
    "falkordb": "MATCH (a:Organisation {{id: $a}}), (b:Organisation {{id: $b}}) "
                "CALL algo.SPpaths({{sourceNode: a, targetNode: b, relTypes: ['PARTNERS_WITH'], relDirection: 'both', "
                "maxLen: {hops}, pathCount: 1}}) YIELD path "
                "RETURN [n IN nodes(path) | n.name] AS chain, length(path) AS hops",
}

#: Procedures with the same job and a different name: Neo4j's on the left, FalkorDB's on the right.
SAME_PROCEDURE = {
    "db.index.fulltext.queryNodes": "db.idx.fulltext.queryNodes",
    "db.index.fulltext.queryRelationships": "db.idx.fulltext.queryRelationships",
    "db.index.vector.queryNodes": "db.idx.vector.queryNodes",
    "db.index.vector.queryRelationships": "db.idx.vector.queryRelationships",
}

#: ``[p =] shortestPath((a ...)-[:T*..n]-(b ...))`` with simple node patterns (no nested parentheses).
_SHORTEST = re.compile(r"""(?:(?P<var>\w+)\s*=\s*)?(?P<fn>shortestPath|allShortestPaths)\s*\(\s*
    \((?P<a>[^()]*)\)\s*(?P<left><?)-\s*\[(?P<rel>[^\]]*)\]\s*-(?P<right>>?)\s*\((?P<b>[^()]*)\)\s*\)""",
                       re.IGNORECASE | re.VERBOSE)
_HOPS = re.compile(r"\*\s*(?:\d+)?\s*(?:\.\.\s*(?P<max>\d+))?")
_NODE_VAR = re.compile(r"^\s*(\w+)")


def shortest_chain(backend: str, max_hops: int = 4) -> str:
    """The query (parameters $a and $b: organisation ids) giving ``chain`` (names) and ``hops`` on this backend."""
    if not isinstance(max_hops, int) or isinstance(max_hops, bool) or not 1 <= max_hops <= MAX_HOPS:
        raise ValueError(f"max_hops must be a whole number from 1 to {MAX_HOPS}, not {max_hops!r}")
    return _CHAIN[backend].format(hops=max_hops)


def other_backend(backend: str) -> str:
    return "neo4j" if backend == "falkordb" else "falkordb"


def procedure_hint(backend: str, name: str) -> str:
    """What to call instead of the other backend's procedure ``name`` ('' when it has no counterpart)."""
    pairs = SAME_PROCEDURE if backend == "falkordb" else {v: k for k, v in SAME_PROCEDURE.items()}
    if name in pairs:
        return f"; {name} is {_title(other_backend(backend))}'s, here call {pairs[name]}"
    if backend == "neo4j" and name.startswith("algo."):
        return ("; algo.* are FalkorDB's procedures: on Neo4j write MATCH p = shortestPath((a)-[*..4]-(b)) "
                "for paths, or use the networkx views (graph.network) for centrality and communities")
    return ""


def hint(backend: str, cypher: str, message: str) -> str:
    """The same question in this backend's dialect, for a refusal ``message`` of ``cypher`` ('' if none applies)."""
    if backend != "falkordb":
        return ""
    lowered = message.lower()
    if "shortestpath" in lowered or "allshortestpaths" in lowered or "must already be resolved" in lowered:
        return _shortest_path_hint(cypher)
    for neo4j_name, falkordb_name in SAME_PROCEDURE.items():
        if f"`{neo4j_name.lower()}` is not registered" in lowered:
            return f"FalkorDB names this procedure {falkordb_name} (Neo4j: {neo4j_name}); see the dialect table"
    if "unknown function 'elementid'" in lowered:
        return "FalkorDB has no elementId(); use id(n)"
    if "unknown function 'datetime'" in lowered:
        return "FalkorDB has no datetime(); use localdatetime(), or compare the ISO date strings the graph stores"
    if "support =~" in lowered:
        return ("FalkorDB has no regular expressions (=~); use toLower(n.name) CONTAINS 'text', STARTS WITH "
                "or ENDS WITH, or the full-text index (CALL db.idx.fulltext.queryNodes)")
    return ""


def _shortest_path_hint(cypher: str) -> str:
    translated = translate_shortest_path(cypher)
    if translated is None:
        return ("FalkorDB takes shortestPath() only in WITH or RETURN, between nodes already matched, and only in "
                "one direction; for Neo4j's undirected MATCH p = shortestPath((a)-[*..4]-(b)) write MATCH (a ...), "
                "(b ...) CALL algo.SPpaths({sourceNode: a, targetNode: b, relDirection: 'both', maxLen: 4, "
                "pathCount: 1}) YIELD path (see the dialect table)")
    return (f"FalkorDB has no shortestPath() or allShortestPaths() in MATCH, nor undirected ones; in FalkorDB's "
            f"Cypher the same query is: {translated}")


def translate_shortest_path(cypher: str) -> str | None:
    """Neo4j's ``MATCH p = shortestPath((a ...)-[:T*..n]-(b ...)) ...`` as FalkorDB Cypher (algo.SPpaths), or None.

    Only the common form is translated: both ends named, simple node patterns, an upper hop bound or none
    (then MAX_HOPS). A WHERE right after the pattern still applies: it follows the WITH that names the path.
    """
    m = _SHORTEST.search(cypher)
    a, b = (_NODE_VAR.match(m["a"]), _NODE_VAR.match(m["b"])) if m else (None, None)
    hops = _HOPS.search(m["rel"]) if m else None
    if not (a and b and hops):
        return None
    rel = m["rel"].split("*")[0]
    types = [t.strip(" `") for t in rel.split(":", 1)[1].split("|")] if ":" in rel else []
    direction = "incoming" if m["left"] and not m["right"] else "outgoing" if m["right"] and not m["left"] else "both"
    config = [f"sourceNode: {a[1]}", f"targetNode: {b[1]}"]
    config += [f"relTypes: [{', '.join(repr(t) for t in types if t)}]"] if any(types) else []
    config += [f"relDirection: '{direction}'", f"maxLen: {hops['max'] or MAX_HOPS}",
               f"pathCount: {1 if m['fn'].lower() == 'shortestpath' else 0}"]
    path = m["var"] or "path"
    named = "" if path == "path" else f" WITH *, path AS {path}"
    return (f"{cypher[:m.start()]}({m['a'].strip()}), ({m['b'].strip()}) "
            f"CALL algo.SPpaths({{{', '.join(config)}}}) YIELD path{named}{cypher[m.end():]}")


def _title(backend: str) -> str:
    return {"falkordb": "FalkorDB", "neo4j": "Neo4j"}[backend]
