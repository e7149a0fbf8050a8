"""Network reachability of databases and hosts: the one home of "exposed to the internet".

`db_exposure` is what every tool and rule reads (`get_db_instance`, the list rows, `rds.internet_exposed`):
an Aurora / Multi-AZ cluster member whose own record lacks a port, security groups or subnets inherits its
cluster's, as AWS does. Pure functions over the snapshot and its lazily built indexes.
"""

from __future__ import annotations

from dataclasses import dataclass

from awsinv_mcp.engine_versions import default_port
from awsinv_mcp.models.inventory import DBInstance, EC2Instance, Snapshot


@dataclass(frozen=True, slots=True)
class Exposure:
    """Why a DB instance or host is (or is not) reachable from the internet."""

    port: int | None
    open_groups: tuple[str, ...]  # security groups admitting 0.0.0.0/0 or ::/0 on `port`
    public_subnets: tuple[str, ...]  # its subnets that route 0.0.0.0/0 to an internet gateway

    @property
    def reachable(self) -> bool:
        """An open group and a public subnet: the network lets the internet in (public access aside)."""
        return bool(self.open_groups and self.public_subnets)


def open_groups(snap: Snapshot, account: str, region: str, group_ids: tuple[str, ...], port: int) -> list[str]:
    """Ids of the groups among `group_ids` that admit 0.0.0.0/0 or ::/0 on TCP `port`."""
    ranges = snap.internet_ports
    return [g for g in group_ids if any(lo <= port <= hi for lo, hi in ranges.get((account, region, g), ()))]


def public_subnets(snap: Snapshot, account: str, region: str, subnet_ids: tuple[str, ...]) -> tuple[str, ...]:
    """The subnets among `subnet_ids` whose route table sends 0.0.0.0/0 to an internet gateway."""
    subnets = snap.subnets_by_id
    return tuple(sid for sid in subnet_ids if (s := subnets.get((account, region, sid))) is not None and s.public)


def db_network(snap: Snapshot, db: DBInstance) -> tuple[int | None, tuple[str, ...], tuple[str, ...]]:
    """Port, security groups and subnets of `db`; a cluster member missing them inherits its cluster's."""
    port, groups, subnets = db.port, db.security_groups, db.subnet_ids
    if db.cluster and not (port and groups and subnets):
        cluster = snap.clusters_by_key.get((db.account, db.region, db.cluster))
        if cluster is not None:
            port, groups, subnets = (
                port or cluster.port,
                groups or cluster.security_groups,
                subnets or cluster.subnet_ids,
            )
    return port or default_port(db.engine), groups, subnets


def db_exposure(snap: Snapshot, db: DBInstance) -> Exposure:
    """Exposure of a DB instance's endpoint network (whether or not it is PubliclyAccessible)."""
    port, groups, subnets = db_network(snap, db)
    opened = tuple(open_groups(snap, db.account, db.region, groups, port)) if port else ()
    return Exposure(port, opened, public_subnets(snap, db.account, db.region, subnets))


def internet_exposed(snap: Snapshot, db: DBInstance) -> bool:
    """Publicly accessible, in a public subnet, and a security group open to the internet on its port."""
    return db.publicly_accessible and db_exposure(snap, db).reachable


def host_open_groups(snap: Snapshot, host: EC2Instance, ports: tuple[int, ...]) -> dict[int, tuple[str, ...]]:
    """Port -> groups of `host` admitting the internet on it (ports with no open group are left out)."""
    ranges = snap.internet_ports
    found: dict[int, tuple[str, ...]] = {}
    for gid in host.security_groups:
        for lo, hi in ranges.get((host.account, host.region, gid), ()):
            for port in ports:
                if lo <= port <= hi and gid not in found.get(port, ()):
                    found[port] = (*found.get(port, ()), gid)
    return dict(sorted(found.items()))


def host_in_public_subnet(snap: Snapshot, host: EC2Instance) -> bool:
    return bool(host.subnet_id and public_subnets(snap, host.account, host.region, (host.subnet_id,)))
