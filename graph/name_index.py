"""The names of every entity, held in memory once per build, for the list and search routes.

Listing 100,000 organisations sorted by name, or finding the ones whose name
contains a word, means reading every name; in SPARQL that is a scan of the
union of named graphs per request (and a fact stated by many sources comes
back once per source). Read once per build, sorted once, a page is a slice.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from pyoxigraph import Store

from collabgraph.graph.dataset import query, rows
from collabgraph.ontology import NS, iris


@dataclass(frozen=True)
class Named:
    iri: str
    sort_key: str        # the lower-cased name, then the IRI, so equal names keep one order
    labels: tuple[str, ...]  # name and aliases, lower-cased, searched by substring


class NameIndex:
    """Entities of each cg: class (subclass members included, as typed in RDF) in name order."""

    def __init__(self, store: Store) -> None:
        _, labelled = rows(query(store, """SELECT DISTINCT ?e ?label ?main WHERE {
            { ?e cg:name ?label BIND(true AS ?main) } UNION { ?e skos:altLabel ?label BIND(false AS ?main) } }"""))
        labels: dict[str, set[str]] = defaultdict(set)
        self._names: dict[str, str] = {}  # the first name in sort order when sources differ, as `summaries` shows it
        for r in labelled:
            labels[r["e"]].add(r["label"].lower())
            if r["main"]:
                self._names[r["e"]] = min(r["label"], self._names.get(r["e"], r["label"]))
        _, typed = rows(query(store, "SELECT DISTINCT ?e ?t WHERE { ?e a ?t FILTER(STRSTARTS(STR(?t), STR(cg:))) }"))
        members = defaultdict(list)
        for r in typed:
            name = self._names.get(r["e"], "")
            members[r["t"][len(NS):]].append(Named(r["e"], f"{name.lower()}\u0000{r['e']}", tuple(sorted(labels[r["e"]]))))
        self._by_class = {cls: sorted(items, key=lambda n: n.sort_key) for cls, items in members.items()}

    def name(self, iri: str) -> str:
        """The entity's name, else its local id, as the API shows it."""
        return self._names.get(iri) or iris.local_id(iri)

    def search(self, cls: str, q: str | None, limit: int, offset: int) -> tuple[int, list[str]]:
        """(how many match, the IRIs of one page) of entities of `cls` whose name or an alias contains `q`."""
        items = self._by_class.get(cls, [])
        needle = (q or "").strip().lower()
        if needle:
            items = [n for n in items if any(needle in label for label in n.labels)]
        return len(items), [n.iri for n in items[offset:offset + limit]]
