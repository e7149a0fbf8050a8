"""Database dialects are classes behind one registry; an unknown dialect is an error, never a silent fallback."""

from __future__ import annotations

import pytest

from awsinv_mcp.dbinspect import dialects, guard
from awsinv_mcp.dbinspect.dialects import DIALECTS, MariaDB, MySQL, dialect
from awsinv_mcp.errors import UserError


def test_every_engine_has_one_registered_class_and_variants_subclass_their_parent() -> None:
    assert set(DIALECTS) == {"postgresql", "mysql", "mariadb", "sqlite"}
    assert isinstance(dialect("mariadb"), MySQL) and type(dialect("mariadb")) is MariaDB
    for name, d in DIALECTS.items():
        assert d.name == name and d.catalog().__name__.startswith("awsinv_mcp.dbinspect.catalog_")
        assert d.explain("SELECT 1", False).endswith("SELECT 1")


@pytest.mark.parametrize("name", ["", "oracle", "SQLite", "postgres"])
def test_an_unknown_dialect_is_an_error_naming_the_known_ones(name: str) -> None:
    with pytest.raises(UserError, match="unknown database dialect") as info:
        dialect(name)
    assert "postgresql" in str(info.value) and "sqlite" in str(info.value)
    with pytest.raises(UserError, match="unknown database dialect"):
        guard.check("SELECT 1", name)  # never parsed or run as SQLite


def test_variants_differ_only_where_the_engines_do() -> None:
    mysql, maria = dialect("mysql"), dialect("mariadb")
    assert mysql.statement_timeout(2.5) == "max_execution_time = 2500"
    assert maria.statement_timeout(2.5) == "max_statement_time = 2.500"
    assert maria.explain("SELECT 1", True).startswith("ANALYZE FORMAT=JSON")
    assert mysql.sqlglot() is maria.sqlglot()
    assert dialect("sqlite").param_style == "named" and not dialect("sqlite").analyzes


def test_no_module_compares_dialect_names_outside_the_registry() -> None:
    from pathlib import Path

    root = Path(dialects.__file__).parent
    offenders = []
    for path in root.glob("*.py"):
        if path.name in ("dialects.py", "connections.py", "policy.py"):  # the registry, URL parsing, policy tables
            continue
        text = path.read_text()
        for needle in ('dialect == "', 'dialect in ("', 'dialect != "', '.dialect == "'):
            if needle in text:
                offenders.append(f"{path.name}: {needle}")
    assert not offenders, offenders
