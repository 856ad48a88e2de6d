"""Static assets: the app's CSS and page scripts, and vis-network from the installed pyvis package.

Served by this server, never a CDN, so every page works offline. Each asset URL carries a digest of its
content (`/static/app.css?v=1a2b3c4d`), so browsers may cache it for a year: a new release changes the URL.
Starlette's `StaticFiles` answers conditional requests (ETag, 304); this adds the Cache-Control header.
"""
from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import pyvis
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

STATIC = Path(__file__).parent / "static"
VENDOR = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"
CACHE_CONTROL = b"public, max-age=31536000, immutable"


class CachedStatic(StaticFiles):
    """StaticFiles that lets browsers keep what it serves (the URLs are versioned by content)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_cached(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (200, 304):
                message["headers"] = [*message.get("headers", []), (b"cache-control", CACHE_CONTROL)]
            await send(message)
        await super().__call__(scope, receive, send_cached)


def mount(app) -> None:
    """/static/... (the app's own files) and /static/vendor/... (vis-network's JS and CSS only)."""
    app.mount("/static/vendor", CachedStatic(directory=VENDOR), name="vendor")
    app.mount("/static", CachedStatic(directory=STATIC), name="static")


@cache
def static_url(name: str) -> str:
    """The versioned URL of an asset: `app.css`, `network.js`, or `vendor/vis-network.min.js`."""
    path = VENDOR / name[len("vendor/"):] if name.startswith("vendor/") else STATIC / name
    if not path.is_file():
        raise FileNotFoundError(f"no static asset {name} (looked for {path})")
    return f"/static/{name}?v={hashlib.sha256(path.read_bytes()).hexdigest()[:10]}"
