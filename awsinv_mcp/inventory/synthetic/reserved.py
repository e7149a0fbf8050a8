"""Reserved DB instances covering part of the steady production fleet, plus retired and unmatched ones.

Reservations match running production instances on (account, region, class, engine, multi_az); a few
retired ones precede them, and a few active ones match nothing any more (the fleet was resized).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from awsinv_mcp.inventory.synthetic.classes import class_pick
from awsinv_mcp.inventory.synthetic.draw import Pick, days_ago
from awsinv_mcp.models.inventory import DBInstance, ReservedDBInstance

OFFERINGS = Pick((("No Upfront", 40), ("Partial Upfront", 40), ("All Upfront", 20)))
COVER_RATE = 0.75  # share of (class, engine, region) groups with a reservation: an RI programme in place
RETIRED_RATE = 0.15
UNMATCHED_RATE = 0.06

GroupKey = tuple[str, str, str, str, bool]


def build_reserved(
    rng: random.Random, instances: list[DBInstance], production_account: str, base: datetime
) -> list[ReservedDBInstance]:
    """Reservations for the available production instances (see the module docstring)."""
    groups: dict[GroupKey, int] = {}
    licences: dict[GroupKey, str | None] = {}  # the licence model of the group's first instance
    for db in instances:
        if db.account == production_account and db.status == "available":
            key = (db.account, db.region, db.instance_class, db.engine, db.multi_az)
            groups[key] = groups.get(key, 0) + 1
            licences.setdefault(key, db.license_model)
    found: list[ReservedDBInstance] = []

    def add(key: GroupKey, count: int, start: datetime, years: int, state: str, like: GroupKey | None = None) -> None:
        account, region, instance_class, engine, multi_az = key
        offering = OFFERINGS(rng)
        if years == 3 and offering == "No Upfront":  # RDS sells no 3-year No Upfront reservation
            offering = "Partial Upfront"
        found.append(
            ReservedDBInstance(
                id=f"ri-{start:%Y-%m-%d-%H-%M}-{len(found) + 1:05d}",
                account=account,
                region=region,
                instance_class=instance_class,
                engine=engine,
                multi_az=multi_az,
                count=count,
                start=start,
                duration_years=years,
                offering_type=offering,
                state=state,
                license_model=licences.get(like or key),
            )
        )

    for key, size in groups.items():
        if rng.random() >= COVER_RATE:
            continue
        years = 1 if rng.random() < 0.6 else 3
        count = max(1, round(size * rng.uniform(0.5, 1.0)))
        start = days_ago(rng, base, 10, 365 * years - 5)
        add(key, count, start, years, "active")
        if rng.random() < RETIRED_RATE:
            add(key, count, start - timedelta(days=365 * years + rng.randint(1, 200)), years, "retired")
        if rng.random() < UNMATCHED_RATE:
            account, region, _, engine, multi_az = key
            other = class_pick(engine, "production")(rng)
            if other != key[2] and (account, region, other, engine, multi_az) not in groups:
                add((account, region, other, engine, multi_az), rng.randint(1, 3), days_ago(rng, base, 30, 300), 1,
                    "active", like=key)  # fmt: skip
    return found
