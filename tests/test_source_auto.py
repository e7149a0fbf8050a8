"""`AWSINV_SOURCE=auto` never passes the demo estate off as an account (issue 17 item 1).

A named profile that does not exist gives its error (source aws), not the demo; no credentials at all gives the demo
with a warning saying so in every answer.
"""

from __future__ import annotations

import os

import pytest

from awsinv_mcp.config import Settings
from awsinv_mcp.inventory.store import InventoryStore, resolve_source
from tests.aws_support import moto_env


def test_a_missing_profile_is_reported_not_replaced_by_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    with moto_env():
        monkeypatch.setenv("AWS_PROFILE", "readonly")  # the example config's profile, absent here
        settings = Settings(source="auto")
        assert resolve_source(settings) == "aws"
        snap = InventoryStore(settings).estate().snapshot
    assert snap.source == "aws" and not snap.db_instances
    assert any("readonly" in w.message and "could not be found" in w.message for w in snap.warnings)


def test_no_credentials_serve_the_demo_and_say_so(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    settings = Settings(source="auto", scale=20)
    assert resolve_source(settings) == "synthetic"
    snap = InventoryStore(settings).estate().snapshot
    assert snap.source == "synthetic" and snap.db_instances
    assert "built-in demo estate" in snap.warnings[0].message
    explicit = InventoryStore(Settings(source="synthetic", scale=20)).estate().snapshot
    assert not any("demo estate" in w.message for w in explicit.warnings)  # asked for the demo: no nagging


@pytest.mark.parametrize("broken", ["unparsable", "missing"])
def test_a_broken_aws_configuration_is_reported_not_replaced_by_the_demo(
    monkeypatch: pytest.MonkeyPatch, tmp_path: os.PathLike[str], broken: str
) -> None:
    config = os.path.join(tmp_path, "config")
    if broken == "unparsable":
        with open(config, "w") as f:
            f.write("[default\nregion = us-east-1\n")
    with moto_env():
        monkeypatch.delenv("AWS_PROFILE", raising=False)
        monkeypatch.setenv("AWS_CONFIG_FILE", config)
        settings = Settings(source="auto")
        assert resolve_source(settings) == "aws"
        snap = InventoryStore(settings).estate().snapshot
    assert snap.source == "aws" and not snap.db_instances
    if broken == "unparsable":  # a missing file named by AWS_CONFIG_FILE reads as empty to botocore (moto's keys work)
        messages = " ".join(w.message for w in snap.warnings)
        assert "AWS configuration cannot be read" in messages and "AWS_CONFIG_FILE" in messages
        assert "expired or invalid" not in messages and "sso login" not in messages
