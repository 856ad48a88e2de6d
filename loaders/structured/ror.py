"""The ROR data dump (schema 2.x JSON, as published on Zenodo) to a register file.

`collabgraph register import-ror FILE --country GB` streams the dump (a JSON array of about 100,000
organisations; never held whole) and writes the active organisations of that country and those types as a
``data/register/*.yaml`` file: canonical name (the ``ror_display`` name), aliases (labels, aliases and
acronyms), identifiers (ROR, Wikidata, GRID, ISNI, Crossref Funder ID), the parent of each (from ``parent``
and ``child`` relationships among the organisations written or already in the register), city and country.

The file must load beside the register already in its folder, so what the curated files say wins: an
organisation whose ROR id or name is already there is left out (the curated entry stands for it), a name
or alias another organisation already claims is dropped, and two organisations of one name are told apart
by their city ('St Mary's Hospital (Leeds)').
"""
from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import ijson
import yaml

from .. import identity
from ..errors import SourceError
from ..limits import fits_name
from ..register import load_register

#: ROR's organisation types, most telling first, and the ontology class each becomes.
TYPE_CLASSES = {"education": "University", "healthcare": "NHSTrust", "government": "GovernmentBody",
                "facility": "ResearchCentre", "nonprofit": "Charity", "company": "Company", "funder": "Organisation",
                "archive": "Organisation", "other": "Organisation"}
DEFAULT_TYPES = ("education", "healthcare", "government", "funder", "facility")
#: external_ids types kept, and the register's name for each scheme.
ID_SCHEMES = {"wikidata": "wikidata", "grid": "grid", "isni": "isni", "fundref": "fundref"}


@dataclass
class ImportReport:
    written: int = 0
    read: int = 0
    skipped_existing: int = 0
    dropped_names: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


def ror_id(value: str) -> str:
    """'https://ror.org/04h699437' -> '04h699437'."""
    return str(value).rstrip("/").rsplit("/", 1)[-1]


def org_class(types: Iterable[str], name: str) -> str:
    """The ontology class of a ROR organisation: by its most telling type; a healthcare organisation is an
    NHSTrust only when its name says NHS (ROR's healthcare type also holds private hospitals)."""
    found = [t for t in TYPE_CLASSES if t in set(types)]
    cls = TYPE_CLASSES[found[0]] if found else "Organisation"
    if cls == "NHSTrust" and "NHS" not in name.split():
        return "Organisation"
    return cls


def import_ror(dump: Path, out: Path, country: str, types: Iterable[str] = DEFAULT_TYPES,
               register_dir: Path | None = None) -> ImportReport:
    """Write the register file ``out`` from a ROR dump; SourceError naming the file and record on bad input.

    ``register_dir`` (default: the folder of ``out``) holds the register the file must agree with; ``out``
    itself, if it exists already, is replaced and not consulted."""
    started = time.perf_counter()
    if not Path(dump).is_file():
        raise SourceError(dump, "no such file (the ROR dump: the JSON file of the data dump from Zenodo)")
    report = ImportReport()
    kept = _select(dump, country.upper(), set(types), report)
    existing = _existing(register_dir or out.parent, out)
    entries = _entries(kept, existing, report)
    _write(out, entries, dump, country.upper())
    report.written = len(entries)
    report.seconds = time.perf_counter() - started
    return report


def _select(dump: Path, country: str, types: set[str], report: ImportReport) -> list[dict]:
    """The active records of the country and types, each cut down to what the register needs."""
    kept = []
    try:
        with open(dump, "rb") as fh:
            for n, record in enumerate(ijson.items(fh, "item", use_float=True), 1):
                report.read = n
                if not isinstance(record, dict) or "id" not in record or not isinstance(record.get("names"), list):
                    raise SourceError(dump, f"record {n}: not a ROR schema 2 record (needs 'id' and a 'names' list)")
                if record.get("status", "active") != "active" or not types & set(record.get("types") or []):
                    continue
                places = [loc.get("geonames_details") or {} for loc in record.get("locations") or [] if isinstance(loc, dict)]
                if not any(p.get("country_code") == country for p in places):
                    continue
                kept.append(_slim(dump, n, record, places))
    except ijson.JSONError as exc:
        raise SourceError(dump, f"invalid JSON after record {report.read} ({' '.join(str(exc).split())[:200]})") from None
    return kept


def _slim(dump: Path, n: int, record: dict, places: list[dict]) -> dict:
    names = [x for x in record["names"] if isinstance(x, dict) and x.get("value")]
    display = next((x["value"] for x in names if "ror_display" in (x.get("types") or [])), None)
    if display is None:
        raise SourceError(dump, f"record {n} ({record['id']}): no name of type 'ror_display'")
    ids = {"ror": ror_id(record["id"])}
    for ext in record.get("external_ids") or []:
        scheme = ID_SCHEMES.get(ext.get("type")) if isinstance(ext, dict) else None
        value = scheme and (ext.get("preferred") or next(iter(ext.get("all") or []), None))
        if value:
            ids[scheme] = str(value)
    relations = {"parent": [], "child": []}
    for rel in record.get("relationships") or []:
        if isinstance(rel, dict) and rel.get("type") in relations and rel.get("id"):
            relations[rel["type"]].append(ror_id(rel["id"]))
    place = places[0]
    return {"ror": ids["ror"], "name": display, "types": record.get("types") or [], "identifiers": ids,
            "aliases": [x["value"] for x in names if x["value"] != display], **relations,
            "city": place.get("name"), "country": place.get("country_code")}


@dataclass
class _Existing:
    by_ror: dict[str, str] = field(default_factory=dict)   # ROR id -> the curated entry's name
    by_key: dict[str, str] = field(default_factory=dict)   # identity key of a name or alias -> the entry's name
    by_id: dict[tuple[str, str], str] = field(default_factory=dict)  # (scheme, identifier) -> the entry's name


def _existing(directory: Path, out: Path) -> _Existing:
    """What the register the file joins already says (every file of its folder but ``out``)."""
    if not directory.is_dir() or not any(p.resolve() != out.resolve() for p in directory.glob("*.y*ml")):
        return _Existing()
    orgs = load_register(directory, skip=out).of_kind("Organisation")
    return _Existing({e.identifiers["ror"]: e.name for e in orgs if e.identifiers.get("ror")},
                     {identity.org_key(n): e.name for e in orgs for n in [e.name, *e.aliases]},
                     {(k, v.lower()): e.name for e in orgs for k, v in e.identifiers.items()})


def _entries(kept: list[dict], existing: _Existing, report: ImportReport) -> list[dict]:
    claimed = set(existing.by_key)
    ids = dict(existing.by_id)
    named: dict[str, str] = {}  # ROR id -> the name the register will know it by
    chosen = []
    for r in sorted(kept, key=lambda r: r["ror"]):
        same = existing.by_ror.get(r["ror"]) or existing.by_key.get(identity.org_key(r["name"])) or next(
            (existing.by_id[(k, v.lower())] for k, v in r["identifiers"].items() if (k, v.lower()) in existing.by_id), None)
        if same is not None:  # the curated register has it already: its entry stands for it
            named[r["ror"]] = same
            report.skipped_existing += 1
            continue
        name = _free_name(r, claimed)
        if name is None:
            report.warnings.append(f"ROR {r['ror']} ({r['name'][:60]}): its name is taken or too long; left out")
            continue
        identifiers = {k: v for k, v in r["identifiers"].items() if (k, v.lower()) not in ids}
        ids.update({(k, v.lower()): name for k, v in identifiers.items()})
        aliases = []
        for alias in r["aliases"]:
            key = identity.org_key(alias)
            if not key or key in claimed or not fits_name(alias):
                report.dropped_names += 1
                continue
            claimed.add(key)
            aliases.append(alias)
        named[r["ror"]] = name
        chosen.append(({**r, "identifiers": identifiers}, name, aliases))
    parents = _parents(kept)
    return [_entry(r, name, aliases, [named[p] for p in parents.get(r["ror"], []) if p in named and named[p] != name])
            for r, name, aliases in chosen]


def _free_name(r: dict, claimed: set[str]) -> str | None:
    for name in (r["name"], f"{r['name']} ({r['city']})" if r.get("city") else None):
        if name and fits_name(name) and identity.org_key(name) not in claimed:
            claimed.add(identity.org_key(name))
            return name
    return None


def _parents(kept: list[dict]) -> dict[str, list[str]]:
    """Each organisation's parents, from its own 'parent' relationships and its parents' 'child' ones."""
    parents: dict[str, list[str]] = {}
    for r in kept:
        for child, parent in [(r["ror"], p) for p in r["parent"]] + [(c, r["ror"]) for c in r["child"]]:
            if parent not in parents.setdefault(child, []):
                parents[child].append(parent)
    return parents


def _entry(r: dict, name: str, aliases: list[str], parents: list[str]) -> dict:
    entry: dict = {"name": name, "type": org_class(r["types"], name)}
    if aliases:
        entry["aliases"] = aliases
    entry["identifiers"] = r["identifiers"]
    if parents:
        entry["parent"] = parents[0] if len(parents) == 1 else sorted(set(parents))
    if r.get("city"):
        entry["city"] = r["city"]
    if r.get("country"):
        entry["country"] = r["country"]
    return entry


def _write(out: Path, entries: list[dict], dump: Path, country: str) -> None:
    """Write the file whole next to its final place and then move it there, so a failed import leaves none."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    header = (f"# Generated by `collabgraph register import-ror {dump.name} --country {country}` from the ROR data dump:\n"
              "# https://ror.org, CC0. Edit the curated files instead; this one is rewritten by the next import.\n")
    text = yaml.safe_dump({"organisations": entries}, sort_keys=False, allow_unicode=True, width=1000)
    tmp.write_text(header + text, encoding="utf-8")
    tmp.replace(out)
