"""Stable IRIs for everything collabgraph mints.

Resources live under ``https://w3id.org/collabgraph/id/<kind>/<key>``:

* an organisation with a known external identifier is keyed by it, in the order
  ROR, NHS ODS code, Wikidata (``organisation/ror-02jx3x895``);
* anything else is keyed by a slug of its canonical name within its kind
  (``person/jane-smith``, ``programme/nihr-arc-north-west-coast``).

Named graphs live under ``https://w3id.org/collabgraph/graph/``. The same input
always gives the same IRI, so two builds of the same sources are identical.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

BASE = "https://w3id.org/collabgraph/"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
DERIVED_GRAPH = GRAPH + "derived"
ONTOLOGY_GRAPH = GRAPH + "ontology"

_KIND_PATH = {"Organisation": "organisation", "Person": "person", "Programme": "programme",
              "Agreement": "agreement", "Theme": "theme"}
_ID_ORDER = ("ror", "ods", "wikidata")
#: Longest key of a minted IRI; a longer slug (a name from hostile text) is cut and ends with its digest.
MAX_KEY_CHARS = 100


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens ('Côte & Co.' -> 'cote-and-co')."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "unnamed"


def iri_key(text: str) -> str:
    """The slug of a name or identifier as an IRI key, at most MAX_KEY_CHARS long and still distinct."""
    s = slug(text)
    return s if len(s) <= MAX_KEY_CHARS else f"{s[:MAX_KEY_CHARS - 13]}-{digest(s)}"


def digest(*parts: str, length: int = 12) -> str:
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:length]


def entity_iri(kind: str, name: str, identifiers: dict[str, str] | None = None) -> str:
    """The IRI of an entity of a top-level kind from its identifiers or name."""
    path = _KIND_PATH[kind]
    for scheme in _ID_ORDER:
        value = (identifiers or {}).get(scheme)
        if value:
            return f"{ID}{path}/{scheme}-{iri_key(value)}"
    return f"{ID}{path}/{iri_key(name)}"


def membership_iri(person: str, organisation: str, role: str | None) -> str:
    return f"{ID}membership/{digest(person, organisation, role or '')}"


def role_iri(title: str) -> str:
    return f"{ID}role/{iri_key(title)}"


def evidence_iri(subject: str, predicate: str, obj: str, source: str, start: int | None = None) -> str:
    return f"{ID}evidence/{digest(subject, predicate, obj, source, str(start))}"


def source_graph_iri(key: str) -> str:
    """The named graph (and prov:Entity) of one source, from its source key."""
    return f"{GRAPH}source/{slug(key)[:60]}-{digest(key, length=8)}"


def register_graph_iri(name: str) -> str:
    return f"{GRAPH}register/{iri_key(name)}"


def local_id(iri: str) -> str:
    """The part of an IRI after the id/ base, used as an id in the API ('organisation/ror-02jx3x895')."""
    return iri[len(ID):] if iri.startswith(ID) else iri


def from_local_id(value: str) -> str:
    """Inverse of local_id; full IRIs pass through unchanged."""
    return value if "://" in value else ID + value.lstrip("/")
