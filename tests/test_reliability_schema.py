"""Schemathesis against the OpenAPI schema of a running `collabgraph serve`: no request it generates gets a 5xx.

Every operation the schema documents is exercised with examples, boundary and
negative cases (Schemathesis' coverage phase) and random valid requests
(fuzzing, 15 per operation so the module stays well under a minute).
"""
from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from api_support import shared_dataset
from conftest import SEEDS
from hypothesis import HealthCheck, settings
from reliability_support import serve
from schemathesis.checks import not_a_server_error

from collabgraph.api.web.app import create_app


@pytest.fixture(scope="session")
def data(tmp_path_factory):
    return shared_dataset(tmp_path_factory, SEEDS if SEEDS.is_dir() else None)


@pytest.fixture(scope="module")
def server(data, tmp_path_factory):
    with serve(data, tmp_path_factory.mktemp("schema-logs")) as served:
        yield served


#: The schema the server publishes at /openapi.json (it does not depend on the data; read here so that pytest
#: can name one test per operation; the requests go to the running server).
schema = schemathesis.openapi.from_dict(create_app(Path("no-data-needed-for-the-schema")).openapi())
schemathesis.serializer.alias("application/sparql-query", "text/plain")  # a SPARQL query is the text of the body


@schema.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])
def test_no_generated_request_gets_a_server_error(case, server):
    case.call_and_validate(base_url=server.url, checks=[not_a_server_error], timeout=30)
