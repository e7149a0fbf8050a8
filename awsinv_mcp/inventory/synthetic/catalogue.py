"""The data the synthetic estate draws from: engines, versions, ports, regions, teams and risk rates.

Pure constants (no faker, no randomness). `ENGINE_VERSIONS` is the one place that lists every engine
version the estate emits; the engine lifecycle calendar must cover every major in it.
"""

from __future__ import annotations

ENVIRONMENTS = ("production", "staging", "development")
"""Account environments, in account order. Risk rates below are tuples in this order."""

ENGINE_VERSIONS: dict[str, tuple[tuple[str, int], ...]] = {
    # RDS for PostgreSQL: 11 and 12 are in Extended Support, 13 left standard support in Feb 2026.
    "postgres": (
        ("11.22", 3), ("12.19", 2), ("12.22", 4), ("13.15", 3), ("13.20", 5), ("13.22", 2),
        ("14.12", 3), ("14.17", 6), ("14.19", 3), ("15.7", 3), ("15.12", 7), ("15.14", 4),
        ("16.3", 3), ("16.8", 8), ("16.10", 6), ("17.2", 3), ("17.4", 6), ("17.6", 6), ("18.1", 2),
    ),
    # RDS for MySQL: 5.7 in Extended Support since Mar 2024; 8.0 left standard support in Jul 2026.
    "mysql": (
        ("5.7.44", 6), ("8.0.36", 4), ("8.0.39", 5), ("8.0.40", 6), ("8.0.42", 6),
        ("8.4.3", 4), ("8.4.5", 5), ("8.4.6", 4),
    ),
    # RDS for MariaDB has no Extended Support: 10.4 and 10.5 are past end of support.
    "mariadb": (
        ("10.4.34", 2), ("10.5.27", 3), ("10.6.18", 3), ("10.6.21", 4), ("10.11.9", 4), ("10.11.11", 5),
        ("11.4.4", 3), ("11.4.5", 4),
    ),
    # Aurora MySQL version 2 (5.7-compatible) is in Extended Support; version 3 is 8.0-compatible.
    "aurora-mysql": (
        ("5.7.mysql_aurora.2.11.5", 3), ("5.7.mysql_aurora.2.12.4", 4),
        ("8.0.mysql_aurora.3.04.3", 5), ("8.0.mysql_aurora.3.05.2", 4), ("8.0.mysql_aurora.3.08.0", 5),
        ("8.0.mysql_aurora.3.09.0", 4), ("8.0.mysql_aurora.3.10.0", 3),
    ),
    "aurora-postgresql": (
        ("11.21", 2), ("12.22", 3), ("13.18", 4), ("13.20", 3), ("14.15", 5), ("14.17", 3),
        ("15.10", 5), ("15.12", 4), ("16.6", 5), ("16.8", 4), ("17.4", 3),
    ),
    "oracle-ee": (
        ("19.0.0.0.ru-2023-10.rur-2023-10.r1", 2), ("19.0.0.0.ru-2024-04.rur-2024-04.r1", 3),
        ("19.0.0.0.ru-2024-10.rur-2024-10.r1", 4), ("19.0.0.0.ru-2025-04.rur-2025-04.r1", 4),
        ("19.0.0.0.ru-2025-07.rur-2025-07.r1", 3),
    ),
    "oracle-se2": (
        ("19.0.0.0.ru-2023-10.rur-2023-10.r1", 2), ("19.0.0.0.ru-2024-04.rur-2024-04.r1", 4),
        ("19.0.0.0.ru-2024-10.rur-2024-10.r1", 4), ("19.0.0.0.ru-2025-04.rur-2025-04.r1", 3),
    ),
    # SQL Server 2016 (13.00) reached end of support on RDS in July 2026.
    "sqlserver-ee": (
        ("13.00.6455.2.v1", 2), ("14.00.3485.1.v1", 3), ("15.00.4415.2.v1", 4), ("15.00.4430.1.v1", 3),
        ("16.00.4175.1.v1", 4), ("16.00.4195.2.v1", 3),
    ),
    "sqlserver-se": (
        ("13.00.6455.2.v1", 3), ("14.00.3485.1.v1", 4), ("15.00.4415.2.v1", 4), ("15.00.4430.1.v1", 3),
        ("16.00.4175.1.v1", 4), ("16.00.4195.2.v1", 2),
    ),
    "sqlserver-ex": (
        ("13.00.6455.2.v1", 3), ("14.00.3485.1.v1", 3), ("15.00.4430.1.v1", 4), ("16.00.4195.2.v1", 3),
    ),
    "sqlserver-web": (
        ("13.00.6455.2.v1", 2), ("14.00.3485.1.v1", 3), ("15.00.4430.1.v1", 4), ("16.00.4195.2.v1", 3),
    ),
}  # fmt: skip

DEPRECATED_MINORS: dict[str, dict[str, str]] = {
    "postgres": {"12.19": "12.22", "13.15": "13.22", "14.12": "14.19", "15.7": "15.14", "16.3": "16.10"},
    "mysql": {"8.0.36": "8.0.42", "8.4.3": "8.4.6"},
    "mariadb": {"10.6.18": "10.6.21", "10.11.9": "10.11.11"},
    "aurora-mysql": {"8.0.mysql_aurora.3.04.3": "8.0.mysql_aurora.3.08.0"},
    "aurora-postgresql": {"13.18": "13.20", "14.15": "14.17", "15.10": "15.12", "16.6": "16.8"},
}  # fmt: skip
"""Demo data: minor versions of the synthetic estate RDS 'deprecates', each with the minor RDS upgrades it to.
Instances and clusters on them carry a pending db-upgrade maintenance action (DescribePendingMaintenanceActions'
shape), forced `DEPRECATION_DAYS` days after the estate's date (by the version's place in this table)."""
DEPRECATION_DAYS = (21, 45, 75, 120, 160)

ENGINE_WEIGHTS: dict[str, int] = {
    "postgres": 24, "mysql": 18, "mariadb": 6, "aurora-postgresql": 13, "aurora-mysql": 11,
    "oracle-ee": 3, "oracle-se2": 3, "sqlserver-ee": 2, "sqlserver-se": 4, "sqlserver-ex": 2, "sqlserver-web": 2,
}  # fmt: skip
"""Relative frequency of engines per standalone instance or Aurora cluster."""

AURORA_ENGINES = ("aurora-mysql", "aurora-postgresql")

ENGINE_ABBREVIATIONS = {
    "postgres": "pg", "mysql": "mysql", "mariadb": "maria", "aurora-postgresql": "apg", "aurora-mysql": "amysql",
    "oracle-ee": "ora", "oracle-se2": "ora", "sqlserver-ee": "mssql", "sqlserver-se": "mssql",
    "sqlserver-ex": "mssql", "sqlserver-web": "mssql",
}  # fmt: skip


CUSTOM_PORTS = {
    "mysql": (3307, 3316, 13306), "mariadb": (3307, 13306), "postgres": (5433, 5434, 15432),
    "oracle": (1522, 1526, 11521), "sqlserver": (1434, 11433, 14330),
}  # fmt: skip

LICENSE_MODELS = {
    "postgres": ("postgresql-license",), "aurora-postgresql": ("postgresql-license",),
    "mysql": ("general-public-license",), "aurora-mysql": ("general-public-license",),
    "mariadb": ("general-public-license",), "oracle-ee": ("bring-your-own-license",),
    "oracle-se2": ("license-included", "license-included", "license-included", "bring-your-own-license"),
    "sqlserver-ee": ("license-included",), "sqlserver-se": ("license-included",),
    "sqlserver-ex": ("license-included",), "sqlserver-web": ("license-included",),
}  # fmt: skip

LOG_TYPES = {
    "mysql": ("error", "slowquery", "general", "audit"), "mariadb": ("error", "slowquery", "general", "audit"),
    "postgres": ("postgresql", "upgrade"), "oracle": ("alert", "audit", "listener", "trace"),
    "sqlserver": ("error", "agent"), "aurora-mysql": ("audit", "error", "slowquery", "general"),
    "aurora-postgresql": ("postgresql",),
}  # fmt: skip

DEFAULT_MASTER_USERNAMES = {
    "mysql": ("admin", "root"), "mariadb": ("admin", "root"), "postgres": ("postgres", "admin", "master"),
    "oracle": ("admin", "master"), "sqlserver": ("sa", "admin"),
}  # fmt: skip

LIFECYCLE_SUPPORT_ENGINES = frozenset({"mysql", "postgres", "aurora-mysql", "aurora-postgresql"})
"""Engines whose instances report `engine_lifecycle_support` (RDS Extended Support opt-in)."""

CA_CERTIFICATES = {
    # identifier: (valid till (date parts), weight of an ordinary, well-kept instance)
    "rds-ca-rsa2048-g1": ((2061, 5, 25), 80),
    "rds-ca-rsa4096-g1": ((2121, 5, 25), 12),
    "rds-ca-ecc384-g1": ((2121, 5, 25), 8),
}
OLD_CA_CERTIFICATE = ("rds-ca-2019", (2024, 8, 22))
OLD_CA_DEFAULT_UNTIL = (2024, 1, 26)  # new instances default to rds-ca-rsa2048-g1 from this day

REGIONS = ("us-east-1", "eu-west-1", "us-west-2", "eu-central-1", "ap-southeast-2")
ACCOUNT_REGIONS: dict[str, tuple[tuple[str, int], ...]] = {
    "production": (("us-east-1", 40), ("eu-west-1", 25), ("us-west-2", 15), ("eu-central-1", 12),
                   ("ap-southeast-2", 8)),
    "staging": (("us-east-1", 55), ("eu-west-1", 30), ("us-west-2", 15)),
    "development": (("us-east-1", 60), ("eu-west-1", 30), ("eu-central-1", 10)),
}  # fmt: skip

ENVIRONMENT_WEIGHTS = {"production": 45, "staging": 22, "development": 33}

ENVIRONMENT_TAG_VALUES: dict[str, tuple[tuple[str, int], ...]] = {
    # how real companies spell it; the `environment` field is the value lower-cased
    "production": (("Production", 60), ("production", 20), ("prod", 12), ("PROD", 5), ("prd", 3)),
    "staging": (("Staging", 55), ("staging", 25), ("stage", 12), ("stg", 8)),
    "development": (("Development", 50), ("development", 15), ("dev", 25), ("Dev", 10)),
}

ACCOUNT_SUFFIXES = {"production": "prod", "staging": "staging", "development": "dev"}
ENV_ABBREVIATIONS = {"production": "prod", "staging": "stg", "development": "dev"}
COMPANY = "acme"
EXTERNAL_ACCOUNT_SEED = "external-partner"

TEAMS: dict[str, tuple[str, ...]] = {
    # team -> its applications; 8 teams are drawn per seed
    "payments": ("payments-api", "ledger", "billing"),
    "checkout": ("checkout", "cart", "pricing"),
    "identity": ("auth", "user-profile"),
    "catalog": ("catalog", "search", "recommendations"),
    "fulfilment": ("orders", "inventory", "shipping"),
    "data-platform": ("analytics", "etl", "reporting"),
    "marketing": ("campaigns", "cms"),
    "platform": ("monitoring", "ci"),
    "customer-success": ("crm", "support-desk"),
    "finance": ("erp", "invoicing"),
    "mobile": ("mobile-backend", "notifications"),
}
TEAM_COUNT = 8
APPLICATION_ENGINE_HINTS = {"erp": "oracle-ee", "invoicing": "oracle-se2", "crm": "sqlserver-se", "cms": "mysql"}

# Unsafe or wasteful settings: probability per environment (production, staging, development).
RISK_RATES: dict[str, tuple[float, float, float]] = {
    "unencrypted": (0.03, 0.06, 0.12),
    "single_az": (0.08, 0.75, 0.92),  # only production single-AZ is a finding
    "no_backup": (0.01, 0.03, 0.10),  # retention 0
    "short_backup": (0.07, 0.40, 0.60),  # retention 1-6
    "no_deletion_protection": (0.08, 0.35, 0.45),
    "default_master": (0.05, 0.10, 0.20),
    "no_iam_auth": (0.20, 0.30, 0.45),
    "no_performance_insights": (0.10, 0.25, 0.40),
    "no_enhanced_monitoring": (0.15, 0.30, 0.45),
    "no_log_exports": (0.10, 0.25, 0.40),
    "no_copy_tags": (0.08, 0.15, 0.30),
    "default_port": (0.25, 0.35, 0.45),
    "no_auto_minor_upgrade": (0.10, 0.08, 0.05),
    "old_ca": (0.015, 0.03, 0.05),  # still on rds-ca-2019 (expired Aug 2024): only instances created before 2024
    "stopped": (0.005, 0.03, 0.08),
    "extended_support_disabled": (0.05, 0.10, 0.15),
    "untagged_team": (0.02, 0.04, 0.08),
}

# Network exposure profiles of a DB (the rest are private): probability per environment.
EXPOSURE_RATES: dict[str, tuple[float, float, float]] = {
    "exposed": (0.01, 0.02, 0.03),  # public, public subnet, security group open on the DB port
    "public_closed_sg": (0.01, 0.015, 0.03),  # public, public subnet, group restricted to an office range
    "public_private_subnet": (0.005, 0.01, 0.02),  # public flag set, but subnets without an internet route
    "open_sg_private": (0.02, 0.03, 0.05),  # group open to the internet, instance not public
}

# Load profiles of the 14-day utilisation: probability per environment.
LOAD_RATES: dict[str, tuple[float, float, float]] = {
    "idle": (0.02, 0.08, 0.15),
    "over_provisioned": (0.22, 0.30, 0.30),
    "hot": (0.04, 0.02, 0.02),
}
NEARLY_FULL_RATE = 0.04
IOPS_NEAR_LIMIT_RATE = {"normal": 0.08, "hot": 0.6}
"""Share of instances (by load profile) whose 14-day average I/O runs at 80-97% of what the storage sustains."""

OFFICE_CIDRS = ("203.0.113.0/24", "198.51.100.0/24")
INTERNAL_CIDRS = ("10.0.0.0/8",)

EC2_TYPES: tuple[tuple[str, int], ...] = (
    ("t2.micro", 4), ("t2.medium", 3), ("t3.small", 5), ("t3.medium", 8), ("t3.large", 6), ("t4g.medium", 4),
    ("m4.large", 2), ("m5.large", 8), ("m5.xlarge", 6), ("m6i.large", 5), ("m6i.2xlarge", 3), ("m7g.large", 3),
    ("c5.xlarge", 5), ("c6g.large", 3), ("c6i.2xlarge", 2), ("r5.large", 3), ("r5.2xlarge", 3), ("r6i.xlarge", 2),
)  # fmt: skip
EC2_DB_TYPES: tuple[tuple[str, int], ...] = (
    ("r5.xlarge", 4), ("r5.2xlarge", 3), ("r6i.xlarge", 3), ("m5.xlarge", 3), ("m5.2xlarge", 2), ("i3.xlarge", 2),
    ("t3.large", 2),
)  # fmt: skip
EC2_ROLES: tuple[tuple[str, int], ...] = (
    ("api", 25), ("web", 20), ("worker", 20), ("batch", 8), ("bastion", 4), ("jenkins", 2), ("cache", 4),
)  # fmt: skip
EC2_DATABASE_ENGINES: tuple[tuple[str, int], ...] = (
    ("postgres", 40), ("mysql", 30), ("mariadb", 10), ("sqlserver", 12), ("oracle", 8),
)  # fmt: skip

S3_PURPOSES: tuple[tuple[str, int], ...] = (
    ("backups", 25), ("exports", 15), ("logs", 25), ("data", 25), ("static", 10),
)  # fmt: skip
