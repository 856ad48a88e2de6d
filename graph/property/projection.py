"""The projection of the RDF dataset into property-graph rows (nodes and relationships).

Everything here is read with SPARQL from the dataset (its merge, and its named graphs),
so the property graph and the networkx views hold exactly what the RDF says:

* every resource typed with one of the five kinds (Organisation, Person,
  Agreement, Programme, Theme) is a node, labelled with its kind and its cg:
  subclasses (``Organisation:University``);
* every cg: object property (and ``skos:broader``) between two nodes is a
  relationship named in upper snake case (``memberOf`` -> ``MEMBER_OF``), with
  the sources that state it; ``MEMBER_OF`` carries the role titles of the
  qualified memberships;
* the symmetric ``partnersWith`` is one ``PARTNERS_WITH`` per pair of organisations
  (from the lower IRI to the higher), with the agreements and programmes it goes
  through (``via``) and the sources that support it.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from pyoxigraph import Store

from collabgraph.ontology import KINDS, NS, iris, object_properties, subclasses

from ..dataset import table
from ..derive import Edges, partnership_edges

SKOS_BROADER = "http://www.w3.org/2004/02/skos/core#broader"
PARTNERS_WITH = "PARTNERS_WITH"
#: The classes of projected entities: the kinds and their subclasses (not Evidence, Membership, Source).
_CLASSES = " ".join(f"cg:{c}" for k in KINDS for c in (k, *subclasses(k)))
_KINDS = " ".join(f"cg:{k}" for k in KINDS)

#: RDF data properties -> node property names; the first value wins, others of cg:name become aliases.
NODE_PROPERTIES = {
    NS + "name": "name", NS + "ror": "ror", NS + "odsCode": "ods", NS + "wikidata": "wikidata",
    NS + "region": "region", NS + "signedDate": "signedDate", NS + "startDate": "startDate",
    NS + "endDate": "endDate", NS + "fundingAmount": "fundingAmount", NS + "currency": "currency",
    NS + "duration": "duration",
}
ALIASES = "http://www.w3.org/2004/02/skos/core#altLabel"


@dataclass
class NodeRow:
    iri: str
    kind: str                    # the top-level kind, also the label the node is keyed on
    labels: tuple[str, ...]      # kind first, then cg: subclasses, sorted
    props: dict = field(default_factory=dict)

    @property
    def type(self) -> str:
        """The most specific class: the first subclass label, else the kind.

        An entity can carry two kinds (a register organisation that a document calls a
        programme); then the second kind is not a subclass and must not be taken for one.
        """
        return next((label for label in self.labels if label not in KINDS), self.kind)


@dataclass
class RelRow:
    type: str
    start: str
    end: str
    predicate: str               # the RDF local name (memberOf, partnersWith, broader)
    props: dict = field(default_factory=dict)


@dataclass
class Projection:
    nodes: list[NodeRow]
    relationships: list[RelRow]

    def node_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for n in self.nodes:
            for label in n.labels:
                counts[label] += 1
        return dict(sorted(counts.items()))

    def relationship_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for r in self.relationships:
            counts[r.type] += 1
        return dict(sorted(counts.items()))

    def digest(self) -> str:
        """A checksum of the whole projection: equal digests mean there is nothing to reload."""
        h = hashlib.sha256()
        for n in self.nodes:
            h.update(json.dumps([n.iri, n.labels, n.props], sort_keys=True).encode())
        for r in self.relationships:
            h.update(json.dumps([r.type, r.start, r.end, r.props], sort_keys=True).encode())
        return h.hexdigest()


def relationship_type(predicate_local: str) -> str:
    """``memberOf`` -> ``MEMBER_OF``, ``hasTheme`` -> ``HAS_THEME``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", predicate_local).upper()


def project(store: Store) -> Projection:
    """The nodes and relationships of the property graph, read from the store with SPARQL.

    Reading is bound by decoding the store's terms (a million relationships are minutes of
    it), so the queries run two at a time in threads (`dataset.table` lets go of the
    interpreter while Oxigraph reads) while this thread builds rows from those finished.
    """
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="collabgraph-projection") as pool:
        ask = {name: pool.submit(table, store, sparql) for name, sparql in _queries().items()}
        edges = pool.submit(partnership_edges, store)
        nodes = _nodes(ask["classes"].result(), ask["sources"].result(), ask["properties"].result())
        rels = _relationships(nodes, ask["relations"].result(), ask["roles"].result()) + _partnerships(nodes, edges.result())
    rels.sort(key=lambda r: (r.type, r.start, r.end))
    return Projection(sorted(nodes.values(), key=lambda n: n.iri), rels)


def _queries() -> dict[str, str]:
    wanted = " ".join(f"<{p}>" for p in [*NODE_PROPERTIES, ALIASES])
    return {
        "classes": f"SELECT DISTINCT ?x ?c WHERE {{ VALUES ?c {{ {_CLASSES} }} ?x a ?c FILTER(isIRI(?x)) }}",
        # LATERAL: look each entity's sources up by subject instead of joining every prov:wasDerivedFrom.
        "sources": f"""SELECT DISTINCT ?x ?g WHERE {{
          {{ SELECT DISTINCT ?x WHERE {{ VALUES ?c {{ {_KINDS} }} ?x a ?c FILTER(isIRI(?x)) }} }}
          LATERAL {{ ?x prov:wasDerivedFrom ?g }} }}""",
        "properties": f"SELECT DISTINCT ?x ?p ?v (DATATYPE(?v) AS ?t) WHERE {{ VALUES ?p {{ {wanted} }} ?x ?p ?v }}",
        "relations": _relations_query(),
        "roles": _ROLES,
    }


def _nodes(classes_found: Iterable[list[str]], sources_found: Iterable[list[str]],
           properties: Iterable[list[str]]) -> dict[str, NodeRow]:
    """Every entity with its labels and, as `sources`, the graphs that name it (prov:wasDerivedFrom)."""
    classes: dict[str, set[str]] = defaultdict(set)
    for x, c in classes_found:
        classes[x].add(c[len(NS):])
    sources: dict[str, set[str]] = defaultdict(set)
    for x, g in sources_found:
        sources[x].add(g)
    nodes = {}
    for iri, names in classes.items():
        kinds = [k for k in KINDS if k in names]
        if kinds:
            rest = sorted(names - set(kinds))
            nodes[iri] = NodeRow(iri, kinds[0], (*kinds, *rest),
                                 {"iri": iri, "id": iris.local_id(iri), "sources": sorted(sources[iri])})
    _node_properties(properties, nodes)
    return nodes


def _node_properties(found: Iterable[list[str]], nodes: dict[str, NodeRow]) -> None:
    values: dict[tuple[str, str], set] = defaultdict(set)
    for iri, predicate, value, datatype in found:
        if iri in nodes:
            values[(iri, predicate)].add(_value(value, datatype))
    for (iri, predicate), found_values in values.items():
        props = nodes[iri].props
        ordered = sorted(found_values, key=str)
        if predicate == ALIASES:
            props["aliases"] = sorted(set(props.get("aliases", [])) | set(ordered))
        else:
            name = NODE_PROPERTIES[predicate]
            props[name] = ordered[0]
            if name == "name" and len(ordered) > 1:
                props["aliases"] = sorted(set(props.get("aliases", [])) | set(ordered[1:]))


def _value(value: str, datatype: str):
    if datatype.endswith(("#decimal", "#double", "#float")):
        return float(value)
    if datatype.endswith(("#integer", "#int", "#long")):
        return int(value)
    return value


def _relations_query() -> str:
    """Every cg: object property (read from the ontology, so a new one is projected too) and skos:broader,
    looked up by predicate rather than by scanning every quad; partnersWith has its own query."""
    # via and role qualify evidence and membership nodes, which are never projected, and there are many
    predicates = " ".join(f"cg:{p}" for p in object_properties() if p not in ("partnersWith", "via", "role"))
    return f"""SELECT DISTINCT ?s ?p ?o ?g WHERE {{
  VALUES ?p {{ {predicates} skos:broader }}
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(isIRI(?o) && ?g != <{iris.DERIVED_GRAPH}>)
}}"""


_ROLES = """
SELECT DISTINCT ?person ?org ?role WHERE {
  ?m a cg:Membership ; org:member ?person ; org:organization ?org ; cg:roleTitle ?role .
}"""


def _relationships(nodes: dict[str, NodeRow], relations: Iterable[list[str]], roles_found: Iterable[list[str]]) -> list[RelRow]:
    sources: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for subj, predicate, obj, graph in relations:
        if subj in nodes and obj in nodes:
            sources[(subj, predicate, obj)].add(graph)
    roles: dict[tuple[str, str], set[str]] = defaultdict(set)
    for person, org, role in roles_found:
        roles[(person, org)].add(role)
    out = []
    for (subj, predicate, obj), graphs in sources.items():
        local = predicate.rsplit("#", 1)[1]
        props: dict = {"sources": sorted(graphs)}
        if local == "memberOf" and roles.get((subj, obj)):
            props["roles"] = sorted(roles[(subj, obj)])
            props["role"] = "; ".join(props["roles"])
        out.append(RelRow(relationship_type(local), subj, obj, local, props))
    return out


def _partnerships(nodes: dict[str, NodeRow], edges: Edges) -> list[RelRow]:
    """One PARTNERS_WITH per unordered pair, from the lower IRI to the higher, whichever direction RDF states:
    `via` the agreements and programmes it goes through, `sources` every source behind it."""
    out = []
    for (a, b), vias in edges.items():
        if a < b and a in nodes and b in nodes:
            props = {"via": sorted(v for v in vias if v), "sources": sorted(set().union(*vias.values()))}
            out.append(RelRow(PARTNERS_WITH, a, b, "partnersWith", {k: v for k, v in props.items() if v}))
    return out
