"""Server settings, from arguments or `COLLABGRAPH_*` environment variables.

The defaults are the safe ones: bind to loopback only, no CORS, no API key
(set one before exposing /sparql and /cypher beyond this machine), and every
query surface bounded by a timeout and a row limit.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Mapping

from graph import dataset

PREFIX = "COLLABGRAPH_"


class SettingsError(ValueError):
    """An environment variable that cannot be used; the message names it and says what is expected."""


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = field(default_factory=lambda: dataset.data_dir())
    #: Origins allowed to call the API from a browser page on another site (e.g. a YASGUI page); none by default.
    cors_origins: tuple[str, ...] = ()
    #: When set, /sparql and /cypher need it in an `X-API-Key` header or `Authorization: Bearer <key>`.
    api_key: str | None = field(default=None, repr=False)
    sparql_timeout: float = 10.0
    sparql_row_limit: int = 10_000
    #: Worker processes that run SPARQL queries; a query past its timeout is stopped by ending its worker.
    sparql_workers: int = 2
    cypher_timeout: float = 10.0
    cypher_row_limit: int = 10_000
    #: Above this many nodes a view shows the best-connected ones and says so.
    view_node_limit: int = 300

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> "Settings":
        """Settings from `COLLABGRAPH_<FIELD>` variables (e.g. COLLABGRAPH_SPARQL_TIMEOUT=30), then overrides."""
        env = os.environ if environ is None else environ
        values: dict = {}
        for f in fields(cls):
            raw = env.get(PREFIX + f.name.upper())
            if raw is not None and raw.strip() != "":
                values[f.name] = _parse(f.name, f.type, raw.strip())
        settings = cls(**values)
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})

    def __post_init__(self) -> None:
        for name in ("sparql_timeout", "cypher_timeout", "sparql_row_limit", "cypher_row_limit",
                     "sparql_workers", "view_node_limit", "port"):
            if getattr(self, name) <= 0:
                raise SettingsError(f"{PREFIX}{name.upper()} must be a positive number, not {getattr(self, name)}")
        object.__setattr__(self, "data_dir", Path(self.data_dir))


def _parse(name: str, kind: str, raw: str):
    var = PREFIX + name.upper()
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError:
        raise SettingsError(f"{var}={raw!r} is not a number") from None
    if kind.startswith("tuple"):
        return tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())
    if kind == "Path":
        return Path(raw)
    return raw
