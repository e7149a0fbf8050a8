"""ElastiCache clusters: Redis OSS and Valkey replication groups (sessions, caches, queues) and Memcached clusters.

Production groups are mostly Multi-AZ with failover, encrypted, authenticated and backed up; staging and
development cut corners. A few carry the risks the rules look for: Redis OSS 5 past standard support, no
encryption in transit, no AUTH or access control, no backups, a subnet group in public subnets.
"""

from __future__ import annotations

import random
from datetime import datetime

from awsinv_mcp.inventory.synthetic import catalogue as cat
from awsinv_mcp.inventory.synthetic.draw import Pick, days_ago, one_of
from awsinv_mcp.inventory.synthetic.network import Network
from awsinv_mcp.inventory.synthetic.organisation import Organisation
from awsinv_mcp.models.inventory import CacheCluster

ENGINES = Pick((("redis", 55), ("valkey", 25), ("memcached", 20)))
VERSIONS = {
    "redis": Pick((("7.1.0", 40), ("7.0.7", 20), ("6.2.6", 22), ("5.0.6", 12), ("4.0.10", 6))),
    "valkey": Pick((("8.0.1", 60), ("7.2.6", 40))),
    "memcached": Pick((("1.6.22", 60), ("1.6.17", 30), ("1.5.16", 10))),
}
NODE_TYPES = {
    "production": Pick(
        (("cache.r7g.large", 35), ("cache.r6g.xlarge", 30), ("cache.m7g.large", 20), ("cache.r5.large", 15))
    ),
    "staging": Pick((("cache.t4g.medium", 50), ("cache.r6g.large", 30), ("cache.t3.medium", 20))),
    "development": Pick((("cache.t4g.micro", 45), ("cache.t4g.small", 35), ("cache.t3.micro", 20))),
}
PURPOSES = ("sessions", "cache", "queue", "ratelimit", "features")
# risk rates per environment (production, staging, development)
RISKS: dict[str, tuple[float, float, float]] = {
    "no_transit_encryption": (0.1, 0.4, 0.6),
    "no_rest_encryption": (0.05, 0.3, 0.5),
    "no_auth": (0.1, 0.4, 0.6),
    "no_backups": (0.1, 0.5, 0.8),
    "single_az": (0.15, 0.7, 0.95),
    "public_subnet": (0.02, 0.05, 0.08),
    "no_minor_upgrades": (0.1, 0.2, 0.2),
}
PORTS = {"redis": 6379, "valkey": 6379, "memcached": 11211}


def build_caches(
    rng: random.Random, org: Organisation, network: Network, base: datetime, count: int
) -> list[CacheCluster]:
    """`count` clusters; the first three cover every engine, and the first Redis OSS one runs 5.0 (past standard
    support) without encryption in transit, so every estate shows the risks."""
    engines = ENGINES.items
    names: dict[str, int] = {}
    found = []
    for i in range(count):
        engine = engines[i] if i < len(engines) else ENGINES(rng)
        version = "5.0.6" if i == 0 else VERSIONS[engine](rng)
        found.append(_cluster(rng, org, network, base, engine, version, names, showcase=i == 0))
    return found


def _cluster(
    rng: random.Random, org: Organisation, network: Network, base: datetime, engine: str, version: str,
    names: dict[str, int], *, showcase: bool,
) -> CacheCluster:  # fmt: skip
    app, team = org.applications(rng)
    env = org.environments(rng)
    account, region = org.account_by_env[env].id, org.regions[env](rng)
    net = network.region(account, region)
    risky = {risk for risk, rates in RISKS.items() if rng.random() < rates[cat.ENVIRONMENTS.index(env)]}
    if showcase:
        risky.add("no_transit_encryption")
    purpose = "cache" if engine == "memcached" else one_of(rng, PURPOSES)
    base_name = f"{app}-{purpose}-{cat.ENV_ABBREVIATIONS[env]}"
    n = names[base_name] = names.get(base_name, 0) + 1
    identifier = f"{base_name}-{n:02d}"
    replicated = engine != "memcached"
    before_acl = int(version.split(".")[0]) < 6  # Redis OSS before 6 has AUTH tokens only, no access lists
    single_az = "single_az" in risky
    nodes = (1 if single_az else rng.choice((2, 3))) if replicated else rng.choice((1, 2, 3))
    shards = rng.choice((1, 1, 1, 2, 3)) if replicated and env == "production" else 1
    secured = replicated and "no_auth" not in risky
    return CacheCluster(
        **org.labels(rng, env, team, app, Purpose=purpose).fields(account, region),
        identifier=identifier,
        arn=f"arn:aws:elasticache:{region}:{account}:{'replicationgroup' if replicated else 'cluster'}:{identifier}",
        engine=engine,
        engine_version=version,
        node_type=NODE_TYPES[env](rng),
        replication_group=replicated,
        members=tuple(f"{identifier}-{k:03d}" for k in range(1, nodes * shards + 1)) if replicated else (),
        nodes=nodes * shards,
        shards=shards,
        cluster_mode=shards > 1,
        multi_az=replicated and not single_az,
        automatic_failover=replicated and not single_az,
        transit_encryption="no_transit_encryption" not in risky,
        at_rest_encryption=replicated and "no_rest_encryption" not in risky,
        kms_key_id=net.kms_keys[0] if replicated and rng.random() < 0.4 else None,
        auth_token=secured and before_acl,
        user_groups=(f"{team.name}-users",) if secured and not before_acl else (),
        snapshot_retention_days=0 if "no_backups" in risky or not replicated else rng.choice((1, 5, 7, 14, 35)),
        auto_minor_version_upgrade="no_minor_upgrades" not in risky,
        port=PORTS[engine],
        subnet_group=f"{team.name}-cache",
        subnet_ids=net.subnet_ids("public" if "public_subnet" in risky else "db"),
        security_groups=(network.db_group(net, team.name, PORTS[engine], "internal"),),
        vpc_id=net.vpc_id,
        created_at=days_ago(rng, base, 20, 2000),
    )
