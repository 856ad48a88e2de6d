"""The projection as ``neo4j-admin database import full`` files, for Neo4j graphs too large for batched MERGE.

The Neo4j store loads with the shared Cypher plan in one write transaction, which is bounded by the
transaction memory of the server; the offline importer writes the store files directly and takes
billions of rows. ``write(projection, folder)`` writes:

* ``nodes_<Kind>.csv`` per kind: ``iri:ID`` (the key, kept as the ``iri`` property), one column per
  property with its type (``name``, ``fundingAmount:double``, ``aliases:string[]`` ...), ``:LABEL``
  (the kind and its subclasses, joined by the array delimiter);
* ``relationships_<TYPE>.csv`` per type: ``:START_ID``, ``:END_ID``, ``:TYPE``, then the properties;
* ``import.sh``, the ``neo4j-admin`` command line for these files, and ``schema.cypher``, the
  constraints and indexes the Neo4j store declares (the importer creates none), for ``cypher-shell``.

Values are what the Cypher plan would set (``cypher._clean``: keys and strings bounded, empty lists and
nulls left out), so an imported graph holds what a sync would load. Every string is quoted (a quote
inside doubled, as RFC 4180 and the importer's default say); a missing value is an empty field, which
the importer leaves unset. Lists are joined with an array delimiter that no list element contains.
"""
from __future__ import annotations

import shlex
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .cypher import KEYS, _clean, neo4j_schema, store_key
from .neo4j_store import meta_step
from .projection import Projection
from .store import META_LABEL

#: Array delimiters to choose from, in order: the first that no list element holds is used.
ARRAY_DELIMITERS = "|;^~¦"
_TYPES = {str: "string", int: "long", float: "double", bool: "boolean"}


@dataclass
class ImportFiles:
    """What ``write`` wrote: the files, the delimiter and the command line that imports them."""

    nodes: list[Path]
    relationships: list[Path]
    array_delimiter: str
    command: str


def write(projection: Projection, folder: Path, database: str = "neo4j", build: str | None = None) -> ImportFiles:
    """Write the import files for ``projection`` into ``folder`` (files of an earlier export there are replaced).

    With ``build``, the metadata node the Neo4j store reads (which build and projection digest the graph holds)
    is imported too, so the first query after the import finds the graph current instead of reloading it."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in [*folder.glob("nodes_*.csv"), *folder.glob("relationships_*.csv")]:
        old.unlink()
    nodes: dict[str, list[dict]] = defaultdict(list)
    for n in projection.nodes:
        nodes[n.kind].append({KEYS[n.kind]: store_key(n.iri), **_clean(n.props), ":LABEL": list(n.labels)})
    rels: dict[str, list[dict]] = defaultdict(list)
    for r in projection.relationships:
        rels[r.type].append({":START_ID": store_key(r.start), ":END_ID": store_key(r.end), ":TYPE": r.type,
                             **_clean(r.props)})
    if build is not None:
        meta = meta_step(projection, build).params
        nodes[META_LABEL].append({"graph": "collabgraph", **meta, ":LABEL": [META_LABEL]})
    delimiter = _array_delimiter([*nodes.values(), *rels.values()])
    node_files = [_write_csv(folder / f"nodes_{kind}.csv", nodes[kind], delimiter, key=KEYS.get(kind))
                  for kind in sorted(nodes)]
    rel_files = [_write_csv(folder / f"relationships_{t}.csv", rels[t], delimiter) for t in sorted(rels)]
    command = import_command(node_files, rel_files, delimiter, database)
    (folder / "import.sh").write_text(
        "#!/bin/sh\n# Import into an empty database with the server stopped; then run schema.cypher with cypher-shell.\n"
        f'cd "$(dirname "$0")" && exec {command}\n')
    (folder / "schema.cypher").write_text("".join(f"{statement};\n" for statement in neo4j_schema()))
    return ImportFiles(node_files, rel_files, delimiter, command)


def import_command(node_files: list[Path], rel_files: list[Path], delimiter: str, database: str = "neo4j") -> str:
    """The neo4j-admin (Neo4j 5) command line for these files, run from their folder."""
    return " ".join(["neo4j-admin database import full", shlex.quote(database),
                     *(f"--nodes={shlex.quote(p.name)}" for p in node_files),
                     *(f"--relationships={shlex.quote(p.name)}" for p in rel_files),
                     f"--array-delimiter={shlex.quote(delimiter)}", "--multiline-fields=true"])


def _array_delimiter(groups: list[list[dict]]) -> str:
    """The first of ARRAY_DELIMITERS that no list element (labels included) holds."""
    held = {c for rows in groups for row in rows for value in row.values() if isinstance(value, list)
            for item in value if isinstance(item, str) for c in ARRAY_DELIMITERS if c in item}
    free = [c for c in ARRAY_DELIMITERS if c not in held]
    if not free:
        raise ValueError(f"every array delimiter the export can use ({' '.join(ARRAY_DELIMITERS)}) occurs in "
                         "a list value; the Neo4j import files cannot be written")
    return free[0]


def _write_csv(path: Path, rows: list[dict], delimiter: str, key: str | None = None) -> Path:
    """One file: a header naming each column and its type, then one line per row."""
    columns = _columns(path, rows)
    header = [(f"{key}:ID" if name == key else name if name.startswith(":") else f"{name}:{kind}")
              for name, kind in columns]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(header) + "\n")
        for row in rows:
            fh.write(",".join(_field(row.get(name), delimiter) for name, _ in columns) + "\n")
    return path


def _columns(path: Path, rows: list[dict]) -> list[tuple[str, str]]:
    """(name, importer type) of every column, in order of first appearance; ValueError naming the file and
    property when one property holds values of two types (whole numbers and decimals make decimals)."""
    kinds: dict[str, set[str]] = {}
    for row in rows:
        for name, value in row.items():
            kinds.setdefault(name, set()).add(_type(value))
    out = []
    for name, found in kinds.items():
        if found in ({"long", "double"}, {"long[]", "double[]"}):
            found = {t for t in found if t.startswith("double")}
        if len(found) > 1 or None in found:
            raise ValueError(f"{path.name}: property {name!r} holds values of types "
                             f"{', '.join(sorted(str(t) for t in found))}; the Neo4j importer takes one type per column")
        out.append((name, found.pop()))
    return out


def _type(value) -> str | None:
    """The importer's name for the value's type; None for one it has no column type for."""
    if isinstance(value, list):
        kinds = {_TYPES.get(type(v)) for v in value}
        return f"{kinds.pop()}[]" if len(kinds) == 1 and None not in kinds else None
    return _TYPES.get(type(value))


def _field(value, delimiter: str) -> str:
    """One CSV field: strings and lists quoted (quotes doubled), numbers as Python writes them, None empty."""
    if value is None:
        return ""
    if isinstance(value, list):
        return _quote(delimiter.join(_text(v) for v in value))
    if isinstance(value, str):
        return _quote(value)
    return _text(value)


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else repr(value)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'
