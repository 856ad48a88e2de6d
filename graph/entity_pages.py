"""What the search page and the entity pages of the web app show, read from the dataset (no HTTP here).

Each function returns the dict a page renders and its `.json` twin serves. The entity pages add to
`details` (the REST API's detail of an entity) what an analyst reads on a page: the organisation's
partners as a table of (partner, via which agreement or programme, since when, themes) with the evidence
of each row, the two organisations' names marked in its sentence. Every list is capped or paged.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from pyoxigraph import Store

from collabgraph.ontology import KINDS

from .dataset import query, rows
from .entities import _dates, _themes, describe_links, evidence_for, link_kinds, partner_edges, ref, related, summaries, values
from .name_index import MATCHES, NameIndex

#: Shortest query the search answers: one letter matches nearly every name.
MIN_QUERY = 2
#: Evidence sentences shown per partnership row.
MAX_EVIDENCE = 10
#: Rows of the partners table per page: each row's evidence is a lookup per link.
PARTNERS_PAGE = 25
#: Items of any one list on an entity page (a national funder may fund thousands of programmes).
MAX_LIST = 500


def capped(page: dict) -> dict:
    """The page with every list cut to MAX_LIST items; `capped` says which lists were cut, from how many."""
    cut = {k: len(v) for k, v in page.items() if isinstance(v, list) and len(v) > MAX_LIST}
    return {**{k: v[:MAX_LIST] if k in cut else v for k, v in page.items()}, "capped": cut}


def search(index: NameIndex, store: Store, q: str, kind: str | None, importance: Callable[[str], int],
           limit: int, offset: int) -> dict:
    """One page of the entities of every kind (or `kind`) whose name or alias matches `q`, best first,
    with how many match of each kind; `message` explains an empty or too-short query."""
    needle = " ".join((q or "").split())
    out: dict = {"q": needle, "kind": kind, "limit": limit, "offset": offset, "total": 0, "items": [],
                 "kinds": {k: 0 for k in KINDS}, "message": None}
    if len(needle) < MIN_QUERY:
        out["message"] = ("Type part of a name or alias (at least 2 characters) in the search box: organisations, "
                          "programmes, agreements, people and themes are searched." if not needle else
                          f"{needle!r} is too short: type at least {MIN_QUERY} characters of a name or alias.")
        return out
    found = index.ranked(KINDS, needle, importance)
    info = summaries(store, [e for e, _, _ in found])
    found = [f for f in found if info[f[0]]["kind"] in out["kinds"]]
    for e, _, _ in found:
        out["kinds"][info[e]["kind"]] += 1
    if kind:
        found = [f for f in found if info[f[0]]["kind"] == kind]
    out["total"] = len(found)
    shown = found[offset:offset + limit]
    regions = _regions(store, [e for e, _, _ in shown])
    out["items"] = [{**info[e], "region": regions.get(e), "match": MATCHES[tier], "matched": label,
                     "importance": importance(e)} for e, tier, label in shown]
    if not found:
        where = f" among {kind.lower()}s" if kind else ""
        out["message"] = f"Nothing{where} has a name or alias containing {needle!r}; try fewer or other letters."
    return out


def _regions(store: Store, entities: list[str]) -> dict[str, str]:
    if not entities:
        return {}
    _, found = rows(query(store, f"SELECT ?e (MIN(?r) AS ?region) WHERE {{ {values('e', entities)} ?e cg:region ?r }} "
                                 "GROUP BY ?e"))
    return {r["e"]: r["region"] for r in found}


def source_counts(store: Store) -> dict[str, int]:
    """{entity IRI: how many sources name it}, for every entity."""
    _, found = rows(query(store, "SELECT ?e (COUNT(DISTINCT ?g) AS ?n) WHERE { VALUES ?k { "
                                 + " ".join(f"cg:{k}" for k in KINDS) + " } ?e a ?k ; prov:wasDerivedFrom ?g } GROUP BY ?e"))
    return {r["e"]: r["n"] for r in found}


def partner_links(store: Store, origin: str) -> list[dict]:
    """Every direct link of the organisation to a partner, in partner then via name order: {"partner",
    "via" (the agreement or programme, None when a source states the partnership), "since", "themes"}.
    Cheap (no evidence), so the table can be counted and paged whatever the organisation's size."""
    edges = partner_edges(store, [origin])
    vias = sorted({v for found in edges.values() for v in found if v})
    info = summaries(store, [b for _, b in edges] + vias)
    dates, themes, kinds = _dates(store, vias), _themes(store, vias), link_kinds(store, vias)
    links = [{"partner": info[b], "kind": kinds[v] if v else "stated", "via": info[v] if v else None,
              "since": dates.get(v) if v else None, "themes": themes.get(v, []) if v else []}
             for (_, b), found in edges.items() for v in found]
    return sorted(links, key=lambda r: (r["partner"]["name"].lower(), r["partner"]["iri"], r["via"] is None,
                                        (r["via"] or {}).get("name", "").lower()))


def partner_rows(store: Store, origin: str, offset: int = 0, limit: int = PARTNERS_PAGE) -> dict:
    """One page of the partners table: {"total", "offset", "limit", "items"}, each row a `partner_links` row
    with its evidence (the sentences, both organisations' names marked, MAX_EVIDENCE a row)."""
    links = partner_links(store, origin)
    shown = links[offset:offset + limit]
    pairs: dict[tuple[str, str], set[str | None]] = {}
    for r in shown:
        pairs.setdefault((origin, r["partner"]["iri"]), set()).add(r["via"]["iri"] if r["via"] else None)
    described = describe_links(store, pairs)
    labels = _labels(store, [origin, *(b for _, b in pairs)])
    items = []
    for r in shown:
        b, via = r["partner"]["iri"], r["via"]["iri"] if r["via"] else None
        evidence = next((_unique(x["evidence"]) for x in described.get((origin, b), [])
                         if (x["via"] or {}).get("iri") == via), [])
        names = labels.get(origin, []) + labels.get(b, [])
        items.append({**r, "evidence_count": len(evidence),
                      "evidence": [{**e, "marked": marked(e["sentence"] or "", names)} for e in evidence[:MAX_EVIDENCE]]})
    return {"total": len(links), "offset": offset, "limit": limit, "items": items}


def partner_csv_rows(links: list[dict]) -> tuple[list[str], list[list]]:
    """The partners table (`partner_links`) as CSV columns and rows; the evidence is on the page and in the JSON."""
    columns = ["partner", "partner_id", "type", "link", "via", "via_id", "since", "themes"]
    return columns, [[r["partner"]["name"], r["partner"]["id"], r["partner"]["type"], r["kind"],
                      r["via"]["name"] if r["via"] else None, r["via"]["id"] if r["via"] else None, r["since"],
                      [t["name"] for t in r["themes"]]] for r in links]


def _unique(evidence: list[dict]) -> list[dict]:
    """One item per (source, sentence), sentences before statements without one: the same sentence supports
    the link for both organisations."""
    seen, out = set(), []
    for e in sorted(evidence, key=lambda e: e["sentence"] is None):
        key = ((e["source"] or {}).get("graph"), e["start"], e["sentence"])
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def _labels(store: Store, entities: Iterable[str]) -> dict[str, list[str]]:
    info = summaries(store, entities)
    return {e: [s["name"], *s["aliases"]] for e, s in info.items()}


def marked(sentence: str, names: Iterable[str]) -> list[dict]:
    """The sentence as pieces {"text", "mark"}, each occurrence of one of `names` (any case, longest first,
    whole words) a marked piece; templates escape the text of every piece."""
    words = sorted({n for n in names if n and len(n) >= 2}, key=len, reverse=True)
    if not words or not sentence:
        return [{"text": sentence, "mark": False}]
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)
    out, at = [], 0
    for m in pattern.finditer(sentence):
        if m.start() > at:
            out.append({"text": sentence[at:m.start()], "mark": False})
        out.append({"text": m.group(), "mark": True})
        at = m.end()
    if at < len(sentence):
        out.append({"text": sentence[at:], "mark": False})
    return out


def with_marked_evidence(store: Store, items: list[dict], names_of: Callable[[dict], list[str]]) -> list[dict]:
    """Items holding `evidence` lists, each cut to MAX_EVIDENCE (`evidence_count` says how many there are)
    with its sentence marked with the labels of the entities `names_of(item)` gives."""
    labels = _labels(store, {iri for item in items for iri in names_of(item)})
    out = []
    for item in items:
        names = [n for i in names_of(item) for n in labels.get(i, [])]
        evidence = _unique(item["evidence"])
        out.append({**item, "evidence_count": len(evidence),
                    "evidence": [{**e, "marked": marked(e["sentence"] or "", names)} for e in evidence[:MAX_EVIDENCE]]})
    return out


def programme_extras(store: Store, iri: str, page: dict) -> dict:
    """The programme page adds to the detail the evidence of each host, funder and partner (the programme's
    and the organisation's names marked), and its people: members of it, when it is also run as a body."""
    links = {"hosts": "hostedBy", "funders": "fundedBy", "partners": "partner"}
    evidence = evidence_for(store, [(iri, p, o["iri"]) for field, p in links.items() for o in page[field]])
    out = dict(page)
    for field, predicate in links.items():
        items = [{**o, "evidence": evidence.get((iri, predicate, o["iri"]), [])} for o in page[field]]
        out[field] = with_marked_evidence(store, items, lambda o: [iri, o["iri"]])
    out["people"] = related(store, f"?x cg:memberOf {ref(iri)} OPTIONAL {{ ?m org:member ?x ; "
                                   f"org:organization {ref(iri)} ; cg:roleTitle ?role }}")
    return out
