"""Server settings, from arguments or `COLLABGRAPH_*` environment variables.

The defaults are the safe ones: bind to loopback only (another address needs
an API key), answer only requests addressed to this machine's names (the Host
header), no CORS, no federated SPARQL, request bodies of at most 1 MB, and
every query surface bounded by a timeout, a row limit and a memory cap.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from collabgraph.graph import dataset
from collabgraph.graph.limits import QueryLimits

PREFIX = "COLLABGRAPH_"


class SettingsError(ValueError):
    """An environment variable that cannot be used; the message names it and says what is expected."""


@dataclass(frozen=True)
class Settings(QueryLimits):
    """The query limits (`QueryLimits`, shared with the read model) and what only the server uses."""

    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = field(default_factory=lambda: dataset.data_dir())
    #: Origins allowed to call the API from a browser page on another site (e.g. a YASGUI page); none by default.
    cors_origins: tuple[str, ...] = ()
    #: When set, /sparql and /cypher need it in an `X-API-Key` header or `Authorization: Bearer <key>`.
    api_key: str | None = field(default=None, repr=False)
    #: Above this many nodes a view shows the best-connected ones and says so.
    view_node_limit: int = 300
    #: Above this many organisations /network draws communities (or the top by a centrality) unless asked for more.
    network_node_limit: int = 150
    #: Largest request body accepted on any route, in bytes (413 above it).
    max_body_bytes: int = 1_000_000
    #: Host header values accepted besides localhost, 127.0.0.1, [::1] and the bound host ("*" accepts any).
    allowed_hosts: tuple[str, ...] = ()
    #: Serve on a non-loopback address without an API key (refused unless this is set).
    allow_public_without_key: bool = False
    #: Make the build's name and partner indexes in the background as soon as the app starts (`collabgraph serve`
    #: does), instead of at the first request that needs them.
    warm_indexes: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> Settings:
        """Settings from `COLLABGRAPH_<FIELD>` variables (e.g. COLLABGRAPH_SPARQL_TIMEOUT=30), then overrides."""
        env = os.environ if environ is None else environ
        values: dict = {}
        for f in fields(cls):
            raw = env.get(PREFIX + f.name.upper())
            if raw is not None and raw.strip() != "":
                values[f.name] = _parse(f.name, str(f.type), raw.strip())
        settings = cls(**values)
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})

    def __post_init__(self) -> None:
        for name in ("sparql_timeout", "cypher_timeout", "sparql_row_limit", "cypher_row_limit",
                     "sparql_workers", "view_node_limit", "network_node_limit", "port", "sparql_worker_memory_mb",
                     "sparql_max_response_bytes", "max_body_bytes"):
            if getattr(self, name) <= 0:
                raise SettingsError(f"{PREFIX}{name.upper()} must be a positive number, not {getattr(self, name)}")
        if self.sparql_queue < 0:
            raise SettingsError(f"{PREFIX}SPARQL_QUEUE must be 0 or more, not {self.sparql_queue}")
        if self.sparql_worker_memory_mb < 1024:
            raise SettingsError(f"{PREFIX}SPARQL_WORKER_MEMORY_MB must be at least 1024 (a worker's stack and "
                                f"store take several hundred MB of address space), not {self.sparql_worker_memory_mb}")
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
    if kind == "bool":
        if raw.lower() not in ("1", "true", "yes", "0", "false", "no"):
            raise SettingsError(f"{var}={raw!r} is not a yes/no value (use 1 or 0)")
        return raw.lower() in ("1", "true", "yes")
    if kind.startswith("tuple"):
        items = (o.strip() for o in raw.split(","))
        # An origin has no path, so a trailing slash is noise; an endpoint IRI is compared exactly.
        return tuple(o.rstrip("/") if name == "cors_origins" else o for o in items if o)
    if kind == "Path":
        return Path(raw)
    return raw
