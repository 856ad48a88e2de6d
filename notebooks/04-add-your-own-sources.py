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
# # 04 · Adding your own sources
#
# **Question.** What does a new press release add to the graph, and how well does the extractor read it?
# We copy the example corpus, add a document, rebuild incrementally (only the new source is extracted),
# compare the graph before and after, and score the extraction against a small gold file.
#
# **How to run.** `jupytext --sync notebooks/*.py` and open the `.ipynb` (or `pytest tests/test_notebooks.py`).
# To use your own documents, put `.txt`, `.md`, `.html` or `.pdf` files in a folder and run
# `collabgraph build --add FOLDER`.

# %%
import json
import shutil
import tempfile
from pathlib import Path

import pandas as pd
from example import REPO, collabgraph

work = Path(tempfile.mkdtemp(prefix="collabgraph-own-"))
corpus = work / "corpus"
shutil.copytree(REPO / "data", corpus)
data_dir = work / "data"
collabgraph("build", corpus, data_dir=data_dir)


def stats() -> dict:
    return json.loads(collabgraph("stats", "--format", "json", data_dir=data_dir))


before = stats()
before["entities"]

# %% [markdown]
# ## A new document
# A short news item about a partnership in another region, written for this notebook.

# %%
news = corpus / "documents" / "fenland-partnership.txt"
news.write_text("""Fenland health research partnership launched

Dr Priya Raman, Director of Public Health at Fenshire County Council, announced a new research partnership today.

Fenshire County Council and the University of Fenmouth have signed a memorandum of understanding to study rural health and healthy ageing across the county.

The agreement builds on earlier joint work with Fenmouth Community NHS Trust, which will also take part.

Professor Alan Whitlock, Pro Vice-Chancellor for Research at the University of Fenmouth, said the partnership would bring researchers and council teams together.
""")
report = collabgraph("build", "--add", news, data_dir=data_dir)
print(report)

# %% [markdown]
# ## What changed

# %%
after = stats()
changes = pd.DataFrame({"before": pd.Series(before["entities"] | before["relations"]),
                        "after": pd.Series(after["entities"] | after["relations"])}).fillna(0).astype(int)
changes["added"] = changes["after"] - changes["before"]
changes[changes["added"] != 0]

# %%
rows = json.loads(collabgraph("query", "sparql", """
SELECT ?a ?b WHERE { ?x cg:partnersWith ?y . ?x cg:name ?a . ?y cg:name ?b
  FILTER(CONTAINS(?a, "Fen") && STR(?a) < STR(?b)) } ORDER BY ?a ?b""", "--format", "json", data_dir=data_dir))
new_partnerships = pd.DataFrame(rows)
new_partnerships

# %% [markdown]
# ## How well was it read?
# A gold file states what a careful analyst would extract (format: `../shared/gold/README.md`);
# `collabgraph evaluate` scores the extractor against it.

# %%
gold = work / "gold"
gold.mkdir()
(gold / "fenland-partnership.yaml").write_text("""source: fenland-partnership.txt
entities:
  - {name: Fenshire County Council, type: Organisation}
  - {name: University of Fenmouth, type: Organisation}
  - {name: Fenmouth Community NHS Trust, type: Organisation}
  - {name: Priya Raman, type: Person}
  - {name: Alan Whitlock, type: Person}
  - {name: MoU between Fenshire County Council and the University of Fenmouth, type: Agreement}
  - {name: Rural health, type: Theme, optional: true}
  - {name: Healthy ageing, type: Theme, optional: true}
relations:
  - [Priya Raman, memberOf, Fenshire County Council]
  - [Alan Whitlock, memberOf, University of Fenmouth]
  - [MoU between Fenshire County Council and the University of Fenmouth, party, Fenshire County Council]
  - [MoU between Fenshire County Council and the University of Fenmouth, party, University of Fenmouth]
  - [Fenshire County Council, partnersWith, University of Fenmouth]
  - {triple: [Fenmouth Community NHS Trust, partnersWith, Fenshire County Council], optional: true}
  - {triple: [Fenmouth Community NHS Trust, partnersWith, University of Fenmouth], optional: true}
""")
scores = json.loads(collabgraph("evaluate", "--gold", gold, news, "--format", "json"))
scores
