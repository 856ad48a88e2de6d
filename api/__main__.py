"""`python -m collabgraph.api` runs the collabgraph command line."""
from collabgraph.api.cli import main

main()
