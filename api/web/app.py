"""The web application: REST API, SPARQL endpoint, Cypher endpoint, views and home page.

    uvicorn --factory 'collabgraph.api.web.app:app_from_env'      or      collabgraph serve

Errors are JSON `{"detail": "..."}` saying what went wrong and what to do
(the SPARQL endpoint answers in text/plain, as SPARQL clients expect).
"""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.middleware.trustedhost import TrustedHostMiddleware
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline

from collabgraph.graph.entities import NotFound
from collabgraph.graph.errors import NoDataset, QueryRefused, QueryTimeout
from collabgraph.graph.property import CypherError, StoreUnavailable
from collabgraph.graph.stores import public_message

from ..settings import Settings
from . import (
    assets,
    routes_analytics,
    routes_cypher,
    routes_entity_pages,
    routes_export,
    routes_network,
    routes_partners,
    routes_query,
    routes_sparql,
    routes_tables,
    routes_views,
)
from .context import Context
from .http_guard import BodyLimit, DocPageHeaders, allowed_hosts, body_too_large
from .models import ValidationProblem
from .routes_entities import entity_router

DESCRIPTION = """Regional health-research collaborations: organisations, agreements, programmes, themes and people.

* REST (this page): search and detail routes, partners with evidence, paths, analytics, exports.
* `/sparql`: SPARQL 1.1 Protocol endpoint over the RDF dataset (read-only).
* `/cypher`: read-only Cypher on the property graph.
* `/view`: the interactive network.

Ids are the local part of an IRI (`organisation/ror-04h699437`); full IRIs work too.
"""

_log = logging.getLogger("collabgraph")
_STATUS = {NoDataset: 503, NotFound: 404, StoreUnavailable: 503, QueryTimeout: 504, QueryRefused: 400,
           CypherError: 400}


def create_app(data_dir: Path, settings: Settings | None = None) -> FastAPI:
    """The app serving the dataset in `data_dir` (which wins over `settings.data_dir`)."""
    settings = replace(settings or Settings.from_env(), data_dir=Path(data_dir))
    ctx = Context(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        if settings.warm_indexes:
            ctx.graph.warm()  # the build's name and partner indexes, in the background
        yield
        ctx.close()

    # FastAPIOffline: /docs and /redoc with their JS and CSS served from the installed package, not a CDN.
    app = FastAPIOffline(title="collabgraph", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                         static_url="/static/docs", responses=_INVALID)
    app.state.ctx = ctx
    app.add_middleware(DocPageHeaders)
    # HTML and JSON compress 5-10 times; responses under 1 KB are not worth it.
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Accept", "Content-Type", "Authorization", "X-API-Key"], max_age=600)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    # Added last, so it runs first: a request for a name that is not this server's (DNS rebinding) gets 400.
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(settings), www_redirect=False)
    app.add_exception_handler(413, body_too_large(settings))
    for exc_type, status in _STATUS.items():
        app.add_exception_handler(exc_type, _handler(status))
    app.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]  # Starlette types handlers for Exception
    app.include_router(routes_views.router)
    app.include_router(routes_network.router)
    app.include_router(routes_partners.router)
    app.include_router(routes_tables.router)
    app.include_router(routes_query.router)
    app.include_router(routes_entity_pages.router)
    app.include_router(entity_router())
    app.include_router(routes_analytics.router)
    app.include_router(routes_export.router)
    app.include_router(routes_sparql.router)
    app.include_router(routes_cypher.router)
    assets.mount(app)
    return app


#: Every route documents the 422 that `_invalid` answers, instead of FastAPI's default (a list as `detail`).
_INVALID = {422: {"model": ValidationProblem, "description": "a parameter is missing or not accepted"}}


def app_from_env() -> FastAPI:
    settings = Settings.from_env()
    return create_app(settings.data_dir, settings)


def _handler(status: int):
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        headers = {"Retry-After": "5"} if status == 503 else None
        detail = str(exc)
        if status >= 500:  # a store's own words (socket, pid, log lines) stay in the operator's log
            _log.warning("%s %s: %s", request.method, request.url.path, detail)
            detail = public_message(detail, request.app.state.ctx.settings.data_dir)
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    return handle


async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
    """422 with one sentence per problem ('query parameter depth: ...') as well as the structured errors."""
    problems = []
    for error in exc.errors():
        where = [str(p) for p in error.get("loc", ())]
        place = f"{where[0]} parameter {'.'.join(where[1:])}" if where and where[0] in ("query", "path") else ".".join(where)
        problems.append(f"{place}: {error.get('msg')}")
    detail = "; ".join(problems) + ". Fix the request as described; the accepted values are listed at /docs."
    return JSONResponse({"detail": detail, "errors": _plain(exc.errors())}, status_code=422)


def _plain(errors) -> list[dict]:
    return [{"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg"), "type": e.get("type")} for e in errors]
