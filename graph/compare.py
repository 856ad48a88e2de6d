"""Two organisations side by side: shared partners, shared programmes and agreements, direct partnership.

The partners are the derived partnersWith edges (`entities.partner_edges`, as the REST partners route reads
them); the roles come from the entity network (an agreement's parties and partners, a programme's host,
partners and funders), so every statement here is one the organisation pages make too.
"""
from __future__ import annotations

import networkx as nx
from pyoxigraph import Store

from . import entities

#: The relation from an agreement or programme to an organisation, and the role it gives the organisation.
ROLES = {"hostedBy": "host", "partner": "partner", "fundedBy": "funder", "party": "party"}
#: Candidates offered when a name matches more than one organisation.
MAX_CANDIDATES = 20


def roles(network: nx.MultiDiGraph, org: str) -> dict[str, set[str]]:
    """{agreement or programme IRI: the organisation's roles in it}."""
    out: dict[str, set[str]] = {}
    for via, _, predicate in network.in_edges(org, keys=True):
        if predicate in ROLES and network.nodes[via].get("kind") in ("Agreement", "Programme"):
            out.setdefault(via, set()).add(ROLES[predicate])
    return out


def compare(store: Store, network: nx.MultiDiGraph, a: str, b: str) -> dict:
    """What `a` and `b` share: partners (with how each side is linked), programmes and agreements (with
    each side's roles) and a direct partnership if they have one (with its links and evidence)."""
    edges = entities.partner_edges(store, [a, b])
    of_a = {y: vias for (x, y), vias in edges.items() if x == a}
    of_b = {y: vias for (x, y), vias in edges.items() if x == b}
    shared = sorted(set(of_a) & set(of_b) - {a, b})
    roles_a, roles_b = roles(network, a), roles(network, b)
    joint = sorted(set(roles_a) & set(roles_b))
    vias = {v for p in shared for v in (*of_a[p], *of_b[p]) if v} | set(joint)
    info = entities.summaries(store, [a, b, *shared, *vias])
    kinds = entities.link_kinds(store, vias)

    def links(found: set[str | None]) -> list[dict]:
        return [{"kind": kinds[v], "via": info[v]} if v else {"kind": "stated", "via": None}
                for v in sorted(found, key=lambda v: (v is None, info[v]["name"].lower() if v else ""))]

    partners = [{"partner": info[p], "via_a": links(of_a[p]), "via_b": links(of_b[p])}
                for p in sorted(shared, key=lambda p: info[p]["name"].lower())]
    together = sorted(({**info[v], "kind": kinds[v], "roles_a": sorted(roles_a[v]), "roles_b": sorted(roles_b[v])}
                       for v in joint), key=lambda r: (r["kind"], r["name"].lower()))
    direct = distinct_evidence(entities.describe_links(store, {(a, b): of_a[b]})[(a, b)]) if b in of_a else None
    return {"a": info[a], "b": info[b], "shared_partners": partners,
            "shared_programmes": [r for r in together if r["kind"] == "programme"],
            "shared_agreements": [r for r in together if r["kind"] == "agreement"],
            "direct": direct}


def find(store: Store, search, text: str) -> tuple[str | None, list[dict]]:
    """(the organisation `text` names, []) for an id, IRI, or a name or alias only one organisation matches
    (or matches exactly); else (None, the candidates to choose from, at most MAX_CANDIDATES)."""
    try:
        return entities.resolve(store, text, "Organisation"), []
    except entities.NotFound:
        pass
    total, found = search("Organisation", text.strip(), MAX_CANDIDATES, 0)
    exact = [f for f in found if text.strip().lower() in {f["name"].lower(), *(x.lower() for x in f["aliases"])}]
    if total == 1 or len(exact) == 1:
        return (found[0] if total == 1 else exact[0])["iri"], []
    return None, found



def distinct_evidence(links: list[dict]) -> list[dict]:
    """`links` with each sentence from each source once: a sentence naming both organisations as parties
    supports two statements, and a reader needs it once."""
    out = []
    for link in links:
        seen, kept = set(), []
        for e in link["evidence"]:
            key = (e["sentence"], (e["source"] or {}).get("graph"))
            if key not in seen:
                seen.add(key)
                kept.append(e)
        out.append({**link, "evidence": kept})
    return out
