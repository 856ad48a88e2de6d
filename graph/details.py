"""What the API says about one entity of each kind, read from the RDF dataset."""
from __future__ import annotations

from pyoxigraph import Store

from .entities import evidence_for, first, literals, ref, related, sources_of, summaries

#: (API name, cg: property) of the identifiers an organisation or a programme (a funder's project) may have.
ORGANISATION_IDS = (("ror", "ror"), ("ods", "odsCode"), ("wikidata", "wikidata"), ("gtr", "gtrId"), ("grid", "gridId"),
                    ("isni", "isni"), ("fundref", "fundref"))
PROGRAMME_IDS = (("grant_reference", "grantReference"), ("gtr", "gtrId"))


def _base(store: Store, iri: str) -> tuple[dict, dict, str]:
    return summaries(store, [iri])[iri], literals(store, iri), ref(iri)


def organisation(store: Store, iri: str) -> dict:
    summary, props, t = _base(store, iri)
    identifiers = {k: first(props, p) for k, p in ORGANISATION_IDS}
    return {**summary,
            "identifiers": {k: v for k, v in identifiers.items() if v},
            "region": first(props, "region"),
            "parent": related(store, f"{t} cg:partOf ?x"),
            "units": related(store, f"?x cg:partOf {t}"),
            "people": related(store, f"?x cg:memberOf {t} OPTIONAL {{ ?m org:member ?x ; org:organization {t} ; "
                                     "cg:roleTitle ?role }"),
            "agreements": related(store, f"?x a cg:Agreement ; ?role {t} VALUES ?role {{ cg:party cg:fundedBy }}"),
            "programmes": related(store, f"?x a cg:Programme ; ?role {t} VALUES ?role {{ cg:partner cg:hostedBy cg:fundedBy }}"),
            "themes": related(store, f"{{ {t} cg:hasTheme ?x BIND(\"own\" AS ?role) }} UNION "
                                     f"{{ ?v cg:partner|cg:hostedBy|cg:party {t} ; cg:hasTheme ?x ; cg:name ?vn "
                                     "BIND(CONCAT(\"via \", ?vn) AS ?role) }"),
            "sources": sources_of(store, iri)}


def programme(store: Store, iri: str) -> dict:
    summary, props, t = _base(store, iri)
    return {**summary,
            "region": first(props, "region"),
            "start_date": _str(first(props, "startDate")), "end_date": _str(first(props, "endDate")),
            "duration": first(props, "duration"),
            "funding": _funding(props),
            "identifiers": {k: str(v) for k, p in PROGRAMME_IDS if (v := first(props, p)) is not None},
            "record_url": _str(first(props, "recordUrl")),
            "hosts": related(store, f"{t} cg:hostedBy ?x"),
            "funders": related(store, f"{t} cg:fundedBy ?x"),
            "partners": related(store, f"{t} cg:partner ?x"),
            "themes": related(store, f"{t} cg:hasTheme ?x"),
            "succeeds": related(store, f"{t} cg:succeeds ?x"),
            "succeeded_by": related(store, f"?x cg:succeeds {t}"),
            "part_of": related(store, f"{t} cg:partOf ?x"),
            "parts": related(store, f"?x cg:partOf {t}"),
            "sources": sources_of(store, iri)}


def agreement(store: Store, iri: str) -> dict:
    summary, props, t = _base(store, iri)
    parties = related(store, f"{t} cg:party ?x")
    evidence = evidence_for(store, [(iri, "party", p["iri"]) for p in parties])
    return {**summary,
            "signed_date": _str(first(props, "signedDate")),
            "start_date": _str(first(props, "startDate")), "end_date": _str(first(props, "endDate")),
            "duration": first(props, "duration"),
            "funding": _funding(props),
            "parties": [{**p, "evidence": evidence.get((iri, "party", p["iri"]), [])} for p in parties],
            "funders": related(store, f"{t} cg:fundedBy ?x"),
            "themes": related(store, f"{t} cg:hasTheme ?x"),
            "sources": sources_of(store, iri)}


def person(store: Store, iri: str) -> dict:
    summary, _, t = _base(store, iri)
    members = related(store, f"{t} cg:memberOf ?x OPTIONAL {{ ?m org:member {t} ; org:organization ?x ; cg:roleTitle ?role }}")
    evidence = evidence_for(store, [(iri, "memberOf", m["iri"]) for m in members])
    return {**summary,
            "memberships": [{"organisation": {k: v for k, v in m.items() if k != "role"}, "role": m["role"],
                             "evidence": evidence.get((iri, "memberOf", m["iri"]), [])} for m in members],
            "sources": sources_of(store, iri)}


def theme(store: Store, iri: str) -> dict:
    summary, _, t = _base(store, iri)
    tagged = related(store, f"?x cg:hasTheme {t}")
    return {**summary,
            "broader": related(store, f"{t} skos:broader ?x"),
            "narrower": related(store, f"?x skos:broader {t}"),
            "programmes": [x for x in tagged if x["kind"] == "Programme"],
            "agreements": [x for x in tagged if x["kind"] == "Agreement"],
            "organisations": [x for x in tagged if x["kind"] == "Organisation"],
            "sources": sources_of(store, iri)}


DETAILS = {"Organisation": organisation, "Programme": programme, "Agreement": agreement, "Person": person,
           "Theme": theme}


def _funding(props: dict) -> dict | None:
    amount = first(props, "fundingAmount")
    return None if amount is None else {"amount": amount, "currency": first(props, "currency")}


def _str(value) -> str | None:
    return None if value is None else str(value)
