"""Generated collaboration datasets at any scale, written with the project's own RDF writer.

The dataset has the shapes a real build produces, because it is written by
`loaders.rdf_writer.GraphWriter` (every relation with its cg:Evidence node,
every class with its superclasses, qualified memberships with roles) and the
derived `partnersWith` graph is computed by `graph.derive`:

* a register graph with every organisation (type, name, acronym, identifier,
  region, `partOf` for units) and a three-level theme hierarchy (`skos:broader`);
* one source graph per programme (host, funder, partners, themes, people with
  roles, start date, funding) and per agreement (parties, signed date, signatories),
  which, as in a real build, only mention the organisations and themes the register
  describes;
* the derived graph: `partnersWith` between the organisations of each agreement
  and programme, with `cg:via` evidence.

Partners are drawn mostly from the same region and in proportion to a Zipf-like
popularity, so degrees are skewed the way real collaboration networks are.
Names are generated from syllables; the same seed gives the same dataset.
"""
from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

from pyoxigraph import NamedNode, Quad, RdfFormat, Store

from collabgraph.graph.dataset import new_build, switch_current
from collabgraph.graph.derive import derived_quads
from collabgraph.loaders.rdf_writer import GraphWriter, SourceInfo
from collabgraph.ontology import SKOS, XSD, iris

REGIONS = ("North East", "North West", "Yorkshire", "West Midlands", "East of England", "South West",
           "South East", "London", "Wales", "Scotland", "Northern Ireland", "Midlands")
_HEADS = ("Ash", "Bram", "Cald", "Dun", "Elm", "Fen", "Glen", "Hart", "Ingle", "Kel", "Lang", "Mar", "Nor",
          "Oak", "Pem", "Quen", "Rav", "Sel", "Thorn", "Ux", "Wen", "Yar", "Brack", "Cor", "Dray", "Hol")
_TAILS = ("bridge", "by", "caster", "dale", "field", "ford", "ham", "holme", "ley", "mouth", "stead", "ton",
          "wick", "worth", "minster", "combe")
_QUALIFIERS = ("", "North ", "South ", "East ", "West ", "Upper ", "Lower ", "Greater ", "Central ", "New ")
_TOPICS = ("Population Health", "Primary Care", "Healthy Ageing", "Mental Health", "Health Data Science",
           "Child Health", "Health Economics", "Rehabilitation", "Nutrition", "Infection", "Social Care",
           "Digital Health", "Musculoskeletal Health", "Cancer Care", "Cardiovascular Research")

#: (class, share of organisations, name templates); {p} is a place, {t} a topic.
ORG_TYPES = (
    ("University", 0.06, ("University of {p}", "{p} University", "{p} Metropolitan University")),
    ("NHSTrust", 0.14, ("{p} NHS Foundation Trust", "{p} Hospitals NHS Trust", "{p} Community Health NHS Trust")),
    ("LocalAuthority", 0.12, ("{p} City Council", "{p} County Council", "{p} Borough Council")),
    ("ResearchCentre", 0.10, ("Centre for {t} in {p}", "{p} Institute for {t}")),
    ("ResearchNetwork", 0.04, ("{p} Clinical Research Network", "{p} {t} Network")),
    ("GovernmentBody", 0.02, ("{p} Health Agency", "{p} Office for Health Improvement")),
    ("Charity", 0.20, ("{p} Carers Trust", "{p} {t} Foundation", "{p} Community Action")),
    ("Company", 0.20, ("{p} Health Analytics Ltd", "{p} MedTech Ltd", "{p} Care Services Ltd")),
    ("OrganisationalUnit", 0.08, ("{p} School of {t}", "{p} Department of {t}")),
    ("OrganisationGroup", 0.04, ("{p} Health Partners", "{p} Integrated Care System")),
)
THEMES = {
    "Prevention": ("Healthy weight", "Tobacco control", "Physical activity", "Alcohol harm"),
    "Inequalities": ("Ethnicity and health", "Deprivation", "Rural health", "Inclusion health"),
    "Long-term conditions": ("Multimorbidity", "Diabetes", "Respiratory health", "Frailty"),
    "Mental health": ("Young people's mental health", "Dementia", "Suicide prevention", "Loneliness"),
    "Health and care systems": ("Workforce", "Data and digital", "Implementation science", "Evaluation"),
}
_SUBTHEME_DETAIL = ("in communities", "in primary care", "in schools", "at work")
ROLES = ("Director", "Deputy Director", "Chief Executive", "Theme Lead", "Professor of {t}", "Chair",
         "Programme Manager", "Head of Research")
_FIRST = ("Amara", "Ben", "Chloe", "Dev", "Eilidh", "Femi", "Grace", "Hamza", "Isla", "Jonah", "Kiran", "Lena",
          "Mei", "Nadia", "Owen", "Priya", "Rhys", "Sana", "Tomas", "Uma", "Viktor", "Wren", "Yusuf", "Zara")
_LAST = ("Abbot", "Bhatt", "Crane", "Dlamini", "Ellery", "Fairbairn", "Gill", "Haddad", "Iqbal", "Jarvis", "Kowal",
         "Lindqvist", "Mensah", "Nakamura", "Okafor", "Petrakis", "Quayle", "Rahman", "Sorensen", "Tait", "Umber",
         "Varga", "Whitlock", "Yeo")


@dataclass
class Org:
    iri: str
    cls: str
    name: str
    region: str
    aliases: tuple[str, ...] = ()
    identifiers: dict = field(default_factory=dict)
    parent: str | None = None


@dataclass
class Plan:
    """What a generated dataset contains, before it is written as RDF."""

    orgs: list[Org]
    funders: list[Org]
    themes: dict[str, str]            # theme name -> IRI (broad and narrow)
    broader: dict[str, str]           # narrow theme IRI -> broad theme IRI
    people: list[tuple[str, str]]     # (IRI, name)
    programmes: list[dict]
    agreements: list[dict]

    def busiest(self, quantile: float = 0.9) -> Org:
        """An organisation at this quantile of participation (0.9: a well-connected one, not the top hub)."""
        counts: dict[str, int] = {}
        for item in (*self.programmes, *self.agreements):
            for iri in item["orgs"]:
                counts[iri] = counts.get(iri, 0) + 1
        ranked = sorted(counts, key=lambda i: (counts[i], i))
        iri = ranked[min(len(ranked) - 1, int(quantile * len(ranked)))]
        return next(o for o in self.orgs if o.iri == iri)

    @property
    def top_funder(self) -> Org:
        counts: dict[str, int] = {}
        for p in self.programmes:
            counts[p["funder"]] = counts.get(p["funder"], 0) + 1
        iri = max(counts, key=lambda i: (counts[i], i))
        return next(o for o in self.funders if o.iri == iri)


def plan(n_orgs: int, seed: int = 7) -> Plan:
    """A dataset of ``n_orgs`` organisations, n/8 programmes, n/4 agreements and n/2 people."""
    rnd = random.Random(seed)
    orgs = _organisations(rnd, n_orgs)
    funders = [o for o in orgs if o.cls in ("GovernmentBody", "Charity")][: max(3, n_orgs // 200)]
    themes, broader = _themes()
    people = _people(rnd, max(2, n_orgs // 2))
    pick = _Picker(rnd, orgs)
    narrow = [t for t in themes.values() if t in broader]
    programmes = [_programme(rnd, i, pick, funders, narrow, people) for i in range(max(1, n_orgs // 8))]
    agreements = [_agreement(rnd, i, pick, narrow, people) for i in range(max(1, n_orgs // 4))]
    return Plan(orgs, funders, themes, broader, people, programmes, agreements)


def _places() -> list[str]:
    return [f"{q}{h}{t}" for q in _QUALIFIERS for h in _HEADS for t in _TAILS]


def _organisations(rnd: random.Random, n: int) -> list[Org]:
    places = _places()
    rnd.shuffle(places)
    kinds = [t for t in ORG_TYPES for _ in range(round(t[1] * 1000))]
    seen: set[str] = set()
    orgs: list[Org] = []
    universities: list[Org] = []
    for i in range(n):
        cls, _, templates = kinds[rnd.randrange(len(kinds))]
        name = rnd.choice(templates).format(p=places[i % len(places)], t=rnd.choice(_TOPICS))
        if name in seen:
            name = f"{name} ({i // len(places) + 1})"
        seen.add(name)
        org = Org(iris.entity_iri("Organisation", name, _identifiers(cls, i)), cls, name,
                  rnd.choice(REGIONS),
                  (_acronym(name),) if rnd.random() < 0.4 else (), _identifiers(cls, i))
        if cls == "University":
            universities.append(org)
        elif cls == "OrganisationalUnit" and universities:
            org.parent = rnd.choice(universities).iri
        orgs.append(org)
    return orgs


def _identifiers(cls: str, i: int) -> dict:
    """Unique identifiers for universities (ROR-like) and trusts (ODS-like), keyed by position."""
    if cls == "University":
        return {"ror": f"0{i:08x}"[-9:]}
    if cls == "NHSTrust":
        return {"ods": f"R{i:05X}"}
    return {}


def _acronym(name: str) -> str:
    return "".join(w[0] for w in name.replace("(", "").split() if w[0].isupper())


def _themes() -> tuple[dict[str, str], dict[str, str]]:
    themes, broader = {}, {}
    for broad, narrows in THEMES.items():
        themes[broad] = iris.entity_iri("Theme", broad)
        for narrow in narrows:
            for detail in ("", *_SUBTHEME_DETAIL):
                name = f"{narrow} {detail}".strip()
                themes[name] = iris.entity_iri("Theme", name)
                parent = narrow if detail else broad
                broader[themes[name]] = themes[parent]
    return themes, broader


def _people(rnd: random.Random, n: int) -> list[tuple[str, str]]:
    out = []
    for i in range(n):
        name = f"{rnd.choice(('Dr ', 'Professor ', '', ''))}{rnd.choice(_FIRST)} {rnd.choice(_LAST)}-{i:x}"
        out.append((iris.entity_iri("Person", name), name))
    return out


class _Picker:
    """Draws organisations mostly from one region, in proportion to a Zipf-like popularity."""

    def __init__(self, rnd: random.Random, orgs: list[Org]):
        self.rnd = rnd
        self.by_region: dict[str, tuple[list[Org], list[float]]] = {}
        for region in REGIONS:
            members = [o for o in orgs if o.region == region]
            rnd.shuffle(members)
            self.by_region[region] = (members, list(accumulate(1 / (r + 1) ** 0.9 for r in range(len(members)))))
        self.all = orgs

    def some(self, k: int) -> list[Org]:
        region = self.rnd.choice(REGIONS)
        chosen: dict[str, Org] = {}
        while len(chosen) < min(k, len(self.all)):
            if self.rnd.random() < 0.8 and self.by_region[region][0]:
                members, cum = self.by_region[region]
                org = members[bisect.bisect_left(cum, self.rnd.random() * cum[-1])]
            else:
                org = self.all[self.rnd.randrange(len(self.all))]
            chosen[org.iri] = org
        return list(chosen.values())


def _programme(rnd, i, pick: _Picker, funders, narrow_themes, people) -> dict:
    orgs = pick.some(1 + min(12, int(rnd.paretovariate(1.6)) + 1))
    name = f"{orgs[0].name.split(' ')[0]} {rnd.choice(_TOPICS)} Programme {i}"
    return {"iri": iris.entity_iri("Programme", name), "name": name, "host": orgs[0].iri,
            "partners": [o.iri for o in orgs[1:]], "orgs": [o.iri for o in orgs],
            "funder": rnd.choice(funders).iri, "themes": rnd.sample(narrow_themes, rnd.randint(1, 3)),
            "people": [(rnd.choice(people)[0], rnd.choice(orgs).iri, rnd.choice(ROLES).format(t=rnd.choice(_TOPICS)))
                       for _ in range(rnd.randint(1, 2))],
            "start": date(2015, 1, 1) + timedelta(days=rnd.randrange(3650)),
            "funding": rnd.randrange(50, 2000) * 10_000}


def _agreement(rnd, i, pick: _Picker, narrow_themes, people) -> dict:
    orgs = pick.some(rnd.choice((2, 2, 2, 3)))
    cls = rnd.choice(("MemorandumOfUnderstanding", "MemorandumOfUnderstanding", "FormalPartnership",
                      "DataSharingAgreement"))
    name = f"{' and '.join(o.name for o in orgs[:2])} {cls} {i}"
    return {"iri": iris.entity_iri("Agreement", name), "name": name, "cls": cls, "orgs": [o.iri for o in orgs],
            "themes": rnd.sample(narrow_themes, rnd.randint(0, 1)),
            "people": [(rnd.choice(people)[0], o.iri, "Chief Executive") for o in orgs if rnd.random() < 0.3],
            "signed": date(2012, 1, 1) + timedelta(days=rnd.randrange(4000))}


def asserted_quads(p: Plan) -> list[Quad]:
    """The register graph and one source graph per programme and agreement (no derived graph)."""
    quads = _register(p)
    orgs = {o.iri: o for o in p.orgs}
    names = dict(p.people)
    theme_names = {iri: name for name, iri in p.themes.items()}
    for i, prog in enumerate(p.programmes):
        w = _source(f"generated/programme-{i}.txt", prog["name"])
        w.entity(prog["iri"], "Programme", prog["name"])
        w.mention(prog["host"])
        w.relation(prog["iri"], "hostedBy", prog["host"], f"{prog['name']} is hosted by {orgs[prog['host']].name}.")
        funder = next(f for f in p.funders if f.iri == prog["funder"])
        w.mention(funder.iri)
        w.relation(prog["iri"], "fundedBy", funder.iri, f"It is funded by {funder.name}.")
        for partner in prog["partners"]:
            w.mention(partner)
            w.relation(prog["iri"], "partner", partner, f"{orgs[partner].name} is a partner.", 0, 40)
        _themes_and_people(w, prog, theme_names, names)
        w.value(prog["iri"], "startDate", prog["start"])
        w.value(prog["iri"], "fundingAmount", prog["funding"], XSD.decimal)
        w.value(prog["iri"], "currency", "GBP")
        quads += w.quads
    for i, agr in enumerate(p.agreements):
        w = _source(f"generated/agreement-{i}.txt", agr["name"])
        w.entity(agr["iri"], agr["cls"], agr["name"])
        for party in agr["orgs"]:
            w.mention(party)
            w.relation(agr["iri"], "party", party, f"{orgs[party].name} signed the agreement.", 0, 45)
        _themes_and_people(w, agr, theme_names, names)
        w.value(agr["iri"], "signedDate", agr["signed"])
        quads += w.quads
    return quads


def _source(key: str, title: str) -> GraphWriter:
    return GraphWriter(SourceInfo(key, key, title, "sha256:" + iris.digest(key, length=64)))


def _themes_and_people(w: GraphWriter, item: dict, theme_names: dict, names: dict) -> None:
    for theme in item["themes"]:
        w.mention(theme)
        w.relation(item["iri"], "hasTheme", theme, f"The work covers {theme_names[theme]}.")
    for person, org, role in item["people"]:
        w.entity(person, "Person", names[person])
        w.membership(person, org, role, f"{names[person]}, {role}.")


def _register(p: Plan) -> list[Quad]:
    w = GraphWriter(SourceInfo("organisations", "generated/register/organisations.yaml",
                               "collabgraph register: organisations", "sha256:" + "0" * 64, kind="register"))
    for o in p.orgs:
        w.entity(o.iri, o.cls, o.name, o.aliases, o.identifiers, o.region)
        if o.parent:
            w.relation(o.iri, "partOf", o.parent)
    for name, iri in p.themes.items():
        w.entity(iri, "Theme", name)
        if iri in p.broader:
            w.add(NamedNode(iri), SKOS.broader, NamedNode(p.broader[iri]))
    return w.quads


def store_for(p: Plan, path: Path | None = None) -> Store:
    """An Oxigraph store (in memory, or on disk at ``path``) holding the plan and its derived graph."""
    store = Store(str(path)) if path else Store()
    store.bulk_extend(asserted_quads(p))
    store.bulk_extend(derived_quads(store))
    return store


def nquads(store: Store) -> bytes:
    """The whole dataset as N-Quads, to load the very same quads into another engine."""
    return store.dump(format=RdfFormat.N_QUADS)


def write_dataset(root: Path, p: Plan) -> Path:
    """A data directory in the layout of graph.dataset (``current`` -> builds/<id>), ready to serve."""
    build = new_build(root)
    store = store_for(p, build.store_path)
    store.flush()
    quads = len(store)
    del store
    build.write_manifest({"extractor": "bench-generated", "register": "bench-generated", "register_dir": None,
                          "register_graphs": [], "sources": {}, "quads": quads,
                          "generated": {"organisations": len(p.orgs), "programmes": len(p.programmes),
                                        "agreements": len(p.agreements)}})
    switch_current(root, build)
    return build.path
