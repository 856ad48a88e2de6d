"""Set-up shared by the notebooks: build the example dataset and serve it on loopback.

The example is the bundled ``data/`` folder plus ``../shared/seeds`` when it
exists. Everything runs locally: `collabgraph build` into a temporary data
directory, then `collabgraph serve` on a free port of 127.0.0.1.
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
SEEDS = Path(os.environ.get("COLLABGRAPH_SHARED", REPO.parent / "shared")) / "seeds"
COLLABGRAPH = [sys.executable, "-m", "collabgraph.api"]


def example_sources() -> list[Path]:
    return [REPO / "data", *([SEEDS] if SEEDS.is_dir() else [])]


def collabgraph(*args, data_dir: Path | None = None) -> str:
    """Run the collabgraph command line; raise with its error message if it fails."""
    where = ["--data-dir", str(data_dir)] if data_dir else []
    done = subprocess.run([*COLLABGRAPH, *map(str, args), *where],
                          capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        raise RuntimeError(f"collabgraph {' '.join(map(str, args))} failed: {done.stderr.strip()}")
    return done.stdout


def build_example(sources: list[Path] | None = None, data_dir: Path | None = None) -> Path:
    """Build the example (or the given sources) into a data directory and return it."""
    data_dir = Path(data_dir or tempfile.mkdtemp(prefix="collabgraph-notebook-"))
    collabgraph("build", *(sources or example_sources()), data_dir=data_dir)
    return data_dir


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(data_dir: Path, timeout: float = 60):
    """Serve a data directory with `collabgraph serve`; yields the base URL, stops the server after."""
    port = _free_port()
    proc = subprocess.Popen([*COLLABGRAPH, "serve", "--port", str(port), "--data-dir", str(data_dir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(url + "/health", timeout=2).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"collabgraph serve did not start on {url}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
