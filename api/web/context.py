"""What every route needs: the settings and the stores, held by the app for its lifetime."""
from __future__ import annotations

import hmac

from fastapi import HTTPException, Request

from ..settings import Settings
from ..sparql_runner import SparqlRunner, worker_options
from ..stores import PerBuild, PropertyGraph, RdfStore


class Context:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.rdf = RdfStore(settings.data_dir)
        self.property = PropertyGraph(settings.data_dir, self.rdf)
        self.per_build = PerBuild(self.rdf)
        self.sparql = SparqlRunner(settings.sparql_workers, settings.sparql_queue, worker_options(settings))

    def close(self) -> None:
        """Stop the SPARQL workers and the property-graph server this process started; release the store."""
        self.sparql.close()
        self.property.close()
        self.rdf.close()


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
