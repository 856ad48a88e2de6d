"""What extraction produces for one document: entities, relations with evidence, and values."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(eq=False)
class Entity:
    """One thing a document names, with every surface form it was named by."""

    kind: str                  # Organisation | Person | Programme | Agreement | Theme
    cls: str                   # the ontology class (University, NHSTrust, ... or the kind itself)
    name: str
    aliases: set[str] = field(default_factory=set)
    spans: list[tuple[int, int]] = field(default_factory=list)
    iri: str = ""
    identifiers: dict[str, str] = field(default_factory=dict)
    key: str = ""              # identity key within the document
    scheme: bool = False       # a national scheme ("HDRCs") rather than one programme
    linked: bool = False       # found in the curated register
    also: set[str] = field(default_factory=set)  # further kinds it acts as (a centre run as a Programme)
    former: bool = False       # named as a former or previous programme

    @property
    def first(self) -> int:
        return min((s for s, _ in self.spans), default=0)


@dataclass(frozen=True)
class Relation:
    subject: Entity
    predicate: str
    object: Entity
    sentence: str
    start: int
    end: int
    role: str | None = None    # role title of a memberOf

    @property
    def triple(self) -> tuple[str, str, str]:
        return (self.subject.iri, self.predicate, self.object.iri)


@dataclass
class Extraction:
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    values: list[tuple[Entity, str, object]] = field(default_factory=list)  # (entity, cg: property, value)

    def add_relation(self, rel: Relation) -> None:
        if rel.subject is rel.object or any(r.triple == rel.triple for r in self.relations):
            return
        self.relations.append(rel)
