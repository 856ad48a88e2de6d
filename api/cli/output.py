"""Query results for the terminal: a rich table, JSON (a list of row objects) or CSV."""
from __future__ import annotations

import csv
import io
import json

from rich.console import Console
from rich.table import Table

FORMATS = ("table", "json", "csv")


def render(columns: list[str], rows: list[dict], fmt: str, console: Console) -> None:
    if fmt == "json":
        console.file.write(json.dumps(rows, indent=2, ensure_ascii=False, default=str) + "\n")
    elif fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: _cell(r.get(c)) for c in columns} for r in rows)
        console.file.write(buf.getvalue())
    else:
        table = Table(*columns, show_lines=False)
        for r in rows:
            table.add_row(*(_cell(r.get(c)) for c in columns))
        console.print(table)
        console.print(f"{len(rows)} row(s)", style="dim")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
