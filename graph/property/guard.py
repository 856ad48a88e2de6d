"""The read-only guard: refuses Cypher that could change the property graph, before it is sent.

The property graph is a projection of the RDF dataset, rebuilt at every build, so a
write would be lost at the next build and would make the two disagree. The stores
enforce read-only execution too (FalkorDB ``GRAPH.RO_QUERY``, Neo4j read
transactions); this guard gives the user a clear message first and covers
what a store might let through (a write procedure, an admin command).

The query is tokenised the way Cypher reads it: comments and string literals are
dropped, backticked names are names, and a word after ``.`` or ``:`` (a property,
a label, a relationship type) or before ``:`` (a map key) is not a clause. So
``WHERE n.name = 'CREATE'`` passes and ``MATCH (n) /* x */ DeTaCh DeLeTe n`` does not.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import QueryRefused
from . import dialect

#: Clauses that write, anywhere in a statement.
WRITE_CLAUSES = frozenset({"CREATE", "MERGE", "DELETE", "DETACH", "SET", "REMOVE", "DROP", "FOREACH", "LOAD"})
#: Administration commands, recognised at the start of a statement (they are ordinary words elsewhere).
ADMIN_COMMANDS = frozenset({"ALTER", "GRANT", "DENY", "REVOKE", "RENAME", "START", "STOP", "TERMINATE", "ENABLE",
                            "DEALLOCATE", "REALLOCATE"})
#: Clauses that reach beyond the collabgraph graph: another database (Neo4j's USE).
OUTSIDE_CLAUSES = frozenset({"USE"})
#: Commands that reach the server rather than the graph (Neo4j's SHOW USERS / SETTINGS / TRANSACTIONS: other
#: users' queries and parameters), recognised at the start of a statement.
OUTSIDE_COMMANDS = frozenset({"SHOW"})
#: Procedures that only read, per backend; anything else called with CALL is refused, since many procedures write.
#: FalkorDB's are those its own ``CALL dbms.procedures()`` lists with mode READ (FalkorDB 4.x, checked in
#: tests/test_cypher_dialect.py); Neo4j's are the read-only db.* procedures of its manual, without dbms.*.
READ_PROCEDURES = {
    "falkordb": ("db.labels", "db.relationshipTypes", "db.propertyKeys", "db.indexes", "db.constraints",
                 "db.meta.stats", "db.idx.fulltext.queryNodes", "db.idx.fulltext.queryRelationships",
                 "db.idx.vector.queryNodes", "db.idx.vector.queryRelationships", "dbms.procedures", "dbms.functions",
                 "algo.BFS", "algo.SPpaths", "algo.SSpaths", "algo.MSF", "algo.pageRank", "algo.betweenness",
                 "algo.WCC", "algo.labelPropagation"),
    "neo4j": ("db.labels", "db.relationshipTypes", "db.propertyKeys", "db.schema.visualization",
              "db.schema.nodeTypeProperties", "db.schema.relTypeProperties", "db.index.fulltext.queryNodes",
              "db.index.fulltext.queryRelationships", "db.index.vector.queryNodes", "db.index.vector.queryRelationships",
              "db.info", "db.ping"),
}
#: Function namespaces that reach files, the network, the server's configuration or run other Cypher (APOC and
#: dbms), refused wherever they are called, procedure or function (FalkorDB's two listing procedures excepted).
OUTSIDE_NAMESPACES = ("apoc.load.", "apoc.import.", "apoc.export.", "apoc.cypher.", "apoc.periodic.", "apoc.trigger.",
                      "apoc.systemdb.", "apoc.custom.", "apoc.config.", "apoc.static.", "apoc.log.", "apoc.bolt.",
                      "apoc.es.", "apoc.mongo.", "apoc.mongodb.", "apoc.couchbase.", "apoc.redis.", "apoc.util.",
                      "dbms.")

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<line_comment>//[^\n]*)
  | (?P<block_comment>/\*.*?(?:\*/|\Z))
  | (?P<string>'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")
  | (?P<open_string>['"])
  | (?P<quoted>`(?:``|[^`])*`)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
  | (?P<punct>.)
""", re.VERBOSE | re.DOTALL)


@dataclass(frozen=True)
class Token:
    kind: str   # word | name | string | number | punct
    text: str
    offset: int


def tokens(cypher: str) -> list[Token]:
    """Cypher split into tokens, without whitespace and comments."""
    out = []
    for m in _TOKEN.finditer(cypher):
        kind = m.lastgroup
        if kind in ("space", "line_comment", "block_comment"):
            continue
        if kind == "open_string":
            raise QueryRefused(f"unterminated string literal at {_where(cypher, m.start())}; the query was not run")
        out.append(Token("name" if kind == "quoted" else kind, m.group(), m.start()))
    return out


def check_read_only(cypher: str, backend: str | None = None) -> None:
    """Raise QueryRefused, naming the clause and where it is, if the query could write or reach beyond the graph.

    ``backend`` ("falkordb" or "neo4j") chooses the read-only procedures allowed; None allows only those
    read-only on both.
    """
    statements = _split(tokens(cypher))
    if not statements:
        raise QueryRefused("empty query: give one Cypher statement such as MATCH (o:Organisation) RETURN o.name")
    for statement in statements:
        _check_statement(cypher, statement, backend)
    if len(statements) > 1:
        second = statements[1][0]
        raise QueryRefused(f"more than one statement (a second one starts at {_where(cypher, second.offset)}); "
                           "send one statement per query")


def _split(toks: list[Token]) -> list[list[Token]]:
    statements: list[list[Token]] = []
    current: list[Token] = []
    for t in toks:
        if t.kind == "punct" and t.text == ";":
            if current:
                statements.append(current)
            current = []
        else:
            current.append(t)
    if current:
        statements.append(current)
    return statements


def _check_statement(cypher: str, toks: list[Token], backend: str | None) -> None:
    for i, t in enumerate(toks):
        if t.kind not in ("word", "name") or _is_name(toks, i):
            continue
        name = _dotted(toks, i)  # a backticked `apoc.load.json` is one name token
        if "." in name and name not in allowed_procedures(backend) and _outside(name):
            raise QueryRefused(f"{name} (at {_where(cypher, t.offset)}) reaches files, the network or the server "
                               f"(refused: {', '.join(p + '*' for p in OUTSIDE_NAMESPACES)})")
        if t.kind != "word":
            continue
        word = t.text.upper()
        if word in WRITE_CLAUSES or (i == 0 and word in ADMIN_COMMANDS):
            raise QueryRefused(f"{_clause(toks, i)} (at {_where(cypher, t.offset)}) would change the graph; Cypher "
                               "queries are read-only here (the property graph is rebuilt from the RDF dataset: "
                               "change the sources and run 'collabgraph build')")
        if word in OUTSIDE_CLAUSES or (i == 0 and word in OUTSIDE_COMMANDS):
            raise QueryRefused(f"{word} (at {_where(cypher, t.offset)}) reaches beyond the collabgraph graph (another "
                               "database, the server's users, settings or transactions); only queries on the "
                               "graph run here")
        if word == "CALL":
            _check_procedure(cypher, toks, i, backend)


def _is_name(toks: list[Token], i: int) -> bool:
    """A word used as a property, label, type, parameter or map key rather than as a keyword."""
    before = toks[i - 1].text if i > 0 and toks[i - 1].kind == "punct" else ""
    after = toks[i + 1].text if i + 1 < len(toks) and toks[i + 1].kind == "punct" else ""
    return before in (".", ":", "$") or (after == ":" and before in ("{", ","))


def _clause(toks: list[Token], i: int) -> str:
    word = toks[i].text.upper()
    follow = toks[i + 1].text.upper() if i + 1 < len(toks) and toks[i + 1].kind == "word" else ""
    if (word, follow) in {("DETACH", "DELETE"), ("LOAD", "CSV")}:
        return f"{word} {follow}"
    return word


def _dotted(toks: list[Token], i: int) -> str:
    """The dotted name starting at token i (``db.labels``, ``apoc.load.json``); '' if no name starts there."""
    parts, j = [], i
    while j < len(toks) and toks[j].kind in ("word", "name"):
        parts.append(toks[j].text.strip("`"))
        if not (j + 2 < len(toks) and toks[j + 1].text == "." and toks[j + 2].kind in ("word", "name")):
            break
        j += 2
    return ".".join(parts)


def _outside(name: str) -> bool:
    """In a namespace reaching beyond the graph; case-blind, as Neo4j resolves function names."""
    return any(name.lower().startswith(p) for p in OUTSIDE_NAMESPACES)


def allowed_procedures(backend: str | None) -> tuple[str, ...]:
    """The read-only procedures of a backend; of both when None."""
    if backend is not None:
        return READ_PROCEDURES[backend]
    return tuple(p for p in READ_PROCEDURES["falkordb"] if p in READ_PROCEDURES["neo4j"])


def _check_procedure(cypher: str, toks: list[Token], i: int, backend: str | None) -> None:
    """CALL name.space.proc(...) must be a read procedure of the backend; CALL { subquery } is checked like the rest."""
    name = _dotted(toks, i + 1)
    if not name:
        return
    allowed = allowed_procedures(backend)
    if name not in allowed:
        hint = dialect.procedure_hint(backend, name) if backend else ""
        raise QueryRefused(f"CALL {name} (at {_where(cypher, toks[i].offset)}) is not a known read-only procedure"
                           f"{' of ' + backend if backend else ''}{hint}; allowed: {', '.join(allowed)}")


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"
