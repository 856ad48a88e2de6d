"""Datasets and expectations shared by the property-graph and network tests.

Expectations are computed from the RDF dataset with SPARQL written here, not
with the projection code under test, so the two paths check each other.
"""
from __future__ import annotations

from pathlib import Path

from pyoxigraph import NamedNode, Store

from collabgraph.graph.dataset import drop_graph, query
from collabgraph.graph.derive import derived_quads
from collabgraph.loaders.rdf_writer import GraphWriter, SourceInfo
from collabgraph.ontology import KINDS, XSD, iris, object_properties, subclasses

CG = "https://w3id.org/collabgraph/ontology#"
SKOS_BROADER = "http://www.w3.org/2004/02/skos/core#broader"


def org(kind: str, name: str, **ids) -> str:
    return iris.entity_iri("Organisation", name, ids)


U1 = org("University", "University of Exampleton", ror="01abc2345")
T1 = org("NHSTrust", "Northby Community NHS Trust", ods="RX1")
C1 = org("LocalAuthority", "Westshire County Council")
U2 = org("University", "Eastbridge University")
F1 = org("GovernmentBody", "Exampleton Research Agency")
D1 = org("OrganisationalUnit", "Exampleton School of Medicine")
M1 = iris.entity_iri("Agreement", "Exampleton and Northby memorandum")
G0 = iris.entity_iri("Programme", "Westshire Applied Health Scheme")
G1 = iris.entity_iri("Programme", "Westshire Health Determinants Programme")
TH = iris.entity_iri("Theme", "Healthy places")
P1 = iris.entity_iri("Person", "Ada Example")
P2 = iris.entity_iri("Person", "Bram Sample")


def source_a() -> GraphWriter:
    """An agreement between a university and a trust, and a person at the university."""
    w = GraphWriter(SourceInfo("doc-a.txt", "doc-a.txt", "Document A", "sha256:aa"))
    w.entity(U1, "University", "University of Exampleton", ["UoE", "Exampleton Uni"], {"ror": "01abc2345"})
    w.entity(T1, "NHSTrust", "Northby Community NHS Trust", [], {"ods": "RX1"})
    w.entity(M1, "MemorandumOfUnderstanding", "Exampleton and Northby memorandum")
    w.relation(M1, "party", U1, "A states the memorandum.", 0, 10)
    w.relation(M1, "party", T1)
    w.value(M1, "signedDate", "2024-03-01", XSD.date)
    w.entity(P1, "Person", "Ada Example")
    w.membership(P1, U1, "Pro-Vice-Chancellor for Research")
    return w


def source_b() -> GraphWriter:
    """A programme hosted by a council with partners, a funder, a theme, a predecessor, a unit, a person."""
    w = GraphWriter(SourceInfo("doc-b.txt", "doc-b.txt", "Document B", "sha256:bb"))
    w.entity(U1, "University", "University of Exampleton")
    w.entity(T1, "NHSTrust", "Northby Community NHS Trust", [], {"ods": "RX1"})
    w.entity(C1, "LocalAuthority", "Westshire County Council", ["Westshire Council"])
    w.entity(U2, "University", "Eastbridge University")
    w.entity(F1, "GovernmentBody", "Exampleton Research Agency")
    w.entity(D1, "OrganisationalUnit", "Exampleton School of Medicine")
    w.relation(D1, "partOf", U1)
    w.entity(G0, "Programme", "Westshire Applied Health Scheme")
    w.entity(G1, "Programme", "Westshire Health Determinants Programme", ["WHDP"])
    w.relation(G1, "hostedBy", C1)
    w.relation(G1, "partner", T1)
    w.relation(G1, "partner", U2)
    w.relation(G1, "fundedBy", F1)
    w.relation(G1, "succeeds", G0)
    w.entity(TH, "Theme", "Healthy places")
    w.relation(G1, "hasTheme", TH)
    w.value(G1, "fundingAmount", 1000000, XSD.decimal)
    w.value(G1, "currency", "GBP")
    w.value(G1, "startDate", "2025-01-01", XSD.date)
    w.entity(P2, "Person", "Bram Sample")
    w.membership(P2, C1, "Director of Public Health")
    return w


def small_store(sources=(source_a, source_b)) -> Store:
    """An in-memory dataset of the given sources plus the derived graph, as a build would write it."""
    store = Store()
    for make in sources:
        w = make()
        store.extend(w.quads)
    recompute_derived(store)
    return store


def remove_source(store: Store, graph: str) -> None:
    store.remove_graph(NamedNode(graph))
    recompute_derived(store)


def recompute_derived(store: Store) -> None:
    drop_graph(store, iris.DERIVED_GRAPH)
    store.extend(list(derived_quads(store)))


def graph_of(make) -> str:
    return make().source.graph


# ---------------------------------------------------------------- expectations from the RDF

_KIND_VALUES = " ".join(f"cg:{k}" for k in KINDS)


def rdf_entities(store: Store) -> set[str]:
    sparql = f"SELECT DISTINCT ?x WHERE {{ ?x a ?k VALUES ?k {{ {_KIND_VALUES} }} }}"
    return {s["x"].value for s in query(store, sparql)}


def rdf_label_counts(store: Store) -> dict[str, int]:
    labels = [*KINDS, *subclasses("Organisation"), *subclasses("Agreement"), *subclasses("Programme")]
    out = {}
    for label in labels:
        n = _count(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a cg:{label} }}")
        if n:
            out[label] = n
    return out


def rdf_relationship_counts(store: Store) -> dict[str, int]:
    """Distinct (subject, object) per predicate between entities; partnersWith as unordered pairs."""
    out = {}
    predicates = [CG + p for p in object_properties() if p not in ("partnersWith", "via", "role")] + [SKOS_BROADER]
    for p in predicates:
        n = _count(store, f"""SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?o WHERE {{
            ?s <{p}> ?o . ?s a ?ks . ?o a ?ko VALUES ?ks {{ {_KIND_VALUES} }} VALUES ?ko {{ {_KIND_VALUES} }} }} }}""")
        if n:
            local = p.rsplit("#", 1)[1]
            out[_snake(local)] = n
    pairs = len(rdf_partner_pairs(store))
    if pairs:
        out["PARTNERS_WITH"] = pairs
    return dict(sorted(out.items()))


def rdf_partner_pairs(store: Store) -> set[frozenset[str]]:
    return {frozenset((s["a"].value, s["b"].value)) for s in query(store, """
        SELECT DISTINCT ?a ?b WHERE { ?a cg:partnersWith ?b . ?a a cg:Organisation . ?b a cg:Organisation
                                      FILTER(?a != ?b) }""")}


def rdf_partners(store: Store, organisation: str) -> set[str]:
    return {s["p"].value for s in query(store, f"""
        SELECT DISTINCT ?p WHERE {{ {{ <{organisation}> cg:partnersWith ?p }}
                                   UNION {{ ?p cg:partnersWith <{organisation}> }}
                                   ?p a cg:Organisation FILTER(?p != <{organisation}>) }}""")}


def rdf_organisations(store: Store) -> set[str]:
    return {s["o"].value for s in query(store, "SELECT DISTINCT ?o WHERE { ?o a cg:Organisation }")}


def _count(store: Store, sparql: str) -> int:
    return int(next(iter(query(store, sparql)))["n"].value)


def _snake(local: str) -> str:
    return "".join("_" + c if c.isupper() else c for c in local).upper()


# ---------------------------------------------------------------- a register folder of our own

REGISTER = {
    "organisations.yaml": """organisations:
  - name: University of Exampleton
    type: University
    aliases: [UoE]
    identifiers: {ror: 01abc2345}
  - name: Northby Community NHS Trust
    type: NHSTrust
    identifiers: {ods: RX1}
  - name: Westshire County Council
    type: LocalAuthority
  - name: Eastbridge University
    type: University
  - name: Exampleton Research Agency
    type: GovernmentBody
""",
    "programmes.yaml": """programmes:
  - name: Westshire Health Determinants Programme
    hosted_by: Westshire County Council
    funded_by: Exampleton Research Agency
    partners: [Northby Community NHS Trust, Eastbridge University]
    themes: [Healthy places]
    start: 2025-01-01
    funding: {amount: 1000000, currency: GBP}
""",
    "themes.yaml": """themes:
  - name: Health
  - name: Healthy places
    broader: Health
""",
    "extra.yaml": """organisations:
  - name: Southmoor Research Institute
    type: ResearchCentre
programmes:
  - name: Exampleton Digital Health Network
    partners: [University of Exampleton, Northby Community NHS Trust, Southmoor Research Institute]
""",
}


def write_register(folder: Path, files: dict[str, str] = REGISTER) -> Path:
    """A sources folder holding only a register/ folder; returns the sources folder."""
    reg = folder / "register"
    reg.mkdir(parents=True, exist_ok=True)
    for existing in reg.glob("*.yaml"):
        existing.unlink()
    for name, text in files.items():
        (reg / name).write_text(text)
    return folder
