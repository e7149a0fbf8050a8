"""S3 collector: buckets are global, so each account lists them once; details are read per bucket in the
bucket's own region, in small batches that run concurrently.

Defaults differ between real S3 and moto, and both are handled: a bucket without an encryption
configuration (moto; real S3 applies SSE-S3 to every bucket since 2023) is unencrypted; a bucket without a
public access block (moto's default; real new buckets get an all-on block since April 2023) has none,
unless the account-level block (s3control, where reachable) covers it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from awsinv_mcp.inventory import kinds
from awsinv_mcp.inventory.aws.context import Scope
from awsinv_mcp.inventory.aws.errors import error_code
from awsinv_mcp.inventory.aws.tags import labels, tag_dict, tag_value
from awsinv_mcp.models.inventory import S3Bucket

log = logging.getLogger("awsinv_mcp.inventory.aws")

BUCKETS_PER_TASK = 1
BLOCK_KEYS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
PUBLIC_GRANTEES = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)
PURPOSE_WORDS = (
    ("backup", "backups"),
    ("bak", "backups"),
    ("snapshot", "backups"),
    ("dump", "backups"),
    ("export", "exports"),
    ("log", "logs"),
    ("audit", "logs"),
    ("cloudtrail", "logs"),
    ("static", "static"),
    ("website", "static"),
    ("assets", "static"),
    ("cdn", "static"),
    ("artifact", "artifacts"),
    ("build", "artifacts"),
    ("lake", "data"),
    ("data", "data"),
    ("warehouse", "data"),
    ("etl", "data"),
    ("archive", "archive"),
    ("media", "media"),
    ("upload", "uploads"),
)

Spawn = Callable[[Callable[[], None]], None]


def bucket_purpose(name: str, tags: Mapping[str, str]) -> str | None:
    """'backups', 'exports', 'logs', ... from a Purpose tag, else from the words of the bucket name."""
    tagged = tag_value(tags, "Purpose")
    if tagged:
        return tagged.lower()
    tokens = name.lower().replace("_", "-").replace(".", "-").split("-")
    for word, purpose in PURPOSE_WORDS:
        if any(token.startswith(word) for token in tokens):
            return purpose
    return None


def location_region(constraint: str | None) -> str:
    """GetBucketLocation's LocationConstraint -> region (None is us-east-1, 'EU' is eu-west-1)."""
    if not constraint:
        return "us-east-1"
    return "eu-west-1" if constraint == "EU" else constraint


def effective_block(bucket: Mapping[str, Any], account: Mapping[str, Any] | None) -> dict[str, bool]:
    """Each public-access-block setting on at bucket or account level."""
    return {key: bool(bucket.get(key)) or bool((account or {}).get(key)) for key in BLOCK_KEYS}


def acl_public(grants: list[Mapping[str, Any]]) -> bool:
    return any((g.get("Grantee") or {}).get("URI") in PUBLIC_GRANTEES for g in grants or ())


def bucket_record(
    raw: Mapping[str, Any],
    *,
    account: str,
    region: str,
    partition: str,
    settings: Any,
    encryption: str | None,
    block: Mapping[str, bool],
    policy_public: bool,
    acl_grants_public: bool,
    versioning: str,
    tags: dict[str, str],
) -> S3Bucket:
    name = raw["Name"]
    public = (policy_public and not block["RestrictPublicBuckets"]) or (
        acl_grants_public and not block["IgnorePublicAcls"]
    )
    return S3Bucket(
        account=account,
        region=region,
        tags=tags,
        **labels(tags, settings),
        name=name,
        arn=raw.get("BucketArn") or f"arn:{partition}:s3:::{name}",
        encrypted=encryption is not None,
        encryption=encryption,
        public_access_block=all(block.values()),
        public=public,
        versioning=versioning,
        purpose=bucket_purpose(name, tags),
        created_at=raw.get("CreationDate"),
    )


def _missing(*codes: str) -> Callable[[str | None], bool]:
    return lambda code: code in codes


def account_block(scope: Scope) -> dict[str, Any] | None:
    """The account-level public access block, or None when unset or unreachable (then bucket-level only)."""
    action = "s3:GetAccountPublicAccessBlock"
    scope.results.called(action)
    try:
        control = scope.client("s3control", scope.target.home_region)
        return control.get_public_access_block(AccountId=scope.account)["PublicAccessBlockConfiguration"]
    except Exception as exc:
        if error_code(exc) == "NoSuchPublicAccessBlockConfiguration":
            return None
        # unreachable (e.g. moto's server: the account id goes in the host name) or refused: a warning either way,
        # since bucket exposure is then judged from each bucket's own settings alone
        scope.fault(exc, action)
        return None


def bucket_details(scope: Scope, raw: Mapping[str, Any], account_pab: Mapping[str, Any] | None) -> S3Bucket | None:
    """One bucket's record, read from its own region; None when the bucket is outside the selected regions."""
    name = raw["Name"]
    region = raw.get("BucketRegion")
    if not region:
        home = scope.client("s3", scope.target.home_region)
        region = scope.fetch(
            "s3:GetBucketLocation",
            lambda: location_region(home.get_bucket_location(Bucket=name).get("LocationConstraint")),
            scope.target.home_region,
        )
    if scope.settings.regions and region not in scope.settings.regions:
        return None
    s3 = scope.client("s3", region)
    rules = scope.fetch(
        "s3:GetEncryptionConfiguration",
        lambda: s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"].get("Rules", []),
        [],
        tolerate=_missing("ServerSideEncryptionConfigurationNotFoundError"),
    )
    algorithms = [(r.get("ApplyServerSideEncryptionByDefault") or {}).get("SSEAlgorithm") for r in rules]
    bucket_pab = scope.fetch(
        "s3:GetBucketPublicAccessBlock",
        lambda: s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"],
        {},
        tolerate=_missing("NoSuchPublicAccessBlockConfiguration"),
    )
    policy_public = scope.fetch(
        "s3:GetBucketPolicyStatus",
        lambda: bool(s3.get_bucket_policy_status(Bucket=name)["PolicyStatus"].get("IsPublic")),
        False,
        tolerate=_missing("NoSuchBucketPolicy"),
    )
    grants = scope.fetch("s3:GetBucketAcl", lambda: s3.get_bucket_acl(Bucket=name).get("Grants", []), [])
    versioning = scope.fetch(
        "s3:GetBucketVersioning", lambda: s3.get_bucket_versioning(Bucket=name).get("Status") or "Disabled", "Disabled"
    )
    tags = scope.fetch(
        "s3:GetBucketTagging",
        lambda: tag_dict(s3.get_bucket_tagging(Bucket=name).get("TagSet")),
        {},
        tolerate=_missing("NoSuchTagSet"),
    )
    return bucket_record(
        raw,
        account=scope.account,
        region=region,
        partition=scope.target.partition,
        settings=scope.settings,
        encryption=next((a for a in algorithms if a), None),
        block=effective_block(bucket_pab, account_pab),
        policy_public=policy_public,
        acl_grants_public=acl_public(grants),
        versioning=versioning,
        tags=tags,
    )


def collect_buckets(scope: Scope, spawn: Spawn) -> None:
    """List the account's buckets once, then read their details in batches spawned on the pool."""
    home = scope.client("s3", scope.target.home_region)
    raw = scope.fetch("s3:ListAllMyBuckets", lambda: scope.pages(home, "list_buckets", "Buckets"), [])
    if not raw:
        return
    account_pab = account_block(scope)

    def batch(chunk: list[Mapping[str, Any]]) -> Callable[[], None]:
        def run() -> None:
            records = [bucket_details(scope, b, account_pab) for b in chunk]
            scope.results.add(kinds.S3_BUCKET, [r for r in records if r is not None])

        return run

    for start in range(0, len(raw), BUCKETS_PER_TASK):
        spawn(batch(raw[start : start + BUCKETS_PER_TASK]))
