"""What the source and register pages show: a document with what the extractor read in it, and why.

A document's page shows its text (its reading, `graph.readings`) with every mention marked and linked to
its entity, and every relation's sentence marked and listed as subject-predicate-object. The relations
come from the document's named graph (their `cg:start`/`cg:end` index the reading's text); the mentions
from the reading. No HTTP here: `layout` cuts the text into pieces a template renders (and escapes).
"""
from __future__ import annotations

from pyoxigraph import Store

from collabgraph.ontology import iris

from . import readings
from .dataset import Build, query, rows
from .entities import NotFound, ref, source_info, summaries

#: Relations listed on a source page (a real document has tens).
MAX_RELATIONS = 5000
#: What a funder's record says of its own project: the record is the evidence (`loaders.structured.records`).
RECORD_LINKS = "cg:hostedBy cg:partner cg:fundedBy cg:partOf"
_SOURCE = iris.GRAPH + "source/"
_REGISTER = iris.GRAPH + "register/"


def _graph(base: str, key: str, what: str) -> str:
    graph = base + key
    if not key or not all(c.isalnum() or c == "-" for c in key):
        raise NotFound(f"{key!r} is not a {what} key; find {what}s on an entity's page under Sources")
    return graph


def source(store: Store, build: Build, key: str) -> dict:
    """The document's facts, its relations (sentence, offsets, subject, predicate, object) and its reading
    (text and mentions, each mention with its entity); NotFound for a key that names no document."""
    graph = _graph(_SOURCE, key, "source")
    info = source_info(store, [graph]).get(graph)
    if not bool(query(store, f"ASK {{ GRAPH {ref(graph)} {{ {ref(graph)} a cg:Source }} }}")) or info is None:
        raise NotFound(f"no source with key {key!r}; search for an entity and follow the links under its Sources")
    reading = readings.load(build, graph)
    relations = _relations(store, graph)
    mentions = reading["mentions"] if reading else []
    entities = summaries(store, {r[k] for r in relations for k in ("subject", "object")} | {m[2] for m in mentions})
    text = reading["text"] if reading else None
    return {**info, "text": text, "length": reading["length"] if reading else None,
            "truncated": bool(reading and reading["truncated"]),
            "message": None if reading else "This build keeps no text for this source (built before texts were "
                                            "kept, or its extraction failed); rebuild to see it.",
            "mentions": [{"start": s, "end": t, "text": text[s:t] if text else None, "class": cls, "linked": linked,
                          "entity": entities.get(e)} for s, t, e, _, cls, linked in mentions],
            "relations": [{**r, "subject": entities.get(r["subject"]), "object": entities.get(r["object"]),
                           "anchor": f"s-{r['start']}" if text and r["start"] is not None and r["start"] < len(text)
                           else None} for r in relations],
            "relations_capped": len(relations) >= MAX_RELATIONS}


def _relations(store: Store, graph: str) -> list[dict]:
    _, found = rows(query(store, f"""
        SELECT DISTINCT ?s ?p ?o ?sentence ?start ?end WHERE {{ GRAPH {ref(graph)} {{
          {{ ?ev a cg:Evidence ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
             OPTIONAL {{ ?ev cg:sentence ?sentence }} OPTIONAL {{ ?ev cg:start ?start }} OPTIONAL {{ ?ev cg:end ?end }} }}
          UNION {{ ?s cg:recordUrl ?record ; ?p ?o . VALUES ?p {{ {RECORD_LINKS} }} }} }} }}
        ORDER BY ?start ?p ?s ?o LIMIT {MAX_RELATIONS}"""))
    return [{"subject": r["s"], "predicate": r["p"].rsplit("#", 1)[-1], "object": r["o"], "sentence": r["sentence"],
             "start": r["start"], "end": r["end"]} for r in found]


def layout(page: dict) -> list[dict]:
    """The text cut into pieces {"text", "anchor", "sentence", "mention"}: `anchor` where a relation's sentence
    starts (the target of `#s-<start>` links), `sentence` inside a relation's sentence, `mention` the mention
    (from page["mentions"]) the piece belongs to. Overlapping mentions keep the first and longest."""
    text = page["text"]
    if text is None:
        return []
    sentences = [(r["start"], r["start"] + len(text[r["start"]:r["end"]].rstrip())) for r in page["relations"]
                 if r["start"] is not None and r["end"] is not None and 0 <= r["start"] < r["end"] <= len(text)]
    mentions = _disjoint([(m["start"], m["end"], i) for i, m in enumerate(page["mentions"])])
    cuts = sorted({0, len(text), *(x for s, t in sentences for x in (s, t)), *(x for s, t, _ in mentions for x in (s, t))})
    starts = {s for s, _ in sentences}
    pieces, m, anchored = [], 0, set()
    for a, b in zip(cuts, cuts[1:]):
        while m < len(mentions) and mentions[m][1] <= a:
            m += 1
        mention = page["mentions"][mentions[m][2]] if m < len(mentions) and mentions[m][0] <= a < mentions[m][1] else None
        anchor = f"s-{a}" if a in starts and a not in anchored else None
        anchored.add(a)
        pieces.append({"text": text[a:b], "anchor": anchor, "mention": mention,
                       "sentence": any(s <= a < t for s, t in sentences)})
    return pieces


def _disjoint(spans: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    out: list[tuple[int, int, int]] = []
    for s, t, i in sorted(spans, key=lambda x: (x[0], -x[1])):
        if not out or s >= out[-1][1]:
            out.append((s, t, i))
    return out


def register(store: Store, name: str, limit: int, offset: int) -> dict:
    """What a register file defines: its facts and one page of its entities, grouped by kind in name order."""
    graph = _graph(_REGISTER, name, "register file")
    info = source_info(store, [graph]).get(graph)
    if info is None or not bool(query(store, f"ASK {{ GRAPH {ref(graph)} {{ ?s ?p ?o }} }}")):
        raise NotFound(f"no register file named {name!r}; the register files are listed on entity pages under Sources")
    _, found = rows(query(store, f"SELECT DISTINCT ?e WHERE {{ GRAPH {ref(graph)} {{ ?e cg:name ?n }} }}"))
    info_of = summaries(store, [r["e"] for r in found])
    items = sorted(info_of.values(), key=lambda s: (s["kind"] or "", s["name"].lower(), s["iri"]))
    counts: dict[str, int] = {}
    for s in items:
        counts[s["kind"] or "Other"] = counts.get(s["kind"] or "Other", 0) + 1
    return {**info, "name": name, "kinds": counts, "total": len(items), "limit": limit, "offset": offset,
            "items": items[offset:offset + limit]}
