"""The networkx views of the current build, computed once per build and shared by the routes."""
from __future__ import annotations

import networkx as nx

from collabgraph.graph.network import entity_graph, partnership_graph
from collabgraph.graph.property.projection import project
from .web.context import Context


def _projection(ctx: Context):
    return ctx.per_build.get("projection", project)


def partnership_network(ctx: Context) -> nx.Graph:
    """Organisations joined by partnersWith (node attrs iri, id, name, type; edge attrs via, sources)."""
    return ctx.per_build.get("partnership_graph", lambda _: partnership_graph(_projection(ctx)))


def entity_network(ctx: Context) -> nx.MultiDiGraph:
    """Every entity (attrs kind, type, name, aliases, id) and every relation (attr predicate)."""
    return ctx.per_build.get("entity_graph", lambda _: entity_graph(_projection(ctx)))
