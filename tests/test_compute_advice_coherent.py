"""One compute recommendation per DB instance across the performance and cost rules (issue 13 item 1): never
"too burstable" or "CPU too high" together with a smaller or another burstable class, no modernisation advice for
an instance being retired, and one target class when two rules name one."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from awsinv_mcp import instance_classes as classes
from awsinv_mcp.analysis.all_rules import RULES  # noqa: F401  (registers every rule)
from awsinv_mcp.analysis.catalogue import AnalysisContext, run_rules
from awsinv_mcp.inventory.synthetic.estate import generate
from awsinv_mcp.models.inventory import Snapshot, Utilisation
from tests.estates import AS_OF, DEV, db, estate

GROW = {"perf.burstable_in_production", "perf.high_cpu"}
SHRINK_OR_SWAP = {"cost.rightsizing", "cost.previous_generation"}
QUIET = Utilisation(days=14, cpu_avg=3.0, cpu_max=10.0, connections_avg=2, connections_max=5)
IDLE = Utilisation(days=14, cpu_avg=1.0, cpu_max=3.0, connections_avg=0, connections_max=0)
HOT = Utilisation(days=14, cpu_avg=85.0, cpu_max=99.0, connections_avg=40, connections_max=80)


def crafted() -> Snapshot:
    """The contradictions the issue found, one instance each."""
    return estate(
        db("prod-burstable-quiet", engine="mysql", engine_version="8.0.39", instance_class="db.t3.large",
           utilisation=QUIET),
        db("prod-burstable-hot", engine="mysql", engine_version="8.0.39", instance_class="db.t3.large",
           utilisation=HOT),
        db("prod-t2-quiet", engine="sqlserver-se", engine_version="15.00.4430.1.v1", instance_class="db.t2.xlarge",
           utilisation=QUIET),
        db("dev-idle-t2", engine="mysql", engine_version="8.0.39", instance_class="db.t2.large", utilisation=IDLE,
           **DEV),
        db("dev-hot-t2", engine="mysql", engine_version="8.0.39", instance_class="db.t2.large", utilisation=HOT,
           **DEV),
        db("dev-quiet-m4", engine="postgres", instance_class="db.m4.2xlarge", utilisation=QUIET, **DEV),
    )  # fmt: skip


def targets(f: Any) -> str | None:
    ev = f.evidence
    return ev.get("target_class") or ev.get("recommended_class") or ev.get("successor")


def contradictions(snap: Snapshot, ctx: AnalysisContext) -> list[str]:
    by_instance: dict[tuple[str, str, str], list[Any]] = defaultdict(list)
    for f in run_rules(snap, ctx):
        if f.resource_type.startswith("db_instance"):
            by_instance[(f.account, f.region, f.resource_id)].append(f)
    found = []
    for key, fs in by_instance.items():
        rules = {f.rule for f in fs}
        if rules & GROW and rules & SHRINK_OR_SWAP:
            found.append(f"{key}: grow and shrink {sorted(rules)}")
        if "cost.idle_instance" in rules and rules & {"perf.previous_generation", *SHRINK_OR_SWAP}:
            found.append(f"{key}: idle and modernise {sorted(rules)}")
        named = {t for f in fs if f.rule in GROW | SHRINK_OR_SWAP | {"perf.previous_generation"} if (t := targets(f))}
        if len(named) > 1:
            found.append(f"{key}: several target classes {sorted(named)}")
        if "perf.burstable_in_production" in rules and any(classes.is_burstable(t) for t in named):
            found.append(f"{key}: production burstable told to move to a burstable class {sorted(named)}")
    return found


@pytest.mark.parametrize("name", ["crafted", "default"])
def test_no_instance_gets_contradictory_compute_advice(name: str) -> None:
    if name == "crafted":
        snap, ctx = crafted(), AnalysisContext(as_of=AS_OF)
    else:
        snap = generate(42, 150, datetime(2026, 12, 4, tzinfo=UTC))
        ctx = AnalysisContext(as_of=date(2026, 12, 4))
    assert contradictions(snap, ctx) == []


def test_crafted_instances_get_the_one_coherent_advice() -> None:
    found = defaultdict(set)
    for f in run_rules(crafted(), AnalysisContext(as_of=AS_OF)):
        found[f.resource_id].add(f.rule)
    assert {"perf.burstable_in_production"} <= found["prod-burstable-quiet"]
    assert not found["prod-burstable-quiet"] & SHRINK_OR_SWAP  # was: db.t3.large -> db.t3.medium
    assert {"perf.burstable_in_production", "perf.high_cpu"} <= found["prod-burstable-hot"]
    assert "cost.idle_instance" in found["dev-idle-t2"] and "perf.previous_generation" not in found["dev-idle-t2"]
    assert "perf.high_cpu" in found["dev-hot-t2"] and not found["dev-hot-t2"] & SHRINK_OR_SWAP
    assert "cost.rightsizing" in found["dev-quiet-m4"]  # a coherent saving is still reported


def test_hot_burstable_in_production_is_not_told_to_grow_within_burstable() -> None:
    snap = estate(db("hot", engine="mysql", engine_version="8.0.39", instance_class="db.t3.large",
                     utilisation=replace(HOT)))  # fmt: skip
    (f,) = [f for f in run_rules(snap, AnalysisContext(as_of=AS_OF)) if f.rule == "perf.high_cpu"]
    assert f.evidence["recommended_class"] is None and "m or r class" in f.evidence["note"]


@pytest.mark.parametrize(
    ("engine", "version", "expected"),
    [
        ("aurora-mysql", "5.7.mysql_aurora.2.11.5", "db.r6g.large"),  # Aurora MySQL 2: no Graviton3
        ("aurora-postgresql", "11.21", "db.r6g.large"),
        ("aurora-postgresql", "16.4", "db.r7g.large"),
        ("mysql", "8.0.39", "db.r7g.large"),
    ],
)
def test_successor_is_a_class_the_engine_version_is_offered(engine: str, version: str, expected: str) -> None:
    assert classes.successor("db.r4.large", engine, version) == expected
    snap = estate(db("old", engine=engine, engine_version=version, instance_class="db.r4.large", **DEV))
    found = [f for f in run_rules(snap, AnalysisContext(as_of=AS_OF)) if f.rule == "perf.previous_generation"]
    assert [f.evidence["successor"] for f in found] == [expected]


def orderable_crafted() -> Snapshot:
    """Instances whose naive one-size-down, successor or size-up is a class RDS does not offer them."""
    return estate(
        db("ora-ee-small-quiet", engine="oracle-ee", engine_version="19.0.0.0.ru-2025-04.rur-2025-04.r1",
           instance_class="db.t3.small", license_model="bring-your-own-license", utilisation=QUIET, **DEV),
        db("ora-ee-m4", engine="oracle-ee", engine_version="19.0.0.0.ru-2025-04.rur-2025-04.r1",
           instance_class="db.m4.xlarge", license_model="bring-your-own-license", utilisation=QUIET, **DEV),
        db("ora-se2-hot", engine="oracle-se2", engine_version="19.0.0.0.ru-2025-04.rur-2025-04.r1",
           instance_class="db.r5.4xlarge", license_model="license-included", utilisation=HOT, **DEV),
        db("mssql-ee-m4", engine="sqlserver-ee", engine_version="15.00.4430.1.v1", instance_class="db.m4.large",
           license_model="license-included", utilisation=QUIET, **DEV),
        db("mssql-ex-quiet", engine="sqlserver-ex", engine_version="15.00.4430.1.v1", instance_class="db.t3.small",
           license_model="license-included", utilisation=QUIET, **DEV),
        db("amysql2-r4", engine="aurora-mysql", engine_version="5.7.mysql_aurora.2.11.5", instance_class="db.r4.large",
           cluster="amysql2", storage_type="aurora", utilisation=QUIET, **DEV),
        db("apg11-hot", engine="aurora-postgresql", engine_version="11.21", instance_class="db.r4.xlarge",
           cluster="apg11", storage_type="aurora", utilisation=HOT, **DEV),
        db("apg11-quiet", engine="aurora-postgresql", engine_version="11.21", instance_class="db.r5.2xlarge",
           cluster="apg11b", storage_type="aurora", utilisation=QUIET, **DEV),
        db("pg11-m4", engine="postgres", engine_version="11.22", instance_class="db.m4.2xlarge", utilisation=QUIET,
           **DEV),
    )  # fmt: skip


def targets_outside_the_table(snap: Snapshot, ctx: AnalysisContext) -> list[str]:
    by_id = {(i.account, i.region, i.identifier): i for i in snap.db_instances}
    out = []
    for f in run_rules(snap, ctx):
        inst = by_id.get((f.account, f.region, f.resource_id))
        t = targets(f) if inst is not None and f.rule in GROW | SHRINK_OR_SWAP | {"perf.previous_generation"} else None
        if t and not classes.offered(t, inst.engine, inst.engine_version):
            out.append(f"{f.resource_id} ({inst.engine} {inst.engine_version}): {f.rule} -> {t}")
    return out


@pytest.mark.parametrize("name", ["orderable", "crafted", "default"])
def test_no_target_class_outside_the_orderable_table(name: str) -> None:
    if name == "default":
        snap, ctx = generate(42, 150, datetime(2026, 12, 4, tzinfo=UTC)), AnalysisContext(as_of=date(2026, 12, 4))
    else:
        snap, ctx = (orderable_crafted() if name == "orderable" else crafted()), AnalysisContext(as_of=AS_OF)
    assert targets_outside_the_table(snap, ctx) == []
    assert contradictions(snap, ctx) == []


def test_orderable_targets_of_the_crafted_instances() -> None:
    found = {(f.resource_id, f.rule): targets(f) for f in run_rules(orderable_crafted(), AnalysisContext(as_of=AS_OF))}
    assert ("ora-ee-small-quiet", "cost.rightsizing") not in found  # was db.t3.small -> db.t3.micro
    assert ("mssql-ex-quiet", "cost.rightsizing") in found  # Express is offered db.t3.micro
    assert found[("ora-ee-m4", "perf.previous_generation")] == "db.m6i.large"  # quiet: down on the successor
    assert found[("ora-se2-hot", "perf.high_cpu")] is None  # SE2 stops at 4xlarge
    assert found[("mssql-ee-m4", "perf.previous_generation")] is None  # Enterprise starts at xlarge
    assert found[("amysql2-r4", "perf.previous_generation")] == "db.r6g.large"  # never db.r7g on Aurora MySQL 2
    assert found[("apg11-hot", "perf.high_cpu")] == "db.r6g.2xlarge"  # never db.r7g on Aurora PostgreSQL 11
    assert found[("apg11-quiet", "cost.rightsizing")] == "db.r5.xlarge"
    assert found[("pg11-m4", "perf.previous_generation")] == "db.m6i.xlarge"  # no Graviton for PostgreSQL 11


def test_rightsizing_reads_memory_connections_and_io() -> None:
    ok = replace(QUIET, freeable_memory_gb_min=20.0, read_iops_avg=100, write_iops_avg=50)
    base = db("quiet", instance_class="db.m6g.2xlarge", utilisation=ok, **DEV)  # 32 GiB -> db.m6g.xlarge 16 GiB
    (f,) = [f for f in run_rules(estate(base), AnalysisContext(as_of=AS_OF)) if f.rule == "cost.rightsizing"]
    assert f.evidence["target_class"] == "db.m6g.xlarge" and f.evidence["freeable_memory_gb_min"] == 20.0
    assert f.evidence["target_default_max_connections"] == 1802  # 16 GiB / 9,531,392 bytes
    for busy in (
        replace(ok, freeable_memory_gb_min=6.0),  # used 26 of 32 GiB: would not fit in 16
        replace(ok, connections_max=950.0),  # over half of the target's default max_connections
        replace(ok, read_iops_avg=3000.0, write_iops_avg=1000.0),
    ):  # over half of what 16 GiB drives
        snap = estate(replace(base, utilisation=busy))
        assert [f for f in run_rules(snap, AnalysisContext(as_of=AS_OF)) if f.rule == "cost.rightsizing"] == []


def test_aws_mode_orderable_answer_replaces_the_table() -> None:
    from awsinv_mcp.models.inventory import OrderableClasses

    inst = db("quiet", instance_class="db.m6g.2xlarge", utilisation=QUIET, **DEV)
    offered = OrderableClasses(inst.region, inst.engine, inst.engine_version, ("db.m6g.2xlarge", "db.m6g.4xlarge"))
    snap = estate(inst, orderable_classes=(offered,))
    assert [f for f in run_rules(snap, AnalysisContext(as_of=AS_OF)) if f.rule == "cost.rightsizing"] == []


@pytest.mark.parametrize(
    ("engine", "version", "klass", "util", "expected"),
    [
        ("mysql", "8.0.39", "db.t3.large", QUIET, "db.m7g.large"),
        ("mysql", "8.0.39", "db.t3.large", HOT, "db.m7g.xlarge"),  # CPU high too: one size more
        ("mysql", "5.7.44", "db.t3.medium", QUIET, "db.m6g.large"),  # no Graviton3 on MySQL 5.7
        ("oracle-se2", "19.0.0.0.ru-2025-04.rur-2025-04.r1", "db.t3.small", QUIET, "db.m6i.large"),
        ("aurora-postgresql", "11.21", "db.t3.medium", QUIET, "db.r6g.large"),  # Aurora: r classes only
    ],
)
def test_burstable_in_production_names_an_offered_steady_class(engine, version, klass, util, expected) -> None:
    snap = estate(db("b", engine=engine, engine_version=version, instance_class=klass, utilisation=util))
    (f,) = [f for f in run_rules(snap, AnalysisContext(as_of=AS_OF)) if f.rule == "perf.burstable_in_production"]
    assert f.evidence["recommended_class"] == expected
    assert classes.offered(expected, engine, version)
