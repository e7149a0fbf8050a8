"""Shared fixtures: anyio backend, settings, an in-process server and an MCP client over it."""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Iterator

import pytest

from awsinv_mcp.config import Settings

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

warnings.filterwarnings("ignore", message=".*deprecated.*", category=UserWarning)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's AWS credentials or config."""
    for var in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for var in [v for v in os.environ if v.startswith("AWSINV_")]:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", _CACHE)  # the sample database is written here, not in ~/.cache


_CACHE = tempfile.mkdtemp(prefix="awsinv-tests-cache-")


@pytest.fixture(scope="module", autouse=True)
def _exclusive_databases(request: pytest.FixtureRequest) -> Iterator[None]:
    """Modules using the shared PostgreSQL/MariaDB fixtures hold a cross-process lock while they run."""
    from tests import db_fixtures

    if db_fixtures not in vars(request.module).values():
        yield
        return
    with db_fixtures.exclusive():
        yield


@pytest.fixture
def synthetic_settings() -> Settings:
    return Settings(source="synthetic", seed=42, scale=150)


def require_service(name: str, reason: str) -> None:
    """Skip loudly when a local database is missing; in CI a missing database is a failure."""
    message = f"{name} is not reachable ({reason}); start it to run these tests"
    if IN_CI:
        pytest.fail(f"CI=true and {message}")
    pytest.skip(message)
