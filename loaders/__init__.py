"""Sources to RDF: read documents and the curated register, extract mentions,
resolve entities, relate them, and write quads under the collabgraph ontology.

Nothing here knows about stores: the output is plain pyoxigraph quads, one named
graph per source, which `graph` writes to the dataset.
"""
