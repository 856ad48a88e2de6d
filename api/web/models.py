"""The shapes of the REST API's JSON, as pydantic models (they also make the OpenAPI schema at /docs)."""
from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Summary(BaseModel):
    """An entity in a list or as the end of a link."""

    id: str = Field(description="the local part of the IRI, usable in every route", examples=["organisation/ror-04h699437"])
    iri: str
    name: str
    type: str | None = Field(None, description="the most specific cg: class, e.g. University")
    kind: str | None = Field(None, description="Organisation, Person, Programme, Agreement or Theme")
    aliases: list[str] = []


class Related(Summary):
    role: str | None = Field(None, description="how it is related: a role title, or the cg: property of the link")


class Source(BaseModel):
    graph: str = Field(description="the source's named graph, also its prov:Entity")
    key: str | None = None
    title: str | None = None
    path: str | None = Field(None, description="its path inside the folder it was given in, never the machine's")
    url: str | None = Field(None, description="the web page a saved document came from, when the page names it")
    checksum: str | None = Field(None, description="sha256:<hex> of the source's bytes")
    date: str | None = None
    kind: Literal["document", "register"]


class Statement(BaseModel):
    subject: str
    predicate: str
    object: str


class Evidence(BaseModel):
    """The sentence (when the fact came from a document) and the source behind one statement."""

    statement: Statement
    sentence: str | None = None
    start: int | None = None
    end: int | None = None
    source: Source | None = None
    record_url: str | None = Field(None, description="the public page of the funder's record stating it (GtR, NIHR)")


class Page(BaseModel, Generic[T]):
    total: int = Field(description="how many match, over all pages")
    limit: int
    offset: int
    items: list[T]


class Funding(BaseModel):
    amount: float | str = Field(description="a number, or the text of the source when it is not one")
    currency: str | None = None


class OrganisationDetail(Summary):
    identifiers: dict[str, str] = Field(description="ror, ods (NHS ODS code), wikidata; gtr, grid, isni, fundref when a source gives them")
    region: str | None = None
    parent: list[Related]
    units: list[Related]
    people: list[Related] = Field(description="people with their role title")
    agreements: list[Related] = Field(description="role: party or fundedBy")
    programmes: list[Related] = Field(description="role: partner, hostedBy or fundedBy")
    themes: list[Related] = Field(description="role: 'own', or 'via <programme or agreement>'")
    sources: list[Source]


class ProgrammeDetail(Summary):
    region: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    duration: str | None = None
    funding: Funding | None = None
    identifiers: dict[str, str] = Field({}, description="a funder's project: grant_reference, gtr (Gateway to Research id)")
    record_url: str | None = Field(None, description="a funder's project: the public page of its record (GtR, NIHR)")
    hosts: list[Related]
    funders: list[Related]
    partners: list[Related]
    themes: list[Related]
    succeeds: list[Related]
    succeeded_by: list[Related]
    part_of: list[Related]
    parts: list[Related]
    sources: list[Source]


class Party(Related):
    evidence: list[Evidence]


class AgreementDetail(Summary):
    signed_date: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    duration: str | None = None
    funding: Funding | None = None
    parties: list[Party]
    funders: list[Related]
    themes: list[Related]
    sources: list[Source]


class Membership(BaseModel):
    organisation: Summary
    role: str | None = None
    evidence: list[Evidence]


class PersonDetail(Summary):
    memberships: list[Membership]
    sources: list[Source]


class ThemeDetail(Summary):
    broader: list[Related]
    narrower: list[Related]
    programmes: list[Related]
    agreements: list[Related]
    organisations: list[Related]
    sources: list[Source]


class Link(BaseModel):
    """One reason two organisations are partners."""

    kind: Literal["agreement", "programme", "stated"] = Field(
        description="through a shared agreement, a shared programme, or stated directly by a source")
    via: Summary | None = Field(None, description="the agreement or programme (none when stated directly)")
    evidence: list[Evidence]


class Hop(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    links: list[Link]


class Partner(BaseModel):
    partner: Summary
    distance: int = Field(description="partnership hops from the organisation")
    path: list[Summary] = Field(description="the organisations in between, on one shortest chain")
    hops: list[Hop]


class PartnersPage(Page[Partner]):
    organisation: Summary
    depth: int
    via: str


class PartnershipLink(BaseModel):
    """One reason a pair are partners: an agreement or programme they share, or a source stating it."""

    kind: Literal["agreement", "programme", "stated"]
    via: Summary | None = None
    date: str | None = Field(None, description="signed or start date of the agreement or programme")
    themes: list[Summary]


class Partnership(PartnershipLink):
    """A partner pair, listed once; kind, via, date and themes are those of its first link."""

    a: Summary
    b: Summary
    links: list[PartnershipLink] = Field(description="every agreement and programme behind the pair (those that pass "
                                                     "the filters), in name order, then 'stated' when a source says so")


class PathResult(BaseModel):
    from_: Summary = Field(alias="from")
    to: Summary
    max: int
    found: bool
    message: str
    nodes: list[Summary] = Field(description="the organisations on the path, both ends included")
    hops: list[Hop]


class Scored(BaseModel):
    entity: Summary
    scores: dict[str, int | float]


class CentralityResult(Page[Scored]):
    graph: str = Field(description="what the network is: organisations linked by partnersWith")
    nodes: int
    edges: int


class Community(BaseModel):
    id: int
    size: int
    members: list[Summary]


class CommunitiesResult(BaseModel):
    graph: str
    nodes: int
    edges: int
    communities: list[Community]
    brokers: list[Scored] = Field(description="organisations that bridge communities")


class StoreHealth(BaseModel):
    status: Literal["ok", "unavailable"]
    detail: dict[str, Any] = {}
    message: str | None = None


class Health(BaseModel):
    status: Literal["ok", "degraded", "unavailable"]
    stores: dict[str, StoreHealth]
    indexes: dict[str, Literal["ready", "computing", "not started"]] = Field(
        default_factory=dict, description="the build's in-memory indexes a server makes when it starts (names, "
        "partners): until 'ready', search and partners answer from SPARQL, more slowly")


class CypherRequest(BaseModel):
    query: str = Field(description="a read-only Cypher query", examples=["MATCH (o:Organisation) RETURN o.name LIMIT 5"])
    params: dict[str, Any] = Field(default_factory=dict, description="query parameters ($name in the query)")


class CypherResult(BaseModel):
    columns: list[str]
    rows: list[list[Any]]


class Problem(BaseModel):
    detail: str = Field(description="what went wrong and what to do")


class FieldProblem(BaseModel):
    loc: list[str] = Field(description="where: 'query' or 'path' or 'body', then the parameter", examples=[["query", "since"]])
    msg: str
    type: str = Field(description="pydantic's error type, e.g. enum, value_error, greater_than_equal")


class ValidationProblem(Problem):
    """A 422: `detail` says in one sentence per problem which parameter is wrong and what it accepts."""

    errors: list[FieldProblem] = Field(description="the same problems, one object each")
