"""The partnerships table: every partnership pair once, filtered, sorted and paged on the server.

The pairs and the theme / type / since filters are those of the REST `/partnerships` route
(`entities.partnership_pairs` and its filters), so the table and the API agree row for row. The table adds
filters on either organisation (its region, its class or a subclass of it), sorting on any column and the
CSV of every filtered row. Rows are described from the property-graph projection the read model already
holds in memory (names, classes, dates, themes, sources), not with one SPARQL query per page: a CSV of
100,000 rows then takes a second, not minutes.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from pyoxigraph import Store

from collabgraph.ontology import KINDS, iris, subclasses, superclasses

from .entities import Pair, _kept_links
from .property.projection import PARTNERS_WITH, Projection

SORTS = ("name_a", "name_b", "via", "since", "sources")
#: The most rows a CSV download holds; a larger selection is cut there and the file says so.
MAX_CSV_ROWS = 100_000
#: Classes a link can have: the agreement classes, Programme, and 'stated' (a source says they partner).
LINK_TYPES = ("Agreement", *subclasses("Agreement"), "Programme", "stated")


@dataclass(frozen=True)
class Filters:
    """The table's choices; None means any. `theme` is an IRI (narrower themes count), `since` YYYY or
    YYYY-MM-DD, `type` one of LINK_TYPES, `org_type` an Organisation class (its subclasses count)."""
    theme: str | None = None
    type: str | None = None
    region: str | None = None
    since: str | None = None
    org_type: str | None = None


class Facts:
    """What the table shows about entities, indexed from one build's projection (kept per build)."""

    def __init__(self, projection: Projection) -> None:
        self.nodes = {n.iri: n for n in projection.nodes}
        self.themes: dict[str, list[str]] = defaultdict(list)
        self.sources: dict[tuple[str, str], int] = {}
        for r in projection.relationships:
            if r.predicate == "hasTheme":
                self.themes[r.start].append(r.end)
            elif r.type == PARTNERS_WITH:
                self.sources[(r.start, r.end)] = len(r.props.get("sources", ()))

    def name(self, iri: str) -> str:
        node = self.nodes.get(iri)
        return node.props.get("name", iris.local_id(iri)) if node else iris.local_id(iri)

    def type(self, iri: str) -> str | None:
        node = self.nodes.get(iri)
        return node.type if node else None

    def date(self, iri: str) -> str | None:
        props = self.nodes[iri].props if iri in self.nodes else {}
        found = props.get("signedDate") or props.get("startDate")
        return str(found) if found is not None else None

    def is_a(self, iri: str, cls: str) -> bool:
        node = self.nodes.get(iri)
        return node is not None and bool({cls, *subclasses(cls)} & set(node.labels))

    def region(self, iri: str) -> str | None:
        node = self.nodes.get(iri)
        return node.props.get("region") if node else None

    @cached_property
    def choices(self) -> dict:
        """The values the filters offer, from the data: themes, link types, and the regions and classes of the
        organisations in a partnership (so every region or class offered has rows)."""
        themes = sorted((n for n in self.nodes.values() if n.kind == "Theme"), key=lambda n: n.props.get("name", "").lower())
        orgs = [self.nodes[o] for pair in self.sources for o in pair]
        return {"themes": [{"id": iris.local_id(n.iri), "name": n.props.get("name", iris.local_id(n.iri))} for n in themes],
                "types": list(LINK_TYPES),
                "regions": sorted({n.props["region"] for n in orgs if n.props.get("region")}),
                "org_types": sorted({c for n in orgs for label in n.labels if label not in KINDS
                                     for c in (label, *superclasses(label)) if c not in KINDS} | {"Organisation"})}


def select(store: Store, pairs: list[Pair], facts: Facts, filters: Filters) -> list[Pair]:
    """The pairs that pass the filters, each with only the links that pass (as the REST route keeps them)."""
    keep = _kept_links(store, filters.theme, filters.type, filters.since)
    if keep is not None:
        pairs = [(a, b, tuple(v for v in vias if v in keep)) for a, b, vias in pairs]
        pairs = [p for p in pairs if p[2]]
    if filters.region:
        pairs = [p for p in pairs if filters.region in (facts.region(p[0]), facts.region(p[1]))]
    if filters.org_type:
        pairs = [p for p in pairs if facts.is_a(p[0], filters.org_type) or facts.is_a(p[1], filters.org_type)]
    return pairs


def since(facts: Facts, vias: tuple[str | None, ...]) -> str | None:
    """The earliest date (signed or started) of the pair's links: partners since then."""
    return min((d for d in (facts.date(v) for v in vias if v) if d), default=None)


def sort(pairs: list[Pair], facts: Facts, key: str, descending: bool) -> list[Pair]:
    """`pairs` ordered by a column; rows without a value (no date, a stated link) come last either way."""
    def value(p: Pair):
        a, b, vias = p
        if key == "name_a":
            return facts.name(a).lower()
        if key == "name_b":
            return facts.name(b).lower()
        if key == "via":
            return facts.name(vias[0]).lower() if vias[0] else None
        if key == "since":
            return since(facts, vias)
        return facts.sources.get((a, b), 0)
    present = [p for p in pairs if value(p) is not None]
    missing = [p for p in pairs if value(p) is None]
    # sorted() is stable, so ties keep the name order the pairs come in.
    return sorted(present, key=value, reverse=descending) + missing


def describe(facts: Facts, pairs: list[Pair]) -> list[dict]:
    """Each pair as a table row: both organisations, the links (via, type, date, themes), since, sources."""
    def entity(iri: str) -> dict:
        return {"id": iris.local_id(iri), "iri": iri, "name": facts.name(iri), "type": facts.type(iri)}

    def link(via: str | None) -> dict:
        if via is None:
            return {"via": None, "type": "stated", "date": None, "themes": []}
        themes = sorted((entity(t) for t in facts.themes.get(via, ())), key=lambda t: t["name"].lower())
        return {"via": entity(via), "type": facts.type(via), "date": facts.date(via), "themes": themes}

    out = []
    for a, b, vias in pairs:
        links = [link(v) for v in vias]
        themes = {t["id"]: t for x in links for t in x["themes"]}
        out.append({"a": entity(a), "b": entity(b), "links": links, "since": since(facts, vias),
                    "themes": sorted(themes.values(), key=lambda t: t["name"].lower()),
                    "sources": facts.sources.get((a, b), 0)})
    return out


CSV_COLUMNS = ["organisation_a", "organisation_a_id", "organisation_b", "organisation_b_id", "via", "via_ids",
               "link_types", "since", "themes", "sources"]


def csv_row(row: dict) -> list:
    """A described row as CSV cells (several links or themes joined with '; ')."""
    links = row["links"]
    return [row["a"]["name"], row["a"]["id"], row["b"]["name"], row["b"]["id"],
            [x["via"]["name"] if x["via"] else "stated" for x in links],
            [x["via"]["id"] for x in links if x["via"]],
            sorted({x["type"] or "" for x in links}), row["since"] or "",
            [t["name"] for t in row["themes"]], row["sources"]]
