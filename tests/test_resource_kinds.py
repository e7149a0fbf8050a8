"""The resource-kind registry and the Snapshot agree, and every consumer of "every kind" follows the registry."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

from awsinv_mcp.config import Settings
from awsinv_mcp.inventory import kinds
from awsinv_mcp.inventory.estate import Estate
from awsinv_mcp.inventory.summary import summarize
from awsinv_mcp.inventory.synthetic import generate
from awsinv_mcp.models.answers import InventorySummary
from awsinv_mcp.models.inventory import Snapshot

NOW = datetime(2026, 11, 25, tzinfo=UTC)


def test_every_record_field_of_the_snapshot_is_a_registered_kind() -> None:
    tuple_fields = {f.name for f in fields(Snapshot) if str(f.type).startswith("tuple[")}
    assert tuple_fields - {
        "accounts",
        "regions",
        "warnings",
        "lifecycle_overrides",
        "orderable_classes",
        "gaps",
        "organisation",
    } == set(kinds.BY_FIELD)
    assert set(kinds.record_fields()) == set(kinds.BY_FIELD)
    for kind in kinds.KINDS:
        assert kind.id_attr in {f.name for f in fields(kind.record)}, kind.name


def test_counted_kinds_are_summary_fields_and_tagged_kinds_carry_labels() -> None:
    for kind in kinds.COUNTED:
        assert kind.field in InventorySummary.model_fields, kind.name
    for kind in kinds.TAGGED:
        names = {f.name for f in fields(kind.record)}
        assert {"environment", "team", "application", "tags"} <= names, kind.name


def test_the_synthetic_estate_has_every_kind_and_the_summary_counts_them() -> None:
    snap = generate(seed=3, scale=120, now=NOW, settings=Settings(source="synthetic"))
    summary = summarize(Estate(snap))
    for kind in kinds.KINDS:
        assert kind.records(snap), f"the synthetic estate has no {kind.label}"
    for kind in kinds.COUNTED:
        assert getattr(summary, kind.field) == len(kind.records(snap))


def test_label_values_come_from_every_tagged_kind() -> None:
    snap = generate(seed=3, scale=120, now=NOW, settings=Settings(source="synthetic"))
    estate = Estate(snap)
    teams = {r.team for kind in kinds.TAGGED for r in kind.records(snap) if r.team}
    assert set(estate.values("team")) == teams
    assert estate.labels("team")[-1] == "untagged"
