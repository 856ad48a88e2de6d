"""What every route needs: the settings and the read model (`CollabGraph`), held by the app for its lifetime."""
from __future__ import annotations

import hmac

from fastapi import HTTPException, Request

from collabgraph.graph.collabgraph import CollabGraph

from ..settings import Settings


class Context:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.graph = CollabGraph(settings.data_dir, settings)  # one per data directory, for the app's lifetime

    def close(self) -> None:
        """Stop the SPARQL workers and the property-graph server this app started; release the store."""
        self.graph.close()


def get_ctx(request: Request) -> Context:
    return request.app.state.ctx


def require_api_key(request: Request) -> None:
    """When an API key is configured, the query surfaces need it (X-API-Key header or a Bearer token)."""
    key = get_ctx(request).settings.api_key
    if not key:
        return
    given = request.headers.get("x-api-key", "")
    auth = request.headers.get("authorization", "")
    if not given and auth.lower().startswith("bearer "):
        given = auth[7:].strip()
    if not hmac.compare_digest(given.encode(), key.encode()):
        raise HTTPException(401, "this endpoint needs the server's API key: send it in an X-API-Key header "
                                 "(or Authorization: Bearer <key>)", headers={"WWW-Authenticate": "Bearer"})
