"""Engine version facts shared by the sources and the analysis: RDS major versions and their calendar.

Pure functions over version strings and the bundled `resources/engine_lifecycle.json`.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from awsinv_mcp.data import load_json

_LEADING_NUMBERS = re.compile(r"^(\d+)(?:\.(\d+))?")


def lifecycle_engine(engine: str) -> str:
    """The calendar's engine key: sqlserver-* -> sqlserver, oracle-* -> oracle, others unchanged."""
    if engine.startswith("sqlserver"):
        return "sqlserver"
    if engine.startswith("oracle"):
        return "oracle"
    return engine


@lru_cache(maxsize=4096)
def major_of(engine: str, engine_version: str) -> str:
    """Major version as RDS counts it: PostgreSQL 13 (9.6 before 10), MySQL/MariaDB 8.0, Aurora MySQL 8.0
    (from 8.0.mysql_aurora.3.05.2), SQL Server 15.00, Oracle 19."""
    kind = lifecycle_engine(engine)
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
    majors = load_json("engine_lifecycle.json")["engines"].get(lifecycle_engine(engine), {}).get("majors", {})
    entry = majors.get(major_of(engine, engine_version)) or {}
    value = entry.get("end_of_standard_support")
    return date.fromisoformat(value) if value else None


_VERSION_PARTS = re.compile(r"\d+|[A-Za-z]+")


def version_sort_key(engine_version: str) -> tuple[tuple[int, int | str], ...]:
    """Orders versions numerically part by part: 16.3 < 16.10, 5.7.mysql_aurora.2.11.5 < 8.0.mysql_aurora.3.04.0."""
    return tuple((0, int(p)) if p.isdigit() else (1, p.lower()) for p in _VERSION_PARTS.findall(engine_version))
