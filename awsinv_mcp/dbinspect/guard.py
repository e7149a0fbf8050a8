"""The read-only guard: accept exactly one plain query (or EXPLAIN / SHOW / a read-only PRAGMA) and re-render it.

The statement is parsed with sqlglot in the connection's dialect and checked deny-by-default:
- every node of the tree must be of an allowed kind (no DML anywhere, so no data-modifying CTEs, no
  `SELECT INTO`, no locking clauses, no `SET`, no transaction control, no commands sqlglot could not parse);
- every function call, wherever it sits (select list, FROM and LATERAL, CTEs, subqueries, WHERE, ORDER BY),
  must be on the dialect's allow-list, compared after unquoting and lower-casing; qualified calls are refused;
- casts only to built-in types; a few secret-bearing catalog tables are refused;
- MySQL executable comments (`/*! ... */`) are refused before parsing.
What runs on the server is the statement re-rendered from the checked tree (comments dropped, function names
canonical, parameters as driver placeholders), so the server executes exactly what was checked.
"""

from __future__ import annotations

import functools
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from awsinv_mcp.dbinspect.dialects import MariaDB, sqlglot_dialect
from awsinv_mcp.dbinspect.dialects import dialect as dialect_named
from awsinv_mcp.dbinspect.policy import (
    ALLOWED_NODES,
    ALLOWED_PRAGMAS,
    FUNCTIONS,
    OPERATOR_FUNCTIONS,
    SENSITIVE_TABLES,
)
from awsinv_mcp.errors import RefusedError, UserError

logging.getLogger("sqlglot").setLevel(logging.ERROR)

Kind = Literal["query", "explain", "show", "pragma"]
ParamStyle = Literal["pyformat", "named"]

MAX_SQL_CHARS = 100_000
_PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_LEADING_NOISE = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.S)
_PG_SHOW = re.compile(r"^SHOW\s+(ALL|[A-Za-z_][A-Za-z0-9_.]*)\s*;?\s*$", re.I)
_PRAGMA = re.compile(
    r"^PRAGMA\s+(?:(?P<schema>[A-Za-z_]\w*)\s*\.\s*)?(?P<name>[A-Za-z_]\w*)"
    r"\s*(?:\(\s*(?P<arg>[A-Za-z_]\w*|'[^'\\]*'|\"[^\"\\]*\")\s*\))?\s*;?\s*$",
    re.I,
)
_PG_EXPLAIN_OPTS = {
    "analyze": {"true", "false", "on", "off", "1", "0", ""},
    "verbose": {"true", "false", "on", "off", "1", "0", ""},
    "costs": {"true", "false", "on", "off", "1", "0", ""},
    "settings": {"true", "false", "on", "off", "1", "0", ""},
    "buffers": {"true", "false", "on", "off", "1", "0", ""},
    "wal": {"true", "false", "on", "off", "1", "0", ""},
    "timing": {"true", "false", "on", "off", "1", "0", ""},
    "summary": {"true", "false", "on", "off", "1", "0", ""},
    "format": {"text", "json", "yaml", "xml"},
}


@dataclass(frozen=True, slots=True)
class CheckedSQL:
    """A statement that passed the guard, ready for the driver."""

    kind: Kind
    sql: str
    params: dict[str, Any]
    analyze: bool = False


def refuse(reason: str) -> RefusedError:
    return RefusedError(f"refused: {reason}. Only a single read-only query (SELECT/WITH/VALUES, EXPLAIN, SHOW) runs.")


def check(
    sql: str,
    dialect: str,
    params: Mapping[str, Any] | None = None,
    *,
    style: ParamStyle = "pyformat",
    row_limit: int | None = None,
) -> CheckedSQL:
    """Check `sql` for `dialect` (postgresql, mysql, mariadb, sqlite) and return what to execute."""
    if not isinstance(sql, str) or not sql.strip():
        raise refuse("the statement is empty")
    if len(sql) > MAX_SQL_CHARS:
        raise refuse(f"the statement is longer than {MAX_SQL_CHARS} characters")
    if "\x00" in sql:
        raise refuse("the statement contains a NUL byte")
    family = dialect_named(dialect).family  # an unknown dialect is an error here, before anything runs
    if family == "mysql" and re.search(r"/\*[!+M]", sql):
        raise refuse("MySQL executable comments and optimizer hints (/*! */, /*+ */) run on the server")
    params = _check_params(params)
    head = _LEADING_NOISE.sub("", sql, count=1)
    word = head.split(None, 1)[0].upper() if head.split() else ""
    if word == "EXPLAIN" or (word == "ANALYZE" and isinstance(dialect_named(dialect), MariaDB)):
        return _explain(head, dialect, params, style)
    if word == "SHOW":
        return _show(head, dialect, params, style)
    if word == "PRAGMA":
        return _pragma(head, dialect, params)
    rendered = _query(sql, dialect, params, style, row_limit)
    return CheckedSQL("query", rendered, params)


def check_plain_query(sql: str, dialect: str, params: Mapping[str, Any] | None, *, style: ParamStyle) -> str:
    """Render a plain query (no EXPLAIN/SHOW/PRAGMA) after checking it; used by explain_query."""
    return _query(sql, dialect, _check_params(params), style)


def _check_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in (params or {}).items():
        if not isinstance(name, str) or not _PARAM_NAME.match(name):
            raise UserError(f"parameter name {name!r} is not an identifier; use :name placeholders and {{name: value}}")
        if value is not None and not isinstance(value, str | int | float | bool):
            raise UserError(f"parameter {name!r} must be a string, number, boolean or null")
        out[name] = value
    return out


def _parse_one(sql: str, dialect: str) -> Any:
    import sqlglot
    from sqlglot.errors import ParseError, TokenError

    try:
        statements = [s for s in sqlglot.parse(sql, dialect=sqlglot_dialect(dialect)) if s is not None]
    except RecursionError:
        raise refuse("the statement is nested too deeply") from None
    except (ParseError, TokenError) as exc:
        first = str(exc).splitlines()[0][:200] if str(exc) else "syntax error"
        raise RefusedError(f"could not parse the statement as {dialect} SQL ({first}); fix the syntax") from None
    if len(statements) != 1:
        raise refuse(f"{len(statements)} statements given; send exactly one")
    return statements[0]


def _query(sql: str, dialect: str, params: dict[str, Any], style: ParamStyle, row_limit: int | None = None) -> str:
    from sqlglot import exp

    tree = _parse_one(sql, dialect)
    if not isinstance(tree, exp.Query | exp.Values):
        kind = type(tree).__name__.upper()
        raise refuse(f"{'an' if kind[:1] in 'AEIOU' else 'a'} {kind} statement is not a plain query")
    _check_tree(tree, dialect)
    if row_limit and isinstance(tree, exp.Query):
        tree = _apply_limit(tree, row_limit, params)
    return _render(tree, dialect, params, style)


def _apply_limit(tree: Any, row_limit: int, params: dict[str, Any]) -> Any:
    """Force every LIMIT form down to `row_limit` so the server stops early.

    No LIMIT, `LIMIT ALL`, `LIMIT NULL`, a literal above the cap (`1e9` included), a placeholder whose value is not a
    whole number within the cap, or any expression all become `LIMIT row_limit`; a smaller literal or placeholder
    value is kept.
    """
    from sqlglot import exp

    current = tree.args.get("limit")
    if current is None:
        return tree.limit(row_limit, copy=False)
    value = current.expression if isinstance(current, exp.Limit) else None
    if value is None or not _within(value, row_limit, params):
        target = current if isinstance(current, exp.Limit) else None
        if target is None:
            return tree.limit(row_limit, copy=False)
        target.set("expression", exp.Literal.number(row_limit))
        if isinstance(value, exp.Placeholder) and not any(p.name == value.name for p in tree.find_all(exp.Placeholder)):
            params.pop(value.name, None)  # its only use was the LIMIT we lowered
    return tree


def _within(value: Any, row_limit: int, params: dict[str, Any]) -> bool:
    """True when a LIMIT value is a whole number no greater than `row_limit` (a literal or a bound placeholder)."""
    from sqlglot import exp

    if isinstance(value, exp.Literal) and not value.is_string:
        raw: Any = value.this
    elif isinstance(value, exp.Placeholder):
        raw = params.get(value.name)
    else:
        return False
    try:
        number = float(raw)
    except (TypeError, ValueError):
        return False
    return number.is_integer() and 0 <= number <= row_limit


def _check_tree(tree: Any, dialect: str) -> None:
    from sqlglot import exp

    allowed_functions = _allowed_functions(dialect)
    sensitive = SENSITIVE_TABLES.get(dialect, frozenset())
    for node in tree.walk():
        if type(node).__name__ in ALLOWED_NODES or isinstance(node, exp.JSONPathPart):
            pass
        elif isinstance(node, exp.Func):
            _check_function(node, dialect, allowed_functions)
            _check_growth(node)
        else:
            raise refuse(f"{_describe(node)} is not allowed in a read-only query")
        if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.USERDEFINED:
            raise refuse(f"casting to the user-defined type {node.sql()!r} is not allowed")
        if isinstance(node, exp.Table):
            names = {node.name.lower(), f"{node.db.lower()}.{node.name.lower()}"}
            if names & sensitive:
                raise refuse(f"the table {node.name!r} holds credentials and is not readable through this tool")
        if isinstance(node, exp.Placeholder) and not _PARAM_NAME.match(node.name or ""):
            raise refuse("positional placeholders are not supported; use :name and pass params={name: value}")


MAX_GROWING_DEPTH = 2
"""How deeply replace()-like functions may nest: each level can multiply a value's size, and the servers do not
stop such a computation at the statement timeout (MariaDB ran a 5-deep replace() for minutes after KILL QUERY)."""


def _check_growth(node: Any) -> None:
    """Refuse replace()/regexp_replace() nested more than MAX_GROWING_DEPTH deep (a value bomb)."""
    from sqlglot import exp

    growing = (exp.Replace, exp.RegexpReplace)
    if not isinstance(node, growing):
        return
    depth, parent = 1, node.parent
    while parent is not None:
        if isinstance(parent, growing):
            depth += 1
        parent = parent.parent
    if depth > MAX_GROWING_DEPTH:
        raise refuse(
            f"replace()-like functions nested {depth} deep can build values far beyond the caps and outlive the "
            f"statement timeout; nest at most {MAX_GROWING_DEPTH}"
        )


def _describe(node: Any) -> str:
    name = type(node).__name__
    words = re.sub(r"(?<!^)(?=[A-Z][a-z])", " ", name).upper()
    return f"the {words} clause/statement"


def _check_function(node: Any, dialect: str, allowed: tuple[frozenset[str], frozenset[str]]) -> None:
    from sqlglot import exp

    names, classes = allowed
    parent = node.parent
    if isinstance(parent, exp.Dot) and parent.expression is node:
        raise refuse(f"the qualified function call {parent.sql()[:60]!r} is not allowed; call it unqualified")
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        if name not in names:
            raise refuse(f"the function {name}() is not on the {dialect} read-only allow-list")
        node.set("this", name)
    elif type(node).__name__ not in classes:
        raise refuse(f"the function {node.sql_name().lower()}() is not on the {dialect} read-only allow-list")


@functools.cache
def _allowed_functions(dialect: str) -> tuple[frozenset[str], frozenset[str]]:
    """(native names, sqlglot classes) allowed for `dialect`: each native name is parsed to see its class."""
    import sqlglot
    from sqlglot import exp

    names = FUNCTIONS[dialect]
    classes = set(OPERATOR_FUNCTIONS)
    for name in names:
        for args in ("a", "a, b", "a, b, c", "", "a, INTERVAL 1 DAY"):
            try:
                tree = sqlglot.parse_one(f"SELECT {name}({args})", dialect=sqlglot_dialect(dialect))
            except Exception:
                continue
            target = tree.expressions[0] if tree.expressions else None
            if isinstance(target, exp.Func):  # every arity: some map to different classes by argument count
                classes.update(type(n).__name__ for n in target.walk() if isinstance(n, exp.Func))
    classes.discard("Anonymous")
    return frozenset(names), frozenset(classes)


def _render(tree: Any, dialect: str, params: dict[str, Any], style: ParamStyle) -> str:
    from sqlglot import exp

    nonce = secrets.token_hex(4)
    used: dict[str, str] = {}
    for node in list(tree.find_all(exp.Placeholder)):
        token = f"awsinvp{nonce}x{node.name}"
        used[token] = node.name
        node.replace(exp.var(token))
    missing = sorted(set(used.values()) - set(params))
    if missing:
        raise UserError(f"missing value(s) for placeholder(s) {', '.join(':' + m for m in missing)}; pass params")
    unused = sorted(set(params) - set(used.values()))
    if unused:
        raise UserError(f"params {', '.join(unused)} are not used by any :name placeholder in the statement")
    sql = tree.sql(dialect=sqlglot_dialect(dialect), comments=False, normalize_functions=False)
    if style == "pyformat":
        sql = sql.replace("%", "%%")
    for token, name in used.items():
        sql = sql.replace(token, f"%({name})s" if style == "pyformat" else f":{name}")
    return sql


def _explain(head: str, dialect: str, params: dict[str, Any], style: ParamStyle) -> CheckedSQL:
    analyze, prefix, rest = False, "EXPLAIN", head.split(None, 1)[1] if len(head.split(None, 1)) > 1 else ""
    family = dialect_named(dialect).family
    if family == "postgresql":
        opts: list[str] = []
        m = re.match(r"^\(([^()]*)\)\s*", rest)
        if m:
            for part in m.group(1).split(","):
                words = part.split()
                if not words or len(words) > 2:
                    raise refuse(f"EXPLAIN option {part.strip()!r} is not recognised")
                key, value = words[0].lower(), (words[1].lower() if len(words) == 2 else "")
                if key not in _PG_EXPLAIN_OPTS or value not in _PG_EXPLAIN_OPTS[key]:
                    raise refuse(f"EXPLAIN option {part.strip()!r} is not recognised")
                opts.append(f"{key.upper()} {value.upper()}".strip())
                analyze = analyze or (key == "analyze" and value in ("", "true", "on", "1"))
            rest = rest[m.end() :]
        else:
            while (w := rest.split(None, 1)) and w[0].upper() in ("ANALYZE", "VERBOSE"):
                opts.append(w[0].upper())
                analyze = analyze or w[0].upper() == "ANALYZE"
                rest = w[1] if len(w) > 1 else ""
        prefix = f"EXPLAIN ({', '.join(opts)})" if opts else "EXPLAIN"
    elif family == "mysql":
        if head.split()[0].upper() == "ANALYZE":
            prefix, analyze = "ANALYZE", True
            if rest.split(None, 1)[:1] and rest.split(None, 1)[0].upper() in ("TABLE", "LOCAL", "NO_WRITE_TO_BINLOG"):
                raise refuse("ANALYZE TABLE is a maintenance statement")
        words = []
        while True:
            m = re.match(r"^(EXTENDED|PARTITIONS|ANALYZE|FORMAT\s*=\s*(?:JSON|TREE|TRADITIONAL))\b\s*", rest, re.I)
            if not m:
                break
            word = re.sub(r"\s+", "", m.group(1)).upper()
            analyze = analyze or word == "ANALYZE"
            words.append(word)
            rest = rest[m.end() :]
        prefix = " ".join([prefix, *words])
    else:
        m = re.match(r"^QUERY\s+PLAN\b\s*", rest, re.I)
        if m:
            prefix, rest = "EXPLAIN QUERY PLAN", rest[m.end() :]
    if _LEADING_NOISE.sub("", rest, count=1).split(None, 1)[:1] in (["EXPLAIN"], ["explain"]):
        raise refuse("nested EXPLAIN")
    inner = _query(rest, dialect, params, style)
    return CheckedSQL("explain", f"{prefix} {inner}", params, analyze)


def _show(head: str, dialect: str, params: dict[str, Any], style: ParamStyle) -> CheckedSQL:
    from sqlglot import exp

    family = dialect_named(dialect).family
    if family == "postgresql":
        m = _PG_SHOW.match(head)
        if not m:
            raise refuse("only SHOW <setting> and SHOW ALL are allowed")
        return CheckedSQL("show", f"SHOW {m.group(1)}", params)
    if family != "mysql":
        raise refuse(f"SHOW is not a {dialect} statement")
    tree = _parse_one(head, dialect)
    if not isinstance(tree, exp.Show):
        raise refuse("this SHOW form is not recognised as read-only")
    if "USER" in str(tree.name).upper():
        raise refuse("SHOW CREATE USER reveals credentials")
    for node in tree.walk():
        if node is tree:
            continue
        if type(node).__name__ in ALLOWED_NODES:
            continue
        if isinstance(node, exp.Func):
            _check_function(node, dialect, _allowed_functions(dialect))
        else:
            raise refuse(f"{_describe(node)} is not allowed in SHOW")
    return CheckedSQL("show", _render(tree, dialect, params, style), params)


def _pragma(head: str, dialect: str, params: dict[str, Any]) -> CheckedSQL:
    if dialect_named(dialect).family != "sqlite":
        raise refuse(f"PRAGMA is not a {dialect} statement")
    if params:
        raise UserError("a PRAGMA takes no params")
    m = _PRAGMA.match(head)
    if not m:
        raise refuse("only the read form of a PRAGMA (no '=' assignment) is allowed")
    name = m.group("name").lower()
    if name not in ALLOWED_PRAGMAS:
        raise refuse(f"PRAGMA {name} is not on the read-only PRAGMA allow-list")
    schema = f"{m.group('schema')}." if m.group("schema") else ""
    arg = f"({m.group('arg')})" if m.group("arg") else ""
    return CheckedSQL("pragma", f"PRAGMA {schema}{name}{arg}", {})
