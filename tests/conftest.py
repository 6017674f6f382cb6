"""Shared fixtures: the example receiver under a real uvicorn server on 127.0.0.1.

Each test module that asks for `server` gets its own process and its own SQLite file (module
scope), so the end-to-end tests and the load test never see each other's events. The server
verifies the upstream's signature (`x-stackone-signature`) with `SERVER_SECRET`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers import PROFILE, Server, running_receiver
from hypothesis import settings

# Hypothesis profiles, chosen by HYPOTHESIS_PROFILE (read in tests/helpers.py): `quick` (the default:
# `make test`, a single file run alone) and `thorough` (`make test-thorough`, which CI runs). A test's own
# `@settings(max_examples=...)` overrides the profile's, so tests that should scale leave it out.
# Inputs a test: 30 in quick, the everyday run; 300 in thorough (hypothesis's own default is 100).
settings.register_profile("quick", max_examples=30, deadline=None)
# 300 keeps `.ci/run` (thorough, then `make compat` and `make consumers`) well inside its 90 minutes.
settings.register_profile("thorough", max_examples=300, deadline=None)
settings.load_profile(PROFILE)

__all__ = ("SERVER_SECRET", "Server", "server")

SERVER_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
"""The signing secret the `server` fixture's receiver holds (used as text, as the upstream does)."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`examples.fastapi_app` run by `uvicorn --factory`, as `make serve` runs it (the stackone scheme)."""
    env = {"JOBSTATUS_WEBHOOK_SECRET": SERVER_SECRET, "JOBSTATUS_WEBHOOK_SCHEME": "stackone"}
    with running_receiver(tmp_path_factory.mktemp("server"), env) as running:
        yield running


# The longest files first: when `make test` spreads the files over processes, none of them is then
# left running alone at the end (the order within a file, and so its module-scoped fixtures, is kept).
LONGEST_FIRST = ("test_properties.py", "test_hostile.py", "test_fast.py", "test_fast_fuzz.py", "test_fuzz.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # a stable sort: each file's tests stay in their order
