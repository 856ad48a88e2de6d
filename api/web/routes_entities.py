"""REST routes for the five kinds of entity: a paged search list and a detail route each.

`/organisations/{id}` takes the id as a path (`organisation/ror-04h699437`), the
bare key (`ror-04h699437`) or the full IRI.
"""

from enum import Enum
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from collabgraph.graph.entities import ROUTES
from collabgraph.ontology import subclasses

from .context import Context, get_ctx
from .models import AgreementDetail, OrganisationDetail, Page, PersonDetail, Problem, ProgrammeDetail, Summary, ThemeDetail

Q = Annotated[str | None, Query(max_length=200, description="part of a name or alias, any case")]
Limit = Annotated[int, Query(ge=1, le=1000, description="at most this many items")]
Offset = Annotated[int, Query(ge=0, le=1_000_000_000, description="skip this many items")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem, "description": "no entity of this kind has this id"}}


def _class_enum(name: str, kind: str) -> type[Enum]:
    return cast(type[Enum], Enum(name, {c: c for c in (kind, *subclasses(kind))}, type=str))


OrganisationType = _class_enum("OrganisationType", "Organisation")
AgreementType = _class_enum("AgreementType", "Agreement")


def page(total: int, limit: int, offset: int, items: list) -> dict:
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def search(ctx: Context, cls: str, q: str | None, limit: int, offset: int) -> dict:
    """One page of the entities of a class whose name or alias contains `q`, in name order."""
    total, found = ctx.graph.search(cls, q, limit, offset)
    return page(total, limit, offset, found)


def _add_kind(router: APIRouter, kind: str, detail_model: type[BaseModel], type_enum: type[Enum] | None = None) -> None:
    """GET /<plural> (search, paged) and GET /<plural>/{id} for one kind of entity."""
    plural = ROUTES[kind]

    if type_enum is None:
        def listing(ctx: Annotated[Context, Depends(get_ctx)], q: Q = None, limit: Limit = 50, offset: Offset = 0):
            return search(ctx, kind, q, limit, offset)
    else:
        def listing(ctx: Annotated[Context, Depends(get_ctx)], q: Q = None,  # type: ignore[misc]  # an enum per kind
                    type: Annotated[type_enum | None,  # type: ignore[valid-type]
                                    Query(description=f"a class of {kind.lower()}")] = None,
                    limit: Limit = 50, offset: Offset = 0):
            return search(ctx, type.value if type else kind, q, limit, offset)  # type: ignore[attr-defined]

    def detail(id: str, ctx: Annotated[Context, Depends(get_ctx)]):
        return ctx.graph.detail(kind, id)

    router.add_api_route(f"/{plural}", listing, methods=["GET"], response_model=Page[Summary], tags=[plural],
                         operation_id=f"list_{plural}", summary=f"Search {plural} by name or alias")
    router.add_api_route(f"/{plural}/{{id:path}}", detail, methods=["GET"], response_model=detail_model,
                         tags=[plural], operation_id=f"get_{kind.lower()}", responses=NOT_FOUND,
                         summary=f"One {kind.lower()} with everything linked to it and its sources")


def entity_router() -> APIRouter:
    """The entity routes. Include it after routes such as /organisations/{id}/partners, which its
    detail paths would otherwise swallow."""
    router = APIRouter()
    _add_kind(router, "Organisation", OrganisationDetail, OrganisationType)
    _add_kind(router, "Programme", ProgrammeDetail)
    _add_kind(router, "Agreement", AgreementDetail, AgreementType)
    _add_kind(router, "Person", PersonDetail)
    _add_kind(router, "Theme", ThemeDetail)
    return router
