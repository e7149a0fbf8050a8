"""Security rules for EC2 instances (self-managed database hosts rank one level higher) and their volumes."""

from __future__ import annotations

from collections.abc import Iterator

from awsinv_mcp.analysis.catalogue import RULES, AnalysisContext, Evidence, Hit, resource_rule, rule
from awsinv_mcp.inventory.network import host_in_public_subnet, host_open_groups
from awsinv_mcp.models.findings import Finding, raise_severity
from awsinv_mcp.models.inventory import EC2Instance, Snapshot

# Prowler's ec2_instance_port_<name>_exposed_to_internet checks and the ports each one inspects.
DB_PORT_CHECKS: dict[str, tuple[str, tuple[int, ...]]] = {
    "postgresql": ("PostgreSQL", (5432,)),
    "mysql": ("MySQL/MariaDB", (3306,)),
    "sqlserver": ("SQL Server", (1433, 1434)),
    "oracle": ("Oracle", (1521, 2483, 2484)),
    "mongodb": ("MongoDB", (27017, 27018)),
    "redis": ("Redis", (6379,)),
}
HOST_NOTE = "Database hosts (a self-managed database runs there) rank one severity level higher."


def live(host: EC2Instance) -> bool:
    return host.state not in ("terminated", "shutting-down")


def ranked(rule_id: str, host: EC2Instance, evidence: Evidence) -> Hit:
    evidence["database_host"] = host.database_host
    if host.database_host:
        return evidence, raise_severity(RULES[rule_id].severity)
    return evidence


def register_port_rule(name: str, label: str, ports: tuple[int, ...]) -> None:
    """One rule per Prowler port check, graded like Prowler: medium without a public IP, high with one in a
    private subnet, critical with one in a public subnet."""
    rule_id = f"ec2.port_{name}_exposed"
    port_list = ",".join(map(str, ports))

    @resource_rule(
        rule_id, resource_type="ec2_instance", category="security", severity="high",
        title=f"{label} port open to the internet on an EC2 instance",
        rationale=f"A security group admits 0.0.0.0/0 or ::/0 on {label} port(s) {port_list}: the database "
        "listener is one step from anyone who finds it.",
        remediation="Console: EC2 > Security groups > the group > Edit inbound rules: replace 0.0.0.0/0 and ::/0 "
        f"with the application's security group. CLI: aws ec2 revoke-security-group-ingress --group-id <sg> "
        f"--protocol tcp --port {ports[0]} --cidr 0.0.0.0/0",
        prowler_check=f"ec2_instance_port_{name}_exposed_to_internet",
        notes="Severity as Prowler grades it: medium (no public IP), high (public IP, private subnet), "
        "critical (public IP and public subnet).",
    )  # fmt: skip
    def check(host: EC2Instance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
        if not live(host) or not host.security_groups:
            return None
        opened = host_open_groups(snap, host, ports)
        if not opened:
            return None
        public_subnet = host_in_public_subnet(snap, host)
        severity = "medium" if not host.public_ip else ("critical" if public_subnet else "high")
        groups = sorted({g for gs in opened.values() for g in gs})
        return {"ports": sorted(opened), "open_security_groups": groups, "public_ip": host.public_ip,
                "public_subnet": public_subnet, "database_host": host.database_host}, severity  # fmt: skip


for _name, (_label, _ports) in DB_PORT_CHECKS.items():
    register_port_rule(_name, _label, _ports)


@resource_rule(
    "ec2.public_ip", resource_type="ec2_instance", category="security", severity="low",
    title="EC2 instance has a public IP address",
    rationale="A public address makes the instance directly reachable whenever a security group allows it.",
    remediation="Console: EC2 > Elastic IPs > Disassociate, and launch into a private subnet behind a load balancer "
    "(SSM Session Manager for admin access). CLI: aws ec2 disassociate-address --association-id <assoc>; aws ec2 "
    "modify-subnet-attribute --subnet-id <subnet> --no-map-public-ip-on-launch",
    prowler_check="ec2_instance_public_ip", notes=HOST_NOTE,
)  # fmt: skip
def public_ip(host: EC2Instance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if not host.public_ip or not live(host):
        return None
    return ranked("ec2.public_ip", host, {"public_ip": host.public_ip})


@resource_rule(
    "ec2.imdsv2", resource_type="ec2_instance", category="security", severity="medium",
    title="EC2 instance allows IMDSv1",
    rationale="IMDSv1 answers unauthenticated GETs: an SSRF bug leaks the instance role's credentials.",
    remediation="Console: the instance > Actions > Instance settings > Modify instance metadata options > IMDSv2 "
    "Required. CLI: aws ec2 modify-instance-metadata-options --instance-id <id> --http-tokens required "
    "--http-endpoint enabled",
    prowler_check="ec2_instance_imdsv2_enabled", notes=HOST_NOTE,
)  # fmt: skip
def imdsv2(host: EC2Instance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if host.imds_v2_required or not live(host):
        return None
    return ranked("ec2.imdsv2", host, {"http_tokens": "optional"})


@rule(
    "ec2.ebs_encryption", category="security", severity="medium",
    title="EBS volume is not encrypted",
    rationale="Unencrypted volumes and their snapshots hold the data in plain text at rest.",
    resource_types=("ebs_volume",),
    remediation="Console: EC2 > Snapshots > Copy snapshot with Encrypt ticked, create a volume from it and swap it "
    "in; EC2 > Settings > EBS encryption: always encrypt. CLI: aws ec2 copy-snapshot --source-snapshot-id <snap> "
    "--source-region <region> --encrypted --kms-key-id <key>; aws ec2 enable-ebs-encryption-by-default",
    prowler_check="ec2_ebs_volume_encryption",
    notes="One finding per volume; tags and environment come from the attached instance. " + HOST_NOTE,
)  # fmt: skip
def ebs_encryption(snap: Snapshot, ctx: AnalysisContext) -> Iterator[Finding]:
    this = RULES["ec2.ebs_encryption"]
    hosts = {(h.account, h.region, h.identifier): h for h in snap.ec2_instances}
    for vol in snap.volumes:
        if vol.encrypted:
            continue
        host = hosts.get((vol.account, vol.region, vol.instance_id)) if vol.instance_id else None
        db_host = bool(host and host.database_host)
        found = this.finding(
            host or vol, resource_type="ebs_volume", resource_id=vol.id,
            severity=raise_severity(this.severity) if db_host else None,
            evidence={"encrypted": False, "instance_id": vol.instance_id, "size_gb": vol.size_gb,
                      "database_host": db_host},
        )  # fmt: skip
        found.arn = f"arn:aws:ec2:{vol.region}:{vol.account}:volume/{vol.id}"
        yield found
