"""Multi-account fan-out: 5 accounts x 6 regions with 50 ms injected per AWS call.

Measures our collection (`awsinv_mcp.inventory.aws.collect`) against, in the same run:
- a sequential loop over exactly the same calls (same parameters, same clients, same 50 ms each);
- the critical path: the calls of the longest single account-region chain (the caller's identity, the
  account's setup, then every call of that region, or of that account's S3 listing), replayed in sequence
  (median of the same number of rounds). Both replays build their clients the way the collection does
  (our ClientFactory on our sessions, which share botocore's process-wide caches, warm in every pass).

The responses are canned: one recording pass under moto (in-process) captures a real answer per API
operation; the timed passes answer every request from a botocore `before-send` hook that sleeps 50 ms and
returns the recorded bytes. No network, no moto CPU in the measurement: it is our fan-out that is timed.

    .venv/bin/python bench/bench_fanout.py [--latency 0.05] [--concurrency 16,32,64] [--rounds 5]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import os
import statistics
import threading
import time
from collections import defaultdict
from typing import Any

ACCOUNTS = ["123456789012", "210000000001", "210000000002", "210000000003", "210000000004"]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "ap-northeast-1"]
ROLE = "AwsInvReader"
EMPTY = {  # APIs moto lacks: an empty, well-formed answer
    ("rds", "DescribeReservedDBInstances"): "<DescribeReservedDBInstancesResponse><DescribeReservedDBInstancesResult>"
    "<ReservedDBInstances/></DescribeReservedDBInstancesResult></DescribeReservedDBInstancesResponse>",
    (
        "rds",
        "DescribeDBMajorEngineVersions",
    ): "<DescribeDBMajorEngineVersionsResponse><DescribeDBMajorEngineVersionsResult>"
    "<DBMajorEngineVersions/></DescribeDBMajorEngineVersionsResult></DescribeDBMajorEngineVersionsResponse>",
}


def _env() -> None:
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        MOTO_EC2_LOAD_DEFAULT_AMIS="false",
    )
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)


def _settings(concurrency: int) -> Any:
    from awsinv_mcp.config import Settings

    arns = [f"arn:aws:iam::{a}:role/{ROLE}" for a in ACCOUNTS[1:]]
    return Settings(source="aws", regions=REGIONS, role_arns=arns, max_concurrency=concurrency)


def record() -> dict[tuple[str, str], tuple[int, dict[str, str], bytes]]:
    """One real answer per (service, operation), recorded from moto with a small estate in one region."""
    import boto3
    from moto import mock_aws

    from awsinv_mcp.inventory.aws import collect

    canned: dict[tuple[str, str], tuple[int, dict[str, str], bytes]] = {}
    lock = threading.Lock()

    def hook(client: Any, account: str, region: str) -> None:
        service = client.meta.service_model.service_name
        if account not in ("", ACCOUNTS[0]):  # the member account is empty: record the caller's answers
            return

        def after(http_response: Any = None, model: Any = None, **_: Any) -> None:
            with lock:
                canned.setdefault(
                    (service, model.name),
                    (http_response.status_code, dict(http_response.headers), http_response.content),
                )

        client.meta.events.register("after-call", after)

    with mock_aws():
        rds = boto3.client("rds", region_name="us-east-1")
        for n in range(3):
            rds.create_db_instance(
                DBInstanceIdentifier=f"db-{n}",
                Engine="postgres",
                DBInstanceClass="db.t3.micro",
                AllocatedStorage=20,
                MasterUsername="admin_user",
                MasterUserPassword="bench-pw-1",
                Tags=[{"Key": "Environment", "Value": "prod"}],
            )
        rds.create_db_cluster(
            DBClusterIdentifier="ledger", Engine="aurora-mysql", MasterUsername="admin", MasterUserPassword="bench-pw-1"
        )
        rds.create_db_instance(
            DBInstanceIdentifier="ledger-1",
            Engine="aurora-mysql",
            DBInstanceClass="db.r6g.large",
            DBClusterIdentifier="ledger",
        )
        rds.create_db_snapshot(DBInstanceIdentifier="db-0", DBSnapshotIdentifier="manual-1")
        rds.create_db_cluster_snapshot(DBClusterIdentifier="ledger", DBClusterSnapshotIdentifier="ledger-manual")
        ec2 = boto3.client("ec2", region_name="us-east-1")
        image = ec2.register_image(Name="hvm", RootDeviceName="/dev/xvda", VirtualizationType="hvm")["ImageId"]
        ec2.run_instances(ImageId=image, MinCount=2, MaxCount=2)
        s3 = boto3.client("s3", region_name="us-east-1")
        for name in ("bench-backups", "bench-exports"):
            s3.create_bucket(Bucket=name)
        settings = _settings(8).model_copy(update={"regions": ["us-east-1"], "role_arns": _settings(8).role_arns[:1]})
        collect(settings, hook=hook)
    for key, body in EMPTY.items():
        canned[key] = (200, {}, body.encode())
    return canned


class Canned:
    """Client hook: every request sleeps `latency` then gets the recorded answer; calls are logged."""

    def __init__(self, canned: dict[tuple[str, str], tuple[int, dict[str, str], bytes]], latency: float) -> None:
        self.canned = canned
        self.latency = latency
        self.calls: list[
            tuple[Any, str, str, str, str, dict[str, Any]]
        ] = []  # unit, account, region, service, op, params
        self._lock = threading.Lock()

    def __call__(self, client: Any, account: str, region: str) -> None:
        from botocore.awsrequest import AWSResponse

        from awsinv_mcp.inventory.aws.fanout import current_unit

        service = client.meta.service_model.service_name
        canned, latency = self.canned, self.latency

        class Raw:
            def __init__(self, body: bytes) -> None:
                self.body = body

            def stream(self, **_: Any) -> Any:
                yield self.body

        def answer(request: Any, event_name: str = "", **_: Any) -> Any:
            status, headers, body = canned[(service, event_name.rsplit(".", 1)[-1])]
            time.sleep(latency)
            return AWSResponse(request.url, status, headers, Raw(body))

        def log(params: Any = None, model: Any = None, **_: Any) -> None:
            with self._lock:
                self.calls.append((current_unit(), account, region, service, model.name, copy.deepcopy(params)))

        client.meta.events.register_first("before-send", answer)
        client.meta.events.register_first("before-parameter-build", log)


def replay(calls: list[tuple[Any, str, str, str, str, dict[str, Any]]], hook: Canned) -> float:
    """Seconds to make `calls` one after another, the way the collection makes them: new clients (one per
    account, service and region, built by our ClientFactory with our retry policy, rate limit and hook) on
    our sessions, which share the process-wide botocore caches exactly as the collection's do."""
    from botocore import xform_name

    from awsinv_mcp.inventory.aws.fanout import ClientFactory
    from awsinv_mcp.inventory.aws.sessions import SessionMaker

    maker = SessionMaker(share=True)
    sessions: dict[str, Any] = {}
    factory = ClientFactory(hook=hook)
    started = time.perf_counter()
    for _, account, region, service, operation, params in calls:
        if account not in sessions:
            sessions[account] = maker.default()
        client = factory.get(sessions[account], account, service, region)
        with contextlib.suppress(Exception):  # recorded error answers (NoSuchTagSet, ...) are the same calls
            getattr(client, xform_name(operation))(**params)
    return time.perf_counter() - started


def critical_chain(calls: list[tuple[Any, str, str, str, str, dict[str, Any]]]) -> list[Any]:
    """The longest chain of calls that must happen one after another: the caller's identity, one account's
    setup (assume role, alias, regions), then all calls of one of its regions (or of its S3 listing).
    Every member account's region chain makes the same 20 calls with the same canned answers, so the first
    longest one stands for all of them."""
    global_calls = [c for c in calls if c[0] is None]
    setup: dict[str, list[Any]] = defaultdict(list)
    units: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for call in calls:
        unit = call[0]
        if unit is None or call[4] == "DescribeDBMajorEngineVersions":  # once per run, off every chain
            continue
        if unit[1] == "setup":
            setup[unit[0]].append(call)
        else:
            units[unit].append(call)
    chains = [global_calls + setup[account] + chain for (account, _), chain in units.items()]
    return max(chains, key=len)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", default="16,32,64", help="comma list of max_concurrency values")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    _env()
    from awsinv_mcp.inventory.aws import collect

    canned = record()
    print(f"recorded {len(canned)} API answers; {len(ACCOUNTS)} accounts x {len(REGIONS)} regions, "
          f"{args.latency * 1000:.0f} ms per call")  # fmt: skip
    rows = []
    for concurrency in [int(c) for c in args.concurrency.split(",")]:
        walls, cpus, hook = [], [], None
        for _ in range(args.rounds):
            hook = Canned(canned, args.latency)
            started, cpu = time.perf_counter(), time.process_time()
            snap = collect(_settings(concurrency), hook=hook)
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
            assert len(snap.accounts) == len(ACCOUNTS) and len(snap.regions) == len(REGIONS), snap.warnings
            assert not snap.warnings, snap.warnings
        assert hook is not None
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        sequential = replay(hook.calls, Canned(canned, args.latency))
        chain = critical_chain(hook.calls)
        critical = statistics.median(replay(chain, Canned(canned, args.latency)) for _ in range(args.rounds))
        rows.append((concurrency, len(hook.calls), len(chain), wall, cpu, sequential, critical))
        print(
            f"max_concurrency={concurrency}: {len(hook.calls)} calls, fan-out {wall:.2f} s (median of {args.rounds}; "
            f"{cpu:.2f} s CPU), sequential {sequential:.2f} s ({sequential / wall:.1f}x faster), critical path "
            f"{len(chain)} calls {critical:.2f} s (fan-out / critical path = {wall / critical:.2f}x)"
        )
    print()
    print(
        f"| latency | max_concurrency | calls | fan-out wall (median of {args.rounds}) | CPU of the fan-out "
        "| sequential loop | speed-up | critical path | wall / critical path |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for concurrency, calls, chain, wall, cpu, sequential, critical in rows:
        print(
            f"| {args.latency * 1000:.0f} ms | {concurrency} | {calls} | {wall:.2f} s | {cpu:.2f} s | "
            f"{sequential:.2f} s | {sequential / wall:.1f}x | {critical:.2f} s ({chain} calls) | "
            f"{wall / critical:.2f}x |"
        )


if __name__ == "__main__":
    main()
