"""The collabgraph ontology, read from its Turtle files.

The Turtle in this folder is the only list of classes and properties: this module
reads it, so a term that is not in the ontology cannot be used by mistake
(`CG.memberOf` works, `CG.memberof` raises AttributeError).
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import rdflib
from pyoxigraph import NamedNode
from rdflib.namespace import OWL
from rdflib.namespace import RDF as _RDF
from rdflib.namespace import RDFS as _RDFS

HERE = Path(__file__).parent
ONTOLOGY_FILE = HERE / "collabgraph.ttl"
SHAPES_FILE = HERE / "shapes.ttl"

NS = "https://w3id.org/collabgraph/ontology#"
ONTOLOGY_IRI = "https://w3id.org/collabgraph/ontology"

#: The five top-level classes the extractor and the API speak of.
KINDS = ("Organisation", "Person", "Programme", "Agreement", "Theme")


class Namespace:
    """Attribute access to IRIs of a namespace as pyoxigraph NamedNodes."""

    def __init__(self, base: str, terms: frozenset[str] | None = None):
        self._base = base
        self._terms = terms
        self._nodes: dict[str, NamedNode] = {}  # made once each: writers ask for the same terms millions of times

    def __getattr__(self, local: str) -> NamedNode:
        """Called only for a term not asked for before: it is then kept as an attribute of the instance, so
        later uses are plain attribute reads (writers ask for the same few terms millions of times)."""
        if local.startswith("_"):
            raise AttributeError(local)
        if self._terms is not None and local not in self._terms:
            raise AttributeError(f"{local!r} is not a term of the collabgraph ontology ({ONTOLOGY_FILE.name})")
        node = self._nodes[local] = NamedNode(self._base + local)
        setattr(self, local, node)
        return node

    def __getitem__(self, local: str) -> NamedNode:
        return self._nodes.get(local) or self.__getattr__(local)

    def __contains__(self, local: str) -> bool:
        return self._terms is None or local in self._terms

    @property
    def base(self) -> str:
        return self._base


@cache
def ontology_graph() -> rdflib.Graph:
    """The ontology as an rdflib graph (parsed once per process)."""
    return rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle")


@cache
def shapes_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES_FILE, format="turtle")


@cache
def _terms() -> frozenset[str]:
    g = ontology_graph()
    return frozenset(str(s)[len(NS):] for s in g.subjects() if str(s).startswith(NS))


CG = Namespace(NS, _terms())
RDF = Namespace(str(_RDF))
RDFS = Namespace(str(_RDFS))
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")

PREFIXES = {
    "cg": NS, "rdf": str(_RDF), "rdfs": str(_RDFS), "xsd": XSD.base, "skos": SKOS.base,
    "org": ORG.base, "prov": PROV.base, "dcterms": DCTERMS.base, "foaf": FOAF.base, "owl": str(OWL),
}


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace above, to put in front of a query."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


@cache
def classes() -> tuple[str, ...]:
    """Local names of every cg: class, sorted."""
    g = ontology_graph()
    return tuple(sorted(str(c)[len(NS):] for c in g.subjects(_RDF.type, OWL.Class) if str(c).startswith(NS)))


@cache
def superclasses(local: str) -> tuple[str, ...]:
    """cg: superclasses of a cg: class, nearest first, the class itself excluded."""
    g = ontology_graph()
    out: list[str] = []
    todo = [rdflib.URIRef(NS + local)]
    while todo:
        for parent in g.objects(todo.pop(0), _RDFS.subClassOf):
            name = str(parent)[len(NS):]
            if str(parent).startswith(NS) and name not in out:
                out.append(name)
                todo.append(parent)  # type: ignore[arg-type]  # a class IRI: subClassOf objects here are IRIs
    return tuple(out)


@cache
def subclasses(local: str) -> tuple[str, ...]:
    """cg: classes below a cg: class (transitively), sorted."""
    return tuple(sorted(c for c in classes() if local in superclasses(c)))


def kind_of(local: str) -> str | None:
    """The top-level kind (Organisation, Person, ...) a cg: class belongs to."""
    for name in (local, *superclasses(local)):
        if name in KINDS:
            return name
    return None


def label(local: str) -> str:
    g = ontology_graph()
    value = g.value(rdflib.URIRef(NS + local), _RDFS.label)
    return str(value) if value is not None else local


@cache
def object_properties() -> tuple[str, ...]:
    g = ontology_graph()
    return tuple(sorted(str(p)[len(NS):] for p in g.subjects(_RDF.type, OWL.ObjectProperty) if str(p).startswith(NS)))
