"""Errors of the property-graph stores, with what the user should do next."""
from __future__ import annotations

from ..errors import QueryRefused


class StoreUnavailable(Exception):
    """The property-graph server cannot be reached or started (the embedded one is restarted on the next call)."""


class CypherError(ValueError):
    """The store rejected a query (syntax, unknown function, bad parameter); the message is the store's."""


class QueryTooLarge(QueryRefused):
    """A read that needed more memory than the property-graph server allows one query or itself."""
