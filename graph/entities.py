"""Reading entities, their links and the evidence behind them from the RDF dataset.

Everything the REST API and the views say about an entity comes from SPARQL
on the Oxigraph store (the source of truth), over the union of its named
graphs. User input never becomes query text directly: ids are checked as IRIs
and free text is written as a SPARQL literal by pyoxigraph.

Ids are the local part of an entity's IRI (`organisation/ror-04h699437`); a
bare key (`ror-04h699437`) on a route of one kind and a full IRI work too.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, overload

from pyoxigraph import Literal, NamedNode, Store

from collabgraph.graph.dataset import query, rows, table
from collabgraph.graph.derive import asserted_links, partnership_edges
from collabgraph.ontology import NS, iris, kind_of, superclasses

if TYPE_CHECKING:  # name_index reads most_specific from here
    from collabgraph.graph.name_index import NameIndex

LINK_PREDICATES = ("party", "partner", "hostedBy")
ROUTES = {"Organisation": "organisations", "Person": "people", "Programme": "programmes",
          "Agreement": "agreements", "Theme": "themes"}


class NotFound(LookupError):
    """An id that names nothing of the kind asked for; the message says how to find valid ids."""


def lit(text: str) -> str:
    """Text as a SPARQL literal, escaped by pyoxigraph."""
    return str(Literal(text))


def ref(iri: str) -> str:
    """An IRI as a SPARQL term; ValueError when it is not a valid IRI."""
    return str(NamedNode(iri))


def values(var: str, items: Iterable[str]) -> str:
    return f"VALUES ?{var} {{ {' '.join(ref(i) for i in sorted(set(items)))} }}"


def resolve(store: Store, value: str, kind: str) -> str:
    """The IRI of the entity of `kind` named by an id, a bare key or a full IRI; NotFound otherwise."""
    text = value.strip().strip("/")
    if "://" not in text and "/" not in text:
        text = f"{kind.lower()}/{text}"
    iri = iris.from_local_id(text)
    hint = f"find ids with GET /{ROUTES[kind]}?q=<part of the name>"
    try:
        term = ref(iri)
    except ValueError:
        raise NotFound(f"{value!r} is not a valid {kind.lower()} id; {hint}") from None
    if not bool(query(store, f"ASK {{ {term} a cg:{kind} }}")):
        raise NotFound(f"no {kind.lower()} with id {value!r}; {hint}")
    return iri


def most_specific(types: Iterable[str]) -> str | None:
    """The most specific of some cg: class names (University over Organisation)."""
    names = set(types)
    broader = {s for t in names for s in superclasses(t)}
    narrow = sorted(names - broader, key=lambda t: (-len(superclasses(t)), t))
    return narrow[0] if narrow else None


def summaries(store: Store, entities: Iterable[str]) -> dict[str, dict]:
    """{iri: {id, iri, name, type, kind, aliases}} for each entity, in one query.

    A UNION of the three facts rather than three OPTIONALs: the same fact stated in
    many named graphs would otherwise multiply into a cross product per entity.
    """
    entities = sorted(set(entities))
    if not entities:
        return {}
    _, found = rows(query(store, f"""
        SELECT DISTINCT ?e ?n ?alias ?t WHERE {{ {values("e", entities)}
          {{ ?e cg:name ?n }} UNION {{ ?e skos:altLabel ?alias }}
          UNION {{ ?e a ?t FILTER(STRSTARTS(STR(?t), STR(cg:))) }} }}"""))
    names, aliases, types = defaultdict(list), defaultdict(set), defaultdict(set)
    for r in found:
        if r.get("n") is not None:
            names[r["e"]].append(r["n"])
        if r.get("alias") is not None:
            aliases[r["e"]].add(r["alias"])
        if r.get("t") is not None:
            types[r["e"]].add(r["t"][len(NS):])
    out = {}
    for e in entities:
        cls = most_specific(types[e])
        out[e] = {"id": iris.local_id(e), "iri": e, "name": min(names[e]) if names[e] else iris.local_id(e),
                  "type": cls, "kind": kind_of(cls) if cls else None, "aliases": sorted(aliases[e])}
    return out


def _ordered(store: Store, entities: list[str]) -> list[dict]:
    found = summaries(store, entities)
    return [found[e] for e in entities if e in found]


def literals(store: Store, iri: str) -> dict[str, list]:
    """The entity's data values by property local name ('startDate', 'ror', 'altLabel' ...)."""
    _, found = rows(query(store, f"SELECT DISTINCT ?p ?o WHERE {{ {ref(iri)} ?p ?o FILTER(isLiteral(?o)) }} ORDER BY ?p ?o"))
    out: dict[str, list] = defaultdict(list)
    for r in found:
        out[r["p"].rsplit("#", 1)[-1]].append(r["o"])
    return dict(out)


def first(props: dict[str, list], name: str):
    found = props.get(name)
    return found[0] if found else None


def related(store: Store, pattern: str) -> list[dict]:
    """Summaries of the ?x a graph pattern finds, each with the ?role it binds (if any), sorted by name."""
    _, found = rows(query(store, f"SELECT DISTINCT ?x ?role WHERE {{ {pattern} FILTER(isIRI(?x)) }}"))
    info = summaries(store, [r["x"] for r in found])
    out = [{**info[r["x"]], "role": _role(r.get("role"))} for r in found if r["x"] in info]
    return sorted(out, key=lambda s: (s["name"].lower(), s["role"] or ""))


def _role(value):
    if isinstance(value, str) and value.startswith(NS):
        return value[len(NS):]
    return value


def sources_of(store: Store, iri: str) -> list[dict]:
    _, found = rows(query(store, f"SELECT DISTINCT ?g WHERE {{ {ref(iri)} prov:wasDerivedFrom ?g }}"))
    info = source_info(store, [r["g"] for r in found])
    return [info[g] for g in sorted(info, key=lambda g: (info[g]["kind"], info[g]["title"] or ""))]


def source_info(store: Store, graphs: Iterable[str]) -> dict[str, dict]:
    """{graph IRI: {graph, key, title, path, url, checksum, date, kind}} for sources (documents or register files)."""
    graphs = sorted(set(graphs))
    if not graphs:
        return {}
    _, found = rows(query(store, f"""
        SELECT ?g (MIN(?t) AS ?title) (MIN(?p) AS ?path) (MIN(?d) AS ?date) (MIN(?k) AS ?key)
               (MIN(?c) AS ?checksum) (MIN(STR(?u)) AS ?url) WHERE {{
          {values("g", graphs)}
          OPTIONAL {{ ?g dcterms:title ?t }} OPTIONAL {{ ?g cg:path ?p }} OPTIONAL {{ ?g cg:checksum ?c }}
          OPTIONAL {{ ?g dcterms:date ?d }} OPTIONAL {{ ?g cg:sourceKey ?k }} OPTIONAL {{ ?g dcterms:source ?u }}
        }} GROUP BY ?g"""))
    return {r["g"]: {"graph": r["g"], "key": r["key"], "title": r["title"], "path": r["path"],
                     "url": r["url"], "checksum": r["checksum"],
                     "date": None if r["date"] is None else str(r["date"]),
                     "kind": "register" if "/graph/register/" in r["g"] else "document"} for r in found}


def evidence_for(store: Store, statements: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str, str], list[dict]]:
    """The asserted evidence (sentence, offsets, source; for a funder's record its public page) for each
    (subject, cg: predicate, object).

    Two kinds: a `cg:Evidence` node (documents, registers, a funder's memberships), and
    a funder's record stating a link of its own project, which is its own evidence: the
    statement and the project's `cg:recordUrl` in one source graph (`loaders.structured`).
    LATERAL makes Oxigraph look each statement up by its subject: as a plain join with
    the VALUES table it scans every evidence node, seconds on a large dataset.
    """
    statements = sorted(set(statements))
    if not statements:
        return {}
    table = " ".join(f"({ref(s)} cg:{p} {ref(o)})" for s, p, o in statements)
    _, found = rows(query(store, f"""
        SELECT DISTINCT ?s ?p ?o ?g ?sentence ?start ?end ?record WHERE {{
          VALUES (?s ?p ?o) {{ {table} }}
          LATERAL {{
            {{ ?ev rdf:subject ?s . ?ev rdf:object ?o . ?ev rdf:predicate ?p . ?ev a cg:Evidence ;
                 prov:wasDerivedFrom ?g .
               OPTIONAL {{ ?ev cg:sentence ?sentence }} OPTIONAL {{ ?ev cg:start ?start }} OPTIONAL {{ ?ev cg:end ?end }}
               OPTIONAL {{ ?ev cg:recordUrl ?record }}
               FILTER(?g != {ref(iris.DERIVED_GRAPH)}) }}
            UNION {{ GRAPH ?g {{ ?s ?p ?o . ?s cg:recordUrl ?record }} }} }} }}"""))
    info = source_info(store, [r["g"] for r in found])
    out: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for r in found:
        key = (r["s"], r["p"][len(NS):], r["o"])
        out[key].append({"statement": {"subject": iris.local_id(r["s"]), "predicate": key[1],
                                       "object": iris.local_id(r["o"])},
                         "sentence": r["sentence"], "start": r["start"], "end": r["end"], "source": info.get(r["g"]),
                         "record_url": r["record"]})
    for items in out.values():
        items.sort(key=lambda e: ((e["source"] or {}).get("title") or "", e["start"] or -1))
    return dict(out)


def _via_filter(via: str) -> str:
    if via == "agreement":
        return "FILTER EXISTS { ?via a cg:Agreement }"
    if via == "programme":
        return "FILTER EXISTS { ?via a cg:Programme }"
    return ""


def partner_edges(store: Store, frontier: Iterable[str], via: str = "any",
                  targets: Iterable[str] | None = None) -> dict[tuple[str, str], set[str | None]]:
    """{(a, b): {agreement or programme IRI, or None when a source states the partnership}} from the derived graph."""
    frontier = list(frontier)
    if not frontier:
        return {}
    target_values = values("b", targets) if targets is not None else ""
    _, found = rows(query(store, f"""
        SELECT DISTINCT ?a ?b ?via WHERE {{
          GRAPH {ref(iris.DERIVED_GRAPH)} {{
            {values("a", frontier)} {target_values}
            ?ev rdf:subject ?a ; rdf:predicate cg:partnersWith ; rdf:object ?b . OPTIONAL {{ ?ev cg:via ?via }} }}
          {_via_filter(via)} {"FILTER(BOUND(?via))" if via != "any" else ""} }}"""))
    out: dict[tuple[str, str], set[str | None]] = defaultdict(set)
    for r in found:
        out[(r["a"], r["b"])].add(r["via"])
    return dict(out)


def describe_links(store: Store, pairs: dict[tuple[str, str], set[str | None]],
                   via_info: dict[str, dict] | None = None,
                   index: PartnerIndex | None = None) -> dict[tuple[str, str], list[dict]]:
    """For each partner pair, how they are linked (agreement, programme or stated) with the evidence;
    ``via_info``: the `summaries` of the agreements and programmes, when the caller has them already;
    ``index``: the build's PartnerIndex, which knows the links that hold and a funder's record's evidence."""
    statements, stated = set(), set()
    for (a, b), vias in pairs.items():
        for v in vias:
            if v is None:
                stated |= {(a, "partnersWith", b), (b, "partnersWith", a)}
            else:
                statements |= {(v, p, org) for p in LINK_PREDICATES for org in (a, b)}
    all_vias = [v for vias in pairs.values() for v in vias if v]
    if index is None:
        evidence = evidence_for(store, _holding(store, statements | stated))
        kinds = link_kinds(store, all_vias)
    else:
        holding = index.holding(statements) | _holding(store, stated)
        known = index.record_evidence(holding)
        evidence = {**evidence_for(store, holding - known.keys()), **known}
        kinds = index.link_kinds(all_vias)
    if via_info is None:
        via_info = summaries(store, all_vias)
    out = {}
    for (a, b), vias in pairs.items():
        links = []
        for v in sorted(vias, key=lambda x: x or ""):
            if v is None:
                keys = [(a, "partnersWith", b), (b, "partnersWith", a)]
                kind, via = "stated", None
            else:
                keys = [(v, p, org) for org in (a, b) for p in LINK_PREDICATES]
                via, kind = via_info.get(v), kinds[v]
            links.append({"kind": kind, "via": via, "evidence": [e for k in keys for e in evidence.get(k, [])]})
        out[(a, b)] = links
    return out


def _holding(store: Store, statements: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """The statements some graph makes: a link names each of an agreement's or programme's three predicates
    for both organisations, most of which do not hold, and looking each up (LATERAL: by its subject, in one
    query) is far cheaper than looking for the evidence of all of them."""
    if not statements:
        return set()
    table = " ".join(f"({ref(s)} cg:{p} {ref(o)})" for s, p, o in sorted(statements))
    _, found = rows(query(store, f"SELECT ?s ?p ?o WHERE {{ VALUES (?s ?p ?o) {{ {table} }} LATERAL {{ ?s ?p ?o }} }}"))
    return {(r["s"], r["p"][len(NS):], r["o"]) for r in found}


def link_kinds(store: Store, vias: Iterable[str]) -> dict[str, str]:
    """'agreement' or 'programme' for each entity a partnership goes through."""
    vias = set(vias)
    if not vias:
        return {}
    _, found = rows(query(store, f"SELECT DISTINCT ?v WHERE {{ {values('v', vias)} ?v a cg:Agreement }}"))
    agreements = {r["v"] for r in found}
    return {v: "agreement" if v in agreements else "programme" for v in vias}


def partners(store: Store, origin: str, depth: int, via: str, index: PartnerIndex | None = None) -> Partners:
    """Organisations within `depth` partnership hops of `origin`, nearest first, each with one shortest
    chain of hops and, for every hop, the links and their evidence. The direct partners (depth 1, any link)
    come from ``index`` when the caller keeps one for the build (which also describes them from memory), else
    from one query."""
    if depth == 1 and via == "any":  # the usual question: the direct partners, named and sorted
        order = index.partners(origin) if index is not None else _sorted_by_name(_direct_partners(store, origin))
        return Partners(store, origin, order, {origin: 0, **dict.fromkeys(order, 1)}, dict.fromkeys(order, origin), {},
                        index)
    dist, parent, hop_vias = {origin: 0}, {}, {}
    frontier = {origin}
    for d in range(1, depth + 1):
        edges = partner_edges(store, frontier, via)
        reached: dict[str, str] = {}
        for (a, b), vias in sorted(edges.items(), key=lambda kv: kv[0]):
            if b in dist or b in reached:
                continue
            reached[b] = a
            hop_vias[(a, b)] = vias
        for b, a in reached.items():
            dist[b], parent[b] = d, a
        frontier = set(reached)
        if not frontier:
            break
    names = _names(store, dist)
    order = sorted((n for n in dist if n != origin), key=lambda n: (dist[n], names[n].lower()))
    return Partners(store, origin, order, dist, parent, hop_vias)


class Partners(Sequence[dict]):
    """The partners `partners` found, in order, each described (summary, chain, links, evidence) only when a
    page of them is read: an organisation in thousands of funded projects has thousands of partners, and
    describing them all for a page of fifty took seconds."""

    def __init__(self, store: Store, origin: str, order: list[str], dist: dict, parent: dict, hop_vias: dict,
                 index: PartnerIndex | None = None) -> None:
        self._store, self._origin, self._order, self._index = store, origin, order, index
        self._dist, self._parent, self._hop_vias = dist, parent, hop_vias

    def __len__(self) -> int:
        return len(self._order)

    @overload
    def __getitem__(self, index: int) -> dict: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict]: ...

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._describe(self._order[index])
        return self._describe([self._order[index]])[0]

    def __iter__(self) -> Iterator[dict]:
        return iter(self._describe(self._order))

    def _chain(self, node: str) -> list[str]:
        chain = [node]
        while chain[-1] != self._origin:
            chain.append(self._parent[chain[-1]])
        return chain[::-1]

    def _describe(self, nodes: list[str]) -> list[dict]:
        chains = {n: self._chain(n) for n in nodes}
        pairs = {(a, b) for chain in chains.values() for a, b in zip(chain, chain[1:])}
        unknown = [b for a, b in pairs if (a, b) not in self._hop_vias]  # direct partners: looked up by the page
        if unknown and self._index is not None:
            self._hop_vias.update({(self._origin, b): self._index.vias(self._origin, b) for b in unknown})
        elif unknown:
            self._hop_vias.update(_vias_to(self._store, self._origin, unknown))
        hops = {pair: self._hop_vias[pair] for pair in pairs}
        # named at once: the partners, those in between, and the agreements and programmes of every hop
        named = {n for chain in chains.values() for n in chain} | {v for vias in hops.values() for v in vias if v}
        info = self._index.summaries(named) if self._index is not None else summaries(self._store, named)
        links = describe_links(self._store, hops, info, self._index)
        return [{"partner": info[n], "distance": self._dist[n], "path": [info[x] for x in chains[n][1:-1]],
                 "hops": [{"from": iris.local_id(a), "to": iris.local_id(b), "links": links[(a, b)]}
                          for a, b in zip(chains[n], chains[n][1:])]} for n in nodes]


def _vias_to(store: Store, origin: str, targets: list[str]) -> dict[tuple[str, str], set[str | None]]:
    """`partner_edges` from `origin` to a few of its partners, each looked up from the partner's side (LATERAL):
    the origin may have thousands of partnerships, the partner few."""
    _, found = rows(query(store, f"""SELECT ?b ?via WHERE {{ {values("b", targets)}
        LATERAL {{ GRAPH {ref(iris.DERIVED_GRAPH)} {{ ?ev rdf:object ?b . ?ev rdf:subject {ref(origin)} .
          ?ev rdf:predicate cg:partnersWith . OPTIONAL {{ ?ev cg:via ?via }} }} }} }}"""))
    out: dict[tuple[str, str], set[str | None]] = defaultdict(set)
    for r in found:
        out[(origin, r["b"])].add(r["via"])
    return dict(out)


def _direct_partners(store: Store, origin: str) -> dict[str, str]:
    """{partner: its name as `summaries` gives it} of the organisations `origin` partners with: the derived
    partnersWith edges joined to the names in one query, quicker than reading the partnerships' evidence."""
    _, found = rows(query(store, f"""SELECT ?b (MIN(?n) AS ?name) WHERE {{
        GRAPH {ref(iris.DERIVED_GRAPH)} {{ {ref(origin)} cg:partnersWith ?b }} OPTIONAL {{ ?b cg:name ?n }}
        FILTER(?b != {ref(origin)}) }} GROUP BY ?b"""))
    return {r["b"]: r["name"] or iris.local_id(r["b"]) for r in found}


def _sorted_by_name(names: dict[str, str]) -> list[str]:
    return sorted(names, key=lambda n: (names[n].lower(), n))


class PartnerIndex:
    """Every organisation's direct partners in the order `partners` lists them, the agreements and programmes
    behind each partnership, the links that make them (who is party, host or partner of what, in which
    source) and a funder's records' pages, computed once per build: the best-connected organisation of
    150,000 funded projects has thousands of partners, and finding, naming, linking and evidencing a page of
    them with SPARQL took a fifth of a second or more. ``names``, the build's `NameIndex`, orders the
    partners and gives the summaries and link kinds.

    The partnerships are those of the derived graph, computed from the asserted links as
    the build computes them (`graph.derive.partnership_edges`), quicker than reading the
    derived graph back."""

    def __init__(self, store: Store, names: NameIndex) -> None:
        canon: dict[str, str] = {}  # one string per IRI, however many partnerships name it

        def one(iri: str) -> str:
            return canon.setdefault(iri, iri)

        links = asserted_links(store)
        self._vias: dict[str, dict[str, tuple[str | None, ...]]] = defaultdict(dict)
        for (a, b), vias in partnership_edges(store, links).items():
            self._vias[one(a)][one(b)] = tuple(one(v) if v else None for v in vias)
        self._links: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
        for via, predicate, org, graph in links:
            self._links[(one(via), one(org))].append((predicate[len(NS):], one(graph)))
        self._records = {(one(s), one(g)): url for s, g, url in table(store, _RECORDS)}
        self._sources = source_info(store, {g for _, g in self._records})
        self._names = names
        keys = {iri: (names.name(iri).lower(), iri) for iri in self._vias}
        self._sorted = {a: sorted(bs, key=keys.__getitem__) for a, bs in self._vias.items()}

    def partners(self, origin: str) -> list[str]:
        """`origin`'s direct partners by name, as `_direct_partners` and `_sorted_by_name` order them."""
        return self._sorted.get(origin, [])

    def vias(self, origin: str, partner: str) -> set[str | None]:
        """The agreements and programmes (None: a source states it) behind `origin`'s partnership with `partner`."""
        return set(self._vias.get(origin, {}).get(partner, ()))

    def holding(self, statements: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
        """The (agreement or programme, party|partner|hostedBy, organisation) statements some source makes."""
        return {(v, p, o) for v, p, o in statements if any(p == q for q, _ in self._links.get((v, o), ()))}

    def record_evidence(self, statements: set[tuple[str, str, str]]) -> dict[tuple[str, str, str], list[dict]]:
        """`evidence_for` of the statements only funders' records make (each record is its own evidence: its
        source and page); a statement a document or the register also makes is left to `evidence_for`."""
        out = {}
        for v, p, o in statements:
            graphs = [g for q, g in self._links.get((v, o), ()) if q == p]
            if graphs and all((v, g) in self._records for g in graphs):
                items: list[dict] = [{"statement": {"subject": iris.local_id(v), "predicate": p, "object": iris.local_id(o)},
                          "sentence": None, "start": None, "end": None, "source": self._sources.get(g),
                          "record_url": self._records[(v, g)]} for g in sorted(set(graphs))]
                out[(v, p, o)] = sorted(items, key=lambda e: (e["source"] or {}).get("title") or "")
        return out

    def summaries(self, entities: Iterable[str]) -> dict[str, dict]:
        """`summaries`, from the name index."""
        return self._names.summaries(entities)

    def link_kinds(self, vias: Iterable[str]) -> dict[str, str]:
        """`link_kinds`, from the name index."""
        return {v: "agreement" if self._names.has_type(v, "Agreement") else "programme" for v in vias}


#: A funder's record: the project it is about, its source graph and its public page.
_RECORDS = "SELECT ?s ?g ?url WHERE { GRAPH ?g { ?s cg:recordUrl ?url } }"


def _names(store: Store, entities: Iterable[str]) -> dict[str, str]:
    """Each entity's name as `summaries` gives it (the least of its cg:names, else its local id), in one query."""
    entities = sorted(set(entities))
    if not entities:
        return {}
    _, found = rows(query(store, f"SELECT ?e (MIN(?n) AS ?name) WHERE {{ {values('e', entities)} ?e cg:name ?n }} GROUP BY ?e"))
    named = {r["e"]: r["name"] for r in found}
    return {e: named.get(e) or iris.local_id(e) for e in entities}


#: A partner pair (lower IRI first) and the agreements and programmes behind it (None: stated by a source).
Pair = tuple[str, str, tuple[str | None, ...]]


def partnership_pairs(store: Store, name_of: Callable[[str], str]) -> list[Pair]:
    """Every partnership pair once, in name order, with the agreements and programmes behind it in name order
    (None, last, when a source states it directly).

    The pairs are those of the derived graph, computed from the asserted links as the
    property-graph projection does (three times quicker than reading the derived graph's
    evidence); the API reads them once per build.
    """
    def via_order(via: str | None) -> tuple:
        return (via is None, name_of(via).lower() if via else "", via or "")

    pairs = [(a, b, tuple(sorted(vias, key=via_order))) for (a, b), vias in partnership_edges(store).items() if a < b]
    return sorted(pairs, key=lambda p: (name_of(p[0]).lower(), name_of(p[1]).lower(), p[0], p[1]))


def partnerships(store: Store, pairs: list[Pair], theme: str | None, cls: str | None,
                 since: str | None, *, limit: int, offset: int) -> tuple[int, list[dict]]:
    """(how many, one page of) `pairs` with a link that passes the filters, each with the links that pass."""
    keep = _kept_links(store, theme, cls, since)
    if keep is not None:
        pairs = [(a, b, tuple(v for v in vias if v in keep)) for a, b, vias in pairs]
        pairs = [p for p in pairs if p[2]]
    shown = pairs[offset:offset + limit]
    vias = sorted({v for p in shown for v in p[2] if v})
    info = summaries(store, [x for a, b, _ in shown for x in (a, b)] + vias)
    dates, themes, kinds = _dates(store, vias), _themes(store, vias), link_kinds(store, vias)
    out = []
    for a, b, links in shown:
        described = [{"via": info.get(v) if v else None, "kind": kinds.get(v, "stated"), "date": dates.get(v),
                      "themes": themes.get(v, [])} for v in links]
        out.append({"a": info[a], "b": info[b], **described[0], "links": described})
    return len(pairs), out


def _kept_links(store: Store, theme: str | None, cls: str | None, since: str | None) -> set[str | None] | None:
    """The links (agreement or programme IRIs, None for stated) the filters keep; None when there is no filter."""
    if cls == "stated":  # no agreement or programme, so no theme or date either
        return set() if theme or since else {None}
    if cls or theme or since:
        return set(_vias(store, theme, cls, since))
    return None


def _vias(store: Store, theme: str | None, cls: str | None, since: str | None) -> set[str]:
    """The agreements and programmes of `cls`, on `theme` (or a narrower one), signed or started since `since`.

    Only those behind a partnership matter; the caller keeps the pairs whose via is here,
    so the query need not join the derived graph's evidence.
    """
    where = []
    if cls:
        where.append(f"?via a cg:{cls} .")
    if theme:
        where.append(f"?via cg:hasTheme ?theme . ?theme skos:broader* {ref(theme)} .")
    if since:
        lower = since if len(since) == 10 else since + "-01-01"
        where.append("?via cg:signedDate|cg:startDate ?date "
                     f"FILTER(IF(STRLEN(STR(?date)) = 4, CONCAT(STR(?date), \"-12-31\"), STR(?date)) >= {lit(lower)})")
    _, found = rows(query(store, f"SELECT DISTINCT ?via WHERE {{ {' '.join(where)} }}"))
    return {r["via"] for r in found}


def _dates(store: Store, entities: list[str]) -> dict[str, str]:
    if not entities:
        return {}
    _, found = rows(query(store, f"""SELECT ?e (MIN(STR(?d)) AS ?date) WHERE {{ {values("e", entities)}
        ?e cg:signedDate|cg:startDate ?d }} GROUP BY ?e"""))
    return {r["e"]: r["date"] for r in found}


def _themes(store: Store, entities: list[str]) -> dict[str, list[dict]]:
    if not entities:
        return {}
    _, found = rows(query(store, f"SELECT DISTINCT ?e ?t WHERE {{ {values('e', entities)} ?e cg:hasTheme ?t }}"))
    info = summaries(store, [r["t"] for r in found])
    out: dict[str, list[dict]] = defaultdict(list)
    for r in sorted(found, key=lambda r: info[r["t"]]["name"].lower()):
        out[r["e"]].append(info[r["t"]])
    return dict(out)
