"""What a SPARQL query's text must pass before Oxigraph parses it: length, nesting depth, and no SERVICE.

* SERVICE makes Oxigraph send the query to any URL with its HTTP client (a
  request forgery against this machine's network), and pyoxigraph has no
  switch to turn it off. Federated queries are refused unless the operator
  lists the endpoints allowed (COLLABGRAPH_SPARQL_SERVICE_ALLOWLIST); then each
  SERVICE must name one of them as a full <IRI>. Workers that may not federate
  also have no network at all (`collabgraph.graph.sparql.sandbox`).
* Oxigraph's parser recurses once per nesting level and crashes the process
  (a stack overflow) past a few thousand levels, so the depth is counted first;
  the length is bounded because long operator chains (1+1+...) recurse too.

Why the raw text and not a tokenised one: `<` is an IRI or a less-than
depending on the grammar around it, so a tokeniser that guesses wrong can
take code for a string and miss a SERVICE. Instead every place where the word
could be the keyword is refused: "service" in any case, not the end of a
variable (?service) or of a prefixed name (ex:service), followed (after spaces,
comments and SILENT) by what a SERVICE call needs next: a variable, an <IRI>
or a prefixed name. Text in strings ("National Health Service") and IRIs
(<https://example.org/service/>) rarely looks like that and passes.
"""
from __future__ import annotations

import re

#: Longer than any hand-written query; long operator chains recurse in the parser like nesting does.
MAX_QUERY_CHARS = 100_000
#: Brackets ({ ( [) open at once; real queries use a handful, Oxigraph crashes past ~2,000 on an 8 MB stack.
MAX_DEPTH = 100

#: What SPARQL skips between tokens: white space and comments. Possessive, as SPARQL's own reading is: a
#: backtracking version takes exponential time on `service#service#...`.
_GAP = r"(?:\s|\#[^\n\r]*+)*+"
_CALL = re.compile(rf"""
    SERVICE {_GAP} (?:SILENT {_GAP})?
    (?: <(?P<iri>[^>]*)> | [?$] | [^\s<>(){{}}\[\]"'\#?$,;:]*+: )   # an <IRI>, a variable, a prefixed name
""", re.IGNORECASE | re.VERBOSE)
_WORD = re.compile("SERVICE", re.IGNORECASE)
#: Each possible keyword is read up to the token after it (past any comments); more than this many mentions
#: of the word is no real query, and refusing them keeps the check linear in the length of the query.
MAX_MENTIONS = 50
_OPEN, _CLOSE = "{([", "})]"


class QueryRejected(ValueError):
    """A query refused before parsing; the message is one line saying why and what to do."""


def check(query: str, allowed_services: tuple[str, ...] = ()) -> None:
    """QueryRejected when the query is too long, too deeply nested, or federated without permission."""
    if len(query) > MAX_QUERY_CHARS:
        raise QueryRejected(f"the query is {len(query):,} characters long, more than the {MAX_QUERY_CHARS:,} "
                            "this endpoint parses; shorten it")
    depth = nesting_depth(query)
    if depth > MAX_DEPTH:
        raise QueryRejected(f"the query nests brackets {depth} deep, more than the {MAX_DEPTH} levels this "
                            "endpoint parses; flatten it")
    mentions = [m.start() for m in _WORD.finditer(query)]
    if len(mentions) > MAX_MENTIONS:
        raise QueryRejected(f"the query mentions SERVICE {len(mentions)} times, more than the {MAX_MENTIONS} this "
                            "endpoint reads; federated queries are checked word by word")
    for start in mentions:
        call = None if _inside_name(query, start) else _CALL.match(query, start)
        if call:
            _check_service(call.group("iri"), allowed_services)


def nesting_depth(text: str) -> int:
    """The most brackets open at once, counting those in strings too (an over-count only refuses sooner)."""
    depth = deepest = 0
    for char in text:
        if char in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif char in _CLOSE:
            depth = max(0, depth - 1)
    return deepest


def _inside_name(text: str, start: int) -> bool:
    """True when the word at `start` ends a variable (?x_service) or a prefixed name's local part (ex:a-service).

    Only ASCII name characters are walked back over: any other character ends
    the walk and the word is treated as a possible keyword.
    """
    i = start
    while i > 0 and text[i - 1].isascii() and (text[i - 1].isalnum() or text[i - 1] in "_-"):
        i -= 1
    before = text[i - 1] if i > 0 else ""
    return (before in ("?", "$") and "-" not in text[i:start]) or before == ":"


def _check_service(endpoint: str | None, allowed: tuple[str, ...]) -> None:
    if not allowed:
        raise QueryRejected("federated queries (SERVICE) are disabled on this endpoint: it sends no queries to "
                            "other servers; the operator can list the endpoints allowed in "
                            "COLLABGRAPH_SPARQL_SERVICE_ALLOWLIST")
    if endpoint not in allowed:
        named = f"<{endpoint}>" if endpoint is not None else "a variable or prefixed name"
        raise QueryRejected(f"SERVICE may only call {', '.join(f'<{a}>' for a in allowed)} on this endpoint, "
                            f"written as a full <IRI>, not {named}")
