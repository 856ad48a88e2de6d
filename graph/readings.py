"""Each document's reading (`loaders.reading`: its text and mentions), kept in the build next to the store.

    builds/<id>/readings/<graph key>.json.gz      one per document source

A reading is what the source page shows: too large and too textual for the RDF (a document's whole text as a
literal would be copied into every query over the union), and read only by that page, so it is a small
gzipped JSON file named after the source's graph. It follows the source's graph through builds: written
when the source is extracted, carried over (hard-linked) from the previous build when the source is
unchanged, and absent once the source is removed, since a new build starts with no readings.
"""
from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path

from collabgraph.loaders.reading import READING_VERSION
from collabgraph.ontology import iris

from .dataset import Build

READINGS = "readings"
_PREFIX = iris.GRAPH + "source/"


def path(build: Build, graph: str) -> Path | None:
    """Where the reading of a document's graph lives in a build; None for a graph that is not a document's."""
    key = graph[len(_PREFIX):] if graph.startswith(_PREFIX) else ""
    if not key or not all(c.isalnum() or c == "-" for c in key):  # graph keys are slugs with a digest
        return None
    return build.path / READINGS / f"{key}.json.gz"


def write(build: Build, graph: str, reading: dict | None) -> None:
    """Keep a document's reading in the build (nothing when there is none: a source that failed)."""
    target = path(build, graph)
    if target is None or reading is None:
        return
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(gzip.compress(json.dumps(reading, ensure_ascii=False).encode(), compresslevel=6))


def carry(previous: Build | None, build: Build, graph: str) -> None:
    """An unchanged source keeps its reading: a hard link to the previous build's file (a copy across devices)."""
    if previous is None:
        return
    source, target = path(previous, graph), path(build, graph)
    if source is None or target is None or not source.exists():
        return
    target.parent.mkdir(exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def load(build: Build, graph: str) -> dict | None:
    """The reading of a document in a build; None when the build has none for it (built before readings were
    kept, or the source failed) or it is of another layout."""
    found = path(build, graph)
    if found is None or not found.exists():
        return None
    data = json.loads(gzip.decompress(found.read_bytes()))
    return data if isinstance(data, dict) and data.get("version") == READING_VERSION else None
