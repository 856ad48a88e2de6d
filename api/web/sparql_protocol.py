"""The SPARQL 1.1 Protocol's request side: where the query is, which dataset, which result format.

Three ways to send a query (https://www.w3.org/TR/sparql11-protocol/#query-operation):
GET with `query=`, POST of an urlencoded form, and POST of the bare query as
`application/sparql-query` (dataset parameters then in the URL). Parameters the
protocol does not define (SPARQLWrapper adds `format`, `output`, `results`) are
ignored. The result format follows the Accept header with q-values and
wildcards, separately for SELECT/ASK results and for CONSTRUCT/DESCRIBE graphs,
because which one applies is only known once the query is parsed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"

READ_ONLY_MESSAGE = ("this SPARQL endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, "
                     "ADD, MOVE, COPY) is not accepted. The dataset changes only when its sources change: edit the "
                     "documents or data/register/*.yaml and run 'collabgraph build'.")


class ProtocolError(Exception):
    """A request the endpoint cannot answer; `status` is the HTTP status to send."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass
class SparqlRequest:
    query: str
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)


def parse_request(method: str, content_type: str | None, url_params: dict[str, list[str]],
                  body: bytes) -> SparqlRequest:
    """The query and dataset of a protocol request; ProtocolError says what is wrong and how to send it."""
    media = (content_type or "").split(";")[0].strip().lower()
    params = {k: list(v) for k, v in url_params.items()}
    query: str | None = None
    if method == "POST":
        if media == FORM:
            for key, values in parse_qs(_text(body), keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
        elif media == QUERY_BODY:
            query = _text(body)
        elif media == UPDATE_BODY:
            raise ProtocolError(400, READ_ONLY_MESSAGE)
        else:
            raise ProtocolError(415, f"unsupported Content-Type {media or '(none)'!r}: POST the query as "
                                     f"{QUERY_BODY} or as a {FORM} form with a 'query' field")
    if params.get("update"):
        raise ProtocolError(400, READ_ONLY_MESSAGE)
    queries = params.get("query", [])
    if query is None:
        if len(queries) > 1:
            raise ProtocolError(400, "more than one 'query' parameter given; send exactly one query")
        query = queries[0] if queries else None
    elif queries:
        raise ProtocolError(400, f"the query is in the {QUERY_BODY} body; do not also pass a 'query' parameter")
    if query is None or not query.strip():
        raise ProtocolError(400, "no query given: pass a SPARQL query as the 'query' parameter "
                                 "(GET /sparql?query=SELECT...) or POST it as application/sparql-query")
    if looks_like_update(query):
        raise ProtocolError(400, READ_ONLY_MESSAGE)
    return SparqlRequest(query, _iris(params, "default-graph-uri"), _iris(params, "named-graph-uri"))


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(400, "the request body is not UTF-8 text; encode the query as UTF-8") from None


def _iris(params: dict[str, list[str]], name: str) -> list[str]:
    values = [v.strip() for v in params.get(name, []) if v.strip()]
    for v in values:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*", v):
            raise ProtocolError(400, f"{name}={v!r} is not an absolute IRI (like https://w3id.org/collabgraph/graph/derived)")
    return values


_NOT_CODE = re.compile(r"""<[^<>"{}|^`\\\s]*>|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\#[^\n]*""")
_PROLOGUE = re.compile(r"\s*(?:(?:PREFIX\s+[^\s:]*:\s*|BASE\s*)\s*)*", re.IGNORECASE)
_UPDATE = re.compile(r"(?:INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.IGNORECASE)


def looks_like_update(text: str) -> bool:
    """True when the operation after the prologue is a SPARQL Update, so the refusal can say why.

    Only for the message: the store is opened read-only and only its query
    parser ever sees the text, so an update that slips past this is still
    rejected, as a syntax error.
    """
    code = _NOT_CODE.sub(" ", text)
    return bool(_UPDATE.match(code, _PROLOGUE.match(code).end()))


def negotiate(accept: str | None, offered: tuple[tuple[str, str], ...]) -> tuple[str, str] | None:
    """The offered (media type, format) the Accept header likes best; None when it accepts none of them.

    Each offered type gets the q-value of the most specific range matching it
    (type/subtype over type/* over */*); the highest q wins and ties go to
    the server's order. No Accept header means the server's first choice.
    """
    ranges = _accept_ranges(accept)
    if not ranges:
        return offered[0]
    best, best_q = None, 0.0
    for media, fmt in offered:
        q = _quality(media, ranges)
        if q > best_q:
            best, best_q = (media, fmt), q
    return best


def _accept_ranges(accept: str | None) -> list[tuple[str, str, float]]:
    out = []
    for part in (accept or "").split(","):
        items = [p.strip() for p in part.split(";")]
        if not items[0] or "/" not in items[0]:
            continue
        kind, sub = (s.strip().lower() for s in items[0].split("/", 1))
        q = 1.0
        for param in items[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        out.append((kind, sub, q))
    return out


def _quality(media: str, ranges: list[tuple[str, str, float]]) -> float:
    kind, sub = media.split("/")
    best_specificity, q = -1, 0.0
    for r_kind, r_sub, r_q in ranges:
        if (r_kind, r_sub) == (kind, sub):
            specificity = 2
        elif r_kind == kind and r_sub == "*":
            specificity = 1
        elif (r_kind, r_sub) == ("*", "*"):
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity, q = specificity, r_q
    return q
