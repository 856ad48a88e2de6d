"""Builds the quads of one named graph from entities and relations.

Every fact written here goes into the source's named graph, and every relation
gets a cg:Evidence node (a reified statement with prov:wasDerivedFrom) so an
analyst can always ask which sentence of which source supports an edge. All
node IRIs are minted deterministically (no blank nodes) so that two builds of
the same sources give identical N-Quads.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from pyoxigraph import Literal, NamedNode, Quad

from collabgraph.ontology import CG, DCTERMS, ORG, PROV, RDF, RDFS, SKOS, XSD, iris, superclasses

_ID_PROPS = {"ror": CG.ror, "ods": CG.odsCode, "wikidata": CG.wikidata, "gtr": CG.gtrId, "grid": CG.gridId,
             "isni": CG.isni, "fundref": CG.fundref}


@dataclass
class SourceInfo:
    """What is known about a source document or register file."""

    key: str
    path: str  # relative to the folder it was given in: the dataset never holds the machine's paths
    title: str
    checksum: str
    date: str | None = None
    kind: str = "document"
    local: str = ""  # the path as given on this machine, for messages and the manifest only
    url: str | None = None  # the web page a saved document came from, when it names itself

    @cached_property
    def graph(self) -> str:  # asked for by every relation a writer writes: made once
        return iris.source_graph_iri(self.key) if self.kind == "document" else iris.register_graph_iri(self.key)


@dataclass
class GraphWriter:
    """Accumulates the quads of one named graph."""

    source: SourceInfo
    quads: list[Quad] = field(default_factory=list)
    _seen: set = field(default_factory=set)

    def __post_init__(self) -> None:
        self._graph = NamedNode(self.source.graph)
        self._source = NamedNode(self.source.graph)
        self._describe_source()

    def add(self, s: NamedNode, p: NamedNode, o) -> None:
        q = Quad(s, p, o, self._graph)
        if q not in self._seen:
            self._seen.add(q)
            self.quads.append(q)

    def _describe_source(self) -> None:
        s, info = self._source, self.source
        self.add(s, RDF.type, CG.Source)
        self.add(s, RDF.type, PROV.Entity)
        self.add(s, DCTERMS.title, Literal(info.title or info.key))
        self.add(s, CG.path, Literal(info.path))
        self.add(s, CG.sourceKey, Literal(info.key))
        self.add(s, CG.checksum, Literal(info.checksum))
        if info.date:
            try:
                self.add(s, DCTERMS.date, date_literal(info.date))
            except ValueError:  # a page's own date we cannot read is left out, not written as a plain string
                pass
        if info.url:
            try:
                self.add(s, DCTERMS.source, NamedNode(info.url))
            except ValueError:  # not an IRI after all: the source keeps its path
                pass

    def entity(self, iri: str, cls: str, name: str, aliases=(), identifiers=None, region=None) -> NamedNode:
        """Describes an entity this source introduces: its classes, name, aliases, identifiers and region."""
        node = self.classify(iri, cls)
        self.add(node, CG.name, Literal(name))
        for scheme, value in sorted((identifiers or {}).items()):
            if scheme in _ID_PROPS and value:
                self.add(node, _ID_PROPS[scheme], Literal(str(value)))
        if region:
            self.add(node, CG.region, Literal(region))
        return self.mention(iri, set(aliases) - {name})

    def mention(self, iri: str, aliases=()) -> NamedNode:
        """Records that this source names the entity (prov:wasDerivedFrom), and the other names it used.

        A document calls this alone for an entity the curated register describes: the
        register's graph holds its class, name and identifiers, and a document repeating them
        would claim to be their source and make every query over the union see each of those
        facts once per document (Oxigraph 0.5 returns a triple once per graph that holds it).
        """
        node = NamedNode(iri)
        for alias in sorted(aliases):
            self.add(node, SKOS.altLabel, Literal(alias))
        self.add(node, PROV.wasDerivedFrom, self._source)
        return node

    def classify(self, iri: str, cls: str) -> NamedNode:
        """Types the entity with its class and every cg: superclass (a theme also joins the theme scheme)."""
        node = NamedNode(iri)
        for c in (cls, *superclasses(cls)):
            self.add(node, RDF.type, CG[c])
        if cls == "Theme":
            self.add(node, SKOS.inScheme, CG.themes)
        return node

    def relation(self, s: str, predicate: str, o: str, sentence: str | None = None,
                 start: int | None = None, end: int | None = None) -> None:
        """A relation plus its evidence node; predicate is a cg: local name."""
        subj, obj, pred = NamedNode(s), NamedNode(o), CG[predicate]
        self.add(subj, pred, obj)
        ev = NamedNode(iris.evidence_iri(s, predicate, o, self.source.graph, start))
        self.add(ev, RDF.type, CG.Evidence)
        self.add(ev, RDF.subject, subj)
        self.add(ev, RDF.predicate, pred)
        self.add(ev, RDF.object, obj)
        self.add(ev, PROV.wasDerivedFrom, self._source)
        if sentence:
            self.add(ev, CG.sentence, Literal(sentence))
        if start is not None and end is not None:
            self.add(ev, CG.start, Literal(str(start), datatype=XSD.integer))
            self.add(ev, CG.end, Literal(str(end), datatype=XSD.integer))

    def membership(self, person: str, organisation: str, role: str | None, sentence: str | None = None,
                   start: int | None = None, end: int | None = None) -> None:
        """memberOf plus a qualified cg:Membership (org:Membership) carrying the role title."""
        self.relation(person, "memberOf", organisation, sentence, start, end)
        m = NamedNode(iris.membership_iri(person, organisation, role))
        self.add(m, RDF.type, CG.Membership)
        self.add(m, RDF.type, ORG.Membership)
        self.add(m, ORG.member, NamedNode(person))
        self.add(m, ORG.organization, NamedNode(organisation))
        self.add(m, PROV.wasDerivedFrom, self._source)
        if role:
            r = NamedNode(iris.role_iri(role))
            self.add(m, CG.roleTitle, Literal(role))
            self.add(m, CG.role, r)
            self.add(r, RDF.type, ORG.Role)
            self.add(r, RDFS.label, Literal(role))

    def value(self, iri: str, prop: str, value, datatype: NamedNode | None = None) -> None:
        """A data property (cg: local name) such as fundingAmount or startDate."""
        if prop in DATE_PROPERTIES:
            lit = date_literal(value)
        elif datatype is not None:
            lit = Literal(str(value), datatype=datatype)
        else:
            lit = Literal(str(value))
        self.add(NamedNode(iri), CG[prop], lit)


#: The date properties: each value is typed by its precision, the same whichever source states it.
DATE_PROPERTIES = frozenset({"signedDate", "startDate", "endDate"})
_DATE_FORMS = ((re.compile(r"\d{4}-\d{2}-\d{2}"), XSD.date), (re.compile(r"\d{4}-(?:0[1-9]|1[0-2])"), XSD.gYearMonth),
               (re.compile(r"\d{4}"), XSD.gYear))


def date_literal(value) -> Literal:
    """A date as xsd:date, xsd:gYearMonth or xsd:gYear by its precision (2024-10-01, 2024-10, 2024), so the year
    a register gives and the year a document gives are one value; ValueError for anything else."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return Literal(value.isoformat(), datatype=XSD.date)
    text = str(value).strip()
    datatype = next((d for f, d in _DATE_FORMS if f.fullmatch(text)), None)
    if datatype == XSD.date and not _is_day(text):  # 2024-02-30 has the form of a date but is none
        datatype = None
    if datatype is not None:
        return Literal(text, datatype=datatype)
    raise ValueError(f"{text!r} is not a date: write it as 2024-10-01, 2024-10 or 2024")


def _is_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
        return True
    except ValueError:
        return False
