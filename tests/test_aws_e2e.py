"""End to end: moto's standalone server on 127.0.0.1 and the WHOLE MCP server in aws mode, reached through
AWS_ENDPOINT_URL exactly as a user would configure it, queried with the official `mcp.Client`.

Faults: ap-east-1 is an opt-in region the account has not enabled (a region that fails); DescribeDBInstances
in eu-west-1 is throttled twice (answered by retries); moto answers the APIs it lacks with HTTP 500 and an
HTML page, which must become one "unsupported" warning per call, not a retry storm.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from mcp import Client

from awsinv_mcp.config import Settings
from awsinv_mcp.models.table import rows_of
from awsinv_mcp.server.app import build_server
from tests.aws_support import MOTO_ENV, db_instance, error_response

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

REGIONS = ["us-east-1", "eu-west-1", "ap-east-1"]


class Wire:
    """A botocore built-in handler (added to every new session): counts requests, throttles on demand."""

    def __init__(self) -> None:
        self.requests: Counter[tuple[str, str]] = Counter()
        self.throttle: Counter[tuple[str, str]] = Counter()  # (operation, region) -> throttles left
        self._lock = threading.Lock()

    def __call__(self, request: Any, event_name: str = "", **_: Any) -> Any:
        operation = event_name.rsplit(".", 1)[-1]
        region = _region(request)
        with self._lock:
            self.requests[(operation, region)] += 1
            if self.throttle[(operation, region)] > 0:
                self.throttle[(operation, region)] -= 1
                return error_response("rds", "Throttling", "Rate exceeded")
        return None


def _region(request: Any) -> str:
    auth = request.headers.get("Authorization", b"")
    auth = auth.decode() if isinstance(auth, bytes) else auth
    scope = auth.split("Credential=", 1)[-1].split(",", 1)[0].split("/")
    return scope[2] if len(scope) > 2 else ""


@pytest.fixture(scope="module")
def endpoint() -> Iterator[tuple[str, Wire]]:
    from botocore import handlers
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    wire = Wire()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(handlers, "BUILTIN_HANDLERS", [*handlers.BUILTIN_HANDLERS, ("before-send", wire)])
        try:
            yield f"http://{host}:{port}", wire
        finally:
            # the threaded server keeps its fleet in moto's process-wide backends: reset them (moto's own
            # /moto-api/reset) so a later test's in-process mock starts empty
            httpx2.post(f"http://{host}:{port}/moto-api/reset", timeout=30)
            server.stop()


@pytest.fixture
def aws_env(endpoint, monkeypatch: pytest.MonkeyPatch) -> Wire:
    url, wire = endpoint
    for name, value in MOTO_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    return wire


def _estate() -> None:
    import boto3

    rds = boto3.client("rds")
    for n in range(101):  # more than one page of DescribeDBInstances
        db_instance(rds, f"orders-{n:03d}", Tags=[{"Key": "Environment", "Value": "prod"}])
    rds_eu = boto3.client("rds", region_name="eu-west-1")
    rds_eu.create_db_cluster(
        DBClusterIdentifier="ledger", Engine="aurora-mysql", MasterUsername="admin", MasterUserPassword="pw-123456"
    )
    rds_eu.create_db_instance(
        DBInstanceIdentifier="ledger-1",
        Engine="aurora-mysql",
        DBInstanceClass="db.r6g.large",
        DBClusterIdentifier="ledger",
    )
    boto3.client("s3").create_bucket(Bucket="orders-exports")


def _json(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    return json.loads(result.content[0].text)


async def test_whole_server_in_aws_mode_through_the_endpoint(aws_env: Wire) -> None:
    _estate()
    aws_env.throttle[("DescribeDBInstances", "eu-west-1")] = 2
    aws_env.requests.clear()
    server = build_server(Settings(source="aws", regions=REGIONS))
    async with Client(server) as client:
        summary = _json(await client.call_tool("get_inventory_summary", {}))
        page = _json(await client.call_tool("list_db_instances", {"region": "eu-west-1"}))
        prod = _json(await client.call_tool("list_db_instances", {"environment": "production", "limit": 500}))
        buckets = _json(await client.call_tool("list_s3_buckets", {}))
        progress: list[tuple[float, float | None, str | None]] = []

        async def on_progress(done: float, total: float | None, message: str | None) -> None:
            progress.append((done, total, message))

        refreshed = _json(await client.call_tool("refresh_inventory", {}, progress_callback=on_progress))

    assert summary["source"] == "aws"
    assert summary["db_instances"] == 102 and summary["db_clusters"] == 1  # 101 + 1 Aurora member
    assert summary["regions"] == ["eu-west-1", "us-east-1"]
    assert summary["by_region"] == {"us-east-1": 101, "eu-west-1": 1}
    assert [a["id"] for a in summary["accounts"]] == ["123456789012"]
    assert [row["identifier"] for row in rows_of(page)] == ["ledger-1"]
    assert rows_of(page)[0]["cluster"] == "ledger" and rows_of(page)[0]["account"] == "123456789012"
    assert prod["total"] == 101 and len(rows_of(prod)) == 101
    assert [b["name"] for b in rows_of(buckets)] == ["orders-exports"]

    assert refreshed["db_instances"] == 102
    assert [p[0] for p in progress] == [1, 2, 3] and progress[-1][1] == 3  # 2 regions + S3, one account
    assert {p[2] for p in progress} >= {"collected 123456789012 us-east-1", "collected 123456789012 eu-west-1"}

    scopes = {w["scope"]: w["message"] for w in page["warnings"]}
    assert "opt-in region not enabled" in scopes["123456789012/ap-east-1/ec2"]  # the failing region
    unsupported = [m for m in scopes.values() if "unsupported by this endpoint" in m]
    assert any("rds:DescribeReservedDBInstances" in m for m in unsupported)
    assert not [m for m in scopes.values() if "throttled" in m]  # the throttles were answered by retries

    requests = aws_env.requests  # two collections: the first one and refresh_inventory
    assert requests[("DescribeDBInstances", "us-east-1")] == 4  # two pages each
    assert requests[("DescribeDBInstances", "eu-west-1")] == 4  # 2 throttled + 1 answered, then 1
    assert requests[("DescribeReservedDBInstances", "us-east-1")] == 2  # HTML 500: no retry storm
    assert not [key for key in requests if key[1] == "ap-east-1"]
