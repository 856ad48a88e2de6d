# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 · Who partners with whom?
#
# **Question.** Which organisations does a given organisation work with, through which agreements
# and programmes, and on what evidence? Which programmes are funded by whom, and who holds which post?
# Each question is answered twice, through the REST API (httpx) and through the SPARQL endpoint
# (SPARQLWrapper), and the two answers are compared.
#
# **How to run.** From the repository: `make install-dev`, then `jupytext --sync notebooks/*.py` and open
# the `.ipynb` in Jupyter (or run `pytest tests/test_notebooks.py`). The first cell builds the bundled
# example (plus `../shared/seeds` when present) into a temporary folder and serves it on 127.0.0.1.

# %%
import contextlib

import httpx
import pandas as pd
from example import build_example, serve
from SPARQLWrapper import JSON, SPARQLWrapper

data_dir = build_example()
stack = contextlib.ExitStack()
base = stack.enter_context(serve(data_dir))
api = httpx.Client(base_url=base, timeout=30)
sparql = SPARQLWrapper(base + "/sparql")
sparql.setReturnFormat(JSON)
PREFIXES = "PREFIX cg: <https://w3id.org/collabgraph/ontology#>\nPREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"


def select(query: str) -> pd.DataFrame:
    """Run a SELECT on the SPARQL endpoint and return the bindings as a table of plain values."""
    sparql.setQuery(PREFIXES + query)
    bindings = sparql.queryAndConvert()["results"]["bindings"]
    return pd.DataFrame([{k: v["value"] for k, v in row.items()} for row in bindings])


base

# %% [markdown]
# ## Find an organisation
# `GET /organisations?q=` matches names and aliases, case-insensitively. We pick the organisation with
# the most partners so the example is interesting whatever the corpus.

# %%
centrality = api.get("/analytics/centrality", params={"limit": 5}).json()
top = pd.DataFrame([{"id": s["entity"]["id"], "name": s["entity"]["name"], **s["scores"]} for s in centrality["items"]])
org_id, org_name = top.iloc[0]["id"], top.iloc[0]["name"]
search = api.get("/organisations", params={"q": org_name.split()[-1]}).json()
print(f"{search['total']} organisation(s) match {org_name.split()[-1]!r}")
top

# %% [markdown]
# ## Its partners, through the REST API
# Each partner comes with how they are linked (the agreement or programme, or a stated partnership)
# and the evidence: the source and the sentence.

# %%
partners = api.get(f"/organisations/{org_id}/partners", params={"depth": 1, "via": "any"}).json()
rest = pd.DataFrame([
    {"partner": p["partner"]["name"],
     "via": "; ".join(sorted({(link["via"] or {}).get("name") or link["kind"] for hop in p["hops"] for link in hop["links"]})),
     "evidence": next((e["sentence"] for hop in p["hops"] for link in hop["links"] for e in link["evidence"] if e["sentence"]), None)}
    for p in partners["items"]])
rest

# %% [markdown]
# ## The same question in SPARQL
# `cg:partnersWith` is derived at build time; its evidence nodes name the agreement or programme (`cg:via`).

# %%
iri = api.get(f"/organisations/{org_id}").json()["iri"]
via_sparql = select(f"""
SELECT ?partner (GROUP_CONCAT(DISTINCT ?viaName; separator="; ") AS ?via) WHERE {{
  <{iri}> cg:partnersWith ?p . ?p cg:name ?partner .
  OPTIONAL {{ ?e rdf:subject <{iri}> ; rdf:predicate cg:partnersWith ; rdf:object ?p ; cg:via ?v . ?v cg:name ?viaName }}
}} GROUP BY ?partner ORDER BY ?partner""")
via_sparql

# %%
assert set(rest["partner"]) == set(via_sparql["partner"]), "REST and SPARQL disagree on the partners"
print(f"REST and SPARQL agree: {org_name} has {len(rest)} partner(s).")

# %% [markdown]
# ## Programmes and their funders

# %%
programmes = api.get("/programmes", params={"limit": 100}).json()["items"]
rest_funders = pd.DataFrame([
    {"programme": d["name"], "funder": f["name"]}
    for d in (api.get(f"/programmes/{p['id']}").json() for p in programmes) for f in d["funders"]])
sparql_funders = select("SELECT ?programme ?funder WHERE { ?p a cg:Programme ; cg:name ?programme ; cg:fundedBy/cg:name ?funder }")
assert set(map(tuple, rest_funders.values)) == set(map(tuple, sparql_funders[["programme", "funder"]].values))
rest_funders.sort_values(["funder", "programme"])

# %% [markdown]
# ## People and their roles
# Roles sit on qualified membership nodes (`org:Membership` with `cg:roleTitle`).

# %%
people = api.get("/people", params={"limit": 200}).json()["items"]
rest_people = pd.DataFrame([
    {"person": d["name"], "organisation": m["organisation"]["name"], "role": m["role"]}
    for d in (api.get(f"/people/{p['id']}").json() for p in people) for m in d["memberships"]])
sparql_people = select("""
SELECT ?person ?organisation ?role WHERE {
  ?m a cg:Membership ; <http://www.w3.org/ns/org#member>/cg:name ?person ;
     <http://www.w3.org/ns/org#organization>/cg:name ?organisation .
  OPTIONAL { ?m cg:roleTitle ?role } }""")
assert set(zip(rest_people.person, rest_people.organisation)) == set(zip(sparql_people.person, sparql_people.organisation))
rest_people.sort_values(["organisation", "person"])

# %%
stack.close()
