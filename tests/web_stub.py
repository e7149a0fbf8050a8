"""A small stand-in MCP server with the tool names and answer shapes of DESIGN.md, for the web tests.

It lets the web client's tests pin exact numbers and error paths independently of the real tools.
(No tests live here; `stub_server()` is imported by the other tests/test_web_* files.)
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult

from awsinv_mcp.paging import fingerprint, paginate
from awsinv_mcp.server.tooling import error_result as refuse
from awsinv_mcp.server.tooling import respond

COLLECTED = "2026-11-25T12:00:00Z"
ENGINES = ["postgres", "mysql", "aurora-postgresql", "mariadb", "oracle-ee"]
TEAMS = ["payments", "search", "identity"]
STATUSES = ["standard", "ending_soon", "extended_support", "end_of_support"]


def _base() -> dict[str, Any]:
    return {"source": "synthetic", "collected_at": COLLECTED, "warnings": []}


def db_rows(n: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        engine = ENGINES[i % len(ENGINES)]
        rows.append(
            {
                "identifier": f"db-{i:05d}",
                "arn": f"arn:aws:rds:eu-west-1:111111111111:db:db-{i:05d}",
                "account": "111111111111",
                "region": "eu-west-1" if i % 2 else "us-east-1",
                "engine": engine,
                "engine_version": "13.4" if engine == "postgres" else "8.0.35",
                "instance_class": "db.m6g.large",
                "status": "available",
                "environment": "production" if i % 3 == 0 else "staging",
                "team": TEAMS[i % len(TEAMS)],
                "application": "orders",
                "cluster": None,
                "multi_az": i % 4 == 0,
                "storage_encrypted": i % 7 != 0,
                "publicly_accessible": i % 11 == 0,
                "storage_type": "gp3",
                "allocated_gb": 100 + i,
            }
        )
    return rows


def _filtered(rows: list[dict[str, Any]], filters: dict[str, Any], q: str | None) -> list[dict[str, Any]]:
    out = [r for r in rows if all(v is None or r.get(k) == v for k, v in filters.items())]
    if q:
        out = [r for r in out if q.lower() in r["identifier"].lower()]
    return out


def _page(rows: list[dict[str, Any]], limit: int, cursor: str | None, *key: Any) -> dict[str, Any]:
    page = paginate(rows, limit=limit, cursor=cursor, query=fingerprint(*key))
    return {
        **_base(),
        "items": page.items,
        "total": page.total,
        "next_cursor": page.next_cursor,
        "truncated": page.truncated,
    }


def stub_server(
    n_instances: int = 60, *, with_prompts: bool = True, overrides: dict[int, dict[str, Any]] | None = None
) -> MCPServer:
    """A server whose answers are fixed functions of `n_instances` stub DB instances (`overrides`: fields
    replaced in row i, e.g. hostile tag values; a `tags` field is shown by `get_db_instance`)."""
    mcp = MCPServer("awsinv-stub")
    rows = db_rows(n_instances)
    for i, fields in (overrides or {}).items():
        rows[i].update(fields)
    by_id = {r["identifier"]: r for r in rows}

    def count(key: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in rows:
            out[r[key]] = out.get(r[key], 0) + 1
        return out

    findings = [
        {
            "rule": "rds.storage_encrypted",
            "category": "security",
            "severity": "high",
            "title": "Storage not encrypted",
            "resource_type": "db_instance",
            "resource_id": r["identifier"],
            "arn": r["arn"],
            "account": r["account"],
            "region": r["region"],
            "environment": r["environment"],
            "team": r["team"],
            "application": r["application"],
            "evidence": {"storage_encrypted": False},
            "remediation": "Restore from an encrypted snapshot copy.",
            "monthly_savings_usd": None,
            "prowler_check": "rds_instance_storage_encrypted",
        }
        for r in rows
        if not r["storage_encrypted"]
    ]

    @mcp.tool()
    def get_inventory_summary() -> CallToolResult:
        return respond(
            {
                **_base(),
                "accounts": [{"id": "111111111111", "alias": "prod", "db_instances": len(rows)}],
                "regions": ["eu-west-1", "us-east-1"],
                "db_instances": len(rows),
                "db_clusters": 2,
                "db_snapshots": 5,
                "ec2_instances": 3,
                "database_hosts": 1,
                "s3_buckets": 2,
                "allocated_storage_gb": sum(r["allocated_gb"] for r in rows),
                "by_engine": count("engine"),
                "by_region": count("region"),
                "by_environment": count("environment"),
                "by_team": count("team"),
                "by_status": count("status"),
                "risk_flags": {"public": sum(r["publicly_accessible"] for r in rows)},
            }
        )

    @mcp.tool()
    def list_db_instances(
        engine: str | None = None,
        region: str | None = None,
        team: str | None = None,
        environment: str | None = None,
        q: str | None = None,
        sort: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> CallToolResult:
        if engine and engine not in ENGINES:
            return refuse(f"unknown engine {engine!r}; valid: {', '.join(ENGINES)}")
        out = _filtered(rows, {"engine": engine, "region": region, "team": team, "environment": environment}, q)
        if sort:
            field, desc = sort.lstrip("-"), sort.startswith("-")
            out = sorted(out, key=lambda r: (r.get(field) is None, r.get(field)), reverse=desc)
        try:
            return respond(_page(out, limit, cursor, engine, region, team, environment, q, sort))
        except Exception as exc:
            return refuse(str(exc))

    @mcp.tool()
    def get_db_instance(identifier: str) -> CallToolResult:
        row = by_id.get(identifier.rsplit(":", 1)[-1])
        if row is None:
            return refuse(
                f"unknown DB instance {identifier!r}; call list_db_instances for valid identifiers", "not_found"
            )
        tags = row.get("tags") or {"Team": row["team"]}
        return respond({**_base(), "instance": {**row, "tags": tags, "backup_retention_days": 7}})

    @mcp.tool()
    def list_db_clusters(limit: int = 50, cursor: str | None = None) -> CallToolResult:
        items = [
            {
                "identifier": f"cluster-{i}",
                "engine": "aurora-postgresql",
                "engine_version": "15.4",
                "status": "available",
                "account": "111111111111",
                "region": "eu-west-1",
                "team": "payments",
                "environment": "production",
                "members": ["db-00002"],
                "storage_encrypted": True,
            }
            for i in range(2)
        ]
        return respond(_page(items, limit, cursor, "clusters"))

    @mcp.tool()
    def list_ec2_instances(limit: int = 50, cursor: str | None = None) -> CallToolResult:
        items = [
            {
                "identifier": f"i-0{i:016x}",
                "name": f"host-{i}",
                "account": "111111111111",
                "region": "eu-west-1",
                "instance_type": "m6i.large",
                "state": "running",
                "environment": "production",
                "team": "search",
                "application": "search",
                "public_ip": None,
                "imds_v2_required": True,
                "database_host": i == 0,
            }
            for i in range(3)
        ]
        return respond(_page(items, limit, cursor, "ec2"))

    @mcp.tool()
    def list_s3_buckets(limit: int = 50, cursor: str | None = None) -> CallToolResult:
        items = [
            {
                "name": f"backups-{i}",
                "account": "111111111111",
                "region": "eu-west-1",
                "encrypted": i == 0,
                "public_access_block": True,
                "public": False,
                "versioning": "Enabled",
                "purpose": "backups",
            }
            for i in range(2)
        ]
        return respond(_page(items, limit, cursor, "s3"))

    @mcp.tool()
    def get_findings(
        severity: str | None = None, resource: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> CallToolResult:
        out = [f for f in findings if (severity is None or f["severity"] == severity)]
        out = [f for f in out if resource is None or f["resource_id"] == resource]
        answer = _page(out, limit, cursor, "findings", severity, resource)
        answer["by_severity"] = {"high": len(findings)}
        answer["by_category"] = {"security": len(findings)}
        answer["total_monthly_savings_usd"] = 0.0
        return respond(answer)

    @mcp.tool()
    def check_version_compliance(limit: int = 50, cursor: str | None = None) -> CallToolResult:
        items = [
            {
                "resource_id": r["identifier"],
                "resource_type": "instance",
                "engine": r["engine"],
                "engine_version": r["engine_version"],
                "status": STATUSES[i % 4],
            }
            for i, r in enumerate(rows)
        ]
        answer = _page(items, limit, cursor, "versions")
        answer["by_status"] = {s: sum(1 for it in items if it["status"] == s) for s in STATUSES}
        return respond(answer)

    @mcp.tool()
    def find_cost_savings(limit: int = 50, cursor: str | None = None) -> CallToolResult:
        items = [{"rule": "cost.gp2_to_gp3", "resource_id": "db-00001", "monthly_savings_usd": 12.5}]
        answer = _page(items, limit, cursor, "savings")
        answer["total_monthly_savings_usd"] = 1234.5
        return respond(answer)

    @mcp.tool()
    def get_cost_summary(
        group_by: str | None = None, start: str | None = None, end: str | None = None, granularity: str = "MONTHLY"
    ) -> CallToolResult:
        periods = ["2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01", "2026-10-01", "2026-11-01"]
        items = [
            {"group": {"TAG:Team": t} if group_by else {}, "amounts": [1000.0 * (k + 1) + 10 * m for m in range(6)]}
            for k, t in enumerate(TEAMS if group_by else ["all"])
        ]
        for it in items:
            it["total"] = sum(it["amounts"])
        return respond(
            {
                **_base(),
                "currency": "USD",
                "metric": "UnblendedCost",
                "periods": periods,
                "items": items,
                "total_amount": sum(it["total"] for it in items),
                "ce_requests": 0,
            }
        )

    if with_prompts:

        @mcp.prompt(title="Database security audit")
        def database_security_audit() -> str:
            """Audit the estate's database security."""
            return "Run a database security audit: call assess_security, then summarise by severity."

        @mcp.prompt(title="Team database overview")
        def team_database_overview(team: str) -> str:
            """Overview of one team's databases."""
            return f"Give an overview of the databases owned by team {team}. Use list_db_instances."

    return mcp


class ServedApp:
    """A Starlette app served by uvicorn on 127.0.0.1 (ephemeral port) in a background thread."""

    def __init__(self, app: Any, *, port: int = 0) -> None:
        import uvicorn

        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> ServedApp:
        self.thread.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.server.started:
                try:
                    with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as r:
                        if r.status == 200:
                            return self
                except OSError:
                    pass
            if not self.thread.is_alive():
                break
            time.sleep(0.02)
        raise RuntimeError("the web app did not become ready within 30 s")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.sock.close()

    def get(self, path: str) -> Any:
        """The API's JSON answer, or None when it answers with an error status."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError:
            return None
