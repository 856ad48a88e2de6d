"""Who partners with whom: an organisation's partners, all partnerships, and paths between organisations.

Partnerships are the derived `partnersWith` edges (shared agreement, shared
programme, or stated by a source); every link comes with the agreement or
programme it goes through and the evidence: the source and, for documents, the
sentence.
"""
from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AfterValidator

from collabgraph.ontology import subclasses

from .context import Context, get_ctx
from .models import Page, Partnership, PartnersPage, PathResult, Problem
from .routes_entities import Limit, Offset, page

router = APIRouter(tags=["partnerships"])


class Via(str, Enum):
    agreement = "agreement"
    programme = "programme"
    any = "any"


LinkType = Enum("LinkType", {c: c for c in ("Agreement", *subclasses("Agreement"), "Programme", "stated")}, type=str)  # type: ignore[misc]


@router.get("/organisations/{id:path}/partners", response_model=PartnersPage, operation_id="organisation_partners",
            responses={404: {"model": Problem}}, summary="Partners of an organisation, with how they are linked and the evidence")
def organisation_partners(id: str, ctx: Annotated[Context, Depends(get_ctx)],
                          depth: Annotated[int, Query(ge=1, le=3, description="partnership hops (1 = direct partners)")] = 1,
                          via: Annotated[Via, Query(description="count only links through agreements, programmes, or any")] = Via.any,
                          limit: Limit = 50, offset: Offset = 0):
    organisation, found = ctx.graph.partners(id, depth, via.value)
    return {**page(len(found), limit, offset, found[offset:offset + limit]),
            "organisation": organisation, "depth": depth, "via": via.value}


def _calendar_date(value: str | None) -> str | None:
    """YYYY-MM-DD must also be a day of the calendar (the pattern alone lets 2024-13-45 through)."""
    if value is not None and len(value) == 10:
        try:
            date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"{value} is not a calendar date ({exc})") from None
    return value


@router.get("/partnerships", response_model=Page[Partnership], operation_id="list_partnerships",
            summary="Every partnership pair once, with the agreement or programme behind it")
def list_partnerships(ctx: Annotated[Context, Depends(get_ctx)],
                      theme: Annotated[str | None, Query(description="a theme id; narrower themes count too")] = None,
                      type: Annotated[LinkType | None, Query(description="class of the agreement or programme, or 'stated'")] = None,
                      since: Annotated[str | None, Query(pattern=r"^\d{4}(-\d{2}-\d{2})?$",
                                                         description="signed or started on or after (YYYY or YYYY-MM-DD)"),
                                       AfterValidator(_calendar_date)] = None,
                      limit: Limit = 50, offset: Offset = 0):
    total, found = ctx.graph.partnerships(theme, type.value if type else None, since, limit=limit, offset=offset)
    return page(total, limit, offset, found)


@router.get("/paths", response_model=PathResult, operation_id="find_path", responses={404: {"model": Problem}},
            summary="The shortest chain of partnerships between two organisations")
def find_path(ctx: Annotated[Context, Depends(get_ctx)],
              from_: Annotated[str, Query(alias="from", description="organisation id")],
              to: Annotated[str, Query(description="organisation id")],
              max: Annotated[int, Query(ge=1, le=6, description="at most this many hops")] = 4):
    return ctx.graph.paths(from_, to, max)
