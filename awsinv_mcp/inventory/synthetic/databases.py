"""RDS DB instances and Aurora clusters: the core of the synthetic estate.

The estate is built unit by unit (a standalone instance, or an Aurora cluster with 1-4 members) until
exactly `scale` DB instances exist. The first units cycle through every engine so a small estate still
shows them all, and three early units carry the network exposures that are otherwise rare.
Aurora members mirror their cluster's encryption, backups, deletion protection, IAM auth, master user,
port, log exports and copy-tags; like the RDS API they report `multi_az` False (the cluster's `multi_az`
says whether its members span zones), storage type `aurora` (or `aurora-iopt1`) and `allocated_gb` 1.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from awsinv_mcp import instance_classes as classes
from awsinv_mcp.engine_versions import compatible_engine, default_port, end_of_standard_support
from awsinv_mcp.inventory.synthetic import catalogue as cat
from awsinv_mcp.inventory.synthetic.classes import class_pick
from awsinv_mcp.inventory.synthetic.draw import Pick, below, days_ago, one_of, rates_pick
from awsinv_mcp.inventory.synthetic.network import DbAccess, Network, RegionNetwork, SubnetTier
from awsinv_mcp.inventory.synthetic.organisation import Labels, Organisation, Team
from awsinv_mcp.inventory.synthetic.utilisation import NO_DATA, draw_utilisation, load_profile
from awsinv_mcp.models.inventory import ClusterMember, DBCluster, DBInstance, PendingMaintenance

VERSIONS = {engine: Pick(versions) for engine, versions in cat.ENGINE_VERSIONS.items()}
ENGINES = Pick(cat.ENGINE_WEIGHTS.items())
MEMBER_COUNTS = Pick(((1, 25), (2, 45), (3, 20), (4, 10)))
STORAGE_TYPES = (
    Pick((("gp2", 25), ("gp3", 45), ("io1", 18), ("io2", 10), ("standard", 2))),
    Pick((("gp2", 35), ("gp3", 55), ("io1", 7), ("io2", 3))),
    Pick((("gp2", 45), ("gp3", 52), ("io1", 2), ("standard", 1))),
)
GP_SIZES = Pick(((20, 12), (50, 12), (100, 18), (200, 14), (250, 6), (400, 10), (500, 10), (750, 5),
                 (1000, 6), (1500, 3), (2000, 3), (4000, 1)))  # fmt: skip
IO_SIZES = Pick(((100, 5), (200, 8), (500, 12), (1000, 12), (2000, 8), (4000, 4), (8000, 2), (16000, 1)))
IO_IOPS = Pick(((1000, 8), (2000, 10), (3000, 12), (5000, 10), (8000, 8), (10000, 8), (12000, 6), (20000, 4),
                (40000, 2), (64000, 1)))  # fmt: skip
AURORA_USED_GB = Pick(((10, 10), (50, 15), (120, 20), (300, 20), (800, 15), (2000, 10), (6000, 6), (20000, 4)))
RETENTION = Pick(((7, 50), (14, 25), (30, 15), (35, 10)))
MONITORING = Pick(((60, 50), (30, 15), (15, 10), (5, 10), (1, 15)))
CA_PICK = Pick(((name, date(*valid)), weight) for name, (valid, weight) in cat.CA_CERTIFICATES.items())
OLD_CA = (cat.OLD_CA_CERTIFICATE[0], date(*cat.OLD_CA_CERTIFICATE[1]))
OLD_CA_LAST_DEFAULT = date(*cat.OLD_CA_DEFAULT_UNTIL)
RISKS = tuple(tuple((name, rates[i]) for name, rates in cat.RISK_RATES.items()) for i in range(len(cat.ENVIRONMENTS)))
EXPOSURES = tuple(rates_pick(cat.EXPOSURE_RATES, i, "private") for i in range(len(cat.ENVIRONMENTS)))
SHOWCASE_EXPOSURES = ("exposed", "public_private_subnet", "open_sg_private")
NO_IAM_AUTH_ENGINES = ("oracle", "sqlserver")  # RDS IAM authentication is for MySQL, MariaDB, PostgreSQL
SINGLE_AZ_ENGINES = frozenset({"sqlserver-ex", "sqlserver-web"})  # no Multi-AZ on these editions


@dataclass(frozen=True, slots=True)
class UnitDraw:
    """Per-unit draws shared by a standalone instance or a cluster and its members."""

    env: str
    env_index: int
    account: str
    region: str
    team: Team
    app: str
    engine: str
    family: str
    version: str
    labels: Labels
    risks: frozenset[str]
    exposure: str
    net: RegionNetwork
    port: int
    security_groups: tuple[str, ...]
    subnet_ids: tuple[str, ...]
    kms_key: str | None
    created_at: datetime


def deprecation_upgrade(engine: str, version: str, base: datetime) -> tuple[PendingMaintenance, ...]:
    """The pending db-upgrade RDS schedules for a deprecated minor version (`catalogue.DEPRECATED_MINORS`), or ()."""
    minors = cat.DEPRECATED_MINORS.get(engine, {})
    target = minors.get(version)
    if target is None:
        return ()
    days = cat.DEPRECATION_DAYS[list(minors).index(version) % len(cat.DEPRECATION_DAYS)]
    forced = (base + timedelta(days=days)).date()
    return (PendingMaintenance(
        action="db-upgrade", description=f"Minor version {version} is deprecated: automatic upgrade to {target}",
        auto_applied_after=(base + timedelta(days=max(7, days - 14))).date(), forced_apply_date=forced,
    ),)  # fmt: skip


class DatabaseFactory:
    """Builds DB instances and clusters from one random stream; see the module docstring."""

    def __init__(self, rng: random.Random, org: Organisation, network: Network, base: datetime) -> None:
        self.rng = rng
        self.org = org
        self.network = network
        self.base = base
        self.names: dict[str, int] = {}

    def build(self, scale: int, step: Callable[[], None] = lambda: None) -> tuple[list[DBInstance], list[DBCluster]]:
        """`scale` DB instances (Aurora members included); `step()` runs every 1,024 units (it may raise to stop)."""
        instances: list[DBInstance] = []
        clusters: list[DBCluster] = []
        engines = tuple(cat.ENGINE_WEIGHTS)
        unit = 0
        while len(instances) < scale:
            forced_engine = engines[unit] if unit < len(engines) else None
            showcase = unit - len(engines)
            forced_exposure = SHOWCASE_EXPOSURES[showcase] if 0 <= showcase < len(SHOWCASE_EXPOSURES) else None
            s = self._unit(forced_engine, forced_exposure)
            if s.engine in cat.AURORA_ENGINES:
                count = min(MEMBER_COUNTS(self.rng), scale - len(instances))
                cluster, members = self._cluster(s, count)
                clusters.append(cluster)
                instances.extend(members)
            else:
                instances.append(self._standalone(s))
            unit += 1
            if not unit % 1024:
                step()
        return instances, clusters

    # -- shared draws ---------------------------------------------------------------------------------

    def _risks(self, env_index: int) -> frozenset[str]:
        random_ = self.rng.random
        return frozenset([name for name, rate in RISKS[env_index] if random_() < rate])

    def _identifier(self, base: str) -> str:
        n = self.names.get(base, 0) + 1
        self.names[base] = n
        return f"{base}-{n:02d}"

    def _unit(self, forced_engine: str | None, forced_exposure: str | None) -> UnitDraw:
        rng, org = self.rng, self.org
        app, team = org.applications(rng)
        env = org.environments(rng)
        env_index = cat.ENVIRONMENTS.index(env)
        engine = forced_engine or (org.primary_engine[app] if rng.random() < 0.55 else ENGINES(rng))
        family = compatible_engine(engine)
        account = org.account_by_env[env].id
        region = org.regions[env](rng)
        net = self.network.region(account, region)
        risks = self._risks(env_index)
        exposure = forced_exposure or EXPOSURES[env_index](rng)
        port = default_port(engine)
        if "default_port" not in risks:
            customs = cat.CUSTOM_PORTS[family]
            port = one_of(rng, customs)
        access: DbAccess = "internal"
        tier: SubnetTier = "db"
        if exposure in ("exposed", "open_sg_private"):
            access = self.network.open_access(rng)
        elif exposure == "public_closed_sg":
            access = "office"
        if exposure in ("exposed", "public_closed_sg"):
            tier = "public"
        groups = (self.network.db_group(net, team.name, port, access),)
        if rng.random() < 0.2:
            groups += (self.network.default_group(net),)
        kms = None if "unencrypted" in risks else net.kms_keys[0 if rng.random() < 0.6 else 1]
        labels = org.labels(rng, env, team, app, untagged_team="untagged_team" in risks)
        return UnitDraw(
            env=env,
            env_index=env_index,
            account=account,
            region=region,
            team=team,
            app=app,
            engine=engine,
            family=family,
            version=VERSIONS[engine](rng),
            labels=labels,
            risks=risks,
            exposure=exposure,
            net=net,
            port=port,
            security_groups=groups,
            subnet_ids=net.subnet_ids(tier),
            kms_key=kms,
            created_at=days_ago(rng, self.base, 20, 2600),
        )

    def _master_username(self, s: UnitDraw) -> str:
        if "default_master" in s.risks:
            names = cat.DEFAULT_MASTER_USERNAMES[s.family]
            return one_of(self.rng, names)
        stem = s.app.replace("-", "_")
        return one_of(self.rng, (f"{stem}_admin", f"dba_{stem}", f"{stem}_owner", "dbadmin"))

    def _backup_days(self, s: UnitDraw, minimum: int = 0) -> int:
        if "no_backup" in s.risks:
            return minimum
        if "short_backup" in s.risks:
            return max(1, minimum) + below(self.rng, 7 - max(1, minimum))
        return RETENTION(self.rng)

    def _log_exports(self, engine_or_family: str, s: UnitDraw) -> tuple[str, ...]:
        if "no_log_exports" in s.risks:
            return ()
        kinds = cat.LOG_TYPES[engine_or_family]
        return kinds[: 1 + below(self.rng, len(kinds))]

    def _lifecycle(self, s: UnitDraw) -> str | None:
        if s.engine not in cat.LIFECYCLE_SUPPORT_ENGINES:
            return None
        # Opting out only matters before standard support ends: past that date RDS upgrades such instances.
        ends = end_of_standard_support(s.engine, s.version)
        disabled = "extended_support_disabled" in s.risks and (ends is None or ends >= self.base.date())
        return "open-source-rds-extended-support-disabled" if disabled else "open-source-rds-extended-support"

    def _iam_auth(self, s: UnitDraw) -> bool:
        return s.family not in NO_IAM_AUTH_ENGINES and "no_iam_auth" not in s.risks

    # -- records --------------------------------------------------------------------------------------

    def _instance(
        self,
        s: UnitDraw,
        identifier: str,
        instance_class: str,
        az: str,
        *,
        cluster: DBCluster | None = None,
        storage: tuple[str, int, int | None, int | None, int | None] | None = None,
    ) -> DBInstance:
        """One DB instance; `cluster` for an Aurora member, else `storage` = (type, GB, max GB, iops, MBps)."""
        rng, risks = self.rng, s.risks
        facts = classes.lookup(instance_class)
        assert facts is not None, instance_class
        stopped = "stopped" in risks
        if cluster is not None:
            storage_type, allocated, max_allocated, iops, throughput = cluster.storage_type, 1, None, None, None
        else:
            assert storage is not None
            storage_type, allocated, max_allocated, iops, throughput = storage
        util = (
            NO_DATA
            if stopped
            else draw_utilisation(
                rng,
                load_profile(rng, s.env_index),
                memory_gib=facts.memory_gib,
                storage_type=storage_type,
                allocated_gb=allocated,
                aurora=cluster is not None,
                provisioned_iops=iops,
            )
        )
        old_ca = "old_ca" in risks and s.created_at.date() < OLD_CA_LAST_DEFAULT  # later ones never had it
        ca, ca_valid = OLD_CA if old_ca else CA_PICK(rng)
        licences = cat.LICENSE_MODELS[s.engine]
        return DBInstance(
            **s.labels.fields(s.account, s.region),
            identifier=identifier,
            arn=f"arn:aws:rds:{s.region}:{s.account}:db:{identifier}",
            engine=s.engine,
            engine_version=s.version,
            instance_class=instance_class,
            status="stopped" if stopped else "available",
            cluster=cluster.identifier if cluster else None,
            multi_az=cluster is None and s.engine not in SINGLE_AZ_ENGINES and "single_az" not in risks,
            storage_encrypted=s.kms_key is not None,
            kms_key_id=s.kms_key,
            publicly_accessible=s.exposure in ("exposed", "public_closed_sg", "public_private_subnet"),
            storage_type=storage_type,
            allocated_gb=allocated,
            max_allocated_gb=max_allocated,
            iops=iops,
            storage_throughput=throughput,
            backup_retention_days=cluster.backup_retention_days if cluster else self._backup_days(s),
            deletion_protection=cluster.deletion_protection if cluster else "no_deletion_protection" not in risks,
            iam_auth=cluster.iam_auth if cluster else self._iam_auth(s),
            auto_minor_version_upgrade="no_auto_minor_upgrade" not in risks,
            master_username=cluster.master_username if cluster else self._master_username(s),
            monitoring_interval=0 if "no_enhanced_monitoring" in risks else MONITORING(rng),
            performance_insights="no_performance_insights" not in risks,
            log_exports=cluster.log_exports if cluster else self._log_exports(s.family, s),
            copy_tags_to_snapshot=cluster.copy_tags_to_snapshot if cluster else "no_copy_tags" not in risks,
            port=s.port,
            ca_certificate=ca,
            ca_certificate_valid_till=ca_valid,
            license_model=one_of(rng, licences),
            security_groups=s.security_groups,
            subnet_ids=s.subnet_ids,
            vpc_id=s.net.vpc_id,
            availability_zone=az,
            created_at=cluster.created_at if cluster else s.created_at,
            engine_lifecycle_support=self._lifecycle(s),
            pending_maintenance=() if cluster is not None else deprecation_upgrade(s.engine, s.version, self.base),
            utilisation=util,
        )

    def _storage(self, s: UnitDraw) -> tuple[str, int, int | None, int | None, int | None]:
        """(storage type, allocated GB, autoscaling max GB, provisioned IOPS, throughput MBps)."""
        rng = self.rng
        kind = STORAGE_TYPES[s.env_index](rng)
        iops = throughput = None
        if kind in ("io1", "io2"):
            allocated = IO_SIZES(rng)
            iops = max(1000, min(IO_IOPS(rng), allocated * (50 if kind == "io1" else 500)))
        else:
            allocated = GP_SIZES(rng)
            if kind == "gp3":
                threshold = {"sqlserver": None, "oracle": 200}.get(s.family, 400)
                if threshold is None or allocated < threshold:
                    iops, throughput = 3000, 125
                elif rng.random() < 0.2:  # provisioned above the baseline
                    iops, throughput = (16000, 1000) if rng.random() < 0.5 else (20000, 750)
                else:
                    iops, throughput = 12000, 500
        max_allocated = allocated * one_of(rng, (2, 3, 5)) if rng.random() < 0.5 else None
        return kind, allocated, max_allocated, iops, throughput

    def _standalone(self, s: UnitDraw) -> DBInstance:
        identifier = self._identifier(f"{s.app}-{cat.ENGINE_ABBREVIATIONS[s.engine]}-{cat.ENV_ABBREVIATIONS[s.env]}")
        az = f"{s.region}{one_of(self.rng, 'abc')}"
        return self._instance(s, identifier, class_pick(s.engine, s.env)(self.rng), az, storage=self._storage(s))

    def _cluster(self, s: UnitDraw, count: int) -> tuple[DBCluster, list[DBInstance]]:
        rng = self.rng
        identifier = self._identifier(f"{s.app}-{cat.ENGINE_ABBREVIATIONS[s.engine]}-{cat.ENV_ABBREVIATIONS[s.env]}")
        member_ids = [f"{identifier}-instance-{k}" for k in range(1, count + 1)]
        optimised = s.env == "production" and rng.random() < 0.12
        cluster = DBCluster(
            **s.labels.fields(s.account, s.region),
            identifier=identifier,
            arn=f"arn:aws:rds:{s.region}:{s.account}:cluster:{identifier}",
            engine=s.engine,
            engine_version=s.version,
            status="stopped" if "stopped" in s.risks else "available",
            members=tuple(ClusterMember(mid, k == 0) for k, mid in enumerate(member_ids)),
            multi_az=count > 1,
            storage_encrypted=s.kms_key is not None,
            kms_key_id=s.kms_key,
            storage_type="aurora-iopt1" if optimised else "aurora",
            allocated_gb=AURORA_USED_GB(rng),
            backup_retention_days=self._backup_days(s, minimum=1),
            deletion_protection="no_deletion_protection" not in s.risks,
            iam_auth=self._iam_auth(s),
            master_username=self._master_username(s),
            port=s.port,
            log_exports=self._log_exports(s.engine, s),
            copy_tags_to_snapshot="no_copy_tags" not in s.risks,
            security_groups=s.security_groups,
            subnet_ids=s.subnet_ids,
            vpc_id=s.net.vpc_id,
            created_at=s.created_at,
            engine_lifecycle_support=self._lifecycle(s),
            pending_maintenance=deprecation_upgrade(s.engine, s.version, self.base),
        )
        writer_class = class_pick(s.engine, s.env)(rng)
        start = below(rng, 3)
        members = [
            self._instance(
                s,
                mid,
                writer_class if k == 0 or rng.random() < 0.7 else class_pick(s.engine, s.env)(rng),
                f"{s.region}{'abc'[(start + k) % 3]}",
                cluster=cluster,
            )
            for k, mid in enumerate(member_ids)
        ]
        return cluster, members
