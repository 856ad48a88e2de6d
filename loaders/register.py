"""The curated register: organisations, programmes and themes in YAML.

The register is reference data for linking: the resolver matches document
mentions against its names and aliases, and it is loaded as its own named
graphs. Every entry keeps the file and line it came from, so any problem is
reported as ``file:line: problem`` and nothing is half-loaded.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pyoxigraph import NamedNode, Quad

from collabgraph.ontology import SKOS, XSD, iris, subclasses

from . import identity
from .errors import SourceError
from .limits import MAX_NAME_CHARS, MAX_NAME_WORDS, fits_name
from .rdf_writer import GraphWriter, SourceInfo, date_literal

#: Identifier schemes an organisation may have: ror, ods and wikidata key its IRI; gtr (a Gateway to Research
#: organisation id) links funders' open data to it; grid, isni and fundref come with a ROR import.
ID_SCHEMES = ("ror", "ods", "wikidata", "gtr", "grid", "isni", "fundref")
SECTIONS = {"organisations": "Organisation", "programmes": "Programme", "themes": "Theme"}
ORG_TYPES = ("Organisation", *subclasses("Organisation"))
PROGRAMME_FIELDS = {"hosted_by": "hostedBy", "funded_by": "fundedBy", "partners": "partner",
                    "part_of": "partOf", "succeeds": "succeeds", "themes": "hasTheme"}
ALLOWED = {
    "Organisation": {"name", "type", "aliases", "identifiers", "parent", "region", "themes", "city", "country"},
    "Programme": {"name", "aliases", "region", "start", "end", "funding", "duration", *PROGRAMME_FIELDS},
    "Theme": {"name", "aliases", "broader"},
}


@dataclass
class Entry:
    """One register entry, with where it was written."""

    kind: str
    name: str
    cls: str
    file: str
    line: int
    aliases: list[str] = field(default_factory=list)
    identifiers: dict[str, str] = field(default_factory=dict)
    fields: dict = field(default_factory=dict)

    @property
    def iri(self) -> str:
        return iris.entity_iri(self.kind, self.name, self.identifiers)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Register:
    entries: list[Entry]
    files: dict[str, str]  # path -> sha256 checksum
    directory: str = ""

    def of_kind(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.kind == kind]

    @property
    def checksum(self) -> str:
        return hashlib.sha256("".join(sorted(self.files.values())).encode()).hexdigest()


#: Deepest nesting of lists and mappings a register needs is four; anything near this is not a register.
MAX_DEPTH = 32
#: Largest register file read (a register of every UK organisation is a few MB).
MAX_BYTES = 16 * 1024 * 1024


class StrictLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses, while composing and so before anything is built, what curated YAML
    never needs and an attacker uses: aliases and anchors (an alias bomb of a few hundred bytes expands to
    gigabytes), nesting deeper than MAX_DEPTH (the composer recurses) and a key given twice in one mapping
    (YAML keeps the last one silently). Each is a MarkedYAMLError with its line; so is a date like 2024-02-30."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(None, None, "anchors and aliases (&name, *name) are not allowed; "
                                              "write the value out", event.start_mark)
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep",
                                                  event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_mapping_node(self, anchor):
        node = super().compose_mapping_node(anchor)
        seen: dict = {}
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                first = seen.setdefault(key.value, key)
                if first is not key:
                    raise yaml.composer.ComposerError(None, None, f"duplicate key {key.value!r} (first at line "
                                                      f"{first.start_mark.line + 1})", key.start_mark)
        return node


def _construct_timestamp(loader: StrictLoader, node: yaml.ScalarNode):
    """A date such as 2024-02-30 that is no date: an error at its line, not a bare ValueError."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(None, None, f"{node.value!r} is not a date ({exc})",
                                                node.start_mark) from None


StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


class _LineLoader(StrictLoader):
    """The strict loader, also recording the line of every mapping as '__line__'."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_register(directory: Path, skip: Path | None = None) -> Register:
    """Read and check every ``*.yaml`` in a register folder (but ``skip``, a file about to be rewritten);
    raise SourceError on the first problem."""
    directory = Path(directory)
    if not directory.is_dir():
        raise SourceError(directory, "register folder not found")
    entries: list[Entry] = []
    files: dict[str, str] = {}
    inside = directory.resolve()
    for path in sorted(directory.glob("*.y*ml")):
        if skip is not None and path.resolve() == Path(skip).resolve():
            continue
        if path.is_symlink() and not path.resolve().is_relative_to(inside):
            raise SourceError(path, f"symbolic link to a file outside {directory}; not read")
        if path.stat().st_size > MAX_BYTES:
            raise SourceError(path, f"over the {MAX_BYTES // (1024 * 1024)} MB limit for a register file")
        raw = path.read_bytes()
        files[str(path)] = hashlib.sha256(raw).hexdigest()
        entries.extend(_parse_file(path, raw))
    _check_unique(entries)
    _check_references(entries)
    return Register(entries, files, str(directory.resolve()))


def _parse_file(path: Path, raw: bytes) -> list[Entry]:
    try:
        doc = yaml.load(raw.decode("utf-8"), Loader=_LineLoader)
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise SourceError(path, f"invalid YAML: {exc.problem}", line) from None
    except yaml.reader.ReaderError as exc:  # a control character: not a MarkedYAMLError, but it has a position
        line = raw.decode("utf-8")[:exc.position].count("\n") + 1
        raise SourceError(path, f"invalid YAML: {exc.reason} (character {exc.character!r})", line) from None
    if doc is None:
        return []
    if not isinstance(doc, dict):
        raise SourceError(path, "expected a mapping with 'organisations', 'programmes' or 'themes' at the top", 1)
    out = []
    for section, items in doc.items():
        if section == "__line__":
            continue
        if section not in SECTIONS:
            raise SourceError(path, f"unknown section {section!r}; expected one of {', '.join(SECTIONS)}", doc["__line__"])
        if not isinstance(items, list):
            raise SourceError(path, f"section {section!r} must be a list of entries", doc["__line__"])
        out.extend(_parse_entry(path, SECTIONS[section], item) for item in items)
    return out


def _parse_entry(path: Path, kind: str, item) -> Entry:
    if not isinstance(item, dict):
        raise SourceError(path, f"each {kind.lower()} entry must be a mapping with at least 'name'")
    line = item.pop("__line__")
    unknown = set(item) - ALLOWED[kind]
    if unknown:
        raise SourceError(path, f"unknown field(s) {', '.join(sorted(unknown))} in {kind.lower()} entry; "
                                f"allowed: {', '.join(sorted(ALLOWED[kind]))}", line)
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SourceError(path, f"{kind.lower()} entry needs a non-empty 'name'", line)
    cls = item.get("type", kind)
    if kind == "Organisation" and cls not in ORG_TYPES:
        raise SourceError(path, f"organisation {name!r}: unknown type {cls!r}; expected one of {', '.join(ORG_TYPES)}", line)
    aliases = item.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise SourceError(path, f"{name!r}: 'aliases' must be a list of strings", line)
    too_long = next((n for n in [name, *aliases] if not fits_name(n)), None)
    if too_long is not None:
        raise SourceError(path, f"{too_long[:60]!r}...: a name or alias has at most {MAX_NAME_WORDS} words and "
                                f"{MAX_NAME_CHARS} characters", line)
    identifiers = item.get("identifiers") or {}
    if not isinstance(identifiers, dict):
        raise SourceError(path, f"{name!r}: 'identifiers' must be a mapping such as {{ror: 04h699437}}", line)
    identifiers.pop("__line__", None)
    bad = set(identifiers) - set(ID_SCHEMES)
    if bad:
        raise SourceError(path, f"{name!r}: unknown identifier scheme(s) {', '.join(sorted(bad))}; "
                                f"use {', '.join(ID_SCHEMES)}", line)
    fields = {k: v for k, v in item.items() if k not in {"name", "type", "aliases", "identifiers"}}
    funding = fields.get("funding")
    if funding is not None and not (isinstance(funding, dict) and isinstance(funding.get("amount"), (int, float))):
        raise SourceError(path, f"{name!r}: 'funding' must be a mapping like {{amount: 5250000, currency: GBP}}", line)
    if isinstance(funding, dict):
        funding.pop("__line__", None)
    _check_dates(path, name, fields, line)
    return Entry(kind, name.strip(), cls, str(path), line, [a.strip() for a in aliases],
                 {k: str(v) for k, v in identifiers.items()}, fields)


def _check_dates(path: Path, name: str, fields: dict, line: int) -> None:
    """A start or end the RDF cannot type as a date (xsd:date, gYearMonth or gYear) stops the build at its line."""
    for prop in ("start", "end"):
        if fields.get(prop):
            try:
                date_literal(fields[prop])
            except ValueError as exc:
                raise SourceError(path, f"{name!r}: '{prop}': {exc}", line) from None


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def _check_unique(entries: list[Entry]) -> None:
    """Two entries may not claim the same name, alias or identifier within a kind; names compare by their identity
    key, so 'University of X' and 'X University' are one name here as they are to the linker."""
    claimed: dict[tuple, Entry] = {}
    for e in entries:
        keys = {(e.kind, "name", identity.key(e.kind, n)) for n in [e.name, *e.aliases] if identity.key(e.kind, n)}
        keys |= {(e.kind, scheme, v.lower()) for scheme, v in e.identifiers.items()}
        for key in sorted(keys):
            other = claimed.get(key)
            if other is not None and other is not e:
                what = "name or alias" if key[1] == "name" else f"{key[1]} identifier"
                said = next((n for n in [e.name, *e.aliases] if identity.key(e.kind, n) == key[2]), key[2]) \
                    if key[1] == "name" else key[2]
                raise SourceError(e.file, f"{e.name!r} claims the {what} {said!r}, already claimed by "
                                          f"{other.name!r} at {other.where}", e.line)
            claimed[key] = e


def _check_references(entries: list[Entry]) -> None:
    names = {(e.kind, _normal(n)) for e in entries for n in [e.name, *e.aliases]}
    for e in entries:
        for field_name, target_kinds in _reference_fields(e):
            for value in _as_list(e.fields.get(field_name)):
                if not any((k, _normal(str(value))) in names for k in target_kinds):
                    raise SourceError(e.file, f"{e.name!r}: {field_name} refers to {value!r}, which is not in the "
                                              f"register as a {' or '.join(k.lower() for k in target_kinds)}", e.line)


def _reference_fields(e: Entry):
    if e.kind == "Organisation":
        return [("parent", ("Organisation",)), ("themes", ("Theme",))]
    if e.kind == "Theme":
        return [("broader", ("Theme",))]
    return [("hosted_by", ("Organisation",)), ("funded_by", ("Organisation",)), ("partners", ("Organisation",)),
            ("part_of", ("Programme", "Organisation")), ("succeeds", ("Programme",)), ("themes", ("Theme",))]


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def register_graphs(register: Register) -> dict[str, list[Quad]]:
    """One named graph of quads per register file."""
    index = {(e.kind, _normal(n)): e for e in register.entries for n in [e.name, *e.aliases]}
    out = {}
    for path, checksum in sorted(register.files.items()):
        name = Path(path).stem
        info = SourceInfo(key=name, path=Path(path).name, title=f"collabgraph register: {name}",
                          checksum=f"sha256:{checksum}", kind="register", local=path)
        writer = GraphWriter(info)
        for e in (e for e in register.entries if e.file == path):
            _write_entry(writer, e, index)
        out[info.graph] = writer.quads
    return out


def _lookup(index, kinds, value) -> Entry:
    return next(index[(k, _normal(str(value)))] for k in kinds if (k, _normal(str(value))) in index)


def _write_entry(w: GraphWriter, e: Entry, index) -> None:
    w.entity(e.iri, e.cls, e.name, e.aliases, e.identifiers, e.fields.get("region"))
    for field_name, prop in (("city", "city"), ("country", "countryCode")):
        if e.fields.get(field_name):
            w.value(e.iri, prop, e.fields[field_name])
    for field_name, kinds in _reference_fields(e):
        predicate = {"parent": "partOf", "broader": None}.get(field_name, PROGRAMME_FIELDS.get(field_name))
        for value in _as_list(e.fields.get(field_name)):
            target = _lookup(index, kinds, value)
            if field_name == "broader":
                w.add(NamedNode(e.iri), SKOS.broader, NamedNode(target.iri))
            else:
                w.relation(e.iri, predicate, target.iri)
    for prop in ("start", "end"):
        if e.fields.get(prop):
            value = e.fields[prop]
            w.value(e.iri, f"{prop}Date", value)
    funding = e.fields.get("funding")
    if isinstance(funding, dict):
        w.value(e.iri, "fundingAmount", funding.get("amount"), XSD.decimal)
        w.value(e.iri, "currency", funding.get("currency", "GBP"))
    if e.fields.get("duration"):
        w.value(e.iri, "duration", e.fields["duration"], XSD.duration)

