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
# # 03 · The collaboration network
#
# **Question.** Which organisations are central to the region's research collaborations, which groups
# work closely together, and who bridges them? Uses collabgraph's networkx view of the RDF dataset:
# degree and betweenness centrality, Louvain communities, brokers, a matplotlib drawing, a degree chart,
# and the interactive network view (fully offline: vis-network is inlined, nothing comes from a CDN).
#
# **How to run.** `jupytext --sync notebooks/*.py` and open the `.ipynb` (or `pytest tests/test_notebooks.py`).

# %%
import html
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import networkx as nx
import pandas as pd
from example import build_example
from IPython.display import HTML, display

from collabgraph.api.web.views import network_view, standalone_page
from collabgraph.graph.collabgraph import CollabGraph
from collabgraph.graph.network import brokers, centrality, communities

data_dir = build_example()
cg = CollabGraph(data_dir)  # the read model the CLI, the API and the views use
g = cg.partnership_network()
print(f"{g.number_of_nodes()} organisations, {g.number_of_edges()} partnerships")

# %% [markdown]
# ## Centrality

# %%
table = pd.DataFrame(centrality(g))
table.head(10)

# %% [markdown]
# ## Communities and brokers

# %%
groups = communities(g)
pd.DataFrame([{"community": i, "size": len(members), "members": ", ".join(sorted(g.nodes[m]["name"] for m in members))}
              for i, members in enumerate(groups)])

# %%
pd.DataFrame(brokers(g))

# %% [markdown]
# ## The network, drawn

# %%
colour = {m: i for i, members in enumerate(groups) for m in members}
fig, ax = plt.subplots(figsize=(9, 7))
layout = nx.spring_layout(g, seed=7)
nx.draw_networkx(g, layout, ax=ax, node_color=[colour[n] for n in g], cmap="tab10",
                 node_size=[200 + 150 * g.degree(n) for n in g],
                 labels={n: g.nodes[n]["name"] for n in g}, font_size=7, edge_color="#999")
ax.set_axis_off()
ax.set_title("Organisations linked by partnersWith, coloured by community")
plt.show()

# %%
degree = pd.Series({g.nodes[n]["name"]: d for n, d in g.degree()}).sort_values()
ax = degree.plot.barh(figsize=(8, max(3, len(degree) * 0.3)), title="Partners per organisation")
ax.set_xlabel("partners")
plt.show()

# %% [markdown]
# ## Interactive view
# The same page as `/view` in the API, rendered here from the networkx graph and shown in an iframe.

# %%
view = network_view(cg.entity_network(), limit=300, title="collabgraph example")
page = standalone_page(view)
assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']?https?:", page), "the view must load nothing from the network"
print(f"{view['shown_nodes']} of {view['total_nodes']} entities drawn")
display(HTML(f'<iframe srcdoc="{html.escape(page)}" style="width:100%;height:600px;border:0"></iframe>'))

# %%
cg.close()
