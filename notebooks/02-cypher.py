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
# embedded FalkorDB by default, Neo4j when `COLLABGRAPH_NEO4J_URI` (with user, password and database)
# is set. The queries are the same for both.
#
# **How to run.** `jupytext --sync notebooks/*.py` and open the `.ipynb` (or `pytest tests/test_notebooks.py`).
# The first cell builds the bundled example (plus `../shared/seeds` when present); the build also
# projects the RDF dataset into the property graph.

# %%
import pandas as pd

from example import build_example
from graph.property import open_property_store

data_dir = build_example()
graph = open_property_store(data_dir)


def cypher(query: str, **params) -> pd.DataFrame:
    """A read-only Cypher query as a table (writes are refused before they reach the store)."""
    columns, rows = graph.query(query, params)
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
MATCH (o:Organisation)-[:PARTNERS_WITH]->(p:Organisation)
RETURN o.name AS organisation, count(DISTINCT p) AS partners ORDER BY partners DESC, organisation LIMIT 5""")
top

# %%
name = top.iloc[0]["organisation"]
cypher("""
MATCH (o:Organisation {name: $name})-[r:PARTNERS_WITH]->(p:Organisation)
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
# organisation farthest from it.

# %%
reach = cypher("""
MATCH (a:Organisation {name: $name})-[:PARTNERS_WITH*1..4]->(b:Organisation)
WHERE b.name <> $name RETURN DISTINCT b.name AS other""", name=name)
other = sorted(reach["other"])[-1]
# FalkorDB accepts shortestPath in WITH or RETURN (Neo4j accepts this form too).
path = cypher("""
MATCH (a:Organisation {name: $a}), (b:Organisation {name: $b})
WITH shortestPath((a)-[:PARTNERS_WITH*..4]->(b)) AS p
RETURN [n IN nodes(p) | n.name] AS chain, length(p) AS hops""", a=name, b=other)
path

# %% [markdown]
# ## Writes are refused
# The Cypher surface is read-only: a write is refused with a clear message before it reaches the store.

# %%
from graph.errors import QueryRefused

try:
    cypher("MATCH (o:Organisation) DETACH DELETE o")
except QueryRefused as refused:
    print("refused:", refused)

# %%
graph.close()
