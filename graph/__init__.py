"""The RDF dataset (source of truth) and its projections.

`dataset` keeps the Oxigraph store on disk and switches builds atomically;
`build` turns loader output into a new dataset; `derive` computes the derived
graph; the property-graph and networkx projections are built from the dataset.
"""
