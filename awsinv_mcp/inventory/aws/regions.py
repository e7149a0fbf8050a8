"""Which regions to collect in an account: AWSINV_REGIONS, else the account's enabled regions.

Opt-in regions that the account has not enabled are skipped with a warning (calls there would only fail
with credential errors); so are names the partition does not know.
"""

from __future__ import annotations

import logging
from typing import Any

from awsinv_mcp.inventory.aws.context import Fault, Scope
from awsinv_mcp.inventory.aws.errors import Where

log = logging.getLogger("awsinv_mcp.inventory.aws")

NOT_ENABLED = "not-opted-in"


def enabled(regions: list[dict[str, Any]]) -> list[str]:
    """Region names that are usable (opt-in not required, or opted in)."""
    return sorted(r["RegionName"] for r in regions if r.get("OptInStatus", "opt-in-not-required") != NOT_ENABLED)


def _skip(scope: Scope, region: str, message: str) -> None:
    w = scope.where
    where = Where(w.account, w.alias, region, "ec2", w.profile)
    scope.results.fault(Fault(where=where, action=f"region {region}", kind="opt_in", message=message))


def account_regions(scope: Scope) -> list[str]:
    """The regions to collect for the scope's account (warnings for requested regions that are not usable)."""
    ec2 = scope.client("ec2", scope.target.home_region)
    label = scope.where.label
    requested = scope.settings.regions
    if requested:
        scope.results.called("ec2:DescribeRegions")
        try:
            listed = ec2.describe_regions(AllRegions=True)["Regions"]
        except Exception as exc:  # not needed to proceed: collect what was asked for
            log.info("describe_regions failed for %s (%s); collecting the requested regions", label, exc)
            return list(requested)
        status = {r["RegionName"]: r.get("OptInStatus", "opt-in-not-required") for r in listed}
        keep = []
        for region in requested:
            if region not in status:
                _skip(scope, region, f"region {region} does not exist for {label}: fix AWSINV_REGIONS")
            elif status[region] == NOT_ENABLED:
                _skip(
                    scope,
                    region,
                    f"region {region} is an opt-in region not enabled for {label}: enable it in the account's "
                    "Regions settings or leave it out of AWSINV_REGIONS",
                )
            else:
                keep.append(region)
        return keep
    listed = scope.fetch("ec2:DescribeRegions", lambda: ec2.describe_regions()["Regions"], None)
    if listed is None:
        return [scope.target.home_region]
    return enabled(listed)
