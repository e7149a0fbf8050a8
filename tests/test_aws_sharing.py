"""Sharing botocore parts between our clients: same behaviour as botocore's own per-client copies."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from tests.aws_support import moto_env

SERVICES = ("ec2", "rds", "cloudwatch", "s3", "s3control", "sts", "iam", "organizations")


@pytest.fixture()
def maker():  # type: ignore[no-untyped-def]
    from awsinv_mcp.inventory.aws.sessions import SessionMaker

    with moto_env():
        yield SessionMaker(share=True)


def _handlers(emitter, name):  # type: ignore[no-untyped-def]
    return list(emitter._emitter._handlers.prefix_search(name))


def test_pruned_handler_tree_matches_a_full_copy_for_the_clients_own_events(maker) -> None:  # type: ignore[no-untyped-def]
    from awsinv_mcp.inventory.aws.botocore_sharing import _pruned_handlers
    from awsinv_mcp.inventory.aws.fanout import ClientFactory

    factory = ClientFactory()
    session = maker.default()
    session_emitter = session._session.get_component("event_emitter")
    roots = [r for r in session_emitter._emitter._handlers._root["children"] if r != "docs"]
    assert len(roots) > 5
    for service in SERVICES:
        client = factory.get(session, "123456789012", service, "us-east-1")
        event = client.meta.service_model.service_id.hyphenize()
        full = copy.copy(session_emitter._emitter)
        pruned = _pruned_handlers(session_emitter._emitter, event)
        for root in roots:
            for name in (root, f"{root}.{event}", f"{root}.{event}.DescribeThings", f"{root}.{event}.GetBucketAcl"):
                assert list(pruned._handlers.prefix_search(name)) == list(full._handlers.prefix_search(name)), name
        # the client's own tree is the pruned one plus what botocore and we registered on the client
        assert _handlers(client.meta.events, f"before-call.{event}.X")
        assert "docs" not in client.meta.events._emitter._handlers._root["children"]


def test_clients_share_models_endpoint_providers_and_aliases(maker) -> None:  # type: ignore[no-untyped-def]
    from awsinv_mcp.inventory.aws.fanout import ClientFactory

    factory = ClientFactory()
    first = factory.get(maker.default(), "1", "ec2", "us-east-1")
    second = factory.get(maker.default(), "2", "ec2", "eu-west-1")
    assert first is not second
    assert first.meta.service_model is second.meta.service_model
    assert type(first) is type(second)
    assert first._ruleset_resolver._provider is second._ruleset_resolver._provider
    assert first.meta.events._alias_name_cache is second.meta.events._alias_name_cache
    assert first.meta.region_name == "us-east-1" and second.meta.region_name == "eu-west-1"
    assert "eu-west-1" in second.meta.endpoint_url


def test_other_botocore_users_keep_full_private_copies(maker) -> None:  # type: ignore[no-untyped-def]
    import boto3

    from awsinv_mcp.inventory.aws.botocore_sharing import building

    with building("ec2"):
        client = boto3.Session(region_name="us-east-1").client("ec2")
    assert "docs" in client.meta.events._emitter._handlers._root["children"]
    assert type(client.meta.events).__name__ == "EventAliaser"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-25T22:32:07.123Z", datetime(2026, 11, 25, 22, 32, 7, 123000, tzinfo=UTC)),
        ("2026-11-25T22:32:07+00:00", datetime(2026, 11, 25, 22, 32, 7, tzinfo=UTC)),
        ("2026-11-25T22:32:07", datetime(2026, 11, 25, 22, 32, 7)),
        ("Wed, 25 Nov 2026 22:32:07 GMT", datetime(2026, 11, 25, 22, 32, 7, tzinfo=UTC)),
        (1795559527, datetime.fromtimestamp(1795559527, UTC)),
        ("20261125", datetime.fromtimestamp(20261125, UTC)),
    ],
)
def test_fast_timestamp_parses_every_format_botocore_does(text: object, expected: datetime) -> None:
    from botocore.utils import parse_timestamp

    from awsinv_mcp.inventory.aws.botocore_sharing import fast_timestamp

    parsed = fast_timestamp(text)
    assert parsed == expected == parse_timestamp(text)
    assert (parsed.utcoffset() is None) == (expected.tzinfo is None)


def test_one_client_per_session_service_and_region_under_concurrent_first_use(maker) -> None:  # type: ignore[no-untyped-def]
    import threading

    from awsinv_mcp.inventory.aws.fanout import ClientFactory

    factory = ClientFactory()
    sessions = [maker.default(), maker.default()]
    keys = [(s, svc, r) for s in sessions for svc in ("ec2", "rds") for r in ("us-east-1", "eu-west-1")]
    got: list[tuple[int, object]] = []
    lock = threading.Lock()
    start = threading.Barrier(16)

    def worker(n: int) -> None:
        start.wait(timeout=10)
        for i, (session, service, region) in enumerate(keys):
            client = factory.get(session, "123456789012", service, region)
            with lock:
                got.append((i, client))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(got) == 16 * len(keys)
    by_key: dict[int, set[int]] = {}
    for i, client in got:
        by_key.setdefault(i, set()).add(id(client))
    assert all(len(ids) == 1 for ids in by_key.values())
    assert len({next(iter(ids)) for ids in by_key.values()}) == len(keys)


def test_the_building_hint_serves_one_client_only(maker) -> None:  # type: ignore[no-untyped-def]
    from awsinv_mcp.inventory.aws.botocore_sharing import building

    session = maker.default()
    with building("ec2"):
        first = session.client("ec2", region_name="us-east-1")
        second = session.client("sts", region_name="us-east-1")  # e.g. a credential provider's own client
    assert "docs" not in first.meta.events._emitter._handlers._root["children"]
    assert "docs" in second.meta.events._emitter._handlers._root["children"]  # a full copy, not ec2's branches
    assert second.meta.events._emitter._handlers.prefix_search("choose-signer.sts.AssumeRoleWithSAML")
