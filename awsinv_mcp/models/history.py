"""Answers of the history tools (`server/tools/history.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from awsinv_mcp.models.answers import WarningOut


class SnapshotRow(BaseModel):
    snapshot_id: str
    collected_at: datetime
    source: Literal["aws", "synthetic"]
    records: int
    counts: dict[str, int] = Field(default_factory=dict, description="records per resource type")
    findings: dict[str, int] = Field(default_factory=dict, description="findings per severity")
    warning_count: int


class SnapshotList(BaseModel):
    items: list[SnapshotRow]
    total: int
    next_cursor: str | None = Field(None, description="pass back as cursor for the next page; null at the end")
    truncated: bool = False
    warnings: list[WarningOut] = Field(default_factory=list)


class SnapshotRef(BaseModel):
    snapshot_id: str
    collected_at: datetime


class KindChanges(BaseModel):
    added: int = 0
    removed: int = 0
    modified: int = 0


class ResourceChange(BaseModel):
    change: Literal["added", "removed", "modified"]
    resource_type: str
    resource_id: str
    account: str
    region: str
    environment: str | None = None
    team: str | None = None
    fields: dict[str, list[Any]] = Field(default_factory=dict, description="{field: [old, new]}; tags as tags.<Key>")


class FindingChange(BaseModel):
    change: Literal["opened", "resolved"]
    rule: str
    severity: str
    resource_type: str
    resource_id: str
    account: str
    region: str
    environment: str | None = None
    team: str | None = None


class FindingsChanges(BaseModel):
    opened: dict[str, int] = Field(default_factory=dict, description="findings opened per severity")
    resolved: dict[str, int] = Field(default_factory=dict, description="findings resolved per severity")


class Changes(BaseModel):
    source: Literal["aws", "synthetic"]
    view: Literal["resources", "findings"] = "resources"
    from_snapshot: SnapshotRef
    to_snapshot: SnapshotRef
    summary: dict[str, KindChanges] = Field(description="added/removed/modified per resource type")
    findings_summary: FindingsChanges = Field(default_factory=FindingsChanges)
    items: list[ResourceChange | FindingChange]
    total: int
    next_cursor: str | None = Field(None, description="pass back as cursor for the next page; null at the end")
    truncated: bool = False
    warnings: list[WarningOut] = Field(default_factory=list)


class FindingRef(BaseModel):
    rule: str
    severity: str


class ResourceVersion(BaseModel):
    snapshot_id: str
    collected_at: datetime
    change: Literal["added", "modified", "unchanged", "removed"]
    fields: dict[str, list[Any]] = Field(default_factory=dict, description="{field: [old, new]}")
    findings_opened: list[FindingRef] = Field(default_factory=list)
    findings_resolved: list[FindingRef] = Field(default_factory=list)


class ResourceHistory(BaseModel):
    source: Literal["aws", "synthetic"]
    resource_type: str
    resource_id: str
    account: str
    region: str
    versions: list[ResourceVersion] = Field(description="one per stored snapshot, oldest first")
    warnings: list[WarningOut] = Field(default_factory=list)
