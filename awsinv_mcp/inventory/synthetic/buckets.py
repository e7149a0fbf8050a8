"""S3 buckets: backups, exports, logs, data and static sites, with varied encryption, access and versioning.

Most buckets are encrypted (SSE-S3 or KMS) behind a full public access block; a few old ones are not
encrypted, and a few have the block off and a public policy (mostly static sites, sometimes worse).
"""

from __future__ import annotations

import random
from datetime import datetime

from awsinv_mcp.inventory.synthetic import catalogue as cat
from awsinv_mcp.inventory.synthetic.draw import Pick, days_ago
from awsinv_mcp.inventory.synthetic.organisation import Organisation
from awsinv_mcp.models.inventory import S3Bucket

PURPOSES = Pick(cat.S3_PURPOSES)
ENCRYPTION: Pick[str | None] = Pick((("AES256", 58), ("aws:kms", 34), ("aws:kms:dsse", 2), (None, 6)))
VERSIONING = {
    "backups": Pick((("Enabled", 70), ("Suspended", 10), ("Disabled", 20))),
    "other": Pick((("Enabled", 35), ("Suspended", 10), ("Disabled", 55))),
}
SIZE_MEDIAN_GB = {"backups": 800.0, "exports": 120.0, "logs": 300.0, "data": 1500.0, "static": 2.0}
NO_BLOCK_RATE = {"static": 0.6}
NO_BLOCK_DEFAULT = 0.05
PUBLIC_IF_UNBLOCKED = {"static": 0.8}
PUBLIC_IF_UNBLOCKED_DEFAULT = 0.3


def build_buckets(rng: random.Random, org: Organisation, base: datetime, count: int) -> list[S3Bucket]:
    """`count` buckets; the first five cover every purpose, and at least one static site is public."""
    purposes = tuple(p for p, _ in cat.S3_PURPOSES)
    names: dict[str, int] = {}
    found = []
    for i in range(count):
        purpose = purposes[i] if i < len(purposes) else PURPOSES(rng)
        app, team = org.applications(rng)
        env = org.environments(rng)
        account = org.account_by_env[env].id
        region = org.regions[env](rng)
        base_name = f"{cat.COMPANY}-{app}-{purpose}-{cat.ENV_ABBREVIATIONS[env]}-{region}"
        n = names[base_name] = names.get(base_name, 0) + 1
        name = base_name if n == 1 else f"{base_name}-{n}"
        extra = {"Purpose": purpose} if rng.random() < 0.5 else {}
        labels = org.labels(rng, env, team, app, **extra)
        encryption = ENCRYPTION(rng)
        showcase_public = i == purposes.index("static")
        blocked = not showcase_public and rng.random() >= NO_BLOCK_RATE.get(purpose, NO_BLOCK_DEFAULT)
        public = showcase_public or (
            not blocked and rng.random() < PUBLIC_IF_UNBLOCKED.get(purpose, PUBLIC_IF_UNBLOCKED_DEFAULT)
        )
        size = rng.lognormvariate(0, 1.2) * SIZE_MEDIAN_GB[purpose]
        found.append(
            S3Bucket(
                **labels.fields(account, region),
                name=name,
                arn=f"arn:aws:s3:::{name}",
                encrypted=encryption is not None,
                encryption=encryption,
                public_access_block=blocked,
                public=public,
                versioning=VERSIONING["backups" if purpose == "backups" else "other"](rng),
                purpose=purpose,
                size_gb=round(size, 1),
                created_at=days_ago(rng, base, 30, 3000),
            )
        )
    return found
