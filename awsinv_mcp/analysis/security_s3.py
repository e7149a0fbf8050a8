"""Security rules for S3 buckets. Buckets holding backups or exports (database copies) rank one level higher."""

from __future__ import annotations

from awsinv_mcp.analysis.catalogue import RULES, AnalysisContext, Evidence, Hit, resource_rule
from awsinv_mcp.models.findings import raise_severity
from awsinv_mcp.models.inventory import S3Bucket, Snapshot

SENSITIVE_PURPOSES = frozenset({"backups", "backup", "exports", "export", "snapshots", "dumps"})
RANKING_NOTE = "Buckets whose purpose is backups or exports rank one severity level higher."


def ranked(rule_id: str, bucket: S3Bucket, evidence: Evidence) -> Hit:
    """`evidence` with the bucket's purpose; the severity raised for buckets holding database copies."""
    evidence["purpose"] = bucket.purpose
    if bucket.purpose and bucket.purpose.lower() in SENSITIVE_PURPOSES:
        return evidence, raise_severity(RULES[rule_id].severity)
    return evidence


@resource_rule(
    "s3.default_encryption", resource_type="s3_bucket", category="security", severity="medium",
    title="S3 bucket has no default encryption",
    rationale="Objects written without encryption sit in plain text at rest.",
    remediation="Console: the bucket > Properties > Default encryption > SSE-KMS (or SSE-S3). CLI: aws s3api "
    "put-bucket-encryption --bucket <name> --server-side-encryption-configuration "
    "'{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\"}}]}'",
    prowler_check="s3_bucket_default_encryption", notes=RANKING_NOTE,
)  # fmt: skip
def default_encryption(b: S3Bucket, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    return None if b.encrypted else ranked("s3.default_encryption", b, {"encryption": b.encryption})


@resource_rule(
    "s3.public_access_block", resource_type="s3_bucket", category="security", severity="medium",
    title="S3 Block Public Access is not fully on",
    rationale="Without all four Block Public Access settings, one policy or ACL edit can publish the bucket.",
    remediation="Console: the bucket > Permissions > Block public access > Block all public access. CLI: aws s3api "
    "put-public-access-block --bucket <name> --public-access-block-configuration BlockPublicAcls=true,"
    "IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
    prowler_check="s3_bucket_level_public_access_block", notes=RANKING_NOTE,
)  # fmt: skip
def public_access_block(b: S3Bucket, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    return None if b.public_access_block else ranked("s3.public_access_block", b, {"public_access_block": False})


@resource_rule(
    "s3.public", resource_type="s3_bucket", category="security", severity="high",
    title="S3 bucket is public (policy or ACL)",
    rationale="A bucket policy or ACL grants access to everyone: its objects can be listed or read by anyone.",
    remediation="Console: the bucket > Permissions: remove the public statement / ACL grant, then Block all public "
    "access. CLI: aws s3api delete-bucket-policy --bucket <name> (or put-bucket-policy without the public "
    "statement); aws s3api put-bucket-acl --bucket <name> --acl private",
    prowler_check="s3_bucket_public_access", notes=RANKING_NOTE,
)  # fmt: skip
def public(b: S3Bucket, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if not b.public:
        return None
    return ranked("s3.public", b, {"public": True, "public_access_block": b.public_access_block})


@resource_rule(
    "s3.versioning", resource_type="s3_bucket", category="security", severity="low",
    title="S3 bucket versioning is not enabled",
    rationale="Without versioning an overwrite or delete (or ransomware) destroys the only copy.",
    remediation="Console: the bucket > Properties > Bucket Versioning > Enable. CLI: aws s3api "
    "put-bucket-versioning --bucket <name> --versioning-configuration Status=Enabled",
    prowler_check="s3_bucket_object_versioning", notes=RANKING_NOTE,
)  # fmt: skip
def versioning(b: S3Bucket, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    return None if b.versioning == "Enabled" else ranked("s3.versioning", b, {"versioning": b.versioning})
