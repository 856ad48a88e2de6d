"""The names of every entity, held in memory once per build, for the list and search routes.

Listing 100,000 organisations sorted by name, or finding the ones whose name
contains a word, means reading every name; in SPARQL that is a scan of the
union of named graphs per request (and a fact stated by many sources comes
back once per source). Read once per build, sorted once, a page is a slice.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pyoxigraph import Store

from collabgraph.graph.dataset import table
from collabgraph.graph.entities import most_specific
from collabgraph.ontology import KINDS, NS, iris, kind_of, subclasses


@dataclass(frozen=True)
class Named:
    iri: str
    sort_key: str        # the lower-cased name, then the IRI, so equal names keep one order
    labels: tuple[str, ...]  # name and aliases, lower-cased, searched by substring


#: How a label matches a query, best first (`NameIndex.ranked`); a name's match before an alias's of the same tier.
MATCHES = ("exact name", "exact alias", "name prefix", "alias prefix", "name word prefix", "alias word prefix",
           "name substring", "alias substring")


class NameIndex:
    """Entities of each class of the five kinds (subclass members included, as typed in RDF) in name order."""

    def __init__(self, store: Store) -> None:
        # as text (`table`): a quarter of a million names read as term objects took half a minute
        labelled = table(store, """SELECT DISTINCT ?e ?label ?main WHERE {
            { ?e cg:name ?label BIND("1" AS ?main) } UNION { ?e skos:altLabel ?label BIND("" AS ?main) } }""")
        labels: dict[str, set[str]] = defaultdict(set)
        self._names: dict[str, str] = {}  # the first name in sort order when sources differ, as `summaries` shows it
        self._labels: dict[str, dict[str, tuple[bool, str]]] = defaultdict(dict)  # lower-cased -> (is a name, as written)
        self._aliases: dict[str, set[str]] = defaultdict(set)  # as written, for `summaries`
        for e, label, main in labelled:
            labels[e].add(label.lower())
            if not main:
                self._aliases[e].add(label)
            known = self._labels[e].get(label.lower())
            if known is None or (main and not known[0]):
                self._labels[e][label.lower()] = (bool(main), label)
            if main:
                self._names[e] = min(label, self._names.get(e, label))
        # The classes of the five kinds by name: a filter on every typed node would also scan the evidence and
        # membership nodes (a million at 300 documents: 11 s instead of 0.06 s).
        classes = sorted({c for k in KINDS for c in (k, *subclasses(k))})
        typed = table(store, "SELECT DISTINCT ?e ?t WHERE { VALUES ?t { " + " ".join(f"cg:{c}" for c in classes)
                      + " } ?e a ?t FILTER(isIRI(?e)) }")
        members = defaultdict(list)
        self._types: dict[str, set[str]] = defaultdict(set)
        for e, t in typed:
            self._types[e].add(t[len(NS):])
            name = self._names.get(e, "")
            members[t[len(NS):]].append(Named(e, f"{name.lower()}\u0000{e}", tuple(sorted(labels[e]))))
        self._by_class = {cls: sorted(items, key=lambda n: n.sort_key) for cls, items in members.items()}

    def name(self, iri: str) -> str:
        """The entity's name, else its local id, as the API shows it."""
        return self._names.get(iri) or iris.local_id(iri)

    def summaries(self, entities: Iterable[str]) -> dict[str, dict]:
        """What `entities.summaries` says of each entity (id, iri, name, type, kind, aliases), from memory: a page
        of a hub's partners names a hundred or more entities, a twentieth of a second of reading the store."""
        out = {}
        for e in set(entities):
            cls = most_specific(self._types.get(e, ()))
            out[e] = {"id": iris.local_id(e), "iri": e, "name": self.name(e), "type": cls,
                      "kind": kind_of(cls) if cls else None, "aliases": sorted(self._aliases.get(e, ()))}
        return out

    def has_type(self, iri: str, cls: str) -> bool:
        return cls in self._types.get(iri, ())

    def search(self, cls: str, q: str | None, limit: int, offset: int) -> tuple[int, list[str]]:
        """(how many match, the IRIs of one page) of entities of `cls` whose name or an alias contains `q`."""
        items = self._by_class.get(cls, [])
        needle = (q or "").strip().lower()
        if needle:
            items = [n for n in items if any(needle in label for label in n.labels)]
        return len(items), [n.iri for n in items[offset:offset + limit]]

    def ranked(self, classes: tuple[str, ...], q: str, importance: Callable[[str], int]) -> list[tuple[str, int, str]]:
        """Every entity of `classes` with a name or alias matching `q`, best match first: (IRI, tier in MATCHES,
        the label that matched as written). Exact before prefix before word prefix before substring, a name
        before an alias within a tier (an acronym typed whole, 'UHL', is a better answer than a name that
        merely contains those letters); ties go to the more important entity (`importance`: how many sources name it), then by name."""
        needle = " ".join(q.lower().split())
        found: dict[str, tuple[int, str]] = {}
        for cls in classes:
            for named in self._by_class.get(cls, []):
                if named.iri not in found and (match := self._best(named.iri, needle)) is not None:
                    found[named.iri] = match
        order = sorted(found, key=lambda e: (found[e][0], -importance(e), self.name(e).lower(), e))
        return [(e, *found[e]) for e in order]

    def _best(self, iri: str, needle: str) -> tuple[int, str] | None:
        best: tuple[int, str] | None = None
        for lowered, (is_name, label) in self._labels.get(iri, {}).items():
            tier = _tier(" ".join(lowered.split()), needle)
            if tier is not None:
                rank = tier * 2 + (0 if is_name else 1)
                if best is None or (rank, label) < best:
                    best = (rank, label)
        return best


def _tier(label: str, needle: str) -> int | None:
    """0 exact, 1 prefix, 2 a word of the label starts with the needle, 3 anywhere inside; None: no match."""
    if label == needle:
        return 0
    if label.startswith(needle):
        return 1
    at = label.find(needle)
    if at < 0:
        return None
    while at >= 0:
        if not label[at - 1].isalnum():
            return 2
        at = label.find(needle, at + 1)
    return 3
