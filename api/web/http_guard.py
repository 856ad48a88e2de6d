"""What every HTTP request passes before a route sees it: the Host header, and headers on the API doc pages.

* Host: a page on another site can make a browser send requests to this
  server through a name it controls that resolves to 127.0.0.1 (DNS
  rebinding); such a request carries that name in Host and is refused (400)
  unless the name is this machine's or listed by the operator.
* /docs and /redoc come from fastapi-offline without security headers, and
  Redoc's script shows a logo from a CDN. They get the same headers as the
  other pages: a Content-Security-Policy allowing only this server (and the
  pages' own inline scripts, by hash), so nothing off-site is fetched.

* Request bodies: a Content-Length over the limit is answered 413 at once,
  before routing; a body without one (chunked) is counted as it arrives and
  refused as soon as it passes the limit, so no route ever holds more.
  (Starlette's own limit answers a bare "Content Too Large" and cannot be
  reworded; this one names the limit and the setting.)
"""
from __future__ import annotations

import base64
import hashlib
import ipaddress
import re

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..settings import Settings

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
DOC_PAGES = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
#: The headers every HTML page of the app sends (the views add their own script hashes to the policy).
PAGE_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def allowed_hosts(settings: Settings) -> list[str]:
    """Host header values served: this machine's loopback names, the bound address, and the operator's list."""
    hosts = [*LOOPBACK_NAMES, *settings.allowed_hosts]
    if not _is_wildcard(settings.host):
        hosts.append(f"[{settings.host}]" if ":" in settings.host else settings.host)
    return list(dict.fromkeys(h.lower() for h in hosts))


def _is_wildcard(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


def body_too_large(settings: Settings):
    """The 413 handler (for bodies found too large while a route reads them): the same message as the middleware."""
    async def handle(_: Request, __: Exception) -> JSONResponse:
        return _too_large(settings.max_body_bytes)
    return handle


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse({"detail": too_large_message(limit)}, status_code=413)


def too_large_message(limit: int) -> str:
    return (f"the request body is larger than the {limit:,} bytes this server accepts "
            "(COLLABGRAPH_MAX_BODY_BYTES); send a shorter query")


class BodyLimit:
    """ASGI middleware: request bodies over `limit` bytes get 413, whether declared or counted while streaming."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            return await _too_large(self.limit)(scope, receive, send)
        received, started = 0, False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:  # an HTTPException, so the route's exception handling answers it
                raise HTTPException(413, too_large_message(self.limit))
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except HTTPException as exc:  # raised outside a route (nothing else reads bodies), before any answer
            if exc.status_code != 413 or started:
                raise
            await _too_large(self.limit)(scope, receive, send)


class DocPageHeaders:
    """ASGI middleware: the doc pages get the security headers of the other pages and a policy of their own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in DOC_PAGES:
            return await self.app(scope, receive, send)
        held: list[Message] = []

        async def hold(message: Message) -> None:  # the pages are small: hold them to hash their inline scripts
            held.append(message)

        await self.app(scope, receive, hold)
        start, body = held[0], b"".join(m.get("body", b"") for m in held[1:])
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        extra = {**PAGE_HEADERS, "Content-Security-Policy": doc_policy(body), "Content-Length": str(len(body))}
        headers += [(k.lower().encode(), v.encode()) for k, v in extra.items()]
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def doc_policy(html: bytes) -> str:
    """Scripts, styles, images, fonts and requests from this server only; inline scripts allowed by hash."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s).digest()).decode()}'"
                      for s in _INLINE_SCRIPT.findall(html))
    return ("default-src 'none'; script-src 'self' " + hashes + "; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src blob:; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'self'")
