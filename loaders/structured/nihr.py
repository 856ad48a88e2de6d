"""NIHR awards open data (the NIHR open data platform's award datasets, exported as CSV or JSON) as
`Project` records.

The platform names a field two ways, by its label in a CSV export ('Project ID', 'Contracted
Organisation') and by its name in a JSON export or the API (``project_id``, ``contracted_organisation``);
both are read, compared as lower-case words joined by '_'. JSON: a list of records, or the records API's
``{"results": [...]}``, or ``{"records": [{"record": {"fields": {...}}}]}``.

Each award is a `cg:Project` funded by the NIHR, hosted by its contracted organisation, with its chief
investigator a member of that organisation, part of the NIHR programme that funds it.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path
from urllib.parse import quote

from ..errors import SourceError
from .gtr import Parsed
from .jsonstream import first_char, items
from .records import Member, Org, Project, parse_amount, parse_date, require

AWARD_URL = "https://fundingawards.nihr.ac.uk/award/{}"
FUNDER = "National Institute for Health and Care Research"
#: What each part of an award is called in the platform's datasets, in the order tried.
FIELDS = {
    "reference": ("project_id", "award_id", "award_reference", "award_ref", "projectid"),
    "title": ("project_title", "title", "award_title"),
    "programme": ("programme", "funding_programme"),
    "organisation": ("contracted_organisation", "contracted_organisation_name", "organisation"),
    "investigator": ("award_holder_name", "chief_investigator", "award_holder", "lead_investigator"),
    "start": ("start_date", "award_start_date"),
    "end": ("end_date", "award_end_date"),
    "amount": ("award_amount", "award_budget", "award_value", "amount"),
    "funder": ("funder",),
}
REQUIRED = ("reference", "organisation")
_JSON_RECORDS = frozenset({"item", "results.item", "records.item"})


def url(reference: str) -> str:
    """The award's public page on the NIHR Funding and Awards site."""
    return AWARD_URL.format(quote(reference, safe=""))


def column(name: str) -> str:
    """A field's label or name as one key: 'Contracted Organisation' and 'contracted_organisation' agree."""
    return re.sub(r"[^a-z0-9]+", "_", name.lstrip("\ufeff").lower()).strip("_")


def read(path: Path) -> Parsed:
    """The awards of an NIHR CSV or JSON export; SourceError naming the file and record on bad input."""
    if path.suffix.lower() == ".csv":
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = csv.DictReader(fh)
            _check_columns(path, rows.fieldnames or [])
            return Parsed([_award(path, _normal(row), f"line {n}") for n, row in enumerate(rows, 2)])
    if first_char(path) not in ("[", "{"):
        raise SourceError(path, "not an NIHR awards export: expected a JSON list of award records")
    out = Parsed([])
    for n, (_, value) in enumerate(items(path, _JSON_RECORDS), 1):
        record = _fields(value)
        if record is None:
            raise SourceError(path, f"record {n}: expected an object of award fields")
        if n == 1:
            _check_columns(path, list(record))
        out.projects.append(_award(path, _normal(record), f"record {n}"))
    if not out.projects:
        raise SourceError(path, "no award records found (expected a list, or 'results' or 'records' of awards)")
    return out


def _fields(value) -> dict | None:
    """The award's fields, unwrapped from the records API's envelopes."""
    if isinstance(value, dict) and isinstance(value.get("record"), dict):
        value = value["record"]
    if isinstance(value, dict) and isinstance(value.get("fields"), dict):
        value = value["fields"]
    return value if isinstance(value, dict) else None


def _normal(row: dict) -> dict:
    """A record keyed by our names for its fields (reference, title, ...)."""
    by_column = {column(str(k)): v for k, v in row.items() if k is not None}
    return {ours: next((by_column[c] for c in theirs if by_column.get(c) not in (None, "")), None)
            for ours, theirs in FIELDS.items()}


def _check_columns(path: Path, names: list[str]) -> None:
    have = {column(str(n)) for n in names}
    absent = [ours for ours in REQUIRED if not have & set(FIELDS[ours])]
    if absent:
        raise SourceError(path, "not an NIHR awards export: no " + " or ".join(
            f"{ours} field ({', '.join(FIELDS[ours])})" for ours in absent))


def _award(path: Path, r: dict, where: str) -> Project:
    reference = require(r, "reference", where, path)
    where = f"{where} ({reference})"
    p = Project(where, f"nihr-award {reference}", reference, str(r.get("title") or reference).strip(), url(reference))
    p.host = Org(require(r, "organisation", where, path))
    p.funders.append(Org(str(r.get("funder") or FUNDER).strip()))
    programme = str(r.get("programme") or "").strip()
    if programme:
        p.scheme = programme if programme.upper().startswith("NIHR") else f"NIHR {programme}"
    if r.get("investigator"):
        p.members.append(Member(str(r["investigator"]).strip(), "Chief Investigator", p.host))
    p.start = parse_date(r.get("start"), where, "start_date", path)
    p.end = parse_date(r.get("end"), where, "end_date", path)
    p.amount = parse_amount(r.get("amount"), where, "award_amount", path)
    return p
