"""Shared fixtures: where the seeds and gold live, and a CLI runner."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from collabgraph.api.cli import app

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("COLLABGRAPH_SHARED", REPO.parent / "shared"))
SEEDS = SHARED / "seeds"
GOLD = SHARED / "gold"
BUNDLED = REPO / "data"


@pytest.fixture
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"seed documents not found at {SEEDS}")
    return SEEDS


@pytest.fixture
def gold_dir() -> Path:
    if not GOLD.is_dir():
        pytest.skip(f"gold annotations not found at {GOLD}")
    return GOLD


@pytest.fixture
def cli():
    """Run the collabgraph CLI in-process; returns the click Result (exit_code, stdout, stderr)."""
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    return run


#: Debian's chromium, driven by Playwright (`playwright install` cannot download here).
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    """Chromium for the browser tests: skips locally without it, fails in CI (CI=true) where .ci/run installs it."""
    if not CHROMIUM.exists():
        message = f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; .ci/run should have installed it")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def data(tmp_path_factory):
    """The bundled example built once per session (with the seed pages when ../shared has them)."""
    from api_support import shared_dataset
    return shared_dataset(tmp_path_factory, SEEDS if SEEDS.is_dir() else None)


@pytest.fixture(scope="module")
def client(data):
    """The web app over `data`, through FastAPI's TestClient (a module that needs other settings defines its own)."""
    from fastapi.testclient import TestClient

    from collabgraph.api.settings import Settings
    from collabgraph.api.web.app import create_app
    with TestClient(create_app(data, Settings(sparql_workers=1)), base_url="http://localhost") as c:
        yield c
