"""Attacks on the HTTP server itself, against a real `collabgraph serve` (issue 12).

* DNS rebinding: a request for another site's name (Host: evil.example) is refused.
* Binding a non-loopback address without an API key is refused unless the operator insists.
* Request bodies: 30 MB to /cypher took the server from 337 MB to 4.9 GB; now 413 at once, RSS unchanged.
* /docs and /redoc send the security headers of the other pages and load nothing from another site.
* Dates in query parameters must be calendar dates.
"""
from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

import httpx
import pytest
from api_support import shared_dataset
from conftest import SEEDS
from reliability_support import REPO, clean_env, free_port, serve

MB = 1_000_000


@pytest.fixture(scope="session")
def data(tmp_path_factory):
    return shared_dataset(tmp_path_factory, SEEDS if SEEDS.is_dir() else None)


@pytest.fixture(scope="module")
def server(data, tmp_path_factory):
    with serve(data, tmp_path_factory.mktemp("sec-http-logs"), {"COLLABGRAPH_ALLOWED_HOSTS": "api.example"}) as served:
        yield served


def raw_post(url: str, path: str, chunks, headers: dict[str, str]) -> tuple[int, str]:
    """POST with a plain socket, sending `chunks` while reading the answer: a server may answer before the end.

    (A client that insists on sending all 30 MB first would see the server close on it, not the answer.)
    """
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
    head = f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"

    def send_all():
        try:
            sock.sendall(head.encode())
            for chunk in chunks:
                sock.sendall(chunk)
        except OSError:
            pass  # the server answered and closed: the rest of the body is not wanted

    sender = threading.Thread(target=send_all, daemon=True)
    sender.start()
    answer = b""
    try:
        while chunk := sock.recv(65536):
            answer += chunk
    except OSError:
        pass
    finally:
        sock.close()
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2].decode(errors="replace")


def chunked(total: int, size: int = 64 * 1024):
    """`total` bytes in HTTP/1.1 chunked framing (no Content-Length: the server can only count)."""
    sent = 0
    while sent < total:
        part = b"x" * min(size, total - sent)
        sent += len(part)
        yield f"{len(part):x}\r\n".encode() + part + b"\r\n"
    yield b"0\r\n\r\n"


def test_a_request_for_another_name_is_refused(server):
    port = urlsplit(server.url).port
    for host in ("evil.example", f"evil.example:{port}", f"localhost.evil.example:{port}", "127.0.0.1.nip.io"):
        response = httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, headers={"Host": host}, timeout=30)
        assert response.status_code == 400 and "host" in response.text.lower(), (host, response.status_code)
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", "localhost", "api.example"):
        response = httpx.get(server.url + "/health", headers={"Host": host}, timeout=30)
        assert response.status_code == 200, (host, response.text)


def test_a_public_address_needs_an_api_key(data, tmp_path):
    args = [sys.executable, "-m", "collabgraph.api", "serve", "--host", "0.0.0.0", "--port", str(free_port()),
            "--data-dir", str(data)]
    result = subprocess.run(args, capture_output=True, text=True, env=clean_env(), cwd=REPO, timeout=60)
    assert result.returncode == 1
    assert "refusing to serve 0.0.0.0" in result.stderr and "COLLABGRAPH_API_KEY" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    # The operator may insist, and is warned loudly.
    with serve(data, tmp_path / "logs", {"COLLABGRAPH_ALLOW_PUBLIC_WITHOUT_KEY": "1"}, host="0.0.0.0") as served:
        port = urlsplit(served.url).port
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=30).status_code == 200
        assert "WITHOUT an API key" in served.logs()


@pytest.mark.parametrize("path, content_type", [("/cypher", "application/json"),
                                                ("/sparql", "application/sparql-query")])
def test_a_30_mb_body_gets_413_and_the_server_does_not_grow(server, path, content_type):
    rss_before = server.ps.memory_info().rss
    started = time.monotonic()
    declared = raw_post(server.url, path, (b"x" * MB for _ in range(30)),
                        {"Content-Type": content_type, "Content-Length": str(30 * MB)})
    streamed = raw_post(server.url, path, chunked(30 * MB),
                        {"Content-Type": content_type, "Transfer-Encoding": "chunked"})
    for status, body in (declared, streamed):
        assert status == 413, body[:300]
        assert "larger than the 1,000,000 bytes" in body and "COLLABGRAPH_MAX_BODY_BYTES" in body
    assert time.monotonic() - started < 15
    assert server.ps.memory_info().rss - rss_before < 60 * MB  # was +4.5 GB
    # A body just under the limit is still read and answered.
    ok = httpx.post(server.url + "/cypher", json={"query": "RETURN 1 AS one", "params": {"pad": "x" * 900_000}},
                    timeout=30)
    assert ok.status_code == 200, ok.text[:300]


def test_any_route_refuses_a_declared_oversize_body(server):
    status, body = raw_post(server.url, "/health", [b"x" * 1000], {"Content-Length": str(30 * MB)})
    assert status == 413 and "COLLABGRAPH_MAX_BODY_BYTES" in body


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_doc_pages_send_the_security_headers_and_reference_nothing_off_site(server, path):
    page = httpx.get(server.url + path, timeout=30)
    home = httpx.get(server.url + "/", timeout=30)
    assert page.status_code == 200
    for header in ("x-content-type-options", "referrer-policy"):
        assert page.headers[header] == home.headers[header]
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "img-src 'self' data:" in policy and "frame-ancestors 'self'" in policy
    assert not re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page.text, re.IGNORECASE)


def test_doc_pages_in_a_browser_fetch_only_from_this_server(server, browser):
    """Redoc's script asks for a logo on a CDN; the page's policy stops it in the browser, before any network."""
    origin = server.url
    for path, rendered in (("/docs", ".swagger-ui .info .title"), ("/redoc", "h1")):
        page = browser.new_page()
        fetched, blocked = [], []
        page.on("response", lambda r, fetched=fetched: fetched.append(r.url))
        page.on("requestfailed", lambda r, blocked=blocked: blocked.append((r.url, r.failure)))
        page.goto(origin + path)
        page.wait_for_selector(rendered, timeout=30_000)
        assert "collabgraph" in page.inner_text(rendered)
        page.wait_for_timeout(500)
        page.close()
        assert fetched and all(url.startswith((origin, "blob:" + origin)) for url in fetched), (path, fetched)
        assert all(failure == "csp" for _, failure in blocked), (path, blocked)  # refused by the page policy


def test_dates_in_query_parameters_must_be_calendar_dates(server):
    for value, problem in (("2024-13-45", "month must be in 1..12"), ("2024-02-30", "day is out of range")):
        response = httpx.get(server.url + "/partnerships", params={"since": value}, timeout=30)
        assert response.status_code == 422, response.text
        assert "query parameter since" in response.json()["detail"] and problem in response.json()["detail"]
    for value in ("2024", "2024-02-29"):
        assert httpx.get(server.url + "/partnerships", params={"since": value}, timeout=30).status_code == 200
