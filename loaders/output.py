"""Extractions as the JSON `collabgraph extract --format json` prints."""
from __future__ import annotations

from .extraction import Extraction
from .relations import partner_pairs


def document_json(source: str, title: str | None, date: str | None, ex: Extraction) -> dict:
    """One document: its entities and the relations it supports, partnersWith as the gold README defines it."""
    rels = [r for r in ex.relations if r.predicate != "partnersWith"] + partner_pairs(ex)
    return {
        "source": source,
        "title": title or "",
        "date": date,
        "entities": [{"id": e.iri, "type": e.kind, "name": e.name, "aliases": sorted(e.aliases)}
                     for e in sorted(ex.entities, key=lambda e: (e.kind, e.name))],
        "relations": [{"subject": r.subject.iri, "predicate": r.predicate, "object": r.object.iri,
                       "evidence": r.sentence, "start": r.start, "end": r.end}
                      for r in sorted(rels, key=lambda r: (r.predicate, r.subject.iri, r.object.iri, r.start))],
    }
