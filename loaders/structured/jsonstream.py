"""Streaming the records of a large JSON file (ijson's C parser), without holding the file or its arrays whole."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ijson

from ..errors import SourceError


def items(path: Path, prefixes: frozenset[str]) -> Iterator[tuple[str, object]]:
    """(prefix, value) for every value found at one of ``prefixes`` ('project.item', 'item', ...), in file
    order, each built whole; invalid JSON is a SourceError naming the file."""
    with open(path, "rb") as fh:
        events = ijson.parse(fh, use_float=True)
        try:
            for prefix, event, value in events:
                if prefix not in prefixes:
                    continue
                if event in ("start_map", "start_array"):
                    yield prefix, _build(events, prefix, event, value)
                elif event not in ("end_map", "end_array", "map_key"):
                    yield prefix, value
        except ijson.JSONError as exc:
            raise SourceError(path, f"invalid JSON ({' '.join(str(exc).split())[:200]})") from None


def _build(events, prefix: str, event: str, value) -> object:
    builder = ijson.ObjectBuilder()
    end = event.replace("start", "end")
    current = prefix
    while (current, event) != (prefix, end):
        builder.event(event, value)
        current, event, value = next(events)
    builder.event(event, value)
    return builder.value


def first_char(path: Path) -> str:
    """The first non-blank character of a file (after a byte-order mark), '' for an empty one."""
    with open(path, "rb") as fh:
        head = fh.read(4096).decode("utf-8", "ignore").lstrip("\ufeff \t\r\n")
    return head[:1]
