"""The aws path end to end (moto): collect, change the fleet (delete, create, resize, make public, shorten
backups, upgrade the engine, retag), collect again; get_changes names exactly those changes, with the fields
that changed, and the findings they opened, through the official MCP client."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from awsinv_mcp.config import Settings
from awsinv_mcp.server.app import build_server
from tests.aws_support import aws, db_instance, fast_retries  # noqa: F401 (fixtures)

pytestmark = pytest.mark.anyio
REGION = "us-east-1"


async def _call(client: Client, name: str, args: dict | None = None) -> dict[str, Any]:
    result = await client.call_tool(name, args or {})
    assert not result.is_error, result.content[0].text
    return json.loads(result.content[0].text)


@pytest.mark.usefixtures("fast_retries")
async def test_get_changes_names_exactly_what_changed_in_aws(aws: Any, tmp_path: Path) -> None:  # noqa: F811
    rds = aws.client("rds", region_name=REGION)
    for name in ("resize", "gone", "public", "backups", "upgrade", "retag"):
        db_instance(rds, name, EngineVersion="15.7", BackupRetentionPeriod=7, PubliclyAccessible=False)
    settings = Settings(source="aws", regions=[REGION], store=f"sqlite:///{tmp_path / 'h.db'}", cache_ttl=0)
    async with Client(build_server(settings)) as c:
        first = await _call(c, "refresh_inventory")
        rds.delete_db_instance(DBInstanceIdentifier="gone", SkipFinalSnapshot=True)
        db_instance(rds, "new", EngineVersion="15.7", BackupRetentionPeriod=7)
        changes = {
            "resize": {"DBInstanceClass": "db.m5.large"},
            "public": {"PubliclyAccessible": True},
            "backups": {"BackupRetentionPeriod": 0},
            "upgrade": {"EngineVersion": "16.3"},
        }
        for name, params in changes.items():
            rds.modify_db_instance(DBInstanceIdentifier=name, ApplyImmediately=True, **params)
        arn = rds.describe_db_instances(DBInstanceIdentifier="retag")["DBInstances"][0]["DBInstanceArn"]
        rds.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "Owner", "Value": "dba-team"}])
        await _call(c, "refresh_inventory")

        listed = await _call(c, "list_snapshots")
        assert listed["total"] == 2 and {s["source"] for s in listed["items"]} == {"aws"}
        diff = await _call(c, "get_changes", {"since": first["collected_at"], "resource_type": "db_instance"})
        assert diff["source"] == "aws" and diff["summary"] == {"db_instance": {"added": 1, "removed": 1, "modified": 5}}
        by = {(i["change"], i["resource_id"]): i for i in diff["items"]}
        assert set(by) == {
            ("added", "new"), ("removed", "gone"), ("modified", "resize"), ("modified", "public"),
            ("modified", "backups"), ("modified", "upgrade"), ("modified", "retag"),
        }  # fmt: skip
        assert by["modified", "resize"]["fields"]["instance_class"] == ["db.t3.micro", "db.m5.large"]
        assert by["modified", "public"]["fields"]["publicly_accessible"] == [False, True]
        assert by["modified", "backups"]["fields"]["backup_retention_days"] == [7, 0]
        assert by["modified", "upgrade"]["fields"]["engine_version"] == ["15.7", "16.3"]
        assert by["modified", "retag"]["fields"] == {"tags.Owner": [None, "dba-team"]}

        found = await _call(c, "get_changes", {"since": first["collected_at"], "view": "findings", "limit": 500})
        opened = {(i["resource_id"], i["rule"]) for i in found["items"] if i["change"] == "opened"}
        assert ("backups", "rds.backup_enabled") in opened
        assert {("public", "rds.publicly_accessible"), ("public", "rds.internet_exposed")} & opened
        assert found["findings_summary"]["opened"]["high"] >= 1
        resolved_on_gone = {
            i["rule"] for i in found["items"] if i["change"] == "resolved" and i["resource_id"] == "gone"
        }
        assert resolved_on_gone  # the deleted instance's findings are resolved with it

        history = await _call(c, "get_resource_history", {"resource": "backups"})
        assert [v["change"] for v in history["versions"]] == ["added", "modified"]
        assert {"rule": "rds.backup_enabled", "severity": "high"} in history["versions"][1]["findings_opened"]
