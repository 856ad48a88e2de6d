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
# # 02 · Asking the property graph in Cypher
#
# **Question.** Who partners with whom, which programmes does each funder pay for, who holds which role,
# and how are two organisations connected? Answered in Cypher through collabgraph's graph layer: the
# embedded FalkorDB by default, Neo4j when `COLLABGRAPH_NEO4J_URI` (with users, passwords and database)
# is set. The queries are the same for both, except the shortest path, where the two dialects differ: the
# store gives the query its backend needs.
#
# **How to run.** `jupytext --sync notebooks/*.py` and open the `.ipynb` (or `pytest tests/test_notebooks.py`).
# The first cell builds the bundled example (plus `../shared/seeds` when present); the build also
# projects the RDF dataset into the property graph.

# %%
import pandas as pd
from example import build_example

from collabgraph.graph.collabgraph import CollabGraph

data_dir = build_example()
cg = CollabGraph(data_dir)  # the read model the CLI, the API and the views use
graph = cg.property.get()  # the property-graph store, synced to the current build


def cypher(query: str, **params) -> pd.DataFrame:
    """A read-only Cypher query as a table (writes are refused before they reach the store)."""
    columns, rows = cg.cypher(query, params)
    return pd.DataFrame(rows, columns=columns)


graph.health()

# %% [markdown]
# ## What is in the graph

# %%
counts = graph.counts()
pd.DataFrame(sorted(counts["nodes"].items()), columns=["label", "nodes"])

# %% [markdown]
# ## Partners of the best-connected organisation
# `PARTNERS_WITH` carries `via` (the agreements and programmes) and `sources`.

# %%
top = cypher("""
MATCH (o:Organisation)-[:PARTNERS_WITH]-(p:Organisation)
RETURN o.name AS organisation, o.id AS id, count(DISTINCT p) AS partners ORDER BY partners DESC, organisation LIMIT 5""")
top

# %%
name = top.iloc[0]["organisation"]
cypher("""
MATCH (o:Organisation {name: $name})-[r:PARTNERS_WITH]-(p:Organisation)
RETURN p.name AS partner, r.via AS via ORDER BY partner""", name=name)

# %% [markdown]
# ## Programmes by funder

# %%
cypher("""
MATCH (p:Programme)-[:FUNDED_BY]->(f:Organisation)
OPTIONAL MATCH (p)-[:HAS_THEME]->(t:Theme)
RETURN f.name AS funder, p.name AS programme, collect(DISTINCT t.name) AS themes ORDER BY funder, programme""")

# %% [markdown]
# ## People and their roles

# %%
cypher("""
MATCH (person:Person)-[m:MEMBER_OF]->(o:Organisation)
RETURN o.name AS organisation, person.name AS person, m.role AS role ORDER BY organisation, person""")

# %% [markdown]
# ## How are two organisations connected?
# The shortest chain of partnerships, up to four hops, between the best-connected organisation and the
# organisation farthest from it. Each partnership is stored once, so the chain is searched in both
# directions: Neo4j writes that `MATCH p = shortestPath((a)-[:PARTNERS_WITH*..4]-(b))`, FalkorDB (whose
# `shortestPath()` follows one direction only) `CALL algo.SPpaths({..., relDirection: 'both'})`.
# `shortest_chain(graph.backend)` is the query this backend needs.

# %%
from collabgraph.graph.property.dialect import shortest_chain

first = top.iloc[0]["id"]
reach = cypher("""
MATCH (a:Organisation {id: $id})-[:PARTNERS_WITH*1..4]-(b:Organisation)
WHERE b.id <> $id RETURN DISTINCT b.id AS other""", id=first)
other = sorted(reach["other"])[-1]
print(shortest_chain(graph.backend, 4))
path = cypher(shortest_chain(graph.backend, 4), a=first, b=other)
path

# %% [markdown]
# ## Writes are refused
# The Cypher surface is read-only: a write is refused with a clear message before it reaches the store.

# %%
from collabgraph.graph.errors import QueryRefused

try:
    cypher("MATCH (o:Organisation) DETACH DELETE o")
except QueryRefused as refused:
    print("refused:", refused)

# %%
cg.close()
