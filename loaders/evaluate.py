"""Scoring extractions against gold annotations, exactly as ../shared/gold/README.md defines it.

Per document: entities match on type and normalised name or alias (each gold
entity at most once; optional ones are neither rewarded nor penalised;
agreements match the gold agreement sharing most parties); relations count when
both ends match and the predicate is the same (partnersWith unordered).
Counts are micro-averaged over documents.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import SourceError
from .identity import normal, person_normal
from .register import StrictLoader

TYPES = ("Organisation", "Person", "Programme", "Agreement", "Theme")


@dataclass
class GoldEntity:
    name: str
    types: tuple[str, ...]
    keys: frozenset[str]
    optional: bool = False


@dataclass
class Gold:
    source: str
    entities: list[GoldEntity]
    relations: set[tuple]            # (subject name, predicate, object name), partnersWith sorted
    optional_relations: set[tuple]


@dataclass
class Score:
    """True positives, false positives and false negatives by entity type and by predicate, with the items."""

    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.tp.update(other.tp)
        self.fp.update(other.fp)
        self.fn.update(other.fn)
        self.misses += other.misses
        self.false_positives += other.false_positives

    def figures(self, key: str) -> dict:
        return prf(self.tp[key], self.fp[key], self.fn[key])

    def table(self) -> dict:
        """P/R/F1 per entity type, per predicate, and overall for entities and for relations."""
        ent = [k for k in self.keys() if k.startswith("entity:")]
        rel = [k for k in self.keys() if k.startswith("relation:")]
        out = {k: self.figures(k) for k in ent + rel}
        out["entities"] = prf(*(sum(c[k] for k in ent) for c in (self.tp, self.fp, self.fn)))
        out["relations"] = prf(*(sum(c[k] for k in rel) for c in (self.tp, self.fp, self.fn)))
        return out

    def keys(self) -> list[str]:
        return sorted(set(self.tp) | set(self.fp) | set(self.fn))


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else (1.0 if not fn else 0.0)
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def _keys(names, types) -> frozenset[str]:
    norm = person_normal if "Person" in types else normal
    return frozenset(k for k in (norm(str(n)) for n in names) if k)


def load_gold(path: Path) -> Gold:
    """A gold YAML file; SourceError names the file and the problem."""
    try:
        doc = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=StrictLoader)  # no alias bombs
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SourceError(path, f"cannot read gold annotations: {' '.join(str(exc).split())}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("entities"), list):
        raise SourceError(path, "gold file needs 'entities' (a list) and 'relations'; see the gold README")
    entities = []
    for e in doc["entities"]:
        types = tuple(e["type"]) if isinstance(e.get("type"), list) else (e.get("type"),)
        if not e.get("name") or not set(types) <= set(TYPES):
            raise SourceError(path, f"gold entity {e!r}: needs a name and a type among {', '.join(TYPES)}")
        entities.append(GoldEntity(e["name"], types, _keys([e["name"], *(e.get("aliases") or [])], types),
                                   bool(e.get("optional"))))
    relations, optional = set(), set()
    for r in doc.get("relations") or []:
        triple, opt = (r["triple"], bool(r.get("optional"))) if isinstance(r, dict) else (r, False)
        (optional if opt else relations).add(_ordered(tuple(triple)))
    return Gold(doc.get("source", Path(path).name), entities, relations, optional)


def _ordered(triple: tuple) -> tuple:
    s, p, o = triple
    return (min(s, o), p, max(s, o)) if p == "partnersWith" else (s, p, o)


def score_document(predicted: dict, gold: Gold) -> Score:
    """Score one document's extraction (the `extract --format json` shape) against its gold."""
    sc = Score()
    by_name = {g.name: g for g in gold.entities}
    mapping: dict[str, GoldEntity | None] = {}
    matched: set[int] = set()
    for e in predicted["entities"]:
        if e["type"] == "Agreement":
            continue
        mapping[e["id"]] = _match_entity(e, gold, matched, sc)
    for e in (e for e in predicted["entities"] if e["type"] == "Agreement"):
        mapping[e["id"]] = _match_agreement(e, predicted, gold, mapping, matched, sc)
    for g in gold.entities:
        if not g.optional and id(g) not in matched:
            sc.fn[f"entity:{g.types[0]}"] += 1
            sc.misses.append(f"{gold.source}: entity {g.types[0]} {g.name!r}")
    _score_relations(predicted, gold, mapping, by_name, sc)
    return sc


def _match_entity(e: dict, gold: Gold, matched: set[int], sc: Score) -> GoldEntity | None:
    keys = _keys([e["name"], *e.get("aliases", [])], (e["type"],))
    cands = [g for g in gold.entities if e["type"] in g.types and g.keys & keys]
    fresh = [g for g in cands if not g.optional and id(g) not in matched]
    if fresh:
        g = max(fresh, key=lambda g: (normal(g.name) in keys, len(g.keys & keys)))
        matched.add(id(g))
        sc.tp[f"entity:{e['type']}"] += 1
        return g
    opt = [g for g in cands if g.optional]
    if opt:
        return opt[0]
    sc.fp[f"entity:{e['type']}"] += 1
    why = "duplicate of an entity already matched" if cands else "not in gold"
    sc.false_positives.append(f"{gold.source}: entity {e['type']} {e['name']!r} ({why})")
    return None


def _match_agreement(e: dict, predicted: dict, gold: Gold, mapping: dict, matched: set[int], sc: Score):
    parties = {mapping.get(r["object"]).name for r in predicted["relations"]
               if r["subject"] == e["id"] and r["predicate"] == "party" and mapping.get(r["object"]) is not None}
    best, best_n = None, 0
    for g in (g for g in gold.entities if "Agreement" in g.types):
        gp = {o for s, p, o in gold.relations | gold.optional_relations if s == g.name and p == "party"}
        n = len(gp & parties)
        if n > best_n or (n == best_n and n and best is not None and id(best) in matched and id(g) not in matched):
            best, best_n = g, n
    if best is not None and best.optional:
        return best
    if best is not None and id(best) not in matched:
        matched.add(id(best))
        sc.tp["entity:Agreement"] += 1
        return best
    sc.fp["entity:Agreement"] += 1
    sc.false_positives.append(f"{gold.source}: entity Agreement {e['name']!r} (no gold agreement with these parties left)")
    return None


def _score_relations(predicted: dict, gold: Gold, mapping: dict, by_name: dict, sc: Score) -> None:
    names = {e["id"]: e["name"] for e in predicted["entities"]}
    seen = set()
    for r in predicted["relations"]:
        s, o = mapping.get(r["subject"]), mapping.get(r["object"])
        label = f"{names.get(r['subject'], r['subject'])} {r['predicate']} {names.get(r['object'], r['object'])}"
        if (s is not None and s.optional) or (o is not None and o.optional):
            continue
        key = f"relation:{r['predicate']}"
        if s is None or o is None:
            sc.fp[key] += 1
            sc.false_positives.append(f"{gold.source}: relation {label} (an end is not a gold entity)")
            continue
        triple = _ordered((s.name, r["predicate"], o.name))
        if triple in seen or triple in gold.optional_relations:
            continue
        seen.add(triple)
        if triple in gold.relations:
            sc.tp[key] += 1
        else:
            sc.fp[key] += 1
            sc.false_positives.append(f"{gold.source}: relation {label}")
    for triple in sorted(gold.relations - seen):
        sc.fn[f"relation:{triple[1]}"] += 1
        sc.misses.append(f"{gold.source}: relation {' '.join(triple)}")


def gold_for(document: Path, gold_dir: Path) -> Path | None:
    """The gold file annotating a document: same stem, .yaml or .yml."""
    for suffix in (".yaml", ".yml"):
        path = Path(gold_dir) / (Path(document).stem + suffix)
        if path.is_file():
            return path
    return None
