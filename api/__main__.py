"""`python -m api` runs the collabgraph command line."""
from api.cli import main

main()
