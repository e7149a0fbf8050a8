"""EC2 instances with their EBS volumes, including self-managed database hosts.

Web tiers and bastions sit in public subnets; application servers in private ones. About one in eleven
instances is a database host (`database_host`), most tagged `Role=database`, some known only by the DB
port their security group opens; a few open that port to the internet. A few volumes are unattached.
"""

from __future__ import annotations

import random
from datetime import datetime

from awsinv_mcp.engine_versions import default_port
from awsinv_mcp.inventory.synthetic import catalogue as cat
from awsinv_mcp.inventory.synthetic.draw import Pick, below, days_ago, hex_id, one_of
from awsinv_mcp.inventory.synthetic.network import DbAccess, Network
from awsinv_mcp.inventory.synthetic.organisation import Organisation
from awsinv_mcp.models.inventory import EC2Instance, Volume

TYPES = Pick(cat.EC2_TYPES)
DB_TYPES = Pick(cat.EC2_DB_TYPES)
ROLES = Pick(cat.EC2_ROLES)
DB_ENGINES = Pick(cat.EC2_DATABASE_ENGINES)
DB_HOST_RATE = 0.09
DB_HOST_ACCESS: Pick[DbAccess] = Pick((("internal", 80), ("open-ipv4", 12), ("office", 8)))
ROOT_SIZES = (8, 20, 30, 50, 100)
DATA_TYPES = Pick((("gp3", 50), ("gp2", 25), ("io1", 15), ("io2", 5), ("st1", 5)))
STOPPED_RATE = (0.06, 0.12, 0.22)
IMDS_V1_RATE = (0.10, 0.25, 0.40)
UNENCRYPTED_VOLUME_RATE = (0.08, 0.15, 0.25)
UNATTACHED_VOLUME_RATE = 0.04
PUBLIC_ROLES = ("web", "bastion")


class ComputeFactory:
    def __init__(self, rng: random.Random, org: Organisation, network: Network, base: datetime) -> None:
        self.rng = rng
        self.org = org
        self.network = network
        self.base = base
        self.names: dict[str, int] = {}
        self.volumes: list[Volume] = []

    def _volume(self, account: str, region: str, env_index: int, kind: str, size: int, owner: str | None) -> str:
        rng = self.rng
        vid = hex_id(rng, "vol")
        iops = None
        if kind in ("io1", "io2"):
            iops = min(size * 50, one_of(rng, (3000, 5000, 10000, 16000)))
        elif kind == "gp3":
            iops = 3000
        encrypted = rng.random() >= UNENCRYPTED_VOLUME_RATE[env_index]
        self.volumes.append(Volume(vid, account, region, kind, size, encrypted, iops, owner))
        return vid

    def build(self, count: int) -> tuple[list[EC2Instance], list[Volume]]:
        """`count` instances; the first two are database hosts, the first one open to the internet."""
        showcase: tuple[DbAccess, ...] = ("open-ipv4", "internal")
        return [self._instance(showcase[i] if i < len(showcase) else None) for i in range(count)], self.volumes

    def _instance(self, forced_db_access: DbAccess | None) -> EC2Instance:
        rng, org, network = self.rng, self.org, self.network
        app, team = org.applications(rng)
        env = org.environments(rng)
        env_index = cat.ENVIRONMENTS.index(env)
        account = org.account_by_env[env].id
        region = org.regions[env](rng)
        net = network.region(account, region)
        db_engine = DB_ENGINES(rng) if rng.random() < DB_HOST_RATE or forced_db_access else None
        role = "db" if db_engine else ROLES(rng)
        tagged = rng.random() < 0.75 or forced_db_access == "open-ipv4"
        extra = {"Role": "database"} if db_engine and tagged else {} if db_engine else {"Role": role}
        base_name = f"{app}-{role}-{cat.ENV_ABBREVIATIONS[env]}"
        n = self.names[base_name] = self.names.get(base_name, 0) + 1
        name = f"{base_name}-{n:02d}"
        labels = org.labels(rng, env, team, app, Name=name, **extra)
        tier = "public" if role in PUBLIC_ROLES else "app"
        if db_engine:
            access = forced_db_access or DB_HOST_ACCESS(rng)
            port = default_port(db_engine)
            assert port is not None
            groups = (network.db_group(net, team.name, port, access), network.ssh_group(net, open_to_world=False))
            tier = "public" if access == "open-ipv4" else "db"
        elif role == "web":
            groups = (network.web_group(net, team.name),)
        elif role == "bastion":
            groups = (network.ssh_group(net, open_to_world=rng.random() < 0.3),)
        else:
            groups = (network.app_group(net, team.name),)
        subnets = net.subnets[tier]
        subnet = one_of(rng, subnets)
        running = rng.random() >= STOPPED_RATE[env_index] or forced_db_access is not None
        public_ip = None
        if running and subnet.public and (rng.random() < 0.85 or forced_db_access):
            public_ip = f"{one_of(rng, (3, 18, 34, 52, 54))}.{below(rng, 256)}.{below(rng, 256)}.{1 + below(rng, 254)}"
        instance_id = hex_id(rng, "i")
        volumes = [self._volume(account, region, env_index, "gp3" if rng.random() < 0.6 else "gp2",
                                one_of(rng, ROOT_SIZES), instance_id)]  # fmt: skip
        if db_engine or rng.random() < 0.3:
            size = one_of(rng, (200, 500, 1000, 2000, 4000) if db_engine else (50, 100, 200, 500))
            volumes.append(self._volume(account, region, env_index, DATA_TYPES(rng), size, instance_id))
        if rng.random() < UNATTACHED_VOLUME_RATE:
            self._volume(account, region, env_index, "gp2", one_of(rng, (100, 200, 500)), None)
        return EC2Instance(
            **labels.fields(account, region),
            identifier=instance_id,
            name=name,
            arn=f"arn:aws:ec2:{region}:{account}:instance/{instance_id}",
            instance_type=DB_TYPES(rng) if db_engine else TYPES(rng),
            state="running" if running else "stopped",
            public_ip=public_ip,
            imds_v2_required=rng.random() >= IMDS_V1_RATE[env_index],
            database_host=db_engine is not None,
            database_engine=db_engine,
            security_groups=groups,
            subnet_id=subnet.id,
            vpc_id=net.vpc_id,
            volume_ids=tuple(volumes),
            launched_at=days_ago(rng, self.base, 1, 900),
            platform="windows" if db_engine == "sqlserver" or (not db_engine and rng.random() < 0.05) else None,
        )
