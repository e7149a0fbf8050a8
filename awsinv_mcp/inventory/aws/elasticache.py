"""ElastiCache collector for one account and region: Redis OSS / Valkey replication groups, and the cache clusters
that belong to none (Memcached, standalone Redis), with their subnet groups and tags.

The `*_record` functions are pure: one API dict (plus what other calls said about it) in, one record out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from awsinv_mcp.config import Settings
from awsinv_mcp.inventory import kinds
from awsinv_mcp.inventory.aws.context import Scope
from awsinv_mcp.inventory.aws.tags import labels, tag_dict
from awsinv_mcp.models.inventory import CacheCluster

SubnetGroups = Mapping[str, tuple[tuple[str, ...], str | None]]
"""cache subnet group name -> (subnet ids, vpc id)"""


def subnet_groups_map(raw: list[dict[str, Any]]) -> dict[str, tuple[tuple[str, ...], str | None]]:
    return {
        g["CacheSubnetGroupName"]: (
            tuple(s["SubnetIdentifier"] for s in g.get("Subnets") or () if s.get("SubnetIdentifier")),
            g.get("VpcId"),
        )
        for g in raw
        if g.get("CacheSubnetGroupName")
    }


def _enabled(value: Any) -> bool:
    """ElastiCache says 'enabled' / 'enabling' / 'disabled' (or a bool)."""
    return value is True or str(value).lower() in ("enabled", "enabling", "true")


def _security_groups(cluster: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(g["SecurityGroupId"] for g in cluster.get("SecurityGroups") or () if g.get("SecurityGroupId"))


def _network(group: str | None, subnet_groups: SubnetGroups) -> tuple[tuple[str, ...], str | None]:
    """(subnet ids, vpc id) of a cache subnet group by name."""
    return subnet_groups.get(group, ((), None)) if group else ((), None)


def replication_group_record(
    raw: dict[str, Any],
    *,
    account: str,
    region: str,
    settings: Settings,
    members: Mapping[str, dict[str, Any]],
    subnet_groups: SubnetGroups,
    tags: dict[str, str],
) -> CacheCluster:
    """A Redis OSS / Valkey replication group; engine version, network and upgrade settings come from its member
    clusters (`members`: the DescribeCacheClusters answers by cache cluster id)."""
    member_ids = tuple(raw.get("MemberClusters") or ())
    seen = [members[m] for m in member_ids if m in members]
    first = seen[0] if seen else {}
    group = first.get("CacheSubnetGroupName")
    subnets, vpc = _network(group, subnet_groups)
    endpoint = (raw.get("ConfigurationEndpoint") or {}) or next(
        (g.get("PrimaryEndpoint") or {} for g in raw.get("NodeGroups") or ()), {}
    )
    return CacheCluster(
        account=account,
        region=region,
        tags=tags,
        **labels(tags, settings),
        identifier=raw["ReplicationGroupId"],
        arn=raw.get("ARN", ""),
        engine=str(raw.get("Engine") or first.get("Engine") or "redis").lower(),
        engine_version=str(first.get("EngineVersion") or ""),
        node_type=raw.get("CacheNodeType") or first.get("CacheNodeType", ""),
        status=raw.get("Status", "available"),
        replication_group=True,
        members=member_ids,
        nodes=len(member_ids) or 1,
        shards=len(raw.get("NodeGroups") or ()) or 1,
        cluster_mode=bool(raw.get("ClusterEnabled")),
        multi_az=_enabled(raw.get("MultiAZ")),
        automatic_failover=_enabled(raw.get("AutomaticFailover")),
        transit_encryption=bool(raw.get("TransitEncryptionEnabled")),
        at_rest_encryption=bool(raw.get("AtRestEncryptionEnabled")),
        kms_key_id=raw.get("KmsKeyId"),
        auth_token=bool(raw.get("AuthTokenEnabled")),
        user_groups=tuple(raw.get("UserGroupIds") or ()),
        snapshot_retention_days=int(raw.get("SnapshotRetentionLimit") or 0),
        auto_minor_version_upgrade=bool(raw.get("AutoMinorVersionUpgrade", first.get("AutoMinorVersionUpgrade", True))),
        port=endpoint.get("Port"),
        subnet_group=group,
        subnet_ids=subnets,
        security_groups=_security_groups(first),
        vpc_id=vpc,
        created_at=raw.get("ReplicationGroupCreateTime"),
    )


def cache_cluster_record(
    raw: dict[str, Any], *, account: str, region: str, settings: Settings, subnet_groups: SubnetGroups,
    tags: dict[str, str],
) -> CacheCluster:  # fmt: skip
    """A cache cluster of no replication group: Memcached, or a standalone Redis OSS / Valkey node."""
    group = raw.get("CacheSubnetGroupName")
    subnets, vpc = _network(group, subnet_groups)
    endpoint = raw.get("ConfigurationEndpoint") or next(
        (n.get("Endpoint") or {} for n in raw.get("CacheNodes") or ()), {}
    )
    nodes = int(raw.get("NumCacheNodes") or 1)
    return CacheCluster(
        account=account,
        region=region,
        tags=tags,
        **labels(tags, settings),
        identifier=raw["CacheClusterId"],
        arn=raw.get("ARN", ""),
        engine=str(raw.get("Engine") or "").lower(),
        engine_version=str(raw.get("EngineVersion") or ""),
        node_type=raw.get("CacheNodeType", ""),
        status=raw.get("CacheClusterStatus", "available"),
        nodes=nodes,
        multi_az=nodes > 1 and str(raw.get("AZMode") or "").lower() == "cross-az",
        transit_encryption=bool(raw.get("TransitEncryptionEnabled")),
        at_rest_encryption=bool(raw.get("AtRestEncryptionEnabled")),
        auth_token=bool(raw.get("AuthTokenEnabled")),
        snapshot_retention_days=int(raw.get("SnapshotRetentionLimit") or 0),
        auto_minor_version_upgrade=bool(raw.get("AutoMinorVersionUpgrade", True)),
        port=endpoint.get("Port"),
        subnet_group=group,
        subnet_ids=subnets,
        security_groups=_security_groups(raw),
        vpc_id=vpc,
        created_at=raw.get("CacheClusterCreateTime"),
    )


def collect_caches(scope: Scope) -> None:
    """Subnet groups, cache clusters and replication groups of one account-region, each with its tags."""
    account, region, settings = scope.account, scope.region or "", scope.settings
    fetch = scope.fetch_pages
    groups = subnet_groups_map(
        fetch("elasticache:DescribeCacheSubnetGroups", "elasticache", "describe_cache_subnet_groups",
              "CacheSubnetGroups") or []
    )  # fmt: skip
    clusters = (
        fetch("elasticache:DescribeCacheClusters", "elasticache", "describe_cache_clusters", "CacheClusters",
              ShowCacheNodeInfo=True) or []
    )  # fmt: skip
    replication = (
        fetch("elasticache:DescribeReplicationGroups", "elasticache", "describe_replication_groups",
              "ReplicationGroups") or []
    )  # fmt: skip
    by_id = {c["CacheClusterId"]: c for c in clusters if c.get("CacheClusterId")}
    client = scope.client("elasticache")

    def tags_of(arn: str) -> dict[str, str]:
        if not arn:
            return {}
        listed = scope.fetch(
            "elasticache:ListTagsForResource", lambda: client.list_tags_for_resource(ResourceName=arn), {}
        )
        return tag_dict(listed.get("TagList"))

    records = [
        replication_group_record(r, account=account, region=region, settings=settings, members=by_id,
                                 subnet_groups=groups, tags=tags_of(r.get("ARN", "")))
        for r in replication
    ]  # fmt: skip
    records += [
        cache_cluster_record(c, account=account, region=region, settings=settings, subnet_groups=groups,
                             tags=tags_of(c.get("ARN", "")))
        for c in clusters
        if not c.get("ReplicationGroupId")
    ]  # fmt: skip
    scope.results.add(kinds.CACHE_CLUSTER, records)
