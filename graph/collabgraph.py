"""`CollabGraph`: the one read model of a data directory, used by the CLI, the REST API, the views and notebooks.

In the manner of datasette's `Datasette` object: one instance per data directory holds the stores of the
current build (the Oxigraph store, the property graph, the per-build networkx views and name index), the
SPARQL worker pool and the query limits, and offers what the project reads from them: entities and their
details, partners, partnerships, paths, analytics, counts, stats, exports, SPARQL and Cypher. A build
switches `current` atomically; every call reads the build current at that moment, so one long-lived
instance (the server's) never needs restarting after `collabgraph build`.

    >>> cg = CollabGraph(".collabgraph")
    >>> cg.organisations(q="university", limit=5)
    (12, [{'id': 'organisation/...', 'name': ..., ...}, ...])

The modules it delegates to are small and named after what they do: `stores` (following the current
build), `entities` and `details` (SPARQL over the dataset), `name_index`, `network`, `sparql` (the worker
pool) and `property` (FalkorDB or Neo4j). Nothing here knows about HTTP or the command line.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import networkx as nx
from pyoxigraph import Store

from collabgraph.ontology import KINDS, iris

from . import compare, dataset, details, entities, entity_pages, network, partnership_table, source_pages
from .dataset import Build
from .errors import NoDataset
from .export import RDF_FORMATS, export_format
from .export import export as export_dataset
from .limits import QueryLimits
from .name_index import NameIndex
from .org_network import OrgNetwork
from .property import open_property_store
from .property.projection import Projection, project
from .sparql import query as sparql_query
from .sparql.guard import check as check_sparql
from .sparql.runner import Answer, SparqlRunner, worker_options, worker_request
from .stats import stats as dataset_stats
from .stores import Computing, PerBuild, PropertyGraph, RdfStore, public_message
from .validate import Violation
from .validate import validate as shacl_validate


class CollabGraph:
    """The read model of one data directory (default: $COLLABGRAPH_DATA_DIR, else ``.collabgraph``)."""

    def __init__(self, data_dir: Path | str | None = None, limits: QueryLimits | None = None) -> None:
        self.root = dataset.data_dir(Path(data_dir) if data_dir is not None else None)
        self.limits = limits or QueryLimits()
        self.rdf = RdfStore(self.root)
        self.property = PropertyGraph(self.root, self.rdf)
        self.per_build = PerBuild(self.rdf)
        # Workers start on the first query, so an instance that never runs SPARQL starts no process.
        self.sparql_runner = SparqlRunner(self.limits.sparql_workers, self.limits.sparql_queue,
                                          worker_options(self.limits))

    def __enter__(self) -> CollabGraph:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the SPARQL workers and the property-graph server this instance started; release the store."""
        self.sparql_runner.close()
        self.property.close()
        self.rdf.close()

    # --- the current build -------------------------------------------------------------------------------

    def build(self) -> Build:
        """The current build; NoDataset when there is none ('run collabgraph build')."""
        return self.rdf.build()

    def store(self) -> Store:
        """The read-only Oxigraph store of the current build."""
        return self.rdf.get()

    def projection(self) -> Projection:
        """The property-graph projection of the current build (computed once per build)."""
        return self.per_build.get("projection", project)

    def partnership_network(self) -> nx.Graph:
        """Organisations joined by partnersWith (node attrs iri, id, name, type; edge attrs via, sources)."""
        return self.per_build.get("partnership_graph", lambda _: network.partnership_graph(self.projection()))

    def entity_network(self) -> nx.MultiDiGraph:
        """Every entity (attrs kind, type, name, aliases, id) and every relation (attr predicate)."""
        return self.per_build.get("entity_graph", lambda _: network.entity_graph(self.projection()))

    def ego_network(self, id: str, depth: int) -> tuple[str, nx.MultiDiGraph]:
        """(the organisation's IRI, everything within `depth` hops of it in the entity network)."""
        origin = self.resolve(id, "Organisation")
        return origin, network.ego_network(self.entity_network(), origin, depth)

    # --- entities ----------------------------------------------------------------------------------------

    def resolve(self, id: str, kind: str) -> str:
        """The IRI an id (local id, bare key or IRI) names among entities of `kind`; NotFound otherwise."""
        return entities.resolve(self.store(), id, kind)

    def summaries(self, entity_iris: list[str]) -> dict[str, dict]:
        """Each entity's summary (id, iri, name, type, ...) as lists show it."""
        return entities.summaries(self.store(), entity_iris)

    def name(self, iri: str) -> str:
        """The entity's name, else its local id."""
        return self.per_build.get("names", NameIndex).name(iri)

    def search(self, cls: str, q: str | None = None, limit: int = 50, offset: int = 0) -> tuple[int, list[dict]]:
        """(how many match, one page of summaries) of the entities of `cls` whose name or alias contains `q`."""
        total, found = self.per_build.get("names", NameIndex).search(cls, q, limit, offset)
        info = self.summaries(found)
        return total, [info[e] for e in found]

    def organisations(self, q: str | None = None, limit: int = 50, offset: int = 0) -> tuple[int, list[dict]]:
        return self.search("Organisation", q, limit, offset)

    def programmes(self, q: str | None = None, limit: int = 50, offset: int = 0) -> tuple[int, list[dict]]:
        return self.search("Programme", q, limit, offset)

    def detail(self, kind: str, id: str) -> dict:
        """One entity of `kind` with everything linked to it and its sources; NotFound when `id` names none."""
        describe: Callable[[Store, str], dict] = details.DETAILS[kind]
        store = self.store()
        return describe(store, entities.resolve(store, id, kind))

    def organisation(self, id: str) -> dict:
        return self.detail("Organisation", id)

    def programme(self, id: str) -> dict:
        return self.detail("Programme", id)

    # --- partnerships ------------------------------------------------------------------------------------

    def partners(self, id: str, depth: int = 1, via: str = "any") -> tuple[dict, entities.Partners]:
        """(the organisation's summary, its partners within `depth` hops linked `via` agreement, programme or any;
        each described when read, so a page of them costs a page)."""
        store = self.store()
        origin = entities.resolve(store, id, "Organisation")
        direct = depth == 1 and via == "any"
        found = entities.partners(store, origin, depth, via, self._partner_index() if direct else None)
        return entities.summaries(store, [origin])[origin], found

    #: The per-build indexes a server makes as soon as it starts (`warm`), each seconds to a minute at scale.
    WARM = ("names", "partner index")

    def warm(self) -> None:
        """Start making this build's indexes in the background, so the first requests need not wait for them
        (`index_states` tells how far they are; `/health` shows it). Does nothing without a dataset."""
        try:
            self.per_build.start("names", NameIndex)
            self.per_build.start("partner index", self._make_partner_index)
        except (NoDataset, OSError):
            pass

    def index_states(self) -> dict[str, str]:
        """Each index `warm` makes: 'ready', 'computing' or 'not started'."""
        return {name: self.per_build.state(name) for name in self.WARM}

    def _make_partner_index(self, store: Store) -> entities.PartnerIndex:
        return entities.PartnerIndex(store, self.per_build.get("names", NameIndex))

    def _partner_index(self) -> entities.PartnerIndex | None:
        """The build's PartnerIndex, else None while it is made in the background (seconds on a large dataset;
        meanwhile `entities.partners` asks SPARQL, as it did before there was an index)."""
        try:
            return self.per_build.get_within("partner index", self._make_partner_index, 0, 1)
        except Computing:
            return None

    def partnerships(self, theme: str | None = None, type: str | None = None, since: str | None = None,
                     limit: int = 50, offset: int = 0) -> tuple[int, list[dict]]:
        """(how many, one page of) partnership pairs, each once, with the links that pass the filters."""
        store = self.store()
        theme_iri = entities.resolve(store, theme, "Theme") if theme else None
        pairs = self.per_build.get("partnership_pairs", lambda s: entities.partnership_pairs(s, self.name))
        return entities.partnerships(store, pairs, theme_iri, type, since, limit=limit, offset=offset)

    def paths(self, a: str, b: str, max: int = 4) -> dict:
        """The shortest chain of at most `max` partnerships between two organisations, with each hop's links."""
        store = self.store()
        start, end = entities.resolve(store, a, "Organisation"), entities.resolve(store, b, "Organisation")
        nodes = network.shortest_path(self.partnership_network(), start, end, max)
        info = entities.summaries(store, [start, end, *(nodes or [])])
        if not nodes:
            return {"from": info[start], "to": info[end], "max": max, "found": False, "nodes": [], "hops": [],
                    "message": f"no chain of at most {max} partnerships links them; try a larger max (up to 6)"}
        pairs = list(zip(nodes, nodes[1:]))
        edges = {}
        for x, y in pairs:
            edges.update(entities.partner_edges(store, [x], "any", targets=[y]))
        links = entities.describe_links(store, edges)
        return {"from": info[start], "to": info[end], "max": max, "found": True, "nodes": [info[n] for n in nodes],
                "message": f"{len(pairs)} hop(s)",
                "hops": [{"from": iris.local_id(x), "to": iris.local_id(y), "links": links.get((x, y), [])}
                         for x, y in pairs]}

    # --- analytics ---------------------------------------------------------------------------------------

    def network_measures(self, wait_s: float = 3600.0, retry_after: int = 15) -> tuple[list[dict], list[dict]]:
        """(centrality rows, brokers) from one betweenness computation per build; `Computing` (ask again in
        `retry_after` s) when it takes longer than `wait_s` (it goes on in the background)."""
        def compute(_):
            g = self.partnership_network()
            between = network.betweenness(g)
            return network.centrality(g, between), network.brokers(g, between=between)
        return self.per_build.get_within("network measures", compute, wait_s, retry_after)

    def communities(self) -> list:
        """Louvain communities of the partnership network (seeded, so stable), once per build."""
        return self.per_build.get("communities", lambda _: network.communities(self.partnership_network()))

    def counts(self) -> dict:
        """Entities of each kind, partnerships, and the best-connected organisation (None in an empty network)."""
        _, found = dataset.rows(dataset.query(self.store(), "SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE { VALUES ?c { "
                                              + " ".join(f"cg:{k}" for k in KINDS) + " } ?x a ?c } GROUP BY ?c"))
        by_class = {r["c"].rsplit("#", 1)[-1]: r["n"] for r in found}
        g = self.partnership_network()
        return {"kinds": {k: by_class.get(k, 0) for k in KINDS}, "partnerships": g.number_of_edges(),
                "best_connected": max(g, key=lambda n: (g.degree(n), n), default=None)}

    def stats(self) -> dict:
        """Counts of entities by class, relations by predicate, sources, quads and distinct triples."""
        return dataset_stats(self.store())

    def validate(self) -> list[Violation]:
        """The SHACL violations of the current build (none: it conforms)."""
        return shacl_validate(self.store())

    def export(self, format: str) -> bytes:
        """The whole dataset in one format (`graph.export.FORMATS` or an alias). The JSON-LD (slow to compact),
        the projection and the entity network are computed once per build and shared with the other readers."""
        fmt = export_format(format)
        if fmt.name == "jsonld":
            return self.per_build.get("export jsonld", lambda s: export_dataset(s, "jsonld"))
        if fmt.name in RDF_FORMATS:
            return export_dataset(self.store(), fmt.name)
        return export_dataset(self.store(), fmt.name, projection=self.projection(),
                              network=self.entity_network() if fmt.name != "csv" else None)

    # --- queries -----------------------------------------------------------------------------------------

    def check_sparql(self, query: str) -> None:
        """QueryRejected (a clear reason) for a query the endpoint refuses before any worker sees it."""
        check_sparql(query, self.limits.sparql_service_allowlist)

    async def sparql_answer(self, query: str, results, graph, default_graphs=(), named_graphs=()) -> Answer:
        """A worker's answer to a checked query in the negotiated formats, within the SPARQL timeout."""
        request = worker_request(self.limits, str(self.build().store_path), query, results, graph,
                                 default_graphs, named_graphs)
        return await self.sparql_runner.run(request, self.limits.sparql_timeout)

    def sparql(self, query: str) -> tuple[list[str], list[dict]]:
        """(variables, rows) of a SELECT or ASK query over the union of all graphs, run on a worker process
        with the endpoint's checks and limits."""
        self.check_sparql(query)
        return sparql_query.select(self.sparql_runner, self.build(), query, self.limits)

    def cypher(self, query: str, params: dict | None = None, limit: int | None = None) -> tuple[list[str], list[dict]]:
        """A read-only Cypher query on the property graph synced to the current build (restarted when its
        server went away), within the Cypher timeout and at most `limit` rows (default: the row limit)."""
        return self.property.query(query, params or {}, int(self.limits.cypher_timeout * 1000),
                                   self.limits.cypher_row_limit if limit is None else limit)

    def cypher_once(self, query: str, params: dict | None = None, timeout_ms: int = 5000,
                    limit: int = 1000) -> tuple[list[str], list[dict]]:
        """One Cypher query from a process that does not keep the property graph open (the command line).

        Answers from the current build's projection, so a build killed before its sync, or a store restarted
        empty, still gives current answers; the store records the build it holds, so on a current graph this
        is one read (Neo4j: as the read user), no write. Without a build the store answers as it is (a Neo4j
        loaded elsewhere)."""
        build = dataset.current_build(self.root)
        with open_property_store(self.root) as ps:
            if build is not None:
                ps.sync_if_stale(dataset.open_store(self.root), build.path.name)
            return ps.query(query, params or {}, timeout_ms=timeout_ms, limit=limit)

    def health(self) -> dict:
        """Each store's state: the RDF dataset ({"build", "quads"}, or the reason it is unavailable) and the
        property graph's own report. Raises nothing."""
        try:
            build = self.build()
            self.store()
            rdf: dict = {"ok": True, "build": build.path.name, "quads": build.manifest().get("quads")}
        except (NoDataset, OSError) as exc:
            rdf = {"ok": False, "error": public_message(str(exc), self.root)}
        return {"rdf": rdf, "property": self.property.health()}


    # --- tables pages ------------------------------------------------------------------------------------

    def table_facts(self) -> partnership_table.Facts:
        """Names, classes, dates, themes and sources of the current build, indexed for the partnerships table."""
        return self.per_build.get("table facts", lambda _: partnership_table.Facts(self.projection()))

    def partnership_table(self, filters: partnership_table.Filters, sort: str = "name_a", descending: bool = False,
                          limit: int = 50, offset: int = 0) -> tuple[int, list[dict]]:
        """(how many, one page of) the partnership pairs that pass `filters`, sorted on a column, described as
        table rows."""
        store, facts = self.store(), self.table_facts()
        pairs = self.per_build.get("partnership_pairs", lambda s: entities.partnership_pairs(s, self.name))
        found = partnership_table.select(store, pairs, facts, filters)
        if sort != "name_a" or descending:
            found = partnership_table.sort(found, facts, sort, descending)
        return len(found), partnership_table.describe(facts, found[offset:offset + limit])

    def compare(self, a: str, b: str) -> dict:
        """Two organisations side by side (shared partners, programmes, agreements, direct partnership)."""
        store = self.store()
        first, second = entities.resolve(store, a, "Organisation"), entities.resolve(store, b, "Organisation")
        return compare.compare(store, self.entity_network(), first, second)

    def find_organisation(self, text: str) -> tuple[str | None, list[dict]]:
        """(the IRI of the organisation an id or name names, []) or (None, the candidates it could mean)."""
        return compare.find(self.store(), self.search, text)

    def best_connected(self, limit: int = 10) -> list[dict]:
        """The organisations with the most partners, most first (ties by name), each with its `partners`."""
        def rank(_) -> list[str]:
            g = self.partnership_network()
            return sorted(g, key=lambda n: (-g.degree(n), self.name(n).lower(), n))
        top = self.per_build.get("organisations by partners", rank)[:limit]
        g, info = self.partnership_network(), self.summaries(top)
        return [{**info[n], "partners": g.degree(n)} for n in top]

    def largest_programmes(self, limit: int = 10) -> list[dict]:
        """The programmes with the most organisations in them (hosts, partners, funders), most first."""
        def rank(_) -> list[tuple[str, int]]:
            g = self.entity_network()
            size = {n: len({o for _, o, p in g.out_edges(n, keys=True)
                            if p in compare.ROLES and g.nodes[o].get("kind") == "Organisation"})
                    for n, kind in g.nodes(data="kind") if kind == "Programme"}
            return sorted(((n, k) for n, k in size.items() if k), key=lambda nk: (-nk[1], self.name(nk[0]).lower(), nk[0]))
        top = self.per_build.get("programmes by organisations", rank)[:limit]
        info = self.summaries([n for n, _ in top])
        return [{**info[n], "organisations": k} for n, k in top]

    # --- network pages -----------------------------------------------------------------------------------

    def org_network(self) -> OrgNetwork:
        """The organisation network page's model: partnerships as direct edges, filters, communities, labels."""
        return self.per_build.get("org_network", lambda store: OrgNetwork(store, self.partnership_network()))

    # --- entities pages ----------------------------------------------------------------------------------

    def importance(self, iri: str) -> int:
        """How many sources name an entity (read once per build): ties in search go to the more written about."""
        return self.per_build.get("source counts", entity_pages.source_counts).get(iri, 0)

    def search_page(self, q: str, kind: str | None = None, limit: int = 25, offset: int = 0) -> dict:
        """The search page: entities of every kind (or `kind`) matching `q` by name or alias, best match first."""
        return entity_pages.search(self.per_build.get("names", NameIndex), self.store(), q, kind, self.importance,
                                   limit, offset)

    def entity_page(self, kind: str, id: str, offset: int = 0) -> dict:
        """An entity's page: its detail, and for an organisation one page of its partners table (from
        `offset`) with the evidence of each row; for a programme, an agreement or a person the evidence
        sentences of its links with the names marked."""
        store = self.store()
        iri = entities.resolve(store, id, kind)
        page = details.DETAILS[kind](store, iri)
        if kind == "Organisation":
            page["partners"] = entity_pages.partner_rows(store, iri, offset)
        elif kind == "Programme":
            page = entity_pages.programme_extras(store, iri, page)
        elif kind == "Agreement":
            page["parties"] = entity_pages.with_marked_evidence(store, page["parties"], lambda p: [iri, p["iri"]])
        elif kind == "Person":
            page["memberships"] = entity_pages.with_marked_evidence(
                store, page["memberships"], lambda m: [iri, m["organisation"]["iri"]])
        return entity_pages.capped(page)

    def partner_table(self, id: str) -> tuple[list[str], list[list]]:
        """The organisation's whole partners table as CSV columns and rows (without the evidence)."""
        store = self.store()
        return entity_pages.partner_csv_rows(entity_pages.partner_links(store, entities.resolve(store, id, "Organisation")))

    def source_page(self, key: str) -> dict:
        """A document's page: its facts, text, mentions and relations (`graph.source_pages`)."""
        return source_pages.source(self.store(), self.build(), key)

    def register_page(self, name: str, limit: int = 200, offset: int = 0) -> dict:
        """What one register file defines."""
        return source_pages.register(self.store(), name, limit, offset)

