"""Engine facts shared by the sources and the analysis: engine families, default ports, RDS major versions and
their calendar. Pure functions over engine names, version strings and the bundled `resources/engine_lifecycle.json`.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from awsinv_mcp.data import load_json

_LEADING_NUMBERS = re.compile(r"^(\d+)(?:\.(\d+))?")


COMMERCIAL_FAMILIES = ("oracle", "sqlserver", "db2")
DEFAULT_PORTS = {"mysql": 3306, "mariadb": 3306, "postgres": 5432, "oracle": 1521, "sqlserver": 1433, "db2": 50000}


def engine_family(engine: str) -> str:
    """The engine as the lifecycle calendar and the log-export advice know it: every edition of a commercial
    engine is one family (oracle-ee, custom-oracle-ee -> oracle; sqlserver-se -> sqlserver); others unchanged
    (aurora-postgresql stays aurora-postgresql: Aurora has its own calendar)."""
    return next((family for family in COMMERCIAL_FAMILIES if family in engine), engine)


def compatible_engine(engine: str) -> str:
    """The engine whose wire protocol `engine` speaks: aurora-postgresql -> postgres, aurora-mysql -> mysql,
    oracle-se2 -> oracle, sqlserver-ex -> sqlserver; mysql, mariadb and postgres unchanged."""
    if engine.startswith("aurora"):
        return "postgres" if engine.endswith("postgresql") else "mysql"
    return engine_family(engine)


def default_port(engine: str) -> int | None:
    """The port RDS gives `engine` by default (None for an engine we do not know)."""
    return DEFAULT_PORTS.get(compatible_engine(engine))


@lru_cache(maxsize=4096)
def major_of(engine: str, engine_version: str) -> str:
    """Major version as RDS counts it: PostgreSQL 13 (9.6 before 10), MySQL/MariaDB 8.0, Aurora MySQL 8.0
    (from 8.0.mysql_aurora.3.05.2), SQL Server 15.00, Oracle 19."""
    kind = engine_family(engine)
    version = engine_version.strip()
    if kind == "sqlserver":
        parts = version.split(".")
        return ".".join(parts[:2]) if len(parts) >= 2 else version
    match = _LEADING_NUMBERS.match(version)
    if not match:
        return version
    first, second = match.group(1), match.group(2)
    if kind == "oracle":
        return first
    if kind in ("postgres", "aurora-postgresql") and int(first) >= 10:
        return first
    return f"{first}.{second}" if second is not None else first


@lru_cache(maxsize=1024)
def end_of_standard_support(engine: str, engine_version: str) -> date | None:
    """The bundled calendar's last day of RDS standard support for this version's major (None if unknown)."""
    majors = load_json("engine_lifecycle.json")["engines"].get(engine_family(engine), {}).get("majors", {})
    entry = majors.get(major_of(engine, engine_version)) or {}
    value = entry.get("end_of_standard_support")
    return date.fromisoformat(value) if value else None


_VERSION_PARTS = re.compile(r"\d+|[A-Za-z]+")


def version_sort_key(engine_version: str) -> tuple[tuple[int, int | str], ...]:
    """Orders versions numerically part by part: 16.3 < 16.10, 5.7.mysql_aurora.2.11.5 < 8.0.mysql_aurora.3.04.0."""
    return tuple((0, int(p)) if p.isdigit() else (1, p.lower()) for p in _VERSION_PARTS.findall(engine_version))
