"""Answers of the history tools (`server/tools/history.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class SnapshotRow(BaseModel):
    snapshot_id: str
    collected_at: datetime
    source: Literal["aws", "synthetic"]
    records: int
    warning_count: int


class SnapshotList(BaseModel):
    items: list[SnapshotRow]
    total: int
    truncated: bool = False


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
    fields: dict[str, list[Any]] = Field(default_factory=dict, description="{field: [old, new]}; tags as tags.<Key>")


class Changes(BaseModel):
    source: Literal["aws", "synthetic"]
    from_snapshot: SnapshotRef
    to_snapshot: SnapshotRef
    summary: dict[str, KindChanges]
    items: list[ResourceChange]
    total: int
    truncated: bool = False


class ResourceVersion(BaseModel):
    snapshot_id: str
    collected_at: datetime
    change: Literal["added", "modified", "unchanged", "removed"]
    fields: dict[str, list[Any]] = Field(default_factory=dict, description="{field: [old, new]}")


class ResourceHistory(BaseModel):
    resource_type: str
    resource_id: str
    account: str
    region: str
    versions: list[ResourceVersion] = Field(description="one per stored snapshot, oldest first")
