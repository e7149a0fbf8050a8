"""VPCs, subnets, security groups and KMS keys per account and region, created as resources ask for them.

Each account-region has one VPC over three availability zones with public subnets (routed to an internet
gateway), private application subnets and private database subnets. Security groups are shared by team:
database groups admit the team's application group and 10.0.0.0/8 on the DB port; a minority are open
to 0.0.0.0/0 or ::/0, or restricted to an office range.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from awsinv_mcp.inventory.synthetic import catalogue as cat
from awsinv_mcp.inventory.synthetic.draw import hex_id, key_uuid, stream
from awsinv_mcp.models.inventory import IngressRule, SecurityGroup, Subnet

DbAccess = Literal["internal", "office", "open-ipv4", "open-ipv6", "open-all"]
SubnetTier = Literal["public", "app", "db"]


@dataclass
class RegionNetwork:
    account: str
    region: str
    vpc_id: str
    subnets: dict[SubnetTier, tuple[Subnet, ...]]
    kms_keys: tuple[str, ...]  # key ARNs: customer-managed first, then the aws/rds-style key
    groups: dict[str, SecurityGroup] = field(default_factory=dict)  # by name
    tier_ids: dict[SubnetTier, tuple[str, ...]] = field(default_factory=dict)
    db_groups: dict[tuple[str, int, str], str] = field(default_factory=dict)  # (team, port, access) -> id

    def __post_init__(self) -> None:
        self.tier_ids = {tier: tuple(s.id for s in subnets) for tier, subnets in self.subnets.items()}

    def subnet_ids(self, tier: SubnetTier) -> tuple[str, ...]:
        return self.tier_ids[tier]


class Network:
    """All networking of the estate; `region(account, region)` creates an account-region on first use."""

    def __init__(self, seed: int) -> None:
        self._rng = stream(seed, "network")
        self._regions: dict[tuple[str, str], RegionNetwork] = {}

    def region(self, account: str, region: str) -> RegionNetwork:
        key = (account, region)
        net = self._regions.get(key)
        if net is None:
            net = self._regions[key] = self._build(account, region)
        return net

    def _build(self, account: str, region: str) -> RegionNetwork:
        rng = self._rng
        vpc = hex_id(rng, "vpc")
        subnets: dict[SubnetTier, tuple[Subnet, ...]] = {
            tier: tuple(
                Subnet(hex_id(rng, "subnet"), account, region, vpc, tier == "public", f"{region}{az}") for az in "abc"
            )
            for tier in ("public", "app", "db")
        }
        keys = tuple(f"arn:aws:kms:{region}:{account}:key/{key_uuid(rng)}" for _ in range(2))
        net = RegionNetwork(account, region, vpc, subnets, keys)
        self._group(net, "default", lambda gid: (IngressRule("-1", None, None, source_groups=(gid,)),))
        return net

    def _group(self, net: RegionNetwork, name: str, rules: Callable[[str], tuple[IngressRule, ...]]) -> str:
        group = net.groups.get(name)
        if group is None:
            gid = hex_id(self._rng, "sg")
            group = net.groups[name] = SecurityGroup(gid, net.account, net.region, name, net.vpc_id, rules(gid))
        return group.id

    def default_group(self, net: RegionNetwork) -> str:
        return net.groups["default"].id

    def web_group(self, net: RegionNetwork, team: str) -> str:
        """HTTP(S) open to the world: normal for load-balanced web tiers."""
        return self._group(
            net,
            f"{team}-web",
            lambda _: (
                IngressRule("tcp", 443, 443, ("0.0.0.0/0",), ("::/0",)),
                IngressRule("tcp", 80, 80, ("0.0.0.0/0",), ("::/0",)),
            ),
        )

    def app_group(self, net: RegionNetwork, team: str) -> str:
        """The team's application servers: reachable from its web tier and the internal network."""
        web = self.web_group(net, team)
        return self._group(
            net, f"{team}-app", lambda _: (IngressRule("tcp", 8080, 8443, cat.INTERNAL_CIDRS, source_groups=(web,)),)
        )

    def ssh_group(self, net: RegionNetwork, *, open_to_world: bool) -> str:
        if open_to_world:
            return self._group(net, "ssh-anywhere", lambda _: (IngressRule("tcp", 22, 22, ("0.0.0.0/0",)),))
        return self._group(net, "ssh-office", lambda _: (IngressRule("tcp", 22, 22, cat.OFFICE_CIDRS),))

    def db_group(self, net: RegionNetwork, team: str, port: int, access: DbAccess) -> str:
        """The team's database group for `port`; `access` says who else besides the app tier gets in."""
        known = net.db_groups.get((team, port, access))
        if known is not None:
            return known
        app = self.app_group(net, team)

        def rules(_: str) -> tuple[IngressRule, ...]:
            internal = IngressRule("tcp", port, port, cat.INTERNAL_CIDRS, source_groups=(app,))
            extra = {
                "internal": (),
                "office": (IngressRule("tcp", port, port, cat.OFFICE_CIDRS),),
                "open-ipv4": (IngressRule("tcp", port, port, ("0.0.0.0/0",)),),
                "open-ipv6": (IngressRule("tcp", port, port, (), ("::/0",)),),
                "open-all": (IngressRule("-1", None, None, ("0.0.0.0/0",)),),
            }[access]
            return (internal, *extra)

        suffix = "" if access == "internal" else f"-{access}"
        gid = net.db_groups[(team, port, access)] = self._group(net, f"{team}-db-{port}{suffix}", rules)
        return gid

    def open_access(self, rng: random.Random) -> DbAccess:
        """How a group open to the internet is open (mostly IPv4 on the port)."""
        roll = rng.random()
        return "open-ipv4" if roll < 0.7 else "open-ipv6" if roll < 0.9 else "open-all"

    def subnets(self) -> tuple[Subnet, ...]:
        return tuple(s for net in self._regions.values() for tier in net.subnets.values() for s in tier)

    def security_groups(self) -> tuple[SecurityGroup, ...]:
        return tuple(g for net in self._regions.values() for g in net.groups.values())
