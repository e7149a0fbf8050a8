"""The AWS source: collects RDS, EC2, S3 and CloudWatch facts from every configured account and region.

`collect(settings, progress)` is the `Collector` of `awsinv_mcp.inventory.store`; see `collector` for the
task graph, `sessions` for how accounts are found, `errors` for how failures become warnings, and
`docs/aws.md` for the operator's view.
"""

from __future__ import annotations

from awsinv_mcp.inventory.aws.collector import collect

__all__ = ["collect"]
