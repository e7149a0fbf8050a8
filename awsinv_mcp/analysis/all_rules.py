"""Import every rule module so the catalogue (`catalogue.RULES`) is complete. Import this, not the modules."""

from __future__ import annotations

from awsinv_mcp.analysis import (  # noqa: F401  (imported for their @rule registrations)
    cost_rules,
    elasticache_rules,
    performance,
    reservations,
    security_ec2,
    security_rds,
    security_s3,
    version_rules,
)
from awsinv_mcp.analysis.catalogue import RULES

__all__ = ["RULES"]
