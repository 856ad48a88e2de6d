"""`collabgraph export-neo4j`: neo4j-admin import files that hold exactly the projection.

No Neo4j can run here, so `neo4j-admin database import` itself is not run: the files are read back with
Python's csv module under the importer's documented rules (header `name:type`, `:ID`, `:LABEL`,
`:START_ID`, `:END_ID`, `:TYPE`, arrays joined by the array delimiter, quotes doubled, fields may span
lines) and compared with the projection.
"""
from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from collabgraph.graph.build import BUNDLED_DATA, build
from collabgraph.graph.dataset import current_build, open_store
from collabgraph.graph.property import neo4j_import
from collabgraph.graph.property.cypher import _clean, store_key
from collabgraph.graph.property.projection import NodeRow, Projection, RelRow, project
from collabgraph.graph.property.store import META_LABEL

PARSE = {"string": str, "long": int, "double": float, "boolean": lambda v: v == "true"}


def read(path: Path, delimiter: str) -> tuple[list[str], list[dict]]:
    """The header and the rows as the importer would type them (an empty field is no value)."""
    with open(path, encoding="utf-8", newline="") as fh:
        lines = list(csv.reader(fh))
    header, rows = lines[0], []
    for line in lines[1:]:
        row = {}
        for column, field in zip(header, line, strict=True):
            if field == "":
                continue
            name, _, kind = column.rpartition(":") if not column.startswith(":") else (column, "", "")
            if kind == "ID":
                row[name] = field
            elif kind.endswith("[]") or column == ":LABEL":
                row[name] = [PARSE[kind[:-2] or "string"](v) for v in field.split(delimiter)]
            else:
                row[name] = PARSE[kind](field) if kind else field
        rows.append(row)
    return header, rows


def test_cli_writes_import_files_with_the_projection_s_headers_and_rows(tmp_path, cli):
    root, folder = tmp_path / "data", tmp_path / "import"
    build(root, [BUNDLED_DATA])
    projection = project(open_store(root))
    result = cli("export-neo4j", folder, "--data-dir", root)
    assert result.exit_code == 0, result.stderr
    command = result.stdout.strip()
    assert command.startswith("neo4j-admin database import full neo4j ") and "--multiline-fields=true" in command
    assert command in (folder / "import.sh").read_text()
    delimiter = command.split("--array-delimiter=")[1].split()[0].strip("'")

    kinds = Counter(n.kind for n in projection.nodes)
    assert sorted(p.name for p in folder.glob("nodes_*.csv")) == sorted([*(f"nodes_{k}.csv" for k in kinds),
                                                                        f"nodes_{META_LABEL}.csv"])
    # the graph says which build it holds, so the first query after the import does not reload it
    _, (meta,) = read(folder / f"nodes_{META_LABEL}.csv", delimiter)
    assert meta["build"] == current_build(root).path.name and meta["digest"] == projection.digest()
    assert meta["nodes"] == len(projection.nodes) and meta[":LABEL"] == [META_LABEL]
    ids = set()
    for kind in kinds:
        assert f"--nodes=nodes_{kind}.csv" in command
        header, rows = read(folder / f"nodes_{kind}.csv", delimiter)
        assert header[0] == "iri:ID" and ":LABEL" in header
        expected = [n for n in projection.nodes if n.kind == kind]
        assert len(rows) == len(expected)
        assert rows == [{"iri": store_key(n.iri), **_clean(n.props), ":LABEL": list(n.labels)} for n in expected]
        ids |= {row["iri"] for row in rows}
    assert len(ids) == len(projection.nodes)

    counts = projection.relationship_counts()
    assert sorted(p.name for p in folder.glob("relationships_*.csv")) == sorted(f"relationships_{t}.csv" for t in counts)
    for rel_type, count in counts.items():
        assert f"--relationships=relationships_{rel_type}.csv" in command
        header, rows = read(folder / f"relationships_{rel_type}.csv", delimiter)
        assert header[:3] == [":START_ID", ":END_ID", ":TYPE"]
        assert len(rows) == count
        assert {row[":TYPE"] for row in rows} == {rel_type}
        assert all(row[":START_ID"] in ids and row[":END_ID"] in ids for row in rows)
        expected = [{":START_ID": r.start, ":END_ID": r.end, ":TYPE": r.type, **_clean(r.props)}
                    for r in projection.relationships if r.type == rel_type]
        assert rows == expected
    assert "fundingAmount:double" in (folder / "nodes_Programme.csv").read_text().splitlines()[0]
    assert "CREATE CONSTRAINT organisation_iri" in (folder / "schema.cypher").read_text()


def test_awkward_values_survive_and_the_delimiter_avoids_them(tmp_path):
    iri = "https://w3id.org/collabgraph/id/organisation/odd"
    name = 'Odd "Health", Trust\nsecond line | pipe'
    projection = Projection([NodeRow(iri, "Organisation", ("Organisation", "Charity"),
                                     {"iri": iri, "name": name, "aliases": ["A|B", "C"], "fundingAmount": 1.5})], [])
    files = neo4j_import.write(projection, tmp_path)
    assert files.array_delimiter == ";"
    _, rows = read(tmp_path / "nodes_Organisation.csv", ";")
    assert rows == [{"iri": iri, "name": name, "aliases": ["A|B", "C"], "fundingAmount": 1.5,
                     ":LABEL": ["Organisation", "Charity"]}]


def test_a_property_of_two_types_in_one_file_is_a_clear_error(tmp_path):
    a, b = (f"https://w3id.org/collabgraph/id/programme/p{i}" for i in "ab")
    projection = Projection([NodeRow(a, "Programme", ("Programme",), {"iri": a, "duration": "P3Y"}),
                             NodeRow(b, "Programme", ("Programme",), {"iri": b, "duration": 3})],
                            [RelRow("SUCCEEDS", b, a, "succeeds", {})])
    with pytest.raises(ValueError, match=r"nodes_Programme.csv: property 'duration' holds values of types long, "
                                         r"string"):
        neo4j_import.write(projection, tmp_path)


def test_export_without_a_build_says_so(tmp_path, cli):
    result = cli("export-neo4j", tmp_path / "out", "--data-dir", tmp_path / "none")
    assert result.exit_code == 1 and "error:" in result.stderr and "\n" not in result.stderr.strip()
