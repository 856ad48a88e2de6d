"""Funders' open data as records, and records as quads of one named graph.

The GtR and NIHR readers turn each file into `Project` records (one award each);
this module links their organisations to the nodes documents and the register
use, and writes the records with the same `GraphWriter` the document pipeline
uses, so a project is a `cg:Project` (a `cg:Programme`) with `hostedBy`,
`partner`, `fundedBy`, memberships with role titles, typed dates and funding.
The derived partnerships come from `graph.derive` as for documents: a
project's host and partners partner each other.

Provenance: every quad is in the source file's named graph. What a record says
of its own project (host, partners, funders, scheme) needs no `cg:Evidence`
node: the project is the record, and carries its id (`cg:grantReference`) and
public page (`cg:recordUrl`) in that graph, which `graph.entities.evidence_for`
reads as the evidence. A membership, whose subject is a person, gets a
`cg:Evidence` naming the record (`cg:recordId`, `cg:recordUrl`). Seven
evidence quads for each of a project's four or so links were half of what a
150,000-project file wrote.

Quads are yielded record by record (never one list for a whole file), so a file
of 150,000 projects streams into the store's bulk loader.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from pyoxigraph import Literal, NamedNode, Quad

from collabgraph.ontology import CG, XSD, iris

from .. import names as N
from ..errors import SourceError
from ..extraction import Entity
from ..identity import canonical
from ..linker import Linker
from ..rdf_writer import GraphWriter, SourceInfo
from ..register import Entry, Register

#: Identifier schemes an organisation record may carry, in the order they are trusted for linking.
ID_SCHEMES = ("ror", "gtr", "ods", "wikidata", "grid", "isni", "fundref")


@dataclass
class Org:
    """An organisation as a record names it."""

    name: str
    identifiers: dict[str, str] = field(default_factory=dict)
    region: str | None = None


@dataclass
class Member:
    """A person named on a project, the organisation they are at and their role on it."""

    name: str
    role: str
    org: Org | None = None
    identifiers: dict[str, str] = field(default_factory=dict)


@dataclass
class Project:
    """One award: what a GtR project or an NIHR award record says."""

    record: str                 # where it is in its file, for messages: 'record 12 (MR/X012345/1)'
    key: str                    # what its IRI is keyed by: 'gtr MR/X012345/1', 'nihr-award NIHR123456'
    reference: str              # the funder's reference
    title: str
    url: str | None = None      # the public page of the record
    host: Org | None = None
    partners: list[Org] = field(default_factory=list)
    funders: list[Org] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    scheme: str | None = None   # the funding programme it is part of (NIHR: 'Health Technology Assessment')
    start: date | None = None
    end: date | None = None
    amount: Decimal | None = None
    currency: str = "GBP"
    gtr_id: str | None = None

    @property
    def iri(self) -> str:
        return iris.entity_iri("Programme", self.key)


class OrgLinker:
    """One node per organisation whichever source names it: by identifier first (ROR, a GtR id the register
    gives, ODS, ...), then by name through the register's `Linker`, else the IRI a document would mint for
    that name (so an unregistered 'University of X' in a document and in GtR is still one node)."""

    def __init__(self, register: Register | None) -> None:
        entries = register.of_kind("Organisation") if register is not None else []
        self.by_id = {(scheme, value.lower()): e for e in entries for scheme, value in e.identifiers.items()}
        self.linker = Linker(register) if register is not None and register.entries else None
        self._cache: dict[tuple, tuple[str, Entry | None]] = {}

    def org(self, org: Org) -> tuple[str, Entry | None]:
        """(IRI, register entry or None) of an organisation."""
        key = (org.name, tuple(sorted(org.identifiers.items())))
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._link(org)
        return found

    def _link(self, org: Org) -> tuple[str, Entry | None]:
        for scheme in ID_SCHEMES:
            value = org.identifiers.get(scheme)
            entry = self.by_id.get((scheme, value.lower())) if value else None
            if entry is not None:
                return entry.iri, entry
        name = canonical(org.name)
        entry = self._by_name("Organisation", N.org_class(name, True) or "Organisation", name)
        if entry is not None:
            return entry.iri, entry
        return iris.entity_iri("Organisation", name, org.identifiers), None

    def programme(self, name: str) -> tuple[str, Entry | None]:
        """(IRI, register entry or None) of a funding scheme."""
        name = canonical(name)
        entry = self._by_name("Programme", "Programme", name)
        return (entry.iri, entry) if entry is not None else (iris.entity_iri("Programme", name), None)

    def _by_name(self, kind: str, cls: str, name: str) -> Entry | None:
        if self.linker is None:
            return None
        # An acronym alone ('MRC') links only as an alias, as the linker takes acronyms.
        return self.linker.link(Entity(kind, cls, name, aliases={name} if N.is_acronym(name) else set()))


class RecordWriter(GraphWriter):
    """A GraphWriter whose quads are taken record by record (`drain`), so a large file is never held whole."""

    @property
    def graph_iri(self) -> str:
        return self._graph.value

    def drain(self) -> list[Quad]:
        out, self.quads, self._seen = self.quads, [], set()
        return out


def project_quads(info: SourceInfo, projects: Iterable[Project], linker: OrgLinker) -> Iterator[Quad]:
    """The named graph of a structured source: the source, then each project with its organisations and people."""
    w = RecordWriter(info)
    described: set[str] = set()
    yield from w.drain()
    for p in projects:
        _project(w, p, linker, described)
        yield from w.drain()


def _project(w: RecordWriter, p: Project, linker: OrgLinker, described: set[str]) -> None:
    iri = p.iri
    node = w.entity(iri, "Project", p.title or p.reference)
    w.add(node, CG.grantReference, Literal(p.reference))
    if p.gtr_id:
        w.add(node, CG.gtrId, Literal(p.gtr_id))
    if p.url:
        w.add(node, CG.recordUrl, Literal(p.url, datatype=XSD.anyURI))
    for prop, value in (("startDate", p.start), ("endDate", p.end)):
        if value is not None:
            w.value(iri, prop, value)
    if p.amount is not None:
        w.value(iri, "fundingAmount", _decimal(p.amount), XSD.decimal)
        w.value(iri, "currency", p.currency)
    links = [("hostedBy", p.host)] if p.host else []
    links += [("partner", o) for o in p.partners] + [("fundedBy", o) for o in p.funders]
    host_iri = None
    for predicate, org in links:
        org_iri = _org(w, org, linker, described)
        host_iri = org_iri if predicate == "hostedBy" else host_iri
        if predicate == "partner" and org_iri == host_iri:
            continue  # the lead organisation listed again as a participant is the host, not a partner of itself
        _fact(w, iri, predicate, org_iri)
    if p.scheme:
        scheme, entry = linker.programme(p.scheme)
        _describe(w, scheme, "Programme", p.scheme, entry, described)
        _fact(w, iri, "partOf", scheme)
    for m in p.members:
        _member(w, p, m, linker, described)


def _org(w: RecordWriter, org: Org, linker: OrgLinker, described: set[str]) -> str:
    iri, entry = linker.org(org)
    if iri not in described:
        if entry is None:
            name = canonical(org.name)
            w.entity(iri, N.org_class(name, True) or "Organisation", name, {org.name} - {name}, org.identifiers, org.region)
        else:  # the register's graph describes it; this source names it, maybe otherwise
            w.mention(iri, {org.name} - {entry.name, *entry.aliases})
        described.add(iri)
    return iri


def _describe(w: RecordWriter, iri: str, cls: str, name: str, entry: Entry | None, described: set[str]) -> None:
    if iri in described:
        return
    if entry is None:
        w.entity(iri, cls, canonical(name), {name} - {canonical(name)})
    else:
        w.mention(iri)
    described.add(iri)


def person_name(name: str) -> str:
    """A person's name without honorifics and post-nominals ('Professor Jane Roe FMedSci' -> 'Jane Roe'), as
    documents key people, so the same person in a document and a funder's record is one node."""
    words = name.replace(",", " ").split()
    while len(words) > 1 and words[0].lower().rstrip(".") in N.HONORIFICS:
        words.pop(0)
    while len(words) > 1 and words[-1].lower().rstrip(".") in N.POSTNOMINALS:
        words.pop()
    return " ".join(words)


def _member(w: RecordWriter, p: Project, m: Member, linker: OrgLinker, described: set[str]) -> None:
    name = person_name(m.name)
    person = iris.entity_iri("Person", name)
    if person not in described:
        w.entity(person, "Person", name, {m.name} - {name})
        if m.identifiers.get("gtr"):
            w.add(NamedNode(person), CG.gtrId, Literal(m.identifiers["gtr"]))
        described.add(person)
    org = m.org or p.host
    if org is None:
        return
    org_iri = _org(w, org, linker, described)
    w.membership(person, org_iri, m.role)
    _annotate(w, p, person, "memberOf", org_iri)


def _fact(w: RecordWriter, s: str, predicate: str, o: str) -> None:
    """A link of the project the record is about: the record itself is its evidence (see the module's doc)."""
    w.add(NamedNode(s), CG[predicate], NamedNode(o))


def _annotate(w: RecordWriter, p: Project, s: str, predicate: str, o: str) -> None:
    """The record behind a relation, on its evidence node: its id in the file, and its public page."""
    ev = NamedNode(iris.evidence_iri(s, predicate, o, w.graph_iri, None))
    w.add(ev, CG.recordId, Literal(p.reference))
    if p.url:
        w.add(ev, CG.recordUrl, Literal(p.url, datatype=XSD.anyURI))


def _decimal(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# ---------------------------------------------------------------- values of records

_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def parse_date(value, where: str, field_name: str, path) -> date | None:
    """A record's date: ISO (2024-10-01, 2024-10-01T00:00:00Z), day/month/year (01/10/2024) or epoch
    milliseconds (GtR API); empty is None; anything else a SourceError naming the record and field."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, tz=UTC).date()
    text = str(value).strip()
    try:
        if m := _DMY.fullmatch(text):
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if text.isdigit() and len(text) > 8:
            return datetime.fromtimestamp(int(text) / 1000, tz=UTC).date()
        return date.fromisoformat(text[:10])
    except ValueError:
        raise SourceError(path, f"{where}: field {field_name!r}: {text[:40]!r} is not a date "
                                "(expected 2024-10-01, 01/10/2024 or epoch milliseconds)") from None


def parse_amount(value, where: str, field_name: str, path) -> Decimal | None:
    """An amount of money: a number, or text such as '£1,234,567.00'; empty is None."""
    if value is None or value == "":
        return None
    text = re.sub(r"[£$€,\s]", "", str(value))
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        raise SourceError(path, f"{where}: field {field_name!r}: {str(value)[:40]!r} is not an amount of money")
    return amount


def require(record: dict, field_name: str, where: str, path) -> str:
    """A field the record cannot do without, as text; a SourceError naming it when missing or empty."""
    value = record.get(field_name)
    if value is None or str(value).strip() == "":
        raise SourceError(path, f"{where}: missing {field_name!r}")
    return str(value).strip()
