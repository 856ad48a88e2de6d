"""UKRI Gateway to Research (GtR): the API 2 JSON of projects, organisations, persons and funds, and the CSV
of GtR's project search export, as `Project` records.

JSON: one file holds any of the API's top-level arrays ``project``, ``organisation``, ``person`` and
``fund`` (a page saved from ``/gtr/api/projects``, or a dump joining the four). A project names the others
through ``links.link[]`` (``rel`` LEAD_ORG, PARTICIPANT_ORG, COLLAB_ORG, PI_PER, COI_PER, FUND, ...;
``href`` ends with the linked record's id), a fund names its funder (FUNDER) and project (FUNDED) the same
way and carries ``start``/``end`` (epoch milliseconds) and ``valuePounds``. A file is read in one streaming
pass; a link to a record the file does not hold is left out with a warning.

CSV: the columns of the project search export (ProjectReference, Title, FundingOrgName, LeadROName,
PIFirstName, PISurname, StartDate, EndDate, AwardPounds, ProjectId, LeadROId, ...), one project a row.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from ..errors import SourceError
from .jsonstream import items
from .records import Member, Org, Project, parse_amount, parse_date, require

PROJECT_URL = "https://gtr.ukri.org/projects?ref={}"
#: A person's role on a project, from the rel of the project's link to them.
PERSON_ROLES = {"PI_PER": "Principal Investigator", "COI_PER": "Co-Investigator", "FELLOW_PER": "Fellow",
                "PM_PER": "Project Manager", "RESEARCH_COI_PER": "Researcher Co-Investigator",
                "RESEARCH_PER": "Researcher"}
HOST_RELS = frozenset({"LEAD_ORG"})
PARTNER_RELS = frozenset({"PARTICIPANT_ORG", "COLLAB_ORG"})
_ARRAYS = frozenset({"project.item", "organisation.item", "person.item", "fund.item"})
#: Columns the project search export must have.
CSV_REQUIRED = ("ProjectReference", "Title", "LeadROName")


@dataclass
class Parsed:
    projects: list[Project]
    warnings: list[str] = field(default_factory=list)


def url(reference: str) -> str:
    """The public GtR page of a project, by its grant reference."""
    return PROJECT_URL.format(quote(reference, safe="/"))


def read(path: Path) -> Parsed:
    """The projects of a GtR JSON or CSV file; SourceError naming the file and record on bad input."""
    return read_csv(path) if path.suffix.lower() == ".csv" else read_json(path)


# ---------------------------------------------------------------- JSON (GtR API 2)

@dataclass
class _Raw:
    """A project as read, its links still ids: the organisations it names may come later in the file."""

    where: str
    id: str
    reference: str
    title: str
    lead_funder: str | None
    links: list[tuple[str, str, object, object]]  # (rel, id, start, end)


def read_json(path: Path) -> Parsed:
    orgs: dict[str, Org] = {}
    people: dict[str, tuple[str, str | None, str | None]] = {}  # id -> (name, employer id, orcid)
    funds: dict[str, dict] = {}
    raw: list[_Raw] = []
    counts: dict[str, int] = {}
    for prefix, value in items(path, _ARRAYS):
        kind = prefix.split(".")[0]
        n = counts[kind] = counts.get(kind, 0) + 1
        if not isinstance(value, dict):
            raise SourceError(path, f"{kind} {n}: expected an object, found {type(value).__name__}")
        where = f"{kind} {n} ({value.get('id') or 'no id'})"
        if kind == "project":
            raw.append(_raw_project(path, value, where))
        elif kind == "organisation":
            orgs[require(value, "id", where, path)] = _org(path, value, where)
        elif kind == "person":
            people[require(value, "id", where, path)] = _person(path, value, where)
        else:
            funds[require(value, "id", where, path)] = _fund(path, value, where)
    if not raw and not orgs:
        raise SourceError(path, "no GtR records: expected a JSON object with a 'project' array "
                                "(and 'organisation', 'person', 'fund' arrays) as the GtR API 2 gives them")
    out = Parsed([])
    missing: list[str] = []
    funded = {f["project"]: f for f in funds.values() if f.get("project")}
    for r in raw:
        out.projects.append(_project(path, r, orgs, people, funds, funded, missing))
    if missing:
        out.warnings.append(f"{path.name}: {len(missing)} link(s) to records not in the file left out "
                            f"(first: {missing[0]})")
    return out


def _id(href: str) -> str:
    return href.rstrip("/").rsplit("/", 1)[-1]


def _links(value: dict) -> list[dict]:
    links = (value.get("links") or {}).get("link") or []
    return [link for link in links if isinstance(link, dict) and link.get("href") and link.get("rel")]


def _raw_project(path: Path, value: dict, where: str) -> _Raw:
    identifiers = (value.get("identifiers") or {}).get("identifier") or []
    reference = value.get("grantReference") or next(
        (i.get("value") for i in identifiers if isinstance(i, dict) and i.get("value")), None)
    if not reference:
        raise SourceError(path, f"{where}: missing the grant reference ('identifiers.identifier[].value')")
    title = require(value, "title", where, path)
    return _Raw(where, str(value.get("id") or ""), str(reference).strip(), title,
                value.get("leadFunder"),
                [(link["rel"], _id(link["href"]), link.get("start"), link.get("end")) for link in _links(value)])


def _org(path: Path, value: dict, where: str) -> Org:
    name = require(value, "name", where, path)
    ids = {"gtr": str(value["id"])}
    ror = value.get("ror") or value.get("rorId")
    if ror:
        ids["ror"] = str(ror).rstrip("/").rsplit("/", 1)[-1]
    addresses = (value.get("addresses") or {}).get("address") or []
    region = next((a.get("region") for a in addresses if isinstance(a, dict) and a.get("region")
                   and a.get("region") not in ("Unknown", "Outside UK")), None)
    return Org(name, ids, region)


def _person(path: Path, value: dict, where: str) -> tuple[str, str | None, str | None]:
    surname = require(value, "surname", where, path)
    name = " ".join(p for p in (value.get("firstName"), surname) if p)
    employer = next((_id(link["href"]) for link in _links(value) if link["rel"] == "EMPLOYED"), None)
    return name, employer, value.get("orcidId")


def _fund(path: Path, value: dict, where: str) -> dict:
    money = value.get("valuePounds") or {}
    amount = money.get("amount") if isinstance(money, dict) else money
    links = {link["rel"]: _id(link["href"]) for link in _links(value)}
    return {"funder": links.get("FUNDER"), "project": links.get("FUNDED"),
            "start": parse_date(value.get("start"), where, "start", path),
            "end": parse_date(value.get("end"), where, "end", path),
            "amount": parse_amount(amount, where, "valuePounds.amount", path),
            "currency": (money.get("currencyCode") if isinstance(money, dict) else None) or "GBP"}


def _project(path: Path, r: _Raw, orgs: dict[str, Org], people: dict, funds: dict, funded: dict,
             missing: list[str]) -> Project:
    p = Project(r.where, f"gtr {r.reference}", r.reference, r.title, url(r.reference), gtr_id=r.id or None)
    fund = funded.get(r.id) if r.id else None
    for rel, target, start, end in r.links:
        if rel == "FUND":
            fund = funds.get(target, fund)
            p.start = p.start or parse_date(start, r.where, "links.link[FUND].start", path)
            p.end = p.end or parse_date(end, r.where, "links.link[FUND].end", path)
        elif rel in HOST_RELS or rel in PARTNER_RELS:
            org = orgs.get(target)
            if org is None:
                missing.append(f"{r.where}: {rel} {target}")
            elif rel in HOST_RELS:
                p.host = org
            else:
                p.partners.append(org)
        elif rel in PERSON_ROLES:
            if target not in people:
                missing.append(f"{r.where}: {rel} {target}")
                continue
            name, employer, orcid = people[target]
            ids = {"gtr": target, **({"orcid": orcid} if orcid else {})}
            p.members.append(Member(name, PERSON_ROLES[rel], orgs.get(employer) if employer else None, ids))
    if fund is not None:
        p.start, p.end = fund["start"] or p.start, fund["end"] or p.end
        p.amount, p.currency = fund["amount"], fund["currency"]
        if fund["funder"] in orgs:
            p.funders.append(orgs[fund["funder"]])
    if not p.funders and r.lead_funder:
        p.funders.append(Org(str(r.lead_funder)))
    return p


# ---------------------------------------------------------------- CSV (project search export)

def read_csv(path: Path) -> Parsed:
    out = Parsed([])
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = csv.DictReader(fh)
        absent = [c for c in CSV_REQUIRED if c not in (rows.fieldnames or [])]
        if absent:
            raise SourceError(path, f"not a GtR project export: no column(s) {', '.join(absent)}")
        for n, row in enumerate(rows, 2):
            out.projects.append(_csv_project(path, row, f"line {n}"))
    return out


def _csv_project(path: Path, row: dict, where: str) -> Project:
    reference = require(row, "ProjectReference", where, path)
    where = f"{where} ({reference})"
    p = Project(where, f"gtr {reference}", reference, require(row, "Title", where, path), url(reference),
                gtr_id=(row.get("ProjectId") or "").strip() or None)
    lead = Org(require(row, "LeadROName", where, path), _ids(row.get("LeadROId")), (row.get("Region") or "").strip() or None)
    p.host = lead
    if (row.get("FundingOrgName") or "").strip():
        p.funders.append(Org(row["FundingOrgName"].strip(), _ids(row.get("FundingOrgId"))))
    surname = (row.get("PISurname") or "").strip()
    if surname:
        name = " ".join(x for x in ((row.get("PIFirstName") or "").strip(), surname) if x)
        p.members.append(Member(name, "Principal Investigator", lead, _ids(row.get("PIId"))))
    p.start = parse_date(row.get("StartDate"), where, "StartDate", path)
    p.end = parse_date(row.get("EndDate"), where, "EndDate", path)
    p.amount = parse_amount(row.get("AwardPounds"), where, "AwardPounds", path)
    return p


def _ids(gtr_id: str | None) -> dict[str, str]:
    return {"gtr": gtr_id.strip()} if gtr_id and gtr_id.strip() else {}
