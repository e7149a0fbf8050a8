"""Network reachability facts derived from the snapshot (public subnets, security groups open to the internet)."""

from __future__ import annotations

from awsinv_mcp.engine_versions import default_port
from awsinv_mcp.models.inventory import DBInstance, SecurityGroup, Snapshot


def open_groups(snap: Snapshot, account: str, region: str, group_ids: tuple[str, ...], port: int) -> list[str]:
    """Ids of the groups among `group_ids` that admit 0.0.0.0/0 or ::/0 on TCP `port`."""
    found = []
    for gid in group_ids:
        group: SecurityGroup | None = snap.security_groups_by_id.get((account, region, gid))
        if group is not None and group.open_ports_to_internet(port):
            found.append(gid)
    return found


def in_public_subnet(snap: Snapshot, account: str, region: str, subnet_ids: tuple[str, ...]) -> bool:
    """True when any of the subnets routes 0.0.0.0/0 to an internet gateway."""
    subnets = snap.subnets_by_id
    return any((s := subnets.get((account, region, sid))) is not None and s.public for sid in subnet_ids)


def internet_exposed(snap: Snapshot, db: DBInstance) -> bool:
    """Publicly accessible, in a public subnet, and a security group open to the internet on its port."""
    if not db.publicly_accessible:
        return False
    port = db.port or default_port(db.engine)
    if port is None:
        return False
    return in_public_subnet(snap, db.account, db.region, db.subnet_ids) and bool(
        open_groups(snap, db.account, db.region, db.security_groups, port)
    )
